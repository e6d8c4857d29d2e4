//! Generates `ui/src/lib/bindings.ts` from the types that cross IPC: the core's own types
//! (derived behind its `ts` feature) and the few wire types defined in this crate.
//!
//! One file, committed, so a reviewer sees every change to the IPC surface in
//! the diff. The test below fails when the file and the Rust types disagree.

use crate::{apps, commands, credentials, error, groups, jwt, leases, signin};
use ts_rs::{Config, TS};

/// Where the bindings live, relative to this crate's manifest.
pub const BINDINGS_PATH: &str = "../../ui/src/lib/bindings.ts";

/// The whole TypeScript declaration file for the IPC surface.
pub fn typescript() -> String {
    let cfg = Config::default();
    let decls = [
        serde_json::Value::decl(&cfg),
        error::ErrorCode::decl(&cfg),
        error::IpcError::decl(&cfg),
        signin::SignInStatus::decl(&cfg),
        signin::DefaultTenant::decl(&cfg),
        signin::Account::decl(&cfg),
        signin::AccountKind::decl(&cfg),
        signin::AppCredentialRef::decl(&cfg),
        signin::SignInTarget::decl(&cfg),
        signin::SignInProgress::decl(&cfg),
        signin::SignedInUser::decl(&cfg),
        signin::Screen::decl(&cfg),
        signin::Preferences::decl(&cfg),
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
        apps::ObjectType::decl(&cfg),
        apps::CredentialType::decl(&cfg),
        apps::Owner::decl(&cfg),
        apps::AppRow::decl(&cfg),
        apps::AppInventory::decl(&cfg),
        apps::Credential::decl(&cfg),
        apps::CredentialSummary::decl(&cfg),
        apps::RedirectUris::decl(&cfg),
        apps::ApiPermission::decl(&cfg),
        apps::AppDetail::decl(&cfg),
        apps::SyncProgress::decl(&cfg),
        apps::SyncSummary::decl(&cfg),
        credentials::ExpiryStatus::decl(&cfg),
        credentials::ExpiringCredential::decl(&cfg),
        credentials::ExpiryReport::decl(&cfg),
        credentials::ExportFormat::decl(&cfg),
        credentials::ExportResult::decl(&cfg),
        credentials::RotatedSecret::decl(&cfg),
        credentials::Crossing::decl(&cfg),
        groups::CachePolicy::decl(&cfg),
        groups::Freshness::decl(&cfg),
        groups::CacheState::decl(&cfg),
        groups::GroupsStats::decl(&cfg),
        groups::GroupsOverview::decl(&cfg),
        groups::GroupRow::decl(&cfg),
        groups::GroupList::decl(&cfg),
        groups::MemberKind::decl(&cfg),
        groups::DirectoryRef::decl(&cfg),
        groups::GroupRef::decl(&cfg),
        groups::MemberRow::decl(&cfg),
        groups::MemberList::decl(&cfg),
        groups::GroupWithDepth::decl(&cfg),
        groups::MemberOf::decl(&cfg),
        groups::WhyAnswer::decl(&cfg),
        groups::ResolvedNames::decl(&cfg),
        groups::GroupsSyncPhase::decl(&cfg),
        groups::GroupsSyncProgress::decl(&cfg),
        groups::GroupsSyncSummary::decl(&cfg),
        leases::LeaseKind::decl(&cfg),
        leases::LeaseStatus::decl(&cfg),
        leases::Definition::decl(&cfg),
        leases::DefineRequest::decl(&cfg),
        leases::Lease::decl(&cfg),
        leases::IssuedLease::decl(&cfg),
        leases::IssueRequest::decl(&cfg),
        leases::AuditAction::decl(&cfg),
        leases::AuditEntry::decl(&cfg),
        leases::AuditFormat::decl(&cfg),
        leases::ReconcileReport::decl(&cfg),
        leases::SweepReport::decl(&cfg),
        leases::MaintenanceRun::decl(&cfg),
        leases::LeasesOverview::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/entra-ipc by `UPDATE_BINDINGS=1 cargo test -p entra-ipc`. Do not edit.\n\nimport type { Channel } from \"@tauri-apps/api/core\";\n",
    );
    for decl in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    // Values the UI needs from the one place they are defined.
    let default_profile = serde_json::to_string(&entra_jwt::Profile::default()).expect("a profile serialises");
    out.push_str(&format!("\n/** A JWT validation profile's defaults: `entra_jwt::Profile::default()`. */\nexport const DEFAULT_JWT_PROFILE: Profile = {default_profile};\n"));
    out.push('\n');
    out.push_str(&commands::typescript(&cfg));
    out
}
