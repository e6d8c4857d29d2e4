#![deny(missing_docs)]
//! Durations as admins write them: the one grammar every duration of Entra Desk is read with
//! (lease TTLs, the group cache policy, `entractl expiry --within`, the JWT inspector's clock
//! skew and key cache lifetime, the screens' fields), its formatters, and [`Limits`] for the
//! range a setting accepts.
//!
//! A leaf crate, so that entra-jwt (itself a leaf, below the core) reads the same grammar as the
//! core; the core re-exports it as `entra_core::duration`.
//!
//! # Grammar
//!
//! Surrounding whitespace is ignored. A duration is either
//!
//! - **units**: one or more `<number><unit>` parts, summed, e.g. `30s`, `15m`, `1h30m`, `7d`,
//!   `2w`, `1h 30m`. Units, any case: `s` (`sec`, `secs`, `second`, `seconds`), `m` (`min`,
//!   `mins`, `minute`, `minutes`), `h` (`hr`, `hrs`, `hour`, `hours`), `d` (`day`, `days`),
//!   `w` (`week`, `weeks`). Each unit at most once, in any order; spaces may separate a number
//!   from its unit and one part from the next. A number has digits only (no sign, no decimal
//!   point);
//! - **a clock**, as Entra's authentication settings write it: `hh:mm:ss` (hours any number of
//!   digits, minutes and seconds two digits, 00–59), or `d.hh:mm:ss` (.NET's `TimeSpan`, hours
//!   00–23), e.g. `00:30:00`, `168:00:00`, `7.00:00:00`.
//!
//! A bare number (`45`) is refused: it does not say its unit. Zero (`0s`, `00:00:00`) is a
//! duration; whether a setting takes it is the setting's [`Limits`]. A duration is whole
//! seconds, at most `u64::MAX` of them; more is refused, never wrapped.
//!
//! [`format`] writes the unit form (`1h30m`; days are the largest unit), [`format_clock`]
//! Entra's `hh:mm:ss`; both parse back to the same duration.

use std::fmt;
use std::time::Duration;

/// The forms [`parse`] accepts, as every error message names them.
pub const ACCEPTED_FORMS: &str =
    "write a number and a unit (s, m, h, d, w), e.g. 30s, 15m, 1h30m, 7d or 2w, or hh:mm:ss as Entra does, e.g. 00:30:00";

/// The longest text an error message repeats; longer input is cut there.
const SHOWN_CHARS: usize = 40;

/// A text that is not a duration, or not one a setting accepts: what was written and what is
/// wrong with it. Its `Display` is one sentence naming the problem and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    text: String,
    problem: Problem,
}

/// What is wrong with a duration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Nothing but whitespace.
    Empty,
    /// A number without a unit, e.g. `45`.
    NoUnit,
    /// A word that is not a unit, e.g. the `y` of `1y`.
    UnknownUnit(String),
    /// The same unit twice, e.g. `1h1h`.
    RepeatedUnit(&'static str),
    /// A clock whose minutes or seconds pass 59, or whose hours pass 23 after a day count.
    ClockField,
    /// Anything else that is not the grammar: a sign, a decimal point, a unit without a number.
    Malformed,
    /// More seconds than a `u64` holds.
    Overflow,
    /// Zero, where the setting's shortest is longer (said in the setting's style).
    Zero {
        /// The shortest the setting accepts.
        min: String,
    },
    /// Shorter than the setting's shortest (said in the setting's style).
    TooShort {
        /// The shortest the setting accepts.
        min: String,
    },
    /// Longer than the setting's longest.
    TooLong {
        /// The longest the setting accepts.
        max: String,
        /// Why it is the longest.
        why: &'static str,
    },
}

impl DurationError {
    fn new(text: &str, problem: Problem) -> DurationError {
        DurationError { text: text.trim().chars().take(SHOWN_CHARS).collect(), problem }
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.text;
        match &self.problem {
            Problem::Empty => write!(f, "The duration is empty: {ACCEPTED_FORMS}"),
            Problem::NoUnit => write!(f, "'{t}' has a number without a unit: {ACCEPTED_FORMS}"),
            Problem::UnknownUnit(unit) => write!(f, "'{t}' is not a duration ('{unit}' is not a unit): {ACCEPTED_FORMS}"),
            Problem::RepeatedUnit(unit) => write!(f, "'{t}' gives the unit '{unit}' twice: write each unit once, e.g. 1h30m"),
            Problem::ClockField => write!(
                f,
                "'{t}' is not a duration: in hh:mm:ss minutes and seconds go from 00 to 59 (and hours from 00 to 23 in d.hh:mm:ss), e.g. 00:30:00"
            ),
            Problem::Malformed => write!(f, "'{t}' is not a duration: {ACCEPTED_FORMS}"),
            Problem::Overflow => write!(f, "'{t}' is too long to be a duration: {ACCEPTED_FORMS}"),
            Problem::Zero { min } => write!(f, "A duration of '{t}' is zero: give at least {min}"),
            Problem::TooShort { min } => write!(f, "A duration of '{t}' is shorter than {min}: give at least {min}"),
            Problem::TooLong { max, why } => write!(f, "A duration of '{t}' is longer than {max} ({why}): choose {max} or less"),
        }
    }
}

impl std::error::Error for DurationError {}


/// Reads `text` in the desk's one duration grammar (see the module doc). Any length from zero
/// up is accepted; a setting checks its range with [`Limits::parse`].
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    let fail = |problem| Err(DurationError::new(text, problem));
    if trimmed.is_empty() {
        return fail(Problem::Empty);
    }
    let secs = if trimmed.contains(':') { clock(trimmed) } else { units(trimmed) };
    match secs {
        Ok(secs) => Ok(Duration::from_secs(secs)),
        Err(problem) => fail(problem),
    }
}

/// `1h30m`, `7d`, `2 weeks`: the unit form, already trimmed and not empty.
fn units(text: &str) -> Result<u64, Problem> {
    let mut rest = text;
    let mut total: u64 = 0;
    let mut seen: Vec<&'static str> = Vec::new();
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            // A unit without a number (`m`), a sign, a decimal point…
            let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
            return Err(if word.is_empty() || unit(&word).is_some() { Problem::Malformed } else { Problem::UnknownUnit(word) });
        }
        let number = &rest[..digits];
        rest = rest[digits..].trim_start();
        let word_len = rest.len() - rest.trim_start_matches(|c: char| c.is_alphabetic()).len();
        if word_len == 0 {
            // `45`, or `1h30`: a number with nothing after it, or followed by what is not a word.
            return Err(if rest.is_empty() { Problem::NoUnit } else { Problem::Malformed });
        }
        let word = &rest[..word_len];
        rest = rest[word_len..].trim_start();
        let Some((name, size)) = unit(word) else { return Err(Problem::UnknownUnit(word.to_string())) };
        if seen.contains(&name) {
            return Err(Problem::RepeatedUnit(name));
        }
        seen.push(name);
        let n: u64 = number.parse().map_err(|_| Problem::Overflow)?;
        total = n.checked_mul(size).and_then(|part| total.checked_add(part)).ok_or(Problem::Overflow)?;
    }
    Ok(total)
}

/// The unit a word names (its short name and its seconds), any case.
fn unit(word: &str) -> Option<(&'static str, u64)> {
    Some(match word.to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => ("s", 1),
        "m" | "min" | "mins" | "minute" | "minutes" => ("m", 60),
        "h" | "hr" | "hrs" | "hour" | "hours" => ("h", 3_600),
        "d" | "day" | "days" => ("d", 86_400),
        "w" | "week" | "weeks" => ("w", 604_800),
        _ => return None,
    })
}

/// `hh:mm:ss` or `d.hh:mm:ss`, already trimmed.
fn clock(text: &str) -> Result<u64, Problem> {
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let number = |p: &str| -> Result<u64, Problem> { p.parse().map_err(|_| Problem::Overflow) };
    let (days, rest) = match text.split_once('.') {
        Some((d, rest)) if all_digits(d) => (Some(number(d)?), rest),
        Some(_) => return Err(Problem::Malformed),
        None => (None, text),
    };
    let fields: Vec<&str> = rest.split(':').collect();
    let [h, m, s] = fields.as_slice() else { return Err(Problem::Malformed) };
    if !all_digits(h) || m.len() != 2 || s.len() != 2 || !all_digits(m) || !all_digits(s) {
        return Err(Problem::Malformed);
    }
    let (h, m, s) = (number(h)?, number(m)?, number(s)?);
    if m > 59 || s > 59 || (days.is_some() && h > 23) {
        return Err(Problem::ClockField);
    }
    days.unwrap_or(0)
        .checked_mul(86_400)
        .and_then(|d| h.checked_mul(3_600).and_then(|h| d.checked_add(h)))
        .and_then(|t| t.checked_add(m * 60 + s))
        .ok_or(Problem::Overflow)
}

/// The duration in the unit form, largest unit first, zero parts left out: 5400 s → `1h30m`,
/// 604800 s → `7d`, zero → `0s`. Sub-second parts are dropped.
pub fn format(duration: Duration) -> String {
    let mut rest = duration.as_secs();
    if rest == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// The duration as Entra's `hh:mm:ss`, hours at least two digits and never folded into days:
/// 3723 s → `01:02:03`, 7 days → `168:00:00`. Sub-second parts are dropped.
pub fn format_clock(duration: Duration) -> String {
    let secs = duration.as_secs();
    format!("{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// How a setting writes durations, in its messages too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `1h30m` ([`format`]).
    Units,
    /// `01:30:00` ([`format_clock`]), as Entra's authentication settings.
    Clock,
}

impl Style {
    /// `duration` written in this style.
    pub fn format(self, duration: Duration) -> String {
        match self {
            Style::Units => format(duration),
            Style::Clock => format_clock(duration),
        }
    }
}

/// The durations one setting accepts: its shortest and longest, why the longest is the longest,
/// and the style its messages write them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The shortest accepted (zero for a setting where zero means "off").
    pub min: Duration,
    /// The longest accepted.
    pub max: Duration,
    /// Why `max` is the longest, said when it is passed, e.g. "the longest a secret lives in Entra".
    pub why_max: &'static str,
    /// How the messages write `min` and `max`.
    pub style: Style,
}

impl Limits {
    /// [`parse`], then refuses what is shorter than `min` or longer than `max`.
    pub fn parse(&self, text: &str) -> Result<Duration, DurationError> {
        let duration = parse(text)?;
        if duration < self.min {
            let min = self.style.format(self.min);
            let problem = if duration.is_zero() { Problem::Zero { min } } else { Problem::TooShort { min } };
            return Err(DurationError::new(text, problem));
        }
        if duration > self.max {
            return Err(DurationError::new(text, Problem::TooLong { max: self.style.format(self.max), why: self.why_max }));
        }
        Ok(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> u64 {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}")).as_secs()
    }

    fn problem(text: &str) -> Problem {
        parse(text).expect_err(text).problem().clone()
    }

    #[test]
    fn unit_sequences_read_as_written() {
        assert_eq!(secs("30s"), 30);
        assert_eq!(secs("15m"), 900);
        assert_eq!(secs("1h"), 3600);
        assert_eq!(secs("1h30m"), 5400);
        assert_eq!(secs("7d"), 604_800);
        assert_eq!(secs("2w"), 1_209_600);
        assert_eq!(secs("1w2d3h4m5s"), 604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5);
        assert_eq!(secs("30m1h"), 5400, "any order");
        assert_eq!(secs("90S"), 90, "any case");
        assert_eq!(secs("2 weeks"), 1_209_600);
        assert_eq!(secs("1 hour 30 minutes"), 5400);
        assert_eq!(secs("30days"), 2_592_000);
        assert_eq!(secs("007m"), 420, "leading zeros");
    }

    #[test]
    fn entra_clocks_read_as_written() {
        assert_eq!(secs("00:30:00"), 1800);
        assert_eq!(secs("01:02:03"), 3723);
        assert_eq!(secs("1:02:03"), 3723, "hours may have one digit");
        assert_eq!(secs("168:00:00"), 604_800);
        assert_eq!(secs("1000:00:00"), 3_600_000);
        assert_eq!(secs("7.00:00:00"), 604_800);
        assert_eq!(secs("1.02:03:04"), 86_400 + 2 * 3600 + 3 * 60 + 4);
    }

    #[test]
    fn zero_is_a_duration_and_limits_decide_about_it() {
        assert_eq!(secs("0s"), 0);
        assert_eq!(secs("0m0s"), 0);
        assert_eq!(secs("00:00:00"), 0);
        let at_least_a_second = Limits { min: Duration::from_secs(1), max: Duration::from_secs(60), why_max: "a test", style: Style::Units };
        let err = at_least_a_second.parse("0m").unwrap_err();
        assert_eq!(err.to_string(), "A duration of '0m' is zero: give at least 1s");
        let off_allowed = Limits { min: Duration::ZERO, ..at_least_a_second };
        assert_eq!(off_allowed.parse("00:00:00"), Ok(Duration::ZERO));
    }

    #[test]
    fn whitespace_around_and_between_parts_is_ignored() {
        assert_eq!(secs("  1h30m \t"), 5400);
        assert_eq!(secs("1h 30m"), 5400);
        assert_eq!(secs("1 h 30 m"), 5400);
        assert_eq!(secs(" 00:30:00\n"), 1800);
        assert_eq!(problem("   "), Problem::Empty);
        assert_eq!(problem(""), Problem::Empty);
        assert_eq!(problem("00: 30:00"), Problem::Malformed, "no spaces inside a clock");
    }

    #[test]
    fn what_is_not_a_duration_is_named() {
        assert_eq!(problem("45"), Problem::NoUnit);
        assert_eq!(problem("1h30"), Problem::NoUnit);
        assert_eq!(problem("1y"), Problem::UnknownUnit("y".into()));
        assert_eq!(problem("3 fortnights"), Problem::UnknownUnit("fortnights".into()));
        assert_eq!(problem("1h1h"), Problem::RepeatedUnit("h"));
        assert_eq!(problem("1hour2h"), Problem::RepeatedUnit("h"));
        for malformed in ["m", "h30m", "-5m", "+5m", "1.5h", "1h,30m", "00:30", "1:2:3:4", "00:+1:00", "aa:bb:cc", "1:2:3", "x.01:00:00", "00:30:0"] {
            assert_eq!(problem(malformed), Problem::Malformed, "{malformed}");
        }
        for bad_field in ["00:60:00", "00:00:60", "1.24:00:00"] {
            assert_eq!(problem(bad_field), Problem::ClockField, "{bad_field}");
        }
    }

    #[test]
    fn overflow_is_refused_not_wrapped() {
        assert_eq!(secs(&format!("{}s", u64::MAX)), u64::MAX);
        for huge in [
            format!("{}w{}s", u64::MAX / 604_800, u64::MAX),
            format!("{}s", u128::from(u64::MAX) + 1),
            "99999999999999999999w".to_string(),
            format!("{}w", u64::MAX / 604_800 + 1),
            format!("{}:00:00", u64::MAX),
            format!("{}.00:00:00", u64::MAX),
        ] {
            assert_eq!(problem(&huge), Problem::Overflow, "{huge}");
        }
    }

    #[test]
    fn every_message_names_the_problem_and_the_forms() {
        for (text, words) in [
            ("", "empty"),
            ("45", "without a unit"),
            ("1y", "'y' is not a unit"),
            ("-5m", "not a duration"),
            ("99999999999999999999w", "too long"),
        ] {
            let message = parse(text).unwrap_err().to_string();
            assert!(message.contains(words) && message.contains("1h30m") && message.contains("hh:mm:ss"), "{text}: {message}");
        }
        assert!(parse("00:61:00").unwrap_err().to_string().contains("00 to 59"));
        assert!(parse("1h1h").unwrap_err().to_string().contains("twice"));
        let long = "1".repeat(100);
        assert!(parse(&long).unwrap_err().to_string().len() < 300, "the input is cut, not echoed whole");
    }

    #[test]
    fn limits_refuse_with_the_settings_words_and_style() {
        let cache = Limits { min: Duration::ZERO, max: Duration::from_secs(168 * 3600), why_max: "7 days", style: Style::Clock };
        assert_eq!(cache.parse("168:00:00"), Ok(Duration::from_secs(604_800)));
        assert_eq!(cache.parse("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(cache.parse("168:00:01").unwrap_err().to_string(), "A duration of '168:00:01' is longer than 168:00:00 (7 days): choose 168:00:00 or less");
        let ttl = Limits { min: Duration::from_secs(60), max: Duration::from_secs(730 * 86_400), why_max: "two years", style: Style::Units };
        assert_eq!(ttl.parse("731d").unwrap_err().problem(), &Problem::TooLong { max: "730d".into(), why: "two years" });
        assert_eq!(ttl.parse("30s").unwrap_err().to_string(), "A duration of '30s' is shorter than 1m: give at least 1m");
        assert!(ttl.parse("1y").unwrap_err().to_string().contains("not a duration"), "grammar errors come first");
    }

    #[test]
    fn formatting_is_exact_and_round_trips() {
        assert_eq!(format(Duration::ZERO), "0s");
        assert_eq!(format(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format(Duration::from_secs(604_800)), "7d");
        assert_eq!(format(Duration::from_secs(90_061)), "1d1h1m1s");
        assert_eq!(format(Duration::from_millis(1_500)), "1s");
        assert_eq!(format_clock(Duration::ZERO), "00:00:00");
        assert_eq!(format_clock(Duration::from_secs(3723)), "01:02:03");
        assert_eq!(format_clock(Duration::from_secs(604_800)), "168:00:00");
        for s in [0, 1, 59, 60, 900, 3600, 5400, 86_400, 604_800, 90_061, 63_072_000, u64::MAX] {
            let d = Duration::from_secs(s);
            assert_eq!(parse(&format(d)), Ok(d), "{s}");
            assert_eq!(parse(&format_clock(d)), Ok(d), "{s}");
        }
    }
}
