//! The lease store: intents and commits, the status guard, the append-only audit log, and
//! that a lease store and a cache can never be opened as each other.

use chrono::{Duration, TimeZone, Utc};
use entra_store::leases::{DefinitionRow, LeaseRow, LeaseStore, NewAudit, SqliteLeaseStore};
use entra_store::{Schema, Store, StoreError};

fn audit(action: &str, lease: Option<&str>) -> NewAudit {
    NewAudit {
        at: Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap(),
        action: action.into(),
        lease_id: lease.map(str::to_string),
        definition: Some("ci".into()),
        target: Some("app-1".into()),
        actor: "admin@contoso.test".into(),
        detail: format!("{action} for a test"),
        request_id: Some("req-1".into()),
    }
}

fn lease(id: &str, status: &str) -> LeaseRow {
    let issued = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
    LeaseRow {
        id: id.into(),
        definition: "ci".into(),
        kind: "app-secret".into(),
        target: "app-1".into(),
        status: status.into(),
        issued_at: issued,
        expires_at: issued + Duration::hours(1),
        max_expires_at: issued + Duration::hours(24),
        renewed_at: None,
        ended_at: None,
        key_id: None,
        hint: None,
        marker: Some(format!("entra-desk:abc:{id}")),
        revoke_attempts: 0,
        next_attempt_at: None,
        last_error: None,
        note: None,
        owner: Some("host:1".into()),
    }
}

#[tokio::test]
async fn an_intent_is_committed_once_and_the_log_follows_the_table() {
    let store = SqliteLeaseStore::open_in_memory().unwrap();
    let id = store.store_id().await.unwrap();
    assert_eq!(id.len(), 32);
    store.insert_lease(&lease("l1", "pending"), &audit("intent", Some("l1"))).await.unwrap();
    let mut active = lease("l1", "active");
    active.key_id = Some("key-1".into());
    assert!(store.update_lease(&active, "pending", Some(&audit("issued", Some("l1")))).await.unwrap());
    // A second writer that still believes the lease is pending changes nothing, and logs nothing.
    assert!(!store.update_lease(&lease("l1", "abandoned"), "pending", Some(&audit("reconciled", Some("l1")))).await.unwrap());
    assert_eq!(store.lease("l1").await.unwrap().unwrap(), active);
    let log = store.audit(None).await.unwrap();
    assert_eq!(log.iter().map(|a| a.entry.action.as_str()).collect::<Vec<_>>(), ["issued", "intent"]);
    assert!(log[0].seq > log[1].seq);
    assert_eq!(store.audit(Some(1)).await.unwrap().len(), 1);
    assert_eq!(store.leases_with_status(&["active", "revoke-failed"]).await.unwrap().len(), 1);
    assert!(store.leases_with_status(&["pending"]).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let store = SqliteLeaseStore::open_in_memory().unwrap();
    store.append_audit(&audit("issued", Some("l1"))).await.unwrap();
    for sql in ["UPDATE audit_log SET detail = 'rewritten'", "DELETE FROM audit_log"] {
        let err = store.store().write(|tx| Ok(tx.execute(sql, [])?)).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(store.audit(None).await.unwrap()[0].entry.detail, "issued for a test");
}

#[tokio::test]
async fn definitions_are_unique_by_name_and_keep_their_durations() {
    let store = SqliteLeaseStore::open_in_memory().unwrap();
    let def = DefinitionRow {
        name: "ci".into(),
        kind: "app-secret".into(),
        target: "app-1".into(),
        target_name: Some("CI app".into()),
        client_id: None,
        ttl_secs: 3600,
        max_ttl_secs: 7 * 86400,
        created_at: Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap(),
    };
    assert!(store.insert_definition(&def, &audit("defined", None)).await.unwrap());
    assert!(!store.insert_definition(&def, &audit("defined", None)).await.unwrap());
    assert_eq!(store.definition("ci").await.unwrap().unwrap(), def);
    assert_eq!(store.audit(None).await.unwrap().len(), 1, "a refused definition is not logged");
    // The schema refuses a max TTL below the TTL even if a caller forgot to check.
    let bad = DefinitionRow { name: "bad".into(), max_ttl_secs: 60, ..def.clone() };
    assert!(store.insert_definition(&bad, &audit("defined", None)).await.is_err());
    assert!(store.delete_definition("ci", &audit("undefined", None)).await.unwrap());
    assert!(!store.delete_definition("ci", &audit("undefined", None)).await.unwrap());
}

#[tokio::test]
async fn maintenance_keeps_the_last_reconciliation_time() {
    let store = SqliteLeaseStore::open_in_memory().unwrap();
    assert!(store.maintenance().await.unwrap().is_none());
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
    store.set_maintenance("{\"a\":1}", Some(at)).await.unwrap();
    store.set_maintenance("{\"a\":2}", None).await.unwrap();
    assert_eq!(store.maintenance().await.unwrap().unwrap(), ("{\"a\":2}".to_string(), Some(at)));
}

#[test]
fn a_lease_store_and_a_cache_cannot_be_opened_as_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let leases = dir.path().join("leases.sqlite");
    let cache = dir.path().join("cache.sqlite");
    drop(SqliteLeaseStore::open(&leases).unwrap());
    drop(Store::open(&cache).unwrap());
    assert!(matches!(Store::open(&leases), Err(StoreError::ForeignDatabase { .. })));
    assert!(matches!(Store::open_schema(&cache, Schema::Leases), Err(StoreError::ForeignDatabase { .. })));
    // Reopening each as itself works, and the store id survives.
    let a = SqliteLeaseStore::open(&leases).unwrap();
    let id = a.store().read(entra_store::meta::store_id).unwrap();
    drop(a);
    let b = SqliteLeaseStore::open(&leases).unwrap();
    assert_eq!(b.store().read(entra_store::meta::store_id).unwrap(), id);
    let sync: i64 = b.store().read(|c| Ok(c.pragma_query_value(None, "synchronous", |r| r.get(0))?)).unwrap();
    assert_eq!(sync, 2, "the lease store is synchronous = FULL");
}
