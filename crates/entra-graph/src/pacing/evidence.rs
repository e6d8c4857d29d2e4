//! What Graph's answers say about the budget, read and weighed for [`super::Pacer`]: the
//! [`Report`] of one answer or `$batch` item, the route template a cost is learned under, and
//! the [`Limit`] learned from the percentages, the 429s and the answers under 80 %.

use super::PacingPolicy;
use reqwest::header::HeaderMap;
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
/// How far the limit may rise in one window of evidence.
const RISE_PER_WINDOW: f64 = 1.10;

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

/// The learned limit and the evidence of the current window.
#[derive(Debug, Default)]
pub(super) struct Limit {
    pub(super) value: Option<f64>,
    period_start: Option<SystemTime>,
    /// The lowest estimate of the period (never above `value` once it lowered it).
    lowest: Option<f64>,
    /// The highest floor of the period (answers under 80 %).
    floor: Option<f64>,
}

impl Limit {
    pub(super) fn estimate(&mut self, estimate: f64, now: SystemTime, policy: &PacingPolicy) {
        if estimate.is_nan() || estimate < policy.min_limit {
            return;
        }
        self.lowest = Some(self.lowest.map_or(estimate, |l| l.min(estimate)));
        if self.value.is_none_or(|v| estimate < v) {
            self.value = Some(estimate);
        }
        self.period_start.get_or_insert(now);
    }

    pub(super) fn floor(&mut self, floor: f64) {
        if self.value.is_some() {
            self.floor = Some(self.floor.map_or(floor, |f| f.max(floor)));
        }
    }

    /// Once a window of evidence is in: rises toward what all of it said, by 10 % at most.
    pub(super) fn settle_period(&mut self, now: SystemTime, window: Duration) {
        let (Some(value), Some(start)) = (self.value, self.period_start) else { return };
        if now.duration_since(start).unwrap_or_default() < window {
            return;
        }
        if let Some(target) = self.lowest.or(self.floor).filter(|t| *t > value) {
            self.value = Some(target.min(value * RISE_PER_WINDOW));
        }
        (self.lowest, self.floor, self.period_start) = (None, None, Some(now));
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

    #[test]
    fn the_limit_falls_at_once_and_rises_slowly_on_a_whole_window_of_evidence() {
        let policy = PacingPolicy::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut limit = Limit::default();
        limit.estimate(100.0, t0, &policy);
        assert_eq!(limit.value, None, "under min_limit: not credible");
        limit.estimate(4000.0, t0, &policy);
        limit.estimate(3600.0, t0, &policy);
        assert_eq!(limit.value, Some(3600.0), "the lowest, at once");
        limit.settle_period(t0 + Duration::from_secs(10), policy.window);
        limit.estimate(5000.0, t0 + Duration::from_secs(11), &policy);
        limit.estimate(4800.0, t0 + Duration::from_secs(12), &policy);
        limit.settle_period(t0 + Duration::from_secs(15), policy.window);
        assert_eq!(limit.value, Some(3600.0), "not before the window is over");
        limit.settle_period(t0 + Duration::from_secs(20), policy.window);
        assert!(limit.value.is_some_and(|v| (v - 3960.0).abs() < 1e-6), "10 % toward the lowest of the window: {limit:?}");
        limit.floor(5000.0);
        limit.estimate(3900.0, t0 + Duration::from_secs(25), &policy);
        limit.settle_period(t0 + Duration::from_secs(30), policy.window);
        assert_eq!(limit.value, Some(3900.0), "a lower estimate wins over a floor");
    }
}
