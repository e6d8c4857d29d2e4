//! "Something crossed a window since the last run", for the desktop notification at start-up.
//!
//! Each call compares every credential's level now (expired = 0, else the smallest window it
//! is in, else none) with the level recorded by the previous call, then records the current
//! levels (one transaction). A credential is reported when it is expired or inside a window
//! now and was, at the previous call, outside every window or in a larger one.
//!
//! Decisions:
//! - The first call ever records and reports nothing: with no record there is no "since".
//! - A credential the previous call did not know (created or synced since) is recorded, not
//!   reported: it did not cross anything we saw, and the first refresh after installing would
//!   otherwise notify about every old expired secret.
//! - Levels are days, so a change of windows between runs compares sensibly (a credential
//!   recorded in the 30-day window and now in the 14-day one has crossed).

use super::expiry::ExpiringCredential;
use crate::cache::blocking;
use crate::Result;
use chrono::{DateTime, Utc};
use entra_store::queries::expiry_seen::{self, SeenLevel};
use entra_store::Store;
use serde::Serialize;

/// A credential that crossed into a window, or expired, since the last check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Crossing {
    /// The credential, as the report shows it now.
    pub credential: ExpiringCredential,
    /// The level it is at now, in days (0: expired).
    pub now_in: u32,
    /// The level recorded last time (`None`: outside every window).
    pub was_in: Option<u32>,
}

/// Compares `rows` with the last record, records them, and returns the crossings.
pub(super) async fn check(store: &Store, rows: Vec<ExpiringCredential>, now: DateTime<Utc>) -> Result<Vec<Crossing>> {
    let levels: Vec<SeenLevel> =
        rows.iter().map(|r| SeenLevel { object_id: r.object_id.clone(), key_id: r.key_id.clone(), level_days: r.level() }).collect();
    let previous = blocking(store, move |s| {
        s.write(|tx| {
            let previous = expiry_seen::last_seen(tx)?;
            expiry_seen::record(tx, &levels, now)?;
            Ok(previous)
        })
    })
    .await?;
    let Some((_, seen)) = previous else {
        return Ok(Vec::new());
    };
    let mut crossings = Vec::new();
    for row in rows {
        let Some(now_in) = row.level() else { continue };
        let Some(was_in) = seen.get(&(row.object_id.clone(), row.key_id.clone())) else { continue };
        if was_in.is_none_or(|was| now_in < was) {
            crossings.push(Crossing { was_in: *was_in, now_in, credential: row });
        }
    }
    Ok(crossings)
}
