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
//! the throttle gate of [`crate::retry`]):
//! - a sliding window of the units Graph reported, each kept until `window` (10 s) after its
//!   answer arrived, plus the estimates of the requests on the wire;
//! - the expected cost of each route template (method, path with object ids as `{id}`, the
//!   names of the OData options that change the cost), the last cost Graph reported for it,
//!   1 until then; a `$batch` is expected to cost the sum of its items;
//! - the limit, learned: an answer that says `p` gives `limit ≈ units in the window / p`. The
//!   lowest credible estimate wins at once; a higher one is believed only when a whole window
//!   of evidence says more, and then by at most 10 % a window. A 429
//!   `ResourceUnitLimitExceeded` bounds it too (the window and the refused request were at
//!   least the limit). An answer that reports its units but no percentage says the
//!   window is under 80 %, a floor that lets an estimate that was too low climb back. Not
//!   credible, so not evidence: an answer that took more than a quarter of the window to come
//!   back (it describes Graph's window as it was, and older units have left ours since), and an
//!   estimate under `min_limit` (someone else, another process with the same app registration,
//!   spent the bucket; the `Retry-After` gate deals with that).
//!
//! **Admission.** Before a request is sent it waits, on the client's [`Clock`], until
//! `window units + units on the wire + its estimate ≤ target × limit`, so concurrent callers
//! are admitted as the budget allows: the concurrency follows the remaining budget (within
//! `max_concurrent_requests`). Waiters queue in order (a fair lock), so an expensive `$batch`
//! is not starved by cheap reads. A request is always admitted when nothing is counted, and
//! nothing waits while no limit is known: a server that sends none of these headers is never
//! slowed down. Cancellation interrupts the wait.
//!
//! **Why a sliding window is safe against a token bucket.** A bucket of capacity `C` refilled
//! at `C / 10 s` empties only if some stretch `(s, t]` spends more than `C + C·(t − s)/10 s`.
//! Spending at most `C` in every 10 s window keeps any stretch of length `T` under
//! `C·⌈T / 10 s⌉ ≤ C + C·T/10 s`, so the bucket never empties. Our window is conservative
//! too: a unit is kept until 10 s after its *answer*, Graph forgets it 10 s after it charged it.
//!
//! **The margin.** The target is 90 % of the learned limit (`target`). It absorbs what the
//! count cannot see: a route whose first request costs more than the 1 it was expected to,
//! requests Graph charged whose answers are still on the way (the estimate then leans low,
//! the safe side, but the rise rule can overshoot by a little), and the same app used
//! elsewhere. And it is sized to the rise rule: one 10 % step too far still spends at most
//! 0.9 × 1.1 = 99 % of the true limit, where a 95 % target would pass it. More margin only
//! wastes budget.
//! Near-zero 429s, not zero: until the first percentage arrives nothing is paced, so a first
//! burst can pass the limit when `concurrency × cost` exceeds the 20 % above the first report.
//!
//! The retry policy is untouched: a 429 still closes the gate for its `Retry-After`.
//!
//! [REFERENCE §6]: ../shared/entra-reference/REFERENCE.md

mod evidence;

use crate::error::GraphError;
use crate::retry::Clock;
use evidence::{Limit, REPORTED_ABOVE};
pub(crate) use evidence::{route, Report};
pub use evidence::{LIMIT_PERCENTAGE, RESOURCE_UNIT, THROTTLE_INFORMATION};
use std::collections::{HashMap, VecDeque};
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
    /// The fraction of the learned limit the window may hold (default 0.9).
    pub target: f64,
    /// Graph's window (10 s).
    pub window: Duration,
    /// The lowest limit estimate believed (default 500 units; Graph's smallest is 3,500).
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
    /// The learned limit in units per window; `None` until Graph said.
    pub limit: Option<f64>,
    /// Units in the window now: reported ones plus the estimates of requests on the wire.
    pub window_units: f64,
    /// A request is waiting for budget now (the first in line; others may wait behind it).
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
    /// Reported units by answer time, oldest first.
    settled: VecDeque<(SystemTime, f64)>,
    settled_units: f64,
    in_flight: HashMap<u64, f64>,
    in_flight_units: f64,
    next_id: u64,
    costs: HashMap<String, f64>,
    limit: Limit,
    /// Whether the request first in line is waiting for budget.
    head_waiting: bool,
    spent: f64,
    reported: u64,
    paced: u64,
    waited: Duration,
    exceeded: u64,
}

enum Wait {
    None,
    Until(Duration),
    Settlement,
}

impl State {
    fn prune(&mut self, now: SystemTime, window: Duration) {
        while let Some(&(at, units)) = self.settled.front() {
            if at + window > now {
                break;
            }
            self.settled.pop_front();
            self.settled_units -= units;
        }
        if self.settled.is_empty() {
            self.settled_units = 0.0;
        }
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
        self.prune(now, policy.window);
        let Some(limit) = self.limit.value.filter(|_| policy.enabled) else { return Wait::None };
        let used = self.settled_units + self.in_flight_units;
        let budget = limit * policy.target;
        if used < EPSILON || used + units <= budget + EPSILON {
            return Wait::None;
        }
        // Until enough reported units leave the window; if they are not enough, until the last
        // leaves (a request dearer than the target goes alone). An answer wakes the waiter sooner.
        let mut need = used + units - budget;
        let mut expiry = None;
        for &(at, freed) in &self.settled {
            (need, expiry) = (need - freed, Some(at + policy.window));
            if need <= EPSILON {
                break;
            }
        }
        match expiry {
            Some(at) => Wait::Until(at.duration_since(now).unwrap_or_default().max(Duration::from_millis(1))),
            None => Wait::Settlement,
        }
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
        if self.policy.enabled && self.lock().limit.value.is_some() {
            let _turn = match self.turn.try_lock() {
                Ok(turn) => turn,
                Err(_) => {
                    paced = self.lock().head_waiting;
                    tokio::select! {
                        turn = self.turn.lock() => turn,
                        _ = cancel.cancelled() => return Err(GraphError::Cancelled),
                    }
                }
            };
            loop {
                // Registered before the check, so a settlement in between is not missed.
                let settled = self.settled.notified();
                let wait = {
                    let mut state = self.lock();
                    let wait = state.wait_for(estimate.units, self.clock.now(), &self.policy);
                    state.head_waiting = !matches!(wait, Wait::None);
                    wait
                };
                let sleep = match wait {
                    Wait::None => break,
                    Wait::Until(duration) => Some(duration),
                    Wait::Settlement => None,
                };
                paced = true;
                let stopped = tokio::select! {
                    _ = async { match sleep { Some(d) => self.clock.sleep(d).await, None => std::future::pending().await } } => false,
                    _ = settled => false,
                    _ = cancel.cancelled() => true,
                };
                if stopped {
                    self.lock().head_waiting = false;
                    return Err(GraphError::Cancelled);
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
        // A slow answer tells of a window we no longer hold (its older units have left ours, not
        // Graph's as it was then): its units count, but it says nothing of the limit.
        let fresh = sent_at.is_some_and(|sent| now.duration_since(sent).unwrap_or_default() <= self.policy.window / 4);
        {
            let mut state = self.lock();
            let state = &mut *state;
            state.release(id);
            state.prune(now, self.policy.window);
            // A refused request spends nothing, though its 429 may say what it would have cost.
            let charged = || parts.iter().filter(|(_, r)| !r.throttled).filter_map(|(_, r)| r.units);
            let (units, reported) = (charged().sum::<f64>(), charged().count() as u64);
            if reported > 0 {
                state.settled.push_back((now, units));
                state.settled_units += units;
                state.spent += units;
                state.reported += reported;
            }
            for (route, report) in parts {
                if let Some(units) = report.units {
                    if state.costs.len() < ROUTES_KEPT || state.costs.contains_key(route) {
                        state.costs.insert(route.clone(), units);
                    }
                }
            }
            state.limit.settle_period(now, self.policy.window);
            let exceeded: Vec<&String> = parts.iter().filter(|(_, r)| r.limit_exceeded).map(|(route, _)| route).collect();
            state.exceeded += exceeded.len() as u64;
            let window = state.settled_units;
            let highest = parts.iter().filter_map(|(_, r)| r.percentage).fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
            if let Some(p) = highest.filter(|_| fresh && window > 0.0) {
                state.limit.estimate(window / p, now, &self.policy);
            }
            if fresh && !exceeded.is_empty() {
                // Graph had the window and the refused request at least at the limit. Requests still
                // on the wire are left out: some reached Graph after it, so the bound leans low.
                let refused: f64 = exceeded.iter().map(|route| state.cost(route)).sum();
                state.limit.estimate(window + refused, now, &self.policy);
            } else if fresh && reported > 0 && highest.is_none() && !parts.iter().any(|(_, r)| r.throttled) {
                state.limit.floor(window / REPORTED_ABOVE);
            }
        }
        self.settled.notify_waiters();
    }

    /// A request that ends without a report: if it was sent, Graph may have charged it, so its
    /// estimate stays in the window; if not, its reservation is given back.
    fn abandon(&self, id: u64, sent: Option<SystemTime>) {
        let now = self.clock.now();
        {
            let mut state = self.lock();
            if let Some(units) = state.release(id).filter(|_| sent.is_some()) {
                state.prune(now, self.policy.window);
                state.settled.push_back((now, units));
                state.settled_units += units;
            }
        }
        self.settled.notify_waiters();
    }

    pub(crate) fn snapshot(&self) -> BudgetSnapshot {
        let mut state = self.lock();
        state.prune(self.clock.now(), self.policy.window);
        BudgetSnapshot {
            units_spent: state.spent.round() as u64,
            reported_answers: state.reported,
            requests_paced: state.paced,
            pacing_wait: state.waited,
            limit_exceeded: state.exceeded,
            limit: state.limit.value,
            window_units: state.settled_units + state.in_flight_units,
            waiting: state.head_waiting,
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
mod tests {
    use super::*;
    use crate::retry::SystemClock;

    fn report(units: f64, percentage: Option<f64>) -> Report {
        Report { units: Some(units), percentage, ..Report::default() }
    }

    async fn answer(p: &Arc<Pacer>, estimate: &Estimate, report: Report) {
        let mut charge = p.admit(estimate, &CancellationToken::new()).await.unwrap();
        charge.mark_sent();
        charge.settle(report);
    }

    fn pacer(min_limit: f64) -> Arc<Pacer> {
        Arc::new(Pacer::new(PacingPolicy { min_limit, ..PacingPolicy::default() }, Arc::new(SystemClock)))
    }

    #[tokio::test]
    async fn costs_are_learned_per_route_and_a_batch_costs_its_items() {
        let p = pacer(500.0);
        assert_eq!(p.estimate("GET", "groups/1/members", None).units, 1.0, "unknown: 1");
        answer(&p, &p.estimate("GET", "groups/1/members", None), report(3.0, None)).await;
        assert_eq!(p.estimate("GET", "groups/2/members", None).units, 3.0);
        let body = serde_json::json!({"requests": [{"method": "GET", "url": "/groups/7/members"}, {"method": "GET", "url": "/me"}]});
        assert_eq!(p.estimate("POST", "$batch", Some(&body)).units, 4.0);
        assert_eq!(p.snapshot().units_spent, 3);
    }

    struct ManualClock(Mutex<SystemTime>);

    #[async_trait::async_trait]
    impl Clock for ManualClock {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
        async fn sleep(&self, duration: Duration) {
            *self.0.lock().unwrap() += duration;
        }
    }

    #[tokio::test]
    async fn a_slow_answer_counts_its_units_but_teaches_nothing_of_the_limit() {
        let clock = Arc::new(ManualClock(Mutex::new(SystemTime::UNIX_EPOCH)));
        let p = Arc::new(Pacer::new(PacingPolicy { min_limit: 1.0, ..PacingPolicy::default() }, clock.clone()));
        let est = p.estimate("GET", "me", None);
        let mut slow = p.admit(&est, &CancellationToken::new()).await.unwrap();
        slow.mark_sent();
        clock.sleep(Duration::from_secs(3)).await;
        slow.settle(report(5.0, Some(0.9)));
        assert_eq!((p.snapshot().units_spent, p.snapshot().limit), (5, None), "3 s on the way: a quarter of the window is 2.5 s");
        answer(&p, &est, report(4.0, Some(0.9))).await;
        assert_eq!(p.snapshot().limit, Some(10.0));
    }

    #[tokio::test]
    async fn a_full_window_makes_the_next_request_wait_and_an_unsent_one_gives_its_units_back() {
        let p = pacer(50.0);
        let cancel = CancellationToken::new();
        let est = p.estimate("GET", "me", None);
        for _ in 0..80 {
            answer(&p, &est, report(1.0, None)).await;
        }
        answer(&p, &est, report(1.0, Some(0.81))).await;
        assert_eq!(p.snapshot().limit, Some(100.0));
        let held: Vec<Charge> = futures::future::join_all((0..9).map(|_| p.admit(&est, &cancel))).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(p.snapshot().window_units, 90.0);
        let wait = p.lock().wait_for(1.0, p.clock.now(), &p.policy);
        assert!(matches!(wait, Wait::Until(d) if d > Duration::from_secs(9)), "until the oldest unit leaves the window");
        let wait = p.lock().wait_for(500.0, p.clock.now(), &p.policy);
        assert!(matches!(wait, Wait::Until(d) if d > Duration::from_secs(9)), "dearer than the target: until the window is empty");
        drop(held);
        assert_eq!(p.snapshot().window_units, 81.0, "never sent: given back");
    }
}
