//! Conditional Access on Graph: with an authentication context required (`require_auth_context`,
//! a fault setting), a person's token without it is answered 401 with Graph's claims challenge;
//! a sign-in whose authorize request carries the challenge's claims gets a token with `acrs`, which
//! Graph accepts. App-only tokens, and requests the setting does not select, pass. A client that
//! declares the capability `cp1` (`xms_cc` in `claims`, as Entra Desk and MSAL do at every
//! authorize and refresh request) is served alike.

mod common;

use base64::Engine;
use common::apps::{app_token, tenant_with, Graph};
use entra_demo::browser::DemoBrowser;
use entra_demo::{DemoInfo, Faults};
use serde_json::{json, Value};

const CLAIMS_C1: &str = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;

/// `claims` declaring the client capability `cp1` ("Claims challenges, claims requests, and client
/// capabilities"), alone and merged with `CLAIMS_C1` as that page merges them.
const CP1: &str = r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#;
const CP1_C1: &str = r#"{"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{"essential":true,"value":"c1"}}}"#;

/// Redeems `refresh_token` with the public client, sending `claims`.
async fn refresh_with(info: &DemoInfo, refresh_token: &str, claims: &str) -> (u16, Value) {
    let form = [("client_id", info.public_client_id.as_str()), ("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("claims", claims)];
    common::post_token(info, &form).await
}

/// Signs the demo admin in with the public client, `claims` (if any) on the authorize request;
/// the token endpoint's answer.
async fn sign_in(info: &DemoInfo, claims: Option<&str>) -> Value {
    let mut app = common::Loopback::start().await;
    let pkce = common::pkce();
    let redirect_uri = app.redirect_uri();
    let scope = "openid profile offline_access User.Read Application.Read.All";
    let mut params = vec![
        ("client_id", info.public_client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", scope),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if let Some(claims) = claims {
        params.push(("claims", claims));
    }
    let url = common::authorize_url(info, &params);
    let browser = DemoBrowser::new(info.ca_cert.as_deref()).unwrap();
    let delivered = browser.sign_in(&url, &info.user.username, &info.user.password).await.unwrap();
    app.next().await;
    let code = common::query_param(&delivered, "code").unwrap_or_else(|| panic!("no code in {delivered}"));
    let form = [
        ("client_id", info.public_client_id.as_str()),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", pkce.verifier.as_str()),
    ];
    let (status, body) = common::post_token(info, &form).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn as_person(info: &DemoInfo, tokens: &Value) -> Graph {
    Graph { root: info.graph.clone(), token: tokens["access_token"].as_str().unwrap().to_string(), client: common::client() }
}

async fn emulator_faults(info: &DemoInfo, patch: Value) -> (u16, Value) {
    let response = common::client().post(format!("{}/faults", info.emulator)).json(&patch).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_token_without_the_authentication_context_gets_graphs_claims_challenge() {
    let demo = tenant_with(5).await;
    let info = demo.info();
    let plain = sign_in(info, None).await;
    assert!(common::claims(plain["access_token"].as_str().unwrap()).get("acrs").is_none(), "no acrs unless asked for");
    let person = as_person(info, &plain);
    assert_eq!(person.get("/me").await.status, 200, "no requirement yet");

    let (status, body) = emulator_faults(info, json!({"require_auth_context": "c1"})).await;
    assert_eq!((status, body["require_auth_context"].as_str()), (200, Some("c1")), "{body}");
    let refused = person.get("/me").await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(refused.body["error"]["message"], "Exception of type 'Microsoft.Graph.AGS.Contracts.ClaimsChallengeRequiredException' was thrown.");
    assert!(refused.body["error"]["innerError"]["request-id"].is_string(), "{}", refused.text);
    let challenge = refused.headers["www-authenticate"].to_str().unwrap();
    let expected_claims = base64::engine::general_purpose::STANDARD.encode(CLAIMS_C1);
    let base = info.authority.rsplit_once('/').unwrap().0;
    assert_eq!(
        challenge,
        format!(r#"Bearer realm="", authorization_uri="{base}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="{expected_claims}""#)
    );
    assert_eq!(person.get("/applications?$top=1").await.status, 401, "every request the setting selects");
    assert_eq!(person.post("/$batch", json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}]})).await.status, 401, "the outer $batch too");

    // An app-only token has no sign-in to step up: it passes.
    let app = Graph::new(info).await;
    assert_eq!(app.get("/applications?$top=1").await.status, 200);
    assert!(!app_token(info).await.is_empty());

    // A sign-in that sends the challenge's claims gets a token with the context, which Graph takes.
    let stepped_up = sign_in(info, Some(CLAIMS_C1)).await;
    assert_eq!(common::claims(stepped_up["access_token"].as_str().unwrap())["acrs"], json!(["c1"]));
    let person = as_person(info, &stepped_up);
    assert_eq!(person.get("/me").await.status, 200);
    assert_eq!(person.get("/applications?$top=1").await.status, 200);

    // A refresh carries acrs only when its claims ask for them again: without, the refreshed
    // token is challenged again; with, Graph takes it.
    let stepped_up_rt = stepped_up["refresh_token"].as_str().unwrap();
    let (status, refreshed) = common::leases::refresh(info, stepped_up_rt).await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(common::claims(refreshed["access_token"].as_str().unwrap()).get("acrs").is_none());
    assert_eq!(as_person(info, &refreshed).get("/me").await.status, 401);
    let with_claims = |rt: &str, claims: &str| {
        let form = [("client_id", info.public_client_id.clone()), ("grant_type", "refresh_token".into()), ("refresh_token", rt.to_string()), ("claims", claims.to_string())];
        async move { common::post_token(info, &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await }
    };
    let (status, refreshed) = with_claims(refreshed["refresh_token"].as_str().unwrap(), CLAIMS_C1).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(common::claims(refreshed["access_token"].as_str().unwrap())["acrs"], json!(["c1"]), "the rotated grant remembers");
    assert_eq!(as_person(info, &refreshed).get("/me").await.status, 200);
    // A context the sign-in did not meet, or a grant from a sign-in that met none, needs the person.
    let (status, body) = with_claims(stepped_up_rt, &CLAIMS_C1.replace("c1", "c2")).await;
    common::assert_aadsts(status, &body, 400, "invalid_grant", 50076);
    assert_eq!(body["suberror"], "basic_action");
    let (status, body) = with_claims(plain["refresh_token"].as_str().unwrap(), CLAIMS_C1).await;
    common::assert_aadsts(status, &body, 400, "invalid_grant", 50076);

    // `null` lifts the requirement.
    let (status, body) = emulator_faults(info, json!({"require_auth_context": null})).await;
    assert_eq!((status, body["require_auth_context"].clone()), (200, Value::Null), "{body}");
    assert_eq!(as_person(info, &plain).get("/me").await.status, 200);
}

#[tokio::test]
async fn the_requirement_is_narrowed_like_the_other_faults_and_checked() {
    let demo = tenant_with(5).await;
    let info = demo.info();
    let person = as_person(info, &sign_in(info, None).await);
    demo.set_faults(Faults { require_auth_context: Some("c7".into()), only_paths: vec!["/applications".into()], ..Default::default() }).unwrap();
    assert_eq!(person.get("/me").await.status, 200, "not selected");
    let refused = person.get("/applications?$top=1").await;
    assert_eq!(refused.status, 401);
    assert!(refused.headers["www-authenticate"].to_str().unwrap().ends_with(&format!(
        "claims=\"{}\"",
        base64::engine::general_purpose::STANDARD.encode(r#"{"access_token":{"acrs":{"essential":true,"value":"c7"}}}"#)
    )));
    // Batch items are judged one by one: the selected item is challenged inside the batch.
    let batch = person
        .post("/$batch", json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}, {"id": "2", "method": "GET", "url": "/applications?$top=1"}]}))
        .await;
    assert_eq!(batch.status, 200, "{}", batch.text);
    let statuses: Vec<(String, u64)> = batch.body["responses"].as_array().unwrap().iter().map(|r| (r["id"].as_str().unwrap().to_string(), r["status"].as_u64().unwrap())).collect();
    assert!(statuses.contains(&("1".into(), 200)) && statuses.contains(&("2".into(), 401)), "{statuses:?}");
    let item = batch.body["responses"].as_array().unwrap().iter().find(|r| r["id"] == "2").unwrap();
    assert!(item["headers"]["Www-Authenticate"].as_str().unwrap().contains("error=\"insufficient_claims\""), "{item}");

    for bad in ["c0", "c100", "C1", "mfa"] {
        let (status, body) = emulator_faults(info, json!({"require_auth_context": bad})).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"].as_str().unwrap().contains("c1 to c99"), "{body}");
    }
    assert!(demo.set_faults(Faults { require_auth_context: Some("x".into()), ..Default::default() }).is_err());
}

#[tokio::test]
async fn a_claims_parameter_that_is_not_a_json_object_is_refused() {
    let demo = tenant_with(1).await;
    let info = demo.info();
    let app = common::Loopback::start().await;
    let pkce = common::pkce();
    let redirect_uri = app.redirect_uri();
    let url = common::authorize_url(
        info,
        &[
            ("client_id", info.public_client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", redirect_uri.as_str()),
            ("scope", "openid User.Read"),
            ("code_challenge", pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("claims", "c1"),
        ],
    );
    let response = common::client().get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(common::query_param(&location, "error").as_deref(), Some("invalid_request"), "{location}");
    assert!(common::query_param(&location, "error_description").unwrap().starts_with("AADSTS9002313: "), "{location}");
}

#[tokio::test]
async fn a_client_declaring_cp1_signs_in_and_refreshes_and_gets_acrs_when_it_asks() {
    let demo = tenant_with(5).await;
    let info = demo.info();
    demo.set_faults(Faults { require_auth_context: Some("c1".into()), ..Default::default() }).unwrap();
    let access = |tokens: &Value| common::claims(tokens["access_token"].as_str().unwrap());

    // The capability alone: the sign-in and its refreshes go through, with no context in the token.
    let declared = sign_in(info, Some(CP1)).await;
    assert!(access(&declared).get("acrs").is_none(), "{}", access(&declared));
    // Graph's tokens carry no `xms_cc`: Entra puts it only in tokens for a resource whose app
    // registration asks for it as an optional claim, which nothing documents of Graph's.
    assert!(access(&declared).get("xms_cc").is_none(), "{}", access(&declared));
    assert_eq!(as_person(info, &declared).get("/me").await.status, 401, "Graph's claims challenge");
    let (status, refreshed) = refresh_with(info, declared["refresh_token"].as_str().unwrap(), CP1).await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(access(&refreshed).get("acrs").is_none() && access(&refreshed).get("xms_cc").is_none(), "{}", access(&refreshed));
    // Capability values are not case-sensitive, and ones Entra does not act on are ignored.
    let (status, body) = refresh_with(info, refreshed["refresh_token"].as_str().unwrap(), r#"{"access_token":{"xms_cc":{"values":["CP1","cp9"]}}}"#).await;
    assert_eq!(status, 200, "{body}");

    // With the challenge's claims merged in: the token has the context, and Graph takes it.
    let stepped_up = sign_in(info, Some(CP1_C1)).await;
    assert_eq!(access(&stepped_up)["acrs"], json!(["c1"]));
    assert!(access(&stepped_up).get("xms_cc").is_none());
    assert_eq!(as_person(info, &stepped_up).get("/me").await.status, 200);
    let (status, refreshed) = refresh_with(info, stepped_up["refresh_token"].as_str().unwrap(), CP1_C1).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(access(&refreshed)["acrs"], json!(["c1"]), "a refresh that asks again gets it again");
    assert_eq!(as_person(info, &refreshed).get("/me").await.status, 200);
    // Another context than the sign-in met still needs the person; cp1 changes nothing to that.
    let (status, body) = refresh_with(info, refreshed["refresh_token"].as_str().unwrap(), &CP1_C1.replace("c1", "c2")).await;
    common::assert_aadsts(status, &body, 400, "invalid_grant", 50076);

    // A `claims` that is not a JSON object is refused at the token endpoint too.
    for bad in ["cp1", "[\"cp1\"]", "{"] {
        let (status, body) = refresh_with(info, refreshed["refresh_token"].as_str().unwrap(), bad).await;
        common::assert_aadsts(status, &body, 400, "invalid_request", 9002313);
    }
}
