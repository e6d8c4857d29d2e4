#![deny(missing_docs)]
//! Entra Desk's core library: everything the desktop app and `entractl` share.
//!
//! It knows nothing of Tauri or of terminals; every entry point returns
//! [`Result`], whose [`Error`] carries a stable [`ErrorCode`] and a human
//! message that names the fix. The Tauri shell and the CLI are thin glue over
//! these modules.
//!
//! # Code map
//!
//! - [`desk`]: [`Desk`], identity only: accounts, tokens, sign-in, a Graph client for an account.
//! - One service per screen, named as the screen is in every layer (`ui/src/lib/api/X.ts` →
//!   `src-tauri/src/commands/X.rs` → here → `entra-ipc/src/X.rs`): [`signin`] ([`signin::SignIn`]),
//!   [`jwt`] ([`jwt::JwtWorkspace`]), [`apps`] ([`apps::Apps`]: the inventory cache and its refresh),
//!   [`credentials`] ([`credentials::Credentials`]: expiry report, exports, rotation, crossings),
//!   [`groups`] ([`groups::Groups`]: the delta-synced group cache, transitive membership, "why"),
//!   [`leases`] ([`leases::Leases`]: dynamic secrets with TTLs, crash-safe, reconciled and audited).
//!   Their types are the ones the screens receive and `entractl` prints, camelCase like Graph,
//!   with TypeScript derived behind the `ts` feature (entra-ipc only re-exports them).
//! - [`setup`]: the set-up assistant ([`setup::Setup`]): registers Entra Desk in the admin's tenant
//!   through Graph (no Microsoft client ID), finds it again by its tag, removes it, or prints the `az` commands.
//! - [`cache`]: `cache.sqlite` and what the screens reading it share (its store handle, one
//!   refresh at a time, certificate twins), below `apps`, `credentials` and `groups`.
//! - [`preferences`]: the UI preferences remembered between runs.
//! - [`config`]: where the tenant, app and endpoints come from, and the settings file.
//! - [`auth`]: interactive (PKCE + loopback) and app-only sign-in, discovery, ID-token checks,
//!   the token endpoint and the access-token cache.
//! - [`keychain`]: refresh tokens and client secrets in the OS keychain, nowhere else.
//! - [`accounts`]: the non-secret account list on disk.
//! - [`aadsts`]: AADSTS codes → meaning and fix.
//! - [`graph`]: a small Microsoft Graph client.
//! - [`secret`]: secret types with redacted `Debug` and no `Serialize`.
//! - [`duration`]: the one duration grammar (`15m`, `1h30m`, `7d`, Entra's `hh:mm:ss`) every setting reads.
//! - [`csv`]: the CSV cells every export writes, defused against spreadsheet formulas.
//! - [`ids`]: object IDs (GUIDs) checked where they enter the core, before any Graph URL.
//! - [`paging`]: [`paging::ListQuery`] in, [`paging::ListPage`] out: every list a page at a time.
//! - [`http`], [`clock`], [`paths`], [`error`]: plumbing.
//!
//! # Architecture invariants
//!
//! - No secret is written to the data folder or logged: secrets are [`secret`] types,
//!   which cannot be serialised and print as `[redacted]`.
//! - Every outgoing HTTP request uses a client built by `entra_http` (through [`http::client`]
//!   here, and the same policy in the Graph client and the JWT key fetcher): no redirects for
//!   credentialed requests, bounded time-outs, the extra demo CA, response size caps.

pub mod aadsts;
pub mod accounts;
pub mod apps;
pub mod auth;
pub mod cache;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod csv;
pub mod desk;
pub use entra_duration as duration;
pub mod error;
pub mod graph;
pub mod groups;
pub mod http;
pub mod ids;
pub mod jwt;
pub mod keychain;
pub mod leases;
pub mod paging;
pub mod paths;
pub mod permissions;
pub mod preferences;
pub mod secret;
pub mod setup;
pub mod signin;

pub use auth::app_only::AppCredential;
pub use auth::interactive::SignInOptions;
pub use auth::{BrowserOpener, SignInProgress, SystemBrowser};
pub use desk::{Desk, DeskOptions};
pub use signin::WhoAmI;
pub use error::{Error, ErrorCode, Result};
