//! Sign-in commands: the app's status, sign-in (with progress and cancel),
//! silent resume from the keychain, sign-out, preferences, and the warning that a session
//! will not survive a restart. Core: `entra_core::signin`. Signing in, resuming and signing out
//! also tell the lease maintenance task which account it may use (`crate::maintenance`).

use crate::browser::SystemBrowserViaTauri;
use crate::preferences;
use crate::state::AppState;
use entra_ipc::signin::{AccountSummary, AppStatus, Preferences, SignInProgress, SignInTarget, SignedInUser};
use entra_ipc::IpcError;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, IpcError> {
    Ok(AppStatus::new(state.signin.status().await?, preferences::load(&state.data_dir)))
}

#[tauri::command]
#[tracing::instrument(skip(app, state, on_progress), err(Debug))]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    target: SignInTarget,
    on_progress: Channel<SignInProgress>,
) -> Result<AccountSummary, IpcError> {
    // The window may have gone away; the sign-in goes on regardless.
    let report = move |p: entra_core::SignInProgress| drop(on_progress.send(p.into()));
    let account = state.signin.sign_in(target.into(), &SystemBrowserViaTauri(&app), &report).await?;
    state.signed_in.signed_in(&account.id);
    Ok((&account).into())
}

#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) -> bool {
    state.signin.cancel()
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn resume_account(state: State<'_, AppState>, account_id: String) -> Result<SignedInUser, IpcError> {
    let user = state.signin.signed_in_user(&account_id).await?;
    state.signed_in.signed_in(&account_id);
    Ok(user.into())
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn sign_out(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    state.signed_in.signed_out(&account_id);
    state.desk.sign_out(&account_id).await?;
    Ok(())
}

#[tauri::command]
pub fn save_preferences(state: State<'_, AppState>, preferences: Preferences) -> Result<(), IpcError> {
    Ok(preferences::save(&state.data_dir, &preferences)?)
}

/// Why the account's session will not survive a restart (the OS keychain refused its renewed
/// refresh token), if so. Memory only: the UI asks now and then and shows it.
#[tauri::command]
pub async fn session_warning(state: State<'_, AppState>, account_id: String) -> Result<Option<String>, IpcError> {
    Ok(state.desk.session_warning(&account_id).await)
}
