//! Graph's throttling model for identity and access (REFERENCE §6, from
//! G:concepts/throttling-limits.md): a token bucket of *resource units* per client
//! app and tenant, a write quota beside it, the cost of each request, and the
//! headers Graph sends about them. Off unless `graph_throttling` is on
//! (`DemoOptions::graph_throttling`, `POST {emulator}/faults`); it is independent
//! of the random faults of `faults` (which may still answer 429/503 on their own).
//! The middleware (`middleware`) charges every Graph request through [`Throttling::charge`].
//!
//! **Buckets.** Per client app (the token's `azp`/`appid`, the key the early-retry
//! accounting of `faults` uses; "anonymous" without a readable token) of this one
//! tenant:
//! - resource units: capacity per 10 s by tenant size — fewer than 50 users 3,500,
//!   50–500 users 5,000, more than 500 users 8,000 (the tenant's users at start:
//!   users do not change) — or `graph_throttling_limit` when set (for tests and
//!   benchmarks); refilled continuously at capacity/10 per second, starting full;
//! - writes: 3,000 write units per 150 s (refilled at 20 per second, starting full),
//!   whatever `graph_throttling_limit` says.
//!
//! A request is admitted only if both buckets can pay its cost (a cost above the
//! whole capacity, possible only with a tiny `graph_throttling_limit`, takes the full
//! bucket, so such a request still passes once the bucket is full); a refused request
//! spends nothing. Time is real time (`Instant`), as for the faults' `Retry-After`
//! deadlines: SDKs sleep in real time. [`Throttling::charge`] takes the instant, so
//! the bucket arithmetic is tested without sleeping.
//!
//! **Costs** ([`cost`], Microsoft's table of base costs; anything not listed costs 1):
//! - GET `applications` 2: the collection `/applications`, one application
//!   `/applications/{id}` or `/applications(appId='…')`, and `/applications/delta`;
//! - GET `users` 2: the collection `/users`, one user `/users/{id}` and `/users/delta`
//!   (Microsoft names only `users`; a single user and the delta query list the same
//!   objects, so they cost the same). `/users/$count` costs 1, like `/applications/$count`;
//! - GET `groups/{id}/members` 3, GET `groups/{id}/transitiveMembers` 5;
//! - GET `me/memberOf` 2 and `me/transitiveMemberOf` 2, and the same for
//!   `users/{id}/memberOf` and `users/{id}/transitiveMemberOf` (Microsoft: a cost of a
//!   `me/` path applies to the equivalent `users/{id}/` path);
//! - POST `directoryObjects/getByIds` 3 (REFERENCE §6; a later copy of Microsoft's page
//!   says 5) and no write unit (Microsoft's table gives it a write cost of 0);
//! - every other POST, PATCH, PUT and DELETE: 1 resource unit and 1 write unit.
//!
//! Modifiers, on any request: `$select` −1, `$expand` +1, `$top` below 20 −1; never below 1.
//! Option names are read as `collection` reads them (case-insensitive, with the `$`).
//! Each `$batch` item is charged as its own request; the outer `$batch` is not charged.
//!
//! **Headers** while the model is on:
//! - every Graph answer (for a `$batch` item: in its `headers` object, spelled in lower
//!   case as Graph's own batch sample spells it) carries `x-ms-resource-unit: <cost>`,
//!   the request's cost, whether it was charged or refused (Microsoft: "the resource
//!   unit used for this request"). The outer `$batch` answer carries none (it costs
//!   nothing), only the percentage below;
//! - `x-ms-throttle-limit-percentage` once the app has used more than 0.8 of a limit,
//!   with two decimals (`0.85`): the larger of the two buckets' used fractions after
//!   the request is paid. Microsoft's 0.8–1.8 range goes past 1.0 when requests are
//!   throttled; here a refused request reports the use it *would* have reached
//!   ((used + cost) / capacity), capped at 1.8;
//! - a refused request is answered 429 with Graph's `TooManyRequests` body, an
//!   integer `Retry-After` (seconds until the bucket holds the cost, rounded up, at
//!   least 1), `x-ms-throttle-scope: Tenant_Application/ReadWrite/<appId>/<tenantId>`
//!   and `x-ms-throttle-information: ResourceUnitLimitExceeded`; for the write quota
//!   `Tenant_Application/Write/…` and `WriteLimitExceeded` (Microsoft's documented values).
//!
//! Not emulated: the per-app limits across tenants, the tenant-wide write limit,
//! `x-ms-throttle-priority`. Changing `graph_throttling` or its limit refills every bucket.

use axum::http::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// The length of the resource-unit window, in seconds.
pub const WINDOW_SECS: f64 = 10.0;
/// Write units per app and tenant per [`WRITE_WINDOW_SECS`].
pub const WRITE_QUOTA: f64 = 3000.0;
/// The length of the write window: 2 minutes 30 seconds.
pub const WRITE_WINDOW_SECS: f64 = 150.0;
/// Above this used fraction, answers carry `x-ms-throttle-limit-percentage`.
const PERCENTAGE_FROM: f64 = 0.8;
/// The largest `x-ms-throttle-limit-percentage` Microsoft documents.
const PERCENTAGE_MAX: f64 = 1.8;

pub const RESOURCE_UNIT: &str = "x-ms-resource-unit";
pub const LIMIT_PERCENTAGE: &str = "x-ms-throttle-limit-percentage";
pub const SCOPE: &str = "x-ms-throttle-scope";
pub const INFORMATION: &str = "x-ms-throttle-information";

/// Whether the model is on, and the resource-unit capacity per 10 s when not by tenant size.
/// Shown beside the faults by `GET {emulator}/faults`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settings {
    pub graph_throttling: bool,
    /// Resource units per 10 s per app (at least 1); `None`: by tenant size.
    pub graph_throttling_limit: Option<u32>,
}

impl Settings {
    pub fn validate(&self) -> Result<(), String> {
        match self.graph_throttling_limit {
            Some(0) => Err("graph_throttling_limit must be at least 1 resource unit per 10 s (or null for the limit by tenant size)".to_string()),
            _ => Ok(()),
        }
    }
}

/// Resource units per 10 s per app and tenant, by the tenant's number of users.
pub fn capacity_for(users: usize) -> u32 {
    match users {
        0..=49 => 3500,
        50..=500 => 5000,
        _ => 8000,
    }
}

/// What a request costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub resource_units: u32,
    pub write_units: u32,
}

/// The cost of `method path?query` (path below `/v1.0`, after `functions` rewrote it).
pub fn cost(method: &str, path: &str, query: Option<&str>) -> Cost {
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(str::to_ascii_lowercase).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = method.to_ascii_uppercase();
    let get = method == "GET";
    let base: i64 = match segments.as_slice() {
        ["applications"] | ["applications", "delta"] if get => 2,
        ["applications", id] if get && *id != "$count" => 2,
        [one] if get && one.starts_with("applications(") => 2,
        ["users"] | ["users", "delta"] if get => 2,
        ["users", id] if get && *id != "$count" => 2,
        ["groups", _, "members"] if get => 3,
        ["groups", _, "transitivemembers"] if get => 5,
        ["me" | "users", .., "memberof" | "transitivememberof"] if get => 2,
        ["directoryobjects", "getbyids"] if method == "POST" => 3,
        _ => 1,
    };
    let read_action = matches!(segments.as_slice(), ["directoryobjects", "getbyids"]);
    let write = matches!(method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE") && !read_action;
    let mut units = base;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.trim().to_ascii_lowercase().as_str() {
            "$select" => units -= 1,
            "$expand" => units += 1,
            "$top" if value.trim().parse::<i64>().is_ok_and(|top| top < 20) => units -= 1,
            _ => {}
        }
    }
    Cost { resource_units: u32::try_from(units.max(1)).unwrap_or(1), write_units: u32::from(write) }
}

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    ResourceUnits,
    Writes,
}

impl Limit {
    fn scope_limit(self) -> &'static str {
        match self {
            Limit::ResourceUnits => "ReadWrite",
            Limit::Writes => "Write",
        }
    }
    fn information(self) -> &'static str {
        match self {
            Limit::ResourceUnits => "ResourceUnitLimitExceeded",
            Limit::Writes => "WriteLimitExceeded",
        }
    }
}

/// The outcome of [`Throttling::charge`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The model is off: nothing charged, no headers.
    Off,
    /// Charged `units` resource units (the cost, or the whole bucket if the cost is more);
    /// `used` is the larger used fraction of the two buckets afterwards.
    Paid { used: f64, units: u32 },
    /// Refused, nothing charged; `used` is the fraction paying would have reached.
    Refused { used: f64, retry_after: u64, limit: Limit },
}

/// A token bucket refilled continuously up to its capacity.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    at: Instant,
}

impl Bucket {
    fn full(capacity: f64, now: Instant) -> Self {
        Bucket { level: capacity, at: now }
    }
    fn refill(&mut self, capacity: f64, window: f64, now: Instant) {
        if now > self.at {
            let elapsed = now.duration_since(self.at).as_secs_f64();
            self.level = (self.level + elapsed * capacity / window).min(capacity);
            self.at = now;
        }
    }
    fn used(&self, capacity: f64) -> f64 {
        (capacity - self.level) / capacity
    }
    /// Whole seconds until the bucket holds `need`, at least 1.
    fn wait(&self, need: f64, capacity: f64, window: f64) -> u64 {
        let seconds = (need - self.level).max(0.0) / (capacity / window);
        (seconds.ceil() as u64).max(1)
    }
}

#[derive(Debug)]
struct AppBuckets {
    units: Bucket,
    writes: Bucket,
}

#[derive(Debug)]
struct Inner {
    settings: Settings,
    apps: HashMap<String, AppBuckets>,
}

/// The live model of a tenant: its settings and one pair of buckets per client app.
#[derive(Debug)]
pub struct Throttling {
    /// The tenant's users, which fix the default capacity.
    users: usize,
    inner: Mutex<Inner>,
}

impl Throttling {
    pub fn new(settings: Settings, users: usize) -> Self {
        Throttling { users, inner: Mutex::new(Inner { settings, apps: HashMap::new() }) }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.inner().settings
    }

    /// Replaces the settings; a change refills every bucket (a fresh start for the new limit).
    pub fn set(&self, settings: Settings) {
        let mut inner = self.inner();
        if inner.settings != settings {
            inner.settings = settings;
            inner.apps.clear();
        }
    }

    /// Resource units per 10 s per app in force.
    pub fn capacity(&self) -> u32 {
        self.inner().settings.graph_throttling_limit.unwrap_or_else(|| capacity_for(self.users))
    }

    /// Charges `cost` to `client`'s buckets at `now` if both can pay it.
    pub fn charge(&self, client: &str, cost: Cost, now: Instant) -> Verdict {
        let capacity = f64::from(self.capacity());
        let mut inner = self.inner();
        if !inner.settings.graph_throttling {
            return Verdict::Off;
        }
        let app = inner.apps.entry(client.to_string()).or_insert_with(|| AppBuckets { units: Bucket::full(capacity, now), writes: Bucket::full(WRITE_QUOTA, now) });
        app.units.refill(capacity, WINDOW_SECS, now);
        app.writes.refill(WRITE_QUOTA, WRITE_WINDOW_SECS, now);
        // A request dearer than the whole bucket (only with a tiny `graph_throttling_limit`)
        // takes all of it, so it can still pass once the bucket is full.
        let (units, writes) = (f64::from(cost.resource_units).min(capacity), f64::from(cost.write_units));
        let would = (app.units.used(capacity) + units / capacity).max(app.writes.used(WRITE_QUOTA) + writes / WRITE_QUOTA);
        if app.units.level < units {
            return Verdict::Refused { used: would, retry_after: app.units.wait(units, capacity, WINDOW_SECS), limit: Limit::ResourceUnits };
        }
        if app.writes.level < writes {
            return Verdict::Refused { used: would, retry_after: app.writes.wait(writes, WRITE_QUOTA, WRITE_WINDOW_SECS), limit: Limit::Writes };
        }
        app.units.level -= units;
        app.writes.level -= writes;
        Verdict::Paid { used: would, units: units as u32 }
    }

    /// The larger used fraction of `client`'s buckets at `now`; `None` while the model is off.
    pub fn used(&self, client: &str, now: Instant) -> Option<f64> {
        let capacity = f64::from(self.capacity());
        let mut inner = self.inner();
        if !inner.settings.graph_throttling {
            return None;
        }
        let Some(app) = inner.apps.get_mut(client) else { return Some(0.0) };
        app.units.refill(capacity, WINDOW_SECS, now);
        app.writes.refill(WRITE_QUOTA, WRITE_WINDOW_SECS, now);
        Some(app.units.used(capacity).max(app.writes.used(WRITE_QUOTA)))
    }
}

/// `x-ms-throttle-limit-percentage` for a used fraction, if above 0.8.
pub fn percentage(used: f64) -> Option<String> {
    (used > PERCENTAGE_FROM).then(|| format!("{:.2}", used.min(PERCENTAGE_MAX)))
}

/// Adds `x-ms-resource-unit` (when `cost` is given) and, past 80 %, `x-ms-throttle-limit-percentage`.
pub fn decorate(headers: &mut HeaderMap, cost: Option<u32>, used: f64) {
    if let Some(cost) = cost {
        headers.insert(RESOURCE_UNIT, HeaderValue::from(cost));
    }
    if let Some(v) = percentage(used).and_then(|p| HeaderValue::from_str(&p).ok()) {
        headers.insert(LIMIT_PERCENTAGE, v);
    }
}

/// Adds the headers of a refused request: `x-ms-throttle-scope` and `x-ms-throttle-information`
/// (the caller adds `Retry-After` and [`decorate`]s).
pub fn refused(headers: &mut HeaderMap, limit: Limit, app_id: &str, tenant_id: &str) {
    let scope = format!("Tenant_Application/{}/{app_id}/{tenant_id}", limit.scope_limit());
    if let Ok(v) = HeaderValue::from_str(&scope) {
        headers.insert(SCOPE, v);
    }
    headers.insert(INFORMATION, HeaderValue::from_static(limit.information()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn units(method: &str, path: &str, query: Option<&str>) -> u32 {
        cost(method, path, query).resource_units
    }

    #[test]
    fn base_costs_and_modifiers() {
        assert_eq!(units("GET", "/applications", None), 2);
        assert_eq!(units("GET", "/applications/6f3b1c1e-0000-4000-8000-000000000001", None), 2);
        assert_eq!(units("GET", "/applications(appId='x')", None), 2);
        assert_eq!(units("GET", "/applications/$count", None), 1);
        assert_eq!(units("GET", "/applications/abc/owners", None), 1);
        assert_eq!(units("GET", "/users", None), 2);
        assert_eq!(units("GET", "/users/delta", None), 2);
        assert_eq!(units("GET", "/users/abc/memberOf", None), 2);
        assert_eq!(units("GET", "/users/abc/transitiveMemberOf", None), 2);
        assert_eq!(units("GET", "/me/memberOf", None), 2);
        assert_eq!(units("GET", "/groups/abc/members", None), 3);
        assert_eq!(units("GET", "/groups/abc/transitiveMembers", None), 5);
        assert_eq!(units("GET", "/groups", None), 1);
        assert_eq!(units("GET", "/me", None), 1);
        assert_eq!(cost("POST", "/directoryObjects/getByIds", None), Cost { resource_units: 3, write_units: 0 });
        assert_eq!(cost("PATCH", "/users/abc", None), Cost { resource_units: 1, write_units: 1 });
        assert_eq!(cost("DELETE", "/applications/abc", None), Cost { resource_units: 1, write_units: 1 });
        assert_eq!(cost("GET", "/applications", None).write_units, 0);
        assert_eq!(units("GET", "/applications", Some("$select=id")), 1);
        assert_eq!(units("GET", "/applications", Some("%24select=id&$top=5")), 1, "never below 1");
        assert_eq!(units("GET", "/applications", Some("$expand=owners")), 3);
        assert_eq!(units("GET", "/groups/abc/transitiveMembers", Some("$top=19&$select=id")), 3);
        assert_eq!(units("GET", "/groups/abc/transitiveMembers", Some("$top=20")), 5);
        assert_eq!(units("GET", "/users", Some("$TOP=1")), 1);
    }

    #[test]
    fn capacity_by_tenant_size() {
        assert_eq!((capacity_for(49), capacity_for(50), capacity_for(500), capacity_for(501)), (3500, 5000, 5000, 8000));
        let t = Throttling::new(Settings { graph_throttling: true, graph_throttling_limit: None }, 12_000);
        assert_eq!(t.capacity(), 8000);
        t.set(Settings { graph_throttling: true, graph_throttling_limit: Some(40) });
        assert_eq!(t.capacity(), 40);
        assert!(Settings { graph_throttling: true, graph_throttling_limit: Some(0) }.validate().is_err());
    }

    #[test]
    fn the_bucket_pays_refuses_without_spending_and_refills() {
        let t = Throttling::new(Settings { graph_throttling: true, graph_throttling_limit: Some(10) }, 10);
        let t0 = Instant::now();
        let two = Cost { resource_units: 2, write_units: 0 };
        for k in 1..=5 {
            let Verdict::Paid { used, units: 2 } = t.charge("a", two, t0) else { panic!("request {k} refused") };
            assert!((used - 0.2 * k as f64).abs() < 1e-9);
        }
        // Empty: refused with the time until 2 units are back (1 unit per second).
        let refused = t.charge("a", two, t0);
        assert!(matches!(refused, Verdict::Refused { used, retry_after: 2, limit: Limit::ResourceUnits } if (used - 1.2).abs() < 1e-9), "{refused:?}");
        // Refusing spent nothing: after 1.5 s, 1.5 units; a 1-unit request passes, a 2-unit one still waits 1 s.
        let t1 = t0 + Duration::from_millis(1500);
        assert!(matches!(t.charge("a", two, t1), Verdict::Refused { retry_after: 1, .. }));
        assert!(matches!(t.charge("a", Cost { resource_units: 1, write_units: 0 }, t1), Verdict::Paid { .. }));
        // Another app has its own bucket.
        assert!(matches!(t.charge("b", two, t1), Verdict::Paid { used, .. } if (used - 0.2).abs() < 1e-9));
        // Refilled to capacity after 10 s, never beyond.
        assert_eq!(t.used("a", t1 + Duration::from_secs(60)), Some(0.0));
        // A cost above the capacity takes the full bucket.
        let t2 = t1 + Duration::from_secs(60);
        assert!(matches!(t.charge("c", Cost { resource_units: 50, write_units: 0 }, t2), Verdict::Paid { used, units: 10 } if (used - 1.0).abs() < 1e-9));
        assert!(matches!(t.charge("c", Cost { resource_units: 50, write_units: 0 }, t2), Verdict::Refused { retry_after: 10, .. }));
        // Turning it off charges nothing.
        t.set(Settings { graph_throttling: false, graph_throttling_limit: Some(10) });
        assert_eq!(t.charge("a", two, t1), Verdict::Off);
        assert_eq!(t.used("a", t1), None);
    }

    #[test]
    fn the_write_quota_is_separate() {
        let t = Throttling::new(Settings { graph_throttling: true, graph_throttling_limit: Some(1_000_000) }, 10);
        let t0 = Instant::now();
        let write = Cost { resource_units: 1, write_units: 1 };
        for _ in 0..3000 {
            assert!(matches!(t.charge("a", write, t0), Verdict::Paid { .. }));
        }
        let Verdict::Refused { limit, retry_after, used } = t.charge("a", write, t0) else { panic!("not refused") };
        assert_eq!((limit, retry_after), (Limit::Writes, 1));
        assert!(used > 1.0 && used < 1.001, "{used}");
        // Reads still pass: the resource units are not spent.
        assert!(matches!(t.charge("a", Cost { resource_units: 1, write_units: 0 }, t0), Verdict::Paid { .. }));
        // 20 write units per second come back.
        assert!(matches!(t.charge("a", write, t0 + Duration::from_millis(60)), Verdict::Paid { .. }));
    }

    #[test]
    fn headers() {
        assert_eq!(percentage(0.8), None);
        assert_eq!(percentage(0.85).as_deref(), Some("0.85"));
        assert_eq!(percentage(2.5).as_deref(), Some("1.80"));
        let mut h = HeaderMap::new();
        decorate(&mut h, Some(3), 0.5);
        refused(&mut h, Limit::ResourceUnits, "app", "tid");
        assert_eq!(h[RESOURCE_UNIT], "3");
        assert!(!h.contains_key(LIMIT_PERCENTAGE));
        assert_eq!(h[SCOPE], "Tenant_Application/ReadWrite/app/tid");
        assert_eq!(h[INFORMATION], "ResourceUnitLimitExceeded");
    }
}
