//! The Group caches screen's service, [`Groups`]: every group and its direct members, kept in
//! the local SQLite cache (`<data dir>/cache.sqlite`, shared with the other screens) and synced
//! by delta, with transitive membership and "why" computed locally.
//!
//! - `sync`: [`Groups::refresh`]. Full = `/groups/delta` and `/users/delta` walked from scratch
//!   (plus `getByIds` for the names of service principals and devices); incremental = from the
//!   stored delta links (a quiet round costs one page of each). A round is read to the end and
//!   applied in one transaction, so a cancelled or failed refresh leaves the previous cache
//!   whole. A refused or expired delta link becomes a full sync by itself (`fell_back`).
//! - `round`: folding delta pages into one round (split groups, replays, repeated changes).
//! - `index`: the in-memory graph of memberships built from the store (transitive members,
//!   member-of, the "why" chain; cycles handled), rebuilt whenever the cache changes.
//! - `policy`: the cache duration (`hh:mm:ss`) and what a read does with it (`reads`).
//! - `types`: what the service returns.

mod index;
pub mod policy;
mod reads;
mod round;
mod sync;
mod types;

pub use types::*;

use crate::cache::{self, blocking};
use crate::clock::{Clock, SystemClock};
use crate::{Desk, Result};
use entra_store::Store;
use index::Index;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

struct Shared {
    desk: Desk,
    store: Store,
    /// One refresh (or clear) at a time, and its cancel handle for [`Groups::cancel_refresh`].
    pub(super) refresh: crate::cache::refresh_slot::RefreshSlot,
    /// The membership index of the cache as last read (rebuilt when the cache's stamp changes).
    index: Mutex<Option<Arc<Index>>>,
}

/// The Group caches screen's service. See the module doc. A cheap `Clone`.
#[derive(Clone)]
pub struct Groups {
    shared: Arc<Shared>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Groups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groups").field("store", &self.shared.store).finish_non_exhaustive()
    }
}

impl Groups {
    /// The service over the cache `<data_dir>/cache.sqlite` (created if missing).
    pub fn open(desk: Desk, data_dir: &Path) -> Result<Groups> {
        Ok(Groups::new(desk, cache::open(data_dir)?))
    }

    /// The service over an open store.
    pub fn new(desk: Desk, store: Store) -> Groups {
        let shared = Shared { desk, store, refresh: Default::default(), index: Mutex::new(None) };
        Groups { shared: Arc::new(shared), clock: Arc::new(SystemClock) }
    }

    /// The clock the cache's age is judged by (tests move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Groups {
        self.clock = clock;
        self
    }

    /// The cache.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub(crate) fn desk(&self) -> &Desk {
        &self.shared.desk
    }

    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Policy, statistics and freshness, from the cache only (never the network).
    pub async fn overview(&self) -> Result<GroupsOverview> {
        reads::overview(self).await
    }

    /// Sets the cache duration from `hh:mm:ss` (`00:00:00` disables the cache: every read with
    /// an account refreshes first). Bad text is refused with [`crate::ErrorCode::InvalidInput`].
    pub async fn set_policy(&self, duration: &str) -> Result<CachePolicy> {
        let secs = policy::parse(duration)?;
        blocking(self.store(), move |s| s.write(|tx| entra_store::queries::groups::set_policy_secs(tx, secs))).await?;
        Ok(policy::policy(secs))
    }

    /// Brings the cache up to date from Graph as `account_id`: a full sync the first time, when
    /// `full`, when the cache holds another tenant, or when Graph refuses the stored delta links;
    /// otherwise the changes since the last sync. `progress` is told each step; `cancel` (or
    /// [`Groups::cancel_refresh`]) stops it with [`crate::ErrorCode::Cancelled`], leaving the
    /// previous cache as it was.
    pub async fn refresh(
        &self,
        account_id: &str,
        full: bool,
        progress: &(dyn Fn(GroupsSyncProgress) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<GroupsSyncSummary> {
        let _turn = self.shared.refresh.turn().await;
        self.refresh_locked(account_id, full, progress, cancel).await
    }

    async fn refresh_locked(
        &self,
        account_id: &str,
        full: bool,
        progress: &(dyn Fn(GroupsSyncProgress) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<GroupsSyncSummary> {
        let result = self.shared.refresh.run(&cancel, |token| sync::run(self, account_id, full, progress, token)).await;
        if result.is_ok() {
            // The next read rebuilds the index from what was just written.
            self.forget_index();
        }
        result
    }

    /// Cancels the refresh in progress; returns whether there was one.
    pub fn cancel_refresh(&self) -> bool {
        self.shared.refresh.cancel()
    }

    /// Empties the group cache (groups, memberships, names, delta links, statistics of the last
    /// sync). The policy and the hit/miss counters stay.
    pub async fn clear(&self) -> Result<()> {
        let _turn = self.shared.refresh.turn().await;
        blocking(self.store(), |s| s.write(entra_store::queries::groups::clear)).await?;
        self.forget_index();
        Ok(())
    }

    /// Every cached group. With `account_id`, the cache policy applies first (see [`reads`]).
    pub async fn list(&self, account_id: Option<&str>) -> Result<GroupList> {
        let (index, cache) = reads::prepare(self, account_id).await?;
        Ok(GroupList { groups: index.group_rows(), cache })
    }

    /// A group's members, direct or transitive.
    pub async fn members(&self, account_id: Option<&str>, group_id: &str, transitive: bool) -> Result<MemberList> {
        let (index, cache) = reads::prepare(self, account_id).await?;
        let (group, members) = index.members(group_id, transitive)?;
        Ok(MemberList { group, transitive, members, cache })
    }

    /// The groups a user (or any directory object) is in, directly or transitively.
    pub async fn member_of(&self, account_id: Option<&str>, user_id: &str, transitive: bool) -> Result<MemberOf> {
        let (index, cache) = reads::prepare(self, account_id).await?;
        let (user, groups) = index.member_of(user_id, transitive)?;
        Ok(MemberOf { user, transitive, groups, cache })
    }

    /// Why `user_id` is in `group_id`: the shortest chain of nested groups.
    pub async fn why(&self, account_id: Option<&str>, user_id: &str, group_id: &str) -> Result<WhyAnswer> {
        let (index, cache) = reads::prepare(self, account_id).await?;
        let (user, group, chain) = index.why(user_id, group_id)?;
        Ok(WhyAnswer { user, group, member: !chain.is_empty(), chain, cache })
    }

    /// Users whose name, user principal name or ID contains `query` (case-insensitive), from the
    /// cache only; at most `limit`.
    pub async fn search_users(&self, query: &str, limit: usize) -> Result<Vec<DirectoryRef>> {
        let index = reads::current_index(self).await?;
        Ok(index.search_users(query, limit))
    }

    /// Group IDs to names, from the cache only (the JWT inspector's `groups` claim).
    pub async fn resolve(&self, ids: &[String]) -> Result<ResolvedNames> {
        let index = reads::current_index(self).await?;
        Ok(ResolvedNames { names: ids.iter().map(|id| index.group_ref_or_unknown(id)).collect(), as_of: index.as_of() })
    }

    fn forget_index(&self) {
        self.shared.index.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_is_send_sync_and_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Groups>();
    }
}
