//! Reading the group cache: one group, one object, the edges of the membership graph (the
//! groups an object is directly in, the groups directly nested in a group) for the core's
//! walks, the state row, the statistics, and whole tables (for tests and tools; the screens
//! read pages, [`super::page`]).

use super::{GroupRecord, GroupStats, GroupsState, Membership, NameRecord, ObjectRecord, SyncRecord};
use crate::error::{Result, StoreError};
use crate::sql::parse_ts;
use rusqlite::{Connection, OptionalExtension, Row};

fn decode(table: &'static str, column: &'static str) -> StoreError {
    StoreError::Decode { table, column }
}

pub(super) fn group_row(r: &Row<'_>) -> Result<GroupRecord> {
    let types: String = r.get(6)?;
    Ok(GroupRecord {
        id: r.get(0)?,
        display_name: r.get(1)?,
        description: r.get(2)?,
        mail: r.get(3)?,
        security_enabled: r.get(4)?,
        mail_enabled: r.get(5)?,
        group_types: serde_json::from_str(&types).map_err(|_| decode("groups", "group_types"))?,
        membership_rule: r.get(7)?,
    })
}

pub(super) const GROUP_COLUMNS: &str = "id, display_name, description, mail, security_enabled, mail_enabled, group_types, membership_rule";

/// Every group, by id.
pub fn groups(conn: &Connection) -> Result<Vec<GroupRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {GROUP_COLUMNS} FROM groups ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(group_row(r)?);
    }
    Ok(out)
}

/// One group.
pub fn group(conn: &Connection, id: &str) -> Result<Option<GroupRecord>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {GROUP_COLUMNS} FROM groups WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(group_row).transpose()
}

/// The groups `id` is directly in, by ID (the index `group_members_by_member`).
pub fn parents(conn: &Connection, id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT group_id FROM group_members WHERE member_id = ?1 ORDER BY group_id")?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The groups directly nested in group `id` (members of type `group`), by ID (the partial
/// index `group_members_nested`: a group's users are never read).
pub fn nested_groups(conn: &Connection, id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT member_id FROM group_members WHERE group_id = ?1 AND member_type = 'group' ORDER BY member_id")?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether `id` is a cached group.
pub fn is_group(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM groups WHERE id = ?1")?.query_row([id], |_| Ok(())).optional()?.is_some())
}

/// The directory object `id` as the cache knows it: a group, a named object, or only a member
/// of some group (its kind then the membership's type, its name unknown); `None` when the
/// cache has never heard of it.
pub fn object(conn: &Connection, id: &str) -> Result<Option<ObjectRecord>> {
    let group = conn.prepare_cached("SELECT display_name FROM groups WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    if let Some(display_name) = group {
        return Ok(Some(ObjectRecord { id: id.to_string(), kind: "group".into(), display_name, user_principal_name: None }));
    }
    if let Some(n) = name(conn, id)? {
        return Ok(Some(ObjectRecord { id: n.id, kind: n.kind, display_name: n.display_name, user_principal_name: n.user_principal_name }));
    }
    let kind: Option<String> =
        conn.prepare_cached("SELECT member_type FROM group_members WHERE member_id = ?1 ORDER BY group_id LIMIT 1")?.query_row([id], |r| r.get(0)).optional()?;
    Ok(kind.map(|kind| ObjectRecord { id: id.to_string(), kind, display_name: None, user_principal_name: None }))
}

/// The name record of a user, service principal or device.
pub fn name(conn: &Connection, id: &str) -> Result<Option<NameRecord>> {
    let mut stmt = conn.prepare_cached("SELECT id, kind, display_name, user_principal_name, mail FROM directory_names WHERE id = ?1")?;
    let row = stmt
        .query_row([id], |r| Ok(NameRecord { id: r.get(0)?, kind: r.get(1)?, display_name: r.get(2)?, user_principal_name: r.get(3)?, mail: r.get(4)? }))
        .optional()?;
    Ok(row)
}

/// Every direct membership, by group.
pub fn memberships(conn: &Connection) -> Result<Vec<Membership>> {
    let mut stmt = conn.prepare_cached("SELECT group_id, member_id, member_type FROM group_members ORDER BY group_id, member_id")?;
    let rows = stmt.query_map([], |r| Ok(Membership { group_id: r.get(0)?, member_id: r.get(1)?, member_type: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every named user, service principal and device.
pub fn names(conn: &Connection) -> Result<Vec<NameRecord>> {
    let mut stmt = conn.prepare_cached("SELECT id, kind, display_name, user_principal_name, mail FROM directory_names ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(NameRecord { id: r.get(0)?, kind: r.get(1)?, display_name: r.get(2)?, user_principal_name: r.get(3)?, mail: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The state row: last sync, policy, counters.
pub fn state(conn: &Connection) -> Result<GroupsState> {
    let row = conn
        .query_row(
            "SELECT scope, groups_delta_link, users_delta_link, as_of, full, requests, duration_ms, fallback, policy_secs, hits, misses
             FROM groups_state WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<bool>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, i64>(10)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| decode("groups_state", "id"))?;
    let (scope, groups_delta_link, users_delta_link, as_of, full, requests, duration_ms, fallback, policy, hits, misses) = row;
    let unsigned = |v: i64, column| u64::try_from(v).map_err(|_| decode("groups_state", column));
    let sync = match as_of {
        None => None,
        Some(as_of) => Some(SyncRecord {
            scope: scope.unwrap_or_default(),
            groups_delta_link,
            users_delta_link,
            as_of: parse_ts(&as_of, "groups_state", "as_of")?,
            full: full.unwrap_or(true),
            requests: unsigned(requests.unwrap_or(0), "requests")?,
            duration_ms: unsigned(duration_ms.unwrap_or(0), "duration_ms")?,
            fallback,
        }),
    };
    Ok(GroupsState { sync, policy_secs: unsigned(policy, "policy_secs")?, hits: unsigned(hits, "hits")?, misses: unsigned(misses, "misses")? })
}

/// The groups and the group-in-group memberships, as numbers: what a process needs to walk the
/// nesting in memory (entra-core's `groups::nesting`), read in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NestingRows {
    /// Every group's ID, sorted: a group's number is its place here.
    pub ids: Vec<String>,
    /// Each group's place in name order (case-insensitive, then ID: the group list's order).
    pub rank: Vec<u32>,
    /// `(group, member group)` for each group directly in another, by group then member.
    pub edges: Vec<(u32, u32)>,
}

/// The [`NestingRows`] of the cache (the partial index `group_members_nested`: no user is read).
pub fn nesting_rows(conn: &Connection) -> Result<NestingRows> {
    let ids: Vec<String> = conn.prepare("SELECT id FROM groups ORDER BY id")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let number = |id: &str| ids.binary_search_by(|x| x.as_str().cmp(id)).ok().and_then(|i| u32::try_from(i).ok());
    let mut rank = vec![0u32; ids.len()];
    let mut stmt = conn.prepare("SELECT id FROM groups ORDER BY display_name COLLATE NOCASE, id")?;
    let mut rows = stmt.query([])?;
    let mut place = 0u32;
    while let Some(r) = rows.next()? {
        if let Some(i) = r.get_ref(0)?.as_str().ok().and_then(number) {
            rank[i as usize] = place;
        }
        place += 1;
    }
    let mut edges = Vec::new();
    let mut stmt = conn.prepare("SELECT group_id, member_id FROM group_members WHERE member_type = 'group' ORDER BY group_id, member_id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        // A member group the cache does not hold (not listed yet) has nothing to walk.
        if let (Some(g), Some(m)) = (r.get_ref(0)?.as_str().ok().and_then(number), r.get_ref(1)?.as_str().ok().and_then(number)) {
            edges.push((g, m));
        }
    }
    Ok(NestingRows { ids, rank, edges })
}

/// The cache's version: it changes with every write to the groups or their memberships (by any
/// process: it is in the file), so something derived from them knows when it is out of date.
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT version FROM groups_state WHERE id = 1")?.query_row([], |r| r.get(0))?)
}

/// Row counts.
pub fn stats(conn: &Connection) -> Result<GroupStats> {
    let count = |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))?.max(0) as u64) };
    Ok(GroupStats {
        groups: count("SELECT count(*) FROM groups")?,
        memberships: count("SELECT count(*) FROM group_members")?,
        users: count("SELECT count(*) FROM directory_names WHERE kind = 'user'")?,
        other_names: count("SELECT count(*) FROM directory_names WHERE kind <> 'user'")?,
    })
}

/// The database's size (`page_count * page_size`), not counting the `-wal` file.
pub fn db_size_bytes(conn: &Connection) -> Result<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok((pages.max(0) as u64) * (size.max(0) as u64))
}
