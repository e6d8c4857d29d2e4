//! The lease store port's contract (`store_contract`, shared with the PostgreSQL adapter's
//! tests; its paged reads too) held against the SQLite adapter, and what only the SQLite file
//! shows: its own names (kebab-case text, as lease files have always held), its damage words,
//! and the audit log's hash chain under edits of the file (each named at its line).

mod store_contract;

use entra_core::leases::store::chain::{self, ChainProblem};
use entra_core::leases::store::{LeaseStore, SqliteLeaseStore};
use entra_core::leases::{AuditAction, LeaseKind, LeaseStatus};
use entra_core::ErrorCode;
use store_contract::lists::lists_contract;
use store_contract::{contract, lease, line, moving_contract};

#[tokio::test]
async fn the_sqlite_adapter_keeps_the_contract() {
    contract(&SqliteLeaseStore::open_in_memory().unwrap()).await;
}

#[tokio::test]
async fn the_sqlite_adapter_pages_its_lists() {
    lists_contract(&SqliteLeaseStore::open_in_memory().unwrap()).await;
}

#[tokio::test]
async fn a_sqlite_store_moves_whole_into_another() {
    let source = SqliteLeaseStore::open_in_memory().unwrap();
    contract(&source).await;
    moving_contract(&source, &SqliteLeaseStore::open_in_memory().unwrap()).await;
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
