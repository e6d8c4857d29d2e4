//! Group caches commands: the cache policy and statistics, a sync with
//! Graph's delta query (with progress and cancel), clearing the cache, and the
//! reads (groups and a group's members a page at a time, a user's groups,
//! "why", user search, group names for the JWT inspector). Reads take the
//! signed-in account when there is one, so the cache policy applies; without
//! one they read the cache only. Core: `entra_core::groups`.

use crate::state::AppState;
use entra_ipc::groups::{
    CachePolicy, DirectoryRef, GroupPage, GroupsOverview, GroupsSyncProgress, GroupsSyncSummary, ListQuery, MemberOfPage, MemberPage, ResolvedNames, WhyAnswer,
};
use entra_ipc::IpcError;
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

/// How many users the picker shows for a search.
const USER_SEARCH_LIMIT: usize = 50;

/// The policy, the statistics and the cache's state: never waits on the network.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_overview(state: State<'_, AppState>) -> Result<GroupsOverview, IpcError> {
    Ok(state.groups.overview().await?)
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_set_policy(state: State<'_, AppState>, duration: String) -> Result<CachePolicy, IpcError> {
    Ok(state.groups.set_policy(&duration).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state, on_progress), err(Debug))]
pub async fn groups_refresh(
    state: State<'_, AppState>,
    account_id: String,
    full: bool,
    on_progress: Channel<GroupsSyncProgress>,
) -> Result<GroupsSyncSummary, IpcError> {
    // The window may have gone away; the sync goes on regardless.
    let report = move |p: entra_core::groups::GroupsSyncProgress| drop(on_progress.send(p));
    Ok(state.groups.refresh(&account_id, full, &report, CancellationToken::new()).await?)
}

#[tauri::command]
pub fn groups_cancel_refresh(state: State<'_, AppState>) -> bool {
    state.groups.cancel_refresh()
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_clear(state: State<'_, AppState>) -> Result<(), IpcError> {
    Ok(state.groups.clear().await?)
}

/// One page of the cached groups (searched and sorted by the core: `name` or `members`).
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_list(state: State<'_, AppState>, account_id: Option<String>, query: ListQuery) -> Result<GroupPage, IpcError> {
    Ok(state.groups.list_page(account_id.as_deref(), &query).await?)
}

/// One page of a group's members, direct or transitive (searched and sorted by the core: `depth` or `name`).
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_members(
    state: State<'_, AppState>,
    account_id: Option<String>,
    group_id: String,
    transitive: bool,
    query: ListQuery,
) -> Result<MemberPage, IpcError> {
    Ok(state.groups.members_page(account_id.as_deref(), &group_id, transitive, &query).await?)
}

/// One page of the groups a user is in, directly or through nested groups (searched and sorted by the core: `depth` or `name`).
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_member_of(
    state: State<'_, AppState>,
    account_id: Option<String>,
    user_id: String,
    transitive: bool,
    query: ListQuery,
) -> Result<MemberOfPage, IpcError> {
    Ok(state.groups.member_of_page(account_id.as_deref(), &user_id, transitive, &query).await?)
}

#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_why(state: State<'_, AppState>, account_id: Option<String>, user_id: String, group_id: String) -> Result<WhyAnswer, IpcError> {
    Ok(state.groups.why(account_id.as_deref(), &user_id, &group_id).await?)
}

/// Users in the cache whose name or sign-in name matches (the user picker): the cache only.
#[tauri::command]
#[tracing::instrument(skip(state), err(Debug))]
pub async fn groups_search_users(state: State<'_, AppState>, query: String) -> Result<Vec<DirectoryRef>, IpcError> {
    Ok(state.groups.search_users(&query, USER_SEARCH_LIMIT).await?)
}

/// Group IDs to names for other screens (the JWT inspector): the cache only, never the network.
#[tauri::command]
#[tracing::instrument(skip(state, ids), err(Debug))]
pub async fn groups_resolve(state: State<'_, AppState>, ids: Vec<String>) -> Result<ResolvedNames, IpcError> {
    Ok(state.groups.resolve(&ids).await?)
}
