//! What Graph's answers say about the budget, read and weighed for [`super::Pacer`]: the
//! [`Report`] of one answer or `$batch` item, the route template a cost is learned under, and
//! the bucket's [`Capacity`] learned from the percentages.

use super::PacingPolicy;
use reqwest::header::HeaderMap;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

/// The header with the cost of the request it answers.
pub const RESOURCE_UNIT: &str = "x-ms-resource-unit";
/// The header with the fraction of the limit used, sent above 80 %.
pub const LIMIT_PERCENTAGE: &str = "x-ms-throttle-limit-percentage";
/// The header saying why a 429 was sent.
pub const THROTTLE_INFORMATION: &str = "x-ms-throttle-information";
const LIMIT_EXCEEDED: &str = "ResourceUnitLimitExceeded";
/// Graph sends the percentage only above this fraction.
pub(super) const REPORTED_ABOVE: f64 = 0.8;

/// What one answer (or one `$batch` item) said about the budget.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Report {
    pub(super) units: Option<f64>,
    pub(super) percentage: Option<f64>,
    pub(super) throttled: bool,
    pub(super) limit_exceeded: bool,
}

impl Report {
    /// Reads the headers through `header` (a lookup by lower-case name).
    pub(crate) fn read<'a>(status: u16, header: impl Fn(&str) -> Option<&'a str>) -> Report {
        let number = |name| header(name).and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0);
        Report {
            units: number(RESOURCE_UNIT).filter(|u| *u <= 1_000_000.0),
            percentage: number(LIMIT_PERCENTAGE).filter(|p| *p > 0.0 && *p <= 10.0),
            throttled: status == 429,
            limit_exceeded: status == 429 && header(THROTTLE_INFORMATION).is_some_and(|v| v.contains(LIMIT_EXCEEDED)),
        }
    }

    pub(crate) fn from_headers(status: u16, headers: &HeaderMap) -> Report {
        Report::read(status, |name| headers.get(name).and_then(|v| v.to_str().ok()))
    }
}

/// The route template of a request: `GET applications/{id}/owners?$select`.
pub(crate) fn route(method: &str, relative: &str) -> String {
    let relative = relative.trim_start_matches('/');
    let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(template_segment).collect();
    let mut options: Vec<String> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .map(|name| percent_encoding::percent_decode_str(name).decode_utf8_lossy().to_ascii_lowercase())
        .filter(|name| name.starts_with('$') && !matches!(name.as_str(), "$skiptoken" | "$deltatoken" | "$skip"))
        .collect();
    options.sort();
    options.dedup();
    let mut out = format!("{} {}", method.to_ascii_uppercase(), segments.join("/"));
    if !options.is_empty() {
        out = format!("{out}?{}", options.join(","));
    }
    out
}

fn template_segment(segment: &str) -> String {
    if let Some((name, rest)) = segment.split_once('(') {
        // `applications(appId='…')` keys by value; `delta()` is a function with no argument.
        return if rest.starts_with(')') { segment.to_string() } else { format!("{name}({{id}})") };
    }
    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
    let is_id = uuid::Uuid::parse_str(&decoded).is_ok() || decoded.contains('@') || decoded.bytes().all(|b| b.is_ascii_digit());
    if is_id {
        "{id}".to_string()
    } else {
        segment.to_string()
    }
}

/// How far back the readings that teach the capacity may reach.
const EVIDENCE_KEPT: u32 = 3;

/// The bucket's capacity, learned from Graph's readings (`x-ms-throttle-limit-percentage`).
///
/// Graph's bucket of capacity `C` refills at `C` per window `W`. Between two readings `p₀` at
/// `t₀` and `p` at `t`, with `S` units charged in between and the bucket never full in between
/// (every answer in between said its percentage, so the bucket stayed above 80 % used):
/// `p·C = p₀·C + S − C·(t − t₀)/W`, so `C = S / (p − p₀ + (t − t₀)/W)`. That *pair* estimate
/// is taken once the two readings are half a window apart (the percentages have two decimals:
/// over half a window the error stays within a few percent).
///
/// Before a pair exists, a *bound*: whatever the bucket held before, its use at `t` is at
/// least what we spent since any `s` less what it refilled since, so
/// `C ≥ S(s, t) / (p + (t − s)/W)` for every `s` in the units we saw answered. The largest of
/// those is exact when the bucket was full when we began (a first burst), and low, the safe
/// side, when someone else had spent some of it.
///
/// Graph charged a request somewhere between the moment it was sent and the moment its answer
/// came back, so each span `t − s` is taken from the earlier one's sending to the later one's
/// answer: the longest it can have been, which leans the estimate low.
#[derive(Debug, Default)]
pub(super) struct Capacity {
    pub(super) value: Option<f64>,
    /// Units answered (sent, answered, units), oldest answer first: the evidence of the bound.
    answered: VecDeque<(SystemTime, SystemTime, f64)>,
    /// Readings since Graph last said it was under 80 %: (sent, percentage, units spent by then).
    chain: VecDeque<(SystemTime, f64, f64)>,
}

impl Capacity {
    fn prune(&mut self, now: SystemTime, window: Duration) {
        let kept = window * EVIDENCE_KEPT;
        let old = |at: SystemTime| now.duration_since(at).unwrap_or_default() > kept;
        while self.answered.front().is_some_and(|(_, at, _)| old(*at)) {
            self.answered.pop_front();
        }
        while self.chain.front().is_some_and(|(at, _, _)| old(*at)) {
            self.chain.pop_front();
        }
    }

    /// Units Graph charged for a request sent at `sent`, answered now.
    pub(super) fn charged(&mut self, sent: SystemTime, now: SystemTime, units: f64, window: Duration) {
        self.prune(now, window);
        self.answered.push_back((sent, now, units));
    }

    /// An answer said the bucket is under 80 % used: the readings before it say nothing of the
    /// ones after (the bucket may have been full in between).
    pub(super) fn under(&mut self) {
        self.chain.clear();
    }

    /// A reading `p` of a request sent at `sent` (fresh, in order), answered now, with `spent`
    /// units spent in all.
    pub(super) fn reading(&mut self, sent: SystemTime, now: SystemTime, p: f64, spent: f64, policy: &PacingPolicy) {
        self.prune(now, policy.window);
        let w = policy.window.as_secs_f64();
        let since = |at: SystemTime| now.duration_since(at).unwrap_or_default().as_secs_f64();
        let pair = self.chain.iter().find(|(at, _, _)| since(*at) >= w / 2.0).map(|&(at, p0, s0)| (spent - s0) / (p - p0 + since(at) / w));
        let (mut sum, mut first_sent) = (0.0, now);
        let bound = self.answered.iter().rev().map(|&(sent, _, units)| {
            sum += units;
            first_sent = first_sent.min(sent);
            sum / (p + since(first_sent) / w)
        });
        let bound = bound.fold(f64::NAN, f64::max);
        let credible = |c: &f64| c.is_finite() && *c >= policy.min_limit;
        let (pair, bound) = (pair.filter(credible), Some(bound).filter(credible));
        // A pair measures; a bound only ever raises what is believed.
        self.value = match (pair, bound) {
            (Some(pair), bound) => Some(bound.map_or(pair, |b| b.max(pair))),
            (None, Some(bound)) => Some(self.value.map_or(bound, |v| v.max(bound))),
            (None, None) => self.value,
        };
        self.chain.push_back((sent, p, spent));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_replace_ids_and_keep_the_options_that_change_the_cost() {
        let id = "8a0f4fb2-2b4c-4c3e-9a4b-0b2e7c1d9f00";
        assert_eq!(route("get", &format!("/applications/{id}/owners?$select=id&$top=5")), "GET applications/{id}/owners?$select,$top");
        assert_eq!(route("GET", "users/adele@contoso.com"), route("GET", "users/megan%40contoso.com"));
        assert_eq!(route("GET", "groups/delta()?$skiptoken=abc&%24select=id"), "GET groups/delta()?$select");
        assert_eq!(route("GET", "applications(appId='123')"), "GET applications({id})");
        assert_eq!(route("POST", "$batch"), "POST $batch");
    }

    #[test]
    fn reports_read_graphs_headers_and_refuse_nonsense() {
        let headers = |h: &[(&str, &str)]| h.iter().map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap())).collect::<HeaderMap>();
        let r = Report::from_headers(200, &headers(&[(RESOURCE_UNIT, "3"), (LIMIT_PERCENTAGE, "0.85")]));
        assert_eq!((r.units, r.percentage, r.limit_exceeded), (Some(3.0), Some(0.85), false));
        let r = Report::from_headers(429, &headers(&[(THROTTLE_INFORMATION, "ResourceUnitLimitExceeded"), (LIMIT_PERCENTAGE, "NaN")]));
        assert_eq!((r.units, r.percentage, r.limit_exceeded), (None, None, true));
        assert_eq!(Report::from_headers(200, &headers(&[(RESOURCE_UNIT, "-1")])).units, None);
    }

    fn at(secs: f64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_000) + Duration::from_secs_f64(secs)
    }

    #[test]
    fn a_first_burst_bounds_the_capacity_and_a_pair_of_readings_measures_it() {
        let policy = PacingPolicy { min_limit: 50.0, ..PacingPolicy::default() };
        let mut c = Capacity::default();
        // A full bucket of 1,000 refilled at 100 a second: 90 units every 0.1 s from 0.1 s to
        // 1.2 s spend 1,080, less 110 refilled: 970 used, 97 %.
        let mut spent = 0.0;
        for i in 1..=12 {
            spent += 90.0;
            c.charged(at(i as f64 * 0.1), at(i as f64 * 0.1), 90.0, policy.window);
        }
        c.reading(at(1.2), at(1.2), 0.97, spent, &policy);
        let bound = c.value.unwrap();
        assert!((bound - 1000.0).abs() < 10.0, "exact from a full start: {bound}");
        // Half a window later, 400 more spent and 500 refilled: 87 %.
        spent += 400.0;
        c.charged(at(6.2), at(6.2), 400.0, policy.window);
        c.reading(at(6.2), at(6.2), 0.87, spent, &policy);
        assert!((c.value.unwrap() - 1000.0).abs() < 1.0, "the pair: {:?}", c.value);
        // Someone else had spent 300 before we began: 600 more make 90 %, and the bound leans
        // low (667), the safe side.
        let mut c = Capacity::default();
        c.charged(at(1.0), at(1.0), 600.0, policy.window);
        c.reading(at(1.0), at(1.0), 0.9, 600.0, &policy);
        assert!((c.value.unwrap() - 666.7).abs() < 1.0, "{:?}", c.value);
        // 6 s later, 600 more: 90 % again. The pair would say 1,000, but an answer under 80 %
        // came in between (the bucket may have been full): only the bound (800) is believed.
        c.under();
        c.charged(at(7.0), at(7.0), 600.0, policy.window);
        c.reading(at(7.0), at(7.0), 0.9, 1200.0, &policy);
        assert!((c.value.unwrap() - 800.0).abs() < 1.0, "{:?}", c.value);
        assert_eq!(Capacity::default().value, None);
    }
}
