//! Credential expiry commands: the report against the expiry windows (a page at a time), exports,
//! rotation of a client secret, and what crossed a window since the last run
//! (also shown as a desktop notification). Core: `entra_core::credentials`.

use crate::save_dialog::{self, SaveAs};
use crate::state::AppState;
use entra_ipc::apps::ObjectType;
use entra_ipc::credentials::{CredentialsPage, CredentialsQuery, Crossing, ExportFormat, ExportResult, RotatedSecret};
use entra_ipc::IpcError;
use tauri::{AppHandle, State};
use tauri_plugin_notification::NotificationExt;

/// One page of the expiry report (searched, filtered and sorted by the core), with its counts when asked.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn credentials_list(state: State<'_, AppState>, query: CredentialsQuery) -> Result<CredentialsPage, IpcError> {
    Ok(state.credentials.page(&query, chrono::Utc::now()).await?)
}

/// Writes the report to the file the admin picks in the save dialog (starting in Downloads, else
/// `<data dir>/exports`, with the export's own name); `None` if they cancelled.
#[tauri::command]
#[tracing::instrument(skip(app, state), err(Debug))]
pub async fn credentials_export(app: AppHandle, state: State<'_, AppState>, windows: Option<Vec<u32>>, format: ExportFormat) -> Result<Option<ExportResult>, IpcError> {
    let now = chrono::Utc::now();
    let Some(path) = save_dialog::choose(&app, SaveAs::credentials(format, &state.data_dir, now)).await? else { return Ok(None) };
    Ok(Some(state.credentials.export_to(windows, format, &path, now).await?))
}

/// Adds a new client secret and returns it: the one time its value crosses to the webview, on the user's request.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn credentials_rotate(
    state: State<'_, AppState>,
    account_id: String,
    object_id: String,
    object_type: ObjectType,
    lifetime_days: u32,
) -> Result<RotatedSecret, IpcError> {
    Ok(state.credentials.rotate(&account_id, &object_id, object_type, lifetime_days).await?.into())
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn credentials_remove(
    state: State<'_, AppState>,
    account_id: String,
    object_id: String,
    object_type: ObjectType,
    key_id: String,
) -> Result<(), IpcError> {
    Ok(state.credentials.remove(&account_id, &object_id, object_type, &key_id).await?)
}

/// What crossed a window since the last run; a desktop notification says so when anything did.
#[tauri::command]
#[tracing::instrument(skip(app, state), err(Debug))]
pub async fn credentials_crossings(app: AppHandle, state: State<'_, AppState>, windows: Option<Vec<u32>>) -> Result<Vec<Crossing>, IpcError> {
    let crossings: Vec<Crossing> = state.credentials.crossings(windows, chrono::Utc::now()).await?;
    if !crossings.is_empty() {
        let expired = crossings.iter().filter(|c| c.now_in == 0).count();
        let body = format!("{} credential(s) crossed an expiry window since the last run, {expired} of them now expired.", crossings.len());
        // Best effort: without a notification service (a bare X session) the in-app notice still shows.
        if let Err(err) = app.notification().builder().title("Entra Desk: credentials expiring").body(body).show() {
            tracing::info!("no desktop notification: {err}");
        }
    }
    Ok(crossings)
}
