//! Pacing on Graph's resource-unit budget, so a large tenant's sync spends the budget
//! instead of discovering it through 429s.
//!
//! **The model** ([REFERENCE §6]). Graph's identity and access APIs throttle per app and
//! tenant with a token bucket of *resource units*: 3,500, 5,000 or 8,000 per 10 s by tenant
//! size, and the client is not told which. Every answer says what its request cost
//! (`x-ms-resource-unit`; a refused request spends nothing, whatever its 429 says it would
//! have cost); above 80 % of the limit it also says how much is used
//! (`x-ms-throttle-limit-percentage`, a fraction, 0.8–1.8); a 429 past the limit carries
//! `x-ms-throttle-information: ResourceUnitLimitExceeded`. A `$batch` is not charged itself:
//! its items are, and each item carries these headers in its own `headers` object.
//!
//! **What the `Pacer` keeps** (one per [`crate::GraphClient`], shared by its clones like
//! the throttle gate of [`crate::retry`]): Graph's bucket as Graph itself keeps it, a token
//! bucket, not a sliding window of our own:
//! - the bucket's *use* (capacity − tokens), refilling at capacity per `window` (10 s), plus
//!   the estimates of the requests on the wire. Each answer adds the units it reported. A
//!   reading (`x-ms-throttle-limit-percentage`) sets the use to Graph's own figure, and an
//!   answer that reports units but no percentage caps it at 80 %: Graph corrects us on every
//!   answer, so what others spend with the same app registration is seen too. Readings are
//!   taken in the order their requests were sent (a late answer tells an older state) and only
//!   from answers that came back within a quarter of the window;
//! - the expected cost of each route template (method, path with object ids as `{id}`, the
//!   names of the OData options that change the cost), the last cost Graph reported for it,
//!   1 until then; a `$batch` is expected to cost the sum of its items;
//! - the capacity, learned from the readings ([`evidence::Capacity`]): first bounded by a
//!   burst (exact when the bucket was full when we began, low otherwise), then measured from
//!   two readings half a window apart. An estimate under `min_limit` is not credible.
//!
//! **Admission.** Before a request is sent it waits, on the client's [`Clock`], until
//! `use + units on the wire + its estimate ≤ target × capacity`, so concurrent callers
//! are admitted as the budget allows: the concurrency follows the remaining budget (within
//! `max_concurrent_requests`). `$batch`es queue in order (a fair lock), so an expensive one
//! is not starved by cheaper ones; a single request does not queue behind them (it waits for
//! budget only), so a chain of pages keeps moving while batches run beside it. A request is
//! always admitted when nothing is counted, and nothing waits while no capacity is known: a
//! server that sends none of these headers is never slowed down. Cancellation interrupts the
//! wait.
//!
//! **Why a bucket and not a window.** A pacer that keeps each 10 s window under the limit
//! spends at most 90 % of the refill rate and leaves a full bucket unspent at the start; one
//! that follows the bucket spends the bucket once, then exactly its refill rate. A first sync
//! of a large tenant is bound by that rate (issue 23 measured a window pacer at 1.58 × the
//! bound).
//!
//! **The margin.** The target is 90 % of the capacity (`target`). It absorbs what the count
//! cannot see: a route whose first request costs more than the 1 it was expected to, requests
//! Graph charged whose answers are still on the way, an estimate a little too high, and the
//! same app used elsewhere between two answers. It costs nothing in the long run: the bucket
//! is held at 90 % used and spent at its refill rate.
//! Near-zero 429s, not zero: until the first percentage arrives nothing is paced, so a first
//! burst can pass the limit when `concurrency × cost` exceeds the 20 % above the first report.
//!
//! The retry policy is untouched: a 429 still closes the gate for its `Retry-After`.
//!
//! [REFERENCE §6]: ../shared/entra-reference/REFERENCE.md

mod evidence;

use crate::error::GraphError;
use crate::retry::Clock;
use evidence::{Capacity, REPORTED_ABOVE};
pub(crate) use evidence::{route, Report};
pub use evidence::{LIMIT_PERCENTAGE, RESOURCE_UNIT, THROTTLE_INFORMATION};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Route templates remembered at most (ids that do not look like ids must not grow it forever).
const ROUTES_KEPT: usize = 1024;
const EPSILON: f64 = 1e-9;

/// How the client paces itself (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct PacingPolicy {
    /// Whether requests wait for budget (the counts are kept either way).
    pub enabled: bool,
    /// The fraction of the learned capacity the bucket's use may reach (default 0.9).
    pub target: f64,
    /// Graph's window (10 s).
    pub window: Duration,
    /// The lowest capacity estimate believed (default 500 units; Graph's smallest is 3,500).
    pub min_limit: f64,
}

impl Default for PacingPolicy {
    fn default() -> Self {
        PacingPolicy { enabled: true, target: 0.9, window: Duration::from_secs(10), min_limit: 500.0 }
    }
}

impl PacingPolicy {
    /// Never wait for budget (the counts are still kept).
    pub fn off() -> PacingPolicy {
        PacingPolicy { enabled: false, ..PacingPolicy::default() }
    }
}

/// What a client has spent of Graph's budget, for reports beside [`crate::GraphClient::request_count`].
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct BudgetSnapshot {
    /// Resource units Graph reported (`x-ms-resource-unit` of answers and `$batch` items), summed;
    /// a 429 spends nothing.
    pub units_spent: u64,
    /// Answers and `$batch` items that reported their units (429s left out).
    pub reported_answers: u64,
    /// Requests that waited for budget before they were sent.
    pub requests_paced: u64,
    /// The time those requests waited, summed.
    pub pacing_wait: Duration,
    /// 429s (`$batch` items included) that said `ResourceUnitLimitExceeded`.
    pub limit_exceeded: u64,
    /// The learned capacity of Graph's bucket (units, refilled per window); `None` until Graph said.
    pub limit: Option<f64>,
    /// The bucket's use now as we reckon it, plus the estimates of requests on the wire.
    pub used_units: f64,
    /// A request is waiting for budget now (others may wait in line behind it).
    pub waiting: bool,
}

/// A request's expected cost, before it is sent.
#[derive(Debug, Clone)]
pub(crate) struct Estimate {
    route: String,
    units: f64,
}

impl Estimate {
    pub(crate) fn is_batch(&self) -> bool {
        self.route == "POST $batch"
    }
}

#[derive(Debug, Default)]
struct State {
    /// The bucket's use as we reckon it (units, capacity − tokens) at `used_at`.
    used: f64,
    used_at: Option<SystemTime>,
    /// When the request of the last reading that set `used` was sent.
    last_reading: Option<SystemTime>,
    in_flight: HashMap<u64, f64>,
    in_flight_units: f64,
    next_id: u64,
    costs: HashMap<String, f64>,
    capacity: Capacity,
    /// Requests waiting for budget now.
    waiting: usize,
    spent: f64,
    reported: u64,
    paced: u64,
    waited: Duration,
    exceeded: u64,
}

enum Wait {
    None,
    Until(Duration),
}

impl State {
    /// Brings the use to `now`: the bucket refilled at capacity per window meanwhile.
    fn refill(&mut self, now: SystemTime, window: Duration) {
        if let (Some(capacity), Some(at)) = (self.capacity.value, self.used_at) {
            let elapsed = now.duration_since(at).unwrap_or_default().as_secs_f64();
            self.used = (self.used - capacity * elapsed / window.as_secs_f64()).max(0.0);
        }
        self.used_at = Some(self.used_at.map_or(now, |at| at.max(now)));
    }

    fn cost(&self, route: &str) -> f64 {
        self.costs.get(route).copied().unwrap_or(1.0)
    }

    fn release(&mut self, id: u64) -> Option<f64> {
        let units = self.in_flight.remove(&id)?;
        self.in_flight_units = if self.in_flight.is_empty() { 0.0 } else { self.in_flight_units - units };
        Some(units)
    }

    fn wait_for(&mut self, units: f64, now: SystemTime, policy: &PacingPolicy) -> Wait {
        self.refill(now, policy.window);
        let Some(capacity) = self.capacity.value.filter(|_| policy.enabled) else { return Wait::None };
        let pending = self.used + self.in_flight_units;
        let budget = capacity * policy.target;
        if pending < EPSILON || pending + units <= budget + EPSILON {
            return Wait::None;
        }
        // Until the bucket has refilled enough (a request dearer than the target waits for an
        // empty count and goes alone); an answer wakes the waiter sooner, and units on the wire
        // leave the count only when they are answered.
        let need = if units > budget { pending } else { pending + units - budget };
        let rate = capacity / policy.window.as_secs_f64();
        Wait::Until(Duration::from_secs_f64(need / rate).max(Duration::from_millis(1)))
    }
}

/// The budget keeper of one client. See the module documentation.
pub(crate) struct Pacer {
    policy: PacingPolicy,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    /// Signalled when a request settles (budget may have come back).
    settled: Notify,
    /// The line of requests waiting for budget (tokio's lock is fair: first come, first served).
    turn: tokio::sync::Mutex<()>,
}

impl Pacer {
    pub(crate) fn new(policy: PacingPolicy, clock: Arc<dyn Clock>) -> Pacer {
        Pacer { policy, clock, state: Mutex::default(), settled: Notify::new(), turn: tokio::sync::Mutex::new(()) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The expected cost of a request (`relative` to the version root, query included).
    pub(crate) fn estimate(&self, method: &str, relative: &str, body: Option<&serde_json::Value>) -> Estimate {
        let route = route(method, relative);
        let state = self.lock();
        let units = if route == "POST $batch" {
            let items = body.and_then(|b| b["requests"].as_array()).map(Vec::as_slice).unwrap_or_default();
            items.iter().map(|i| state.cost(&self::route(i["method"].as_str().unwrap_or("GET"), i["url"].as_str().unwrap_or_default()))).sum()
        } else {
            state.cost(&route)
        };
        Estimate { route, units }
    }

    /// Waits until `estimate` fits the budget (or the call is cancelled) and puts it on the wire's count.
    pub(crate) async fn admit(self: &Arc<Self>, estimate: &Estimate, cancel: &CancellationToken) -> Result<Charge, GraphError> {
        let start = self.clock.now();
        let mut paced = false;
        if self.policy.enabled && self.lock().capacity.value.is_some() {
            // Bulk work (a `$batch`) waits in line; a single request waits only for budget, so a
            // chain of pages (a listing, one page after another) is never held behind batches
            // that run side by side. A chain has one page on the wire at a time, so it cannot
            // starve the line.
            let _turn = if !estimate.is_batch() {
                None
            } else {
                Some(match self.turn.try_lock() {
                    Ok(turn) => turn,
                    Err(_) => {
                        paced = self.lock().waiting > 0;
                        tokio::select! {
                            turn = self.turn.lock() => turn,
                            _ = cancel.cancelled() => return Err(GraphError::Cancelled),
                        }
                    }
                })
            };
            let mut waiting = Waiting { pacer: self, counted: false };
            loop {
                // Registered before the check, so a settlement in between is not missed.
                let settled = self.settled.notified();
                let wait = self.lock().wait_for(estimate.units, self.clock.now(), &self.policy);
                let sleep = match wait {
                    Wait::None => break,
                    Wait::Until(duration) => duration,
                };
                paced = true;
                waiting.start();
                tokio::select! {
                    _ = self.clock.sleep(sleep) => {}
                    _ = settled => {}
                    _ = cancel.cancelled() => return Err(GraphError::Cancelled),
                }
            }
        }
        let now = self.clock.now();
        let mut state = self.lock();
        if paced {
            state.paced += 1;
            state.waited += now.duration_since(start).unwrap_or_default();
        }
        let id = state.next_id;
        state.next_id += 1;
        state.in_flight.insert(id, estimate.units);
        state.in_flight_units += estimate.units;
        Ok(Charge { pacer: self.clone(), id, route: estimate.route.clone(), sent_at: None, settled: false })
    }

    /// Records what the answer (or the items of a `$batch`) reported, and learns from it.
    fn settle(&self, id: u64, sent_at: Option<SystemTime>, parts: &[(String, Report)]) {
        let now = self.clock.now();
        let window = self.policy.window;
        // A slow answer tells of a bucket that has refilled since: its units count, but its
        // reading does not.
        let fresh = sent_at.is_some_and(|sent| now.duration_since(sent).unwrap_or_default() <= window / 4);
        {
            let mut state = self.lock();
            let state = &mut *state;
            state.release(id);
            state.refill(now, window);
            // A refused request spends nothing, though its 429 may say what it would have cost.
            let charged = || parts.iter().filter(|(_, r)| !r.throttled).filter_map(|(_, r)| r.units);
            let (units, reported) = (charged().sum::<f64>(), charged().count() as u64);
            if reported > 0 {
                state.used += units;
                state.spent += units;
                state.reported += reported;
                state.capacity.charged(sent_at.unwrap_or(now), now, units, window);
            }
            for (route, report) in parts {
                if let Some(units) = report.units {
                    if state.costs.len() < ROUTES_KEPT || state.costs.contains_key(route) {
                        state.costs.insert(route.clone(), units);
                    }
                }
            }
            let throttled = parts.iter().any(|(_, r)| r.throttled);
            let exceeded = parts.iter().filter(|(_, r)| r.limit_exceeded).count() as u64;
            state.exceeded += exceeded;
            // Readings in the order their requests went out: an answer overtaken by a later
            // request's says less than the one already taken.
            let in_order = sent_at.is_some_and(|sent| state.last_reading.is_none_or(|last| sent >= last));
            let highest = parts.iter().filter(|(_, r)| !r.throttled).filter_map(|(_, r)| r.percentage).fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
            if fresh && in_order {
                if let Some(p) = highest {
                    let (spent, before) = (state.spent, state.capacity.value);
                    state.capacity.reading(sent_at.unwrap_or(now), now, p, spent, &self.policy);
                    if state.capacity.value != before {
                        tracing::debug!(capacity = ?state.capacity.value, reading = p, spent, "Graph's bucket capacity learned");
                    }
                    if let Some(capacity) = state.capacity.value {
                        state.used = p * capacity;
                    }
                    state.last_reading = sent_at;
                } else if reported > 0 && !throttled {
                    state.capacity.under();
                    if let Some(capacity) = state.capacity.value {
                        state.used = state.used.min(REPORTED_ABOVE * capacity);
                    }
                    state.last_reading = sent_at;
                }
            }
            if exceeded > 0 {
                // Graph had no room for it: the bucket is (about) empty, whatever we reckoned.
                if let Some(capacity) = state.capacity.value {
                    state.used = state.used.max(capacity);
                }
            }
        }
        self.settled.notify_waiters();
    }

    /// A request that ends without a report: if it was sent, Graph may have charged it, so its
    /// estimate counts as spent; if not, its reservation is given back.
    fn abandon(&self, id: u64, sent: Option<SystemTime>) {
        let now = self.clock.now();
        {
            let mut state = self.lock();
            if let Some(units) = state.release(id).filter(|_| sent.is_some()) {
                state.refill(now, self.policy.window);
                state.used += units;
            }
        }
        self.settled.notify_waiters();
    }

    pub(crate) fn snapshot(&self) -> BudgetSnapshot {
        let mut state = self.lock();
        state.refill(self.clock.now(), self.policy.window);
        BudgetSnapshot {
            units_spent: state.spent.round() as u64,
            reported_answers: state.reported,
            requests_paced: state.paced,
            pacing_wait: state.waited,
            limit_exceeded: state.exceeded,
            limit: state.capacity.value,
            used_units: state.used + state.in_flight_units,
            waiting: state.waiting > 0,
        }
    }
}

/// A request counted in [`State::waiting`] while it waits for budget, however the wait ends.
struct Waiting<'a> {
    pacer: &'a Pacer,
    counted: bool,
}

impl Waiting<'_> {
    fn start(&mut self) {
        if !self.counted {
            self.counted = true;
            self.pacer.lock().waiting += 1;
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.counted {
            self.pacer.lock().waiting -= 1;
        }
    }
}

/// A request's place in the budget, from admission until its answer is read. Dropped
/// unsettled (no answer, cancelled), it counts its estimate if it was sent.
pub(crate) struct Charge {
    pacer: Arc<Pacer>,
    id: u64,
    route: String,
    /// When it went on the wire; `None` until then.
    sent_at: Option<SystemTime>,
    settled: bool,
}

impl Charge {
    /// The request is about to go on the wire.
    pub(crate) fn mark_sent(&mut self) {
        self.sent_at = Some(self.pacer.clock.now());
    }

    /// Settles a plain request with its answer's report.
    pub(crate) fn settle(mut self, report: Report) {
        self.settled = true;
        self.pacer.settle(self.id, self.sent_at, &[(std::mem::take(&mut self.route), report)]);
    }

    /// Settles a `$batch` with its items' routes and reports (the outer answer is not charged).
    pub(crate) fn settle_items(mut self, items: &[(String, Report)]) {
        self.settled = true;
        self.pacer.settle(self.id, self.sent_at, items);
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        if !self.settled {
            self.pacer.abandon(self.id, self.sent_at);
        }
    }
}

#[cfg(test)]
mod tests;
