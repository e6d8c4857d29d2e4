//! Conversions between Rust values and the text the schema stores: times and JSON.
//!
//! Every time is written in one fixed shape (RFC 3339, UTC, milliseconds, `Z`) so that
//! SQLite's text order is time order; Graph sends several shapes and we normalise them here.

use crate::error::{Result, StoreError};
use chrono::{DateTime, SecondsFormat, Utc};

/// Formats a time the way the schema stores it.
pub(crate) fn ts(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Formats an optional time.
pub(crate) fn ts_opt(time: &Option<DateTime<Utc>>) -> Option<String> {
    time.as_ref().map(ts)
}

/// Parses a stored time; a bad one names its column, never its value.
pub(crate) fn parse_ts(text: &str, table: &'static str, column: &'static str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Decode { table, column })
}

/// Parses an optional stored time.
pub(crate) fn parse_ts_opt(
    text: Option<String>,
    table: &'static str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>> {
    text.map(|t| parse_ts(&t, table, column)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_sort_as_text() {
        // Graph sends both shapes; stored, they must compare like the times they are.
        let a = parse_ts("2030-01-01T10:00:00Z", "t", "c").unwrap();
        let b = parse_ts("2030-01-01T10:00:00.5+00:00", "t", "c").unwrap();
        assert_eq!(ts(&a), "2030-01-01T10:00:00.000Z");
        assert!(ts(&a) < ts(&b));
        assert!(matches!(
            parse_ts("yesterday", "t", "c"),
            Err(StoreError::Decode { .. })
        ));
    }
}
