//! Two members on one store (two `PgLeaseStore`s, each with its own pool, as two desktops
//! have): a write over a stale row version loses and changes nothing, and appends racing from
//! both sides still make one intact hash chain, with no gap and no seq taken twice.

mod common;

use chrono::{Duration, TimeZone, Utc};
use entra_core::leases::store::chain;
use entra_core::leases::store::LeaseStore;
use entra_core::leases::{AuditAction, AuditLine, Lease, LeaseKind, LeaseStatus};

fn line(detail: String) -> AuditLine {
    AuditLine {
        at: Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap() + Duration::milliseconds(7),
        action: AuditAction::Reconciled,
        lease_id: None,
        definition: None,
        target: None,
        actor: "admin@contoso.test".into(),
        detail,
        request_id: None,
    }
}

fn lease(id: &str, status: LeaseStatus) -> Lease {
    let t0 = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
    Lease {
        id: id.into(),
        definition: "ci".into(),
        kind: LeaseKind::AppSecret,
        target: "app-1".into(),
        tenant: None,
        status,
        // Sub-millisecond precision is dropped on the way in, as the SQLite file drops it.
        issued_at: t0 + Duration::microseconds(1_500),
        expires_at: t0 + Duration::hours(1),
        max_expires_at: t0 + Duration::hours(24),
        renewed_at: None,
        ended_at: None,
        key_id: None,
        hint: None,
        marker: None,
        revoke_attempts: 0,
        next_attempt_at: None,
        last_error: None,
        note: None,
        issued_by: Some("ada@contoso.test".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_writer_loses_and_racing_appends_make_one_chain() {
    let cluster = common::cluster();
    common::new_store_database(&cluster, "team", &[]).await;
    let (a, b) = (common::connect(&cluster, "team").await, common::connect(&cluster, "team").await);

    // A records an intent; both read version 1; A commits first; B's write over 1 loses.
    a.insert_lease(&lease("l1", LeaseStatus::Pending), Some("a:1"), &line("intent".into())).await.unwrap();
    let read_by_b = b.lease("l1").await.unwrap().unwrap();
    assert_eq!(read_by_b.lease.issued_at.timestamp_subsec_micros(), 1_000, "kept to the millisecond");
    assert_eq!(read_by_b.version, 1);
    assert_eq!(a.update_lease(&lease("l1", LeaseStatus::Active), None, 1, Some(&line("issued".into()))).await.unwrap(), Some(2));
    let before = b.audit(None).await.unwrap().len();
    let lost =
        b.update_lease(&lease("l1", LeaseStatus::Abandoned), None, read_by_b.version, Some(&line("abandoned".into()))).await.unwrap();
    assert_eq!(lost, None);
    let now = a.lease("l1").await.unwrap().unwrap();
    assert_eq!((now.lease.status, now.version, now.owner), (LeaseStatus::Active, 2, None));
    assert_eq!(a.audit(None).await.unwrap().len(), before, "the lost write logged nothing");

    // 50 appends from each member at once.
    let appends = |store: entra_teamstore::PgLeaseStore, who: &'static str| {
        (0..50).map(move |i| {
            let store = store.clone();
            async move { store.append_audit(&line(format!("{who} {i}"))).await }
        })
    };
    let mut tasks = Vec::new();
    for append in appends(a.clone(), "a").zip(appends(b.clone(), "b")).flat_map(|(x, y)| [x, y]) {
        tasks.push(tokio::spawn(append));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let lines = b.audit_chain().await.unwrap();
    assert_eq!(lines.len(), before + 100);
    assert_eq!(lines.iter().map(|l| l.seq).collect::<Vec<_>>(), (1..=lines.len() as i64).collect::<Vec<_>>());
    let verified = chain::verify(&lines);
    assert!(verified.is_intact(), "{verified:?}");
    assert_eq!(verified.checked, lines.len() as u64);
    for who in ["a", "b"] {
        assert_eq!(lines.iter().filter(|l| l.detail.starts_with(&format!("{who} "))).count(), 50);
    }
    // The head row follows the log.
    let head = cluster.sql_in("team", "SELECT seq || ' ' || hash FROM entra_desk.audit_head").unwrap();
    let last = lines.last().unwrap();
    assert_eq!(head, format!("{} {}", last.seq, last.hash.as_deref().unwrap()));
    assert!(a.audit(Some(3)).await.unwrap().iter().all(|e| e.database_user.as_deref() == Some("postgres")));
}
