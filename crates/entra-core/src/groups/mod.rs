//! The Group caches screen's service, [`Groups`]: every group and its direct members, kept in
//! the local SQLite cache (`<data dir>/cache.sqlite`, shared with the other screens) and synced
//! by delta, with transitive membership and "why" computed locally. Reads are answered by
//! SQLite in place, a page at a time where a list can be long: no process copies the cache
//! into memory, so memory stays bounded and a one-shot `entractl` read starts at once.
//!
//! - `sync`: [`Groups::refresh`]. Full = `/groups/delta` and `/users/delta` walked from scratch
//!   (plus `getByIds` for the names of service principals and devices); incremental = from the
//!   stored delta links (a quiet round costs one page of each). A round is read to the end and
//!   applied in one transaction, so a cancelled or failed refresh leaves the previous cache
//!   whole. A refused or expired delta link becomes a full sync by itself (`fell_back`).
//! - `round`: folding delta pages into one round (split groups, replays, repeated changes).
//! - `index`: the membership graph walked in the store (transitive members, member-of, the
//!   "why" chain; breadth-first, cycles handled), the group list and user search.
//! - `nesting`: the nesting of groups in memory, for a process that answers many reads (the
//!   app, [`Groups::keeping_nesting_in_memory`]): the same walks without a query per group.
//! - `policy`: the cache duration (`hh:mm:ss`) and what a read does with it (`reads`).
//! - `types`: what the service returns.

mod index;
mod nesting;
pub mod policy;
mod reads;
mod job;
mod listings;
mod round;
mod sync;
mod types;

pub use sync::LISTINGS_FROM;
pub use types::*;

use crate::cache::{self, blocking};
use crate::clock::{Clock, SystemClock};
use crate::paging::ListQuery;
use crate::{Desk, Result};
use entra_store::queries::groups::{GroupOrder, MemberOrder, Window};
use entra_store::Store;
use index::{MemberOfOrder, MemberOfQuery, MemberQuery};
use nesting::{Nesting, NestingSlot};
use std::path::Path;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

struct Shared {
    desk: Desk,
    store: Store,
    /// One refresh (or clear) at a time, and its cancel handle for [`Groups::cancel_refresh`].
    pub(super) refresh: crate::cache::refresh_slot::RefreshSlot,
    /// The nesting of groups, when kept in memory ([`Groups::keeping_nesting_in_memory`]).
    nesting: Option<NestingSlot>,
}

impl Shared {
    /// The nesting in memory as of `conn`'s snapshot, when it is kept; `None`: walk the store.
    fn nesting(&self, conn: &entra_store::Connection) -> entra_store::Result<Option<Arc<Nesting>>> {
        self.nesting.as_ref().map(|slot| slot.current(conn)).transpose()
    }
}

/// The Group caches screen's service. See the module doc. A cheap `Clone`.
#[derive(Clone)]
pub struct Groups {
    shared: Arc<Shared>,
    clock: Arc<dyn Clock>,
    /// The tenant size from which a full sync reads by listings ([`LISTINGS_FROM`]).
    listings_from: u64,
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
        let shared = Shared { desk, store, refresh: Default::default(), nesting: None };
        Groups { shared: Arc::new(shared), clock: Arc::new(SystemClock), listings_from: LISTINGS_FROM }
    }

    /// Keeps the nesting of groups in memory (see `nesting`): for a process that answers many
    /// reads, such as the app. Member-of, "why" and transitive members then walk numbers instead
    /// of querying the store once per group; the answers are the same. Call it before cloning.
    pub fn keeping_nesting_in_memory(mut self) -> Groups {
        match Arc::get_mut(&mut self.shared) {
            Some(shared) => shared.nesting = Some(NestingSlot::default()),
            None => tracing::warn!("keeping_nesting_in_memory on a service already shared: its clones walk the store"),
        }
        self
    }

    /// The clock the cache's age is judged by (tests move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Groups {
        self.clock = clock;
        self
    }

    /// Makes a full sync read by listings from `users + groups` of `objects` (0: always), e.g.
    /// for tests on a small demo tenant.
    pub fn with_listings_from(mut self, objects: u64) -> Groups {
        self.listings_from = objects;
        self
    }

    pub(crate) fn listings_from(&self) -> u64 {
        self.listings_from
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

    /// Policy, statistics and freshness, from the cache only (never the network). When the
    /// nesting is kept in memory, this (the screen opening) also starts building it in the
    /// background, so the first member-of does not wait for it.
    pub async fn overview(&self) -> Result<GroupsOverview> {
        if self.shared.nesting.is_some() {
            let shared = self.shared.clone();
            tokio::task::spawn_blocking(move || {
                if let Err(e) = shared.store.read(|c| shared.nesting(c)) {
                    tracing::info!(error = %e, "the group nesting could not be built ahead; the first read builds it");
                }
            });
        }
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
        self.refresh_with(account_id, full, None, progress, cancel).await
    }

    /// [`Groups::refresh`] with the method of a full read forced: [`SyncMethod::DeltaWalk`] or
    /// [`SyncMethod::Listings`] (`None`: by the tenant's size, see [`LISTINGS_FROM`]). A staged
    /// sync left by a killed or cancelled run is resumed unless the delta walk is forced.
    pub async fn refresh_with(
        &self,
        account_id: &str,
        full: bool,
        method: Option<SyncMethod>,
        progress: &(dyn Fn(GroupsSyncProgress) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<GroupsSyncSummary> {
        let _turn = self.shared.refresh.turn().await;
        self.refresh_locked(account_id, full, method, progress, cancel).await
    }

    pub(super) async fn refresh_locked(
        &self,
        account_id: &str,
        full: bool,
        method: Option<SyncMethod>,
        progress: &(dyn Fn(GroupsSyncProgress) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<GroupsSyncSummary> {
        let result = self.shared.refresh.run(&cancel, |token| sync::run(self, account_id, full, method, progress, token)).await;
        self.desk().explained(account_id, &[crate::permissions::READ_GROUPS, crate::permissions::READ_USERS], result).await
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
        Ok(())
    }

    /// Every cached group, by name. With `account_id`, the cache policy applies first (see
    /// [`reads`]). A screen reads [`Groups::list_page`] instead.
    pub async fn list(&self, account_id: Option<&str>) -> Result<GroupList> {
        let cache = reads::prepare(self, account_id).await?;
        let (groups, _) = blocking(self.store(), |s| s.read(|c| index::groups(c, None, GroupOrder::Name, false, Window::default()))).await?;
        Ok(GroupList { groups, cache })
    }

    /// One page of the cached groups. Search: groups whose display name or mail has a word
    /// starting with each word of the text (`"fin team"` finds "Finance Team EMEA"), or whose
    /// ID is the text (or starts with it, from 8 characters). Sort keys: `name` (the default)
    /// and `members` (direct member count, kept in the cache, not counted per page); both tie
    /// on name, then ID. With `account_id`, the cache policy applies first.
    pub async fn list_page(&self, account_id: Option<&str>, query: &ListQuery) -> Result<GroupPage> {
        let order = match query.sort_key(&["name", "members"])? {
            "members" => GroupOrder::Members,
            _ => GroupOrder::Name,
        };
        let cache = reads::prepare(self, account_id).await?;
        let (search, descending, window) = (query.search_text().map(str::to_string), query.descending, window(query));
        let (rows, total) = blocking(self.store(), move |s| s.read(|c| index::groups(c, search.as_deref(), order, descending, window))).await?;
        Ok(GroupPage { groups: query.page(rows, total), cache })
    }

    /// A group's members, direct or transitive, all of them. A screen reads
    /// [`Groups::members_page`] instead.
    pub async fn members(&self, account_id: Option<&str>, group_id: &str, transitive: bool) -> Result<MemberList> {
        let cache = reads::prepare(self, account_id).await?;
        let query = MemberQuery { transitive, search: None, order: MemberOrder::Depth, descending: false, window: Window::default() };
        let (group_id, shared) = (group_id.to_string(), self.shared.clone());
        let (group, members, _) = blocking(self.store(), move |s| s.read(|c| index::members(c, &group_id, &query, shared.nesting(c)?.as_deref()))).await??;
        Ok(MemberList { group, transitive, members, cache })
    }

    /// One page of a group's members: direct ones (depth 1), or with `transitive` every member
    /// of its nested groups too, each once at its shortest depth with the group it is directly
    /// in (`via`). Search: members whose name, user principal name or mail has a word starting
    /// with each word of the text, or whose ID matches (as [`Groups::list_page`]). Sort keys:
    /// `depth` (the default: depth, then name, then ID) and `name`. With `account_id`, the
    /// cache policy applies first.
    pub async fn members_page(&self, account_id: Option<&str>, group_id: &str, transitive: bool, query: &ListQuery) -> Result<MemberPage> {
        let order = match query.sort_key(&["depth", "name"])? {
            "name" => MemberOrder::Name,
            _ => MemberOrder::Depth,
        };
        let cache = reads::prepare(self, account_id).await?;
        let asked =
            MemberQuery { transitive, search: query.search_text().map(str::to_string), order, descending: query.descending, window: window(query) };
        let (group_id, shared) = (group_id.to_string(), self.shared.clone());
        let (group, rows, total) = blocking(self.store(), move |s| s.read(|c| index::members(c, &group_id, &asked, shared.nesting(c)?.as_deref()))).await??;
        Ok(MemberPage { group, transitive, members: query.page(rows, total), cache })
    }

    /// The groups a user (or any directory object) is in, directly or transitively, by depth
    /// then name: the whole list (`entractl`). A screen reads [`Groups::member_of_page`].
    pub async fn member_of(&self, account_id: Option<&str>, user_id: &str, transitive: bool) -> Result<MemberOf> {
        let cache = reads::prepare(self, account_id).await?;
        let (user_id, shared) = (user_id.to_string(), self.shared.clone());
        let (user, groups) = blocking(self.store(), move |s| s.read(|c| index::member_of(c, &user_id, transitive, shared.nesting(c)?.as_deref()))).await??;
        Ok(MemberOf { user, transitive, groups, cache })
    }

    /// One page of the groups a user (or any directory object) is in: directly (depth 1), or
    /// with `transitive` through nested groups too, each once at its shortest depth. Through
    /// deep nesting a user can be in thousands of groups. Search: groups whose name or mail has
    /// a word starting with each word of the text, or whose ID matches (as
    /// [`Groups::list_page`]). Sort keys: `depth` (the default: depth, then name, then ID) and
    /// `name`. With `account_id`, the cache policy applies first.
    pub async fn member_of_page(&self, account_id: Option<&str>, user_id: &str, transitive: bool, query: &ListQuery) -> Result<MemberOfPage> {
        let order = match query.sort_key(&["depth", "name"])? {
            "name" => MemberOfOrder::Name,
            _ => MemberOfOrder::Depth,
        };
        let cache = reads::prepare(self, account_id).await?;
        let asked = MemberOfQuery { transitive, search: query.search_text().map(str::to_string), order, descending: query.descending, window: window(query) };
        let (user_id, shared) = (user_id.to_string(), self.shared.clone());
        let (user, rows, total) =
            blocking(self.store(), move |s| s.read(|c| index::member_of_page(c, &user_id, &asked, shared.nesting(c)?.as_deref()))).await??;
        Ok(MemberOfPage { user, transitive, groups: query.page(rows, total), cache })
    }

    /// Why `user_id` is in `group_id`: the shortest chain of nested groups.
    pub async fn why(&self, account_id: Option<&str>, user_id: &str, group_id: &str) -> Result<WhyAnswer> {
        let cache = reads::prepare(self, account_id).await?;
        let (user_id, group_id, shared) = (user_id.to_string(), group_id.to_string(), self.shared.clone());
        let (user, group, chain) = blocking(self.store(), move |s| s.read(|c| index::why(c, &user_id, &group_id, shared.nesting(c)?.as_deref()))).await??;
        Ok(WhyAnswer { user, group, member: !chain.is_empty(), chain, cache })
    }

    /// Users whose display name, user principal name or mail has a word starting with each
    /// word of `query` ("smi" finds "John Smith" and john.smith@contoso.com), or whose ID is
    /// `query` (or starts with it, from 8 characters); every user for an empty query. From the
    /// cache only; at most `limit`, by name. A keystroke reads a bounded number of matches
    /// ([`entra_store::queries::groups::search_users`]: the first by name as of the last full
    /// sync), so it costs the same in any tenant.
    pub async fn search_users(&self, query: &str, limit: usize) -> Result<Vec<DirectoryRef>> {
        let query = query.to_string();
        blocking(self.store(), move |s| s.read(|c| index::search_users(c, &query, limit))).await
    }

    /// Group IDs to names, from the cache only (the JWT inspector's `groups` claim).
    pub async fn resolve(&self, ids: &[String]) -> Result<ResolvedNames> {
        let ids = ids.to_vec();
        let (names, state) = blocking(self.store(), move |s| s.read(|c| Ok((index::resolve(c, &ids)?, entra_store::queries::groups::state(c)?)))).await?;
        Ok(ResolvedNames { names, as_of: state.sync.map(|s| s.as_of) })
    }
}

/// The rows a query asks for, as the store's window.
fn window(query: &ListQuery) -> Window {
    Window { start: query.start, rows: Some(u64::from(query.rows())) }
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
