//! Entra Desk's core library: everything the desktop app and `entractl` share.
//!
//! It knows nothing of Tauri or of terminals; every entry point returns
//! [`Result`], whose [`Error`] carries a stable [`ErrorCode`] and a human
//! message that names the fix. The Tauri shell and the CLI are thin glue over
//! these modules.

pub mod error;
pub mod paths;

pub use error::{Error, ErrorCode, Result};
