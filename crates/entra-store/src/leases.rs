//! The lease store's file (`leases.sqlite`, [`Schema::Leases`]) as this crate knows it: the
//! engine, not the records. Opening it ([`Store::open_schema`]: owner-only, WAL,
//! `synchronous = FULL`, refused when it is not ours), its migrations (`migrations/leases/`:
//! the tables, their CHECKs, the row version and the triggers that keep the audit log
//! append-only), and the time text its columns hold.
//!
//! The lease store port, the lease types and the SQL that maps one to the other live in the
//! core (`entra_core::leases::store`): the types are the core's, defined once, and this crate
//! is a leaf that depends on nothing of Entra Desk — so it cannot name them, and never sees a
//! secret type. `tests/leases.rs` holds the schema to its promises; the core's tests hold the
//! adapter to the port's.
//!
//! [`Store::open_schema`]: crate::Store::open_schema
//! [`Schema::Leases`]: crate::Schema::Leases

use chrono::{DateTime, Utc};

/// A time as the lease tables store it: RFC 3339, UTC, milliseconds, `Z` — one fixed shape,
/// so that SQLite's text order is time order (`ORDER BY expires_at`).
pub fn time_text(time: &DateTime<Utc>) -> String {
    crate::sql::ts(time)
}

/// A stored time read back; `None` when the text is not RFC 3339 (a hand-edited file).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_round_trip_to_the_millisecond_in_one_shape() {
        let t = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(5);
        assert_eq!(time_text(&t), "2026-12-02T10:00:00.005Z");
        assert_eq!(parse_time(&time_text(&t)), Some(t));
        assert_eq!(parse_time("yesterday"), None);
    }
}
