//! Entra Desk's core library: everything the desktop app and `entractl` share.
//!
//! It knows nothing of Tauri or of terminals; every entry point returns
//! [`Result`], whose [`Error`] carries a stable [`ErrorCode`] and a human
//! message that names the fix. The Tauri shell and the CLI are thin glue over
//! these modules.
//!
//! # Code map
//!
//! - [`desk`]: the [`Desk`] facade the shell and the CLI call (sign-in, accounts, tokens, whoami, sign-out).
//! - [`config`], [`connection_string`]: where the tenant, app and endpoints come from.
//! - [`auth`]: interactive (PKCE + loopback) and app-only sign-in, discovery, ID-token checks.
//! - [`keychain`]: refresh tokens and client secrets in the OS keychain, nowhere else.
//! - [`accounts`]: the non-secret account list on disk.
//! - [`aadsts`]: AADSTS codes → meaning and fix.
//! - [`graph`]: a small Microsoft Graph client.
//! - [`secret`]: secret types with redacted `Debug` and no `Serialize`.
//! - [`http`], [`clock`], [`paths`], [`error`]: plumbing.
//!
//! # Architecture invariants
//!
//! - No secret is written to the data folder or logged: secrets are [`secret`] types,
//!   which cannot be serialised and print as `[redacted]`.
//! - Every outgoing HTTP request goes through [`http::client`] (no redirects).

pub mod aadsts;
pub mod accounts;
pub mod auth;
pub mod clock;
pub mod config;
pub mod connection_string;
pub mod desk;
pub mod error;
pub mod graph;
pub mod http;
pub mod jwt;
pub mod keychain;
pub mod paths;
pub mod secret;

pub use auth::app_only::AppCredential;
pub use auth::interactive::SignInOptions;
pub use auth::{BrowserOpener, SignInProgress, SystemBrowser};
pub use desk::{Desk, DeskOptions, WhoAmI};
pub use error::{Error, ErrorCode, Result};
