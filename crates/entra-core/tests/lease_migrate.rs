//! `Leases::migrate_to`: a store's definitions, leases (open ones too) and audit log moved into
//! an empty store, the store ID with them, so the new store recognises the markers of the
//! credentials the old one made (it neither removes nor loses them); the old store is retired
//! (acts in no tenant, says where its leases went), and a second migration is refused. Two real
//! SQLite stores here; the team store's crate runs the same move into PostgreSQL.

mod common;

use common::{desk_on, lease_definition, sign_in_app_only_to, World};
use entra_core::clock::OffsetClock;
use entra_core::leases::{IssueRequest, LeaseKind, LeaseStatus, Leases};
use entra_core::ErrorCode;
use entra_demo::DemoOptions;
use std::sync::Arc;

fn issue() -> IssueRequest {
    IssueRequest { definition: "ci".into(), ttl: None, wait_until_usable: false }
}

#[tokio::test]
async fn a_store_moves_whole_keeps_its_markers_working_and_is_retired() {
    let options = DemoOptions { tls: true, seed: 731, apps: 8, groups: 4, users: 20, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    let w = World { tenant, dir, desk, clock };
    let account = sign_in_app_only_to(&w.desk, &w.tenant).await;
    let app = w.tenant.lease_targets().application;

    let old = Leases::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    old.define(Some(&account), lease_definition("ci", LeaseKind::AppSecret, &app.object_id)).await.unwrap();
    let open = old.issue(&account, issue()).await.unwrap().lease;
    let ended = old.issue(&account, issue()).await.unwrap().lease;
    old.revoke(&account, &ended.id).await.unwrap();
    let old_id = old.overview().await.unwrap().store_id;
    let old_lines = old.audit(None).await.unwrap().len();

    let new_dir = w.dir.path().join("team");
    std::fs::create_dir_all(&new_dir).unwrap();
    let new = Leases::open(w.desk.clone(), &new_dir).unwrap().with_clock(w.clock.clone());
    let report = old.migrate_to(&new, "postgres://team@db.example.com/leases").await.unwrap();
    assert_eq!((report.definitions, report.leases, report.open_leases), (1, 2, 1), "{report:?}");
    assert_eq!(report.store_id, old_id);

    // The new store is the old one's continuation: same ID, same leases, who issued them, and
    // one unbroken audit chain (the old lines, "moving", then "moved here").
    let overview = new.overview().await.unwrap();
    assert_eq!(overview.store_id, old_id);
    assert_eq!(new.lease(&open.id).await.unwrap(), old.lease(&open.id).await.unwrap());
    assert_eq!(new.lease(&open.id).await.unwrap().issued_by.as_deref(), Some(w.desk.account(Some(&account)).unwrap().username.as_str()));
    let verified = new.verify_audit().await.unwrap();
    assert!(verified.is_intact(), "{verified:?}");
    assert_eq!(verified.checked as usize, old_lines + 2);

    // The old store acts in no tenant and says where its leases went.
    for err in [old.issue(&account, issue()).await.unwrap_err(), old.reconcile(&account).await.unwrap_err(), old.sweep(&account).await.unwrap_err()] {
        assert_eq!(err.code(), ErrorCode::StoreMoved, "{}", err.message());
        assert!(err.message().contains("--lease-store postgres://team@db.example.com/leases"), "{}", err.message());
    }

    // The new store recognises the open lease's credential as its own: reconciliation keeps it.
    let reconciled = new.reconcile(&account).await.unwrap();
    assert_eq!((reconciled.removed, reconciled.adopted, reconciled.closed), (0, 0, 0), "{reconciled:?}");
    let keys: Vec<String> = w.tenant.application_passwords(&app.object_id).into_iter().map(|p| p.key_id).collect();
    assert!(keys.contains(open.key_id.as_ref().unwrap()), "the migrated lease lost its credential");
    // …and can revoke it.
    assert_eq!(new.revoke(&account, &open.id).await.unwrap().status, LeaseStatus::Revoked);
    assert!(w.tenant.application_passwords(&app.object_id).iter().all(|p| Some(&p.key_id) != open.key_id.as_ref()));

    // Never twice: into the same store (now full), nor anywhere else.
    let again = old.migrate_to(&new, "postgres://team@db.example.com/leases").await.unwrap_err();
    assert!(again.message().contains("already moved"), "{}", again.message());
    let other_dir = w.dir.path().join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let other = Leases::open(w.desk.clone(), &other_dir).unwrap();
    let elsewhere = old.migrate_to(&other, "postgres://other@db.example.com/leases").await.unwrap_err();
    assert_eq!(elsewhere.code(), ErrorCode::StoreMoved, "{}", elsewhere.message());
    assert_eq!(other.overview().await.unwrap().counts.total, 0, "nothing was moved into the other store");
}

#[tokio::test]
async fn a_destination_that_holds_anything_is_refused_and_the_source_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk_on(dir.path(), Arc::new(OffsetClock::new()));
    let source = Leases::open(desk.clone(), desk.data_dir()).unwrap();
    let busy_dir = dir.path().join("busy");
    std::fs::create_dir_all(&busy_dir).unwrap();
    let busy = Leases::open(desk.clone(), &busy_dir).unwrap();
    // An audit line is enough to make a store "not empty".
    let line = entra_core::leases::AuditLine {
        at: chrono::Utc::now(),
        action: entra_core::leases::AuditAction::Reconciled,
        lease_id: None,
        definition: None,
        target: None,
        actor: "test".into(),
        detail: "something happened here".into(),
        request_id: None,
    };
    busy.lease_store().append_audit(&line).await.unwrap();
    let err = source.migrate_to(&busy, "postgres://busy@db.example.com/leases").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{}", err.message());
    assert!(err.message().contains("not empty"), "{}", err.message());
    assert_eq!(source.lease_store().moved_to().await.unwrap(), None, "a refused migration retires nothing");
}
