//! A Conditional Access claims challenge, against the demo tenant on loopback and the real
//! keychain: with an authentication context required of Graph, refreshing the app registrations
//! fails `claims_required` carrying the challenge's claims request; a step-up sign-in as the same
//! person sends it, the stepped-up token is the one used next, and the screen works, also after
//! the access token has been renewed (the refresh asks for the claims again).

mod common;

use common::{world_with_apps, DemoOpener, NoEmbeddedDemo, World};
use entra_core::signin::SignIn;
use entra_core::{ErrorCode, SignInOptions};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

const CLAIMS_C1: &str = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;


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
    assert_eq!(query(&seen.lock().unwrap()[0], "claims"), None, "no claims parameter unless meeting a challenge");
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
    assert_eq!(query(&authorize, "claims").as_deref(), Some(CLAIMS_C1), "{authorize}");
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
    assert_eq!(query(seen.lock().unwrap().last().unwrap(), "claims").as_deref(), Some(CLAIMS_C1));
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
