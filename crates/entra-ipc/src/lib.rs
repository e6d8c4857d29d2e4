//! The IPC surface of Entra Desk: the command list, the one error shape, the
//! generator of the UI's TypeScript, and the few wire types that carry a secret.
//!
//! Every other type that crosses to the webview is the core's own (or
//! entra-jwt's), defined once there with its TypeScript derived behind the `ts`
//! feature; the screen modules here only re-export them under the screen's name
//! (`ui/src/lib/api/X.ts` → `src-tauri/src/commands/X.rs` → `entra_core::X` →
//! here `X.rs`): [`signin`], [`apps`], [`credentials`], [`groups`], [`leases`],
//! [`jwt`]. [`commands`] declares the whole command surface once; the
//! TypeScript `Commands` map and every declaration in `ui/src/lib/bindings.ts`
//! (committed) are generated from it by [`bindings::typescript`]. The test
//! `bindings_are_current` fails when the committed file drifts;
//! `UPDATE_BINDINGS=1 cargo test -p entra-ipc --test bindings` rewrites it.
//!
//! Architecture invariant: the only types defined here hold a secret, sent
//! once because the user asked: [`credentials::RotatedSecret`] (a rotation's new
//! secret), [`leases::IssuedLease`] (a lease's secret, also what `entractl lease
//! issue --format json` prints) and [`jwt::CurrentTokenInspection`] (the user's
//! own token). Their `Debug` is redacted.

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
