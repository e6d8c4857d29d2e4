//! Registers the app's commands with Tauri's ACL so that each one must be
//! granted explicitly in `capabilities/default.json` (least privilege in the webview).

const COMMANDS: &[&str] = &[
    "signin_status", "sign_in", "grant_scopes", "step_up", "cancel_sign_in", "setup_register", "setup_commands", "setup_remove", "resume_account", "sign_out", "save_preferences", "keychain_warning",
    "apps_list", "apps_refresh", "apps_cancel_refresh", "apps_detail", "apps_open_in_portal",
    "credentials_list", "credentials_export", "credentials_rotate", "credentials_remove", "credentials_crossings",
    "groups_overview", "groups_set_policy", "groups_refresh", "groups_cancel_refresh", "groups_clear", "groups_list",
    "groups_members", "groups_member_of", "groups_why", "groups_search_users", "groups_resolve",
    "leases_overview", "leases_list", "leases_define", "leases_remove_definition", "leases_issue", "leases_renew", "leases_revoke",
    "leases_reconcile", "leases_bind", "leases_relocate", "leases_audit", "leases_export_audit", "leases_access_token",
    "leases_check_store", "leases_use_store",
    "jwt_inspect",
    "jwt_inspect_current",
    "jwt_profiles",
    "jwt_save_profile",
    "jwt_delete_profile",
    "jwt_import_profile",
];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("failed to run the Tauri build script");
}
