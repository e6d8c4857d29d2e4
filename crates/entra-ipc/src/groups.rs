//! The Group caches screen's types, as defined once in the core (`entra_core::groups`): the
//! cache policy and statistics, the cached groups and their members (direct or transitive) a
//! page at a time (the core's `ListQuery` in, `GroupPage` / `MemberPage` out), a user's
//! groups (`MemberOfPage`, also a page at a time), "why is this user in that group", group names for the JWT inspector, and the
//! progress of a delta sync. Every read carries a [`CacheState`] (as of when; fresh, stale with
//! the reason, or empty), so the screen always says so.

pub use entra_core::groups::{
    CachePolicy, CacheState, DirectoryRef, Freshness, GroupPage, GroupRef, GroupRow, GroupWithDepth, GroupsOverview, GroupsStats,
    GroupsSyncPhase, GroupsSyncProgress, GroupsSyncSummary, MemberKind, MemberOfPage, MemberPage, MemberRow, ResolvedNames, WhyAnswer,
};
pub use entra_core::paging::{ListPage, ListQuery};
