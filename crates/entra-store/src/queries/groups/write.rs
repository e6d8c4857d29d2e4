//! Writing the group cache: a full sync ([`replace_all`]), an incremental round
//! ([`apply_round`]), the sync record, the policy, the counters and [`clear`]. All take a
//! `&Transaction`, so the steps of one sync land together or not at all.
//!
//! Each of them also keeps the derived rows current ([`super::search`]: the search index and
//! the groups' direct member counts), explicitly rather than by triggers: a full replace
//! rebuilds them once at the end, a round touches only the rows it changed.

use super::search::{self, rebuild_search};
use super::{Applied, GroupRecord, Membership, NameRecord, Round, SyncRecord};
use crate::error::{Result, StoreError};
use crate::sql::ts;
use rusqlite::{params, Transaction};
use std::collections::BTreeSet;

/// Replaces the whole group cache with a full sync's result: every group, membership and name.
/// Memberships of groups not in `groups` are skipped. Returns how many rows were written.
pub fn replace_all(tx: &Transaction<'_>, groups: &[GroupRecord], memberships: &[Membership], names: &[NameRecord]) -> Result<u64> {
    tx.execute_batch("DELETE FROM group_members; DELETE FROM groups; DELETE FROM directory_names;")?;
    let mut written = upsert_groups(tx, groups, false)?;
    written += add_memberships(tx, memberships, &mut BTreeSet::new())?;
    written += upsert_names(tx, names, false)?;
    rebuild_search(tx)?;
    changed(tx)?;
    Ok(written)
}

/// Raises the cache's version (see [`super::version`]): the groups or memberships changed.
pub(super) fn changed(tx: &Transaction<'_>) -> Result<()> {
    tx.prepare_cached("UPDATE groups_state SET version = version + 1 WHERE id = 1")?.execute([])?;
    Ok(())
}

/// Applies one incremental round in the order [`Round`] documents. Idempotent.
pub fn apply_round(tx: &Transaction<'_>, round: &Round) -> Result<Applied> {
    // Groups whose direct member count may have changed, counted again at the end.
    let mut touched = BTreeSet::new();
    let mut applied = Applied { groups: upsert_groups(tx, &round.groups, true)?, ..Applied::default() };
    for id in &round.removed_groups {
        applied.memberships += remove_as_member(tx, id, &mut touched)?;
        let members: u64 = tx.query_row("SELECT count(*) FROM group_members WHERE group_id = ?1", [id], |r| r.get(0))?;
        let gone = tx.prepare_cached("DELETE FROM groups WHERE id = ?1")?.execute([id])? as u64;
        applied.groups += gone;
        applied.memberships += members * gone;
        search::reindex(tx, id, true)?;
    }
    {
        let mut remove = tx.prepare_cached("DELETE FROM group_members WHERE group_id = ?1 AND member_id = ?2")?;
        for (group_id, member_id) in &round.removed {
            let gone = remove.execute([group_id, member_id])? as u64;
            if gone > 0 {
                touched.insert(group_id.clone());
            }
            applied.memberships += gone;
        }
    }
    applied.memberships += add_memberships(tx, &round.added, &mut touched)?;
    applied.names += upsert_names(tx, &round.names, true)?;
    for id in &round.removed_names {
        applied.memberships += remove_as_member(tx, id, &mut touched)?;
        let gone = tx.prepare_cached("DELETE FROM directory_names WHERE id = ?1")?.execute([id])? as u64;
        applied.names += gone;
        if gone > 0 {
            search::reindex(tx, id, false)?;
        }
    }
    for group_id in &touched {
        search::recount(tx, group_id)?;
    }
    search::renumber_if_needed(tx)?;
    if applied.groups > 0 || applied.memberships > 0 {
        changed(tx)?;
    }
    Ok(applied)
}

/// Removes `id` from every group it is directly in, noting those groups in `touched`.
fn remove_as_member(tx: &Transaction<'_>, id: &str, touched: &mut BTreeSet<String>) -> Result<u64> {
    let mut stmt = tx.prepare_cached("DELETE FROM group_members WHERE member_id = ?1 RETURNING group_id")?;
    let groups = stmt.query_map([id], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let removed = groups.len() as u64;
    touched.extend(groups);
    Ok(removed)
}

/// Inserts or updates groups; returns how many rows changed (an identical row counts 0).
/// `reindex`: index each changed group for search at once (a full replace rebuilds instead).
fn upsert_groups(tx: &Transaction<'_>, groups: &[GroupRecord], reindex: bool) -> Result<u64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO groups (id, display_name, description, mail, security_enabled, mail_enabled, group_types, membership_rule)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET
             display_name = excluded.display_name, description = excluded.description, mail = excluded.mail,
             security_enabled = excluded.security_enabled, mail_enabled = excluded.mail_enabled,
             group_types = excluded.group_types, membership_rule = excluded.membership_rule
         WHERE (display_name, description, mail, security_enabled, mail_enabled, group_types, membership_rule)
             IS NOT (excluded.display_name, excluded.description, excluded.mail, excluded.security_enabled,
                     excluded.mail_enabled, excluded.group_types, excluded.membership_rule)",
    )?;
    let mut changed = 0;
    for g in groups {
        if g.id.is_empty() {
            return Err(StoreError::Invalid("a group without an id"));
        }
        let types = serde_json::to_string(&g.group_types).map_err(|_| StoreError::Invalid("group types not encodable"))?;
        let n = stmt.execute(params![g.id, g.display_name, g.description, g.mail, g.security_enabled, g.mail_enabled, types, g.membership_rule])? as u64;
        if reindex && n > 0 {
            search::reindex(tx, &g.id, true)?;
        }
        changed += n;
    }
    Ok(changed)
}

/// Adds memberships of groups that exist (others are skipped); an existing one keeps its row,
/// its type updated. Returns how many rows changed; the groups gaining a member go in `touched`.
fn add_memberships(tx: &Transaction<'_>, memberships: &[Membership], touched: &mut BTreeSet<String>) -> Result<u64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO group_members (group_id, member_id, member_type)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM groups WHERE id = ?1)
         ON CONFLICT (group_id, member_id) DO UPDATE SET member_type = excluded.member_type
         WHERE member_type IS NOT excluded.member_type",
    )?;
    let mut changed = 0;
    for m in memberships {
        let n = stmt.execute(params![m.group_id, m.member_id, m.member_type])? as u64;
        if n > 0 {
            touched.insert(m.group_id.clone());
        }
        changed += n;
    }
    Ok(changed)
}

/// Inserts or updates names; returns how many rows changed. `reindex` as [`upsert_groups`].
fn upsert_names(tx: &Transaction<'_>, names: &[NameRecord], reindex: bool) -> Result<u64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO directory_names (id, kind, display_name, user_principal_name, mail) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, display_name = excluded.display_name,
             user_principal_name = excluded.user_principal_name, mail = excluded.mail
         WHERE (kind, display_name, user_principal_name, mail)
             IS NOT (excluded.kind, excluded.display_name, excluded.user_principal_name, excluded.mail)",
    )?;
    let mut changed = 0;
    for n in names {
        let written = stmt.execute(params![n.id, n.kind, n.display_name, n.user_principal_name, n.mail])? as u64;
        if reindex && written > 0 {
            search::reindex(tx, &n.id, false)?;
        }
        changed += written;
    }
    Ok(changed)
}

/// Records the sync that just completed (delta links, time, cost, fallback).
pub fn set_sync(tx: &Transaction<'_>, sync: &SyncRecord) -> Result<()> {
    let requests = i64::try_from(sync.requests).map_err(|_| StoreError::Invalid("request count out of range"))?;
    let duration_ms = i64::try_from(sync.duration_ms).map_err(|_| StoreError::Invalid("sync duration out of range"))?;
    tx.execute(
        "UPDATE groups_state SET scope = ?1, groups_delta_link = ?2, users_delta_link = ?3, as_of = ?4, full = ?5,
             requests = ?6, duration_ms = ?7, fallback = ?8 WHERE id = 1",
        params![sync.scope, sync.groups_delta_link, sync.users_delta_link, ts(&sync.as_of), sync.full, requests, duration_ms, sync.fallback],
    )?;
    Ok(())
}

/// Records how long the last sync took in all, once its data is committed (the record written
/// with the data can only know the time up to its own transaction).
pub fn set_sync_duration(tx: &Transaction<'_>, duration_ms: u64) -> Result<()> {
    let duration_ms = i64::try_from(duration_ms).map_err(|_| StoreError::Invalid("sync duration out of range"))?;
    tx.execute("UPDATE groups_state SET duration_ms = ?1 WHERE id = 1", [duration_ms])?;
    Ok(())
}

/// Sets the cache duration in seconds (0 disables the cache).
pub fn set_policy_secs(tx: &Transaction<'_>, secs: u64) -> Result<()> {
    let secs = i64::try_from(secs).map_err(|_| StoreError::Invalid("cache duration out of range"))?;
    tx.execute("UPDATE groups_state SET policy_secs = ?1 WHERE id = 1", [secs])?;
    Ok(())
}

/// Counts one read: a hit (served from the cache) or a miss (refreshed first).
pub fn count_read(tx: &Transaction<'_>, hit: bool) -> Result<()> {
    let sql = if hit { "UPDATE groups_state SET hits = hits + 1 WHERE id = 1" } else { "UPDATE groups_state SET misses = misses + 1 WHERE id = 1" };
    tx.execute(sql, [])?;
    Ok(())
}

/// Empties the group cache (its search index too) and forgets the last sync; the policy and
/// counters stay.
pub fn clear(tx: &Transaction<'_>) -> Result<()> {
    search::clear(tx)?;
    tx.execute_batch(
        "DELETE FROM group_members; DELETE FROM groups; DELETE FROM directory_names;
         UPDATE groups_state SET scope = NULL, groups_delta_link = NULL, users_delta_link = NULL, as_of = NULL,
             full = NULL, requests = NULL, duration_ms = NULL, fallback = NULL WHERE id = 1;",
    )?;
    changed(tx)
}
