//! JSON `$batch` against a local server.

mod common;

use common::*;
use entra_graph::progress::RetryReason;
use entra_graph::{BatchItem, GraphError, GraphRequest, Progress};
use serde_json::{json, Value};
use std::time::Duration;

fn item_ok(id: &Value) -> Value {
    json!({"id": id, "status": 200, "headers": {"Content-Type": "application/json"}, "body": {"value": [{"@odata.type": "#microsoft.graph.user", "id": format!("owner-{}", id.as_str().unwrap())}]}})
}

fn items(n: usize) -> Vec<BatchItem> {
    (0..n).map(|i| BatchItem::new(i.to_string(), &GraphRequest::get(&format!("applications/app-{i}/owners")))).collect()
}

#[tokio::test]
async fn more_than_20_requests_are_refused_before_sending() {
    let mock = Mock::start(|r, _| Reply::unexpected(r)).await;
    let s = setup(&mock);
    let err = s.client.batch(items(21)).await.unwrap_err();
    assert!(matches!(err, GraphError::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains("at most 20"), "{err}");
    let mut dup = items(2);
    dup[1].id = "0".into();
    assert!(s.client.batch(dup).await.unwrap_err().to_string().contains("two $batch requests have the id"));
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn batch_all_splits_into_batches_of_20_and_keeps_item_order() {
    let mock = Mock::start(|r, _| {
        let requests = r.json()["requests"].as_array().unwrap().clone();
        // Answer in reverse order: Graph may answer out of order.
        Reply::ok(json!({"responses": requests.iter().rev().map(|q| item_ok(&q["id"])).collect::<Vec<_>>()}))
    })
    .await;
    let s = setup(&mock);
    let all: Vec<BatchItem> = (0..45).map(|i| BatchItem::new(format!("r{i}"), &GraphRequest::get("me"))).collect();
    let answers = s.client.batch_all(all, 2).await.unwrap();
    assert_eq!(answers.len(), 45);
    assert!(answers.iter().enumerate().all(|(i, a)| a.id == format!("r{i}") && a.is_success()));
    let sizes: Vec<usize> = mock.requests().iter().map(|r| r.json()["requests"].as_array().unwrap().len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 45);
    assert!(sizes.iter().all(|&n| n <= 20));
    for r in mock.requests() {
        assert_eq!((r.method.as_str(), r.target.as_str()), ("POST", "/v1.0/$batch"));
    }
}

#[tokio::test]
async fn consistency_level_goes_into_each_item() {
    let mock = Mock::start(|r, _| {
        let requests = r.json()["requests"].as_array().unwrap().clone();
        Reply::ok(json!({"responses": requests.iter().map(|q| item_ok(&q["id"])).collect::<Vec<_>>()}))
    })
    .await;
    let s = setup(&mock);
    let advanced = GraphRequest::get("users").select(&["id"]).filter("endsWith(mail,'@contoso.com')").advanced();
    s.client.batch(vec![BatchItem::new("1", &advanced), BatchItem::new("2", &GraphRequest::get("me"))]).await.unwrap();
    let sent = mock.requests()[0].json();
    assert_eq!(sent["requests"][0]["headers"], json!({"ConsistencyLevel": "eventual"}));
    assert_eq!(sent["requests"][0]["url"], "/users?$select=id&$filter=endsWith(mail,%27@contoso.com%27)&$count=true");
    assert!(sent["requests"][1].get("headers").is_none());
}

#[tokio::test]
async fn a_throttled_item_is_re_sent_after_its_own_retry_after_with_its_failed_dependents() {
    let mock = Mock::start(|r, i| {
        let requests = r.json()["requests"].as_array().unwrap().clone();
        let responses: Vec<Value> = requests
            .iter()
            .map(|q| match (i, q["id"].as_str().unwrap()) {
                (0, "b") => json!({"id": "b", "status": 429, "headers": {"Retry-After": "9"}, "body": {"error": {"code": "TooManyRequests", "message": "Please retry again later."}}}),
                (0, "c") => json!({"id": "c", "status": 424, "body": {"error": {"code": "", "message": ""}}}),
                (_, "d") => json!({"id": "d", "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "Resource 'x' does not exist", "innerError": {"request-id": "rid-d"}}}}),
                _ => item_ok(&q["id"]),
            })
            .collect();
        Reply::ok(json!({"responses": responses}))
    })
    .await;
    let (sink, log) = progress_log();
    let s = setup(&mock);
    let batch = vec![
        BatchItem::new("a", &GraphRequest::get("me")),
        BatchItem::new("b", &GraphRequest::get("organization")),
        BatchItem::new("c", &GraphRequest::get("applications")).depends_on(&["b"]),
        BatchItem::new("d", &GraphRequest::get("applications/x")),
    ];
    let answers = s.client.with_progress(sink).batch(batch).await.unwrap();
    assert_eq!(answers.iter().map(|a| (a.id.as_str(), a.status)).collect::<Vec<_>>(), [("a", 200), ("b", 200), ("c", 200), ("d", 404)]);
    assert_eq!(answers[3].error().unwrap().request_id(), Some("rid-d"));
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(9)]);
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    let second = sent[1].json();
    let ids: Vec<&str> = second["requests"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b", "c"]);
    assert_eq!(second["requests"][1]["dependsOn"], json!(["b"]));
    let log = log.lock().unwrap();
    assert!(log.contains(&Progress::BatchDone { requests: 4, succeeded: 1, failed: 2, throttled: 1 }), "{log:?}");
    assert!(log.contains(&Progress::Retrying { attempt: 2, reason: RetryReason::BatchItems { count: 2 }, wait: Duration::from_secs(9) }), "{log:?}");
}

#[tokio::test]
async fn a_failed_dependency_is_surfaced_on_the_item() {
    let mock = Mock::start(|_, _| {
        Reply::ok(json!({"responses": [
            {"id": "2", "status": 424, "body": {"error": {"code": "", "message": ""}}},
            {"id": "1", "status": 403, "body": {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}},
        ]}))
    })
    .await;
    let s = setup(&mock);
    let answers = s
        .client
        .batch(vec![
            BatchItem::new("1", &GraphRequest::delete("groups/g-1")),
            BatchItem::new("2", &GraphRequest::post("groups", json!({"displayName": "x"}))).depends_on(&["1"]),
        ])
        .await
        .unwrap();
    assert!(answers[1].is_failed_dependency());
    let err = answers[1].error().unwrap();
    assert_eq!(err.status(), Some(424));
    assert!(err.to_string().contains("depends on"), "{err}");
    let sent = mock.requests()[0].json();
    assert_eq!(sent["requests"][1]["headers"]["Content-Type"], "application/json");
    assert_eq!(sent["requests"][1]["body"], json!({"displayName": "x"}));
    assert_eq!(sent["requests"][1]["dependsOn"], json!(["1"]));
    assert!(s.clock.sleeps().is_empty());
}

#[tokio::test]
async fn an_item_still_throttled_at_the_cap_is_returned_with_its_429() {
    let mock = Mock::start(|_, _| Reply::ok(json!({"responses": [{"id": "1", "status": 429, "headers": {"retry-after": "1"}}]}))).await;
    let s = setup(&mock);
    let answers = s.client.batch(vec![BatchItem::new("1", &GraphRequest::get("me"))]).await.unwrap();
    assert_eq!(answers[0].status, 429);
    assert_eq!(mock.count(), 4, "attempts are capped as for any request");
}

#[tokio::test]
async fn the_batch_itself_throttled_is_retried_and_a_missing_answer_is_an_error() {
    let mock = Mock::start(|_, i| if i == 0 { Reply::status(429).header("Retry-After", "2") } else { Reply::ok(json!({"responses": []})) }).await;
    let s = setup(&mock);
    let err = s.client.batch(vec![BatchItem::new("1", &GraphRequest::get("me"))]).await.unwrap_err();
    assert!(matches!(&err, GraphError::Decode { message, .. } if message.contains("no answer for request \"1\"")), "{err:?}");
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn an_item_retry_after_closes_the_gate_even_when_the_batch_gives_up() {
    // Retries off: the throttled item comes back with its 429, but the next request of the
    // client must still wait out the item's Retry-After (the tenant counts it as early otherwise).
    let mock = Mock::start(|r, _| {
        if r.target.contains("$batch") {
            let throttled = json!({"id": "0", "status": 429, "headers": {"Retry-After": "3"}, "body": {"error": {"code": "TooManyRequests", "message": "Please retry again later."}}});
            Reply::ok(json!({"responses": [throttled]}))
        } else {
            Reply::ok(json!({"id": "u-1"}))
        }
    })
    .await;
    let s = setup_with(&mock.base, entra_graph::RetryPolicy { jitter: 0.0, ..entra_graph::RetryPolicy::none() });
    let answers = s.client.batch(items(1)).await.unwrap();
    assert_eq!(answers[0].status, 429);
    assert!(s.clock.sleeps().is_empty(), "no retry");
    s.client.me().await.unwrap();
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(3)], "the next request waited for the gate");
}
