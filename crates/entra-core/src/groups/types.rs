//! What the Group caches service returns: the cache policy, statistics, freshness, group and
//! member rows (whole lists, or pages of them: [`GroupPage`], [`MemberPage`]), "member of" and
//! "why" answers, resolved names, and refresh progress and summary. Plain data with `chrono` times, serialised in camelCase (RFC 3339 times): the very
//! types the screen receives and `entractl groups` prints (TypeScript behind the `ts` feature).

use crate::paging::ListPage;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How long the cache is trusted before a read refreshes it first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CachePolicy {
    /// The duration in seconds (0: the cache is disabled).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_secs: u64,
    /// The same, as `hh:mm:ss`.
    pub duration: String,
    /// Whether reads may be served from the cache (`duration_secs > 0`).
    pub enabled: bool,
}

/// Whether a read's data is within the cache duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Freshness {
    /// Synced within the cache duration (or just refreshed).
    Fresh,
    /// Older than the cache duration, and not refreshed (offline, or the refresh failed).
    Stale,
    /// Never synced (or cleared).
    Empty,
}

/// How fresh the data of one answer is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CacheState {
    /// When the cache was last synced.
    pub as_of: Option<DateTime<Utc>>,
    /// Fresh, stale or empty.
    pub freshness: Freshness,
    /// Why the data is stale (e.g. the refresh's error), when it is.
    pub stale_reason: Option<String>,
    /// Whether this read refreshed the cache first (a "miss").
    pub refreshed: bool,
}

/// The cache's size and its last sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupsStats {
    /// Groups cached.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub groups: u64,
    /// Users cached (names for the member lists).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub users: u64,
    /// Direct memberships cached.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub memberships: u64,
    /// The database on disk, its write-ahead log included (the whole `cache.sqlite`, shared with other screens).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size_bytes: u64,
    /// When the last sync finished.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// How long it took.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_sync_duration_ms: Option<u64>,
    /// How many Graph requests it used.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_sync_requests: Option<u64>,
    /// Whether it was a full sync.
    pub last_sync_full: Option<bool>,
    /// Why it fell back to a full sync, when it did.
    pub last_sync_fallback: Option<String>,
    /// Reads served from the cache.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub hits: u64,
    /// Reads that refreshed the cache first.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub misses: u64,
}

/// The Group caches screen's header: policy, statistics and freshness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupsOverview {
    /// The cache policy.
    pub policy: CachePolicy,
    /// The statistics.
    pub stats: GroupsStats,
    /// The cache's freshness (never refreshed by this call).
    pub cache: CacheState,
}

/// One group of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupRow {
    /// Object ID.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Mail address.
    pub mail: Option<String>,
    /// Security-enabled.
    pub security_enabled: bool,
    /// Mail-enabled.
    pub mail_enabled: bool,
    /// `Unified`, `DynamicMembership`, …
    pub group_types: Vec<String>,
    /// Dynamic membership rule.
    pub membership_rule: Option<String>,
    /// Direct members.
    pub direct_members: u32,
}

/// Every cached group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupList {
    /// The groups, by display name.
    pub groups: Vec<GroupRow>,
    /// Freshness.
    pub cache: CacheState,
}

/// The kind of a directory object (a group member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum MemberKind {
    /// `#microsoft.graph.user`.
    User,
    /// `#microsoft.graph.group`.
    Group,
    /// `#microsoft.graph.servicePrincipal`.
    ServicePrincipal,
    /// `#microsoft.graph.device`.
    Device,
    /// Any other type (organizational contacts, …).
    Other,
}

/// A directory object, named from the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRef {
    /// Object ID.
    pub id: String,
    /// Display name, when known.
    pub display_name: Option<String>,
    /// Its kind.
    pub kind: MemberKind,
    /// User principal name (users).
    pub user_principal_name: Option<String>,
}

/// A group, by ID and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupRef {
    /// Object ID.
    pub id: String,
    /// Display name, when known.
    pub display_name: Option<String>,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MemberRow {
    /// The member.
    pub member: DirectoryRef,
    /// 1: a direct member; n: through n-1 nested groups (the shortest way).
    pub depth: u32,
    /// Transitive lists: the group it is directly in (one of them, on a shortest way).
    pub via: Option<GroupRef>,
}

/// A group's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MemberList {
    /// The group.
    pub group: GroupRef,
    /// Whether nested members are included.
    pub transitive: bool,
    /// The members, by depth then name.
    pub members: Vec<MemberRow>,
    /// Freshness.
    pub cache: CacheState,
}

/// One page of the cached groups ([`crate::groups::Groups::list_page`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupPage {
    /// The page: its groups, where it starts, how many groups match in all, where the next starts.
    pub groups: ListPage<GroupRow>,
    /// Freshness.
    pub cache: CacheState,
}

/// One page of a group's members ([`crate::groups::Groups::members_page`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MemberPage {
    /// The group.
    pub group: GroupRef,
    /// Whether nested members are included.
    pub transitive: bool,
    /// The page: its members, where it starts, how many members match in all, where the next starts.
    pub members: ListPage<MemberRow>,
    /// Freshness.
    pub cache: CacheState,
}

/// A group a user is in, and how deep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupWithDepth {
    /// The group.
    pub group: GroupRef,
    /// 1: directly; n: through n-1 nested groups (the shortest way).
    pub depth: u32,
}

/// The groups a user (or any directory object) is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MemberOf {
    /// The user.
    pub user: DirectoryRef,
    /// Whether nested memberships are included.
    pub transitive: bool,
    /// The groups, by depth then name.
    pub groups: Vec<GroupWithDepth>,
    /// Freshness.
    pub cache: CacheState,
}

/// A page of the groups a user (or any directory object) is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MemberOfPage {
    /// The user.
    pub user: DirectoryRef,
    /// Whether nested memberships are included.
    pub transitive: bool,
    /// The page: its groups, where it starts, how many groups match in all, where the next starts.
    pub groups: ListPage<GroupWithDepth>,
    /// Freshness.
    pub cache: CacheState,
}

/// Why a user is (or is not) in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WhyAnswer {
    /// The user.
    pub user: DirectoryRef,
    /// The group asked about.
    pub group: GroupRef,
    /// Whether the user is in it, directly or through nested groups.
    pub member: bool,
    /// The shortest chain: from the group that directly contains the user to the asked group
    /// (one element for a direct membership); empty when not a member.
    pub chain: Vec<GroupRef>,
    /// Freshness.
    pub cache: CacheState,
}

/// Group IDs resolved to names (for the JWT inspector's `groups` claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ResolvedNames {
    /// In the asked order; `display_name` is `None` for an ID the cache does not know.
    pub names: Vec<GroupRef>,
    /// When the cache was last synced.
    pub as_of: Option<DateTime<Utc>>,
}

/// The step a refresh is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum GroupsSyncPhase {
    /// Reading `/groups/delta`.
    Groups,
    /// Reading `/users/delta`.
    Users,
    /// Reading each listed group's direct members (`$batch`es of `/groups/{id}/members`).
    Members,
    /// Naming service principals and devices (`/directoryObjects/getByIds`).
    Names,
    /// Writing the cache (one transaction).
    Saving,
}

/// A refresh's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupsSyncProgress {
    /// The current step.
    pub phase: GroupsSyncPhase,
    /// Delta pages read so far (groups and users).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pages: u64,
    /// Group entries read so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub groups: u64,
    /// Membership changes read so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub memberships: u64,
    /// Graph requests so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub requests: u64,
    /// Resource units Graph reported spent since the sync began, by the account's client (which
    /// a refresh of another screen shares: Graph's budget is per app and tenant).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub units: u64,
    /// Requests are held back now, waiting for Graph's budget to come back (the client paces
    /// itself below Graph's limit instead of being refused): the sync is not stuck.
    pub waiting_for_budget: bool,
}

/// How a refresh read Graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SyncMethod {
    /// The stored delta links followed to their new links: the changes since the last sync.
    Incremental,
    /// A full read by walking `/groups/delta` (with members) and `/users/delta` from scratch:
    /// few requests, but one page after another. Chosen for small tenants.
    DeltaWalk,
    /// A full read by listings: the delta links of "now" first, then `/users`, `/groups` and
    /// each group's members (in `$batch`es) side by side, checkpointed so a killed sync
    /// resumes, then the changes made meanwhile. Bound by Graph's budget, not by one chain of
    /// pages. Chosen for large tenants.
    Listings,
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupsSyncSummary {
    /// A full sync (first one, asked for, or fallen back to).
    pub full: bool,
    /// Why an incremental refresh became a full one (an expired or refused delta link, or a
    /// cache of another tenant).
    pub fell_back: Option<String>,
    /// Groups in the cache afterwards.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub groups: u64,
    /// Users in the cache afterwards.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub users: u64,
    /// Direct memberships in the cache afterwards.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub memberships: u64,
    /// Changes applied: groups, users and memberships added, changed or removed (a full sync
    /// counts everything it wrote).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub changes: u64,
    /// Graph requests used.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub requests: u64,
    /// Wall time.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_ms: u64,
    /// The cache's new "as of".
    pub as_of: DateTime<Utc>,
    /// How Graph was read.
    pub method: SyncMethod,
    /// Whether a full sync by listings continued one that an earlier run left unfinished.
    pub resumed: bool,
}
