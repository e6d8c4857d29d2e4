//! The `lose_answers` fault: a matching Graph request is carried out, then answered 504
//! Gateway Timeout (Graph's error envelope) instead of its result, as when a gateway gives up
//! after the service did the work. Set through `POST {emulator}/faults` or at start, counted
//! down, narrowed by `only_paths`/`only_methods`, counted in the stats.

mod common;

use common::apps::*;
use common::leases::small_tenant;
use entra_demo::{DemoInfo, Faults};
use serde_json::{json, Value};
use std::time::Duration;

async fn post_faults(info: &DemoInfo, body: Value) -> (u16, Value) {
    let response = common::client().post(format!("{}/faults", info.emulator)).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn key_ids(demo: &entra_demo::DemoTenant, app: &str) -> Vec<String> {
    demo.application_passwords(app).into_iter().map(|p| p.key_id).collect()
}

#[tokio::test]
async fn an_add_password_whose_answer_is_lost_still_adds_the_password() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    let app = demo.lease_targets().application.object_id;
    let (status, body) = post_faults(info, json!({"lose_answers": 1, "only_paths": ["addPassword"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["lose_answers"], 1);

    // Requests the filter does not select keep their answers and leave the count alone.
    assert_eq!(graph.get(&format!("/applications/{app}?$select=id")).await.status, 200);
    let before = key_ids(&demo, &app);

    let lost = graph.post(&format!("/applications/{app}/addPassword"), json!({"passwordCredential": {"displayName": "lost answer"}})).await;
    assert_error(&lost, 504, "UnknownError");
    assert!(lost.body.get("secretText").is_none() && !lost.text.contains("secretText"), "the real answer is gone: {}", lost.text);
    let after = demo.application_passwords(&app);
    let new: Vec<_> = after.iter().filter(|p| !before.contains(&p.key_id)).collect();
    assert_eq!(new.len(), 1, "the application holds the password whose answer was lost: {after:?}");
    assert_eq!(new[0].display_name.as_deref(), Some("lost answer"));

    // Counted down: the next one answers as usual.
    let (_, faults) = post_faults(info, json!({})).await;
    assert_eq!(faults["lose_answers"], 0, "{faults}");
    let kept = graph.post(&format!("/applications/{app}/addPassword"), json!({"passwordCredential": {"displayName": "kept"}})).await;
    assert_eq!(kept.status, 200, "{}", kept.text);
    assert!(kept.body["secretText"].is_string());
    assert_eq!(demo.application_passwords(&app).len(), before.len() + 2);
    assert_eq!(demo.stats().lost_answers, 1);
}

#[tokio::test]
async fn lost_answers_follow_the_method_filter_set_at_start() {
    let demo = small_tenant(Duration::ZERO).await;
    demo.set_faults(Faults { lose_answers: 2, only_methods: vec!["post".into()], ..Default::default() }).unwrap();
    let info = demo.info();
    let graph = Graph::new(info).await;
    let target = demo.lease_targets();
    assert_eq!(graph.get("/users?$top=1&$select=id").await.status, 200, "a GET is not selected");

    let revoke = graph.post(&format!("/users/{}/revokeSignInSessions", target.user.id), json!({})).await;
    assert_error(&revoke, 504, "UnknownError");
    let app = target.application.object_id;
    let before = key_ids(&demo, &app);
    let added = graph.post(&format!("/applications/{app}/addPassword"), json!({})).await;
    assert_error(&added, 504, "UnknownError");
    assert_eq!(key_ids(&demo, &app).len(), before.len() + 1, "carried out");
    assert_eq!(graph.post(&format!("/applications/{app}/addPassword"), json!({})).await.status, 200, "two lost, then none");
    let stats = demo.stats();
    assert_eq!((stats.lost_answers, stats.unavailable, stats.throttled), (2, 0, 0), "{stats:?}");
}

#[tokio::test]
async fn a_bad_count_is_refused_and_changes_nothing() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    for bad in [json!({"lose_answers": -1}), json!({"lose_answers": "one"}), json!({"lose_answers": 1, "lose_answer": 1})] {
        let (status, body) = post_faults(info, bad.clone()).await;
        assert_eq!(status, 400, "{bad} → {body}");
    }
    let graph = Graph::new(info).await;
    assert_eq!(graph.get("/applications?$top=1&$select=id").await.status, 200);
    assert_eq!(demo.stats().lost_answers, 0);
}
