//! `expiry_seen`: the window each credential was in at the last start-up check of the
//! Credential expiry screen, so the next check reports only what crossed into a smaller
//! window (or expired) since. The judging is the core's; this module only keeps the record.
//!
//! Whether a check ever ran is kept apart from the rows (the `meta` key
//! `expiry_seen_at`): an empty table after a check means "nothing to remember", which is
//! not the same as "never checked".

use crate::error::Result;
use crate::sql::{parse_ts, ts};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::HashMap;

/// The `meta` key of the last check's time.
const SEEN_AT_KEY: &str = "expiry_seen_at";

/// One credential as the last check saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenLevel {
    /// The object's id.
    pub object_id: String,
    /// The credential's key id.
    pub key_id: String,
    /// `None`: outside every window; `Some(0)`: expired; `Some(n)`: inside the n-day window.
    pub level_days: Option<u32>,
}

/// What the last check recorded, by `(object_id, key_id)`, and when; `None` if no check ever ran.
#[allow(clippy::type_complexity)]
pub fn last_seen(conn: &Connection) -> Result<Option<(DateTime<Utc>, HashMap<(String, String), Option<u32>>)>> {
    let at: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [SEEN_AT_KEY], |r| r.get(0))
        .optional()?;
    let Some(at) = at else {
        return Ok(None);
    };
    let at = parse_ts(&at, "meta", "value")?;
    let mut stmt = conn.prepare_cached("SELECT object_id, key_id, level_days FROM expiry_seen")?;
    let rows = stmt.query_map([], |r| {
        Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, Option<u32>>(2)?))
    })?;
    let seen = rows.collect::<rusqlite::Result<HashMap<_, _>>>()?;
    Ok(Some((at, seen)))
}

/// Replaces the record with `levels`, seen at `at`.
pub fn record(tx: &Transaction<'_>, levels: &[SeenLevel], at: DateTime<Utc>) -> Result<()> {
    tx.execute("DELETE FROM expiry_seen", [])?;
    let at = ts(&at);
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO expiry_seen (object_id, key_id, level_days, seen_at) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for l in levels {
        insert.execute(params![l.object_id, l.key_id, l.level_days, at])?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![SEEN_AT_KEY, at],
    )?;
    Ok(())
}
