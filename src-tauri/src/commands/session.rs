//! Session commands: the app's status, sign-in (with progress and cancel),
//! silent resume from the keychain, sign-out, preferences.

use crate::state::AppState;
use crate::{preferences, signin};
use entra_ipc::session::{AccountSummary, AppStatus, Preferences, SignInProgress, SignInTarget, SignedInUser};
use entra_ipc::IpcError;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, IpcError> {
    Ok(signin::app_status(&state).await?)
}

#[tauri::command]
#[tracing::instrument(skip(app, state, on_progress), err(Debug))]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    target: SignInTarget,
    on_progress: Channel<SignInProgress>,
) -> Result<AccountSummary, IpcError> {
    let report = move |p: entra_core::SignInProgress| {
        // The window may have gone away; the sign-in goes on regardless.
        let _ = on_progress.send(p.into());
    };
    let account = signin::sign_in(&app, &state, target, &report).await?;
    Ok((&account).into())
}

#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) -> bool {
    state.cancel_sign_in()
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn resume_account(state: State<'_, AppState>, account_id: String) -> Result<SignedInUser, IpcError> {
    Ok(signin::signed_in_user(&state, &account_id).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn sign_out(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    state.desk.sign_out(&account_id).await?;
    Ok(())
}

#[tauri::command]
pub fn save_preferences(state: State<'_, AppState>, preferences: Preferences) -> Result<(), IpcError> {
    Ok(preferences::save(&state.data_dir, &preferences)?)
}
