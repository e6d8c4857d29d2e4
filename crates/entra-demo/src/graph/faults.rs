//! Fault injection on the Graph routes: added latency, throttling (429 with
//! `Retry-After` and Graph's `TooManyRequests` body) and unavailability (503
//! with `Retry-After`), chosen by a seeded draw per request so a sequential
//! test sees the same faults on every run. The identity endpoints and
//! `/_emulator` are never faulted; the outer `$batch` request is not either
//! (its items are, one by one, as Graph evaluates them).
//!
//! Per client (the token's `azp`/`appid`, else "anonymous") the tenant
//! remembers until when it asked it to stay away; a request arriving before
//! that is an *early retry*: counted in the stats and, while throttling is
//! on, throttled again. Batch items are not checked (they arrive together);
//! the outer `$batch` is.

use super::stats::Stats;
use super::GraphRequest;
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A `Retry-After` value in seconds, integer or decimal, sent as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct RetryAfter(String);

impl RetryAfter {
    pub fn seconds(&self) -> f64 {
        self.0.parse().unwrap_or(0.0)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for RetryAfter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && (0.0..=3600.0).contains(&v) && !s.starts_with('+') => Ok(RetryAfter(s.to_string())),
            _ => Err(format!("retry_after must be a number of seconds from 0 to 3600 (integer or decimal), not '{s}'")),
        }
    }
}

impl<'de> Deserialize<'de> for RetryAfter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let s = match &v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(serde::de::Error::custom("retry_after must be a number or a string")),
        };
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Default for RetryAfter {
    fn default() -> Self {
        RetryAfter("1".to_string())
    }
}

/// The faults of a running tenant (`DemoOptions::faults`, `POST /_emulator/faults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every Graph request (and every batch item).
    pub latency_ms: u64,
    /// Share of Graph requests answered 429 (0.0–1.0).
    pub throttle_fraction: f64,
    /// `Retry-After` of 429 and 503 answers, in seconds. Default 1.
    pub retry_after: RetryAfter,
    /// Share of Graph requests answered 503 (0.0–1.0).
    pub unavailable_fraction: f64,
    /// Every `$skiptoken` answers `Directory_ExpiredPageToken` while set.
    pub expire_skip_tokens: bool,
}

/// A partial update: absent fields keep their value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsPatch {
    latency_ms: Option<u64>,
    throttle_fraction: Option<f64>,
    retry_after: Option<RetryAfter>,
    unavailable_fraction: Option<f64>,
    expire_skip_tokens: Option<bool>,
}

impl Faults {
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [("throttle_fraction", self.throttle_fraction), ("unavailable_fraction", self.unavailable_fraction)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0.0 and 1.0, not {v}"));
            }
        }
        Ok(())
    }

    pub fn apply(&self, patch: FaultsPatch) -> Faults {
        Faults {
            latency_ms: patch.latency_ms.unwrap_or(self.latency_ms),
            throttle_fraction: patch.throttle_fraction.unwrap_or(self.throttle_fraction),
            retry_after: patch.retry_after.unwrap_or_else(|| self.retry_after.clone()),
            unavailable_fraction: patch.unavailable_fraction.unwrap_or(self.unavailable_fraction),
            expire_skip_tokens: patch.expire_skip_tokens.unwrap_or(self.expire_skip_tokens),
        }
    }
}

/// Marks a request as an item of a `$batch` (set by the batch handler).
#[derive(Debug, Clone, Copy)]
pub struct BatchItem;

enum Decision {
    Pass,
    Throttle(RetryAfter),
    Unavailable(RetryAfter),
}

/// The live fault state of a tenant.
pub struct FaultState {
    seed: u64,
    settings: Mutex<Faults>,
    counter: AtomicU64,
    /// Per client: when it may come back.
    come_back: Mutex<HashMap<String, Instant>>,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl FaultState {
    pub fn new(seed: u64, settings: Faults) -> Self {
        Self { seed, settings: Mutex::new(settings), counter: AtomicU64::new(0), come_back: Mutex::new(HashMap::new()) }
    }

    pub fn settings(&self) -> Faults {
        self.settings.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the settings; the draw sequence restarts so a test that sets
    /// faults sees the same pattern every run.
    pub fn set(&self, faults: Faults) {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner()) = faults;
        self.counter.store(0, Ordering::SeqCst);
    }

    /// A uniform draw in [0, 1) for the n-th request.
    fn draw(&self, n: u64, salt: u64) -> f64 {
        (splitmix(self.seed ^ splitmix(n.wrapping_mul(2).wrapping_add(salt))) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Is this request from `client` an early retry? Counts it if so.
    fn early(&self, client: &str, stats: &Stats) -> bool {
        let map = self.come_back.lock().unwrap_or_else(|e| e.into_inner());
        let early = map.get(client).is_some_and(|until| Instant::now() < *until);
        if early {
            stats.early_retry();
        }
        early
    }

    fn decide(&self, client: &str, batch_item: bool, stats: &Stats) -> Decision {
        let s = self.settings();
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let early = !batch_item && self.early(client, stats);
        let throttle = s.throttle_fraction > 0.0 && (early || self.draw(n, 1) < s.throttle_fraction);
        let unavailable = !throttle && s.unavailable_fraction > 0.0 && self.draw(n, 2) < s.unavailable_fraction;
        if !throttle && !unavailable {
            return Decision::Pass;
        }
        let until = Instant::now() + Duration::from_secs_f64(s.retry_after.seconds());
        let mut map = self.come_back.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(client.to_string()).or_insert(until);
        *entry = (*entry).max(until);
        if throttle {
            stats.throttled();
            Decision::Throttle(s.retry_after)
        } else {
            stats.unavailable();
            Decision::Unavailable(s.retry_after)
        }
    }
}

/// The calling app, read (unverified) from the bearer token: `azp` or `appid`.
fn client_of(request: &Request) -> String {
    use base64::Engine;
    let claims = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_whitespace().nth(1))
        .and_then(|t| t.split('.').nth(1))
        .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    claims
        .and_then(|c| c.get("azp").or_else(|| c.get("appid")).and_then(|v| v.as_str()).map(str::to_string))
        .unwrap_or_else(|| "anonymous".to_string())
}

/// The middleware of the Graph router: counts the request, then applies faults.
pub async fn layer(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let batch_item = request.extensions().get::<BatchItem>().is_some();
    let path = request.uri().path().strip_prefix("/v1.0").unwrap_or(request.uri().path()).to_string();
    state.stats.record(request.method().as_str(), &path);
    let client = client_of(&request);
    if path == "/$batch" {
        state.faults.early(&client, &state.stats);
        return next.run(request).await;
    }
    let latency = state.faults.settings().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let graph = GraphRequest::from_headers(request.headers());
    let (status, retry_after, body) = match state.faults.decide(&client, batch_item, &state.stats) {
        Decision::Pass => return next.run(request).await,
        Decision::Throttle(after) => (StatusCode::TOO_MANY_REQUESTS, after, throttled_body(&state, &graph)),
        Decision::Unavailable(after) => {
            let mut response = graph.error(&state, StatusCode::SERVICE_UNAVAILABLE, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after the time in the Retry-After header.");
            if let Ok(v) = HeaderValue::from_str(after.as_str()) {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            return response;
        }
    };
    let mut response = graph.json(status, body);
    if let Ok(v) = HeaderValue::from_str(retry_after.as_str()) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    response.into_response()
}

/// Graph's 429 body (concepts/throttling.md), with `client-request-id` too.
fn throttled_body(state: &Shared, graph: &GraphRequest) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "code": "TooManyRequests",
            "message": "Please retry again later.",
            "innerError": {
                "code": "429",
                "date": state.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "message": "Please retry after",
                "request-id": graph.request_id,
                "client-request-id": graph.client_request_id,
                "status": "429"
            }
        }
    })
}
