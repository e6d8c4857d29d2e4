//! `POST /users/{id}/revokeSignInSessions`: 200 `{"value":true}`; refresh tokens
//! issued before it answer `invalid_grant` AADSTS50173 (public and confidential
//! clients alike), tokens issued after it work, the browser session ends
//! (`prompt=none` → `login_required`), and access tokens live on until they expire.

mod common;

use common::apps::{assert_error, Graph};
use common::leases::*;
use common::*;
use entra_demo::browser::DemoBrowser;
use entra_demo::directory::DEMO_PASSWORD;
use std::time::Duration;

async fn revoke(graph: &Graph, user_id: &str) -> common::apps::Answer {
    graph.post(&format!("/users/{user_id}/revokeSignInSessions"), serde_json::json!({})).await
}

#[tokio::test]
async fn refresh_tokens_issued_before_a_revocation_stop_working() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let target = demo.lease_targets().user;
    let graph = Graph::new(info).await;

    let before = sign_in(info, &target.user_principal_name, DEMO_PASSWORD, "openid offline_access User.Read").await.unwrap();
    let old_refresh = before["refresh_token"].as_str().unwrap().to_string();
    let (status, body) = refresh(info, &old_refresh).await;
    assert_eq!(status, 200, "{body}");
    let rotated = body["refresh_token"].as_str().unwrap().to_string();
    // The admin's own tokens, to show they are not touched.
    let admin = sign_in(info, &info.user.username, &info.user.password, "openid offline_access User.Read").await.unwrap();

    let answer = revoke(&graph, &target.id).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["value"], true);
    assert!(answer.body["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#Edm.Boolean"), "{}", answer.text);
    assert!(answer.headers.contains_key("request-id"));

    for token in [&old_refresh, &rotated] {
        let (status, body) = refresh(info, token).await;
        assert_aadsts(status, &body, 400, "invalid_grant", 50173);
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains("The provided grant has expired due to it being revoked") && description.contains("TokensValidFrom"), "{description}");
    }
    // The password still works: a new sign-in, and its refresh token, are fine.
    let after = sign_in(info, &target.user_principal_name, DEMO_PASSWORD, "openid offline_access User.Read").await.unwrap();
    let (status, body) = refresh(info, after["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = refresh(info, admin["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "another user's tokens live on: {body}");

    // An access token issued before the revocation keeps working until it expires, as in Entra.
    let me = graph_as(info, before["access_token"].as_str().unwrap()).get("/me").await;
    assert_eq!(me.status, 200, "{}", me.text);
}

#[tokio::test]
async fn the_browser_session_ends_too() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let target = demo.lease_targets().user;
    let mut app = Loopback::start().await;
    let redirect_uri = app.redirect_uri();
    let url = |prompt: Option<&str>| {
        let mut params = vec![
            ("client_id", info.public_client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", redirect_uri.as_str()),
            ("scope", "openid"),
        ];
        if let Some(p) = prompt {
            params.push(("prompt", p));
        }
        authorize_url(info, &params)
    };
    let browser = DemoBrowser::new(None).unwrap();
    browser.sign_in(&url(None), &target.user_principal_name, DEMO_PASSWORD).await.unwrap();
    app.next().await;
    let silent = browser.sign_in(&url(Some("none")), "", "").await.unwrap();
    app.next().await;
    assert!(query_param(&silent, "code").is_some(), "the session signs in silently: {silent}");

    assert_eq!(revoke(&Graph::new(info).await, &target.id).await.status, 200);
    let silent = browser.sign_in(&url(Some("none")), "", "").await.unwrap();
    app.next().await;
    assert_eq!(query_param(&silent, "error").as_deref(), Some("login_required"), "{silent}");
}

#[tokio::test]
async fn revoking_needs_a_permission_and_a_known_user() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let target = demo.lease_targets().user;
    let graph = Graph::new(info).await;
    assert_error(&revoke(&graph, "0b8f7c6e-1111-4222-8333-944445555666").await, 404, "Request_ResourceNotFound");

    // Delegated with User.Read only: 403; Adele may revoke her own sessions with User.ReadWrite.All,
    // but not the admin's.
    let read_only = sign_in(info, &target.user_principal_name, DEMO_PASSWORD, "openid User.Read").await.unwrap();
    let denied = revoke(&graph_as(info, read_only["access_token"].as_str().unwrap()), &target.id).await;
    assert_eq!((denied.status, denied.body["error"]["code"].as_str()), (403, Some("Authorization_RequestDenied")), "{}", denied.text);
    // Adele may hold the admin-only User.ReadWrite.All once an administrator consented for everyone.
    consent_for_organization(info, "openid User.ReadWrite.All").await;
    let writer = sign_in(info, &target.user_principal_name, DEMO_PASSWORD, "openid User.ReadWrite.All").await.unwrap();
    let as_adele = graph_as(info, writer["access_token"].as_str().unwrap());
    assert_eq!(revoke(&as_adele, &target.id).await.status, 200, "her own sessions");
    let admin = info.groups.admin_user.clone();
    assert_eq!(revoke(&as_adele, &admin).await.status, 403, "someone else's");
}
