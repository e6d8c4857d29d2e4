//! Lease durations as people write them: `90s`, `15m`, `1h`, `7d`, `1h30m`, `2w`.

use crate::{Error, Result};

/// The longest TTL or max TTL a definition may have: 2 years, the longest life Entra's
/// portal gives a client secret.
pub const MAX_DURATION_SECS: u64 = 730 * 86_400;

/// Seconds in `text`, a sequence of `<number><unit>` with units `s`, `m`, `h`, `d`, `w`.
/// Refuses an empty, zero, unknown or over-long duration with a message naming the fix.
pub fn parse_duration(text: &str) -> Result<u64> {
    let shown: String = text.chars().take(40).collect();
    let bad = || {
        Error::invalid_input(format!(
            "'{shown}' is not a duration: write a number and a unit, e.g. 90s, 15m, 1h, 7d or 1h30m (s, m, h, d, w)"
        ))
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut parts = 0;
    for c in trimmed.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        if number.is_empty() || number.len() > 9 {
            return Err(bad());
        }
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = total.checked_add(n.checked_mul(unit).ok_or_else(bad)?).ok_or_else(bad)?;
        number.clear();
        parts += 1;
    }
    if !number.is_empty() || parts == 0 {
        return Err(bad());
    }
    if total == 0 {
        return Err(Error::invalid_input(format!("A duration of '{shown}' is zero: give at least 1s")));
    }
    if total > MAX_DURATION_SECS {
        return Err(Error::invalid_input(format!(
            "A duration of '{shown}' is longer than 730d, the longest a secret lives in Entra: choose 730d or less"
        )));
    }
    Ok(total)
}

/// `secs` in the shortest exact form: 5400 → `1h30m`, 604800 → `7d`.
pub fn format_duration(secs: u64) -> String {
    if secs == 0 {
        return "0s".to_string();
    }
    let mut rest = secs;
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(parse_duration("15m").unwrap(), 900);
        assert_eq!(parse_duration("1h").unwrap(), 3600);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert_eq!(parse_duration(" 1h30m ").unwrap(), 5400);
        assert_eq!(parse_duration("2w").unwrap(), 1_209_600);
        assert_eq!(parse_duration("90S").unwrap(), 90);
    }

    #[test]
    fn bad_durations_name_the_fix() {
        for bad in ["", "15", "m", "1y", "1h30", "-5m", "1.5h", "99999999999h", "0m"] {
            let err = parse_duration(bad).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{bad}");
        }
        assert!(parse_duration("731d").unwrap_err().message().contains("730d"));
        assert!(parse_duration("1y").unwrap_err().message().contains("15m"));
    }

    #[test]
    fn formatting_round_trips() {
        for secs in [1, 59, 60, 900, 3600, 5400, 86_400, 604_800, 90_061] {
            assert_eq!(parse_duration(&format_duration(secs)).unwrap(), secs);
        }
        assert_eq!(format_duration(5400), "1h30m");
        assert_eq!(format_duration(604_800), "7d");
    }
}
