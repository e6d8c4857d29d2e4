//! Durations of a profile (clock skew, cache lifetimes: the one grammar, written `hh:mm:ss`) and times shown
//! three ways: UTC, local, and relative ("expires in 42 min").

use crate::error::{Error, Result};
use chrono::{DateTime, Local, TimeZone, Utc};
use serde::Serialize;
use std::time::Duration;

/// The longest clock skew or key cache lifetime a profile may set: ten years, as before the one
/// grammar (a longer one is a typo, and would overflow the time arithmetic of the checks).
const PROFILE_DURATION_MAX: Duration = Duration::from_secs(3650 * 86_400);

/// Reads a profile's duration (clock skew, JWKS cache lifetime) in Entra Desk's one duration
/// grammar (`entra_duration`): Microsoft's `hh:mm:ss` as the middleware settings write it
/// (`d.hh:mm:ss` too), or `5m`, `1h30m`, …; `00:00:00` is zero.
pub fn parse_hhmmss(text: &str) -> Result<Duration> {
    let limits = entra_duration::Limits { min: Duration::ZERO, max: PROFILE_DURATION_MAX, why_max: "ten years", style: entra_duration::Style::Clock };
    limits.parse(text).map_err(|e| Error::Setting(e.to_string()))
}

/// Formats a duration as `hh:mm:ss` (hours may exceed 24).
pub fn format_hhmmss(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// A duration in words, coarse: "42 min", "3 h 5 min", "2 days", "45 s".
pub fn humanize(secs: u64) -> String {
    match secs {
        0..=89 => format!("{secs} s"),
        90..=5399 => format!("{} min", (secs + 30) / 60),
        5400..=172_799 => {
            let (h, m) = (secs / 3600, (secs % 3600) / 60);
            if m == 0 { format!("{h} h") } else { format!("{h} h {m} min") }
        }
        _ => format!("{} days", secs / 86_400),
    }
}

/// "in 42 min" or "42 min ago".
pub fn relative(at: i64, now: DateTime<Utc>) -> String {
    let delta = at.saturating_sub(now.timestamp());
    if delta >= 0 {
        format!("in {}", humanize(delta as u64))
    } else {
        format!("{} ago", humanize(delta.unsigned_abs()))
    }
}

/// A numeric date claim shown for people.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TimeView {
    /// Seconds since the epoch, as in the token.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unix: i64,
    /// RFC 3339 in UTC.
    pub utc: String,
    /// RFC 3339 in this machine's time zone.
    pub local: String,
    /// Relative to the inspection clock: "in 42 min", "3 days ago".
    pub relative: String,
}

impl TimeView {
    /// Builds the view, or `None` when the number is out of chrono's range.
    pub fn new(unix: i64, now: DateTime<Utc>) -> Option<Self> {
        let utc = Utc.timestamp_opt(unix, 0).single()?;
        Some(TimeView {
            unix,
            utc: utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            local: utc.with_timezone(&Local).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            relative: relative(unix, now),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_hhmmss("00:05:00").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_hhmmss("01:00:00").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_hhmmss("00:00:00").unwrap(), Duration::ZERO);
        assert_eq!(parse_hhmmss("1.02:00:00").unwrap(), Duration::from_secs(26 * 3600));
        assert_eq!(parse_hhmmss("5m").unwrap(), Duration::from_secs(300), "the one grammar");
        for bad in ["", "5", "00:60:00", "aa:bb:cc", "00:05", "-1:00:00", "00:00:00:00", "3651.00:00:00"] {
            assert!(parse_hhmmss(bad).is_err(), "{bad}");
        }
        assert_eq!(format_hhmmss(Duration::from_secs(3661)), "01:01:01");
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc.timestamp_opt(1_000_000, 0).unwrap();
        assert_eq!(relative(1_000_000 + 42 * 60, now), "in 42 min");
        assert_eq!(relative(1_000_000 - 3 * 86_400, now), "3 days ago");
        assert_eq!(relative(1_000_000 - 30, now), "30 s ago");
        assert_eq!(relative(1_000_000 + 3 * 3600 + 300, now), "in 3 h 5 min");
    }
}
