//! The cache duration: how old the group cache may be before a read with an account refreshes
//! it first. Read in the desk's one duration grammar ([`crate::duration`]: `30m`, `1h30m`, or
//! Entra's `hh:mm:ss`), from zero (the cache is disabled: every read with an account refreshes
//! first) to 7 days (the life of a directory delta link: an older cache needs a full sync
//! anyway). Shown as `hh:mm:ss`, as Entra's authentication settings show it. Default 30
//! minutes. Stored in the cache's state row, so the app and `entractl` share it.

use super::CachePolicy;
use crate::duration::{self, Limits, Style};
use crate::Result;
use std::time::Duration;

/// The default duration: 30 minutes.
pub const DEFAULT_SECS: u64 = 30 * 60;
/// The longest duration: 7 days.
pub const MAX_SECS: u64 = 7 * 24 * 3600;

/// The durations the policy accepts, written `hh:mm:ss` in its messages.
pub const LIMITS: Limits = Limits {
    min: Duration::ZERO,
    max: Duration::from_secs(MAX_SECS),
    why_max: "7 days: Graph's delta links expire after that, so an older cache needs a full sync anyway",
    style: Style::Clock,
};

/// Seconds in `text` (`00:30:00`, `30m`, `1h30m`, …; zero disables the cache, at most 7 days).
pub fn parse(text: &str) -> Result<u64> {
    Ok(LIMITS.parse(text)?.as_secs())
}

/// Seconds as `hh:mm:ss` (hours at least two digits, never folded into days).
pub fn format(secs: u64) -> String {
    duration::format_clock(Duration::from_secs(secs))
}

/// The policy of a duration in seconds.
pub fn policy(secs: u64) -> CachePolicy {
    CachePolicy { duration_secs: secs, duration: format(secs), enabled: secs > 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_one_grammar_and_shows_hh_mm_ss() {
        assert_eq!(parse("00:30:00").unwrap(), 1800);
        assert_eq!(parse(" 01:02:03 ").unwrap(), 3723);
        assert_eq!(parse("30m").unwrap(), 1800);
        assert_eq!(parse("1h30m").unwrap(), 5400);
        assert_eq!(parse("00:00:00").unwrap(), 0);
        assert_eq!(parse("0s").unwrap(), 0);
        assert_eq!(parse("168:00:00").unwrap(), MAX_SECS);
        assert_eq!(parse("7d").unwrap(), MAX_SECS);
        assert_eq!(format(3723), "01:02:03");
        assert_eq!(format(MAX_SECS), "168:00:00");
        assert_eq!(policy(0), CachePolicy { duration_secs: 0, duration: "00:00:00".into(), enabled: false });
    }

    #[test]
    fn refuses_with_the_forms_or_the_limit() {
        for bad in ["", "30", "00:30", "00:60:00", "00:00:60", "-1:00:00", "aa:bb:cc", "1:2:3:4", "00:+1:00", "half an hour"] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{bad}");
            assert!(err.message().contains("hh:mm:ss"), "{bad}: {}", err.message());
        }
        for long in ["168:00:01", "1000:00:00", "7d1s", "2w"] {
            let err = parse(long).unwrap_err();
            assert!(err.message().contains("longer than 168:00:00"), "{long}: {}", err.message());
        }
    }
}
