//! Client credentials with a secret made by addPassword on an inventory
//! application: refused with Entra's 401 `invalid_client` AADSTS7000215 until the
//! propagation delay has passed (emulator clock or real time), accepted after it
//! with the app's own permissions, refused at once once removed, expired with
//! AADSTS7000222; the demo clients' seeded secrets end with removePassword too.

mod common;

use common::apps::Graph;
use common::leases::*;
use common::*;
use serde_json::json;
use std::time::Duration;

/// Entra's words for a wrong (or not yet propagated) secret.
fn assert_invalid_secret(status: u16, body: &serde_json::Value, app_id: &str) {
    assert_aadsts(status, body, 401, "invalid_client", 7000215);
    let description = body["error_description"].as_str().unwrap();
    let expected = format!(
        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'.\r\n"
    );
    assert!(description.starts_with(&expected), "{description}");
}

async fn add_password(graph: &Graph, object_id: &str, end: Option<&str>) -> serde_json::Value {
    let mut credential = json!({"displayName": "entra-desk:store-1:lease-1"});
    if let Some(end) = end {
        credential["endDateTime"] = end.into();
    }
    let added = graph.post(&format!("/applications/{object_id}/addPassword"), json!({ "passwordCredential": credential })).await;
    assert_eq!(added.status, 200, "{}", added.text);
    added.body
}

#[tokio::test]
async fn a_new_secret_works_only_after_the_propagation_delay() {
    let demo = small_tenant(Duration::from_secs(30)).await;
    let info = demo.info();
    assert_eq!(info.secret_propagation_ms, 30_000);
    let target = demo.lease_targets().application;
    assert_eq!(demo.application(&target.app_id).as_ref(), Some(&target), "found by appId too");
    let graph = Graph::new(info).await;
    let added = add_password(&graph, &target.object_id, None).await;
    let secret = added["secretText"].as_str().unwrap();

    let (status, body) = client_credentials(info, &target.app_id, secret).await;
    assert_invalid_secret(status, &body, &target.app_id);
    demo.advance_clock(chrono::Duration::seconds(29));
    let (status, body) = client_credentials(info, &target.app_id, secret).await;
    assert_invalid_secret(status, &body, &target.app_id);
    demo.advance_clock(chrono::Duration::seconds(2));
    let (status, body) = client_credentials(info, &target.app_id, secret).await;
    assert_eq!(status, 200, "{body}");
    let claims = claims(body["access_token"].as_str().unwrap());
    assert_eq!((claims["azp"].as_str(), claims["azpacr"].as_str(), claims["idtyp"].as_str()), (Some(target.app_id.as_str()), Some("1"), Some("app")));
    let sp = graph.get(&format!("/servicePrincipals(appId='{}')?$select=id", target.app_id)).await;
    assert_eq!(claims["oid"], sp.body["id"], "oid is the app's service principal");
    assert!(claims["roles"].is_array());

    // Someone else's secret, or a near miss, is still refused.
    let (status, body) = client_credentials(info, &target.app_id, &format!("{secret}x")).await;
    assert_invalid_secret(status, &body, &target.app_id);
    let (status, body) = client_credentials(info, &info.confidential_client.client_id, secret).await;
    assert_invalid_secret(status, &body, &info.confidential_client.client_id);

    // Removed: refused at once.
    let removed = graph.post(&format!("/applications/{}/removePassword", target.object_id), json!({"keyId": added["keyId"]})).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    let (status, body) = client_credentials(info, &target.app_id, secret).await;
    assert_invalid_secret(status, &body, &target.app_id);
}

#[tokio::test]
async fn the_delay_also_passes_in_real_time_and_can_change() {
    let demo = small_tenant(Duration::from_millis(400)).await;
    let info = demo.info();
    let target = demo.lease_targets().application;
    let graph = Graph::new(info).await;
    let secret = add_password(&graph, &target.object_id, None).await["secretText"].as_str().unwrap().to_string();
    let started = std::time::Instant::now();
    let (status, _) = client_credentials(info, &target.app_id, &secret).await;
    assert_eq!(status, 401);
    // Retry as a client waiting for propagation would.
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (status, body) = client_credentials(info, &target.app_id, &secret).await;
        if status == 200 {
            break;
        }
        assert_eq!(body["error_codes"], json!([7000215]), "{body}");
        assert!(started.elapsed() < Duration::from_secs(10), "the secret never started to work");
    }
    assert!(started.elapsed() >= Duration::from_millis(350), "{:?}", started.elapsed());

    demo.set_secret_propagation(Duration::ZERO);
    let at_once = add_password(&graph, &target.object_id, None).await;
    let (status, body) = client_credentials(info, &target.app_id, at_once["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_expired_secret_and_a_removed_seeded_secret() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let target = demo.lease_targets().application;
    let graph = Graph::new(info).await;
    let end = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let secret = add_password(&graph, &target.object_id, Some(&end)).await["secretText"].as_str().unwrap().to_string();
    assert_eq!(client_credentials(info, &target.app_id, &secret).await.0, 200);
    demo.advance_clock(chrono::Duration::hours(2));
    let (status, body) = client_credentials(info, &target.app_id, &secret).await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000222);

    // The confidential client's seeded secret, removed through Graph, stops at once.
    let graph = Graph::new(info).await;
    let cc = &info.confidential_client;
    let app = demo.application(&cc.client_id).unwrap();
    let seeded = demo.application_passwords(&app.object_id);
    assert_eq!(seeded.len(), 1);
    let removed = graph.post(&format!("/applications/{}/removePassword", app.object_id), json!({"keyId": seeded[0].key_id})).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    let (status, body) = client_credentials(info, &cc.client_id, &cc.client_secret).await;
    assert_invalid_secret(status, &body, &cc.client_id);
}

#[tokio::test]
async fn unknown_clients_and_public_ones_keep_their_errors() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let (status, body) = client_credentials(info, "0b8f7c6e-1111-4222-8333-944445555666", "whatever").await;
    assert_aadsts(status, &body, 400, "unauthorized_client", 700016);
    let (status, body) = client_credentials(info, &info.public_client_id, "whatever").await;
    assert_aadsts(status, &body, 401, "invalid_client", 700025);
    // Deleted inventory app: unknown.
    let target = demo.lease_targets().application;
    let graph = Graph::new(info).await;
    let secret = add_password(&graph, &target.object_id, None).await["secretText"].as_str().unwrap().to_string();
    assert_eq!(graph.delete(&format!("/applications/{}", target.object_id)).await.status, 204);
    let (status, body) = client_credentials(info, &target.app_id, &secret).await;
    assert_aadsts(status, &body, 400, "unauthorized_client", 700016);
}
