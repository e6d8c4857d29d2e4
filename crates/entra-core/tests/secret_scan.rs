//! After a whole session — interactive sign-in, a silent refresh, an app inventory refresh
//! (the SQLite cache), a JWT inspection of the current token with keys fetched and cached,
//! a secret rotation, sign-out — no secret or token used along the way is in any file of the
//! data folder (settings, accounts, caches, SQLite and its WAL), nor in the log, written at
//! TRACE level by every crate. Run under scripts/with-keyring.sh (the real keychain).

mod common;

use common::world;
use entra_core::apps::{Apps, ObjectType};
use entra_core::clock::Clock;
use entra_core::credentials::Credentials;
use entra_core::jwt::{InspectRequest, JwtWorkspace};
use entra_core::SignInOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
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

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_session_leaves_no_secret_in_files_or_logs() {
    let log = Log::default();
    let sink = log.clone();
    tracing_subscriber::fmt().with_env_filter("trace").with_ansi(false).with_writer(move || sink.clone()).init();

    let w = world(false, 19).await;
    let mut secrets: Vec<String> = vec![w.tenant.info().user.password.clone()];
    let profile = w.public_profile().await;
    let options = SignInOptions { timeout: Duration::from_secs(20), ..Default::default() };
    let account = w.desk.sign_in_interactive(&profile, &w.browser(), CancellationToken::new(), &|_| {}, options).await.unwrap();
    secrets.push(w.desk.keychain().refresh_token(&account.id).unwrap().unwrap().expose().to_string());
    let first_access = w.desk.access_token(&account.id, None).await.unwrap();
    secrets.push(first_access.expose().to_string());

    // A silent refresh rotates both tokens.
    w.advance(chrono::Duration::minutes(88));
    let access = w.desk.access_token(&account.id, None).await.unwrap();
    secrets.push(access.expose().to_string());
    secrets.push(w.desk.keychain().refresh_token(&account.id).unwrap().unwrap().expose().to_string());

    // The app inventory cache, and a rotation whose new secret is shown once.
    let apps = Apps::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    apps.refresh(&account.id, false, &|_| {}, CancellationToken::new()).await.unwrap();
    let target = apps.list().await.unwrap().rows.into_iter().find(|r| r.object_type == ObjectType::Application).unwrap();
    let rotated = Credentials::new(apps.clone()).rotate(&account.id, &target.id, ObjectType::Application, 30).await.unwrap();
    secrets.push(rotated.secret.expose().to_string());

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
    secrets.push(issued.secret.expose().to_string());
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

    let files = files_under(w.desk.data_dir());
    assert!(files.iter().any(|f| f.to_string_lossy().contains("cache.sqlite")), "the SQLite cache was written: {files:?}");
    assert!(files.iter().any(|f| f.to_string_lossy().contains("leases.sqlite")), "the lease store was written: {files:?}");
    assert!(files.len() >= 3, "{files:?}");
    let log = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(log.len() > 10_000, "the log was written at TRACE ({} bytes)", log.len());
    for secret in &secrets {
        assert!(secret.len() >= 8);
        for file in &files {
            let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
            assert!(!text.contains(secret.as_str()), "a secret is in {}", file.display());
        }
        assert!(!log.contains(secret.as_str()), "a secret is in the log");
    }
    w.tenant.shutdown().await;
}
