//! The cache behind the Group caches screen (migration `0003_groups`): groups (`groups`), their
//! direct memberships with the member's type (`group_members`), the names of users, service
//! principals and devices (`directory_names`), and one row of state (`groups_state`: delta
//! links, the last sync, the cache policy, hit and miss counters).
//!
//! A full sync calls [`replace_all`]; an incremental one builds a [`Round`] and calls
//! [`apply_round`], which is idempotent (a replayed round changes nothing). Call either with
//! [`set_sync`] in one [`Store::write`](crate::Store::write), so the cache never shows half a
//! sync and a failed sync leaves the previous one whole.
//!
//! Reads are served in place (migration `0004_groups_search`), never from a copy of the whole
//! cache: the edges of the membership graph for the core's walks ([`parents`],
//! [`nested_groups`]), pages of the group list and of a group's members ([`group_page`],
//! [`member_page`]), and word-prefix search ([`search_users`], and the lists' searches) over an
//! FTS5 index that the write functions keep current, with each group's direct member count;
//! a bulk load rebuilds both with [`rebuild_search`].

mod page;
mod read;
mod search;
mod write;
pub mod staging;

pub use page::{group_page, member_page};
pub use read::{db_size_bytes, group, groups, is_group, memberships, name, names, nested_groups, nesting_rows, object, parents, state, stats, version, NestingRows};
pub use search::{group_names, matching_groups, rebuild_search, renumber_groups, search_users, ID_PREFIX_MIN, OUT_OF_ORDER_MAX, USER_CANDIDATES};
pub use write::{apply_round, clear, count_read, replace_all, set_policy_secs, set_sync, set_sync_duration};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One group's properties.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupRecord {
    /// Object ID.
    pub id: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
    /// `securityEnabled`.
    pub security_enabled: bool,
    /// `mailEnabled`.
    pub mail_enabled: bool,
    /// `groupTypes`.
    pub group_types: Vec<String>,
    /// `membershipRule`.
    pub membership_rule: Option<String>,
}

/// One direct membership.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    /// The group.
    pub group_id: String,
    /// The member.
    pub member_id: String,
    /// `user`, `group`, `servicePrincipal`, `device`, … (`@odata.type` without `#microsoft.graph.`).
    pub member_type: String,
}

/// The name of a user, service principal or device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NameRecord {
    /// Object ID.
    pub id: String,
    /// As [`Membership::member_type`].
    pub kind: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `userPrincipalName` (users).
    pub user_principal_name: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
}

/// The changes of one incremental sync, applied by [`apply_round`] in this order: groups
/// upserted, groups removed (with their memberships, as group and as member), memberships
/// removed, memberships added (for groups that exist), names upserted, names removed (with
/// their memberships).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Round {
    /// Groups added or changed (every property as it should now be).
    pub groups: Vec<GroupRecord>,
    /// Groups deleted.
    pub removed_groups: Vec<String>,
    /// Memberships added (an existing one is kept, its type updated).
    pub added: Vec<Membership>,
    /// Memberships removed: `(group_id, member_id)`.
    pub removed: Vec<(String, String)>,
    /// Names added or changed.
    pub names: Vec<NameRecord>,
    /// Users (or other named objects) deleted.
    pub removed_names: Vec<String>,
}

/// What [`apply_round`] changed (a replay changes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    /// Group rows inserted, changed or deleted.
    pub groups: u64,
    /// Memberships inserted or deleted.
    pub memberships: u64,
    /// Name rows inserted, changed or deleted.
    pub names: u64,
}

impl Applied {
    /// Everything it changed.
    pub fn total(&self) -> u64 {
        self.groups + self.memberships + self.names
    }
}

/// The last completed sync, as [`set_sync`] records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    /// The tenant and Graph URL the cache was filled for (the caller's opaque text).
    pub scope: String,
    /// `@odata.deltaLink` of `/groups/delta`.
    pub groups_delta_link: Option<String>,
    /// `@odata.deltaLink` of `/users/delta`.
    pub users_delta_link: Option<String>,
    /// When it finished.
    pub as_of: DateTime<Utc>,
    /// Full or incremental.
    pub full: bool,
    /// Graph requests used.
    pub requests: u64,
    /// Wall time.
    pub duration_ms: u64,
    /// Why it fell back to a full sync, if it did.
    pub fallback: Option<String>,
}

/// The state row: the last sync (if any), the policy and the counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupsState {
    /// The last sync; `None` when never synced or cleared.
    pub sync: Option<SyncRecord>,
    /// The cache duration in seconds (0: disabled).
    pub policy_secs: u64,
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads that refreshed first.
    pub misses: u64,
}

/// Row counts of the group cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupStats {
    /// Groups.
    pub groups: u64,
    /// Direct memberships.
    pub memberships: u64,
    /// Users named.
    pub users: u64,
    /// Other objects named (service principals, devices).
    pub other_names: u64,
}

/// A directory object as a list shows it: a group, a named object, or a member the cache
/// knows only by its membership.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectRecord {
    /// Object ID.
    pub id: String,
    /// `group` for a cached group, else as [`NameRecord::kind`] (or the membership's type).
    pub kind: String,
    /// `displayName`, when known.
    pub display_name: Option<String>,
    /// `userPrincipalName` (users).
    pub user_principal_name: Option<String>,
}

/// A group by ID and name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupName {
    /// Object ID.
    pub id: String,
    /// `displayName`.
    pub display_name: Option<String>,
}

/// One row of the group list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupListing {
    /// The group.
    pub group: GroupRecord,
    /// Its direct members (kept on write, not counted per read).
    pub direct_members: u64,
}

/// One row of a member list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberListing {
    /// The member.
    pub member: ObjectRecord,
    /// 1: a direct member of the asked group; n: through n-1 nested groups.
    pub depth: u32,
    /// The group of the walk it was found in (the asked group for a direct member).
    pub via: GroupName,
}

/// Which rows of a list: from `start`, `rows` of them (`None`: all the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// The position of the first row (0: the first).
    pub start: u64,
    /// How many rows; `None`: every row from `start`.
    pub rows: Option<u64>,
}

/// The orders of the group list (each ties on name, then ID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOrder {
    /// By display name (case-insensitive), then ID.
    Name,
    /// By direct member count, then name, then ID.
    Members,
}

/// The orders of a member list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberOrder {
    /// By depth, then name (case-insensitive), then ID.
    Depth,
    /// By name, then ID.
    Name,
}
