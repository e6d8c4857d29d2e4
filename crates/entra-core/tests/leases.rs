//! The Leases service against the demo tenant on loopback (app-only, TLS) and a real SQLite
//! file: each kind defined, issued, renewed and revoked (app secrets checked straight in the
//! tenant: marker, endDateTime = max TTL; user passwords at the sign-in form and through a
//! refresh token; access tokens), waiting for a new secret to replicate, the audit log and its
//! exports, reconciliation (adopting an interrupted issue, closing dead intents, removing
//! orphans of this store, leaving everything foreign alone), failed revocations retried with
//! backoff by the sweeper, and the sweeper catching up after a restart past an expiry.
//! The crash tests proper (fault points that abort the process) are in
//! crates/entractl/tests/lease_crash.rs. Run under scripts/with-keyring.sh.

mod common;

use common::{assert_no_secret_on_disk, desk_on, DemoOpener, World};
use entra_core::clock::OffsetClock;
use entra_core::leases::maintenance::{self, SignedInAccount};
use entra_core::leases::{
    AuditAction, AuditFormat, AuditLine, DefineRequest, IssueRequest, Lease, LeaseKind, LeaseStatus, Leases, MaintenanceRun, TenantBinding,
};
use entra_core::secret::SecretString;
use entra_core::{ErrorCode, SignInOptions};
use entra_demo::{DemoOptions, DemoPassword, Faults, RetryAfter};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A small tenant (TLS, for app-only sign-in) whose new secrets work after `propagation`.
async fn world(seed: u64, propagation: Duration) -> World {
    let options = DemoOptions { tls: true, seed, apps: 12, groups: 12, users: 60, secret_propagation: propagation, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

async fn leases_of(w: &World) -> Leases {
    common::open_leases(&w.desk, w.desk.data_dir()).await.with_clock(w.clock.clone())
}

fn define(name: &str, kind: LeaseKind, target: &str, ttl: &str, max_ttl: &str) -> DefineRequest {
    DefineRequest {
        name: name.into(),
        kind,
        target: target.into(),
        ttl: ttl.into(),
        max_ttl: max_ttl.into(),
        acknowledge_password_reset: false,
        client_id: None,
        client_secret: None,
    }
}

fn issue(definition: &str, ttl: Option<&str>) -> IssueRequest {
    IssueRequest { definition: definition.into(), ttl: ttl.map(String::from), wait_until_usable: false }
}

/// Seeds credentials made by someone else: a person's, ANOTHER store's marker, a look-alike
/// name. Returns every credential on the app that is not ours (the app's own ones included).
fn seed_foreign(w: &World, app: &str) -> Vec<String> {
    let end = chrono::Utc::now() + chrono::Duration::days(90);
    let other_store = "entra-desk:ffffffffffffffffffffffffffffffff:6f1c1a0e-8a3b-4c55-9f57-2a4b1d9e7c10";
    for name in ["CI pipeline secret (made by a person)", other_store, "Rotated by Entra Desk 2026-12-01"] {
        w.tenant.add_foreign_password(app, name, end).unwrap();
    }
    let mut keys: Vec<String> = w.tenant.application_passwords(app).into_iter().map(|p| p.key_id).collect();
    keys.sort();
    keys
}

#[track_caller]
fn assert_foreign_survive(w: &World, app: &str, foreign: &[String]) {
    let left: Vec<String> = w.tenant.application_passwords(app).into_iter().map(|p| p.key_id).collect();
    for key in foreign {
        assert!(left.contains(key), "the foreign credential {key} was removed");
    }
}

/// What the reconciliation and sweeper tests start from: an app-only account, the Leases
/// service, the lease target application (with foreign credentials seeded on it, which must
/// survive every path) and an app-secret definition `ci` on it (TTL 1h, max 1d).
struct AppSecretScene {
    w: World,
    account: String,
    leases: Leases,
    target: String,
    foreign: Vec<String>,
}

async fn app_secret_scene(seed: u64) -> AppSecretScene {
    let w = world(seed, Duration::ZERO).await;
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    let target = w.tenant.lease_targets().application.object_id;
    let foreign = seed_foreign(&w, &target);
    leases.define(Some(&account), define("ci", LeaseKind::AppSecret, &target, "1h", "1d")).await.unwrap();
    AppSecretScene { w, account, leases, target, foreign }
}

fn credential(w: &World, app: &str, key_id: &str) -> Option<DemoPassword> {
    w.tenant.application_passwords(app).into_iter().find(|p| p.key_id == key_id)
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into())
}

/// The owner a dead process of this host leaves, in `leases::owner`'s format
/// (`host:machine:boot:pid-ns:pid:starttime`): our boot and PID namespace, a PID that no process
/// has or has with this start time. (A bare `host:pid` is no longer judged: it waits out the grace.)
fn dead_owner() -> String {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let ns = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let ns = ns.to_str().unwrap().trim_start_matches("pid:[").trim_end_matches(']').to_string();
    format!("{}:-:{}:{ns}:999999:0", host_name(), boot.trim())
}

#[tokio::test]
async fn an_app_secret_lease_is_marked_capped_at_max_ttl_renewed_and_revoked() {
    let w = world(401, Duration::ZERO).await;
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    let app = w.tenant.lease_targets().application;
    let foreign = seed_foreign(&w, &app.object_id);

    let def = leases.define(Some(&account), define("ci", LeaseKind::AppSecret, &app.object_id, "1h", "1d")).await.unwrap();
    assert_eq!(def.target_name.as_deref(), Some(app.display_name.as_str()));
    assert_eq!((def.ttl_secs, def.max_ttl_secs), (3600, 86_400));
    let issued = leases.issue(&account, issue("ci", None)).await.unwrap();
    let lease = issued.lease.clone();
    let store_id = leases.overview().await.unwrap().store_id;
    assert_eq!(store_id.len(), 32);
    assert_eq!(lease.status, LeaseStatus::Active);
    assert_eq!(lease.marker.as_deref(), Some(format!("entra-desk:{store_id}:{}", lease.id).as_str()));
    assert_eq!((lease.expires_at - lease.issued_at).num_seconds(), 3600);
    assert_eq!((lease.max_expires_at - lease.issued_at).num_seconds(), 86_400);
    assert!(issued.usable_after_ms.is_none() && issued.warning.is_none());

    // Straight from the tenant: the marker, and Entra's own end = the max TTL.
    let key = lease.key_id.clone().unwrap();
    let cred = credential(&w, &app.object_id, &key).expect("the credential is on the application");
    assert_eq!(cred.display_name, lease.marker);
    assert!((cred.end - lease.max_expires_at).num_seconds().abs() <= 1, "{} vs {}", cred.end, lease.max_expires_at);
    assert_eq!(Some(cred.hint.clone()), lease.hint);
    assert!(issued.secret.expose().starts_with(&cred.hint));

    // Renewals: from now, capped at issue + max TTL, refused above the max TTL.
    let renewed = leases.renew(&lease.id, Some("2h")).await.unwrap();
    assert!((renewed.expires_at - (w.clock_now() + chrono::Duration::hours(2))).num_seconds().abs() <= 2);
    assert!(renewed.renewed_at.is_some());
    let err = leases.renew(&lease.id, Some("2d")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("above the max TTL"), "{}", err.message());
    w.advance(chrono::Duration::minutes(90));
    // azure_identity caches the app token by the system clock, which did not move: sign in again.
    let account = w.sign_in_app_only().await;
    let capped = leases.renew(&lease.id, Some("23h")).await.unwrap();
    // (The store keeps milliseconds; the lease `issue` returned has the clock's full precision.)
    assert!((capped.expires_at - lease.max_expires_at).num_milliseconds().abs() <= 1, "capped at the max TTL: {capped:?}");
    let err = leases.renew(&lease.id, Some("1h")).await.unwrap_err();
    assert!(err.message().contains("already runs to its max TTL"), "{}", err.message());
    // Entra's end did not move: it was the max TTL from the start.
    assert_eq!(credential(&w, &app.object_id, &key).unwrap().end, cred.end);

    // Revoke: removePassword.
    let revoked = leases.revoke(&account, &lease.id).await.unwrap();
    assert_eq!(revoked.status, LeaseStatus::Revoked);
    assert!(revoked.ended_at.is_some());
    assert!(credential(&w, &app.object_id, &key).is_none(), "the credential is gone");
    let err = leases.revoke(&account, &lease.id).await.unwrap_err();
    assert!(err.message().contains("already revoked"), "{}", err.message());
    assert!(leases.renew(&lease.id, None).await.is_err(), "a revoked lease cannot be renewed");
    assert_foreign_survive(&w, &app.object_id, &foreign);

    // The audit log: each step, with Graph's request IDs for the Graph writes.
    let audit = leases.audit(None).await.unwrap();
    let actions: Vec<AuditAction> = audit.iter().rev().map(|e| e.line.action).collect();
    assert_eq!(
        actions,
        [AuditAction::Defined, AuditAction::Intent, AuditAction::Issued, AuditAction::Renewed, AuditAction::Renewed, AuditAction::Revoked]
    );
    for e in audit.iter().filter(|e| matches!(e.line.action, AuditAction::Issued | AuditAction::Revoked)) {
        assert!(e.line.request_id.as_deref().is_some_and(|r| r.len() >= 32), "{e:?}");
        assert_eq!(e.line.lease_id.as_deref(), Some(lease.id.as_str()));
        assert_eq!(e.line.actor, w.desk.account(Some(&account)).unwrap().username);
    }
    assert!(audit.windows(2).all(|p| p[0].seq > p[1].seq), "newest first");
    assert_eq!(leases.audit(Some(2)).await.unwrap(), audit[..2].to_vec());
    // Every line the service wrote is in the hash chain, and the chain holds.
    let verified = leases.verify_audit().await.unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    assert_eq!((verified.checked, verified.legacy, verified.head_seq), (audit.len() as u64, 0, Some(audit[0].seq)));

    // Exports: the whole log, oldest first.
    let csv = leases.export_audit(AuditFormat::Csv).await.unwrap();
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows[0], "seq,at,action,lease_id,definition,target,actor,detail,request_id,database_user");
    assert_eq!(rows.len(), audit.len() + 1);
    assert!(rows[1].contains(",defined,"));
    let issued_row = rows.iter().find(|r| r.contains(",issued,")).unwrap();
    let issued_line = audit.iter().find(|e| e.line.action == AuditAction::Issued).unwrap();
    // The request ID, then the database user (none in a local store; the team store's user in a team store).
    assert!(issued_row.contains(&format!(",{},", issued_line.line.request_id.as_deref().unwrap())), "{issued_row}");
    let jsonl = leases.export_audit(AuditFormat::Jsonl).await.unwrap();
    let lines: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), audit.len());
    assert_eq!(lines[0]["action"], "defined");
    assert_eq!(lines.last().unwrap()["action"], "revoked");
    assert!(lines.iter().all(|l| l["at"].as_str().is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())));

    // The secret was shown once and never written anywhere.
    assert_no_secret_on_disk(w.desk.data_dir(), &[issued.secret.expose()]);
    for text in [&csv, &jsonl] {
        assert!(!text.contains(issued.secret.expose()));
    }
}

/// The time the desk and the leases judge by (the tests move it).
trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl ClockNow for World {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use entra_core::clock::Clock;
        self.clock.now()
    }
}

#[tokio::test]
async fn definitions_and_ttls_are_checked_before_anything_is_made() {
    let w = world(402, Duration::ZERO).await;
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    let app = w.tenant.lease_targets().application;
    let user = w.tenant.lease_targets().user;
    let refused = [
        (define("x", LeaseKind::AppSecret, &app.object_id, "2h", "1h"), "longer than the max TTL"),
        (define("x", LeaseKind::AppSecret, &app.object_id, "1y", "2d"), "not a duration"),
        (define("x", LeaseKind::AppSecret, &app.object_id, "1h", "731d"), "730d"),
        (define("x", LeaseKind::AppSecret, "my app", "1h", "2h"), "not an application object ID"),
        (define("x", LeaseKind::AppSecret, "6f1c1a0e-8a3b-4c55-9f57-2a4b1d9e7c10", "1h", "2h"), "no application"),
        (define("x y", LeaseKind::AppSecret, &app.object_id, "1h", "2h"), "cannot name"),
        (define("x", LeaseKind::UserPassword, &user.id, "1h", "2h"), "resets a real user's password"),
        (define("x", LeaseKind::AccessToken, "https://graph.microsoft.com/.default", "1h", "2h"), "client (application) ID"),
        (define("x", LeaseKind::AccessToken, "User.Read", "1h", "2h"), ".default"),
    ];
    for (request, words) in refused {
        let err = leases.define(Some(&account), request.clone()).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{request:?}: {}", err.message());
        assert!(err.message().contains(words), "{request:?}: {}", err.message());
    }
    assert!(leases.definitions().await.unwrap().is_empty());
    // Without an account: refused, since nothing could say which tenant it belongs to.
    let err = leases.define(None, define("offline", LeaseKind::AppSecret, &app.object_id, "1h", "2h")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotSignedIn, "{}", err.message());
    assert!(err.message().contains("tenant"), "{}", err.message());
    assert!(leases.definitions().await.unwrap().is_empty());
    // With one: bound to its tenant.
    let bound = leases.define(Some(&account), define("offline", LeaseKind::AppSecret, &app.object_id, "1h", "2h")).await.unwrap();
    let tenant = bound.tenant.clone().expect("bound to the account's tenant");
    assert_eq!(tenant.tenant_id, w.tenant.info().tenant_id);
    let err = leases.define(Some(&account), define("offline", LeaseKind::AppSecret, &app.object_id, "1h", "2h")).await.unwrap_err();
    assert!(err.message().contains("already exists"));

    // A TTL above the max TTL: refused before the intent; nothing recorded, nothing made.
    let before = w.tenant.application_passwords(&app.object_id).len();
    let err = leases.issue(&account, issue("offline", Some("3h"))).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("above the max TTL") && err.message().contains("2h"), "{}", err.message());
    assert!(leases.list().await.unwrap().is_empty());
    assert_eq!(w.tenant.application_passwords(&app.object_id).len(), before);
    let err = leases.issue(&account, issue("nothing", None)).await.unwrap_err();
    assert!(err.message().contains("no dynamic secret named 'nothing'"), "{}", err.message());

    // A definition with a live lease stays; once it ended, it can go.
    let lease = leases.issue(&account, issue("offline", Some("90m"))).await.unwrap().lease;
    assert_eq!((lease.expires_at - lease.issued_at).num_minutes(), 90);
    let err = leases.remove_definition("offline").await.unwrap_err();
    assert!(err.message().contains("live lease"), "{}", err.message());
    leases.revoke(&account, &lease.id).await.unwrap();
    leases.remove_definition("offline").await.unwrap();
    assert!(leases.definitions().await.unwrap().is_empty());
    assert_eq!(leases.list().await.unwrap().len(), 1, "ended leases keep their history");
}

#[tokio::test]
async fn issuing_can_wait_until_entra_accepts_the_new_secret() {
    let propagation = Duration::from_secs(2);
    let w = world(403, propagation).await;
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    let app = w.tenant.lease_targets().application;
    leases.define(Some(&account), define("ci", LeaseKind::AppSecret, &app.object_id, "1h", "1d")).await.unwrap();

    // Without waiting: the secret is refused at first (AADSTS7000215), as Entra does while it replicates.
    let quick = leases.issue(&account, issue("ci", None)).await.unwrap();
    let (status, body) = client_credentials(&w, &app.app_id, &quick.secret).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["error_codes"].as_array().unwrap().contains(&7_000_215.into()), "{body}");

    // Waiting: issue returns once a token can be had with it.
    let started = std::time::Instant::now();
    let waited = leases.issue(&account, IssueRequest { wait_until_usable: true, ..issue("ci", None) }).await.unwrap();
    let usable_after = waited.usable_after_ms.expect("it waited");
    assert!(waited.warning.is_none(), "{:?}", waited.warning);
    // The wait starts once the lease is committed, a few ms after Entra made the secret.
    assert!(usable_after >= propagation.as_millis() as u64 - 300, "{usable_after} ms");
    assert!(started.elapsed() >= propagation);
    assert!(usable_after < 15_000);
    let (status, body) = client_credentials(&w, &app.app_id, &waited.secret).await;
    assert_eq!(status, 200, "{body}");

    // A wait that gives up first: the lease is issued anyway, with a warning that says why.
    let impatient = leases.clone().with_usable_wait(Duration::from_millis(400));
    let late = impatient.issue(&account, IssueRequest { wait_until_usable: true, ..issue("ci", None) }).await.unwrap();
    assert_eq!(late.lease.status, LeaseStatus::Active);
    assert!(late.usable_after_ms.is_none());
    let warning = late.warning.expect("a warning");
    assert!(warning.contains("AADSTS7000215"), "{warning}");
}

async fn client_credentials(w: &World, client_id: &str, secret: &SecretString) -> (u16, serde_json::Value) {
    let info = w.tenant.info();
    let http = entra_core::http::client(info.ca_cert.as_deref()).unwrap();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret.expose()),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let response = http.post(format!("{}/oauth2/v2.0/token", info.authority)).form(&form).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_user_password_lease_resets_the_password_and_its_revocation_ends_the_sessions() {
    let w = world(404, Duration::ZERO).await;
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    let user = w.tenant.lease_targets().user;
    let request = DefineRequest { acknowledge_password_reset: true, ..define("pw", LeaseKind::UserPassword, &user.id, "1h", "1d") };
    let def = leases.define(Some(&account), request).await.unwrap();
    assert_eq!(def.target_name.as_deref(), Some(user.user_principal_name.as_str()));

    let issued = leases.issue(&account, issue("pw", None)).await.unwrap();
    let password = issued.secret.expose().to_string();
    assert_eq!(password.len(), 64);
    assert!(issued.lease.key_id.is_none() && issued.lease.marker.is_none());
    assert!(w.tenant.password_accepted(&user.id, &password), "the sign-in form takes the new password");

    // The user signs in with it (public client, system browser) and holds a refresh token.
    let user_dir = tempfile::tempdir().unwrap();
    let user_desk = desk_on(user_dir.path(), w.clock.clone());
    let info = w.tenant.info();
    let profile = user_desk.settings().resolve_profile(w.flags(&info.public_client_id)).await.unwrap();
    let opener = DemoOpener::new(info.ca_cert.as_deref(), &user.user_principal_name, &password, |u| u);
    let options = SignInOptions { timeout: Duration::from_secs(20), ..Default::default() };
    let user_account = user_desk.sign_in_interactive(&profile, &opener, CancellationToken::new(), &|_| {}, options).await.unwrap();
    assert_eq!(user_account.username, user.user_principal_name);

    // Revoke: another random password, and every refresh token issued before now stops working.
    let revoked = leases.revoke(&account, &issued.lease.id).await.unwrap();
    assert_eq!(revoked.status, LeaseStatus::Revoked);
    assert!(!w.tenant.password_accepted(&user.id, &password), "the lease's password no longer works");
    w.advance(chrono::Duration::minutes(95)); // past the access token's life: the next call must refresh
    let err = user_desk.access_token(&user_account.id, None).await.unwrap_err();
    assert!(matches!(err.code(), ErrorCode::Identity | ErrorCode::NotSignedIn), "{:?}: {}", err.code(), err.message());
    assert!(err.message().contains("AADSTS50173") || err.message().contains("AADSTS50"), "{}", err.message());

    // Graph accepted both writes: their request IDs are in the log.
    let audit = leases.audit(None).await.unwrap();
    for action in [AuditAction::Issued, AuditAction::Revoked] {
        let line = audit.iter().find(|e| e.line.action == action).unwrap();
        assert!(line.line.request_id.is_some(), "{line:?}");
    }
    assert!(audit.iter().find(|e| e.line.action == AuditAction::Revoked).unwrap().line.detail.contains("revoked the user's sessions"));
    assert_no_secret_on_disk(w.desk.data_dir(), &[&password]);
}

#[tokio::test]
async fn an_access_token_lease_hands_out_a_token_and_forgets_it_on_revoke() {
    let w = world(405, Duration::ZERO).await;
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    // The token is for the lease target application, with a client secret an app-secret lease hands out
    // (not the signed-in client's: the keychain already holds that one).
    let app = w.tenant.lease_targets().application;
    leases.define(Some(&account), define("ci", LeaseKind::AppSecret, &app.object_id, "1h", "1d")).await.unwrap();
    let app_secret = leases.issue(&account, issue("ci", None)).await.unwrap();
    let scope = "https://graph.microsoft.com/.default";
    let mut request = define("tok", LeaseKind::AccessToken, scope, "30m", "1h");
    request.client_id = Some(app.app_id.clone());
    let err = leases.define(Some(&account), request.clone()).await.unwrap_err();
    assert!(err.message().contains("needs the client secret of"), "{}", err.message());
    request.client_secret = Some(SecretString::new(app_secret.secret.expose()));
    let def = leases.define(Some(&account), request.clone()).await.unwrap();
    assert_eq!(def.client_id.as_deref(), Some(app.app_id.as_str()));
    // A refused re-define (the name is taken) touches nothing: the secret kept for "tok" is still
    // the one that works (the token issued below is fetched with it), not this wrong one.
    request.client_secret = Some(SecretString::new("not-the-secret~0123456789012345678901234"));
    let err = leases.define(Some(&account), request).await.unwrap_err();
    assert!(err.message().contains("already exists"), "{}", err.message());

    let issued = leases.issue(&account, issue("tok", None)).await.unwrap();
    let token = issued.secret.expose().to_string();
    let claims = entra_jwt::decode(&token).unwrap().payload;
    assert_eq!(claims.get("appid").or(claims.get("azp")).and_then(|v| v.as_str()), Some(app.app_id.as_str()));
    // The token's own expiry is the one shown, not the lease's: here the token (the demo tenant
    // issues them for an hour) outlives the 30-minute lease, and that is what an admin must know.
    let exp = claims.get("exp").and_then(|v| v.as_i64()).expect("exp");
    let token_expires = issued.secret_expires_at.expect("an access token's own expiry");
    assert!((token_expires.timestamp() - exp).abs() <= 5, "{token_expires} is the token's exp {exp}");
    assert!(token_expires > issued.lease.expires_at, "the token outlives the 30-minute lease: {token_expires} vs {}", issued.lease.expires_at);
    let kept = leases.access_token(&account, &issued.lease.id).await.unwrap();
    assert_eq!(kept.token.expose(), token, "the kept token");
    assert_eq!(kept.expires_at, token_expires);
    let issued_line = leases.audit(None).await.unwrap().into_iter().find(|e| e.line.action == AuditAction::Issued && e.line.lease_id.as_deref() == Some(issued.lease.id.as_str())).unwrap();
    assert!(issued_line.line.detail.contains("the token itself valid at Entra until"), "{}", issued_line.line.detail);
    // After a restart (a new service over the same store): fetched again with the keychain's secret.
    let reopened = leases_of(&w).await;
    let again = reopened.access_token(&account, &issued.lease.id).await.unwrap();
    assert_eq!(again.token.expose().split('.').count(), 3);
    assert!(again.expires_at > chrono::Utc::now(), "a fresh token's own expiry");

    let revoked = leases.revoke(&account, &issued.lease.id).await.unwrap();
    assert_eq!(revoked.status, LeaseStatus::Revoked);
    let err = leases.access_token(&account, &issued.lease.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("revoked"), "{}", err.message());
    let audit = leases.audit(None).await.unwrap();
    assert!(audit.iter().any(|e| e.line.action == AuditAction::Revoked && e.line.detail.contains("forgot the access token")));
    assert_no_secret_on_disk(w.desk.data_dir(), &[&token, app_secret.secret.expose()]);
    // Not an access-token lease: asking for its "token" is refused.
    let err = leases.access_token(&account, &app_secret.lease.id).await.unwrap_err();
    assert!(err.message().contains("shown once"), "{}", err.message());
}

/// A lease as an interrupted process leaves it (its owner is given to the store beside it).
fn pending_lease(id: &str, tenant: &TenantBinding, target: &str, marker: Option<String>, now: chrono::DateTime<chrono::Utc>) -> Lease {
    Lease {
        id: id.into(),
        definition: "ci".into(),
        kind: LeaseKind::AppSecret,
        target: target.into(),
        tenant: Some(tenant.clone()),
        status: LeaseStatus::Pending,
        issued_at: now,
        expires_at: now + chrono::Duration::hours(1),
        max_expires_at: now + chrono::Duration::days(1),
        renewed_at: None,
        ended_at: None,
        key_id: None,
        hint: None,
        marker,
        revoke_attempts: 0,
        next_attempt_at: None,
        last_error: None,
        note: None,
        issued_by: None,
    }
}

fn intent(id: &str, now: chrono::DateTime<chrono::Utc>) -> AuditLine {
    AuditLine {
        at: now,
        action: AuditAction::Intent,
        lease_id: Some(id.into()),
        definition: Some("ci".into()),
        target: None,
        actor: "test".into(),
        detail: "about to addPassword".into(),
        request_id: None,
    }
}

#[tokio::test]
async fn reconciliation_adopts_interrupted_issues_closes_dead_intents_removes_orphans_and_leaves_foreign_credentials() {
    let AppSecretScene { w, account, leases, target, foreign } = app_secret_scene(406).await;
    let target = target.as_str();
    let store_id = leases.overview().await.unwrap().store_id;
    let graph = w.desk.graph(&account).unwrap();
    // Written through the port, as a crashed process (of this desktop, or a teammate's) left them.
    let store = leases.lease_store().clone();
    assert_eq!(store.store_id().await.unwrap(), store_id);
    let now = w.clock_now();
    let marker = |id: &str| format!("entra-desk:{store_id}:{id}");
    let dead = dead_owner();
    let tenant = leases.definitions().await.unwrap()[0].tenant.clone().unwrap();

    // A: intent recorded, addPassword made, the process died before the commit.
    let a = uuid::Uuid::new_v4().to_string();
    let added = graph.add_application_password(target, &marker(&a), Some(now + chrono::Duration::days(1))).await.unwrap();
    store.insert_lease(&pending_lease(&a, &tenant, target, Some(marker(&a)), now), Some(&dead), &intent(&a, now)).await.unwrap();
    // B: intent recorded, the process died before addPassword.
    let b = uuid::Uuid::new_v4().to_string();
    store.insert_lease(&pending_lease(&b, &tenant, target, Some(marker(&b)), now), Some(&dead), &intent(&b, now)).await.unwrap();
    // C: a credential of ours the store knows nothing of.
    let c = uuid::Uuid::new_v4().to_string();
    let orphan = graph.add_application_password(target, &marker(&c), Some(now + chrono::Duration::days(1))).await.unwrap();
    // D: an intent of a process on another host (maybe still running): left alone for the grace period.
    let d = uuid::Uuid::new_v4().to_string();
    let elsewhere = graph.add_application_password(target, &marker(&d), Some(now + chrono::Duration::days(1))).await.unwrap();
    store.insert_lease(&pending_lease(&d, &tenant, target, Some(marker(&d)), now), Some("elsewhere.example:4242"), &intent(&d, now)).await.unwrap();
    // E: an active lease whose credential someone removed in the admin center.
    let e = leases.issue(&account, issue("ci", None)).await.unwrap().lease;
    graph.remove_application_password(target, e.key_id.as_deref().unwrap()).await.unwrap();
    // F: an active lease, as it should be.
    let f = leases.issue(&account, issue("ci", None)).await.unwrap().lease;
    // E is closed only once Entra has had time to list a new credential (replication); D's
    // other host still has its grace period.
    w.advance(entra_core::leases::REPLICATION_GRACE + chrono::Duration::minutes(1));

    let report = leases.reconcile(&account).await.unwrap();
    assert_eq!(report.targets, 1);
    assert_eq!(report.foreign as usize, foreign.len(), "{report:?}");
    assert_eq!(report.credentials_seen as usize, foreign.len() + 4, "A, C, D, F: {report:?}");
    assert_eq!((report.adopted, report.abandoned, report.removed, report.closed), (1, 1, 1, 1), "{report:?}");
    assert!(report.errors.is_empty(), "{report:?}");
    assert_eq!(report.requests, 2, "one read of the application, one removal: {report:?}");

    let lease_a = leases.lease(&a).await.unwrap();
    assert_eq!(lease_a.status, LeaseStatus::Active);
    assert_eq!(lease_a.key_id.as_deref(), Some(added.credential.key_id.as_str()));
    assert!(lease_a.note.as_deref().unwrap().contains("adopted"), "{lease_a:?}");
    assert!(credential(&w, target, &added.credential.key_id).is_some(), "adopted, not removed");
    assert_eq!(leases.lease(&b).await.unwrap().status, LeaseStatus::Abandoned);
    assert!(credential(&w, target, &orphan.credential.key_id).is_none(), "the orphan of ours is removed");
    assert_eq!(leases.lease(&d).await.unwrap().status, LeaseStatus::Pending, "another host's intent waits out the grace period");
    assert!(credential(&w, target, &elsewhere.credential.key_id).is_some());
    let lease_e = leases.lease(&e.id).await.unwrap();
    assert_eq!(lease_e.status, LeaseStatus::Revoked);
    assert!(lease_e.ended_at.is_some());
    assert_eq!(leases.lease(&f.id).await.unwrap().status, LeaseStatus::Active);
    assert!(credential(&w, target, f.key_id.as_deref().unwrap()).is_some());
    assert_foreign_survive(&w, target, &foreign);

    // After the grace period, the other host's intent is decided too (adopted: its credential exists).
    w.advance(entra_core::leases::INTENT_GRACE + chrono::Duration::minutes(1));
    let report = leases.reconcile(&account).await.unwrap();
    assert_eq!((report.adopted, report.removed, report.abandoned, report.closed), (1, 0, 0, 0), "{report:?}");
    assert_eq!(leases.lease(&d).await.unwrap().status, LeaseStatus::Active);
    // And once more: nothing to do.
    let report = leases.reconcile(&account).await.unwrap();
    assert_eq!((report.adopted, report.removed, report.abandoned, report.closed), (0, 0, 0, 0), "{report:?}");
    assert_foreign_survive(&w, target, &foreign);

    // Every credential of ours belongs to an active lease.
    let all = leases.list().await.unwrap();
    for p in w.tenant.application_passwords(target) {
        if let Some(id) = p.display_name.as_deref().and_then(|n| n.strip_prefix(&format!("entra-desk:{store_id}:"))) {
            let lease = all.iter().find(|l| l.id == id).unwrap_or_else(|| panic!("no lease for {p:?}"));
            assert_eq!(lease.status, LeaseStatus::Active, "{lease:?}");
        }
    }
    let audit = leases.audit(None).await.unwrap();
    let reconciled: Vec<&str> = audit.iter().filter(|e| e.line.action == AuditAction::Reconciled).map(|e| e.line.detail.as_str()).collect();
    assert!(reconciled.iter().any(|d| d.contains("adopted credential")), "{reconciled:?}");
    assert!(reconciled.iter().any(|d| d.contains("has no lease")), "{reconciled:?}");
    assert!(reconciled.iter().any(|d| d.contains("never happened")), "{reconciled:?}");
    assert!(reconciled.iter().any(|d| d.contains("removed outside Entra Desk")), "{reconciled:?}");
}

#[tokio::test]
async fn the_sweeper_catches_up_after_the_app_was_closed_past_an_expiry() {
    let w = world(407, Duration::ZERO).await;
    let account = w.sign_in_app_only().await;
    let app = w.tenant.lease_targets().application;
    let target = app.object_id.as_str();
    let foreign = seed_foreign(&w, target);
    let (short, long) = {
        let leases = leases_of(&w).await;
        leases.define(Some(&account), define("ci", LeaseKind::AppSecret, target, "1h", "1d")).await.unwrap();
        let short = leases.issue(&account, issue("ci", Some("1h"))).await.unwrap().lease;
        let long = leases.issue(&account, issue("ci", Some("5h"))).await.unwrap().lease;
        (short, long)
        // The service is dropped: the app was closed.
    };
    w.advance(chrono::Duration::hours(2));
    // The app starts again (and signs in: azure_identity caches app tokens by the system clock, which did not move).
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    let overview = leases.overview().await.unwrap();
    assert!(leases.list().await.unwrap().iter().any(|l| l.id == short.id && l.status == LeaseStatus::Active && l.expires_at < overview.now));
    let run = leases.maintain(Some(&account)).await;
    assert!(run.error.is_none(), "{run:?}");
    let reconciled = run.reconcile.as_ref().expect("the first run of a process reconciles");
    // Whichever of the two got to it first (reconciliation runs before the sweep) ended it.
    assert_eq!(run.sweep.expired + reconciled.removed, 1, "{run:?}");
    let ended = leases.lease(&short.id).await.unwrap();
    assert_eq!(ended.status, LeaseStatus::Expired);
    assert!(ended.ended_at.is_some());
    assert!(credential(&w, target, short.key_id.as_deref().unwrap()).is_none(), "its credential was removed");
    assert_eq!(leases.lease(&long.id).await.unwrap().status, LeaseStatus::Active);
    assert!(credential(&w, target, long.key_id.as_deref().unwrap()).is_some());
    assert!(leases.overview().await.unwrap().last_maintenance.is_some());
    // A second run within the reconcile period only sweeps.
    let again = leases.maintain(Some(&account)).await;
    assert!(again.reconcile.is_none() && again.sweep.expired == 0, "{again:?}");
    drop(leases);

    // Closed again, past the other lease's expiry (Entra still holds its secret: its end is the max TTL).
    w.advance(chrono::Duration::hours(4));
    let account = w.sign_in_app_only().await;
    let leases = leases_of(&w).await;
    let report = leases.sweep(&account).await.unwrap();
    assert_eq!((report.expired, report.failing), (1, 0), "{report:?}");
    assert_eq!(leases.lease(&long.id).await.unwrap().status, LeaseStatus::Expired);
    assert!(credential(&w, target, long.key_id.as_deref().unwrap()).is_none());
    let audit = leases.audit(None).await.unwrap();
    let expired = audit.iter().find(|e| e.line.action == AuditAction::Expired).unwrap();
    assert_eq!((expired.line.actor.as_str(), expired.line.lease_id.as_deref()), ("sweeper", Some(long.id.as_str())));
    assert!(expired.line.request_id.is_some());
    assert_foreign_survive(&w, target, &foreign);
    // Not signed in: the run says so and changes nothing.
    let run = leases.maintain(None).await;
    assert!(run.error.as_deref().unwrap().contains("Not signed in"));
}

/// The next run the loop reports.
async fn next(runs: &mut tokio::sync::mpsc::UnboundedReceiver<MaintenanceRun>) -> MaintenanceRun {
    let run = tokio::time::timeout(Duration::from_secs(20), runs.recv()).await;
    run.expect("a maintenance run within 20 s").expect("the loop is running")
}

#[tokio::test]
async fn the_maintenance_loop_waits_for_an_account_sweeps_on_its_period_and_stops_when_cancelled() {
    let AppSecretScene { w, account, leases, target, foreign } = app_secret_scene(410).await;
    let target = target.as_str();
    let short = leases.issue(&account, issue("ci", Some("2s"))).await.unwrap().lease;
    let long = leases.issue(&account, issue("ci", None)).await.unwrap().lease;

    let signed_in = SignedInAccount::default();
    let cancel = CancellationToken::new();
    let (sent, mut runs) = tokio::sync::mpsc::unbounded_channel();
    let every = Duration::from_millis(250);
    let task = tokio::spawn(maintenance::run_loop(leases.clone(), signed_in.subscribe(), every, cancel.clone(), move |run| {
        let _ = sent.send(run.clone());
    }));

    // Nobody signed in: nothing runs.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(runs.try_recv().is_err(), "no run before an account is signed in");
    // A sign-in runs at once: the process's first run reconciles; nothing has expired yet.
    signed_in.signed_in(&account);
    let first = next(&mut runs).await;
    assert!(first.error.is_none() && first.reconcile.is_some(), "{first:?}");
    // Later runs, one per period, sweep the short lease once it expires.
    let mut swept = first.sweep.expired;
    let mut later = 0;
    while swept == 0 {
        let run = next(&mut runs).await;
        assert!(run.error.is_none() && run.reconcile.is_none(), "within the reconcile period a run only sweeps: {run:?}");
        swept += run.sweep.expired;
        later += 1;
    }
    assert!(later >= 2, "the short lease (2 s) outlived several 250 ms periods: {later}");
    assert_eq!(leases.lease(&short.id).await.unwrap().status, LeaseStatus::Expired);
    assert!(credential(&w, target, short.key_id.as_deref().unwrap()).is_none(), "its credential was removed");
    assert_eq!(leases.lease(&long.id).await.unwrap().status, LeaseStatus::Active);
    assert_foreign_survive(&w, target, &foreign);
    assert!(leases.overview().await.unwrap().last_maintenance.is_some());

    // A sign-out: the runs go on and say why nothing is revoked.
    signed_in.signed_out(&account);
    let mut run = next(&mut runs).await;
    while run.error.is_none() {
        run = next(&mut runs).await;
    }
    assert!(run.error.as_deref().unwrap().contains("Not signed in"), "{run:?}");

    // Cancelled: the loop ends (between runs), and no run follows.
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(20), task).await.expect("the loop stops once cancelled").unwrap();
    while runs.try_recv().is_ok() {}
    tokio::time::sleep(every * 3).await;
    assert!(runs.try_recv().is_err(), "no run after the loop stopped");
}

fn faults(throttle: f64, unavailable: f64) -> Faults {
    Faults {
        throttle_fraction: throttle,
        unavailable_fraction: unavailable,
        retry_after: "0.1".parse::<RetryAfter>().unwrap(),
        only_paths: vec!["removePassword".into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn failed_revocations_show_as_failing_back_off_and_are_retried_until_they_succeed() {
    let AppSecretScene { w, account, leases, target, foreign } = app_secret_scene(408).await;
    let target = target.as_str();
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(leases.issue(&account, issue("ci", None)).await.unwrap().lease);
    }

    // 429s on every removePassword, then 503s: the client's retries give up; recorded as failing.
    for (lease, fault) in [(&ids[0], faults(1.0, 0.0)), (&ids[1], faults(0.0, 1.0))] {
        w.tenant.set_faults(fault).unwrap();
        let err = leases.revoke(&account, &lease.id).await.unwrap_err();
        assert!(err.message().contains("could not be revoked"), "{}", err.message());
        let failed = leases.lease(&lease.id).await.unwrap();
        assert_eq!(failed.status, LeaseStatus::RevokeFailed);
        assert_eq!(failed.revoke_attempts, 1);
        assert!(failed.next_attempt_at.unwrap() - w.clock_now() <= chrono::Duration::seconds(30));
        assert!(failed.last_error.is_some());
        assert!(credential(&w, target, lease.key_id.as_deref().unwrap()).is_some());
    }
    // Some 429s and 503s: the retries may get through.
    w.tenant.set_faults(faults(0.4, 0.3)).unwrap();
    match leases.revoke(&account, &ids[2].id).await {
        Ok(l) => assert!(l.status == LeaseStatus::Revoked && credential(&w, target, ids[2].key_id.as_deref().unwrap()).is_none()),
        Err(_) => assert_eq!(leases.lease(&ids[2].id).await.unwrap().status, LeaseStatus::RevokeFailed),
    }
    let failing = leases.list().await.unwrap().into_iter().filter(|l| l.status == LeaseStatus::RevokeFailed).count();
    let audit = leases.audit(None).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.line.action == AuditAction::RevokeFailed).count(), failing);
    assert!(audit.iter().filter(|e| e.line.action == AuditAction::RevokeFailed).all(|e| e.line.request_id.is_some()), "{audit:?}");

    // Still failing, backoff not over: the sweeper leaves them.
    w.tenant.set_faults(faults(1.0, 0.0)).unwrap();
    let report = leases.sweep(&account).await.unwrap();
    assert_eq!((report.failing as usize, report.recovered), (failing, 0));
    // Backoff over, still throttled: a second failure, the next wait doubles.
    w.advance(chrono::Duration::seconds(31));
    let report = leases.sweep(&account).await.unwrap();
    assert_eq!((report.failing as usize, report.recovered), (failing, 0));
    let again = leases.lease(&ids[0].id).await.unwrap();
    assert_eq!(again.revoke_attempts, 2);
    let wait = again.next_attempt_at.unwrap() - w.clock_now();
    assert!(wait > chrono::Duration::seconds(50) && wait <= chrono::Duration::seconds(60), "{wait}");

    // Faults lifted, backoff over: every one recovers, and the credentials are gone.
    w.tenant.set_faults(Faults::default()).unwrap();
    w.advance(chrono::Duration::seconds(61));
    let report = leases.sweep(&account).await.unwrap();
    assert_eq!((report.recovered as usize, report.failing), (failing, 0), "{report:?}");
    for lease in &ids[..3] {
        assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::Revoked);
        assert!(credential(&w, target, lease.key_id.as_deref().unwrap()).is_none());
    }
    assert_eq!(leases.lease(&ids[3].id).await.unwrap().status, LeaseStatus::Active, "the untouched lease is still active");

    // A failing revocation of a lease that then expires: it ends as expired once it goes through.
    w.tenant.set_faults(faults(1.0, 0.0)).unwrap();
    assert!(leases.revoke(&account, &ids[3].id).await.is_err());
    w.tenant.set_faults(Faults::default()).unwrap();
    w.advance(chrono::Duration::hours(1));
    let account = w.sign_in_app_only().await;
    let report = leases.sweep(&account).await.unwrap();
    assert_eq!(report.recovered + report.expired, 1, "{report:?}");
    assert_eq!(leases.lease(&ids[3].id).await.unwrap().status, LeaseStatus::Expired);
    assert!(credential(&w, target, ids[3].key_id.as_deref().unwrap()).is_none());
    assert_foreign_survive(&w, target, &foreign);
    let left: Vec<String> = w.tenant.application_passwords(target).into_iter().map(|p| p.key_id).collect();
    assert_eq!(left.len(), foreign.len(), "only the foreign credentials are left");
}

#[tokio::test]
async fn a_credential_removed_outside_entra_desk_ends_its_lease_without_touching_anything_else() {
    let AppSecretScene { w, account, leases, target, foreign } = app_secret_scene(409).await;
    let target = target.as_str();
    let lease = leases.issue(&account, issue("ci", None)).await.unwrap().lease;
    // Someone removes the secret in the admin center.
    let graph = w.desk.graph(&account).unwrap();
    graph.remove_application_password(target, lease.key_id.as_deref().unwrap()).await.unwrap();
    // Revoking it: Graph answers 400 "No password credential with keyId … exists", which means it is
    // already gone. (Today the core records revoke-failed for it, see `already_gone` in
    // leases/revoke.rs; either way the next reconciliation closes the lease.)
    let revoked = leases.revoke(&account, &lease.id).await;
    if let Ok(l) = &revoked {
        assert_eq!(l.status, LeaseStatus::Revoked);
    }
    // A young lease is not "removed outside" at once: Entra may not list a new credential yet.
    leases.reconcile(&account).await.unwrap();
    if revoked.is_err() {
        assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::RevokeFailed);
    }
    w.advance(entra_core::leases::REPLICATION_GRACE + chrono::Duration::minutes(1));
    leases.reconcile(&account).await.unwrap();
    let ended = leases.lease(&lease.id).await.unwrap();
    assert_eq!(ended.status, LeaseStatus::Revoked, "{ended:?}");
    assert_foreign_survive(&w, target, &foreign);
    let left: Vec<String> = w.tenant.application_passwords(target).into_iter().map(|p| p.key_id).collect();
    assert_eq!(left.len(), foreign.len());
}
