//! Fault injection on the Graph routes: added latency, throttling (429 with
//! `Retry-After` and Graph's `TooManyRequests` body) and unavailability (503
//! with `Retry-After`), chosen by a seeded draw per request so a sequential
//! test sees the same faults on every run, and lost answers (504 after the
//! work was done, counted down). The identity endpoints and
//! `/_emulator` are never faulted; the outer `$batch` request is not either
//! (its items are, one by one, as Graph evaluates them).
//!
//! **Early retries.** Per client (the token's `azp`/`appid`, else "anonymous")
//! the tenant remembers until when it asked it to stay away: when a 429 or 503
//! carrying a `Retry-After` is *delivered* (the end of that answer's injected
//! latency, i.e. when it leaves the middleware), the client must stay away until
//! `delivered_at + Retry-After` (the later of all such deadlines). A request is
//! judged when it *arrives*, before any injected latency: it is an early retry
//! if it arrives at or after a delivery and before that delivery's deadline.
//! Requests that arrived before the 429 was delivered (in flight, or waiting
//! out their latency) are never early, whatever their timing, because the
//! client could not have known.
//!
//! "Arrived" is when the tenant reads the request, which on a loaded machine can
//! be well after the client sent it: a request sent on another connection just
//! before the 429 reached the client may be read just after it was delivered.
//! So a delivery counts at once only against its own HTTP/1 connection (which
//! carries one request at a time: the next one on it was sent after the answer
//! was read), and against the client's other connections (and HTTP/2 streams)
//! from [`CROSS_CONNECTION_SLACK`] after it. A client that ignores `Retry-After`
//! is still caught: an immediate retry on the same connection at once, a
//! retry on another one for all but the first 200 ms of the window. An early retry is counted in the stats and,
//! while throttling is on, throttled again. A batch item's 429/503 is
//! delivered with the outer `$batch` answer (the middleware reads the item
//! statuses and `Retry-After`s from it); batch items themselves are not
//! judged (they arrive together, inside their `$batch`), the outer `$batch` is.
//!
//! **Limited faults.** `only_paths` (substrings of the request's path below
//! `/v1.0`, e.g. `removePassword`) and `only_methods` (e.g. `POST`) narrow the
//! per-request faults (latency, 429, 503, the re-throttling of early
//! retries, and lost answers) to the matching requests; the others pass untouched and do not
//! advance the seeded draw, so "every request of the revocation" sees the same
//! pattern whatever else runs beside it. Empty lists match every request. The
//! token-expiry faults (`expire_skip_tokens`, `expire_delta_tokens`) are not
//! narrowed.
//!
//! **Lost answers.** `lose_answers: N` makes the next N Graph requests that the
//! filters above select *carried out* and then answered `504 Gateway Timeout`
//! instead of their real answer, as when a gateway gives up on a service that did
//! the work: an addPassword answered 504 has still added its secret. A count, not
//! a fraction, so a test knows exactly which request loses its answer; it counts
//! down (`GET {emulator}/faults` shows what is left) and is taken when a request
//! arrives (after its latency, and only if it is not answered 429/503, which do
//! nothing), so concurrent requests take it in arrival order. The body is the
//! one Graph is observed to send with a 504 (the code `UnknownError`, an empty
//! message; G:concepts/errors.md documents the status but no body). A batch item
//! can lose its answer (a 504 item inside the 200 `$batch`); the outer `$batch`
//! cannot.
//!
//! **Conditional Access.** `require_auth_context: "c1"` makes Graph require that authentication
//! context of people's tokens (their `acrs` claim) for the requests `only_paths`/`only_methods`
//! select, as a policy on a protected action does: a token without it is answered 401 with a
//! claims challenge, before any other fault (`conditional_access` has Graph's answer and the
//! sources). `null` lifts it. The authorize endpoint issues `acrs` to a sign-in that asks for it
//! in its `claims` parameter.
//!
//! **Graph's throttling model** (`throttling`: resource-unit buckets per app) is
//! not a random fault and is independent of these settings (`only_paths` and
//! `only_methods` do not narrow it); it is switched through the same control route,
//! so [`FaultsPatch`] also carries `graph_throttling` and `graph_throttling_limit`.
//! Its 429s are delivered through [`FaultState::delivered`] like the random ones,
//! so a client that comes back before their `Retry-After` is an early retry too
//! (the model, not the random draw, then decides whether it is throttled again).
//!
//! This module holds the settings and the seeded decisions; the Graph
//! middleware that applies them to requests is in `middleware`.

use super::stats::Stats;
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
    /// Every delta link (`$deltatoken`, except `latest`) answers 410 Gone
    /// `syncStateNotFound` while set, as an expired one does after 7 days.
    pub expire_delta_tokens: bool,
    /// Latency, 429s, 503s and lost answers only for requests whose path below `/v1.0`
    /// contains one of these (e.g. `removePassword`, `/revokeSignInSessions`); empty: every
    /// Graph request.
    pub only_paths: Vec<String>,
    /// Latency, 429s, 503s and lost answers only for these methods (`POST`, `PATCH`, …,
    /// any case); empty: every method.
    pub only_methods: Vec<String>,
    /// The next this-many Graph requests that `only_paths`/`only_methods` select are carried
    /// out, then answered 504 instead of their result (counts down; see the module doc).
    pub lose_answers: u32,
    /// A Conditional Access requirement: the authentication context (`c1`–`c99`) a person's
    /// token must carry in `acrs` for the requests `only_paths`/`only_methods` select; without
    /// it Graph answers 401 with a claims challenge (`conditional_access`). `None`: no requirement.
    pub require_auth_context: Option<String>,
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
    expire_delta_tokens: Option<bool>,
    only_paths: Option<Vec<String>>,
    only_methods: Option<Vec<String>>,
    lose_answers: Option<u32>,
    /// Graph's throttling model on or off (`throttling`), beside the random faults.
    graph_throttling: Option<bool>,
    /// Its resource units per 10 s; `null` goes back to the limit by tenant size.
    #[serde(default, deserialize_with = "present")]
    graph_throttling_limit: Option<Option<u32>>,
    /// The authentication context Graph requires (`"c1"`); `null` lifts the requirement.
    #[serde(default, deserialize_with = "present")]
    require_auth_context: Option<Option<String>>,
}

/// A field that is present (`null` included) is `Some`; an absent one stays `None` by default.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl FaultsPatch {
    /// The throttling model's settings after this patch.
    pub fn throttling(&self, current: super::throttling::Settings) -> super::throttling::Settings {
        super::throttling::Settings {
            graph_throttling: self.graph_throttling.unwrap_or(current.graph_throttling),
            graph_throttling_limit: self.graph_throttling_limit.unwrap_or(current.graph_throttling_limit),
        }
    }
}

impl Faults {
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [("throttle_fraction", self.throttle_fraction), ("unavailable_fraction", self.unavailable_fraction)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0.0 and 1.0, not {v}"));
            }
        }
        if let Some(context) = self.require_auth_context.as_deref().filter(|c| !super::conditional_access::is_auth_context(c)) {
            return Err(format!("require_auth_context must be an authentication context ID from c1 to c99, not '{context}'"));
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
            expire_delta_tokens: patch.expire_delta_tokens.unwrap_or(self.expire_delta_tokens),
            only_paths: patch.only_paths.unwrap_or_else(|| self.only_paths.clone()),
            only_methods: patch.only_methods.unwrap_or_else(|| self.only_methods.clone()),
            lose_answers: patch.lose_answers.unwrap_or(self.lose_answers),
            require_auth_context: patch.require_auth_context.unwrap_or_else(|| self.require_auth_context.clone()),
        }
    }

    /// Whether the per-request faults apply to `method path` (path below `/v1.0`).
    pub fn applies_to(&self, method: &str, path: &str) -> bool {
        let path_ok = self.only_paths.is_empty() || self.only_paths.iter().any(|p| path.contains(p.as_str()));
        let method_ok = self.only_methods.is_empty() || self.only_methods.iter().any(|m| m.trim().eq_ignore_ascii_case(method));
        path_ok && method_ok
    }
}

/// Marks a request as an item of a `$batch` (set by the batch handler).
#[derive(Debug, Clone, Copy)]
pub struct BatchItem;

/// What happens to one request (see [`FaultState::decide`]).
pub(super) enum Decision {
    Pass,
    Throttle(RetryAfter),
    Unavailable(RetryAfter),
}

/// How long after a 429/503 is delivered a request read on another connection counts as
/// sent with it in hand: longer than a request sent just before the answer arrived waits
/// unread on a busy machine (two cores running a test binary's tests side by side), much
/// shorter than the `Retry-After`s Graph sends (seconds).
pub const CROSS_CONNECTION_SLACK: Duration = Duration::from_millis(200);

/// Who sent a request: the client app (the token's `azp`/`appid`, else "anonymous") and,
/// for an HTTP/1 request, its connection (the peer's address), which carries one request
/// at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub client: String,
    pub connection: Option<std::net::SocketAddr>,
}

/// A 429/503 delivered to a client: when, on which connection, and until when it must stay away.
#[derive(Debug, Clone)]
struct Delivery {
    at: Instant,
    until: Instant,
    connection: Option<std::net::SocketAddr>,
}

impl Delivery {
    /// Had `caller` this answer when it sent a request read `now` (before `until`)?
    fn known_to(&self, caller: &Caller, now: Instant) -> bool {
        let same_connection = self.connection.is_some() && self.connection == caller.connection;
        now < self.until && (same_connection || now >= self.at + CROSS_CONNECTION_SLACK)
    }
}

/// The live fault state of a tenant.
pub struct FaultState {
    seed: u64,
    settings: Mutex<Faults>,
    counter: AtomicU64,
    /// Per client: the 429/503s delivered whose `Retry-After` is not over yet.
    come_back: Mutex<HashMap<String, Vec<Delivery>>>,
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

    /// Is a request from `caller`, arriving now, an early retry? Counts it if so.
    ///
    /// Call it at arrival, before any injected latency. Deliveries are only recorded
    /// when their answer leaves ([`FaultState::delivered`]), so every one seen here
    /// was delivered before this request was read; whether the client had it when it
    /// sent the request is judged as the module doc says.
    pub(super) fn early(&self, caller: &Caller, stats: &Stats) -> bool {
        let now = Instant::now();
        let mut map = self.come_back.lock().unwrap_or_else(|e| e.into_inner());
        let early = map.get_mut(&caller.client).is_some_and(|deliveries| {
            deliveries.retain(|d| now < d.until);
            deliveries.iter().any(|d| d.known_to(caller, now))
        });
        if early {
            stats.early_retry();
        }
        early
    }

    /// A 429/503 with `Retry-After: retry_after` seconds is being delivered to `caller` now:
    /// it must stay away until now + `retry_after`.
    pub(super) fn delivered(&self, caller: &Caller, retry_after: f64) {
        let at = Instant::now();
        let until = at + Duration::from_secs_f64(retry_after.clamp(0.0, 3600.0));
        let mut map = self.come_back.lock().unwrap_or_else(|e| e.into_inner());
        let deliveries = map.entry(caller.client.clone()).or_default();
        deliveries.retain(|d| at < d.until);
        deliveries.push(Delivery { at, until, connection: caller.connection });
    }

    /// Whether the answer of a request (`method path`, path below `/v1.0`) that is about to
    /// be carried out is lost: takes one from `lose_answers` if the faults apply to it.
    pub(super) fn take_lost_answer(&self, method: &str, path: &str, stats: &Stats) -> bool {
        let mut s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        let lose = s.lose_answers > 0 && s.applies_to(method, path);
        if lose {
            s.lose_answers -= 1;
            stats.lost_answer();
        }
        lose
    }

    /// The fault for the next request (`method path`, path below `/v1.0`): none unless the
    /// faults apply to it ([`Faults::applies_to`]); else throttled if `early` (judged at its
    /// arrival) while throttling is on, else by the seeded draw. Records nothing about the
    /// client: the caller calls [`FaultState::delivered`] when the answer leaves.
    pub(super) fn decide(&self, method: &str, path: &str, early: bool, stats: &Stats) -> Decision {
        let s = self.settings();
        if !s.applies_to(method, path) {
            return Decision::Pass;
        }
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let throttle = s.throttle_fraction > 0.0 && (early || self.draw(n, 1) < s.throttle_fraction);
        let unavailable = !throttle && s.unavailable_fraction > 0.0 && self.draw(n, 2) < s.unavailable_fraction;
        if throttle {
            stats.throttled();
            Decision::Throttle(s.retry_after)
        } else if unavailable {
            stats.unavailable();
            Decision::Unavailable(s.retry_after)
        } else {
            Decision::Pass
        }
    }
}

/// The largest `Retry-After` (seconds) of the items of a `$batch` answer body that were
/// answered 429 or 503, if any.
pub(super) fn batch_retry_after(body: &[u8]) -> Option<f64> {
    #[derive(Deserialize)]
    struct Outer {
        responses: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        status: u16,
        #[serde(default)]
        headers: HashMap<String, serde_json::Value>,
    }
    let outer: Outer = serde_json::from_slice(body).ok()?;
    outer
        .responses
        .iter()
        .filter(|i| matches!(i.status, 429 | 503))
        .filter_map(|i| i.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after")).and_then(|(_, v)| v.as_str()?.trim().parse::<f64>().ok()))
        .filter(|s| s.is_finite())
        .reduce(f64::max)
}
