//! Types of the Group caches screen: the cache policy and statistics, the
//! cached groups and their members (direct or transitive), a user's groups,
//! "why is this user in that group", group names for other screens (the JWT
//! inspector), and the progress of a sync with Graph's delta query.
//! Core: `entra_core::groups`.
//!
//! Every read carries a [`CacheState`]: when the data is as of, and whether it
//! is fresh, stale (with the reason) or empty, so the screen always says so.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The cache duration setting (`hh:mm:ss`, as in Entra's authentication settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CachePolicy {
    /// The duration in seconds; 0 turns the cache off.
    #[ts(type = "number")]
    pub duration_secs: u64,
    /// The same duration as `hh:mm:ss`, e.g. `00:30:00`.
    pub duration: String,
    /// False when the duration is `00:00:00`: every read goes to Graph.
    pub enabled: bool,
}

/// Whether what a read shows is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Freshness {
    /// Synced within the cache duration (or just now).
    Fresh,
    /// Older than the cache duration, and a refresh could not run (offline, not signed in) or was not asked for.
    Stale,
    /// Never synced: the cache holds nothing.
    Empty,
}

/// When the data a read shows is as of, and whether it is fresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CacheState {
    /// The last sync's time, RFC 3339; `null` when the cache was never synced.
    pub as_of: Option<String>,
    /// Fresh, stale or empty.
    pub freshness: Freshness,
    /// Why the data is stale (e.g. Graph could not be reached), for the screen to say.
    pub stale_reason: Option<String>,
    /// True when this read ran a refresh first (a cache miss under the policy).
    pub refreshed: bool,
}

/// What the cache holds and how it has served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupsStats {
    /// Groups cached.
    #[ts(type = "number")]
    pub groups: u64,
    /// Users cached (names for members and the user picker).
    #[ts(type = "number")]
    pub users: u64,
    /// Direct memberships cached.
    #[ts(type = "number")]
    pub memberships: u64,
    /// The cache's size on disk, bytes.
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// The last sync's end, RFC 3339.
    pub last_sync_at: Option<String>,
    /// The last sync's wall time, milliseconds.
    #[ts(type = "number | null")]
    pub last_sync_duration_ms: Option<u64>,
    /// Requests the last sync sent to Graph.
    #[ts(type = "number | null")]
    pub last_sync_requests: Option<u64>,
    /// True when the last sync was a full one, false for an incremental (delta) one.
    pub last_sync_full: Option<bool>,
    /// Why the last sync fell back to a full one (e.g. the delta link expired), if it did.
    pub last_sync_fallback: Option<String>,
    /// Reads served from the cache.
    #[ts(type = "number")]
    pub hits: u64,
    /// Reads that refreshed first (the cache was older than the duration, or off).
    #[ts(type = "number")]
    pub misses: u64,
}

/// The screen's header: the policy, the statistics and the cache's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupsOverview {
    /// The cache duration.
    pub policy: CachePolicy,
    /// What the cache holds.
    pub stats: GroupsStats,
    /// As of when, fresh or stale.
    pub cache: CacheState,
}

/// One cached group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupRow {
    /// Object ID.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Mail address (mail-enabled groups).
    pub mail: Option<String>,
    /// A security group.
    pub security_enabled: bool,
    /// A mail-enabled group.
    pub mail_enabled: bool,
    /// `Unified` (Microsoft 365), `DynamicMembership`, …
    pub group_types: Vec<String>,
    /// The rule of a dynamic group.
    pub membership_rule: Option<String>,
    /// Direct members.
    pub direct_members: u32,
}

/// The cached groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupList {
    /// Every cached group.
    pub groups: Vec<GroupRow>,
    /// As of when, fresh or stale.
    pub cache: CacheState,
}

/// Which kind of directory object a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MemberKind {
    /// A user.
    User,
    /// A group (nested).
    Group,
    /// A service principal.
    ServicePrincipal,
    /// A device.
    Device,
    /// Another kind of directory object.
    Other,
}

/// A directory object by ID, with its name when the cache knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DirectoryRef {
    /// Object ID.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// User, group, service principal, device.
    pub kind: MemberKind,
    /// User principal name (users).
    pub user_principal_name: Option<String>,
}

/// A group by ID, with its name when the cache knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupRef {
    /// Object ID.
    pub id: String,
    /// Display name; `null` when the cache does not know the group.
    pub display_name: Option<String>,
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemberRow {
    /// The member.
    pub member: DirectoryRef,
    /// 1 for a direct member; 2 and more through nested groups.
    pub depth: u32,
    /// For a transitive member: a group it is directly in (one of them).
    pub via: Option<GroupRef>,
}

/// A group's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemberList {
    /// The group.
    pub group: GroupRef,
    /// True when nested groups' members are included.
    pub transitive: bool,
    /// The members.
    pub members: Vec<MemberRow>,
    /// As of when, fresh or stale.
    pub cache: CacheState,
}

/// A group a user is in, and how deep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupWithDepth {
    /// The group.
    pub group: GroupRef,
    /// 1 when the user is a direct member; 2 and more through nested groups.
    pub depth: u32,
}

/// The groups a user is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemberOf {
    /// The user.
    pub user: DirectoryRef,
    /// True when groups reached through nesting are included.
    pub transitive: bool,
    /// The groups.
    pub groups: Vec<GroupWithDepth>,
    /// As of when, fresh or stale.
    pub cache: CacheState,
}

/// Why a user is (or is not) in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WhyAnswer {
    /// The user.
    pub user: DirectoryRef,
    /// The group asked about.
    pub group: GroupRef,
    /// Whether the user is a member, directly or through nesting.
    pub member: bool,
    /// From the group that directly contains the user to the asked group; empty when not a member.
    pub chain: Vec<GroupRef>,
    /// As of when, fresh or stale.
    pub cache: CacheState,
}

/// Group IDs resolved to names from the cache (for the JWT inspector).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ResolvedNames {
    /// In the asked order; a `null` name when the cache does not know the group.
    pub names: Vec<GroupRef>,
    /// The cache's last sync, RFC 3339.
    pub as_of: Option<String>,
}

/// The stage of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum GroupsSyncPhase {
    /// Reading `/groups/delta` (groups and their members).
    Groups,
    /// Reading `/users/delta` (user names).
    Users,
    /// Resolving the names of other members.
    Names,
    /// Storing what was read.
    Saving,
}

/// How far a sync is, streamed to the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupsSyncProgress {
    /// The stage.
    pub phase: GroupsSyncPhase,
    /// Pages read so far.
    #[ts(type = "number")]
    pub pages: u64,
    /// Groups read so far.
    #[ts(type = "number")]
    pub groups: u64,
    /// Membership changes read so far.
    #[ts(type = "number")]
    pub memberships: u64,
    /// Requests sent so far.
    #[ts(type = "number")]
    pub requests: u64,
}

/// What a finished sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GroupsSyncSummary {
    /// True for a full sync, false for an incremental (delta) one.
    pub full: bool,
    /// Why an incremental sync fell back to a full one (e.g. the delta link expired), if it did.
    pub fell_back: Option<String>,
    /// Groups in the cache afterwards.
    #[ts(type = "number")]
    pub groups: u64,
    /// Users in the cache afterwards.
    #[ts(type = "number")]
    pub users: u64,
    /// Direct memberships in the cache afterwards.
    #[ts(type = "number")]
    pub memberships: u64,
    /// Changes applied (groups and memberships added, changed or removed).
    #[ts(type = "number")]
    pub changes: u64,
    /// Requests sent to Graph.
    #[ts(type = "number")]
    pub requests: u64,
    /// Wall time, milliseconds.
    #[ts(type = "number")]
    pub duration_ms: u64,
    /// The cache's new "as of" time, RFC 3339.
    pub as_of: String,
}

// ---- from the core (`entra_core::groups`) ----------------------------------------------------

use crate::apps::rfc3339;
use entra_core::groups as core;

impl From<core::CachePolicy> for CachePolicy {
    fn from(p: core::CachePolicy) -> Self {
        CachePolicy { duration_secs: p.duration_secs, duration: p.duration, enabled: p.enabled }
    }
}

impl From<core::Freshness> for Freshness {
    fn from(f: core::Freshness) -> Self {
        match f {
            core::Freshness::Fresh => Freshness::Fresh,
            core::Freshness::Stale => Freshness::Stale,
            core::Freshness::Empty => Freshness::Empty,
        }
    }
}

impl From<core::CacheState> for CacheState {
    fn from(c: core::CacheState) -> Self {
        CacheState { as_of: c.as_of.as_ref().map(rfc3339), freshness: c.freshness.into(), stale_reason: c.stale_reason, refreshed: c.refreshed }
    }
}

impl From<core::GroupsStats> for GroupsStats {
    fn from(s: core::GroupsStats) -> Self {
        GroupsStats {
            groups: s.groups,
            users: s.users,
            memberships: s.memberships,
            size_bytes: s.size_bytes,
            last_sync_at: s.last_sync_at.as_ref().map(rfc3339),
            last_sync_duration_ms: s.last_sync_duration_ms,
            last_sync_requests: s.last_sync_requests,
            last_sync_full: s.last_sync_full,
            last_sync_fallback: s.last_sync_fallback,
            hits: s.hits,
            misses: s.misses,
        }
    }
}

impl From<core::GroupsOverview> for GroupsOverview {
    fn from(o: core::GroupsOverview) -> Self {
        GroupsOverview { policy: o.policy.into(), stats: o.stats.into(), cache: o.cache.into() }
    }
}

impl From<core::GroupRow> for GroupRow {
    fn from(g: core::GroupRow) -> Self {
        GroupRow {
            id: g.id,
            display_name: g.display_name,
            description: g.description,
            mail: g.mail,
            security_enabled: g.security_enabled,
            mail_enabled: g.mail_enabled,
            group_types: g.group_types,
            membership_rule: g.membership_rule,
            direct_members: g.direct_members,
        }
    }
}

impl From<core::GroupList> for GroupList {
    fn from(l: core::GroupList) -> Self {
        GroupList { groups: l.groups.into_iter().map(GroupRow::from).collect(), cache: l.cache.into() }
    }
}

impl From<core::MemberKind> for MemberKind {
    fn from(k: core::MemberKind) -> Self {
        match k {
            core::MemberKind::User => MemberKind::User,
            core::MemberKind::Group => MemberKind::Group,
            core::MemberKind::ServicePrincipal => MemberKind::ServicePrincipal,
            core::MemberKind::Device => MemberKind::Device,
            core::MemberKind::Other => MemberKind::Other,
        }
    }
}

impl From<core::DirectoryRef> for DirectoryRef {
    fn from(d: core::DirectoryRef) -> Self {
        DirectoryRef { id: d.id, display_name: d.display_name, kind: d.kind.into(), user_principal_name: d.user_principal_name }
    }
}

impl From<core::GroupRef> for GroupRef {
    fn from(g: core::GroupRef) -> Self {
        GroupRef { id: g.id, display_name: g.display_name }
    }
}

impl From<core::MemberRow> for MemberRow {
    fn from(m: core::MemberRow) -> Self {
        MemberRow { member: m.member.into(), depth: m.depth, via: m.via.map(GroupRef::from) }
    }
}

impl From<core::MemberList> for MemberList {
    fn from(l: core::MemberList) -> Self {
        MemberList { group: l.group.into(), transitive: l.transitive, members: l.members.into_iter().map(MemberRow::from).collect(), cache: l.cache.into() }
    }
}

impl From<core::GroupWithDepth> for GroupWithDepth {
    fn from(g: core::GroupWithDepth) -> Self {
        GroupWithDepth { group: g.group.into(), depth: g.depth }
    }
}

impl From<core::MemberOf> for MemberOf {
    fn from(m: core::MemberOf) -> Self {
        MemberOf { user: m.user.into(), transitive: m.transitive, groups: m.groups.into_iter().map(GroupWithDepth::from).collect(), cache: m.cache.into() }
    }
}

impl From<core::WhyAnswer> for WhyAnswer {
    fn from(w: core::WhyAnswer) -> Self {
        WhyAnswer { user: w.user.into(), group: w.group.into(), member: w.member, chain: w.chain.into_iter().map(GroupRef::from).collect(), cache: w.cache.into() }
    }
}

impl From<core::ResolvedNames> for ResolvedNames {
    fn from(r: core::ResolvedNames) -> Self {
        ResolvedNames { names: r.names.into_iter().map(GroupRef::from).collect(), as_of: r.as_of.as_ref().map(rfc3339) }
    }
}

impl From<core::SyncPhase> for GroupsSyncPhase {
    fn from(p: core::SyncPhase) -> Self {
        match p {
            core::SyncPhase::Groups => GroupsSyncPhase::Groups,
            core::SyncPhase::Users => GroupsSyncPhase::Users,
            core::SyncPhase::Names => GroupsSyncPhase::Names,
            core::SyncPhase::Saving => GroupsSyncPhase::Saving,
        }
    }
}

impl From<core::GroupsSyncProgress> for GroupsSyncProgress {
    fn from(p: core::GroupsSyncProgress) -> Self {
        GroupsSyncProgress { phase: p.phase.into(), pages: p.pages, groups: p.groups, memberships: p.memberships, requests: p.requests }
    }
}

impl From<core::GroupsSyncSummary> for GroupsSyncSummary {
    fn from(s: core::GroupsSyncSummary) -> Self {
        GroupsSyncSummary {
            full: s.full,
            fell_back: s.fell_back,
            groups: s.groups,
            users: s.users,
            memberships: s.memberships,
            changes: s.changes,
            requests: s.requests,
            duration_ms: s.duration_ms,
            as_of: rfc3339(&s.as_of),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn state() -> core::CacheState {
        core::CacheState { as_of: Some(chrono::Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()), freshness: core::Freshness::Stale, stale_reason: Some("offline".into()), refreshed: false }
    }

    #[test]
    fn a_why_answer_crosses_with_rfc3339_times_and_its_chain_in_order() {
        let g = |n: u32| core::GroupRef { id: format!("g{n}"), display_name: Some(format!("Level {n}")) };
        let answer = core::WhyAnswer {
            user: core::DirectoryRef { id: "u".into(), display_name: Some("Nina".into()), kind: core::MemberKind::User, user_principal_name: Some("nina@demo".into()) },
            group: g(1),
            member: true,
            chain: vec![g(5), g(4), g(3), g(2), g(1)],
            cache: state(),
        };
        let ipc = WhyAnswer::from(answer);
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(json["cache"]["as_of"], "2025-06-01T12:00:00Z");
        assert_eq!(json["cache"]["freshness"], "stale");
        assert_eq!(json["user"]["kind"], "user");
        let chain: Vec<&str> = ipc.chain.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(chain, ["g5", "g4", "g3", "g2", "g1"]);
    }

    #[test]
    fn member_kinds_and_phases_are_named_as_the_ui_expects() {
        assert_eq!(serde_json::to_value(MemberKind::from(core::MemberKind::ServicePrincipal)).unwrap(), "servicePrincipal");
        assert_eq!(serde_json::to_value(GroupsSyncPhase::from(core::SyncPhase::Saving)).unwrap(), "saving");
        let row = MemberRow::from(core::MemberRow {
            member: core::DirectoryRef { id: "d".into(), display_name: None, kind: core::MemberKind::Device, user_principal_name: None },
            depth: 3,
            via: Some(core::GroupRef { id: "g2".into(), display_name: None }),
        });
        assert_eq!((row.depth, row.via.unwrap().id.as_str(), row.member.kind), (3, "g2", MemberKind::Device));
    }
}
