//! The pacer against a hand-driven clock: costs by route, readings in order, the refill.

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
async fn a_slow_answer_counts_its_units_but_its_reading_teaches_nothing() {
    let clock = Arc::new(ManualClock(Mutex::new(SystemTime::UNIX_EPOCH)));
    let p = Arc::new(Pacer::new(PacingPolicy { min_limit: 1.0, ..PacingPolicy::default() }, clock.clone()));
    let est = p.estimate("GET", "me", None);
    let mut slow = p.admit(&est, &CancellationToken::new()).await.unwrap();
    slow.mark_sent();
    clock.sleep(Duration::from_secs(3)).await;
    slow.settle(report(5.0, Some(0.9)));
    assert_eq!((p.snapshot().units_spent, p.snapshot().limit), (5, None), "3 s on the way: a quarter of the window is 2.5 s");
    answer(&p, &est, report(4.0, Some(0.9))).await;
    // Its 5 units may have been charged as early as 3 s ago: 9 / (0.9 + 3 s / 10 s).
    assert_eq!(p.snapshot().limit, Some(7.5));
}

#[tokio::test]
async fn a_full_bucket_makes_the_next_request_wait_for_its_refill_and_an_unsent_one_gives_its_units_back() {
    let clock = Arc::new(ManualClock(Mutex::new(SystemTime::UNIX_EPOCH)));
    let p = Arc::new(Pacer::new(PacingPolicy { min_limit: 50.0, ..PacingPolicy::default() }, clock.clone()));
    let cancel = CancellationToken::new();
    let est = p.estimate("GET", "me", None);
    for _ in 0..80 {
        answer(&p, &est, report(1.0, None)).await;
    }
    answer(&p, &est, report(1.0, Some(0.81))).await;
    assert_eq!(p.snapshot().limit, Some(100.0), "81 units made 81 %");
    let held: Vec<Charge> = futures::future::join_all((0..9).map(|_| p.admit(&est, &cancel))).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(p.snapshot().used_units, 90.0);
    let wait = p.lock().wait_for(1.0, p.clock.now(), &p.policy);
    assert!(matches!(wait, Wait::Until(d) if d == Duration::from_millis(100)), "one unit refills in 0.1 s");
    let wait = p.lock().wait_for(500.0, p.clock.now(), &p.policy);
    assert!(matches!(wait, Wait::Until(d) if d == Duration::from_secs(9)), "dearer than the target: until the count is empty");
    drop(held);
    assert_eq!(p.snapshot().used_units, 81.0, "never sent: given back");
    clock.sleep(Duration::from_secs(2)).await;
    assert_eq!(p.snapshot().used_units, 61.0, "the bucket refills at 10 a second");
}

#[tokio::test]
async fn graph_corrects_the_reckoning_in_the_order_requests_went_out() {
    let clock = Arc::new(ManualClock(Mutex::new(SystemTime::UNIX_EPOCH)));
    let p = Arc::new(Pacer::new(PacingPolicy { min_limit: 50.0, ..PacingPolicy::default() }, clock.clone()));
    let est = p.estimate("GET", "me", None);
    answer(&p, &est, report(50.0, Some(0.5))).await;
    assert_eq!((p.snapshot().limit, p.snapshot().used_units), (Some(100.0), 50.0));
    // Someone else spent 30: Graph says 85 % after our 5.
    answer(&p, &est, report(5.0, Some(0.85))).await;
    assert_eq!(p.snapshot().used_units, 85.0);
    // An answer under 80 % caps the reckoning there.
    answer(&p, &est, report(1.0, None)).await;
    assert_eq!(p.snapshot().used_units, 80.0);
    // A request sent before the last reading's, answered after it: its units count, its reading not.
    let mut early = p.admit(&est, &CancellationToken::new()).await.unwrap();
    early.mark_sent();
    clock.sleep(Duration::from_millis(10)).await;
    answer(&p, &est, report(1.0, Some(0.81))).await;
    early.settle(report(1.0, Some(0.99)));
    assert_eq!(p.snapshot().used_units, 82.0, "{:?}", p.snapshot());
    // A 429 for the limit: the bucket is empty, whatever we reckoned.
    let limited = Report { throttled: true, limit_exceeded: true, ..Report::default() };
    answer(&p, &est, limited).await;
    assert_eq!(p.snapshot().used_units, 100.0);
}
