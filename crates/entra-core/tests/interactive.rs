//! Interactive sign-in against the demo tenant on loopback, end to end:
//! browser step driven by the demo's form-filling browser, tokens in the real
//! OS keychain (run under scripts/with-keyring.sh), Graph /me, refresh with
//! rotation, every error path, sign-out.

mod common;

use common::{assert_no_secret_on_disk, world, DemoOpener};
use entra_core::{ErrorCode, SignInOptions, SignInProgress};
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn quick() -> SignInOptions {
    SignInOptions { timeout: Duration::from_secs(20), ..Default::default() }
}

#[tokio::test]
async fn sign_in_end_to_end_then_whoami_and_nothing_secret_on_disk() {
    let w = world(false, 11).await;
    let profile = w.public_profile().await;
    let opener = w.browser();
    let steps = Mutex::new(Vec::new());
    let progress = |p: SignInProgress| steps.lock().unwrap().push(p);
    let account = w.desk.sign_in_interactive(&profile, &opener, CancellationToken::new(), &progress, quick()).await.unwrap();

    let steps = steps.into_inner().unwrap();
    assert_eq!(steps.first(), Some(&SignInProgress::DiscoveringProvider));
    assert!(matches!(&steps[1], SignInProgress::WaitingForBrowser { authorize_url } if authorize_url.contains("code_challenge_method=S256") && authorize_url.contains("nonce=")));
    assert_eq!(&steps[2..], &[SignInProgress::RedeemingCode, SignInProgress::Done]);

    let info = w.tenant.info();
    assert_eq!(account.tenant_id, info.tenant_id);
    assert!(account.id.ends_with(&format!(".{}", info.tenant_id)), "{}", account.id);
    assert_eq!(account.username, info.user.username);
    assert_eq!(w.desk.accounts().unwrap(), vec![account.clone()]);

    let who = entra_core::signin::whoami(&w.desk, &account.id).await.unwrap();
    let me = who.me.unwrap();
    assert_eq!(account.id, format!("{}.{}", me.id, info.tenant_id));
    assert_eq!(me.user_principal_name.as_deref(), Some(info.user.username.as_str()));

    let rt = w.desk.keychain().refresh_token(&account.id).unwrap().expect("refresh token in the keychain");
    let at = w.desk.access_token(&account.id, None).await.unwrap();
    assert_no_secret_on_disk(w.desk.data_dir(), &[rt.expose(), at.expose()]);
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn refresh_rotates_the_keychain_entry_when_expiry_is_near() {
    let w = world(false, 12).await;
    let profile = w.public_profile().await;
    let account = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap();
    let rt1 = w.desk.keychain().refresh_token(&account.id).unwrap().unwrap();
    let at1 = w.desk.access_token(&account.id, None).await.unwrap();
    // Far from expiry: the cached token is served, no refresh.
    assert_eq!(w.desk.access_token(&account.id, None).await.unwrap(), at1);
    assert_eq!(w.desk.keychain().refresh_token(&account.id).unwrap().unwrap(), rt1);

    // Access tokens live 60–90 minutes; 88 minutes later every token is within the 5-minute margin or past it.
    w.advance(chrono::Duration::minutes(88));
    let at2 = w.desk.access_token(&account.id, None).await.unwrap();
    assert_ne!(at2, at1, "a fresh access token");
    let rt2 = w.desk.keychain().refresh_token(&account.id).unwrap().unwrap();
    assert_ne!(rt2, rt1, "the rotated refresh token replaced the old one in the keychain");
    // The new token works against Graph.
    entra_core::signin::whoami(&w.desk, &account.id).await.unwrap();

    let accounts_file = std::fs::read_to_string(w.desk.data_dir().join("accounts.json")).unwrap();
    for secret in [rt1.expose(), rt2.expose(), at1.expose(), at2.expose()] {
        assert!(!accounts_file.contains(secret));
    }
    assert_no_secret_on_disk(w.desk.data_dir(), &[rt1.expose(), rt2.expose(), at1.expose(), at2.expose()]);
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn expired_refresh_token_means_sign_in_again_with_aadsts700082() {
    let w = world(false, 13).await;
    let profile = w.public_profile().await;
    let account = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap();
    w.advance(chrono::Duration::days(91));
    let err = w.desk.access_token(&account.id, None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotSignedIn, "{err:?}");
    let identity = err.identity().expect("identity details");
    assert!(matches!(identity.aadsts, Some(700082) | Some(70008)), "{identity:?}");
    assert_eq!(identity.error, "invalid_grant");
    assert!(identity.correlation_id.is_some() && identity.trace_id.is_some(), "{identity:?}");
    assert!(err.message().contains("Fix: sign in again"), "{}", err.message());
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn a_redirect_with_the_wrong_state_is_ignored_and_signs_nobody_in() {
    let w = world(false, 14).await;
    let profile = w.public_profile().await;
    let info = w.tenant.info();
    let opener = DemoOpener::new(None, &info.user.username, &info.user.password, |url| {
        let mut u = url::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> =
            u.query_pairs().map(|(k, v)| if k == "state" { (k.into_owned(), "forged".to_string()) } else { (k.into_owned(), v.into_owned()) }).collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    });
    // The forged redirect gets an error page; the sign-in keeps waiting for the real one, which never comes.
    let options = SignInOptions { timeout: Duration::from_secs(3), ..Default::default() };
    let err = w.desk.sign_in_interactive(&profile, &opener, CancellationToken::new(), &|_| {}, options).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::SignInTimeout, "{err:?}");
    assert!(w.desk.accounts().unwrap().is_empty());
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn the_user_cancels_or_never_finishes() {
    let w = world(false, 15).await;
    let profile = w.public_profile().await;
    let idle = |_: &str| -> entra_core::Result<()> { Ok(()) };

    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let progress = move |p: SignInProgress| {
        if matches!(p, SignInProgress::WaitingForBrowser { .. }) {
            trigger.cancel();
        }
    };
    let err = w.desk.sign_in_interactive(&profile, &idle, cancel, &progress, quick()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::SignInCancelled);

    let options = SignInOptions { timeout: Duration::from_millis(300), ..Default::default() };
    let err = w.desk.sign_in_interactive(&profile, &idle, CancellationToken::new(), &|_| {}, options).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::SignInTimeout);
    assert!(w.desk.accounts().unwrap().is_empty());
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn an_invalid_scope_is_reported_with_aadsts70011() {
    let w = world(false, 16).await;
    let mut flags = w.flags(&w.tenant.info().public_client_id);
    flags.scopes = Some(vec!["Bogus.Permission".into()]);
    let profile = w.desk.settings().resolve_profile(flags).await.unwrap();
    let err = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Identity, "{err:?}");
    assert_eq!(err.identity().and_then(|i| i.aadsts), Some(70011), "{err:?}");
    assert!(err.message().starts_with("AADSTS70011: the requested scope is not valid. Fix:"), "{}", err.message());
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn several_accounts_in_two_tenants_and_sign_out_deletes_keychain_entries() {
    let a = world(false, 17).await;
    let b = entra_demo::start(entra_demo::DemoOptions { seed: 18, ..Default::default() }).await.unwrap();
    assert_ne!(a.tenant.info().tenant_id, b.info().tenant_id);

    let first = a.desk.sign_in_interactive(&a.public_profile().await, &a.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap();
    let flags = entra_core::config::ProfileSettings {
        authority: Some(b.info().authority.clone()),
        client_id: Some(b.info().public_client_id.clone()),
        graph_url: Some(b.info().graph.clone()),
        ..Default::default()
    };
    let profile_b = a.desk.settings().resolve_profile(flags).await.unwrap();
    let opener_b = DemoOpener::new(None, &b.info().user.username, &b.info().user.password, |u| u);
    let second = a.desk.sign_in_interactive(&profile_b, &opener_b, CancellationToken::new(), &|_| {}, quick()).await.unwrap();
    assert_ne!(first.id, second.id);
    let ids: Vec<String> = a.desk.accounts().unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(ids, vec![second.id.clone(), first.id.clone()], "most recent first");
    // Each account talks to its own tenant.
    assert_eq!(entra_core::signin::whoami(&a.desk, &second.id).await.unwrap().account.tenant_id, b.info().tenant_id);
    assert_eq!(entra_core::signin::whoami(&a.desk, &first.id).await.unwrap().account.tenant_id, a.tenant.info().tenant_id);

    assert!(a.desk.sign_out(&first.id).await.unwrap());
    assert!(a.desk.keychain().refresh_token(&first.id).unwrap().is_none(), "keychain entry deleted");
    assert!(a.desk.keychain().refresh_token(&second.id).unwrap().is_some(), "the other account is untouched");
    assert_eq!(a.desk.access_token(&first.id, None).await.unwrap_err().code(), ErrorCode::NotSignedIn);
    assert_eq!(a.desk.sign_out_all().await.unwrap(), vec![second.id.clone()]);
    assert!(a.desk.keychain().refresh_token(&second.id).unwrap().is_none());
    assert!(a.desk.accounts().unwrap().is_empty());
    b.shutdown().await;
    a.tenant.shutdown().await;
}

#[tokio::test]
async fn sign_in_works_after_a_signing_key_rollover() {
    let w = world(false, 19).await;
    let profile = w.public_profile().await;
    w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap();
    w.tenant.rotate_signing_key();
    // The ID token now carries a new kid: the cached JWKS is refetched.
    w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap();
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn a_keychain_that_refuses_the_rotated_token_keeps_the_session_in_memory_and_says_so() {
    let w = world(false, 16).await;
    let profile = w.public_profile().await;
    let account = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap();
    let rt1 = w.desk.keychain().refresh_token(&account.id).unwrap().unwrap();
    assert_eq!(w.desk.keychain_warning(&account.id).await, None);

    w.desk.keychain().fail_writes_for_tests(true);
    w.advance(chrono::Duration::minutes(88));
    w.desk.access_token(&account.id, None).await.expect("the refresh itself succeeded: the session goes on");
    assert_eq!(w.desk.keychain().refresh_token(&account.id).unwrap().unwrap(), rt1, "the keychain kept the old token");
    let warning = w.desk.keychain_warning(&account.id).await.expect("the user is told");
    assert!(warning.contains("next start will ask you to sign in again"), "{warning}");
    assert!(!warning.contains(rt1.expose()));
    entra_core::signin::whoami(&w.desk, &account.id).await.unwrap();

    // Still refusing: the next refresh redeems the token kept in memory.
    w.advance(chrono::Duration::minutes(88));
    w.desk.access_token(&account.id, None).await.unwrap();

    // The keychain recovers: the next rotation is stored and the warning goes away.
    w.desk.keychain().fail_writes_for_tests(false);
    w.advance(chrono::Duration::minutes(88));
    w.desk.access_token(&account.id, None).await.unwrap();
    assert_ne!(w.desk.keychain().refresh_token(&account.id).unwrap().unwrap(), rt1);
    assert_eq!(w.desk.keychain_warning(&account.id).await, None);
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn sign_out_during_a_refresh_leaves_no_token_behind() {
    let w = world(false, 17).await;
    let profile = w.public_profile().await;
    for round in 0..4u64 {
        let account = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, quick()).await.unwrap();
        w.advance(chrono::Duration::minutes(88));
        let desk = w.desk.clone();
        let id = account.id.clone();
        let refresh = tokio::spawn(async move { desk.access_token(&id, None).await });
        // Land the sign-out inside the refresh's round trip (or just before or after it).
        tokio::time::sleep(Duration::from_millis(round * 3)).await;
        w.desk.sign_out(&account.id).await.unwrap();
        let _ = refresh.await.unwrap();
        assert!(w.desk.keychain().refresh_token(&account.id).unwrap().is_none(), "round {round}: a refresh wrote its token back after sign-out");
        assert!(w.desk.accounts().unwrap().is_empty());
        assert_eq!(w.desk.access_token(&account.id, None).await.unwrap_err().code(), ErrorCode::NotSignedIn);
    }
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn prompt_is_sent_only_as_far_as_the_provider_advertises() {
    let cases: [(Option<&[&str]>, Option<&str>); 3] = [
        // Entra's published document lists no values: the OIDC Core value is sent.
        (None, Some("select_account")),
        // A strict provider that lists others (and refuses anything else): none is sent.
        (Some(&["login", "none"]), None),
        (Some(&["login", "select_account"]), Some("select_account")),
    ];
    for (advertised, expected) in cases {
        let options = entra_demo::DemoOptions { seed: 18, prompt_values: advertised.map(|v| v.iter().map(|s| s.to_string()).collect()), ..Default::default() };
        let tenant = entra_demo::start(options).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let clock = std::sync::Arc::new(entra_core::clock::OffsetClock::new());
        let desk = common::desk_on(dir.path(), clock.clone());
        let w = common::World { tenant, dir, desk, clock };
        let profile = w.public_profile().await;
        let authorize = Mutex::new(String::new());
        let progress = |p: SignInProgress| {
            if let SignInProgress::WaitingForBrowser { authorize_url } = p {
                *authorize.lock().unwrap() = authorize_url;
            }
        };
        w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &progress, quick()).await.unwrap_or_else(|e| panic!("{advertised:?}: {e:?}"));
        let url = url::Url::parse(&authorize.into_inner().unwrap()).unwrap();
        let prompt = url.query_pairs().find(|(k, _)| k == "prompt").map(|(_, v)| v.into_owned());
        assert_eq!(prompt.as_deref(), expected, "advertised {advertised:?}");
        w.tenant.shutdown().await;
    }
}
