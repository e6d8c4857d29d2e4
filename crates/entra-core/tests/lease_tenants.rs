//! Leases are bound to their tenant: one desk signed in to two demo tenants (two seeds, two
//! tenant IDs), a lease issued in the first, and every operation that acts in a tenant tried
//! with the second's account — issue, revoke, sweep, reconcile, an access token. Each is
//! refused or leaves the lease alone, and the credential stays in the first tenant until an
//! account of that tenant revokes it. Also: rows written before binding existed are touched
//! by nobody until an admin binds them. Run under scripts/with-keyring.sh.

mod common;

use common::{desk_on, lease_definition, sign_in_app_only_to, World};
use entra_core::clock::OffsetClock;
use entra_core::leases::{IssueRequest, Lease, LeaseKind, LeaseStatus, LeaseStore, SqliteLeaseStore, LEASES_FILE};
use entra_core::secret::SecretString;
use entra_core::ErrorCode;
use entra_demo::{DemoOptions, DemoTenant};
use std::sync::Arc;

async fn tenant(seed: u64) -> DemoTenant {
    let options = DemoOptions { tls: true, seed, apps: 8, groups: 4, users: 20, ..Default::default() };
    entra_demo::start(options).await.expect("demo tenant starts")
}

fn issue(definition: &str) -> IssueRequest {
    IssueRequest { definition: definition.into(), ttl: None, wait_until_usable: false }
}

#[track_caller]
fn assert_wrong_tenant(err: &entra_core::Error, ours: &str, theirs: &str) {
    assert_eq!(err.code(), ErrorCode::WrongTenant, "{}", err.message());
    assert!(err.message().contains(ours) && err.message().contains(theirs), "names both tenants: {}", err.message());
    assert!(err.message().contains("sign in to its tenant") && err.message().contains("Nothing was changed"), "{}", err.message());
}

#[tokio::test]
async fn every_operation_with_an_account_of_another_tenant_is_refused_or_leaves_the_lease_alone() {
    let first = tenant(611).await;
    let second = tenant(612).await;
    let (t1, t2) = (first.info().tenant_id.clone(), second.info().tenant_id.clone());
    assert_ne!(t1, t2);
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    let w = World { tenant: first, dir, desk, clock };
    let ours = sign_in_app_only_to(&w.desk, &w.tenant).await;
    let theirs = sign_in_app_only_to(&w.desk, &second).await;
    let leases = common::open_leases(&w.desk, w.desk.data_dir()).await.with_clock(w.clock.clone());
    let app = w.tenant.lease_targets().application;

    let def = leases.define(Some(&ours), lease_definition("ci", LeaseKind::AppSecret, &app.object_id)).await.unwrap();
    assert_eq!(def.tenant.as_ref().map(|t| t.tenant_id.as_str()), Some(t1.as_str()));
    let issued = leases.issue(&ours, issue("ci")).await.unwrap();
    let lease = issued.lease.clone();
    assert_eq!(lease.tenant, def.tenant, "a lease is its definition's tenant's");
    let key = lease.key_id.clone().unwrap();
    let held = || w.tenant.application_passwords(&app.object_id).iter().any(|p| p.key_id == key);
    assert!(held());
    // The access-token definition keeps the first tenant's client secret.
    let mut token_def = lease_definition("tok", LeaseKind::AccessToken, "https://graph.microsoft.com/.default");
    token_def.client_id = Some(app.app_id.clone());
    token_def.client_secret = Some(SecretString::new(issued.secret.expose()));
    leases.define(Some(&ours), token_def).await.unwrap();
    let token_lease = leases.issue(&ours, issue("tok")).await.unwrap().lease;
    let second_before = second.application_passwords(&app.object_id).len();

    // Issue: refused before anything is recorded or made.
    let count = leases.list().await.unwrap().len();
    assert_wrong_tenant(&leases.issue(&theirs, issue("ci")).await.unwrap_err(), &t1, &t2);
    assert_wrong_tenant(&leases.issue(&theirs, issue("tok")).await.unwrap_err(), &t1, &t2);
    assert_eq!(leases.list().await.unwrap().len(), count, "no intent recorded");
    // Revoke: refused; the lease and its credential stay.
    assert_wrong_tenant(&leases.revoke(&theirs, &lease.id).await.unwrap_err(), &t1, &t2);
    assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::Active);
    assert!(held());
    // A token: the definition's client secret is not sent to the second tenant.
    assert_wrong_tenant(&leases.access_token(&theirs, &token_lease.id).await.unwrap_err(), &t1, &t2);
    // Reconcile: the second tenant's listing proves nothing about the first's credentials.
    let report = leases.reconcile(&theirs).await.unwrap();
    assert_eq!((report.targets, report.removed, report.closed, report.abandoned), (0, 0, 0, 0), "{report:?}");
    assert!(report.other_tenants >= 2, "{report:?}");
    assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::Active);
    assert!(held());
    // Sweep past the expiry: left for an account of its tenant, not marked expired.
    w.advance(chrono::Duration::hours(2));
    second.advance_clock(chrono::Duration::hours(2));
    // (azure_identity caches app tokens by the system clock, which did not move: sign in again.)
    let (ours, theirs) = (sign_in_app_only_to(&w.desk, &w.tenant).await, sign_in_app_only_to(&w.desk, &second).await);
    let report = leases.sweep(&theirs).await.unwrap();
    assert_eq!((report.expired, report.recovered), (0, 0), "{report:?}");
    assert_eq!(report.other_tenants, 2, "{report:?}");
    assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::Active);
    assert!(held(), "the credential is still in the first tenant, so the store must not say otherwise");
    assert_eq!(second.application_passwords(&app.object_id).len(), second_before, "nothing was done in the second tenant");

    // The first tenant's account sweeps it: the store and the tenant agree again.
    let report = leases.sweep(&ours).await.unwrap();
    assert_eq!(report.expired, 2, "{report:?}");
    assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::Expired);
    assert!(!held());
}

#[tokio::test]
async fn rows_recorded_before_binding_are_touched_by_nobody_until_an_admin_binds_them() {
    let first = tenant(613).await;
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    let w = World { tenant: first, dir, desk, clock };
    let account = sign_in_app_only_to(&w.desk, &w.tenant).await;
    let leases = entra_core::leases::Leases::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    // (SQLite only: the rows are made unbound by editing the file.)
    let app = w.tenant.lease_targets().application;
    leases.define(Some(&account), lease_definition("ci", LeaseKind::AppSecret, &app.object_id)).await.unwrap();
    let lease = leases.issue(&account, issue("ci")).await.unwrap().lease;
    // As an older Entra Desk left it: the same lease without a tenant.
    let store = SqliteLeaseStore::open(w.desk.data_dir().join(LEASES_FILE)).unwrap();
    store
        .engine()
        .write(|tx| {
            tx.execute("UPDATE leases SET tenant_id = NULL, authority = NULL", [])?;
            tx.execute("UPDATE lease_definitions SET tenant_id = NULL, authority = NULL", [])?;
            Ok(())
        })
        .unwrap();
    let unbound: Lease = leases.lease(&lease.id).await.unwrap();
    assert_eq!(unbound.tenant, None);

    let err = leases.revoke(&account, &lease.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongTenant);
    assert!(err.message().contains("entractl lease bind"), "names the fix: {}", err.message());
    assert_eq!(leases.issue(&account, issue("ci")).await.unwrap_err().code(), ErrorCode::WrongTenant);
    w.advance(chrono::Duration::hours(2));
    let account = sign_in_app_only_to(&w.desk, &w.tenant).await;
    assert_eq!(leases.sweep(&account).await.unwrap().other_tenants, 1);
    assert_eq!(leases.reconcile(&account).await.unwrap().removed, 0);
    assert_eq!(store.lease(&lease.id).await.unwrap().unwrap().lease.status, LeaseStatus::Active);

    let report = leases.bind(&account).await.unwrap();
    assert_eq!((report.definitions, report.leases), (1, 1));
    assert_eq!(report.tenant.tenant_id, w.tenant.info().tenant_id);
    let report = leases.sweep(&account).await.unwrap();
    assert_eq!(report.expired, 1, "{report:?} {:?}", leases.lease(&lease.id).await);
    assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::Expired);
    assert!(w.tenant.application_passwords(&app.object_id).iter().all(|p| Some(&p.key_id) != lease.key_id.as_ref()));
    let audit = leases.audit(None).await.unwrap();
    assert!(audit.iter().any(|e| e.line.detail.contains("bound every unbound definition and lease to tenant")), "the binding is in the log");
}
