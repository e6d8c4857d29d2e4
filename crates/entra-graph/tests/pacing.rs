//! Pacing on Graph's resource-unit budget against a local token bucket that sends Graph's
//! headers (`x-ms-resource-unit`, `x-ms-throttle-limit-percentage` above 80 %, 429s with
//! `ResourceUnitLimitExceeded`), and counts what it refused.
//!
//! Time is a jump clock shared by the client and the bucket: it moves only when someone
//! sleeps on it (to the end of the longest sleep, not their sum), so requests take no time
//! and the assertions are on counts and on the clock's own time, never on the wall clock.
//! The last test runs against the demo tenant's own model of Graph's throttling, in real time.

mod common;
mod demo_support;

use async_trait::async_trait;
use common::{policy, Mock, Recorded, Reply, Tokens};
use entra_demo::DemoOptions;
use entra_graph::client::ClientOptions;
use entra_graph::models::Application;
use entra_graph::{BatchItem, Clock, GraphClient, GraphRequest, PacingPolicy};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// Time moves only when a sleep ends, to that sleep's end; a sleep dropped early moves nothing.
struct JumpClock(Mutex<SystemTime>);

impl JumpClock {
    fn new() -> Arc<JumpClock> {
        Arc::new(JumpClock(Mutex::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_557_600))))
    }
}

#[async_trait]
impl Clock for JumpClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
    async fn sleep(&self, duration: Duration) {
        let until = self.now() + duration;
        tokio::task::yield_now().await;
        let mut now = self.0.lock().unwrap();
        *now = (*now).max(until);
    }
}

/// Time that never moves: a sleep never ends (only cancellation gets a waiter out).
struct FrozenClock(SystemTime);

#[async_trait]
impl Clock for FrozenClock {
    fn now(&self) -> SystemTime {
        self.0
    }
    async fn sleep(&self, _: Duration) {
        std::future::pending::<()>().await;
    }
}

/// Graph's identity token bucket: `capacity` units, refilled at `capacity` per 10 s.
struct Bucket {
    clock: Arc<dyn Clock>,
    capacity: f64,
    tokens: f64,
    at: SystemTime,
    /// Requests (and batch items) refused with a 429.
    refused: usize,
    /// Whether answers carry the budget headers at all.
    headers: bool,
}

impl Bucket {
    fn new(clock: Arc<dyn Clock>, capacity: f64, headers: bool) -> Arc<Mutex<Bucket>> {
        let at = clock.now();
        Arc::new(Mutex::new(Bucket { clock, capacity, tokens: capacity, at, refused: 0, headers }))
    }

    /// Charges one request of `url`: its status and headers.
    fn charge(&mut self, url: &str) -> (u16, Vec<(String, String)>) {
        let cost = if url.contains("/transitiveMembers") { 3.0 } else { 1.0 };
        let now = self.clock.now();
        let rate = self.capacity / 10.0;
        self.tokens = (self.tokens + now.duration_since(self.at).unwrap_or_default().as_secs_f64() * rate).min(self.capacity);
        self.at = self.at.max(now);
        let header = |k: &str, v: String| (k.to_string(), v);
        if self.tokens + 1e-9 < cost {
            self.refused += 1;
            let wait = ((cost - self.tokens) / rate).ceil().max(1.0);
            let mut headers = vec![header("Retry-After", wait.to_string())];
            headers.push(header("x-ms-throttle-information", "ResourceUnitLimitExceeded".into()));
            return (429, headers);
        }
        self.tokens -= cost;
        let used = (self.capacity - self.tokens) / self.capacity;
        let mut headers = Vec::new();
        if self.headers {
            headers.push(header("x-ms-resource-unit", cost.to_string()));
            if used > 0.8 {
                headers.push(header("x-ms-throttle-limit-percentage", format!("{used:.3}")));
            }
        }
        (200, headers)
    }
}

/// A Graph stand-in on `bucket`: plain GETs and `$batch`, whose items are charged one by one.
async fn graph(bucket: Arc<Mutex<Bucket>>) -> Mock {
    Mock::start(move |r: &Recorded, _| {
        let mut bucket = bucket.lock().unwrap();
        if r.target.ends_with("/$batch") {
            let items = r.json()["requests"].as_array().cloned().unwrap_or_default();
            let responses: Vec<Value> = items
                .iter()
                .map(|item| {
                    let (status, headers) = bucket.charge(item["url"].as_str().unwrap_or_default());
                    let headers: serde_json::Map<String, Value> = headers.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
                    json!({"id": item["id"], "status": status, "headers": headers, "body": {"id": item["id"]}})
                })
                .collect();
            return Reply::ok(json!({ "responses": responses }));
        }
        let (status, headers) = bucket.charge(&r.target);
        let mut reply = if status == 429 { Reply::graph_error(429, "TooManyRequests", "Please retry again later.") } else { Reply::ok(json!({"id": "x"})) };
        for (k, v) in headers {
            reply = reply.header(&k, &v);
        }
        reply
    })
    .await
}

fn client(mock: &Mock, clock: Arc<dyn Clock>) -> GraphClient {
    // The bucket is small (100–200 units), so estimates that small are credible here.
    let pacing = PacingPolicy { min_limit: 20.0, ..PacingPolicy::default() };
    let options = ClientOptions { retry: policy(), clock, pacing, ..ClientOptions::default() };
    GraphClient::with_options(mock.base.parse().unwrap(), entra_http::client(None).unwrap(), Arc::new(Tokens::default()), options)
}

fn object_id(n: usize) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

/// `callers` callers, each sending `each` GETs (a user, costing 1, then a group's transitive members, costing 3).
async fn run(client: &GraphClient, callers: usize, each: usize) {
    let caller = |c: usize| async move {
        for i in 0..each {
            let n = c * each + i;
            let path = if i % 2 == 0 { format!("users/{}", object_id(n)) } else { format!("groups/{}/transitiveMembers", object_id(n)) };
            client.send::<Value>(&GraphRequest::get(&path)).await.unwrap();
        }
    };
    futures::future::join_all((0..callers).map(caller)).await;
}

fn seconds(clock: &JumpClock, since: SystemTime) -> f64 {
    clock.now().duration_since(since).unwrap().as_secs_f64()
}

/// One thread, as the $batch test below (why: there). Zero 429s here; near-zero in general. Before the first percentage nothing is paced, so the
/// first burst passes the limit if the requests on the wire when Graph first reports (here at
/// most 8 × 3 units) cost more than the 20 % left above 80 %; and units spent by someone else
/// with the same app registration are not in our window.
#[tokio::test(flavor = "current_thread")]
async fn concurrent_callers_spend_close_to_the_budget_without_429s() {
    let clock = JumpClock::new();
    let bucket = Bucket::new(clock.clone(), 200.0, true);
    let mock = graph(bucket.clone()).await;
    let client = client(&mock, clock.clone());
    let start = clock.now();
    run(&client, 8, 40).await;

    // 8 × 20 users at 1 unit + 8 × 20 groups at 3: 640 units, 320 requests, each sent once.
    let budget = client.budget();
    assert_eq!(bucket.lock().unwrap().refused, 0, "paced, the bucket never ran dry: {budget:?}");
    assert_eq!((mock.count(), budget.units_spent, budget.reported_answers), (320, 640, 320), "{budget:?}");
    assert_eq!(budget.limit_exceeded, 0);
    // Answers still on their way when one says its percentage make the estimate lean low (the
    // safe side); a pair of readings measures it. The bucket's refusals above are the check.
    let limit = budget.limit.expect("learned from x-ms-throttle-limit-percentage");
    assert!((150.0..=230.0).contains(&limit), "{budget:?}");
    assert!(budget.requests_paced > 0 && budget.pacing_wait > Duration::ZERO, "{budget:?}");
    // The bucket could serve 640 units in 22 s at best (200 at once, then 20 a second). Paced on
    // the bucket, the first burst spends 180 (90 %) and the rest goes at the refill rate: 23 s.
    // A pacer that keeps each 10 s window under 90 % of the limit took 33–40 s here.
    let took = seconds(&clock, start);
    assert!((22.0..=26.0).contains(&took), "{took} s for 640 units at 20 units/s: {budget:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_headers_nothing_is_paced() {
    let clock = JumpClock::new();
    let bucket = Bucket::new(clock.clone(), 1e9, false);
    let mock = graph(bucket.clone()).await;
    let client = client(&mock, clock.clone());
    let start = clock.now();
    run(&client, 8, 40).await;
    let budget = client.budget();
    assert_eq!(mock.count(), 320);
    assert_eq!((budget.units_spent, budget.reported_answers, budget.requests_paced, budget.limit), (0, 0, 0, None), "{budget:?}");
    assert_eq!((budget.pacing_wait, seconds(&clock, start)), (Duration::ZERO, 0.0), "nobody waited");
}

#[tokio::test(flavor = "current_thread")]
async fn batch_items_are_charged_and_paced_by_their_own_headers() {
    let clock = JumpClock::new();
    let bucket = Bucket::new(clock.clone(), 200.0, true);
    let mock = graph(bucket.clone()).await;
    let client = client(&mock, clock.clone());
    let start = clock.now();
    let items: Vec<BatchItem> = (0..300).map(|n| BatchItem::new(n.to_string(), &GraphRequest::get(&format!("users/{}", object_id(n))))).collect();
    let answers = client.batch_all(items, 2).await.unwrap();

    assert!(answers.iter().all(|a| a.status == 200) && answers.len() == 300);
    // Paced, the bucket never runs dry. One thread (the client's tasks and the mock Graph take
    // turns): on two, this jumping clock could move past a batch still on the wire, so that its
    // answer seemed to come seconds later and the refill looked larger (estimates of 215 and 250
    // for a bucket of 200, and 2–4 items refused, on a busy machine).
    assert_eq!(bucket.lock().unwrap().refused, 0, "{:?}", client.budget());
    let budget = client.budget();
    // The outer $batch carries no units; its 300 items carry one each.
    assert_eq!((mock.count(), budget.units_spent, budget.reported_answers), (15, 300, 300), "{budget:?}");
    assert!(budget.limit.is_some_and(|l| (150.0..=230.0).contains(&l)), "the items' percentages taught it: {budget:?}");
    assert!(budget.requests_paced > 0, "a batch waited for the sum of its items to fit: {budget:?}");
    // 300 units from a bucket of 200 refilled at 20 a second: at least 5 s, and at the refill
    // rate after the first 180 hardly more than 6 s.
    let took = seconds(&clock, start);
    assert!((5.0..=7.5).contains(&took), "{took} s: {budget:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_interrupts_a_wait_for_budget() {
    let clock = Arc::new(FrozenClock(SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_557_600)));
    let bucket = Bucket::new(clock.clone(), 100.0, true);
    let mock = graph(bucket.clone()).await;
    let client = client(&mock, clock.clone());
    // 81 units: the 81st answer says 81 %, so the limit is 100 and the target 90.
    for n in 0..90 {
        client.send::<Value>(&GraphRequest::get(&format!("users/{}", object_id(n)))).await.unwrap();
    }
    assert!(client.budget().limit.is_some_and(|l| (l - 100.0).abs() < 1e-6), "{:?}", client.budget());

    let cancel = CancellationToken::new();
    let waiting = client.with_cancellation(cancel.clone());
    let call = tokio::spawn(async move { waiting.send::<Value>(&GraphRequest::get("users/one-more")).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!call.is_finished(), "the window is full and time stands still: it waits");
    cancel.cancel();
    let err = tokio::time::timeout(Duration::from_secs(10), call).await.expect("the wait ends").unwrap().unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
    assert_eq!(mock.count(), 90, "never sent");
    assert_eq!(client.budget().used_units, 90.0, "and its reservation went with it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_tenants_throttling_model_is_paced() {
    // 100 units per 10 s, real time: 8 callers list 150 applications twice, 20 a page at one
    // unit each (`$select` −1): about 130 units, so the second window has to wait for the first.
    let options = DemoOptions { apps: 150, graph_throttling: true, graph_throttling_limit: Some(100), ..Default::default() };
    let demo = entra_demo::start(options).await.expect("demo tenant starts");
    let pacing = PacingPolicy { min_limit: 20.0, ..PacingPolicy::default() };
    let (client, _) = demo_support::demo_client(demo.info(), ClientOptions { pacing, ..ClientOptions::default() });
    let caller = |_| async {
        for _ in 0..2 {
            let apps: Vec<Application> = client.collect_all(GraphRequest::get("applications").select(&["id"]).top(20)).await.unwrap();
            assert_eq!(apps.len(), demo.info().apps);
        }
    };
    futures::future::join_all((0..8).map(caller)).await;

    let (budget, stats) = (client.budget(), demo.stats());
    assert_eq!(budget.units_spent, stats.resource_units, "we count what the tenant charged: {budget:?} {stats:?}");
    assert!(budget.units_spent > 100 && budget.requests_paced > 0, "{budget:?}");
    assert!(budget.limit.is_some_and(|l| (80.0..=130.0).contains(&l)), "{budget:?}");
    // The demo's bucket refills while a burst is on the wire, so a slow first burst (a loaded
    // machine) can make the first estimate lean high; the one 429 that follows corrects it.
    // Unpaced (PacingPolicy::off()), the same callers were refused 13 and 14 times in two runs.
    assert!(stats.throttled_by_limit <= 2, "{budget:?} {stats:?}");
}
