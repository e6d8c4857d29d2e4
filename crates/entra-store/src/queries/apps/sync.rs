//! `sync_state`: where each collection's last sync ended, so the next one can ask Graph for
//! the changes since (`@odata.deltaLink`) and the screen can say how fresh the list is.

use super::ObjectType;
use crate::error::{Result, StoreError};
use crate::sql::{parse_ts, ts};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

/// A Graph collection synced into the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncCollection {
    /// `/applications`.
    Applications,
    /// `/servicePrincipals`.
    ServicePrincipals,
}

impl SyncCollection {
    /// The value stored in `collection`, as in Graph's URL.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncCollection::Applications => "applications",
            SyncCollection::ServicePrincipals => "servicePrincipals",
        }
    }

    /// The type of the objects in this collection.
    pub fn object_type(self) -> ObjectType {
        match self {
            SyncCollection::Applications => ObjectType::Application,
            SyncCollection::ServicePrincipals => ObjectType::ServicePrincipal,
        }
    }

    fn parse(text: &str) -> Option<SyncCollection> {
        match text {
            "applications" => Some(SyncCollection::Applications),
            "servicePrincipals" => Some(SyncCollection::ServicePrincipals),
            _ => None,
        }
    }
}

/// How and when a collection was last synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The collection.
    pub collection: SyncCollection,
    /// Graph's opaque `@odata.deltaLink` URL to resume from, if it gave one. Not a secret:
    /// it only works with a valid access token.
    pub delta_link: Option<String>,
    /// When the sync finished.
    pub as_of: DateTime<Utc>,
    /// Whether it was a full sync (true) or a delta (false).
    pub full: bool,
    /// How many Graph requests it took.
    pub requests: u32,
    /// How long it took.
    pub duration_ms: u64,
}

/// The collection's last sync, or `None` if it has never been synced (or was cleared).
pub fn sync_state(conn: &Connection, collection: SyncCollection) -> Result<Option<SyncState>> {
    let row = conn
        .query_row(
            "SELECT collection, delta_link, as_of, full, requests, duration_ms
             FROM sync_state WHERE collection = ?1",
            [collection.as_str()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((name, delta_link, as_of, full, requests, duration_ms)) = row else {
        return Ok(None);
    };
    Ok(Some(SyncState {
        collection: SyncCollection::parse(&name).ok_or(StoreError::Decode {
            table: "sync_state",
            column: "collection",
        })?,
        delta_link,
        as_of: parse_ts(&as_of, "sync_state", "as_of")?,
        full,
        requests,
        duration_ms: u64::try_from(duration_ms).map_err(|_| StoreError::Decode {
            table: "sync_state",
            column: "duration_ms",
        })?,
    }))
}

/// Records a collection's sync, replacing the previous record.
pub fn set_sync_state(tx: &Transaction<'_>, state: &SyncState) -> Result<()> {
    // SQLite integers are i64; a duration above that is a bug, not a value to wrap.
    let duration_ms =
        i64::try_from(state.duration_ms).map_err(|_| StoreError::Invalid("sync duration out of range"))?;
    tx.execute(
        "INSERT INTO sync_state (collection, delta_link, as_of, full, requests, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (collection) DO UPDATE SET
             delta_link = excluded.delta_link, as_of = excluded.as_of, full = excluded.full,
             requests = excluded.requests, duration_ms = excluded.duration_ms",
        params![
            state.collection.as_str(),
            state.delta_link,
            ts(&state.as_of),
            state.full,
            state.requests,
            duration_ms
        ],
    )?;
    Ok(())
}
