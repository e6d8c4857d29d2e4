//! What a read does before it answers: the cache policy. With an account, a cache younger than
//! the duration is a "hit" and answers at once; an older one (always, when the duration is
//! `00:00:00`) is a "miss": an incremental refresh runs first, and if it cannot reach Graph the
//! answer comes from the cache marked stale with the reason. Without an account the cache
//! answers as it is. Then the answer is read from the store itself (see `index`).
//!
//! Also the names the cache holds, for a sync that completes partial records ([`known_names`],
//! [`with_known_names`]): read from the store, never from a copy of it.

use super::{policy, CacheState, Freshness, Groups, GroupsOverview, GroupsStats};
use crate::cache::blocking;
use crate::{ErrorCode, Result};
use chrono::{DateTime, Utc};
use entra_store::queries::groups::{self as q, GroupsState, NameRecord, SyncRecord};
use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

/// The freshness of a cache synced at `sync` under a duration of `policy_secs`.
fn freshness(sync: Option<&SyncRecord>, policy_secs: u64, now: DateTime<Utc>) -> CacheState {
    let Some(sync) = sync else {
        return CacheState { as_of: None, freshness: Freshness::Empty, stale_reason: Some("Never synced: refresh the group cache".into()), refreshed: false };
    };
    let age = (now - sync.as_of).num_seconds().max(0) as u64;
    let (freshness, stale_reason) = if policy_secs == 0 {
        (Freshness::Stale, Some("The cache is disabled (duration 00:00:00) and this answer was not refreshed".to_string()))
    } else if age >= policy_secs {
        (Freshness::Stale, Some(format!("Older than the cache duration {}: refresh to bring it up to date", policy::format(policy_secs))))
    } else {
        (Freshness::Fresh, None)
    };
    CacheState { as_of: Some(sync.as_of), freshness, stale_reason, refreshed: false }
}

fn is_fresh(state: &GroupsState, now: DateTime<Utc>) -> bool {
    freshness(state.sync.as_ref(), state.policy_secs, now).freshness == Freshness::Fresh
}

async fn read_state(groups: &Groups) -> Result<GroupsState> {
    blocking(groups.store(), |s| s.read(q::state)).await
}

/// Policy, statistics and freshness; never the network.
pub(super) async fn overview(groups: &Groups) -> Result<GroupsOverview> {
    let (state, counts, size) = blocking(groups.store(), |s| s.read(|c| Ok((q::state(c)?, q::stats(c)?, q::db_size_bytes(c)?)))).await?;
    let wal = std::fs::metadata(format!("{}-wal", groups.store().path().display())).map(|m| m.len()).unwrap_or(0);
    let sync = state.sync.as_ref();
    let stats = GroupsStats {
        groups: counts.groups,
        users: counts.users,
        memberships: counts.memberships,
        size_bytes: size + wal,
        last_sync_at: sync.map(|s| s.as_of),
        last_sync_duration_ms: sync.map(|s| s.duration_ms),
        last_sync_requests: sync.map(|s| s.requests),
        last_sync_full: sync.map(|s| s.full),
        last_sync_fallback: sync.and_then(|s| s.fallback.clone()),
        hits: state.hits,
        misses: state.misses,
    };
    Ok(GroupsOverview { policy: policy::policy(state.policy_secs), stats, cache: freshness(sync, state.policy_secs, groups.now()) })
}

/// Applies the policy (see the module doc), counts the hit or miss, and says how fresh the
/// cache now is.
pub(super) async fn prepare(groups: &Groups, account_id: Option<&str>) -> Result<CacheState> {
    let state = read_state(groups).await?;
    let (cache, hit) = match account_id {
        None => (freshness(state.sync.as_ref(), state.policy_secs, groups.now()), true),
        Some(_) if is_fresh(&state, groups.now()) => (freshness(state.sync.as_ref(), state.policy_secs, groups.now()), true),
        Some(account) => refresh_first(groups, account).await?,
    };
    blocking(groups.store(), move |s| s.write(|tx| q::count_read(tx, hit))).await?;
    Ok(cache)
}

/// A miss: refresh (unless a refresh that finished while we waited made the cache fresh).
async fn refresh_first(groups: &Groups, account: &str) -> Result<(CacheState, bool)> {
    let _turn = groups.shared.refresh.turn().await;
    let state = read_state(groups).await?;
    if is_fresh(&state, groups.now()) && state.policy_secs > 0 {
        return Ok((freshness(state.sync.as_ref(), state.policy_secs, groups.now()), true));
    }
    match groups.refresh_locked(account, false, None, &|_| {}, CancellationToken::new()).await {
        Ok(summary) => Ok((CacheState { as_of: Some(summary.as_of), freshness: Freshness::Fresh, stale_reason: None, refreshed: true }, false)),
        Err(e) if matches!(e.code(), ErrorCode::Cancelled | ErrorCode::Storage | ErrorCode::Internal) => Err(e),
        Err(e) => {
            tracing::info!(error = %e.message(), "the group cache could not be refreshed; answering from the cache");
            let mut cache = freshness(state.sync.as_ref(), state.policy_secs, groups.now());
            if cache.freshness == Freshness::Fresh {
                cache.freshness = Freshness::Stale;
            }
            cache.stale_reason = Some(format!("Not refreshed: {}", e.message()));
            Ok((cache, false))
        }
    }
}

/// The cached name records (users, service principals, devices) of those of `ids` the cache
/// names; groups are not in it.
pub(super) async fn known_names(groups: &Groups, ids: Vec<String>) -> Result<HashMap<String, NameRecord>> {
    blocking(groups.store(), move |s| {
        s.read(|c| {
            let mut known = HashMap::new();
            for id in ids {
                if let Some(name) = q::name(c, &id)? {
                    known.insert(id, name);
                }
            }
            Ok(known)
        })
    })
    .await
}

/// Runs `f` with a lookup of the cached name record of an ID, off the async workers and in one
/// snapshot of the store (for a round's users, whose IDs only the round knows). A failed
/// lookup fails the whole call.
pub(super) async fn with_known_names<T: Send + 'static>(
    groups: &Groups,
    f: impl FnOnce(&dyn Fn(&str) -> Option<NameRecord>) -> T + Send + 'static,
) -> Result<T> {
    blocking(groups.store(), move |s| {
        s.read(|c| {
            let failed = std::cell::RefCell::new(None);
            let lookup = |id: &str| match q::name(c, id) {
                Ok(found) => found,
                Err(e) => {
                    failed.borrow_mut().get_or_insert(e);
                    None
                }
            };
            let out = f(&lookup);
            match failed.into_inner() {
                Some(e) => Err(e),
                None => Ok(out),
            }
        })
    })
    .await
}
