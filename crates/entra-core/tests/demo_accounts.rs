//! Demo accounts follow the running demo tenant. The built-in demo tenant moves to another port
//! when its remembered one is taken; a demo account signed in on the old port must then reach
//! the tenant where it runs now, and never whoever holds the old port (who would receive its
//! refresh token). A demo account of another demo tenant (another tenant ID) is refused, not
//! re-pointed; and where no demo tenant runs (a process that does not embed it) it is refused.
//! Real OS keychain: run under scripts/with-keyring.sh.

mod common;

use common::DemoOpener;
use entra_core::clock::OffsetClock;
use entra_core::signin::{DemoTarget, DemoTenant, SignIn, SignInTarget};
use entra_core::{Desk, DeskOptions, ErrorCode};
use entra_demo::DemoOptions;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The shell's embedded tenant as the sign-in service sees it: already running at `info`.
struct Running(entra_demo::DemoInfo);

#[async_trait::async_trait]
impl DemoTenant for Running {
    async fn target(&self) -> entra_core::Result<DemoTarget> {
        let info = &self.0;
        Ok(DemoTarget {
            authority: info.authority.clone(),
            metadata_url: info.metadata_url.clone(),
            tenant_id: info.tenant_id.clone(),
            client_id: info.public_client_id.clone(),
            graph_url: info.graph.clone(),
            username: info.user.username.clone(),
        })
    }
    fn username(&self) -> String {
        self.0.user.username.clone()
    }
}

/// The app's tenant on `state_dir` (where its keys and refresh grants live across restarts).
async fn demo_tenant(state_dir: &Path, seed: u64) -> entra_demo::DemoTenant {
    let options = DemoOptions { seed, state_dir: Some(state_dir.to_path_buf()), apps: 0, groups: 12, users: 20, ..Default::default() };
    entra_demo::start(options).await.expect("demo tenant starts")
}

/// A desk on `data_dir` with keychain service `service`: the same pair is the same app, restarted.
fn desk(data_dir: &Path, service: &str) -> Desk {
    let mut options = DeskOptions::new(data_dir);
    options.keychain_service = service.to_string();
    options.clock = Arc::new(OffsetClock::new());
    options.env = Arc::new(|_: &str| None);
    Desk::open_with(options).unwrap()
}

fn port(url: &url::Url) -> Option<u16> {
    url.port()
}

/// Whatever program took the demo tenant's old port: counts the connections it receives (and
/// answers none of them usefully).
async fn squat(port: u16) -> Arc<AtomicUsize> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("the old port is free again");
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    hits
}

#[tokio::test]
async fn a_demo_account_follows_the_demo_tenant_to_its_new_port_and_never_to_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let (data_dir, state_dir) = (dir.path().join("data"), dir.path().join("demo-tenant"));
    let service = format!("entra-desk-test-{}", uuid::Uuid::new_v4());

    // First run: sign in to the demo tenant.
    let first = demo_tenant(&state_dir, 31).await;
    let info = first.info().clone();
    let signin = SignIn::new(desk(&data_dir, &service), Box::new(Running(info.clone())));
    let opener = DemoOpener::new(None, &info.user.username, &info.user.password, |u| u);
    let account = signin.sign_in(SignInTarget::Demo, &opener, &|_| {}).await.expect("signed in to the demo tenant");
    assert!(account.demo_tenant);
    let old_port = port(&account.authority).unwrap();
    first.shutdown().await;

    // Between runs another program takes the port; the next run's tenant starts on a free one.
    let squatter = squat(old_port).await;
    let second = demo_tenant(&state_dir, 31).await;
    let moved = second.info().clone();
    let new_port = url::Url::parse(&moved.authority).unwrap().port().unwrap();
    assert_ne!(new_port, old_port);
    let restarted = desk(&data_dir, &service);
    assert_eq!(port(&restarted.accounts().unwrap()[0].authority), Some(old_port), "accounts.json still names the old port");

    // Before the sign-in service has found the tenant, the account is refused, and nothing is sent.
    let refused = restarted.account(Some(&account.id)).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::NotSignedIn, "{}", refused.message());
    assert!(entra_core::signin::whoami(&restarted, &account.id).await.is_err());
    assert_eq!(squatter.load(Ordering::SeqCst), 0, "the old port received nothing");

    // Resuming the account (what the app does at start): refresh and Graph at the running tenant.
    let signin = SignIn::new(restarted.clone(), Box::new(Running(moved.clone())));
    let user = signin.signed_in_user(&account.id).await.expect("the account resumes at the running demo tenant");
    assert_eq!(user.user_principal_name.as_deref(), Some(moved.user.username.as_str()));
    assert_eq!((port(&user.account.authority), port(&user.account.graph_url)), (Some(new_port), Some(new_port)));
    assert_eq!(user.account.metadata_url.as_ref().map(url::Url::as_str), Some(moved.metadata_url.as_str()));
    // Every later use too: a Graph client, a token (refreshed at the running tenant's endpoint).
    restarted.forget_access_tokens(&account.id).await;
    restarted.access_token(&account.id, None).await.expect("a token from the running tenant");
    restarted.graph(&account.id).unwrap().me().await.expect("Graph at the running tenant");
    assert_eq!(squatter.load(Ordering::SeqCst), 0, "the old port received nothing");
    assert!(second.stats().total >= 2, "the running tenant served /me: {:?}", second.stats());
    second.shutdown().await;
}

#[tokio::test]
async fn a_demo_account_of_another_demo_tenant_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let service = format!("entra-desk-test-{}", uuid::Uuid::new_v4());
    let first = demo_tenant(&dir.path().join("first"), 32).await;
    let info = first.info().clone();
    let signin = SignIn::new(desk(&data_dir, &service), Box::new(Running(info.clone())));
    let opener = DemoOpener::new(None, &info.user.username, &info.user.password, |u| u);
    let account = signin.sign_in(SignInTarget::Demo, &opener, &|_| {}).await.unwrap();
    first.shutdown().await;

    // The demo tenant running now is another one (another seed: another tenant ID).
    let other = demo_tenant(&dir.path().join("other"), 33).await;
    assert_ne!(other.info().tenant_id, info.tenant_id);
    let restarted = desk(&data_dir, &service);
    let signin = SignIn::new(restarted.clone(), Box::new(Running(other.info().clone())));
    let err = signin.signed_in_user(&account.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongTenant, "{}", err.message());
    assert!(err.message().contains(&info.tenant_id) && err.message().contains(&other.info().tenant_id), "both tenant IDs: {}", err.message());
    let err = restarted.access_token(&account.id, None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongTenant);
    assert_eq!(other.stats().total, 0, "nothing reached the other tenant's Graph");
    // Signing out still works (it needs no tenant).
    assert!(restarted.sign_out(&account.id).await.unwrap());
    other.shutdown().await;
}
