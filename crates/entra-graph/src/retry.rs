//! The one retry policy of every Graph call, and the clock it waits on.
//!
//! The rules ([REFERENCE §6], the Graph SDKs' RetryHandlers, Azure's
//! `typespec_client_core` retry policy and smithy-rs's classification):
//!
//! - **What is retried:** answers with status **429, 503 and 504**, and transport
//!   failures (no answer) of *idempotent* requests only. A non-idempotent POST is
//!   never re-sent after a transport error nor after a 504 (the gateway gave up
//!   waiting; the service may have carried it out): the caller gets the error and
//!   treats the outcome as unknown. A POST that got a 429 or 503 *answer* is
//!   re-sent, since the service said it did nothing. (A `$batch` of GETs only
//!   counts as idempotent.) A 401 is not a
//!   retry: the token source is told and the request is re-sent once with a new
//!   token, outside these counts.
//! - **Server hint:** `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds), else
//!   `Retry-After` as whole seconds (`10`), decimal seconds (`2.128`, kept to the
//!   millisecond, where kiota-dotnet would fall back to its default) or an HTTP date.
//!   A date in the past or a negative value counts as zero.
//! - **Wait:** when the server gives a hint, exactly the hint, as the Microsoft Graph
//!   SDKs' RetryHandlers do: Graph's `Retry-After` says when it will take the request
//!   again, and waiting longer (e.g. a backoff that doubles every round while Graph
//!   keeps sending `Retry-After: 1`) only slows us down. A hint of zero waits the first
//!   backoff step instead (`base_delay`, jittered), so a server answering `0` is not
//!   hammered. Without a hint the wait is the exponential backoff:
//!   `min(base_delay · 2^(retry−1), max_backoff)` times a random jitter factor in
//!   `[1 − jitter, 1 + jitter]`.
//! - **Caps:** at most `max_attempts` attempts, the first one included (default 4:
//!   the SDKs' three retries); and at most `max_total_wait` of waiting over the whole
//!   call (default 180 s, the SDKs' ceiling). When the next wait would pass the
//!   total cap we give up at once instead of waiting only to give up.
//! - **The gate:** a 429 or 503 hint closes a client-wide gate until it has elapsed,
//!   so no request from this client (nor a concurrent one sharing it) is sent
//!   before the `Retry-After` is over. Graph throttles per app and tenant, so one
//!   throttled request means the others would be throttled too.
//! - **Bursts while wary:** for one more `Retry-After` after the gate reopens, a request
//!   may only go out with the burst that left when the gate opened (none of whose
//!   answers is back yet) or once every request on the wire has been answered. Without
//!   this rule, a request started as soon as one answer came back could leave while a
//!   sibling's 429 is already on its way to us: it reaches Graph after that 429 was sent
//!   and before its `Retry-After` is over, an early retry we could not have seen.
//! - Retries carry a `Retry-Attempt: <n>` header, as the Graph SDKs do.
//!
//! Waiting goes through [`Clock`], so tests advance a fake clock instead of sleeping.
//!
//! [REFERENCE §6]: ../shared/entra-reference/REFERENCE.md

use async_trait::async_trait;
use rand::Rng;
use reqwest::header::HeaderMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Time as the retry policy sees it: now, and a way to wait.
#[async_trait]
pub trait Clock: Send + Sync {
    /// The current time (used for `Retry-After` dates and the throttle gate).
    fn now(&self) -> SystemTime;
    /// Waits for `duration`.
    async fn sleep(&self, duration: Duration);
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// How often and how long to retry. See the module documentation for the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts at most, the first one included. 1 disables retries.
    pub max_attempts: u32,
    /// The first backoff, doubled on every retry.
    pub base_delay: Duration,
    /// The largest backoff (a server hint may be larger: it is waited as given).
    pub max_backoff: Duration,
    /// The most time spent waiting over one call.
    pub max_total_wait: Duration,
    /// Jitter ratio in `[0, 1]`: the backoff is multiplied by a random factor in `[1 − jitter, 1 + jitter]`.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(180),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// The backoff before retry number `retry` (1 for the first retry), jitter included.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(20);
        let raw = self.base_delay.saturating_mul(1u32 << exp).min(self.max_backoff);
        if self.jitter <= 0.0 {
            return raw;
        }
        let j = self.jitter.min(1.0);
        raw.mul_f64(rand::thread_rng().gen_range((1.0 - j)..=(1.0 + j)))
    }

    /// The wait before retry number `retry`, given the server's hint: the hint as given,
    /// the first backoff step for a hint of zero, the backoff when there is no hint.
    pub fn wait(&self, retry: u32, hint: Option<Duration>) -> Duration {
        match hint {
            Some(h) if h.is_zero() => self.backoff(1),
            Some(h) => h,
            None => self.backoff(retry),
        }
    }

    /// Decides whether to retry after `attempts` attempts and `waited` so far; returns the wait or `None` to give up.
    pub(crate) fn next_wait(&self, attempts: u32, waited: Duration, hint: Option<Duration>) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let wait = self.wait(attempts, hint);
        (waited + wait <= self.max_total_wait).then_some(wait)
    }
}

/// Statuses that are retried.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// Reads a `Retry-After` value: whole seconds, decimal seconds, or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        if !secs.is_finite() {
            return None;
        }
        return Some(Duration::from_secs_f64(secs.clamp(0.0, 86_400.0)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The server's hint in `headers`: `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After`.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = get(name).and_then(|v| v.trim().parse::<f64>().ok()).filter(|ms| ms.is_finite()) {
            return Some(Duration::from_secs_f64((ms / 1000.0).clamp(0.0, 86_400.0)));
        }
    }
    get("retry-after").and_then(|v| parse_retry_after(v, now))
}

/// The client-wide "not before" time set by a throttling answer.
#[derive(Debug, Default)]
pub(crate) struct ThrottleGate {
    not_before: Mutex<Option<SystemTime>>,
    /// Until when requests go out in bursts only (see "Bursts while wary").
    wary_until: Mutex<Option<SystemTime>>,
}

fn keep_later(slot: &Mutex<Option<SystemTime>>, until: SystemTime) {
    let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
    if guard.is_none_or(|t| t < until) {
        *guard = Some(until);
    }
}

impl ThrottleGate {
    /// Closes the gate for `wait` from `now` (keeps the later of two closings), and stays wary
    /// for another `wait` after that.
    pub(crate) fn close(&self, now: SystemTime, wait: Duration) {
        keep_later(&self.not_before, now + wait);
        keep_later(&self.wary_until, now + wait.saturating_mul(2));
    }
    /// Whether requests go out in bursts only at `now`.
    pub(crate) fn wary(&self, now: SystemTime) -> bool {
        self.wary_until.lock().unwrap_or_else(|p| p.into_inner()).is_some_and(|t| now < t)
    }
    /// How long until the gate opens, if it is closed.
    pub(crate) fn remaining(&self, now: SystemTime) -> Option<Duration> {
        let guard = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        guard.and_then(|t| t.duration_since(now).ok()).filter(|d| !d.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Tue, 18 Aug 2020 12:51:51 GMT").unwrap();
        assert_eq!(parse_retry_after("10", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("2.128", now), Some(Duration::from_millis(2128)));
        assert_eq!(parse_retry_after("Tue, 18 Aug 2020 12:52:01 GMT", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("Tue, 18 Aug 2020 12:50:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-3", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn wait_is_the_hint_as_given_else_the_backoff_and_caps_hold() {
        let p = RetryPolicy { jitter: 0.0, ..RetryPolicy::default() };
        assert_eq!(p.wait(1, None), Duration::from_secs(1));
        assert_eq!(p.wait(3, None), Duration::from_secs(4));
        assert_eq!(p.wait(1, Some(Duration::from_secs(5))), Duration::from_secs(5));
        assert_eq!(p.wait(3, Some(Duration::from_secs(1))), Duration::from_secs(1), "the hint, not the doubled backoff");
        assert_eq!(p.wait(3, Some(Duration::from_millis(250))), Duration::from_millis(250), "a short hint is not raised");
        assert_eq!(p.wait(3, Some(Duration::from_secs(90))), Duration::from_secs(90), "nor is a long one capped by max_backoff");
        assert_eq!(p.wait(3, Some(Duration::ZERO)), Duration::from_secs(1), "zero: the first backoff step");
        assert_eq!(p.wait(30, None), Duration::from_secs(60));
        assert_eq!(p.next_wait(4, Duration::ZERO, None), None, "attempts count the first");
        assert_eq!(p.next_wait(1, Duration::from_secs(178), Some(Duration::from_secs(3))), None, "total wait cap");
        assert_eq!(p.next_wait(1, Duration::from_secs(170), Some(Duration::from_secs(3))), Some(Duration::from_secs(3)));
    }

    #[test]
    fn the_gate_stays_wary_one_more_hint_after_it_opens() {
        let gate = ThrottleGate::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert!(!gate.wary(t0) && gate.remaining(t0).is_none());
        gate.close(t0, Duration::from_secs(1));
        assert_eq!(gate.remaining(t0), Some(Duration::from_secs(1)));
        assert!(gate.remaining(t0 + Duration::from_millis(1500)).is_none() && gate.wary(t0 + Duration::from_millis(1500)));
        assert!(!gate.wary(t0 + Duration::from_secs(2)));
        gate.close(t0, Duration::from_millis(100));
        assert_eq!(gate.remaining(t0), Some(Duration::from_secs(1)), "a shorter closing does not shorten the gate");
    }

    #[test]
    fn jitter_stays_in_range() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.backoff(2);
            assert!(d >= Duration::from_millis(1600) && d <= Duration::from_millis(2400), "{d:?}");
        }
    }
}
