//! Leases commands: the overview (definitions, the lease counts, the last
//! maintenance run), the lease list a page at a time, defining and removing
//! dynamic secrets, issuing (the one command that returns a lease's secret,
//! once, on the admin's request), renewing, revoking, reconciling, the audit
//! log (a page at a time) and its export, and an access-token lease's token on
//! an explicit "show token"; and which store (this desktop's, or a team
//! store: a connection test, and the switch). Core: `entra_core::leases`, over the store
//! `entra_teamstore::host::LeasesHost` holds.

use crate::save_dialog::{self, SaveAs};
use crate::state::AppState;
use entra_core::secret::SecretString;
use entra_ipc::leases::{
    AuditEntry, AuditFormat, AuditQuery, BindReport, DefineRequest, Definition, IssueRequest, IssuedLease, Lease, LeaseToken, LeasesOverview, LeasesQuery, ListPage,
    ReconcileReport, Relocation, StoreCheck,
};
use entra_ipc::IpcError;
use tauri::{AppHandle, State};

/// Definitions, the lease counts, the last maintenance run, the store and its leader: the lease store only, never Graph.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_overview(state: State<'_, AppState>) -> Result<LeasesOverview, IpcError> {
    Ok(state.leases.leases()?.overview().await?)
}

/// One page of the leases (searched, filtered, sorted and counted by the store), as the table scrolls.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_list(state: State<'_, AppState>, query: LeasesQuery) -> Result<ListPage<Lease>, IpcError> {
    Ok(state.leases.leases()?.page(&query).await?)
}

/// Defines a dynamic secret. `client_secret` (access-token definitions) goes to the keychain and never comes back;
/// `account_id`, when given, names the target.
#[tauri::command]
#[tracing::instrument(skip(state, client_secret), err(Debug))]
pub async fn leases_define(
    state: State<'_, AppState>,
    account_id: Option<String>,
    request: DefineRequest,
    client_secret: Option<String>,
) -> Result<Definition, IpcError> {
    // Boxed at once; the core treats an empty one as none given.
    let request = DefineRequest { client_secret: client_secret.map(SecretString::new), ..request };
    Ok(state.leases.leases()?.define(account_id.as_deref(), request).await?)
}

/// Removes a definition; refused while it has live leases.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_remove_definition(state: State<'_, AppState>, name: String) -> Result<(), IpcError> {
    Ok(state.leases.leases()?.remove_definition(&name).await?)
}

/// Issues a lease and returns its secret: the one time the value crosses to the webview, on the admin's request.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_issue(state: State<'_, AppState>, account_id: String, request: IssueRequest) -> Result<IssuedLease, IpcError> {
    Ok(state.leases.leases()?.issue(&account_id, request).await?.into())
}

/// Moves the lease's expiry (by `ttl`, else the definition's), never past its max TTL. Local only.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_renew(state: State<'_, AppState>, lease_id: String, ttl: Option<String>) -> Result<Lease, IpcError> {
    Ok(state.leases.leases()?.renew(&lease_id, ttl.as_deref()).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_revoke(state: State<'_, AppState>, account_id: String, lease_id: String) -> Result<Lease, IpcError> {
    Ok(state.leases.leases()?.revoke(&account_id, &lease_id).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_reconcile(state: State<'_, AppState>, account_id: String) -> Result<ReconcileReport, IpcError> {
    Ok(state.leases.leases()?.reconcile(&account_id).await?)
}

/// Binds the definitions and leases recorded before binding existed to the account's tenant.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_bind(state: State<'_, AppState>, account_id: String) -> Result<BindReport, IpcError> {
    Ok(state.leases.leases()?.bind(&account_id).await?)
}

/// Records whether a lease store found where it was not made was moved or copied.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_relocate(state: State<'_, AppState>, decision: Relocation) -> Result<LeasesOverview, IpcError> {
    Ok(state.leases.leases()?.relocate(decision).await?)
}

/// One page of the audit log (newest first; by lease, action or text), as the log scrolls.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_audit(state: State<'_, AppState>, query: AuditQuery) -> Result<ListPage<AuditEntry>, IpcError> {
    Ok(state.leases.leases()?.audit_page(&query).await?)
}

/// Writes the whole audit log (oldest first) to the file the admin picks in the save dialog (starting where the
/// Credential expiry exports go: Downloads, else `<data dir>/exports`) and returns its path; `None` if they cancelled.
#[tauri::command]
#[tracing::instrument(skip(app, state), err(Debug))]
pub async fn leases_export_audit(app: AppHandle, state: State<'_, AppState>, format: AuditFormat) -> Result<Option<String>, IpcError> {
    let leases = state.leases.leases()?;
    let offer = SaveAs::lease_audit(format, &state.data_dir, leases.audit_file_name(format));
    let Some(path) = save_dialog::choose(&app, offer).await? else { return Ok(None) };
    leases.export_audit_to(format, &path).await?;
    Ok(Some(path.to_string_lossy().into_owned()))
}

/// An access-token lease's current token: only on the admin's explicit "show token".
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn leases_access_token(state: State<'_, AppState>, account_id: String, lease_id: String) -> Result<LeaseToken, IpcError> {
    Ok(state.leases.leases()?.access_token(&account_id, &lease_id).await?.into())
}

/// Tests the team store at `url` (signing in with `password` if given, else as the app would), without switching to it.
#[tauri::command]
#[tracing::instrument(skip(state, password), err(Debug))]
pub async fn leases_check_store(state: State<'_, AppState>, url: String, password: Option<String>) -> Result<StoreCheck, IpcError> {
    Ok(state.leases.check(&url, password.map(SecretString::new)).await?)
}

/// Switches the Leases screen (and the background maintenance) to the team store at `url`, or back to this
/// desktop's store when `url` is null; `password` goes to the keychain and never comes back.
#[tauri::command]
#[tracing::instrument(skip(state, password), err(Debug))]
pub async fn leases_use_store(state: State<'_, AppState>, url: Option<String>, password: Option<String>) -> Result<LeasesOverview, IpcError> {
    Ok(state.leases.use_store(url.as_deref(), password.map(SecretString::new)).await?)
}
