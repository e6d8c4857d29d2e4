//! The retry policy against a local server, on a fake clock (nothing sleeps).

mod common;

use common::*;
use entra_graph::progress::RetryReason;
use entra_graph::{Clock, GraphError, GraphRequest, Progress, RetryPolicy};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn me() -> serde_json::Value {
    json!({"id": "u-1", "displayName": "Adele"})
}

async fn throttled_once(retry_after: &'static str) -> (Mock, Setup) {
    let mock = Mock::start(move |_, i| if i == 0 { Reply::graph_error(429, "TooManyRequests", "Please retry again later.").header("Retry-After", retry_after) } else { Reply::ok(me()) }).await;
    let s = setup(&mock);
    (mock, s)
}

#[tokio::test]
async fn retry_after_in_whole_seconds_is_honoured() {
    let (mock, s) = throttled_once("7").await;
    assert_eq!(s.client.me().await.unwrap().id, "u-1");
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(7)]);
    let r = mock.requests();
    assert_eq!((r.len(), r[0].header("retry-attempt"), r[1].header("retry-attempt")), (2, None, Some("1")));
}

#[tokio::test]
async fn retry_after_in_decimal_seconds_is_honoured() {
    let (mock, s) = throttled_once("2.128").await;
    s.client.me().await.unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_millis(2128)]);
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let clock_start = FakeClock::new().now();
    let date = httpdate::fmt_http_date(clock_start + Duration::from_secs(12));
    let date: &'static str = Box::leak(date.into_boxed_str());
    let (mock, s) = throttled_once(date).await;
    s.client.me().await.unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(12)]);
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn a_zero_hint_waits_the_first_backoff_step() {
    // Retry-After 0 is not taken literally (no hammering) but does not grow either: 1 s, 1 s.
    let mock = Mock::start(|_, i| if i < 2 { Reply::status(503).header("Retry-After", "0") } else { Reply::ok(me()) }).await;
    let s = setup(&mock);
    s.client.me().await.unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(1), Duration::from_secs(1)]);
}

#[tokio::test]
async fn a_hint_is_waited_exactly_every_round_not_raised_to_the_backoff() {
    // The SDKs' RetryHandler: Retry-After as given. Backoff would be 1, 2, 4 s; the hint is 0.5 s each time.
    let mock = Mock::start(|_, i| if i < 3 { Reply::status(429).header("Retry-After", "0.5") } else { Reply::ok(me()) }).await;
    let s = setup(&mock);
    s.client.me().await.unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_millis(500); 3]);
    assert_eq!(mock.count(), 4);
}

#[tokio::test]
async fn without_a_hint_503_and_504_back_off_exponentially() {
    let mock = Mock::start(|_, i| match i {
        0 => Reply::status(503),
        1 => Reply::status(504),
        2 => Reply::status(503),
        _ => Reply::ok(me()),
    })
    .await;
    let (sink, log) = progress_log();
    let s = setup(&mock);
    s.client.with_progress(sink).me().await.unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(1), Duration::from_secs(2), Duration::from_secs(4)]);
    let log = log.lock().unwrap();
    assert!(log.contains(&Progress::Retrying { attempt: 2, reason: RetryReason::Status(503), wait: Duration::from_secs(1) }), "{log:?}");
    assert!(log.contains(&Progress::Retrying { attempt: 3, reason: RetryReason::Status(504), wait: Duration::from_secs(2) }), "{log:?}");
}

#[tokio::test]
async fn attempts_are_capped_counting_the_first() {
    let mock = Mock::start(|_, _| Reply::graph_error(429, "TooManyRequests", "Please retry again later.").header("Retry-After", "1").header("request-id", "hdr")).await;
    let s = setup(&mock);
    let err = s.client.me().await.unwrap_err();
    assert_eq!(mock.count(), 4);
    match &err {
        GraphError::ThrottledGaveUp { attempts, waited, last } => {
            // Retry-After: 1 each time, waited as given (not 1 + 2 + 4 s of doubling backoff).
            assert_eq!((*attempts, *waited, last.status), (4, Duration::from_secs(1 + 1 + 1), 429));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((err.status(), err.graph_code(), err.request_id()), (Some(429), Some("TooManyRequests"), Some("req-429")));
    assert!(err.to_string().contains("after 4 attempts") && err.to_string().contains("Fix:"), "{err}");
}

#[tokio::test]
async fn the_total_wait_cap_stops_retries() {
    // Each hint is 100 s: the first wait fits the 180 s cap, the second would not, so we give up without waiting it.
    let mock = Mock::start(|_, _| Reply::status(429).header("Retry-After", "100")).await;
    let s = setup_with(&mock.base, RetryPolicy { max_attempts: 10, ..policy() });
    let err = s.client.me().await.unwrap_err();
    assert!(matches!(err, GraphError::ThrottledGaveUp { attempts: 2, .. }), "{err:?}");
    assert_eq!(mock.count(), 2);
    assert_eq!(s.clock.total_slept(), Duration::from_secs(100));
}

#[tokio::test]
async fn non_retryable_statuses_are_not_retried() {
    let mock = Mock::start(|_, _| Reply::graph_error(500, "generalException", "boom")).await;
    let s = setup(&mock);
    let err = s.client.me().await.unwrap_err();
    assert_eq!((mock.count(), err.status()), (1, Some(500)));
    assert!(s.clock.sleeps().is_empty());
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_transport_error() {
    let (base, count) = hang_up_server().await;
    let s = setup_with(&base, policy());
    let err = s.client.remove_application_password("app-1", "key-1").await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { attempts: 1, .. }), "{err:?}");
    assert!(err.may_have_been_carried_out(), "no answer: the outcome is unknown");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(err.client_request_id().is_some());
    assert!(err.to_string().contains("check the network"), "{err}");
}

#[tokio::test]
async fn a_get_is_retried_after_a_transport_error() {
    let (base, count) = hang_up_server().await;
    let s = setup_with(&base, policy());
    let err = s.client.me().await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { attempts: 4, .. }), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 4);
    assert_eq!(s.clock.sleeps().len(), 3);
}

#[tokio::test]
async fn a_post_answered_504_is_not_retried() {
    // A gateway time-out does not say the POST was not carried out: re-sending addPassword could
    // add a second secret nobody holds.
    let mock = Mock::start(|_, _| Reply::graph_error(504, "GatewayTimeout", "The gateway did not receive a timely response.")).await;
    let s = setup(&mock);
    let err = s.client.remove_application_password("app-1", "key-1").await.unwrap_err();
    assert_eq!((mock.count(), err.status()), (1, Some(504)), "{err:?}");
    assert!(s.clock.sleeps().is_empty());
    assert!(err.may_have_been_carried_out(), "the caller must treat the outcome as unknown");
}

#[tokio::test]
async fn a_get_answered_504_is_retried() {
    let mock = Mock::start(|_, i| if i == 0 { Reply::status(504) } else { Reply::ok(me()) }).await;
    let s = setup(&mock);
    assert_eq!(s.client.me().await.unwrap().id, "u-1");
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn a_post_answered_429_is_retried() {
    let mock = Mock::start(|_, i| if i == 0 { Reply::status(429).header("Retry-After", "3") } else { Reply::status(204) }).await;
    let s = setup(&mock);
    s.client.remove_application_password("app-1", "key-1").await.unwrap();
    let r = mock.requests();
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].json(), json!({"keyId": "key-1"}));
}

#[tokio::test]
async fn no_request_is_sent_before_the_retry_after_has_elapsed() {
    // The first call is throttled with 30 s and gives up (one attempt allowed); the gate still holds the next call back.
    let mock = Mock::start(|_, i| if i == 0 { Reply::status(429).header("Retry-After", "30") } else { Reply::ok(me()) }).await;
    let s = setup_with(&mock.base, RetryPolicy { max_attempts: 1, ..policy() });
    assert!(s.client.me().await.is_err());
    let (sink, log) = progress_log();
    s.client.with_progress(sink).me().await.unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(30)]);
    assert_eq!(log.lock().unwrap()[0], Progress::WaitingOnThrottle { wait: Duration::from_secs(30) });
}

#[tokio::test]
async fn a_retry_gets_a_fresh_client_request_id() {
    let (mock, s) = throttled_once("1").await;
    s.client.me().await.unwrap();
    let r = mock.requests();
    let (a, b) = (r[0].header("client-request-id").unwrap(), r[1].header("client-request-id").unwrap());
    assert_ne!(a, b);
    assert!(uuid::Uuid::parse_str(a).is_ok());
}

#[tokio::test]
async fn cancellation_stops_a_wait() {
    let mock = Mock::start(|_, _| Reply::status(429).header("Retry-After", "5")).await;
    let s = setup(&mock);
    let cancel = tokio_util::sync::CancellationToken::new();
    let client = s.client.with_cancellation(cancel.clone());
    let (sink, _) = progress_log();
    let c2 = cancel.clone();
    let client = client.with_progress(std::sync::Arc::new(move |p| {
        if matches!(p, Progress::WaitingOnThrottle { .. }) {
            c2.cancel();
        }
        sink(p)
    }));
    let err = client.send::<serde_json::Value>(&GraphRequest::get("me")).await.unwrap_err();
    assert!(err.is_cancelled(), "{err:?}");
    assert_eq!(mock.count(), 1);
}
