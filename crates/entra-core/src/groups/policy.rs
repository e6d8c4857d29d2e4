//! The cache duration: `hh:mm:ss` as in Entra's authentication settings, from `00:00:00`
//! (the cache is disabled: every read with an account refreshes first) to `168:00:00` (7 days,
//! the life of a directory delta link: an older cache needs a full sync anyway). Default
//! `00:30:00`. Stored in the cache's state row, so the app and `entractl` share it.

use super::CachePolicy;
use crate::{Error, Result};

/// The default duration: 30 minutes.
pub const DEFAULT_SECS: u64 = 30 * 60;
/// The longest duration: 7 days.
pub const MAX_SECS: u64 = 7 * 24 * 3600;

/// Parses `hh:mm:ss` (hours 0–168, minutes and seconds 00–59) into seconds.
pub fn parse(text: &str) -> Result<u64> {
    let bad = || {
        Error::invalid_input(format!(
            "`{}` is not a cache duration: write hh:mm:ss, e.g. 00:30:00 for 30 minutes (00:00:00 disables the cache, at most 168:00:00)",
            text.trim()
        ))
    };
    let parts: Vec<&str> = text.trim().split(':').collect();
    let [h, m, s] = parts.as_slice() else { return Err(bad()) };
    let number = |p: &str, max_len: usize| -> Option<u64> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok()).flatten()
    };
    let (Some(h), Some(m), Some(s)) = (number(h, 3), number(m, 2), number(s, 2)) else { return Err(bad()) };
    if m > 59 || s > 59 {
        return Err(bad());
    }
    let secs = h * 3600 + m * 60 + s;
    if secs > MAX_SECS {
        return Err(Error::invalid_input(format!(
            "The cache duration {} is longer than 168:00:00 (7 days, after which Graph's delta links expire): choose a shorter one",
            text.trim()
        )));
    }
    Ok(secs)
}

/// Seconds as `hh:mm:ss` (hours at least two digits).
pub fn format(secs: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// The policy of a duration in seconds.
pub fn policy(secs: u64) -> CachePolicy {
    CachePolicy { duration_secs: secs, duration: format(secs), enabled: secs > 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_hh_mm_ss() {
        assert_eq!(parse("00:30:00").unwrap(), 1800);
        assert_eq!(parse(" 01:02:03 ").unwrap(), 3723);
        assert_eq!(parse("00:00:00").unwrap(), 0);
        assert_eq!(parse("168:00:00").unwrap(), MAX_SECS);
        assert_eq!(format(3723), "01:02:03");
        assert_eq!(format(MAX_SECS), "168:00:00");
        assert_eq!(policy(0), CachePolicy { duration_secs: 0, duration: "00:00:00".into(), enabled: false });
        for bad in ["", "30", "00:30", "00:60:00", "00:00:60", "-1:00:00", "aa:bb:cc", "1:2:3:4", "168:00:01", "1000:00:00", "00:+1:00"] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{bad}");
            assert!(err.message().contains("168:00:00"), "{}", err.message());
        }
    }
}
