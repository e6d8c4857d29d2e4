//! After a whole session — interactive sign-in, a silent refresh, an app inventory refresh
//! (the SQLite cache), a JWT inspection of the current token with keys fetched and cached,
//! a secret rotation, sign-out — no secret or token used along the way, nor anything shaped like
//! a JWT, is in any file of the data folder (settings, accounts, caches, SQLite and its WAL, read
//! as bytes by `entra_testkit`), nor in the log, written at TRACE level by every crate. Run under
//! scripts/with-keyring.sh (the real keychain).

mod common;

use common::world;
use entra_core::apps::{Apps, AppsQuery, ObjectType};
use entra_core::clock::Clock;
use entra_core::credentials::Credentials;
use entra_core::jwt::{InspectRequest, JwtWorkspace};
use entra_core::SignInOptions;
use entra_testkit::{assert_nothing_secret_under, Needle};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A log sink the test can read back: every line the subscriber writes.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_session_leaves_no_secret_in_files_or_logs() {
    let log = Log::default();
    let sink = log.clone();
    tracing_subscriber::fmt().with_env_filter("trace").with_ansi(false).with_writer(move || sink.clone()).init();

    let w = world(false, 19).await;
    // Each secret with the name a failure reports instead of its value.
    let mut secrets: Vec<(&str, String)> = vec![("the user's password", w.tenant.info().user.password.clone())];
    let profile = w.public_profile().await;
    let options = SignInOptions { timeout: Duration::from_secs(20), ..Default::default() };
    let account = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, options).await.unwrap();
    secrets.push(("the first refresh token", w.desk.keychain().refresh_token(&account.id).unwrap().unwrap().expose().to_string()));
    let first_access = w.desk.access_token(&account.id, None).await.unwrap();
    secrets.push(("the first access token", first_access.expose().to_string()));

    // A silent refresh rotates both tokens.
    w.advance(chrono::Duration::minutes(88));
    let access = w.desk.access_token(&account.id, None).await.unwrap();
    secrets.push(("the refreshed access token", access.expose().to_string()));
    secrets.push(("the rotated refresh token", w.desk.keychain().refresh_token(&account.id).unwrap().unwrap().expose().to_string()));

    // The app inventory cache, and a rotation whose new secret is shown once.
    let apps = Apps::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    apps.refresh(&account.id, false, &|_| {}, CancellationToken::new()).await.unwrap();
    let registrations = AppsQuery { object_type: Some(ObjectType::Application), ..AppsQuery::default() };
    let target = apps.page(&registrations).await.unwrap().page.items.into_iter().next().unwrap();
    let rotated = Credentials::new(apps.clone()).rotate(&account.id, &target.id, ObjectType::Application, 30).await.unwrap();
    secrets.push(("the rotated client secret", rotated.secret.expose().to_string()));

    // A lease: its secret is shown once; the lease store keeps only its key ID and hint.
    let leases = entra_core::leases::Leases::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    let define = entra_core::leases::DefineRequest {
        name: "scan".into(),
        kind: entra_core::leases::LeaseKind::AppSecret,
        target: target.id.clone(),
        ttl: "1h".into(),
        max_ttl: "1d".into(),
        acknowledge_password_reset: false,
        client_id: None,
        client_secret: None,
    };
    leases.define(Some(&account.id), define).await.unwrap();
    let issue = entra_core::leases::IssueRequest { definition: "scan".into(), ttl: None, wait_until_usable: false };
    let issued = leases.issue(&account.id, issue).await.unwrap();
    secrets.push(("the lease's secret", issued.secret.expose().to_string()));
    leases.revoke(&account.id, &issued.lease.id).await.unwrap();
    leases.export_audit(entra_core::leases::AuditFormat::Jsonl).await.unwrap();

    // The inspector, on the current token, with the provider's keys fetched and cached on disk.
    let jwt = JwtWorkspace::new(w.desk.data_dir());
    let mut request = InspectRequest::new(access.expose(), None, w.clock.now());
    request.keys = Some(entra_jwt::KeySource::Metadata(w.tenant.info().metadata_url.clone()));
    request.fetch_keys = true;
    jwt.inspect(request).await.unwrap();

    w.desk.sign_out(&account.id).await.unwrap();
    drop(apps);
    drop(leases);

    // Every file, at any depth, read as bytes (SQLite included); no secret and no JWT in any.
    let needles: Vec<Needle> = secrets.iter().map(|(kind, value)| Needle::new(*kind, value)).collect();
    let scan = assert_nothing_secret_under(w.desk.data_dir(), &needles);
    assert!(scan.has_file("cache.sqlite"), "the SQLite cache was written, and read: {:?}", scan.files);
    assert!(scan.has_file("leases.sqlite"), "the lease store was written, and read: {:?}", scan.files);
    assert!(scan.files.len() >= 3, "{:?}", scan.files);
    let log = log.0.lock().unwrap().clone();
    assert!(log.len() > 10_000, "the log was written at TRACE ({} bytes)", log.len());
    let in_log: Vec<String> = entra_testkit::search(&log, &needles).into_iter().map(|(what, ..)| what).collect();
    assert!(in_log.is_empty(), "in the log: {in_log:?}");
    w.tenant.shutdown().await;
}
