//! Request counts of the Graph routes, by method and route template
//! (`GET /v1.0/applications/{id}/owners`): object ids become `{id}` and
//! alternate keys `(appId='{appId}')`. Each `$batch` counts once as
//! `POST /v1.0/$batch` and each of its items under its own template; `total`
//! counts both. Served at `GET {emulator}/stats`.
//!
//! While Graph's throttling model is on (`throttling`), `resource_units` and
//! `write_units` add up what the requests it admitted were charged, and
//! `throttled_by_limit` counts its 429s, which `throttled` counts too (every 429 sent,
//! by the random faults or by the model).

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct StatsSnapshot {
    pub total: u64,
    pub requests: BTreeMap<String, u64>,
    pub throttled: u64,
    pub unavailable: u64,
    pub early_retries: u64,
    /// Requests carried out whose answer was replaced by a 504 (the `lose_answers` fault).
    #[serde(default)]
    pub lost_answers: u64,
    /// Resource units charged by the throttling model (refused requests are not charged).
    #[serde(default)]
    pub resource_units: u64,
    /// Write units charged by the throttling model.
    #[serde(default)]
    pub write_units: u64,
    /// 429s of the throttling model (`ResourceUnitLimitExceeded`, `WriteLimitExceeded`),
    /// also counted in `throttled`.
    #[serde(default)]
    pub throttled_by_limit: u64,
}

#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<StatsSnapshot>,
}

impl Stats {
    fn with(&self, f: impl FnOnce(&mut StatsSnapshot)) {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()));
    }
    pub fn record(&self, method: &str, path: &str) {
        let key = format!("{method} {}", template(path));
        self.with(|s| {
            s.total += 1;
            *s.requests.entry(key).or_default() += 1;
        });
    }
    pub fn throttled(&self) {
        self.with(|s| s.throttled += 1);
    }
    pub fn unavailable(&self) {
        self.with(|s| s.unavailable += 1);
    }
    pub fn lost_answer(&self) {
        self.with(|s| s.lost_answers += 1);
    }
    /// A request admitted by the throttling model was charged this much.
    pub fn charged(&self, resource_units: u32, write_units: u32) {
        self.with(|s| {
            s.resource_units += u64::from(resource_units);
            s.write_units += u64::from(write_units);
        });
    }
    /// The throttling model refused a request (a 429, counted in `throttled` too).
    pub fn throttled_by_limit(&self) {
        self.with(|s| {
            s.throttled += 1;
            s.throttled_by_limit += 1;
        });
    }
    pub fn early_retry(&self) {
        self.with(|s| s.early_retries += 1);
    }
    pub fn snapshot(&self) -> StatsSnapshot {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub fn reset(&self) {
        self.with(|s| *s = StatsSnapshot::default());
    }
}

/// `/applications/6f…/owners` → `/v1.0/applications/{id}/owners`.
pub fn template(path: &str) -> String {
    let path = path.strip_prefix("/v1.0").unwrap_or(path);
    let mut out = String::from("/v1.0");
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        if uuid::Uuid::parse_str(segment).is_ok() {
            out.push_str("{id}");
        } else if let Some((name, _)) = segment.split_once("(appId=") {
            out.push_str(&format!("{name}(appId='{{appId}}')"));
        } else {
            out.push_str(segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates() {
        assert_eq!(super::template("/applications/6f3b1c1e-0000-4000-8000-000000000001/owners"), "/v1.0/applications/{id}/owners");
        assert_eq!(super::template("/v1.0/applications(appId='x')/addPassword"), "/v1.0/applications(appId='{appId}')/addPassword");
        assert_eq!(super::template("/$batch"), "/v1.0/$batch");
    }
}
