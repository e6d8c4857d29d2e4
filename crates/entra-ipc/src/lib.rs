//! The IPC surface of Entra Desk: every type that crosses between the Rust
//! side and the webview, and nothing else.
//!
//! The Tauri shell's commands take and return only these types; the UI's
//! TypeScript types are generated from them (`ui/src/lib/bindings.ts`,
//! committed) by [`bindings::typescript`]. The test `bindings_are_current`
//! fails when the committed file drifts; `UPDATE_BINDINGS=1 cargo test -p
//! entra-ipc` rewrites it.
//!
//! Architecture invariant: no type here holds a token or a secret, except
//! [`jwt::CurrentTokenInspection`], which the UI gets only when the user asks
//! to inspect their own token.

pub mod bindings;
pub mod error;
pub mod jwt;
pub mod session;

pub use error::{IpcError, IpcErrorCode};
