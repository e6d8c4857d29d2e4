//! JWT inspector commands: inspect a pasted token, inspect the signed-in
//! account's own token (only on explicit request), and manage validation
//! profiles. Core: `entra_core::jwt::JwtWorkspace`.

use crate::state::AppState;
use entra_core::jwt::InspectRequest;
use entra_ipc::jwt::CurrentTokenInspection;
use entra_ipc::IpcError;
use entra_jwt::settings_import::ImportReport;
use entra_jwt::{Inspection, Profile};
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip(state, token), err(Debug))]
pub async fn jwt_inspect(state: State<'_, AppState>, token: String, profile: Option<String>, fetch_keys: bool) -> Result<Inspection, IpcError> {
    let request = InspectRequest { fetch_keys, ..InspectRequest::new(&token, profile.as_deref(), chrono::Utc::now()) };
    Ok(state.jwt.inspect(request).await?)
}

/// The one command that sends a token to the webview: the user pressed "Inspect my current token".
///
/// Why only then: tokens never cross to the webview otherwise, so a script injected into it
/// (a bug, a malicious paste rendered as HTML) could not take one. The UI calls this only from
/// that button's click handler, never on load or on a timer; the token goes into the paste
/// area the user can already see, and is never stored by the UI.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn jwt_inspect_current(
    state: State<'_, AppState>,
    account_id: String,
    profile: Option<String>,
    fetch_keys: bool,
) -> Result<CurrentTokenInspection, IpcError> {
    let token = state.desk.access_token(&account_id, None).await?;
    let request = InspectRequest { fetch_keys, ..InspectRequest::new(token.expose(), profile.as_deref(), chrono::Utc::now()) };
    let inspection = state.jwt.inspect(request).await?;
    Ok(CurrentTokenInspection { token: token.expose().to_string(), inspection })
}

#[tauri::command]
pub fn jwt_profiles(state: State<'_, AppState>) -> Result<Vec<Profile>, IpcError> {
    Ok(state.jwt.list_profiles()?)
}

#[tauri::command]
pub fn jwt_save_profile(state: State<'_, AppState>, profile: Profile) -> Result<(), IpcError> {
    Ok(state.jwt.save_profile(&profile)?)
}

#[tauri::command]
pub fn jwt_delete_profile(state: State<'_, AppState>, name: String) -> Result<(), IpcError> {
    Ok(state.jwt.delete_profile(&name)?)
}

/// Reads a settings block ("Tenant ID: …", "Audience = …") into a profile; nothing is saved.
#[tauri::command]
pub fn jwt_import_profile(name: String, text: String) -> ImportReport {
    entra_jwt::settings_import::import_settings(&name, &text)
}
