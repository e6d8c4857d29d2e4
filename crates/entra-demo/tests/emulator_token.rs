//! The `/_emulator` control routes need this run's token: `DemoInfo::emulator` carries it as a
//! path segment (`…/_emulator/<token>`), so `{emulator}/faults` and `{emulator}/stats` work
//! for whoever was given the DemoInfo, and nobody else. Without the token, or with a wrong one,
//! every control route answers 404, changes nothing and echoes nothing.

mod common;

use common::apps::*;
use common::leases::small_tenant;
use entra_demo::{DemoOptions, EmulatorToken};
use serde_json::{json, Value};
use std::time::Duration;

struct Answer {
    status: u16,
    text: String,
}

async fn call(method: &str, url: String, body: Value) -> Answer {
    let c = common::client();
    let request = if method == "POST" { c.post(url).json(&body) } else { c.get(url) };
    let response = request.send().await.unwrap();
    Answer { status: response.status().as_u16(), text: response.text().await.unwrap() }
}

/// `http://127.0.0.1:PORT` and the token, from the published address.
fn split(emulator: &str) -> (String, String) {
    let (base, token) = emulator.split_once("/_emulator/").expect("the emulator address is …/_emulator/<token>");
    assert!(!token.contains('/'), "one segment: {token}");
    (base.to_string(), token.to_string())
}

#[tokio::test]
async fn control_routes_need_the_runs_token() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    let (base, token) = split(&info.emulator);
    assert_eq!(token.len(), 43, "32 random bytes in base64url");
    assert_eq!(graph.get("/applications?$top=1&$select=id").await.status, 200);

    // The same token with its last character changed, none, a prefix, the old token-less
    // routes, and another route segment where the token goes.
    let last = token.chars().last().unwrap();
    let wrong = format!("{}{}", &token[..token.len() - 1], if last == 'A' { 'B' } else { 'A' });
    let bad_prefixes =
        [format!("{base}/_emulator/{wrong}"), format!("{base}/_emulator/{}", &token[..20]), format!("{base}/_emulator"), format!("{base}/_emulator/"), format!("{base}/_emulator/stats")];
    let throttle_all = json!({"throttle_fraction": 1.0, "retry_after": "0"});
    for prefix in &bad_prefixes {
        for (method, route, body) in [("GET", "/faults", json!(null)), ("POST", "/faults", throttle_all.clone()), ("GET", "/stats", json!(null)), ("POST", "/stats/reset", json!({}))] {
            let answer = call(method, format!("{prefix}{route}"), body).await;
            assert_eq!(answer.status, 404, "{method} {prefix}{route}: {}", answer.text);
            assert!(!answer.text.contains(&token) && !answer.text.contains(&wrong), "a 404 echoes no token: {}", answer.text);
        }
    }
    // Nothing changed: Graph is not throttled, and the stats were not reset.
    assert_eq!(graph.get("/applications?$top=1&$select=id").await.status, 200);
    let stats = demo.stats();
    assert_eq!(stats.requests["GET /v1.0/applications"], 2, "{stats:?}");
    assert_eq!(stats.throttled, 0);

    // The published address works, for every route.
    let faults = call("GET", format!("{}/faults", info.emulator), json!(null)).await;
    assert_eq!((faults.status, serde_json::from_str::<Value>(&faults.text).unwrap()["throttle_fraction"].clone()), (200, json!(0.0)));
    let set = call("POST", format!("{}/faults", info.emulator), throttle_all).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(graph.get("/applications?$top=1&$select=id").await.status, 429);
    let stats = call("GET", format!("{}/stats", info.emulator), json!(null)).await;
    assert_eq!(serde_json::from_str::<Value>(&stats.text).unwrap()["throttled"], 1, "{}", stats.text);
    assert_eq!(call("POST", format!("{}/stats/reset", info.emulator), json!({})).await.status, 200);
    assert_eq!(demo.stats().total, 0);
    // A route that does not exist, under the right token: 404, the token not echoed.
    let unknown = call("GET", format!("{}/nothing", info.emulator), json!(null)).await;
    assert_eq!(unknown.status, 404);
    assert!(!unknown.text.contains(&token), "{}", unknown.text);
}

#[tokio::test]
async fn every_run_draws_its_own_token_unless_one_is_handed_in() {
    let options = || DemoOptions { apps: 0, groups: 12, users: 20, ..Default::default() };
    let (a, b) = (entra_demo::start(options()).await.unwrap(), entra_demo::start(options()).await.unwrap());
    let (token_a, token_b) = (split(&a.info().emulator).1, split(&b.info().emulator).1);
    assert_ne!(token_a, token_b, "the same seed, two runs, two tokens");
    // One run's token opens nothing in another.
    let (base_b, _) = split(&b.info().emulator);
    assert_eq!(call("GET", format!("{base_b}/_emulator/{token_a}/faults"), json!(null)).await.status, 404);

    let handed = EmulatorToken::random();
    let c = entra_demo::start(DemoOptions { emulator_token: Some(handed.clone()), ..options() }).await.unwrap();
    assert_eq!(split(&c.info().emulator).1, handed.expose());
    assert_eq!(call("GET", format!("{}/faults", c.info().emulator), json!(null)).await.status, 200);
    assert!(!format!("{:?}", DemoOptions { emulator_token: Some(handed.clone()), ..options() }).contains(handed.expose()), "Debug hides it");
}
