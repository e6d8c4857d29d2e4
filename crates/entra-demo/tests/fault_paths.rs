//! Faults limited to some requests (`only_paths`, `only_methods`): 503s and 429s
//! only on the revocation's requests, latency only where asked, set at start or
//! through `POST /_emulator/faults`; the seeded draw advances only on the
//! requests that match.

mod common;

use common::apps::*;
use common::leases::small_tenant;
use entra_demo::Faults;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn post_faults(info: &entra_demo::DemoInfo, body: Value) -> (u16, Value) {
    let response = common::client().post(format!("{}/faults", info.emulator)).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn only_matching_paths_are_faulted() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    let target = demo.lease_targets().application;
    demo.set_faults(Faults { unavailable_fraction: 1.0, retry_after: "0".parse().unwrap(), only_paths: vec!["removePassword".into()], ..Default::default() }).unwrap();

    assert_eq!(graph.get("/applications?$select=id").await.status, 200);
    let added = graph.post(&format!("/applications/{}/addPassword", target.object_id), json!({})).await;
    assert_eq!(added.status, 200, "{}", added.text);
    let remove = graph.post(&format!("/applications/{}/removePassword", target.object_id), json!({"keyId": added.body["keyId"]})).await;
    assert_error(&remove, 503, "serviceNotAvailable");
    assert_eq!(remove.headers["retry-after"], "0");
    assert!(demo.application_passwords(&target.object_id).iter().any(|p| p.key_id == added.body["keyId"]), "a 503 did nothing");
    let stats = demo.stats();
    assert_eq!(stats.unavailable, 1, "{stats:?}");

    // Through the control route: the same narrowing, by method this time.
    let (status, body) = post_faults(info, json!({"unavailable_fraction": 0.0, "throttle_fraction": 1.0, "only_paths": [], "only_methods": ["patch"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["only_paths"].clone(), body["only_methods"].clone()), (json!([]), json!(["patch"])));
    let user = demo.lease_targets().user;
    let patch = graph.send(graph.client.patch(format!("{}/users/{}", info.graph, user.id)).json(&json!({"passwordProfile": {"password": "Lease!Password-1234", "forceChangePasswordNextSignIn": false}}))).await;
    assert_error(&patch, 429, "TooManyRequests");
    assert_eq!(graph.post(&format!("/applications/{}/removePassword", target.object_id), json!({"keyId": added.body["keyId"]})).await.status, 204);
    assert!(demo.password_accepted(&user.id, entra_demo::directory::DEMO_PASSWORD), "the throttled PATCH did nothing");

    // Unknown fields are still refused.
    let (status, _) = post_faults(info, json!({"only_path": ["x"]})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_draw_advances_only_on_matching_requests() {
    // Half of the revocations fail; how many reads run in between does not change which.
    let pattern = |reads_between: usize| async move {
        let demo = small_tenant(Duration::ZERO).await;
        let graph = Graph::new(demo.info()).await;
        let user = demo.lease_targets().user;
        demo.set_faults(Faults { unavailable_fraction: 0.5, retry_after: "0".parse().unwrap(), only_paths: vec!["/revokeSignInSessions".into()], ..Default::default() }).unwrap();
        let mut statuses = Vec::new();
        for _ in 0..12 {
            for _ in 0..reads_between {
                assert_eq!(graph.get("/users?$top=1&$select=id").await.status, 200);
            }
            statuses.push(graph.post(&format!("/users/{}/revokeSignInSessions", user.id), json!({})).await.status);
        }
        statuses
    };
    let quiet = pattern(0).await;
    assert!(quiet.contains(&503) && quiet.contains(&200), "{quiet:?}");
    assert_eq!(pattern(3).await, quiet);
}

#[tokio::test]
async fn latency_only_where_asked() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    let user = demo.lease_targets().user;
    demo.set_faults(Faults { latency_ms: 1500, only_paths: vec!["revokeSignInSessions".into()], ..Default::default() }).unwrap();
    let started = Instant::now();
    assert_eq!(graph.get("/users?$top=1&$select=id").await.status, 200);
    assert!(started.elapsed() < Duration::from_millis(1000), "{:?}", started.elapsed());
    let started = Instant::now();
    assert_eq!(graph.post(&format!("/users/{}/revokeSignInSessions", user.id), json!({})).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(1500), "{:?}", started.elapsed());
}
