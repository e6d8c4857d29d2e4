//! Helpers for the consent tests: an inventory application that is a public client (a
//! registration the seed did not consent anything to), a sign-in of any user to any client that
//! answers the consent page as told, and a code redemption.

use super::apps::Graph;
use entra_demo::browser::{ConsentChoice, DemoBrowser, SignIn};
use entra_demo::DemoInfo;
use serde_json::Value;

/// An app registration of the inventory on the "Mobile and desktop" platform with `http://localhost`
/// among its redirect URIs and a service principal: the appId. Found through Graph, as a client
/// would; the generator makes such apps (kinds Desktop and Mobile).
pub async fn inventory_public_client(info: &DemoInfo) -> String {
    let graph = Graph::new(info).await;
    let list = graph.get("/applications?$select=appId,publicClient,signInAudience&$top=999").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let demo_clients = [&info.public_client_id, &info.confidential_client.client_id, &info.expired_secret_client.client_id, &info.certificate_client.client_id];
    for app in list.body["value"].as_array().unwrap() {
        let app_id = app["appId"].as_str().unwrap();
        let loopback = app["publicClient"]["redirectUris"].as_array().is_some_and(|r| r.iter().any(|u| u == "http://localhost"));
        if !loopback || app["signInAudience"] != "AzureADMyOrg" || demo_clients.iter().any(|c| c.as_str() == app_id) {
            continue;
        }
        if graph.get(&format!("/servicePrincipals(appId='{app_id}')?$select=id")).await.status == 200 {
            return app_id.to_string();
        }
    }
    panic!("the inventory has no public client with a service principal; start the tenant with more apps");
}

/// What a sign-in through [`sign_in_to`] produced.
pub struct Walk {
    pub sign_in: SignIn,
    pub redirect_uri: String,
    pub verifier: String,
}

impl Walk {
    pub fn code(&self) -> Option<String> {
        super::query_param(&self.sign_in.delivered, "code")
    }

    pub fn error(&self) -> Option<String> {
        super::query_param(&self.sign_in.delivered, "error")
    }

    pub fn param(&self, name: &str) -> Option<String> {
        super::query_param(&self.sign_in.delivered, name)
    }
}

/// Signs `username` in to `client_id` (PKCE, loopback redirect) for `scope`, with `extra`
/// authorize parameters, answering a consent page with `choice`.
pub async fn sign_in_to(
    info: &DemoInfo,
    browser: &DemoBrowser,
    client_id: &str,
    (username, password): (&str, &str),
    scope: &str,
    extra: &[(&str, &str)],
    choice: ConsentChoice,
) -> Walk {
    let mut app = super::Loopback::start().await;
    let pkce = super::pkce();
    let redirect_uri = app.redirect_uri();
    let mut params = vec![
        ("client_id", client_id),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", scope),
        ("state", "consent-test"),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    let url = super::authorize_url(info, &params);
    let sign_in = browser.sign_in_with(&url, username, password, choice).await.unwrap();
    let target = app.next().await;
    assert!(sign_in.delivered.ends_with(&target), "delivered {} but the app got {target}", sign_in.delivered);
    assert_eq!(super::query_param(&sign_in.delivered, "state").as_deref(), Some("consent-test"));
    Walk { sign_in, redirect_uri, verifier: pkce.verifier }
}

/// Redeems the walk's code as the public client `client_id`, naming `scope` when given.
pub async fn redeem(info: &DemoInfo, client_id: &str, walk: &Walk, scope: Option<&str>) -> (u16, Value) {
    let code = walk.code().unwrap_or_else(|| panic!("no code in {}", walk.sign_in.delivered));
    let mut form = vec![
        ("client_id", client_id.to_string()),
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("redirect_uri", walk.redirect_uri.clone()),
        ("code_verifier", walk.verifier.clone()),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope.to_string()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    super::post_token(info, &form).await
}

/// A delegated token of the demo admin for `scope` through an inventory public client the admin
/// consents to for themself: unlike the demo public client (which holds admin consent for its
/// listed permissions, all of which its tokens carry), it carries only what `scope` names, plus
/// `User.Read` (part of any first consent).
pub async fn token_consented_to(info: &DemoInfo, scope: &str) -> String {
    let client = inventory_public_client(info).await;
    let browser = DemoBrowser::new(info.ca_cert.as_deref()).unwrap();
    let walk = sign_in_to(info, &browser, &client, (&info.user.username, &info.user.password), scope, &[], ConsentChoice::Accept).await;
    let (status, body) = redeem(info, &client, &walk, Some(scope)).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}
