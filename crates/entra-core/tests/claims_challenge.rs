//! A Conditional Access claims challenge, against the demo tenant on loopback and the real
//! keychain: with an authentication context required of Graph, refreshing the app registrations
//! fails `claims_required` carrying the challenge's claims request; a step-up sign-in as the same
//! person sends it, the stepped-up token is the one used next, and the screen works, also after
//! the access token has been renewed (the refresh asks for the claims again).
//!
//! Graph challenges only clients that declare the capability `cp1` (Microsoft's "Claims
//! challenges, claims requests, and client capabilities"): every authorize request and every
//! refresh to the demo tenant (Microsoft's kind of provider) declares it, merged with a step-up's
//! claims; a recorder in front of the demo's token endpoint shows the refreshes, after a restart
//! too.

mod common;

use common::{world_with_apps, DemoOpener, NoEmbeddedDemo, World};
use entra_core::signin::SignIn;
use entra_core::{ErrorCode, SignInOptions};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

const CLAIMS_C1: &str = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;

/// The `claims` of a request that declares `cp1` and asks for nothing else.
fn cp1() -> Value {
    json!({"access_token": {"xms_cc": {"values": ["cp1"]}}})
}

/// The `claims` of a request that declares `cp1` and meets `CLAIMS_C1` (as Microsoft's documentation
/// merges them).
fn cp1_c1() -> Value {
    json!({"access_token": {"xms_cc": {"values": ["cp1"]}, "acrs": {"essential": true, "value": "c1"}}})
}

/// A URL's `claims` parameter, parsed.
fn claims_of(url: &str) -> Option<Value> {
    query(url, "claims").map(|c| serde_json::from_str(&c).unwrap_or_else(|e| panic!("{e}: {c}")))
}

/// The demo admin's browser, keeping every authorize URL it is sent to.
fn recording_browser(w: &World) -> (DemoOpener, Arc<Mutex<Vec<String>>>) {
    let info = w.tenant.info();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let browser = DemoOpener::new(info.ca_cert.as_deref(), &info.user.username, &info.user.password, move |url| {
        keep.lock().unwrap().push(url.clone());
        url
    });
    (browser, seen)
}

fn query(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn a_claims_challenge_is_met_by_a_step_up_sign_in_and_the_screen_works() {
    let w = world_with_apps(71, 12).await;
    let profile = w.public_profile().await;
    let (browser, seen) = recording_browser(&w);
    let account = w.desk.sign_in_interactive(&profile, &browser, CancellationToken::new(), &|_| {}, SignInOptions::default()).await.expect("sign-in").id;
    assert_eq!(claims_of(&seen.lock().unwrap()[0]), Some(cp1()), "the client capability alone unless meeting a challenge");
    let apps = w.apps();
    apps.refresh(&account, false, &|_| {}, CancellationToken::new()).await.expect("no requirement yet");

    // The tenant's Conditional Access policy now wants authentication context c1 of Graph's callers.
    w.tenant.set_faults(entra_demo::Faults { require_auth_context: Some("c1".into()), ..Default::default() }).unwrap();
    let err = apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::ClaimsRequired, "{err:?}");
    assert_eq!(err.claims_challenge(), Some(CLAIMS_C1));
    let message = err.message();
    assert!(message.contains("Conditional Access policy of your tenant wants a stronger sign-in"), "{message}");
    assert!(message.contains("\"Sign in again\"") && message.contains("entractl login --claims"), "{message}");
    assert!(!message.contains("acrs") && !message.contains("c1"), "the claims are not quoted: {message}");
    assert!(err.graph().is_some_and(|g| g.status == 401 && g.request_id.is_some()), "Graph's IDs stay: {err:?}");
    // A refused request is not re-sent with a refreshed token: each read went out once.
    let before = w.tenant.stats().requests;
    assert_eq!(apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.unwrap_err().code(), ErrorCode::ClaimsRequired);
    let after = w.tenant.stats().requests;
    let sent: Vec<(&String, u64)> = after.iter().map(|(k, n)| (k, n - before.get(k).copied().unwrap_or(0))).filter(|(_, n)| *n > 0).collect();
    assert!(!sent.is_empty() && sent.iter().all(|(_, n)| *n == 1), "{sent:?}");

    // "Sign in again": the same person, the challenge's claims on the authorize request.
    let signin = SignIn::new(w.desk.clone(), Box::new(NoEmbeddedDemo));
    let stepped_up = signin.step_up(&account, err.claims_challenge().unwrap(), &browser, &|_| {}).await.expect("stepped up");
    assert_eq!(stepped_up.id, account, "the account keeps its ID");
    assert_eq!(stepped_up.step_up_claims.as_deref(), Some(CLAIMS_C1), "and remembers the claims for its refreshes");
    let authorize = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(claims_of(&authorize), Some(cp1_c1()), "{authorize}");
    assert_eq!(query(&authorize, "login_hint").as_deref(), Some(w.tenant.info().user.username.as_str()), "{authorize}");
    assert_eq!(query(&authorize, "prompt"), None, "no account picker: it is this person's sign-in");

    // The stepped-up access token is the one used next: the screen works.
    let summary = apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.expect("the screen works after the step-up");
    assert!(w.desk.access_token(&account, None).await.unwrap().expose().split('.').count() == 3, "{summary:?}");

    // An hour later the access token is renewed through the refresh token, which asks for the
    // claims again: the renewed token still meets the policy.
    w.advance(chrono::Duration::hours(3));
    apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.expect("still works after a renewal");

    // "Grant access" on a stepped-up account signs in meeting the claims too, and keeps them.
    let granted = signin.grant(&account, &["GroupMember.Read.All".to_string()], &browser, &|_| {}).await.expect("granted");
    assert_eq!(granted.step_up_claims.as_deref(), Some(CLAIMS_C1));
    assert_eq!(claims_of(seen.lock().unwrap().last().unwrap()), Some(cp1_c1()));
    apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.expect("still meets the policy after the grant");

    // A later sign-in without a challenge to meet forgets the claims.
    w.tenant.set_faults(entra_demo::Faults::default()).unwrap();
    let again = w.desk.sign_in_interactive(&profile, &browser, CancellationToken::new(), &|_| {}, SignInOptions::default()).await.unwrap();
    assert_eq!((again.id.as_str(), again.step_up_claims.as_deref()), (account.as_str(), None));
}

#[tokio::test]
async fn a_step_up_needs_a_claims_request_and_a_person() {
    let w = world_with_apps(72, 4).await;
    let signin = SignIn::new(w.desk.clone(), Box::new(NoEmbeddedDemo));
    let app_only = w.sign_in_app_only().await;
    let refused = signin.step_up(&app_only, CLAIMS_C1, &w.browser(), &|_| {}).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(refused.message().contains("signs in as an app"), "{}", refused.message());
    let not_json = signin.step_up(&app_only, "c1", &w.browser(), &|_| {}).await.unwrap_err();
    assert_eq!(not_json.code(), ErrorCode::InvalidInput);
    assert!(not_json.message().contains("JSON object"), "{}", not_json.message());
    // An app-only account is not challenged at all: the requirement is for people's sign-ins.
    w.tenant.set_faults(entra_demo::Faults { require_auth_context: Some("c1".into()), ..Default::default() }).unwrap();
    w.apps().refresh(&app_only, false, &|_| {}, CancellationToken::new()).await.expect("app-only passes");
}

/// The token requests' forms, as name–value pairs.
type Forms = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// A stand-in for the demo tenant's discovery document on loopback `http`, the demo's own but for
/// its token endpoint: a recorder that keeps each token request's form and forwards it to the
/// demo's. A profile whose metadata address is [`TokenRecorder::metadata_address`] signs in and
/// refreshes through it.
struct TokenRecorder {
    metadata_address: String,
    forms: Forms,
    task: tokio::task::JoinHandle<()>,
}

impl TokenRecorder {
    async fn start(info: &entra_demo::DemoInfo) -> TokenRecorder {
        let http = entra_core::http::client(info.ca_cert.as_deref()).unwrap();
        let document_url = format!("{}/v2.0/.well-known/openid-configuration", info.authority);
        let mut document: Value = http.get(&document_url).send().await.unwrap().json().await.unwrap();
        let upstream = document["token_endpoint"].as_str().unwrap().to_string();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        document["token_endpoint"] = format!("{base}/token").into();
        let document = Arc::new(document.to_string());
        let forms = Arc::new(Mutex::new(Vec::new()));
        let kept = forms.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                tokio::spawn(Self::answer(stream, document.clone(), upstream.clone(), http.clone(), kept.clone()));
            }
        });
        TokenRecorder { metadata_address: format!("{base}/.well-known/openid-configuration"), forms, task }
    }

    /// One request: the document for a GET, the demo's answer for a token request (kept).
    async fn answer(
        mut stream: tokio::net::TcpStream,
        document: Arc<String>,
        upstream: String,
        http: reqwest::Client,
        forms: Forms,
    ) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut request = Vec::new();
        let mut buf = [0u8; 8192];
        let (head, body) = loop {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").and_then(|v| v.trim().parse::<usize>().ok())).unwrap_or(0);
                if body.len() >= length || n == 0 {
                    break (head.to_string(), body.to_string());
                }
            } else if n == 0 {
                return;
            }
        };
        let (status, answer) = if head.starts_with("GET ") {
            (200, document.to_string())
        } else {
            forms.lock().unwrap().push(url::form_urlencoded::parse(body.as_bytes()).into_owned().collect());
            let response = http.post(&upstream).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        };
        let head = format!("HTTP/1.1 {status} Recorded\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", answer.len());
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(answer.as_bytes()).await;
    }

    /// The `claims` of every refresh-token request so far, in order (`None`: sent none).
    fn refresh_claims(&self) -> Vec<Option<Value>> {
        let forms = self.forms.lock().unwrap();
        let refreshes = forms.iter().filter(|f| f.iter().any(|(k, v)| k == "grant_type" && v == "refresh_token"));
        refreshes.map(|f| f.iter().find(|(k, _)| k == "claims").map(|(_, v)| serde_json::from_str(v).unwrap())).collect()
    }
}

impl Drop for TokenRecorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A desk on `w`'s data folder with the keychain service `service`: opening it again is what an
/// app restart is (nothing in memory, the accounts and refresh tokens found again).
fn desk_with_service(w: &World, service: &str) -> entra_core::Desk {
    let mut options = entra_core::DeskOptions::new(w.dir.path().join("data"));
    options.keychain_service = service.to_string();
    options.clock = w.clock.clone();
    options.env = Arc::new(|_: &str| None);
    entra_core::Desk::open_with(options).unwrap()
}

#[tokio::test]
async fn every_authorize_and_refresh_request_declares_cp1_merged_with_a_step_ups_claims() {
    let mut w = world_with_apps(73, 4).await;
    let service = format!("entra-desk-test-{}", uuid::Uuid::new_v4());
    w.desk = desk_with_service(&w, &service);
    let info = w.tenant.info().clone();
    let recorder = TokenRecorder::start(&info).await;
    let mut flags = w.flags(&info.public_client_id);
    flags.metadata_address = Some(recorder.metadata_address.clone());
    let profile = w.desk.settings().resolve_profile(flags).await.expect("profile resolves");
    let (browser, seen) = recording_browser(&w);
    let account = w.desk.sign_in_interactive(&profile, &browser, CancellationToken::new(), &|_| {}, SignInOptions::default()).await.expect("sign-in").id;
    assert_eq!(claims_of(&seen.lock().unwrap()[0]), Some(cp1()), "the authorize request declares cp1");
    assert!(!recorder.forms.lock().unwrap().is_empty(), "the code was redeemed through the recorder");

    // The access token near its end: the refresh declares cp1, and the demo tenant takes it.
    w.advance(chrono::Duration::hours(3));
    w.apps().refresh(&account, true, &|_| {}, CancellationToken::new()).await.expect("works after a renewal");
    assert_eq!(recorder.refresh_claims(), [Some(cp1())]);

    // After a restart nothing is in memory: the provider's document is fetched again from the
    // account's metadata address, and says again that the provider is Microsoft's.
    w.desk = desk_with_service(&w, &service);
    w.apps().refresh(&account, true, &|_| {}, CancellationToken::new()).await.expect("works after a restart");
    assert_eq!(recorder.refresh_claims(), [Some(cp1()), Some(cp1())]);

    // A claims challenge, met by a step-up that sends it with cp1; the account keeps the
    // challenge as Graph gave it, and its refreshes send both again.
    w.tenant.set_faults(entra_demo::Faults { require_auth_context: Some("c1".into()), ..Default::default() }).unwrap();
    let apps = w.apps();
    let err = apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.unwrap_err();
    assert_eq!((err.code(), err.claims_challenge()), (ErrorCode::ClaimsRequired, Some(CLAIMS_C1)), "{err:?}");
    let signin = SignIn::new(w.desk.clone(), Box::new(NoEmbeddedDemo));
    let stepped_up = signin.step_up(&account, CLAIMS_C1, &browser, &|_| {}).await.expect("stepped up");
    assert_eq!(stepped_up.step_up_claims.as_deref(), Some(CLAIMS_C1));
    assert_eq!(claims_of(seen.lock().unwrap().last().unwrap()), Some(cp1_c1()));
    apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.expect("the screen works after the step-up");
    w.advance(chrono::Duration::hours(3));
    apps.refresh(&account, true, &|_| {}, CancellationToken::new()).await.expect("and after a renewal");
    assert_eq!(recorder.refresh_claims().last().cloned(), Some(Some(cp1_c1())), "{:?}", recorder.refresh_claims());
}
