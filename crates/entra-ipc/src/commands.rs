//! The command surface, declared once: every command the shell registers, the
//! screen it belongs to, its arguments and its result.
//!
//! From this one list come the TypeScript `Commands` map in the generated
//! bindings (so the UI's `call("name", args)` is type-checked against the Rust
//! types) and the tidy test that holds the shell to it (each command
//! registered, granted, and taking exactly these arguments). Renaming an
//! argument on one side without the other fails a test instead of a click.

use crate::{apps, credentials, groups, jwt, leases, signin};
use std::marker::PhantomData;
use ts_rs::{Config, TS};

/// A Tauri channel the command streams `T` over (`tauri::ipc::Channel<T>` in the shell,
/// `Channel<T>` from `@tauri-apps/api/core` in the UI). Only its type matters here.
pub struct Channel<T>(PhantomData<T>);

impl<T: TS> TS for Channel<T> {
    type WithoutGenerics = Channel<ts_rs::Dummy>;
    type OptionInnerType = Self;

    fn name(cfg: &Config) -> String {
        format!("Channel<{}>", T::name(cfg))
    }

    fn inline(cfg: &Config) -> String {
        Self::name(cfg)
    }

    fn visit_generics(v: &mut impl ts_rs::TypeVisitor)
    where
        Self: 'static,
    {
        v.visit::<T>();
    }
}

/// One command of the surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The screen (command group) it belongs to: `src-tauri/src/commands/<group>.rs`.
    pub group: &'static str,
    /// The command's name, as registered and invoked.
    pub name: &'static str,
    /// The arguments: the Rust name (snake_case; the UI sends camelCase) and the TypeScript type.
    pub args: Vec<(&'static str, String)>,
    /// The TypeScript type of the result (`void` for none).
    pub result: String,
}

/// The TypeScript of a result type; `()` is `void` (it arrives as `null`, which the UI ignores).
fn result_type<T: TS>(cfg: &Config) -> String {
    let name = T::name(cfg);
    if name == "null" {
        "void".into()
    } else {
        name
    }
}

macro_rules! commands {
    ($( $group:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ; )*) => {
        /// Every command's name, in declaration order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Every command, with its types.
        pub fn all(cfg: &Config) -> Vec<Command> {
            vec![$(Command {
                group: stringify!($group),
                name: stringify!($name),
                args: vec![$((stringify!($arg), <$ty as TS>::name(cfg))),*],
                result: result_type::<$ret>(cfg),
            }),*]
        }

        /// Visits every argument and result type of every command, in declaration order: the
        /// bindings declare what this reaches, so a type is in them exactly when a command uses it.
        pub fn visit_types(v: &mut impl ts_rs::TypeVisitor) {
            $( $( v.visit::<$ty>(); )* v.visit::<$ret>(); )*
        }
    };
}

commands! {
    signin::signin_status() -> signin::SignInStatus;
    signin::sign_in(target: signin::SignInTarget, on_progress: Channel<signin::SignInProgress>) -> signin::Account;
    signin::grant_scopes(account_id: String, scopes: Vec<String>, on_progress: Channel<signin::SignInProgress>) -> signin::Account;
    signin::step_up(account_id: String, claims: String, on_progress: Channel<signin::SignInProgress>) -> signin::Account;
    signin::cancel_sign_in() -> bool;
    signin::setup_register(source: signin::SetupSource, on_progress: Channel<signin::SetupProgress>) -> signin::Registered;
    signin::setup_commands() -> String;
    signin::setup_remove(source: signin::SetupSource, application: Option<String>) -> signin::Removed;
    signin::resume_account(account_id: String) -> signin::SignedInUser;
    signin::sign_out(account_id: String) -> ();
    signin::save_preferences(preferences: signin::Preferences) -> ();
    signin::keychain_warning(account_id: String) -> Option<String>;
    apps::apps_list(query: apps::AppsQuery) -> apps::AppsPage;
    apps::apps_refresh(account_id: String, full: bool, on_progress: Channel<apps::SyncProgress>) -> apps::SyncSummary;
    apps::apps_cancel_refresh() -> bool;
    apps::apps_detail(id: String) -> apps::AppDetail;
    apps::apps_open_in_portal(id: String) -> ();
    credentials::credentials_list(query: credentials::CredentialsQuery) -> credentials::CredentialsPage;
    credentials::credentials_export(windows: Option<Vec<u32>>, format: credentials::ExportFormat) -> Option<credentials::ExportResult>;
    credentials::credentials_rotate(account_id: String, object_id: String, object_type: apps::ObjectType, lifetime_days: u32) -> credentials::RotatedSecret;
    credentials::credentials_remove(account_id: String, object_id: String, object_type: apps::ObjectType, key_id: String) -> ();
    credentials::credentials_crossings(windows: Option<Vec<u32>>) -> Vec<credentials::Crossing>;
    groups::groups_overview() -> groups::GroupsOverview;
    groups::groups_set_policy(duration: String) -> groups::CachePolicy;
    groups::groups_refresh(account_id: String, full: bool, on_progress: Channel<groups::GroupsSyncProgress>) -> groups::GroupsSyncSummary;
    groups::groups_cancel_refresh() -> bool;
    groups::groups_clear() -> ();
    groups::groups_list(account_id: Option<String>, query: groups::ListQuery) -> groups::GroupPage;
    groups::groups_members(account_id: Option<String>, group_id: String, transitive: bool, query: groups::ListQuery) -> groups::MemberPage;
    groups::groups_member_of(account_id: Option<String>, user_id: String, transitive: bool, query: groups::ListQuery) -> groups::MemberOfPage;
    groups::groups_why(account_id: Option<String>, user_id: String, group_id: String) -> groups::WhyAnswer;
    groups::groups_search_users(query: String) -> Vec<groups::DirectoryRef>;
    groups::groups_resolve(ids: Vec<String>) -> groups::ResolvedNames;
    leases::leases_overview() -> leases::LeasesOverview;
    leases::leases_list(query: leases::LeasesQuery) -> leases::ListPage<leases::Lease>;
    leases::leases_define(account_id: Option<String>, request: leases::DefineRequest, client_secret: Option<String>) -> leases::Definition;
    leases::leases_remove_definition(name: String) -> ();
    leases::leases_issue(account_id: String, request: leases::IssueRequest) -> leases::IssuedLease;
    leases::leases_renew(lease_id: String, ttl: Option<String>) -> leases::Lease;
    leases::leases_revoke(account_id: String, lease_id: String) -> leases::Lease;
    leases::leases_reconcile(account_id: String) -> leases::ReconcileReport;
    leases::leases_bind(account_id: String) -> leases::BindReport;
    leases::leases_relocate(decision: leases::Relocation) -> leases::LeasesOverview;
    leases::leases_check_store(url: String, password: Option<String>) -> leases::StoreCheck;
    leases::leases_use_store(url: Option<String>, password: Option<String>) -> leases::LeasesOverview;
    leases::leases_audit(query: leases::AuditQuery) -> leases::ListPage<leases::AuditEntry>;
    leases::leases_export_audit(format: leases::AuditFormat) -> Option<String>;
    leases::leases_access_token(account_id: String, lease_id: String) -> leases::LeaseToken;
    jwt::jwt_inspect(token: String, profile: Option<String>, fetch_keys: bool) -> entra_jwt::Inspection;
    jwt::jwt_inspect_current(account_id: String, profile: Option<String>, fetch_keys: bool) -> jwt::CurrentTokenInspection;
    jwt::jwt_profiles() -> Vec<entra_jwt::Profile>;
    jwt::jwt_save_profile(profile: entra_jwt::Profile) -> ();
    jwt::jwt_delete_profile(name: String) -> ();
    jwt::jwt_import_profile(name: String, text: String) -> entra_jwt::settings_import::ImportReport;
}

/// `snake_case` → `camelCase`, as Tauri renames command arguments.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The TypeScript `Commands` map: per command, its arguments (camelCase) and result.
pub fn typescript(cfg: &Config) -> String {
    let mut out = String::from("/** Every command: its arguments (as the UI sends them) and its result. Generated from entra_ipc::commands. */\nexport interface Commands {\n");
    for c in all(cfg) {
        let args = if c.args.is_empty() {
            "Record<string, never>".to_string()
        } else {
            let fields: Vec<String> = c.args.iter().map(|(n, t)| format!("{}: {t}", camel_case(n))).collect();
            format!("{{ {} }}", fields.join("; "))
        };
        out.push_str(&format!("  {}: {{ args: {args}; result: {} }};\n", c.name, c.result));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_camel_case_is_tauris() {
        let mut names = NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), NAMES.len());
        assert_eq!(camel_case("fetch_keys"), "fetchKeys");
        assert_eq!(camel_case("on_progress"), "onProgress");
        assert_eq!(camel_case("token"), "token");
    }

    #[test]
    fn the_map_types_arguments_and_results() {
        let ts = typescript(&Config::default());
        assert!(ts.contains("  sign_in: { args: { target: SignInTarget; onProgress: Channel<SignInProgress> }; result: Account };"), "{ts}");
        assert!(ts.contains("  sign_out: { args: { accountId: string }; result: void };"), "{ts}");
        assert!(ts.contains("  jwt_inspect: { args: { token: string; profile: string | null; fetchKeys: boolean }; result: Inspection };"), "{ts}");
        assert!(ts.contains("  signin_status: { args: Record<string, never>; result: SignInStatus };"), "{ts}");
        assert!(
            ts.contains("  groups_members: { args: { accountId: string | null; groupId: string; transitive: boolean; query: ListQuery }; result: MemberPage };"),
            "{ts}"
        );
        assert!(ts.contains("  leases_define: { args: { accountId: string | null; request: DefineRequest; clientSecret: string | null }; result: Definition };"), "{ts}");
        assert!(ts.contains("  leases_export_audit: { args: { format: AuditFormat }; result: string | null };"), "{ts}");
    }
}
