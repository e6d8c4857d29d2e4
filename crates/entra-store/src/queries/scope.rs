//! Which tenant the apps cache holds (the `meta` key `apps_scope`): the core compares it with
//! the account of a refresh, and a refresh for another tenant or Graph URL starts over with a
//! full read instead of applying a delta link that belongs to someone else.
//! The value is the caller's opaque text (e.g. `tenant id + graph URL`), never a secret.
//! Also: which objects still wait for their owners ([`owners_pending`]).

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

const SCOPE_KEY: &str = "apps_scope";

/// The scope the cache was last filled for, if any.
pub fn apps_scope(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [SCOPE_KEY], |r| r.get(0))
        .optional()?)
}

/// Records the scope the cache is being filled for.
pub fn set_apps_scope(tx: &Transaction<'_>, scope: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![SCOPE_KEY, scope],
    )?;
    Ok(())
}

/// Objects whose owners have not been loaded yet (a refresh was cancelled before it got to
/// them), so the next refresh loads them even if nothing about them changed.
pub fn owners_pending(conn: &Connection) -> Result<Vec<(String, crate::queries::apps::ObjectType)>> {
    let mut stmt = conn.prepare_cached("SELECT id, object_type FROM directory_objects WHERE owners_loaded_at IS NULL ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind) = row?;
        let kind = crate::queries::apps::ObjectType::parse(&kind).ok_or(crate::StoreError::Decode {
            table: "directory_objects",
            column: "object_type",
        })?;
        out.push((id, kind));
    }
    Ok(out)
}
