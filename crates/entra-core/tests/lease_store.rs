//! The lease store port's contract, held against the SQLite adapter: intents and commits with
//! their audit lines in one transaction, the row version guard (a stale writer changes and logs
//! nothing), definitions unique by name, the maintenance record, and the file's own names
//! (kebab-case text, as lease files have always held), and the audit log's hash chain (every
//! line chained, and an edit of the file named at its line). `contract` takes any `LeaseStore`,
//! so the next adapter (PostgreSQL) can run it too.

use chrono::{DateTime, Duration, TimeZone, Utc};
use entra_core::leases::store::chain::{self, ChainProblem};
use entra_core::leases::store::{LeaseStore, MaintenanceRecord, SqliteLeaseStore};
use entra_core::leases::{
    AuditAction, AuditLine, Definition, Lease, LeaseKind, LeaseStatus, MaintenanceRun, ReconcileReport, SweepReport, TenantBinding,
};
use entra_core::ErrorCode;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap()
}

fn line(action: AuditAction, lease: Option<&str>) -> AuditLine {
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

fn contoso() -> TenantBinding {
    TenantBinding { tenant_id: "11111111-2222-3333-4444-555555555555".into(), authority: "https://login.microsoftonline.com/contoso.test/v2.0".into() }
}

fn lease(id: &str, status: LeaseStatus) -> Lease {
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

fn definition(name: &str) -> Definition {
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

async fn contract(store: &dyn LeaseStore) {
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
    let stale = store.update_lease(&lease("l1", LeaseStatus::Abandoned), None, v1, Some(&line(AuditAction::Reconciled, Some("l1")))).await.unwrap();
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
    let fabrikam = TenantBinding { tenant_id: "99999999-2222-3333-4444-555555555555".into(), authority: "https://login.microsoftonline.com/fabrikam/v2.0".into() };
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
}

#[tokio::test]
async fn the_sqlite_adapter_keeps_the_contract() {
    contract(&SqliteLeaseStore::open_in_memory().unwrap()).await;
}

#[tokio::test]
async fn the_file_holds_the_names_it_always_held_and_refuses_what_it_cannot_read() {
    let store = SqliteLeaseStore::open_in_memory().unwrap();
    let mut failing = lease("l1", LeaseStatus::Pending);
    failing.kind = LeaseKind::UserPassword;
    store.insert_lease(&failing, None, &line(AuditAction::Intent, Some("l1"))).await.unwrap();
    failing.status = LeaseStatus::RevokeFailed;
    store.update_lease(&failing, None, 1, Some(&line(AuditAction::RevokeFailed, Some("l1")))).await.unwrap();
    let (kind, status, action): (String, String, String) = store
        .engine()
        .read(|c| {
            Ok(c.query_row(
                "SELECT kind, status, (SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1) FROM leases",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap();
    assert_eq!((kind.as_str(), status.as_str(), action.as_str()), ("user-password", "revoke-failed", "revoke-failed"));

    // The audit log stays append-only under the adapter too.
    let err = store.engine().write(|tx| Ok(tx.execute("DELETE FROM audit_log", [])?)).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");

    // A status this version does not know (a newer Entra Desk wrote it): a storage error that says
    // what to do, and the file is left alone. The schema's CHECK is dropped to plant one.
    store
        .engine()
        .write(|tx| {
            tx.execute_batch("PRAGMA ignore_check_constraints = ON; UPDATE leases SET status = 'quarantined'; PRAGMA ignore_check_constraints = OFF;")?;
            Ok(())
        })
        .unwrap();
    let err = store.lease("l1").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Storage);
    assert!(err.message().contains("lease status") && err.message().contains("update Entra Desk"), "{}", err.message());
}

#[test]
fn a_damaged_lease_store_is_never_called_a_cache_to_move_aside() {
    // The cache's advice ("move it aside, it is rebuilt from Microsoft Graph") would orphan every
    // credential the leases created: the lease store's own errors say what the file is.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leases.sqlite");
    std::fs::write(&path, b"this is not an SQLite database, but a file someone damaged").unwrap();
    let err = SqliteLeaseStore::open(&path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Storage);
    let message = err.message();
    assert!(message.contains("lease store") && message.contains("only record") && message.contains("do not delete it"), "{message}");
    for cache_advice in ["rebuilt from Microsoft Graph", "move the file aside", "local cache"] {
        assert!(!message.contains(cache_advice), "{message}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"this is not an SQLite database, but a file someone damaged", "left as it was");
}

/// A store with `legacy` unchained lines (as a file written before 0005_audit_chain holds them),
/// then `chained` lines appended through the adapter.
async fn audit_scene(legacy: usize, chained: usize) -> SqliteLeaseStore {
    let store = SqliteLeaseStore::open_in_memory().unwrap();
    for i in 0..legacy {
        store
            .engine()
            .write(|tx| {
                tx.execute(
                    "INSERT INTO audit_log (at, action, actor, detail) VALUES ('2026-01-01T00:00:00.000Z', 'defined', 'admin', ?1)",
                    [format!("legacy line {i}")],
                )?;
                Ok(())
            })
            .unwrap();
    }
    for i in 0..chained {
        let mut l = line(AuditAction::Issued, Some(&format!("l{i}")));
        l.detail = format!("line {i}");
        store.append_audit(&l).await.unwrap();
    }
    store
}

/// Runs `sql` with the append-only triggers gone, as someone editing the file with `sqlite3` could.
fn tamper(store: &SqliteLeaseStore, sql: &str) {
    store
        .engine()
        .write(|tx| {
            tx.execute_batch(
                "DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;
                 DROP TRIGGER audit_log_chained;",
            )?;
            tx.execute_batch(sql)?;
            Ok(())
        })
        .unwrap();
}

async fn verify(store: &SqliteLeaseStore) -> chain::AuditVerification {
    chain::verify(&store.audit_chain().await.unwrap())
}

#[tokio::test]
async fn legacy_lines_are_reported_and_the_chain_starts_after_them() {
    let store = audit_scene(2, 3).await;
    let found = verify(&store).await;
    assert!(found.is_intact(), "{found:?}");
    assert_eq!((found.lines, found.legacy, found.checked, found.head_seq), (5, 2, 3, Some(5)));
}

#[tokio::test]
async fn an_edited_line_is_named_by_its_seq() {
    let store = audit_scene(1, 5).await;
    assert!(verify(&store).await.is_intact());
    tamper(&store, "UPDATE audit_log SET detail = 'nothing to see here' WHERE seq = 4");
    let found = verify(&store).await;
    let b = found.first_break.clone().expect("the edit is found");
    assert_eq!((b.seq, b.after_seq, b.problem), (4, Some(3), ChainProblem::HashMismatch), "{found:?}");
    assert!(b.message.starts_with("line 4 does not match its hash"), "{}", b.message);
    assert_eq!((found.checked, found.head_seq), (2, Some(3)), "the lines before it still verify");
}

#[tokio::test]
async fn a_removed_line_an_inserted_one_and_an_unchained_one_are_each_found() {
    let store = audit_scene(0, 5).await;
    tamper(&store, "DELETE FROM audit_log WHERE seq = 3");
    let b = verify(&store).await.first_break.unwrap();
    assert_eq!((b.seq, b.after_seq, b.problem), (4, Some(2), ChainProblem::MissingLines));
    assert!(b.message.contains("line 3 is missing"), "{}", b.message);

    // A line put back in the gap, with a hash that is not the chain's: found at that line.
    let store = audit_scene(0, 5).await;
    let forged = "0".repeat(64);
    tamper(
        &store,
        &format!(
            "DELETE FROM audit_log WHERE seq = 3;
             INSERT INTO audit_log (seq, at, action, actor, detail, hash) VALUES (3, '2026-12-02T10:00:00.000Z', 'issued', 'admin', 'forged', '{forged}');"
        ),
    );
    let b = verify(&store).await.first_break.unwrap();
    assert_eq!((b.seq, b.problem), (3, ChainProblem::HashMismatch));

    // A line with no hash after the chain began.
    let store = audit_scene(1, 2).await;
    tamper(&store, "INSERT INTO audit_log (at, action, actor, detail) VALUES ('2026-12-02T10:00:00.000Z', 'issued', 'admin', 'slipped in')");
    let found = verify(&store).await;
    let b = found.first_break.clone().unwrap();
    assert_eq!((b.seq, b.problem, found.legacy), (4, ChainProblem::Unchained, 1));

    // A value of another type in a text column (only a file edit can put it there) is named at its line, not a failed read.
    let store = audit_scene(0, 3).await;
    tamper(&store, "UPDATE audit_log SET detail = X'00FF' WHERE seq = 2");
    let b = verify(&store).await.first_break.unwrap();
    assert_eq!((b.seq, b.problem), (2, ChainProblem::HashMismatch));
}
