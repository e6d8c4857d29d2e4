//! Lease TTLs and max TTLs: the desk's one duration grammar ([`crate::duration`]), bounded to
//! 1 second … 730 days. Only the bounds live here; the grammar and the formatter are the core's.

use crate::duration::{Limits, Style};
use crate::Result;
use std::time::Duration;

/// The longest TTL or max TTL a definition may have: 2 years, the longest life Entra's
/// portal gives a client secret.
pub const MAX_DURATION_SECS: u64 = 730 * 86_400;

/// The TTLs a definition, an issue or a renewal accepts.
pub const TTL_LIMITS: Limits = Limits {
    min: Duration::from_secs(1),
    max: Duration::from_secs(MAX_DURATION_SECS),
    why_max: "the longest a secret lives in Entra",
    style: Style::Units,
};

/// Seconds in `text` (e.g. `15m`, `1h30m`, `7d`; see [`crate::duration`] for the grammar).
/// Refuses what is not a duration, zero, or longer than 730 days, with a message naming the fix.
pub fn parse_duration(text: &str) -> Result<u64> {
    Ok(TTL_LIMITS.parse(text)?.as_secs())
}

/// `secs` in the shortest exact unit form: 5400 → `1h30m`, 604800 → `7d`.
pub fn format_duration(secs: u64) -> String {
    crate::duration::format(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_are_one_second_to_730_days() {
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("730d").unwrap(), MAX_DURATION_SECS);
        assert_eq!(parse_duration("1s").unwrap(), 1);
        let zero = parse_duration("0m").unwrap_err();
        assert_eq!(zero.code(), crate::ErrorCode::InvalidInput);
        assert!(zero.message().contains("zero") && zero.message().contains("1s"), "{}", zero.message());
        assert!(parse_duration("731d").unwrap_err().message().contains("730d"));
        assert!(parse_duration("1y").unwrap_err().message().contains("15m"));
        assert_eq!(format_duration(5400), "1h30m");
    }
}
