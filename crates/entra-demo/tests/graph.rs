//! Graph /me and /organization, and Graph's 401/400 envelopes.

mod common;

use common::*;
use serde_json::Value;

async fn graph_get(url: &str, bearer: Option<&str>) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = client().get(url).header("client-request-id", "7f1c2a8e-4f7e-4a43-9f76-0d1c9a1d2b3c");
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

fn assert_graph_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string());
    let inner = &body["error"]["innerError"];
    assert!(inner["date"].is_string() && inner["request-id"].is_string(), "{body}");
    assert_eq!(inner["client-request-id"], "7f1c2a8e-4f7e-4a43-9f76-0d1c9a1d2b3c");
}

#[tokio::test]
async fn me_and_organization_with_a_delegated_token() {
    let demo = tenant().await;
    let info = demo.info();
    let tokens = sign_in_tokens(info).await;
    let at = tokens["access_token"].as_str().unwrap();
    let (status, headers, me) = graph_get(&format!("{}/me", info.graph), Some(at)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(headers["client-request-id"], "7f1c2a8e-4f7e-4a43-9f76-0d1c9a1d2b3c");
    assert!(headers.contains_key("request-id"));
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json;odata.metadata=minimal"));
    assert_eq!(me["userPrincipalName"], info.user.username);
    assert_eq!(me["id"], claims(at)["oid"]);
    assert!(me["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#users/$entity"));
    for field in ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname"] {
        assert!(me.get(field).is_some(), "{field}");
    }

    let (status, _, org) = graph_get(&format!("{}/organization", info.graph), Some(at)).await;
    assert_eq!(status, 200, "{org}");
    assert!(org["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#organization"));
    assert_eq!(org["value"][0]["id"], info.tenant_id);
    assert_eq!(org["value"][0]["verifiedDomains"][0]["name"], "demo.onmicrosoft.com");
    assert!(org["value"][0]["displayName"].is_string());
}

#[tokio::test]
async fn graph_refuses_missing_invalid_expired_and_app_only_tokens() {
    let demo = tenant().await;
    let info = demo.info();
    let me = format!("{}/me", info.graph);
    let (status, headers, body) = graph_get(&me, None).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    assert!(headers.contains_key("www-authenticate"));
    let (status, _, body) = graph_get(&me, Some("garbage")).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");

    // A token whose signature does not match.
    let at = sign_in_tokens(info).await["access_token"].as_str().unwrap().to_string();
    let tampered = format!("{}x", &at[..at.len() - 1].trim_end_matches('x'));
    let (status, _, body) = graph_get(&me, Some(&tampered)).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");

    // App-only token on /me: 400, as Graph answers.
    let cc = &info.confidential_client;
    let (_, token) = post_token(info, &[("client_id", &cc.client_id), ("client_secret", &cc.client_secret), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")]).await;
    let app_token = token["access_token"].as_str().unwrap();
    let (status, _, body) = graph_get(&me, Some(app_token)).await;
    assert_graph_error(status, &body, 400, "BadRequest");
    // ...but it may read /organization.
    let (status, _, _) = graph_get(&format!("{}/organization", info.graph), Some(app_token)).await;
    assert_eq!(status, 200);

    // Expired on the emulator clock.
    demo.advance_clock(chrono::Duration::hours(2));
    let (status, _, body) = graph_get(&me, Some(&at)).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn unknown_graph_routes_answer_in_graphs_envelope() {
    let demo = tenant().await;
    let info = demo.info();
    let (status, _, body) = graph_get(&format!("{}/nothingHere/x", info.graph), None).await;
    assert_graph_error(status, &body, 400, "BadRequest");
    assert!(body["error"]["message"].as_str().unwrap().contains("nothingHere"));
}
