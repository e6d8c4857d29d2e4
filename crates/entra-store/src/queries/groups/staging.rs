//! A staged full sync of the group cache (migration `0005_groups_staging`): the job row (the
//! delta links taken before the listings, where each listing continues, how many requests it
//! cost), the staged groups, memberships and names, written a page at a time, and
//! [`swap_in`], which replaces the cache with the staged copy in the caller's transaction.
//!
//! Every write here is an upsert keyed as the cache is, so a page written twice (a resumed
//! sync re-reading the page it was killed on) changes nothing. The cache itself is untouched
//! until [`swap_in`]: the screens keep reading the previous sync meanwhile.

use super::{GroupRecord, Membership, NameRecord};
use crate::error::{Result, StoreError};
use crate::sql::{parse_ts, ts};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// A staged sync in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedJob {
    /// The tenant and Graph URL it is for (as [`super::SyncRecord::scope`]).
    pub scope: String,
    /// When it started (its delta links are as old).
    pub started_at: DateTime<Utc>,
    /// `/groups/delta`'s link taken with `$deltaToken=latest` before the listings.
    pub groups_delta_link: String,
    /// `/users/delta`'s, likewise.
    pub users_delta_link: String,
    /// Where the user listing continues (`None`: from its start, or done).
    pub users_next: Option<String>,
    /// Whether the user listing is complete.
    pub users_done: bool,
    /// Where the group listing continues.
    pub groups_next: Option<String>,
    /// Whether the group listing is complete.
    pub groups_done: bool,
    /// Whether the non-user members have been named.
    pub names_done: bool,
    /// Graph requests this job has spent so far, over all its runs.
    pub requests: u64,
    /// 1 + how many times it was resumed.
    pub runs: u32,
}

/// Which listing a checkpoint is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `/users`.
    Users,
    /// `/groups`.
    Groups,
}

/// A group whose member listing is not complete: where it continues (`None`: from the start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMembers {
    /// The group.
    pub group_id: String,
    /// The member list's next page, if a previous page was read.
    pub next: Option<String>,
}

/// The staged sync, if one is in progress.
pub fn job(conn: &Connection) -> Result<Option<StagedJob>> {
    conn.query_row(
        "SELECT scope, started_at, groups_delta_link, users_delta_link, users_next, users_done, groups_next, groups_done,
                names_done, requests, runs FROM groups_sync_job WHERE id = 1",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                StagedJob {
                    scope: String::new(),
                    started_at: DateTime::<Utc>::MIN_UTC,
                    groups_delta_link: r.get(2)?,
                    users_delta_link: r.get(3)?,
                    users_next: r.get(4)?,
                    users_done: r.get(5)?,
                    groups_next: r.get(6)?,
                    groups_done: r.get(7)?,
                    names_done: r.get(8)?,
                    requests: r.get::<_, i64>(9)?.max(0) as u64,
                    runs: r.get::<_, i64>(10)?.clamp(0, u32::MAX as i64) as u32,
                },
            ))
        },
    )
    .optional()?
    .map(|(scope, started, job)| Ok(StagedJob { scope, started_at: parse_ts(&started, "groups_sync_job", "started_at")?, ..job }))
    .transpose()
}

/// Starts a staged sync: forgets any previous one and its staged rows, and records the job.
pub fn begin(tx: &Transaction<'_>, scope: &str, started_at: DateTime<Utc>, groups_delta_link: &str, users_delta_link: &str) -> Result<()> {
    discard(tx)?;
    tx.execute(
        "INSERT INTO groups_sync_job (id, scope, started_at, groups_delta_link, users_delta_link) VALUES (1, ?1, ?2, ?3, ?4)",
        params![scope, ts(&started_at), groups_delta_link, users_delta_link],
    )?;
    Ok(())
}

/// Counts one more run of the job (a resume).
pub fn resumed(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("UPDATE groups_sync_job SET runs = runs + 1 WHERE id = 1", [])?;
    Ok(())
}

/// Forgets the staged sync and its rows (the cache is untouched).
pub fn discard(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("DELETE FROM groups_sync_job; DELETE FROM staged_members; DELETE FROM staged_groups; DELETE FROM staged_names;")?;
    Ok(())
}

/// Adds `requests` to the job's count.
pub fn add_requests(tx: &Transaction<'_>, requests: u64) -> Result<()> {
    let n = i64::try_from(requests).map_err(|_| StoreError::Invalid("request count out of range"))?;
    tx.execute("UPDATE groups_sync_job SET requests = requests + ?1 WHERE id = 1", [n])?;
    Ok(())
}

/// Records where a listing continues: `Some(next page)`, or `None` when it is complete.
pub fn checkpoint(tx: &Transaction<'_>, listing: Listing, next: Option<&str>) -> Result<()> {
    let sql = match listing {
        Listing::Users => "UPDATE groups_sync_job SET users_next = ?1, users_done = ?2 WHERE id = 1",
        Listing::Groups => "UPDATE groups_sync_job SET groups_next = ?1, groups_done = ?2 WHERE id = 1",
    };
    tx.execute(sql, params![next, next.is_none()])?;
    Ok(())
}

/// Records that the non-user members are named.
pub fn names_done(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("UPDATE groups_sync_job SET names_done = 1 WHERE id = 1", [])?;
    Ok(())
}

/// Stages listed groups (their member listing pending). A group staged before keeps how far
/// its members got.
pub fn stage_groups(tx: &Transaction<'_>, groups: &[GroupRecord]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO staged_groups (id, display_name, description, mail, security_enabled, mail_enabled, group_types, membership_rule)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, description = excluded.description,
             mail = excluded.mail, security_enabled = excluded.security_enabled, mail_enabled = excluded.mail_enabled,
             group_types = excluded.group_types, membership_rule = excluded.membership_rule",
    )?;
    for g in groups {
        if g.id.is_empty() {
            return Err(StoreError::Invalid("a group without an id"));
        }
        let types = serde_json::to_string(&g.group_types).map_err(|_| StoreError::Invalid("group types not encodable"))?;
        stmt.execute(params![g.id, g.display_name, g.description, g.mail, g.security_enabled, g.mail_enabled, types, g.membership_rule])?;
    }
    Ok(())
}

/// Stages names (users from the listing, other members from `getByIds`).
pub fn stage_names(tx: &Transaction<'_>, names: &[NameRecord]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO staged_names (id, kind, display_name, user_principal_name, mail) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, display_name = excluded.display_name,
             user_principal_name = excluded.user_principal_name, mail = excluded.mail",
    )?;
    for n in names {
        stmt.execute(params![n.id, n.kind, n.display_name, n.user_principal_name, n.mail])?;
    }
    Ok(())
}

/// Stages one page of a group's members and records where its listing continues
/// (`None`: complete).
pub fn stage_members(tx: &Transaction<'_>, group_id: &str, members: &[Membership], next: Option<&str>) -> Result<()> {
    let mut add = tx.prepare_cached(
        "INSERT INTO staged_members (group_id, member_id, member_type) VALUES (?1, ?2, ?3)
         ON CONFLICT (group_id, member_id) DO UPDATE SET member_type = excluded.member_type",
    )?;
    for m in members {
        add.execute(params![group_id, m.member_id, m.member_type])?;
    }
    tx.prepare_cached("UPDATE staged_groups SET members_done = ?2, members_next = ?3 WHERE id = ?1")?.execute(params![
        group_id,
        next.is_none(),
        next
    ])?;
    Ok(())
}

/// Every staged group whose member listing is not complete, in ID order.
pub fn pending_members(conn: &Connection) -> Result<Vec<PendingMembers>> {
    let mut stmt = conn.prepare("SELECT id, members_next FROM staged_groups WHERE members_done = 0 ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok(PendingMembers { group_id: r.get(0)?, next: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Staged members that are neither users nor groups and have no staged name yet: the IDs (with
/// their member type) to name through `getByIds`, at most `limit`.
pub fn unnamed_members(conn: &Connection, limit: usize) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT member_id, min(member_type) FROM staged_members
         WHERE member_type NOT IN ('user', 'group') AND member_id NOT IN (SELECT id FROM staged_names)
         GROUP BY member_id ORDER BY member_id LIMIT ?1",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Staged rows: (groups, memberships, names).
pub fn staged_counts(conn: &Connection) -> Result<(u64, u64, u64)> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM staged_groups), (SELECT count(*) FROM staged_members), (SELECT count(*) FROM staged_names)",
        [],
        |r| Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get::<_, i64>(1)?.max(0) as u64, r.get::<_, i64>(2)?.max(0) as u64)),
    )?)
}

/// Replaces the cache with the staged copy and forgets the job, in the caller's transaction
/// (with [`super::set_sync`], so the cache shows the old sync or the new one, never a mix).
/// Memberships of groups that were not listed (a group created after its listing page and
/// named only by a member page) are left out, as the cache's foreign key requires; the delta
/// round that follows brings them. The derived rows (member counts, the search index) are
/// rebuilt once, after the bulk copy. Returns the rows written.
pub fn swap_in(tx: &Transaction<'_>) -> Result<u64> {
    let started = std::time::Instant::now();
    tx.execute_batch("DELETE FROM group_members; DELETE FROM groups; DELETE FROM directory_names;")?;
    let indexes = drop_indexes(tx, "group_members")?;
    let mut written = tx.execute(
        "INSERT INTO groups (id, display_name, description, mail, security_enabled, mail_enabled, group_types, membership_rule)
         SELECT id, display_name, description, mail, security_enabled, mail_enabled, group_types, membership_rule
         FROM staged_groups ORDER BY id",
        [],
    )? as u64;
    written += tx.execute(
        "INSERT INTO group_members (group_id, member_id, member_type)
         SELECT m.group_id, m.member_id, m.member_type FROM staged_members m
         WHERE EXISTS (SELECT 1 FROM staged_groups g WHERE g.id = m.group_id) ORDER BY m.group_id, m.member_id",
        [],
    )? as u64;
    for sql in &indexes {
        tx.execute_batch(sql)?;
    }
    written += tx.execute(
        "INSERT INTO directory_names (id, kind, display_name, user_principal_name, mail)
         SELECT id, kind, display_name, user_principal_name, mail FROM staged_names ORDER BY id",
        [],
    )? as u64;
    let copied = started.elapsed();
    super::rebuild_search(tx)?;
    super::write::changed(tx)?;
    discard(tx)?;
    tracing::debug!(rows = written, copy_ms = copied.as_millis() as u64, total_ms = started.elapsed().as_millis() as u64, "staged group cache swapped in");
    Ok(written)
}

/// Drops the secondary indexes of `table` and returns the SQL that makes them again (read from
/// the schema, so it is the migrations' own): a bulk copy then builds each index once, sorted,
/// instead of growing it a row at a time — a million memberships took 10 s with the indexes in
/// place and 1.7 s this way.
fn drop_indexes(tx: &Transaction<'_>, table: &str) -> Result<Vec<String>> {
    let found: Vec<(String, String)> = {
        let mut stmt = tx.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")?;
        let rows = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (name, _) in &found {
        tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(found.into_iter().map(|(_, sql)| sql).collect())
}
