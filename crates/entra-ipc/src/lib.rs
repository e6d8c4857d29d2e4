//! The IPC surface of Entra Desk: every type that crosses between the Rust
//! side and the webview, and nothing else.
//!
//! The Tauri shell's commands take and return only these types; the UI's
//! TypeScript types are generated from them (`ui/src/lib/bindings.ts`,
//! committed) by [`bindings::typescript`]. The test `bindings_are_current`
//! fails when the committed file drifts; `UPDATE_BINDINGS=1 cargo test -p
//! entra-ipc` rewrites it.
//!
//! One module per screen, named as the screen is in every layer
//! (`ui/src/lib/api/X.ts` → `src-tauri/src/commands/X.rs` → `entra_core::X` →
//! here `X.rs`): [`signin`], [`apps`], [`credentials`], [`groups`], [`leases`], [`jwt`]. [`commands`] declares the whole command
//! surface once; the TypeScript `Commands` map is generated from it.
//!
//! Architecture invariant: no type here holds a token or a secret, except
//! [`jwt::CurrentTokenInspection`], which the UI gets only when the user asks
//! to inspect their own token, and [`leases::IssuedLease`], which carries a
//! lease's secret once, when the admin issues it.

#![deny(missing_docs)]

pub mod apps;
pub mod bindings;
pub mod commands;
pub mod credentials;
pub mod error;
pub mod groups;
pub mod jwt;
pub mod leases;
pub mod signin;

pub use error::{ErrorCode, IpcError};
