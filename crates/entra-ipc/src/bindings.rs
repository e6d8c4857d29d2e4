//! Generates `ui/src/lib/bindings.ts` from the IPC types.
//!
//! One file, committed, so a reviewer sees every change to the IPC surface in
//! the diff. The test below fails when the file and the Rust types disagree.

use crate::{error, jwt, session};
use ts_rs::{Config, TS};

/// Where the bindings live, relative to this crate's manifest.
pub const BINDINGS_PATH: &str = "../../ui/src/lib/bindings.ts";

/// The whole TypeScript declaration file for the IPC surface.
pub fn typescript() -> String {
    let cfg = Config::default();
    let decls = [
        serde_json::Value::decl(&cfg),
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
        entra_jwt::Inspection::decl(&cfg),
        entra_jwt::SignatureInfo::decl(&cfg),
        entra_jwt::TokenKind::decl(&cfg),
        entra_jwt::kind::TokenVersion::decl(&cfg),
        entra_jwt::kind::TokenUse::decl(&cfg),
        entra_jwt::kind::Actor::decl(&cfg),
        entra_jwt::claims::ClaimRow::decl(&cfg),
        entra_jwt::time::TimeView::decl(&cfg),
        entra_jwt::claims::NamedId::decl(&cfg),
        entra_jwt::claims::GroupsInfo::decl(&cfg),
        entra_jwt::Check::decl(&cfg),
        entra_jwt::Profile::decl(&cfg),
        entra_jwt::settings_import::ImportReport::decl(&cfg),
        jwt::CurrentTokenInspection::decl(&cfg),
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
