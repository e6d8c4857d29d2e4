//! The lease store's file, as this crate promises it: the audit log is append-only in the
//! schema itself, the CHECKs refuse what no caller may write, every lease row has a version,
//! a file written before the row version opens and keeps its leases, and a lease store and a
//! cache can never be opened as each other. (The port's behaviour — intents, commits, the
//! version guard — is tested against the adapter in entra-core's `tests/lease_store.rs`.)

use entra_store::rusqlite::params;
use entra_store::{Schema, Store, StoreError};

const AT: &str = "2026-12-02T10:00:00.000Z";

fn lease_store() -> Store {
    Store::open_in_memory_schema(Schema::Leases).unwrap()
}

/// Inserts a lease row as the core's adapter does (kebab-case kind and status).
fn insert_lease(store: &Store, id: &str, kind: &str, status: &str) -> entra_store::Result<()> {
    store.write(|tx| {
        tx.execute(
            "INSERT INTO leases (id, definition, kind, target, status, issued_at, expires_at, max_expires_at, updated_at)
             VALUES (?1, 'ci', ?2, 'app-1', ?3, ?4, ?4, ?4, ?4)",
            params![id, kind, status, AT],
        )?;
        Ok(())
    })
}

fn append_audit(store: &Store, detail: &str) {
    store
        .write(|tx| {
            tx.execute("INSERT INTO audit_log (at, action, actor, detail) VALUES (?1, 'issued', 'admin', ?2)", params![AT, detail])?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_audit_log_refuses_updates_and_deletes() {
    let store = lease_store();
    append_audit(&store, "issued for a test");
    let seq: i64 = store.read(|c| Ok(c.query_row("SELECT seq FROM audit_log", [], |r| r.get(0))?)).unwrap();
    let replace = format!("INSERT OR REPLACE INTO audit_log (seq, at, action, actor, detail) VALUES ({seq}, '{AT}', 'issued', 'admin', 'rewritten')");
    let replace_into = format!("REPLACE INTO audit_log (seq, at, action, actor, detail) VALUES ({seq}, '{AT}', 'issued', 'admin', 'rewritten')");
    for sql in ["UPDATE audit_log SET detail = 'rewritten'", "DELETE FROM audit_log", replace.as_str(), replace_into.as_str()] {
        let err = store.write(|tx| Ok(tx.execute(sql, [])?)).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let detail: String = store.read(|c| Ok(c.query_row("SELECT detail FROM audit_log", [], |r| r.get(0))?)).unwrap();
    assert_eq!(detail, "issued for a test");
    // Appending is untouched.
    append_audit(&store, "revoked for a test");
    let lines: i64 = store.read(|c| Ok(c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?)).unwrap();
    assert_eq!(lines, 2);
}

#[test]
fn the_schema_refuses_unknown_kinds_and_statuses_and_a_max_ttl_below_the_ttl() {
    let store = lease_store();
    insert_lease(&store, "ok", "app-secret", "revoke-failed").unwrap();
    // The JSON names are not the stored ones: the adapter maps them, the schema holds it to that.
    assert!(insert_lease(&store, "camel-kind", "appSecret", "active").is_err());
    assert!(insert_lease(&store, "camel-status", "app-secret", "revokeFailed").is_err());
    let definition = |name: &str, ttl: i64, max: i64| {
        store.write(|tx| {
            tx.execute(
                "INSERT INTO lease_definitions (name, kind, target, ttl_secs, max_ttl_secs, created_at)
                 VALUES (?1, 'app-secret', 'app-1', ?2, ?3, ?4)",
                params![name, ttl, max, AT],
            )?;
            Ok(())
        })
    };
    definition("fine", 3600, 7200).unwrap();
    assert!(definition("short-max", 3600, 60).is_err(), "a max TTL below the TTL");
}

#[test]
fn every_lease_row_starts_at_version_1_and_never_below() {
    let store = lease_store();
    insert_lease(&store, "l1", "app-secret", "pending").unwrap();
    let version: i64 = store.read(|c| Ok(c.query_row("SELECT row_version FROM leases WHERE id = 'l1'", [], |r| r.get(0))?)).unwrap();
    assert_eq!(version, 1);
    let err = store.write(|tx| Ok(tx.execute("UPDATE leases SET row_version = 0 WHERE id = 'l1'", [])?));
    assert!(err.is_err(), "row_version >= 1");
}

#[test]
fn a_file_written_before_the_row_version_keeps_its_leases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leases.sqlite");
    {
        // What a lease file of the first release holds: migration 0001 alone, and a lease in it.
        let conn = entra_store::rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/leases/0001_leases.sql")).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, '0001_leases', '2026-01-01T00:00:00.000Z');",
        )
        .unwrap();
        // "EDsL", the lease store's application_id: the file is ours.
        conn.pragma_update(None, "application_id", 0x4544_734C).unwrap();
        conn.execute(
            "INSERT INTO leases (id, definition, kind, target, status, issued_at, expires_at, max_expires_at, updated_at)
             VALUES ('old', 'ci', 'user-password', 'user-1', 'revoke-failed', ?1, ?1, ?1, ?1)",
            [AT],
        )
        .unwrap();
    }
    let store = Store::open_schema(&path, Schema::Leases).unwrap();
    let (status, version): (String, i64) = store
        .read(|c| Ok(c.query_row("SELECT status, row_version FROM leases WHERE id = 'old'", [], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .unwrap();
    assert_eq!((status.as_str(), version), ("revoke-failed", 1));
    assert_eq!(Schema::Leases.latest(), 7);
}

#[test]
fn once_the_audit_log_is_chained_every_new_line_needs_a_hash() {
    // Lines written before 0005_audit_chain have no hash: appending another unhashed one is
    // still allowed (the chain has not begun), and they stay as they are.
    let store = lease_store();
    append_audit(&store, "a legacy line");
    append_audit(&store, "another legacy line");
    let hash = "ab".repeat(32);
    store
        .write(|tx| {
            tx.execute("INSERT INTO audit_log (at, action, actor, detail, hash) VALUES (?1, 'issued', 'admin', 'chained', ?2)", params![AT, hash])?;
            Ok(())
        })
        .unwrap();
    // After the first chained line, an unhashed line is refused, and so is a hash of the wrong length.
    let err = store
        .write(|tx| Ok(tx.execute("INSERT INTO audit_log (at, action, actor, detail) VALUES (?1, 'issued', 'admin', 'unchained')", [AT])?))
        .unwrap_err();
    assert!(err.to_string().contains("hash-chained"), "{err}");
    let err = store
        .write(|tx| Ok(tx.execute("INSERT INTO audit_log (at, action, actor, detail, hash) VALUES (?1, 'issued', 'admin', 'short', 'abc')", [AT])?));
    assert!(err.is_err(), "a hash is 64 hex digits");
    // The hash is append-only like the rest of the line.
    let err = store.write(|tx| Ok(tx.execute("UPDATE audit_log SET hash = NULL", [])?)).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let hashes: Vec<Option<String>> = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT hash FROM audit_log ORDER BY seq")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .unwrap();
    assert_eq!(hashes, [None, None, Some(hash)]);
}

#[test]
fn a_lease_store_and_a_cache_cannot_be_opened_as_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let leases = dir.path().join("leases.sqlite");
    let cache = dir.path().join("cache.sqlite");
    drop(Store::open_schema(&leases, Schema::Leases).unwrap());
    drop(Store::open(&cache).unwrap());
    assert!(matches!(Store::open(&leases), Err(StoreError::ForeignDatabase { .. })));
    assert!(matches!(Store::open_schema(&cache, Schema::Leases), Err(StoreError::ForeignDatabase { .. })));
    // Reopening each as itself works, and the store id survives.
    let a = Store::open_schema(&leases, Schema::Leases).unwrap();
    let id = a.read(entra_store::meta::store_id).unwrap();
    assert_eq!(id.len(), 32);
    drop(a);
    let b = Store::open_schema(&leases, Schema::Leases).unwrap();
    assert_eq!(b.read(entra_store::meta::store_id).unwrap(), id);
    let sync: i64 = b.read(|c| Ok(c.pragma_query_value(None, "synchronous", |r| r.get(0))?)).unwrap();
    assert_eq!(sync, 2, "the lease store is synchronous = FULL");
}
