//! Generates `ui/src/lib/bindings.ts` from the IPC types.
//!
//! One file, committed, so a reviewer sees every change to the IPC surface in
//! the diff. The test below fails when the file and the Rust types disagree.

use crate::{error, session};
use ts_rs::{Config, TS};

/// Where the bindings live, relative to this crate's manifest.
pub const BINDINGS_PATH: &str = "../../ui/src/lib/bindings.ts";

/// The whole TypeScript declaration file for the IPC surface.
pub fn typescript() -> String {
    let cfg = Config::default();
    let decls = [
        error::IpcErrorCode::decl(&cfg),
        error::IpcError::decl(&cfg),
        session::AppStatus::decl(&cfg),
        session::TenantKind::decl(&cfg),
        session::TenantSummary::decl(&cfg),
        session::AccountKind::decl(&cfg),
        session::AccountSummary::decl(&cfg),
        session::SignInTarget::decl(&cfg),
        session::SignInProgress::decl(&cfg),
        session::SignedInUser::decl(&cfg),
        session::Screen::decl(&cfg),
        session::Preferences::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/entra-ipc by `UPDATE_BINDINGS=1 cargo test -p entra-ipc`. Do not edit.\n",
    );
    for decl in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}
