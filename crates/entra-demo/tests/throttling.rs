//! Graph's throttling model for identity and access (REFERENCE §6), over HTTP: the
//! cost table and its modifiers in `x-ms-resource-unit`, a client that spends its
//! bucket (429 with `Retry-After`, `x-ms-throttle-scope`, `x-ms-throttle-information`,
//! then success once `Retry-After` has passed), `x-ms-throttle-limit-percentage`
//! past 80 %, `$batch` items charged one by one, one bucket per client app,
//! switching it at run time beside the random faults, and the stats' units.
//!
//! The small limits (`graph_throttling_limit`) refill slowly (a tenth of the limit per
//! second), so a few requests in a row drain a bucket long before it refills.

mod common;

use common::apps::*;
use entra_demo::{DemoOptions, DemoTenant, Faults};
use serde_json::{json, Value};

async fn emulator(info: &entra_demo::DemoInfo, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}{path}", info.emulator);
    let c = common::client();
    let request = if method == "POST" { c.post(url).json(&body.unwrap_or(json!({}))) } else { c.get(url) };
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A small tenant (60 users: 5,000 units per 10 s by size) with the model on.
async fn throttled_tenant(limit: Option<u32>) -> DemoTenant {
    let options = DemoOptions { apps: 12, groups: 12, users: 60, graph_throttling: true, graph_throttling_limit: limit, ..Default::default() };
    entra_demo::start(options).await.expect("demo tenant starts")
}

fn header<'a>(a: &'a Answer, name: &str) -> Option<&'a str> {
    a.headers.get(name).map(|v| v.to_str().unwrap())
}

fn units(a: &Answer) -> u64 {
    header(a, "x-ms-resource-unit").unwrap_or_else(|| panic!("no x-ms-resource-unit: {:?}", a.headers)).parse().unwrap()
}

fn percentage(a: &Answer) -> Option<f64> {
    header(a, "x-ms-throttle-limit-percentage").map(|p| p.parse().unwrap())
}

/// Asserts a 429 of the model: Graph's body and its headers; returns `Retry-After`.
fn assert_limit_exceeded(a: &Answer, app_id: &str, tenant_id: &str) -> u64 {
    assert_eq!(a.status, 429, "{}", a.text);
    assert_eq!(a.body["error"]["code"], "TooManyRequests", "{}", a.text);
    assert_eq!(a.body["error"]["innerError"]["status"], "429");
    assert_eq!(header(a, "x-ms-throttle-scope"), Some(format!("Tenant_Application/ReadWrite/{app_id}/{tenant_id}").as_str()));
    assert_eq!(header(a, "x-ms-throttle-information"), Some("ResourceUnitLimitExceeded"));
    let used = percentage(a).expect("a refused request is past 80 %");
    assert!(used > 1.0 && used <= 1.8, "{used}");
    let retry_after: u64 = header(a, "retry-after").expect("Retry-After").parse().expect("an integer Retry-After");
    assert!(retry_after >= 1, "{retry_after}");
    retry_after
}

#[tokio::test]
async fn costs_and_modifiers_show_in_x_ms_resource_unit_and_add_up_in_the_stats() {
    let demo = throttled_tenant(None).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    let fx = demo.group_fixture();
    let app = graph.get("/applications?$top=1&$select=id").await.body["value"][0]["id"].as_str().unwrap().to_string();
    let user = demo.lease_targets().user.id;
    let group = &fx.nested_chain[0];
    emulator(info, "POST", "/stats/reset", None).await;
    let reads: Vec<(String, u64)> = vec![
        ("/applications".into(), 2),
        (format!("/applications/{app}"), 2),
        ("/applications/$count".into(), 1),
        ("/applications?$select=id,displayName".into(), 1),
        ("/applications?$top=5".into(), 1),
        ("/applications?$top=20".into(), 2),
        ("/applications?$top=5&$select=id".into(), 1),
        ("/applications?$expand=owners".into(), 3),
        ("/users".into(), 2),
        (format!("/users/{user}"), 2),
        ("/users/delta".into(), 2),
        (format!("/users/{user}/memberOf"), 2),
        (format!("/users/{user}/transitiveMemberOf"), 2),
        ("/groups".into(), 1),
        (format!("/groups/{group}"), 1),
        (format!("/groups/{group}/members"), 3),
        (format!("/groups/{group}/transitiveMembers"), 5),
        (format!("/groups/{group}/transitiveMembers?$top=5&$select=id"), 3),
        (format!("/groups/{group}/members?$expand=manager"), 4),
        ("/nothingHere".into(), 1),
    ];
    let mut spent = 0;
    for (path, expected) in &reads {
        let a = graph.get(path).await;
        // Errors (400 for `$count` without ConsistencyLevel, an unknown segment) are charged too.
        assert_eq!(units(&a), *expected, "GET {path}: {}", a.text);
        assert_eq!(percentage(&a), None, "GET {path}");
        spent += expected;
    }
    let by_ids = graph.post("/directoryObjects/getByIds", json!({"ids": [fx.admin_user]})).await;
    assert_eq!((by_ids.status, units(&by_ids)), (200, 3), "{}", by_ids.text);
    let added = graph.post(&format!("/applications/{app}/addPassword"), json!({})).await;
    assert_eq!((added.status, units(&added)), (200, 1), "{}", added.text);
    spent += 3 + 1;
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["resource_units"], spent, "{stats}");
    assert_eq!(stats["write_units"], 1, "only addPassword is a write; getByIds is a read: {stats}");
    assert_eq!((stats["throttled"].as_u64(), stats["throttled_by_limit"].as_u64()), (Some(0), Some(0)));
    assert_eq!(demo.stats().resource_units, spent);
    let (_, stats) = emulator(info, "POST", "/stats/reset", None).await;
    assert_eq!((stats["resource_units"].as_u64(), stats["write_units"].as_u64()), (Some(0), Some(0)));
}

#[tokio::test]
async fn a_client_that_spends_its_bucket_is_throttled_until_retry_after() {
    // 10 units per 10 s, 1 back per second; GET /applications costs 2.
    let demo = throttled_tenant(Some(10)).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    for k in 1..=5 {
        let a = graph.get("/applications").await;
        assert_eq!((a.status, units(&a)), (200, 2), "request {k}: {}", a.text);
        match percentage(&a) {
            // 2, 4, 6, 8 of 10 units used (a little less, refilled meanwhile): not past 80 %.
            None => assert!(k < 5, "request {k} used the whole bucket but has no percentage"),
            Some(p) => assert!(k == 5 && p > 0.8 && p <= 1.0, "request {k}: {p}"),
        }
    }
    let refused = graph.get("/applications").await;
    assert_eq!(units(&refused), 2);
    let first_wait = assert_limit_exceeded(&refused, &info.confidential_client.client_id, &info.tenant_id);
    assert!(first_wait <= 2, "two units come back in at most 2 s: {first_wait}");

    // Coming back at once is an early retry, and the bucket still cannot pay.
    let again = graph.get("/applications").await;
    let retry_after = assert_limit_exceeded(&again, &info.confidential_client.client_id, &info.tenant_id);
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["early_retries"], 1, "{stats}");
    assert_eq!((stats["throttled"].as_u64(), stats["throttled_by_limit"].as_u64()), (Some(2), Some(2)), "{stats}");
    assert_eq!(stats["resource_units"], 10, "refused requests spend nothing: {stats}");

    // After Retry-After the same request succeeds, and it is not early.
    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    let a = graph.get("/applications").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(units(&a), 2);
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["early_retries"], 1, "{stats}");
    assert_eq!(stats["resource_units"], 12, "{stats}");
}

#[tokio::test]
async fn batch_items_are_charged_and_throttled_one_by_one() {
    let demo = throttled_tenant(Some(10)).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    let requests: Vec<Value> = (0..8).map(|k| json!({"id": k.to_string(), "method": "GET", "url": "/applications"})).collect();
    let a = graph.post("/$batch", json!({"requests": requests})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    // The outer $batch is not charged; it reports the bucket's use, past 80 % now.
    assert_eq!(header(&a, "x-ms-resource-unit"), None);
    assert!(percentage(&a).is_some_and(|p| p > 0.8), "{:?}", a.headers);
    let responses = a.body["responses"].as_array().unwrap();
    assert!(responses.iter().all(|r| r["headers"]["x-ms-resource-unit"] == "2"), "{}", a.text);
    let (ok, throttled): (Vec<&Value>, Vec<&Value>) = responses.iter().partition(|r| r["status"] == 200);
    assert_eq!((ok.len(), throttled.len()), (5, 3), "10 units pay for 5 items: {}", a.text);
    for item in &throttled {
        let h = &item["headers"];
        assert_eq!(item["status"], 429);
        assert_eq!(item["body"]["error"]["code"], "TooManyRequests");
        assert_eq!(h["x-ms-throttle-information"], "ResourceUnitLimitExceeded");
        assert_eq!(h["x-ms-throttle-scope"], format!("Tenant_Application/ReadWrite/{}/{}", info.confidential_client.client_id, info.tenant_id));
        let retry_after: u64 = h["Retry-After"].as_str().unwrap().parse().expect("an integer Retry-After");
        assert!((1..=2).contains(&retry_after), "{retry_after}");
        assert!(h["x-ms-throttle-limit-percentage"].as_str().unwrap().parse::<f64>().unwrap() > 1.0);
    }
    let (_, stats) = emulator(info, "GET", "/stats", None).await;
    assert_eq!(stats["requests"]["POST /v1.0/$batch"], 1);
    assert_eq!(stats["resource_units"], 10, "{stats}");
    assert_eq!(stats["throttled_by_limit"], 3, "{stats}");
    // The items' 429s were delivered with the batch: coming back at once is early.
    assert_eq!(graph.get("/applications").await.status, 429);
    assert_eq!(emulator(info, "GET", "/stats", None).await.1["early_retries"], 1);
}

#[tokio::test]
async fn two_client_apps_have_separate_buckets() {
    let demo = throttled_tenant(Some(10)).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    for _ in 0..5 {
        assert_eq!(graph.get("/applications").await.status, 200);
    }
    assert_limit_exceeded(&graph.get("/applications").await, &info.confidential_client.client_id, &info.tenant_id);
    // The public client (a delegated token, `azp` = its id) has its own full bucket.
    let token = common::sign_in_tokens(info).await["access_token"].as_str().unwrap().to_string();
    let user = Graph { root: info.graph.clone(), token, client: common::client() };
    let me = user.get("/me").await;
    assert_eq!((me.status, units(&me), percentage(&me)), (200, 1, None), "{}", me.text);
    for _ in 0..4 {
        // Charged whatever the answer (the delegated User.Read may not list users).
        assert_eq!(units(&user.get("/users").await), 2);
    }
    // 9 of its 10 units are spent now; a 2-unit request is refused in its own scope.
    assert_limit_exceeded(&user.get("/users").await, &info.public_client_id, &info.tenant_id);
}

#[tokio::test]
async fn the_model_is_switched_at_run_time_beside_the_random_faults() {
    let demo = entra_demo::start(DemoOptions { apps: 12, groups: 12, users: 60, ..Default::default() }).await.unwrap();
    let info = demo.info();
    let graph = Graph::new(info).await;
    // Off by default: no header, nothing charged.
    let a = graph.get("/applications").await;
    assert_eq!((a.status, header(&a, "x-ms-resource-unit")), (200, None));
    let (_, faults) = emulator(info, "GET", "/faults", None).await;
    assert_eq!((faults["graph_throttling"].clone(), faults["graph_throttling_limit"].clone()), (json!(false), Value::Null), "{faults}");

    let (status, faults) = emulator(info, "POST", "/faults", Some(json!({"graph_throttling": true, "graph_throttling_limit": 4}))).await;
    assert_eq!(status, 200, "{faults}");
    assert_eq!((faults["graph_throttling"].clone(), faults["graph_throttling_limit"].clone()), (json!(true), json!(4)));
    assert_eq!(emulator(info, "GET", "/faults", None).await.1, faults);
    assert_eq!(units(&graph.get("/applications").await), 2);
    assert_eq!(units(&graph.get("/applications").await), 2);
    assert_limit_exceeded(&graph.get("/applications").await, &info.confidential_client.client_id, &info.tenant_id);
    assert_eq!(emulator(info, "POST", "/faults", Some(json!({"graph_throttling_limit": 0}))).await.0, 400);

    // Back to the limit by tenant size (a fresh bucket): the same request passes.
    let (_, faults) = emulator(info, "POST", "/faults", Some(json!({"graph_throttling_limit": null}))).await;
    assert_eq!((faults["graph_throttling"].clone(), faults["graph_throttling_limit"].clone()), (json!(true), Value::Null));
    assert_eq!(graph.get("/applications").await.status, 200);

    // The random faults still work on their own: a random 429 is not the model's and costs nothing.
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 1.0, "retry_after": "0"}))).await;
    let before = demo.stats();
    let a = graph.get("/applications").await;
    assert_eq!((a.status, units(&a), header(&a, "x-ms-throttle-scope")), (429, 2, None), "{}", a.text);
    assert_eq!(demo.stats().resource_units, before.resource_units);
    assert_eq!(demo.stats().throttled_by_limit, before.throttled_by_limit);
    // Replacing the random faults leaves the model on; switching the model off leaves the faults.
    demo.set_faults(Faults::default()).unwrap();
    assert_eq!(units(&graph.get("/applications").await), 2);
    emulator(info, "POST", "/faults", Some(json!({"throttle_fraction": 1.0, "retry_after": "0"}))).await;
    demo.set_graph_throttling(false, None).unwrap();
    let a = graph.get("/applications").await;
    assert_eq!((a.status, header(&a, "x-ms-resource-unit")), (429, None));
    assert_eq!(emulator(info, "GET", "/faults", None).await.1["throttle_fraction"], 1.0);
}
