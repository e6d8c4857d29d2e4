//! App registrations commands: the inventory from the local cache a page at a time, its refresh
//! from Graph (with progress and cancel), one object's detail, and opening it
//! in the Entra admin center. Core: `entra_core::apps`.

use crate::state::AppState;
use entra_ipc::apps::{AppDetail, AppsPage, AppsQuery, SyncProgress, SyncSummary};
use entra_ipc::IpcError;
use tauri::ipc::Channel;
use entra_core::BrowserOpener;
use tauri::State;
use tokio_util::sync::CancellationToken;

/// One page of the cached inventory (searched, filtered and sorted by the core): never waits on the network.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn apps_list(state: State<'_, AppState>, query: AppsQuery) -> Result<AppsPage, IpcError> {
    Ok(state.apps.page(&query).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state, on_progress), err(Debug))]
pub async fn apps_refresh(
    state: State<'_, AppState>,
    account_id: String,
    full: bool,
    on_progress: Channel<SyncProgress>,
) -> Result<SyncSummary, IpcError> {
    // The window may have gone away; the refresh goes on regardless.
    let report = move |p: entra_core::apps::SyncProgress| drop(on_progress.send(p));
    Ok(state.apps.refresh(&account_id, full, &report, CancellationToken::new()).await?)
}

#[tauri::command]
pub fn apps_cancel_refresh(state: State<'_, AppState>) -> bool {
    state.apps.cancel_refresh()
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn apps_detail(state: State<'_, AppState>, id: String) -> Result<AppDetail, IpcError> {
    Ok(state.apps.detail(&id).await?)
}

/// Opens the object's page in the Entra admin center in the system browser.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn apps_open_in_portal(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    let url = state.apps.portal_url(&id).await?;
    // The core's opener: the browser starts in a scrubbed environment (see crate::browser).
    entra_core::SystemBrowser.open(&url).map_err(|e| {
        IpcError::from(entra_core::Error::internal(format!(
            "The system browser could not be opened ({}): copy the link from the detail pane instead",
            e.message()
        )))
    })
}
