//! The lease store port's contract, written once and held against every adapter: SQLite's in
//! `lease_store.rs`, PostgreSQL's in entra-teamstore (which includes this file by path). Intents
//! and commits with their audit lines in one transaction, the row version guard (a stale writer
//! changes and logs nothing), definitions unique by name, the maintenance record, who issued a
//! lease, the audit log's hash chain, the store's description, and moving a store: export,
//! import (into an empty store only, the store ID and the chain kept) and the moved mark; and
//! (`lists`) the paged reads of the lease list and the audit log.
#![allow(dead_code)]

pub mod lists;

use chrono::{DateTime, Duration, TimeZone, Utc};
use entra_core::leases::store::chain;
use entra_core::leases::store::{LeaseStore, MaintenanceRecord, StoredLease};
use entra_core::leases::{
    AuditAction, AuditLine, Definition, Lease, LeaseKind, LeaseStatus, MaintenanceRun, ReconcileReport, SweepReport, TenantBinding,
};
use entra_core::ErrorCode;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap()
}

pub fn line(action: AuditAction, lease: Option<&str>) -> AuditLine {
    AuditLine {
        at: t0(),
        action,
        lease_id: lease.map(str::to_string),
        definition: Some("ci".into()),
        target: Some("app-1".into()),
        actor: "admin@contoso.test".into(),
        detail: format!("{} for a test", action.as_str()),
        request_id: Some("req-1".into()),
    }
}

pub fn contoso() -> TenantBinding {
    TenantBinding {
        tenant_id: "11111111-2222-3333-4444-555555555555".into(),
        authority: "https://login.microsoftonline.com/contoso.test/v2.0".into(),
    }
}

pub fn lease(id: &str, status: LeaseStatus) -> Lease {
    Lease {
        id: id.into(),
        definition: "ci".into(),
        kind: LeaseKind::AppSecret,
        target: "app-1".into(),
        tenant: Some(contoso()),
        status,
        issued_at: t0(),
        expires_at: t0() + Duration::hours(1),
        max_expires_at: t0() + Duration::hours(24),
        renewed_at: None,
        ended_at: None,
        key_id: None,
        hint: None,
        marker: Some(format!("entra-desk:abc:{id}")),
        revoke_attempts: 0,
        next_attempt_at: None,
        last_error: None,
        note: None,
        issued_by: None,
    }
}

pub fn definition(name: &str) -> Definition {
    Definition {
        name: name.into(),
        kind: LeaseKind::UserPassword,
        target: "user-1".into(),
        target_name: Some("Ada".into()),
        client_id: None,
        tenant: Some(contoso()),
        ttl_secs: 3600,
        max_ttl_secs: 7 * 86_400,
        created_at: t0(),
    }
}

/// The port's contract, held against `store`, a new, empty store of any adapter. It ends with the
/// store marked as moved (`set_moved_to`): use a store for nothing else afterwards.
pub async fn contract(store: &dyn LeaseStore) {
    let id = store.store_id().await.unwrap();
    assert_eq!(id.len(), 32);
    assert_eq!(store.store_id().await.unwrap(), id, "a store keeps its ID");

    // An intent, then its commit over the version it made.
    let v1 = store.insert_lease(&lease("l1", LeaseStatus::Pending), Some("host:1"), &line(AuditAction::Intent, Some("l1"))).await.unwrap();
    assert_eq!(v1, 1);
    let read = store.lease("l1").await.unwrap().unwrap();
    assert_eq!((read.version, read.owner.as_deref(), read.lease.status), (1, Some("host:1"), LeaseStatus::Pending));
    let mut active = lease("l1", LeaseStatus::Active);
    active.key_id = Some("key-1".into());
    let v2 = store.update_lease(&active, None, v1, Some(&line(AuditAction::Issued, Some("l1")))).await.unwrap();
    assert_eq!(v2, Some(2));
    // A second writer that read the intent (version 1) changes nothing and logs nothing: the
    // status guard callers relied on ("only if it is still pending") holds through the version.
    let stale =
        store.update_lease(&lease("l1", LeaseStatus::Abandoned), None, v1, Some(&line(AuditAction::Reconciled, Some("l1")))).await.unwrap();
    assert_eq!(stale, None);
    let now = store.lease("l1").await.unwrap().unwrap();
    assert_eq!((now.lease.clone(), now.owner.clone(), now.version), (active.clone(), None, 2));
    // Even a write that keeps the status is refused over a stale version (a lost renewal).
    assert_eq!(store.update_lease(&active, None, 1, None).await.unwrap(), None);
    assert_eq!(store.update_lease(&active, None, 2, None).await.unwrap(), Some(3));
    assert!(store.lease("nope").await.unwrap().is_none());

    let log = store.audit(None).await.unwrap();
    let actions: Vec<AuditAction> = log.iter().map(|e| e.line.action).collect();
    assert_eq!(actions, [AuditAction::Issued, AuditAction::Intent], "newest first, the refused write unlogged");
    assert!(log[0].seq > log[1].seq);
    assert_eq!(log[1].line, line(AuditAction::Intent, Some("l1")));
    assert_eq!(store.audit(Some(1)).await.unwrap(), log[..1].to_vec());

    store.insert_lease(&lease("l2", LeaseStatus::Pending), None, &line(AuditAction::Intent, Some("l2"))).await.unwrap();
    let live = store.leases_with_status(&[LeaseStatus::Active, LeaseStatus::RevokeFailed]).await.unwrap();
    assert_eq!(live.iter().map(|s| s.lease.id.as_str()).collect::<Vec<_>>(), ["l1"]);
    assert_eq!(store.leases_with_status(&[LeaseStatus::Pending]).await.unwrap()[0].lease.id, "l2");
    assert_eq!(store.leases().await.unwrap().len(), 2);
    // The same ID twice is refused.
    assert!(store.insert_lease(&lease("l2", LeaseStatus::Pending), None, &line(AuditAction::Intent, Some("l2"))).await.is_err());

    // Definitions: unique by name; a refused one is not logged.
    let before = store.audit(None).await.unwrap().len();
    let def = definition("pw");
    assert!(store.insert_definition(&def, &line(AuditAction::Defined, None)).await.unwrap());
    assert!(!store.insert_definition(&def, &line(AuditAction::Defined, None)).await.unwrap());
    assert_eq!(store.definition("pw").await.unwrap(), Some(def.clone()));
    assert_eq!(store.definitions().await.unwrap(), std::slice::from_ref(&def));
    assert_eq!(store.audit(None).await.unwrap().len(), before + 1);
    assert!(store.delete_definition("pw", &line(AuditAction::Undefined, None)).await.unwrap());
    assert!(!store.delete_definition("pw", &line(AuditAction::Undefined, None)).await.unwrap());
    assert_eq!(store.audit(None).await.unwrap().len(), before + 2);

    // Binding: only unbound rows (written before rows named their tenant) are bound, with one
    // audit line; a bound lease's version moves on; bound rows are never re-bound elsewhere.
    let unbound = Lease { tenant: None, ..lease("l3", LeaseStatus::Active) };
    store.insert_lease(&unbound, None, &line(AuditAction::Intent, Some("l3"))).await.unwrap();
    store.insert_definition(&Definition { tenant: None, ..definition("old") }, &line(AuditAction::Defined, None)).await.unwrap();
    assert_eq!(store.lease("l3").await.unwrap().unwrap().lease.tenant, None);
    let fabrikam = TenantBinding {
        tenant_id: "99999999-2222-3333-4444-555555555555".into(),
        authority: "https://login.microsoftonline.com/fabrikam/v2.0".into(),
    };
    let before = store.audit(None).await.unwrap().len();
    assert_eq!(store.bind_unbound(&fabrikam, &line(AuditAction::Bound, None)).await.unwrap(), (1, 1));
    let bound = store.lease("l3").await.unwrap().unwrap();
    assert_eq!((bound.lease.tenant.as_ref(), bound.version), (Some(&fabrikam), 2));
    assert_eq!(store.definition("old").await.unwrap().unwrap().tenant, Some(fabrikam.clone()));
    assert_eq!(store.lease("l1").await.unwrap().unwrap().lease.tenant, Some(contoso()), "a bound lease keeps its tenant");
    assert_eq!(store.bind_unbound(&contoso(), &line(AuditAction::Bound, None)).await.unwrap(), (0, 0));
    assert_eq!(store.audit(None).await.unwrap().len(), before + 1, "one line for the binding, none for binding nothing");
    assert!(store.delete_definition("old", &line(AuditAction::Undefined, None)).await.unwrap());

    // Maintenance: the last run, and the last reconciliation's time kept across runs that only swept.
    assert_eq!(store.maintenance().await.unwrap(), MaintenanceRecord::default());
    let run = |expired: u32, reconcile: Option<ReconcileReport>| MaintenanceRun {
        at: t0(),
        sweep: SweepReport { expired, ..Default::default() },
        reconcile,
        error: None,
    };
    store.set_maintenance(&run(1, Some(ReconcileReport { targets: 2, ..Default::default() })), Some(t0())).await.unwrap();
    store.set_maintenance(&run(2, None), None).await.unwrap();
    assert_eq!(store.maintenance().await.unwrap(), MaintenanceRecord { last_run: Some(run(2, None)), reconciled_at: Some(t0()) });

    // The audit log is hash-chained: every line the adapter wrote is chained, seq 1, 2, 3…,
    // and the core's verifier agrees with it; the lines read back are the lines written.
    store.append_audit(&line(AuditAction::Reconciled, None)).await.unwrap();
    let log = store.audit(None).await.unwrap();
    let lines = store.audit_chain().await.unwrap();
    assert_eq!(lines.iter().map(|l| l.seq).collect::<Vec<_>>(), (1..=log.len() as i64).collect::<Vec<_>>(), "oldest first, no gap");
    assert!(lines.iter().all(|l| l.hash.is_some()), "every line chained: {lines:?}");
    assert_eq!(lines[0].at, "2026-12-02T10:00:00.000Z");
    assert_eq!((lines[0].action.as_str(), lines.last().unwrap().action.as_str()), ("intent", "reconciled"));
    let verified = chain::verify(&lines);
    assert!(verified.is_intact(), "{verified:?}");
    assert_eq!((verified.lines, verified.checked, verified.legacy), (log.len() as u64, log.len() as u64, 0));
    assert_eq!(verified.head_seq, Some(log[0].seq), "the head is the newest line");
    assert_eq!(verified.head_hash, lines.last().unwrap().hash);

    // Who issued a lease travels with it (the screen's "issued by").
    let mut issued = lease("l4", LeaseStatus::Pending);
    issued.issued_by = Some("ada@contoso.test".into());
    store.insert_lease(&issued, Some("host:4"), &line(AuditAction::Intent, Some("l4"))).await.unwrap();
    assert_eq!(store.lease("l4").await.unwrap().unwrap().lease, issued);
    assert_eq!(store.lease("l1").await.unwrap().unwrap().lease.issued_by, None);

    // What the store says of itself: a place for the screen, never a password.
    let described = store.describe();
    assert!(!described.location.is_empty() && !described.location.contains("password"), "{described:?}");

    // Export: everything, as the reads give it, the audit lines as stored.
    let snapshot = store.export().await.unwrap();
    assert_eq!(snapshot.store_id, id);
    assert_eq!(snapshot.definitions, store.definitions().await.unwrap());
    let mut leases = store.leases().await.unwrap();
    leases.sort_by(|a, b| a.lease.id.cmp(&b.lease.id));
    let mut exported = snapshot.leases.clone();
    exported.sort_by(|a, b| a.lease.id.cmp(&b.lease.id));
    assert_eq!(exported, leases, "every lease with its owner and row version");
    assert_eq!(snapshot.audit, store.audit_chain().await.unwrap());
    assert!(!snapshot.is_empty());

    // Import refuses a store that holds anything, and changes nothing.
    let err = store.import(&snapshot).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().starts_with("The destination lease store is not empty"), "{}", err.message());
    assert!(err.message().contains("migrate into a new, empty store"), "{}", err.message());
    assert_eq!(store.export().await.unwrap(), snapshot, "a refused import changes nothing");

    // Moved: where the leases went, recorded with its audit line, chained like any other.
    assert_eq!(store.moved_to().await.unwrap(), None);
    store.set_moved_to("postgres://desk@db.contoso.test:5432/leases", &line(AuditAction::Reconciled, None)).await.unwrap();
    assert_eq!(store.moved_to().await.unwrap().as_deref(), Some("postgres://desk@db.contoso.test:5432/leases"));
    let lines = store.audit_chain().await.unwrap();
    assert_eq!(lines.len(), snapshot.audit.len() + 1);
    assert!(chain::verify(&lines).is_intact());
}

/// A store moved whole: `source`'s contents (after [`contract`]) imported into `empty`, a new
/// store of any adapter, come out of it as they went in — store ID, definitions, leases with
/// their owners and row versions, audit lines with their seq and hashes — and its chain goes on
/// from the last imported line; a second import is refused.
pub async fn moving_contract(source: &dyn LeaseStore, empty: &dyn LeaseStore) {
    let snapshot = source.export().await.unwrap();
    assert_ne!(empty.store_id().await.unwrap(), snapshot.store_id, "two new stores have two IDs");
    empty.import(&snapshot).await.unwrap();
    let moved = empty.export().await.unwrap();
    assert_eq!(moved.store_id, snapshot.store_id, "the ID travels, so the markers keep naming the store that holds them");
    assert_eq!(moved.definitions, snapshot.definitions);
    let by_id = |mut v: Vec<StoredLease>| {
        v.sort_by(|a, b| a.lease.id.cmp(&b.lease.id));
        v
    };
    assert_eq!(by_id(moved.leases.clone()), by_id(snapshot.leases.clone()));
    assert_eq!(moved.audit, snapshot.audit, "the log as it was, hashes and all");
    assert_eq!(empty.store_id().await.unwrap(), snapshot.store_id);
    // A moved lease is written over the version it had.
    let l1 = empty.lease("l1").await.unwrap().unwrap();
    assert_eq!(empty.update_lease(&l1.lease, None, l1.version, None).await.unwrap(), Some(l1.version + 1));

    // The chain goes on from the imported head.
    empty.append_audit(&line(AuditAction::Reconciled, None)).await.unwrap();
    let lines = empty.audit_chain().await.unwrap();
    assert_eq!(lines.last().unwrap().seq, snapshot.audit.last().unwrap().seq + 1);
    let verified = chain::verify(&lines);
    assert!(verified.is_intact(), "{verified:?}");
    assert_eq!(verified.checked, lines.len() as u64);

    let err = empty.import(&snapshot).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().starts_with("The destination lease store is not empty"), "{}", err.message());
}
