//! Builds and runs the Tauri application: logging, managed state, the main
//! window's remembered size, plugins, commands and the leases' background maintenance.

use crate::commands;
use crate::demo::EmbeddedDemo;
use crate::maintenance::{self, SignedInAccount};
use crate::window_size::{self, WindowSize};
use crate::state::AppState;
use entra_teamstore::host::LeasesHost;
use tauri::{Emitter, Manager, WindowEvent};

pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ENTRA_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();

    let context = tauri::generate_context!();
    // The window's identity on the desktop is GTK's program name: the app ID on Wayland (no
    // GtkApplication gives it another) and the name half of X11's WM_CLASS. Desktops find the
    // menu entry by it, so it is the app's ID, the name the packages install the entry under
    // (`<identifier>.desktop`); left alone it would be the binary's name. Set before GTK starts.
    #[cfg(target_os = "linux")]
    glib::set_prgname(Some(context.config().identifier.as_str()));

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let data_dir = entra_core::paths::data_dir()?;
            entra_core::paths::ensure_dir(&data_dir)?;
            let desk = entra_core::Desk::open(data_dir.clone())?;
            let signin = entra_core::signin::SignIn::new(desk.clone(), Box::new(EmbeddedDemo::new(&data_dir)));
            if let Some(window) = app.get_webview_window("main") {
                if let Some(size) = window_size::load_window_size(&data_dir) {
                    let _ = window.set_size(tauri::LogicalSize::new(size.width, size.height));
                }
            }
            // Opening the cache reads no network: the first screen never waits on Graph.
            let apps = entra_core::apps::Apps::open(desk.clone(), &data_dir)?;
            let credentials = entra_core::credentials::Credentials::new(apps.clone());
            let groups = entra_core::groups::Groups::open(desk.clone(), &data_dir)?.keeping_nesting_in_memory();
            let jwt = entra_core::jwt::JwtWorkspace::new(&data_dir);
            let signed_in = SignedInAccount::default();
            // The chosen lease store (a team store that cannot be reached is reported on the Leases
            // screen; the app starts anyway). It sweeps and reconciles in the background once an
            // account is signed in, then every minute, and a team store's changes reach the screen.
            let handle = app.handle().clone();
            let on_change: std::sync::Arc<dyn Fn() + Send + Sync> = std::sync::Arc::new(move || {
                let _ = handle.emit(maintenance::LEASES_CHANGED, ());
            });
            let leases = tauri::async_runtime::block_on(LeasesHost::open(desk.clone(), &data_dir, signed_in.subscribe(), on_change))?;
            app.manage(AppState { desk, signin, apps, credentials, groups, leases, signed_in, jwt, data_dir });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { .. } = event {
                remember_window_size(window);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::signin::signin_status,
            commands::signin::sign_in,
            commands::signin::grant_scopes,
            commands::signin::step_up,
            commands::signin::cancel_sign_in,
            commands::signin::setup_register,
            commands::signin::setup_commands,
            commands::signin::setup_remove,
            commands::signin::resume_account,
            commands::signin::sign_out,
            commands::signin::save_preferences,
            commands::signin::keychain_warning,
            commands::apps::apps_list,
            commands::apps::apps_refresh,
            commands::apps::apps_cancel_refresh,
            commands::apps::apps_detail,
            commands::apps::apps_open_in_portal,
            commands::credentials::credentials_list,
            commands::credentials::credentials_export,
            commands::credentials::credentials_rotate,
            commands::credentials::credentials_remove,
            commands::credentials::credentials_crossings,
            commands::groups::groups_overview,
            commands::groups::groups_set_policy,
            commands::groups::groups_refresh,
            commands::groups::groups_cancel_refresh,
            commands::groups::groups_clear,
            commands::groups::groups_list,
            commands::groups::groups_members,
            commands::groups::groups_member_of,
            commands::groups::groups_why,
            commands::groups::groups_search_users,
            commands::groups::groups_resolve,
            commands::leases::leases_overview,
            commands::leases::leases_list,
            commands::leases::leases_define,
            commands::leases::leases_remove_definition,
            commands::leases::leases_issue,
            commands::leases::leases_renew,
            commands::leases::leases_revoke,
            commands::leases::leases_reconcile,
            commands::leases::leases_bind,
            commands::leases::leases_relocate,
            commands::leases::leases_check_store,
            commands::leases::leases_use_store,
            commands::leases::leases_audit,
            commands::leases::leases_export_audit,
            commands::leases::leases_access_token,
            commands::jwt::jwt_inspect,
            commands::jwt::jwt_inspect_current,
            commands::jwt::jwt_profiles,
            commands::jwt::jwt_save_profile,
            commands::jwt::jwt_delete_profile,
            commands::jwt::jwt_import_profile,
        ])
        .run(context);
    if let Err(err) = result {
        eprintln!("Entra Desk could not start: {err}");
        std::process::exit(1);
    }
}

fn remember_window_size(window: &tauri::Window) {
    let (Ok(size), Ok(scale)) = (window.inner_size(), window.scale_factor()) else { return };
    let logical = size.to_logical::<f64>(scale);
    if let Some(state) = window.try_state::<AppState>() {
        let _ = window_size::save_window_size(&state.data_dir, WindowSize { width: logical.width, height: logical.height });
    }
}
