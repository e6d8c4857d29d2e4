//! Fault injection and stats: throttling with Retry-After, early retries,
//! runtime changes through /_emulator/faults, per-item 429 in $batch,
//! expired skip tokens, and counts by route template.

mod common;

use common::apps::*;
use entra_demo::{DemoOptions, Faults};
use serde_json::{json, Value};

async fn emulator(info: &entra_demo::DemoInfo, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}{path}", info.emulator);
    let c = common::client();
    let request = if method == "POST" { c.post(url).json(&body.unwrap_or(json!({}))) } else { c.get(url) };
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn throttling_is_seeded_counted_and_early_retries_are_seen() {
    let faults = Faults { throttle_fraction: 0.3, retry_after: "1.5".parse().unwrap(), ..Default::default() };
    let demo = entra_demo::start(DemoOptions { apps: 30, faults, ..Default::default() }).await.unwrap();
    let info = demo.info();
    let graph = Graph::new(info).await;
    let mut pattern = Vec::new();
    let mut throttled = None;
    for _ in 0..20 {
        let a = graph.get("/applications?$top=1&$select=id").await;
        pattern.push(a.status);
        if a.status == 429 {
            assert_eq!(a.headers["retry-after"], "1.5");
            assert_eq!(a.body["error"]["code"], "TooManyRequests");
            assert_eq!(a.body["error"]["innerError"]["status"], "429");
            throttled.get_or_insert(a);
            break;
        }
    }
    assert!(throttled.is_some(), "{pattern:?}");
    // Retrying at once is early (and throttled again).
    let a = graph.get("/applications?$top=1").await;
    assert_eq!(a.status, 429);
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["early_retries"], 1, "{stats}");
    assert_eq!(stats["throttled"].as_u64().unwrap(), 2);
    assert_eq!(stats["requests"]["GET /v1.0/applications"].as_u64().unwrap() as usize, pattern.len() + 1);

    // The same seed gives the same pattern.
    let again = entra_demo::start(DemoOptions { apps: 30, faults: Faults { throttle_fraction: 0.3, ..Default::default() }, ..Default::default() }).await.unwrap();
    let graph2 = Graph::new(again.info()).await;
    let mut pattern2 = Vec::new();
    for _ in 0..pattern.len() {
        pattern2.push(graph2.get("/applications?$top=1&$select=id").await.status);
    }
    assert_eq!(pattern, pattern2);

    // Waiting out Retry-After is not early; turning throttling off at run time.
    let (status, body) = emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 0.0, "retry_after": 2}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["retry_after"], "2");
    assert_eq!(body["throttle_fraction"], 0.0);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    assert_eq!(graph.get("/applications?$top=1").await.status, 200);
    assert_eq!(emulator(info, "GET", "/stats", None).await.1["early_retries"], 1);
    let (status, _) = emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 2.0}))).await;
    assert_eq!(status, 400);

    // Everything throttled, unavailable answers, and the identity side untouched.
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 1.0, "retry_after": "0"}))).await;
    assert_eq!(graph.get("/applications").await.status, 429);
    assert_eq!(common::post_token(info, &[("client_id", &info.confidential_client.client_id), ("client_secret", &info.confidential_client.client_secret), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")]).await.0, 200);
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 0.0, "unavailable_fraction": 1.0, "retry_after": "0"}))).await;
    let a = graph.get("/applications").await;
    assert_eq!((a.status, a.headers["retry-after"].to_str().unwrap()), (503, "0"));
}

#[tokio::test]
async fn batch_items_are_throttled_one_by_one() {
    let demo = tenant_with(30).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 0.5, "retry_after": "3"}))).await;
    let requests: Vec<Value> = (0..20).map(|k| json!({"id": k.to_string(), "method": "GET", "url": "/applications?$top=1"})).collect();
    let a = graph.post("/$batch", json!({"requests": requests})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let r = a.body["responses"].as_array().unwrap();
    let throttled: Vec<&Value> = r.iter().filter(|x| x["status"] == 429).collect();
    assert!(!throttled.is_empty() && throttled.len() < 20, "{}", throttled.len());
    assert!(throttled.iter().all(|x| x["headers"]["Retry-After"] == "3" && x["body"]["error"]["code"] == "TooManyRequests"));
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["requests"]["POST /v1.0/$batch"], 1);
    assert_eq!(stats["requests"]["GET /v1.0/applications"], 20, "{stats}");
    assert_eq!(stats["throttled"].as_u64().unwrap() as usize, throttled.len());
    assert_eq!(stats["early_retries"], 0);
}

#[tokio::test]
async fn stats_count_by_route_template_and_reset() {
    let demo = tenant_with(30).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    let page = graph.get("/applications?$top=2&$select=id,appId").await;
    let id = page.body["value"][0]["id"].as_str().unwrap().to_string();
    let app_id = page.body["value"][0]["appId"].as_str().unwrap().to_string();
    graph.get(&format!("/applications/{id}/owners")).await;
    graph.get(&format!("/applications/{id}/owners")).await;
    graph.get(&format!("/applications(appId='{app_id}')")).await;
    graph.post(&format!("/applications/{id}/addPassword"), json!({})).await;
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["requests"]["GET /v1.0/applications/{id}/owners"], 2, "{stats}");
    assert_eq!(stats["requests"]["GET /v1.0/applications(appId='{appId}')"], 1);
    assert_eq!(stats["requests"]["POST /v1.0/applications/{id}/addPassword"], 1);
    assert_eq!(stats["total"], 5);
    assert_eq!(demo.stats().total, 5);
    let (status, _) = emulator(info, "POST", "/stats/reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(emulator(info, "GET", "/stats", None).await.1, json!({"total": 0, "requests": {}, "throttled": 0, "unavailable": 0, "early_retries": 0, "lost_answers": 0, "resource_units": 0, "write_units": 0, "throttled_by_limit": 0}));

    // Latency and expired skip tokens at run time.
    let next = page.body["@odata.nextLink"].as_str().unwrap().to_string();
    let (_, f) = emulator(info, "POST", "/faults", Some(json!({"latency_ms": 150, "expire_skip_tokens": true}))).await;
    assert_eq!(f["expire_skip_tokens"], true);
    let started = std::time::Instant::now();
    let a = graph.get(&next).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    assert_error(&a, 400, "Directory_ExpiredPageToken");
    emulator(info, "POST", "/faults", Some(json!({"latency_ms": 0, "expire_skip_tokens": false}))).await;
    assert_eq!(graph.get(&next).await.status, 200);
}

/// Early retries are judged at arrival against 429s already delivered (the end of their
/// injected latency): requests in flight when a 429 is decided are not early; a request
/// sent right after the 429 came back is; one sent after the Retry-After is not.
#[tokio::test]
async fn early_retries_are_judged_at_arrival_against_delivered_429s() {
    use std::time::{Duration, Instant};
    let demo = tenant_with(30).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 1.0, "retry_after": "1", "latency_ms": 300}))).await;

    // Two requests in flight: the second arrives 100 ms after the first, so it is still waiting out
    // its latency when the first one's 429 is decided and delivered. Neither is early.
    let (a, b) = tokio::join!(graph.get("/applications?$top=1&$select=id"), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        graph.get("/applications?$top=1&$select=id").await
    });
    assert_eq!((a.status, b.status), (429, 429));
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!((stats["throttled"].as_u64(), stats["early_retries"].as_u64()), (Some(2), Some(0)), "{stats}");

    // Sent right after receiving a 429: early (judged at arrival, before its own latency), and throttled again.
    let c = graph.get("/applications?$top=1&$select=id").await;
    let received = Instant::now();
    assert_eq!(c.status, 429);
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!((stats["throttled"].as_u64(), stats["early_retries"].as_u64()), (Some(3), Some(1)), "{stats}");

    // Sent once the Retry-After (1 s from the delivery of c's 429) is over: not early.
    tokio::time::sleep(Duration::from_millis(1050).saturating_sub(received.elapsed())).await;
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 0.0}))).await;
    assert_eq!(graph.get("/applications?$top=1&$select=id").await.status, 200);
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["early_retries"].as_u64(), Some(1), "{stats}");
}

/// "Arrival" is when the tenant reads a request, which on a busy machine can be after a
/// sibling's 429 left though the client sent it before having that 429. So a delivery counts at
/// once on its own connection, and on the client's other connections only from
/// `CROSS_CONNECTION_SLACK` (200 ms) after it.
#[tokio::test]
async fn another_connection_is_judged_early_only_after_the_slack() {
    use std::time::{Duration, Instant};
    let demo = tenant_with(30).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    // Same app and token, each on a connection of its own (a fresh client pool).
    let fresh = || Graph { root: graph.root.clone(), token: graph.token.clone(), client: common::client() };
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 1.0, "retry_after": "3"}))).await;
    let early = || async { emulator(info, "GET", "/stats", None).await.1["early_retries"].as_u64().unwrap() };

    assert_eq!(graph.get("/applications?$top=1&$select=id").await.status, 429);
    let delivered = Instant::now();
    // At once, on another connection: it may have been sent before the 429 arrived.
    let (second, other) = (fresh(), fresh());
    assert_eq!(second.get("/applications?$top=1&$select=id").await.status, 429);
    assert_eq!(early().await, 0, "read {:?} after the 429 left, on another connection", delivered.elapsed());
    // At once on the connection a 429 came back on: early.
    assert_eq!(second.get("/applications?$top=1&$select=id").await.status, 429);
    assert_eq!(early().await, 1);
    let within = delivered.elapsed();
    assert!(within < entra_demo::CROSS_CONNECTION_SLACK, "the requests took {within:?}: the test proves nothing");

    // After the slack, another connection is early too.
    tokio::time::sleep(Duration::from_millis(250).saturating_sub(delivered.elapsed())).await;
    assert_eq!(other.get("/applications?$top=1&$select=id").await.status, 429);
    assert_eq!(early().await, 2);
}

/// A per-item 429 is delivered with the outer `$batch` answer: a request that arrived while the
/// batch was being served is not early, one sent right after the batch answer came back is.
#[tokio::test]
async fn batch_item_429s_are_delivered_with_the_batch() {
    use std::time::{Duration, Instant};
    let demo = tenant_with(30).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 1.0, "retry_after": "1", "latency_ms": 300}))).await;
    let requests = |n: usize| -> Vec<Value> { (0..n).map(|k| json!({"id": k.to_string(), "method": "GET", "url": "/applications?$top=1"})).collect() };

    // A request arriving 100 ms into the batch (its items still wait out their latency) is not early.
    let (batch, during) = tokio::join!(graph.post("/$batch", json!({"requests": requests(3)})), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        graph.get("/applications?$top=1&$select=id").await
    });
    let received = Instant::now();
    assert_eq!(batch.status, 200, "{}", batch.text);
    assert!(batch.body["responses"].as_array().unwrap().iter().all(|r| r["status"] == 429 && r["headers"]["Retry-After"] == "1"), "{}", batch.text);
    assert_eq!(during.status, 429);
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!((stats["throttled"].as_u64(), stats["early_retries"].as_u64()), (Some(4), Some(0)), "{stats}");

    // Once those Retry-Afters are over: a batch whose items are throttled, then at once another
    // request: early (the outer $batch is judged too; its items are not).
    tokio::time::sleep(Duration::from_millis(1050).saturating_sub(received.elapsed())).await;
    let batch = graph.post("/$batch", json!({"requests": requests(2)})).await;
    assert!(batch.body["responses"].as_array().unwrap().iter().all(|r| r["status"] == 429), "{}", batch.text);
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 0.0}))).await;
    let next = graph.post("/$batch", json!({"requests": requests(1)})).await;
    assert_eq!((next.status, next.body["responses"][0]["status"].as_u64()), (200, Some(200)), "{}", next.text);
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["early_retries"], 1, "{stats}");
}
