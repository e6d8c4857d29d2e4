//! A copied data folder: the copy notices it is not where its store was made and acts in no
//! tenant until the admin says whether it was moved or copied; a copy gets a store ID of its
//! own and leaves the original's leases alone, so the two never remove each other's live
//! credentials. Also: the same folder opened by another install (another keychain). Real
//! SQLite files, the real keychain (run under scripts/with-keyring.sh), the demo tenant.

mod common;

use common::{desk_on, lease_definition, sign_in_app_only_to, World};
use entra_core::clock::OffsetClock;
use entra_core::leases::{IssueRequest, LeaseKind, LeaseStatus, Leases, Relocation, LEASES_FILE};
use entra_core::ErrorCode;
use entra_demo::DemoOptions;
use std::path::Path;
use std::sync::Arc;

async fn world(seed: u64) -> World {
    let options = DemoOptions { tls: true, seed, apps: 8, groups: 4, users: 20, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

fn issue() -> IssueRequest {
    IssueRequest { definition: "ci".into(), ttl: None, wait_until_usable: false }
}

/// Copies the lease store's files (its WAL included) as a backup tool or a sync client would.
fn copy_store(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with(LEASES_FILE) {
            std::fs::copy(from.join(&name), to.join(&name)).unwrap();
        }
    }
}

#[tokio::test]
async fn a_copied_data_folder_refuses_until_told_and_then_never_touches_the_originals_credentials() {
    let w = world(621).await;
    let account = sign_in_app_only_to(&w.desk, &w.tenant).await;
    let app = w.tenant.lease_targets().application;
    let original = Leases::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    let request = lease_definition("ci", LeaseKind::AppSecret, &app.object_id);
    original.define(Some(&account), request).await.unwrap();
    let first = original.issue(&account, issue()).await.unwrap().lease;
    let original_id = original.overview().await.unwrap().store_id;

    // A backup restored next to it (same machine, same keychain, another folder).
    let copy_dir = w.dir.path().join("restored");
    copy_store(w.desk.data_dir(), &copy_dir);
    let copy = Leases::open(w.desk.clone(), &copy_dir).unwrap().with_clock(w.clock.clone());
    assert_eq!(copy.overview().await.unwrap().store_id, original_id, "a copy carries the same ID: the defect");
    for err in [
        copy.reconcile(&account).await.unwrap_err(),
        copy.sweep(&account).await.unwrap_err(),
        copy.issue(&account, issue()).await.unwrap_err(),
        copy.revoke(&account, &first.id).await.unwrap_err(),
    ] {
        assert_eq!(err.code(), ErrorCode::StoreMoved, "{}", err.message());
        assert!(err.message().contains("moved or copied") && err.message().contains("entractl lease relocate"), "{}", err.message());
    }
    let shown = copy.overview().await.unwrap().displaced.expect("the screen is told");
    assert!(shown.contains("moved or copied"), "{shown}");
    let run = copy.maintain(Some(&account)).await;
    assert!(run.error.as_deref().is_some_and(|e| e.contains("moved or copied")), "{run:?}");
    // The original is where it was made: it goes on.
    let original = Leases::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    original.reconcile(&account).await.unwrap();

    // It was a copy: a new ID, and the lease issued before the copy stays the original's.
    let overview = copy.relocate(Relocation::Copied).await.unwrap();
    assert_ne!(overview.store_id, original_id);
    assert_eq!(overview.displaced, None);
    let second = copy.issue(&account, issue()).await.unwrap().lease;
    assert!(second.marker.as_deref().unwrap().contains(&overview.store_id));
    let third = original.issue(&account, issue()).await.unwrap().lease;
    assert_eq!(copy.revoke(&account, &first.id).await.unwrap_err().code(), ErrorCode::InvalidInput, "the original's lease");
    // Each reconciles: neither removes the other's credentials.
    for _ in 0..2 {
        let report = copy.reconcile(&account).await.unwrap();
        assert_eq!((report.removed, report.closed), (0, 0), "copy: {report:?}");
        let report = original.reconcile(&account).await.unwrap();
        assert_eq!((report.removed, report.closed), (0, 0), "original: {report:?}");
    }
    let keys: Vec<String> = w.tenant.application_passwords(&app.object_id).into_iter().map(|p| p.key_id).collect();
    for lease in [&first, &second, &third] {
        assert!(keys.contains(lease.key_id.as_ref().unwrap()), "{} lost its credential", lease.id);
    }
    // Past the expiry, each sweeps only its own: the copy leaves the first lease to the original.
    w.advance(chrono::Duration::hours(2));
    let account = sign_in_app_only_to(&w.desk, &w.tenant).await;
    assert_eq!(copy.sweep(&account).await.unwrap().expired, 1);
    assert_eq!(copy.lease(&first.id).await.unwrap().status, LeaseStatus::Active, "left to the original");
    assert_eq!(original.sweep(&account).await.unwrap().expired, 2);
    assert!(w.tenant.application_passwords(&app.object_id).iter().all(|p| ![&first, &second, &third].iter().any(|l| l.key_id.as_ref() == Some(&p.key_id))));
    let audit = copy.audit(None).await.unwrap();
    assert!(audit.iter().any(|e| e.line.detail.contains("copied: this copy of store")), "the decision is in the copy's log");
}

#[tokio::test]
async fn a_moved_folder_keeps_its_store_and_another_install_is_told_too() {
    let w = world(622).await;
    let account = sign_in_app_only_to(&w.desk, &w.tenant).await;
    let leases = Leases::open(w.desk.clone(), w.desk.data_dir()).unwrap();
    let id = leases.overview().await.unwrap().store_id;
    leases.reconcile(&account).await.unwrap();
    drop(leases);

    // The same folder, opened by another install (its own keychain): it cannot prove it is home.
    let other = desk_on(&w.dir.path().join("other-install"), w.clock.clone());
    let other_account = sign_in_app_only_to(&other, &w.tenant).await;
    let elsewhere = Leases::open(other.clone(), w.desk.data_dir()).unwrap();
    let err = elsewhere.reconcile(&other_account).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::StoreMoved);
    assert!(err.message().contains("keychain does not hold its key"), "{}", err.message());

    // Moved to a new folder (the old one is gone): the same store, recorded in its new place.
    let new_dir = w.dir.path().join("moved");
    copy_store(w.desk.data_dir(), &new_dir);
    for entry in std::fs::read_dir(w.desk.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with(LEASES_FILE) {
            std::fs::remove_file(path).unwrap();
        }
    }
    let moved = Leases::open(w.desk.clone(), &new_dir).unwrap();
    assert_eq!(moved.reconcile(&account).await.unwrap_err().code(), ErrorCode::StoreMoved);
    assert_eq!(moved.relocate(Relocation::Moved).await.unwrap().store_id, id, "a move keeps the ID");
    moved.reconcile(&account).await.unwrap();
    let again = Leases::open(w.desk.clone(), &new_dir).unwrap();
    again.reconcile(&account).await.expect("recorded: a later process finds it home");
}
