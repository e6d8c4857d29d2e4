//! The last order a paged list computed, kept for its next pages ([`KeptOrder`]).
//!
//! A list's order is every matching row's rowid, in order (`entra_store::queries::apps::
//! object_order`, `credential_order`): one pass over the cache per search, filter or sort. A
//! screen then asks for the next pages as it scrolls; recomputing the order for each would cost
//! the whole pass again (a sort of 100,000 rows by next expiry is a few hundred milliseconds),
//! so the order is kept and a page is a slice of it.
//!
//! An order is reused only for the same question, while the cache's `ChangeStamp` is the same
//! (nothing written since, so no row was removed or renumbered), and for [`MAX_AGE`] at most:
//! orders that depend on the time ("expired", "next expiry") follow it within that. The rows
//! of a page are always read and judged at the time of the call.

use chrono::{DateTime, Duration, Utc};
use entra_store::queries::apps::ChangeStamp;
use std::sync::Arc;

/// How long an order may be reused.
pub(crate) const MAX_AGE: Duration = Duration::seconds(60);

/// One list's last order, behind an async mutex held for the whole call: pages of one list are
/// answered one at a time (the store has one connection anyway), so the second of two pages
/// asked together finds the order the first one computed.
#[derive(Debug, Default)]
pub(crate) struct KeptOrder {
    last: tokio::sync::Mutex<Option<Order>>,
}

/// An order and what it answers.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    /// The question (the list's filters and sort, spelt out).
    pub key: String,
    /// The cache when it was computed.
    pub stamp: ChangeStamp,
    /// When it was computed (the service's clock).
    pub made: DateTime<Utc>,
    /// The rowids, in order.
    pub rows: Arc<Vec<i64>>,
}

impl Order {
    /// Whether this order answers `key` on the cache at `stamp` at time `now`.
    pub fn answers(&self, key: &str, stamp: ChangeStamp, now: DateTime<Utc>) -> bool {
        self.key == key && self.stamp == stamp && now >= self.made && now - self.made < MAX_AGE
    }
}

impl KeptOrder {
    /// The kept order's lock: read it, compute a new one if it does not answer, store that.
    pub async fn lock(&self) -> tokio::sync::MutexGuard<'_, Option<Order>> {
        self.last.lock().await
    }
}

/// The slice of `rows` a page starting at `start` with at most `limit` rows holds.
pub(crate) fn slice(rows: &[i64], start: u64, limit: u32) -> &[i64] {
    let from = usize::try_from(start).unwrap_or(usize::MAX).min(rows.len());
    let to = from.saturating_add(limit as usize).min(rows.len());
    &rows[from..to]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_stop_at_the_end() {
        let rows = [1, 2, 3, 4, 5];
        assert_eq!(slice(&rows, 1, 2), [2, 3]);
        assert_eq!(slice(&rows, 4, 100), [5]);
        assert!(slice(&rows, 9, 100).is_empty());
        assert!(slice(&rows, u64::MAX, u32::MAX).is_empty());
    }
}
