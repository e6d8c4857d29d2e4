//! Helpers for the lease tests: a small tenant, sign-ins as any seeded user,
//! refresh and client-credential requests, and Graph as a given token.

use super::apps::Graph;
use entra_demo::browser::{ConsentChoice, DemoBrowser};
use entra_demo::{DemoInfo, DemoOptions, DemoTenant};
use serde_json::Value;
use std::time::Duration;

pub const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";

/// A small tenant (quick to start) whose new secrets work after `propagation`.
pub async fn small_tenant(propagation: Duration) -> DemoTenant {
    let options = DemoOptions { apps: 12, groups: 12, users: 60, secret_propagation: propagation, ..Default::default() };
    entra_demo::start(options).await.expect("demo tenant starts")
}

/// Signs `username` in with the public client (PKCE) for `scope` and redeems the code;
/// `Err` carries the sign-in page's error (e.g. AADSTS50126).
pub async fn sign_in(info: &DemoInfo, username: &str, password: &str, scope: &str) -> Result<Value, String> {
    let mut app = super::Loopback::start().await;
    let pkce = super::pkce();
    let redirect_uri = app.redirect_uri();
    let url = super::authorize_url(
        info,
        &[
            ("client_id", info.public_client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", &redirect_uri),
            ("scope", scope),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let browser = DemoBrowser::new(info.ca_cert.as_deref()).unwrap();
    let delivered = browser.sign_in(&url, username, password).await.map_err(|e| format!("{e:#}"))?;
    app.next().await;
    let code = super::query_param(&delivered, "code").ok_or_else(|| format!("no code in {delivered}"))?;
    let (status, body) = super::post_token(
        info,
        &[
            ("client_id", info.public_client_id.as_str()),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &pkce.verifier),
            ("scope", scope),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    Ok(body)
}

/// The demo admin consents to `scope` for the whole organization through the public client, as an
/// administrator does before users without a role may get tokens with an admin-only permission.
pub async fn consent_for_organization(info: &DemoInfo, scope: &str) {
    let browser = DemoBrowser::new(info.ca_cert.as_deref()).unwrap();
    let admin = (info.user.username.as_str(), info.user.password.as_str());
    let walk = super::consent::sign_in_to(info, &browser, &info.public_client_id, admin, scope, &[], ConsentChoice::AcceptForOrganization).await;
    assert!(walk.code().is_some(), "{}", walk.sign_in.delivered);
}

/// Redeems a refresh token with the public client.
pub async fn refresh(info: &DemoInfo, refresh_token: &str) -> (u16, Value) {
    super::post_token(info, &[("client_id", info.public_client_id.as_str()), ("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
}

/// A client-credential token request for Graph.
pub async fn client_credentials(info: &DemoInfo, client_id: &str, secret: &str) -> (u16, Value) {
    super::post_token(info, &[("client_id", client_id), ("client_secret", secret), ("grant_type", "client_credentials"), ("scope", GRAPH_DEFAULT)]).await
}

/// Graph as the holder of `token`.
pub fn graph_as(info: &DemoInfo, token: &str) -> Graph {
    Graph { root: info.graph.clone(), token: token.to_string(), client: super::client() }
}

/// `PATCH /users/{id}` with a `passwordProfile`.
pub async fn set_password(graph: &Graph, user_id: &str, password: &str, force_change: bool) -> super::apps::Answer {
    let body = serde_json::json!({"passwordProfile": {"password": password, "forceChangePasswordNextSignIn": force_change}});
    graph.send(graph.client.patch(format!("{}/users/{user_id}", graph.root)).json(&body)).await
}
