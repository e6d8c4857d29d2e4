//! Sign-in commands: the app's status, sign-in (with progress and cancel),
//! silent resume from the keychain, sign-out, preferences, and the warning that a session
//! will not survive a restart. Core: `entra_core::signin`. Signing in, resuming and signing out
//! also tell the lease maintenance task which account it may use (`crate::maintenance`).

use crate::browser::SignInBrowser;
use crate::state::AppState;
use entra_ipc::signin::{Account, Preferences, Registered, Removed, SetupProgress, SetupSource, SignInProgress, SignInStatus, SignInTarget, SignedInUser};
use entra_ipc::IpcError;
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn signin_status(state: State<'_, AppState>) -> Result<SignInStatus, IpcError> {
    Ok(state.signin.status().await?)
}

#[tauri::command]
#[tracing::instrument(skip(state, on_progress), err(Debug))]
pub async fn sign_in(
    state: State<'_, AppState>,
    target: SignInTarget,
    on_progress: Channel<SignInProgress>,
) -> Result<Account, IpcError> {
    // The window may have gone away; the sign-in goes on regardless.
    let report = move |p: SignInProgress| drop(on_progress.send(p));
    let account = state.signin.sign_in(target, &SignInBrowser, &report).await?;
    state.signed_in.signed_in(&account.id);
    Ok(account)
}

/// "Grant access": asks for the scopes a Graph 403 named (`scopesToGrant`), as the same person.
#[tauri::command]
#[tracing::instrument(skip(state, on_progress), err(Debug))]
pub async fn grant_scopes(
    state: State<'_, AppState>,
    account_id: String,
    scopes: Vec<String>,
    on_progress: Channel<SignInProgress>,
) -> Result<Account, IpcError> {
    let report = move |p: SignInProgress| drop(on_progress.send(p));
    Ok(state.signin.grant(&account_id, &scopes, &SignInBrowser, &report).await?)
}

/// "Sign in again" after a claims challenge (`claimsChallenge`): the same person signs in sending
/// its claims, so the new token meets the tenant's Conditional Access policy.
#[tauri::command]
#[tracing::instrument(skip(state, claims, on_progress), err(Debug))]
pub async fn step_up(
    state: State<'_, AppState>,
    account_id: String,
    claims: String,
    on_progress: Channel<SignInProgress>,
) -> Result<Account, IpcError> {
    let report = move |p: SignInProgress| drop(on_progress.send(p));
    Ok(state.signin.step_up(&account_id, &claims, &SignInBrowser, &report).await?)
}

/// The set-up assistant: registers Entra Desk in the tenant (or finds it) as an account or the Azure CLI.
#[tauri::command]
#[tracing::instrument(skip(state, on_progress), err(Debug))]
pub async fn setup_register(
    state: State<'_, AppState>,
    source: SetupSource,
    on_progress: Channel<SetupProgress>,
) -> Result<Registered, IpcError> {
    let report = move |p: SetupProgress| drop(on_progress.send(p));
    Ok(state.signin.register(source, &report).await?)
}

/// "Remove this registration": deletes the one the assistant made (never another) and forgets its client ID.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn setup_remove(state: State<'_, AppState>, source: SetupSource, application: Option<String>) -> Result<Removed, IpcError> {
    Ok(state.signin.remove_registration(source, application).await?)
}

/// The same registration as Azure CLI commands.
#[tauri::command]
pub fn setup_commands(state: State<'_, AppState>) -> Result<String, IpcError> {
    Ok(state.signin.setup_commands()?)
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
    Ok(user)
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
    Ok(entra_core::preferences::save(&state.data_dir, &preferences)?)
}

/// Why the account's session will not survive a restart (the OS keychain refused its renewed
/// refresh token), if so. Memory only: the UI asks now and then and shows it.
#[tauri::command]
pub async fn keychain_warning(state: State<'_, AppState>, account_id: String) -> Result<Option<String>, IpcError> {
    Ok(state.desk.keychain_warning(&account_id).await)
}
