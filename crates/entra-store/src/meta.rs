//! The `meta` table: small facts about the store itself, such as its id.

use crate::error::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension};

/// This store's id: 32 lowercase hex characters, generated once when the file was created
/// (migration `0001_apps`) and never changed. Features that create credentials in the
/// tenant mark them with it, so Entra Desk can recognise its own.
pub fn store_id(conn: &Connection) -> Result<String> {
    conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0))
        .optional()?
        // Only a hand-edited file can lack it.
        .ok_or(StoreError::Decode {
            table: "meta",
            column: "store_id",
        })
}
