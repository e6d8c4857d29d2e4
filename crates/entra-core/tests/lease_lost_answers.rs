//! Graph carried the write out but the answer was lost (a gateway's 504): the demo tenant's
//! `lose_answers` fault does exactly that. An addPassword so answered is not re-sent (it would
//! add a second secret), the lease stays `pending` (its outcome is unknown), and reconciliation
//! settles it from what the tenant holds; a removePassword so answered is retried by the sweeper
//! and ends as revoked. After each, the store and the tenant agree: an active lease has its
//! credential, a revoked one has none. Run under scripts/with-keyring.sh.

mod common;

use common::{desk_on, lease_definition, World};
use entra_core::clock::OffsetClock;
use entra_core::leases::{IssueRequest, LeaseKind, LeaseStatus};
use entra_demo::{DemoOptions, Faults};
use std::sync::Arc;

fn lose_next(path: &str) -> Faults {
    Faults { lose_answers: 1, only_paths: vec![path.into()], ..Default::default() }
}

#[tokio::test]
async fn an_add_password_answered_504_is_sent_once_left_pending_and_settled_by_reconciliation() {
    let options = DemoOptions { tls: true, seed: 631, apps: 8, groups: 4, users: 20, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    let w = World { tenant, dir, desk, clock };
    let account = w.sign_in_app_only().await;
    let leases = common::open_leases(&w.desk, w.desk.data_dir()).await.with_clock(w.clock.clone());
    let app = w.tenant.lease_targets().application;
    let request = lease_definition("ci", LeaseKind::AppSecret, &app.object_id);
    leases.define(Some(&account), request).await.unwrap();
    let before = w.tenant.application_passwords(&app.object_id).len();

    w.tenant.set_faults(lose_next("addPassword")).unwrap();
    let err = leases.issue(&account, IssueRequest { definition: "ci".into(), ttl: None, wait_until_usable: false }).await.unwrap_err();
    w.tenant.set_faults(Faults::default()).unwrap();
    assert!(!err.message().contains("Nothing was issued"), "the outcome is unknown, not nothing: {}", err.message());
    let listed = w.tenant.application_passwords(&app.object_id);
    assert_eq!(listed.len(), before + 1, "carried out once, never re-sent");
    let lease = leases.list().await.unwrap().pop().unwrap();
    assert_eq!(lease.status, LeaseStatus::Pending, "{lease:?}");
    let made = listed.iter().find(|p| p.display_name.as_deref() == lease.marker.as_deref()).expect("the credential carries its marker");

    // Reconciliation finds the credential by its marker and adopts it (its secret was never shown).
    let report = leases.reconcile(&account).await.unwrap();
    assert_eq!(report.adopted, 1, "{report:?}");
    let adopted = leases.lease(&lease.id).await.unwrap();
    assert_eq!((adopted.status, adopted.key_id.as_deref()), (LeaseStatus::Active, Some(made.key_id.as_str())));
    assert!(adopted.note.as_deref().unwrap_or_default().contains("never shown"), "{adopted:?}");

    // Revoking it: removePassword carried out, answer lost. Recorded as failing, then the retry
    // finds it gone and commits the revocation: no credential is left, and the store says so.
    w.tenant.set_faults(lose_next("removePassword")).unwrap();
    let err = leases.revoke(&account, &lease.id).await.unwrap_err();
    w.tenant.set_faults(Faults::default()).unwrap();
    assert!(err.message().contains("retries it"), "{}", err.message());
    assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::RevokeFailed);
    w.advance(chrono::Duration::minutes(1));
    let report = leases.sweep(&account).await.unwrap();
    assert_eq!(report.recovered, 1, "{report:?}");
    assert_eq!(leases.lease(&lease.id).await.unwrap().status, LeaseStatus::Revoked);
    assert_eq!(w.tenant.application_passwords(&app.object_id).len(), before, "nothing of the lease is left in the tenant");
}
