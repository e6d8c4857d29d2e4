//! Writing the apps cache: a full sync ([`replace_all`]), a delta ([`upsert_objects`],
//! [`remove_objects`]), owners ([`set_owners`]) and [`clear`]. All take a `&Transaction`, so
//! the steps of one sync land together or not at all.

use super::{ObjectRow, OwnerRow, SyncCollection};
use crate::error::{Result, StoreError};
use crate::sql::{ts, ts_opt};
use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use std::collections::HashSet;

/// Stores the complete result of a full sync of `collection`: writes every object (and its
/// credentials) and deletes the cached objects of that type that are no longer there, with
/// their credentials and owners. Returns how many objects were deleted.
///
/// Every object must be of the collection's type. Owners of kept objects stay unless the
/// object carries `owners: Some(..)`.
pub fn replace_all(tx: &Transaction<'_>, collection: SyncCollection, objects: &[ObjectRow]) -> Result<usize> {
    let object_type = collection.object_type();
    if objects.iter().any(|o| o.object_type != object_type) {
        return Err(StoreError::Invalid(
            "replace_all was given an object of another collection",
        ));
    }
    let keep: HashSet<&str> = objects.iter().map(|o| o.id.as_str()).collect();
    let cached: Vec<String> = {
        let mut stmt = tx.prepare("SELECT id FROM directory_objects WHERE object_type = ?1")?;
        let ids = stmt.query_map([object_type.as_str()], |r| r.get(0))?;
        ids.collect::<rusqlite::Result<_>>()?
    };
    let gone: Vec<&String> = cached.iter().filter(|id| !keep.contains(id.as_str())).collect();
    let removed = remove_objects(tx, gone)?;
    upsert_objects(tx, objects)?;
    Ok(removed)
}

/// Inserts or updates objects from a delta sync, replacing each one's credentials (and its
/// owners when it carries `owners: Some(..)`). Returns how many objects were written.
///
/// An update keeps the stored owners: it never deletes the row, so nothing cascades.
pub fn upsert_objects(tx: &Transaction<'_>, objects: &[ObjectRow]) -> Result<usize> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO directory_objects (id, object_type, app_id, display_name, sign_in_audience, created,
             publisher_domain, service_principal_type, detail_json, synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (id) DO UPDATE SET
             object_type = excluded.object_type, app_id = excluded.app_id,
             display_name = excluded.display_name, sign_in_audience = excluded.sign_in_audience,
             created = excluded.created, publisher_domain = excluded.publisher_domain,
             service_principal_type = excluded.service_principal_type,
             detail_json = excluded.detail_json, synced_at = excluded.synced_at",
    )?;
    let mut drop_credentials = tx.prepare_cached("DELETE FROM credentials WHERE object_id = ?1")?;
    // OR REPLACE: if Graph ever lists one credential twice, keep the last rather than fail the sync.
    let mut insert_credential = tx.prepare_cached(
        "INSERT OR REPLACE INTO credentials (object_id, key_id, credential_type, usage, display_name,
             custom_key_identifier, hint, start_date_time, end_date_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for object in objects {
        if holds_secret_field(&object.detail) {
            return Err(StoreError::Invalid(
                "an object's detail has a field named like a secret (secretText, password, private key, token); strip it before caching",
            ));
        }
        upsert.execute(params![
            object.id,
            object.object_type.as_str(),
            object.app_id,
            object.display_name,
            object.sign_in_audience,
            ts_opt(&object.created),
            object.publisher_domain,
            object.service_principal_type,
            object.detail.to_string(),
            ts(&object.synced_at),
        ])?;
        drop_credentials.execute([&object.id])?;
        for c in &object.credentials {
            insert_credential.execute(params![
                object.id,
                c.key_id,
                c.credential_type.as_str(),
                c.usage.as_deref().unwrap_or(""), // see the `usage` column in 0001_apps.sql
                c.display_name,
                c.custom_key_identifier,
                c.hint,
                ts_opt(&c.start),
                ts_opt(&c.end),
            ])?;
        }
        if let Some(owners) = &object.owners {
            write_owners(
                tx,
                &object.id,
                owners,
                object.owners_loaded_at.unwrap_or(object.synced_at),
            )?;
        }
    }
    Ok(objects.len())
}

/// Deletes objects (a delta's `@removed` entries) with their credentials and owners.
/// Ids not in the cache are ignored. Returns how many objects were deleted.
pub fn remove_objects<I>(tx: &Transaction<'_>, ids: I) -> Result<usize>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    // ON DELETE CASCADE (foreign_keys=ON, set at open) removes credentials and owners.
    let mut delete = tx.prepare_cached("DELETE FROM directory_objects WHERE id = ?1")?;
    let mut removed = 0;
    for id in ids {
        removed += delete.execute([id.as_ref()])?;
    }
    Ok(removed)
}

/// Replaces an object's owners and marks them loaded now, so an empty list reads back as
/// "no owners" rather than "not loaded". Returns `false`, writing nothing, when the object
/// is not in the cache (a delta removed it while its owners were being fetched).
pub fn set_owners(tx: &Transaction<'_>, object_id: &str, owners: &[OwnerRow]) -> Result<bool> {
    write_owners(tx, object_id, owners, Utc::now())
}

fn write_owners(tx: &Transaction<'_>, object_id: &str, owners: &[OwnerRow], at: DateTime<Utc>) -> Result<bool> {
    let marked = tx
        .prepare_cached("UPDATE directory_objects SET owners_loaded_at = ?2 WHERE id = ?1")?
        .execute(params![object_id, ts(&at)])?;
    if marked == 0 {
        return Ok(false);
    }
    tx.prepare_cached("DELETE FROM owners WHERE object_id = ?1")?
        .execute([object_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO owners (object_id, owner_id, owner_type, display_name, user_principal_name, mail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for o in owners {
        insert.execute(params![
            object_id,
            o.owner_id,
            o.owner_type,
            o.display_name,
            o.user_principal_name,
            o.mail
        ])?;
    }
    Ok(true)
}

/// Empties the apps cache (objects, credentials, owners and both sync states), e.g. on
/// sign-out or when the user switches tenant. The store id is kept.
pub fn clear(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("DELETE FROM directory_objects; DELETE FROM sync_state;")?;
    Ok(())
}

/// A last guard on the way in: `detail` is the caller's JSON and the store does not interpret
/// it, but a field whose *name* is a secret's must never reach the disk. The list is narrower
/// than the column check's, because Graph's non-secret settings legitimately say "token"
/// (`optionalClaims.accessToken`, `tokenEncryptionKeyId`).
fn holds_secret_field(value: &serde_json::Value) -> bool {
    const NAMES: &[&str] = &[
        "secrettext",
        "secret",
        "clientsecret",
        "client_secret",
        "password",
        "privatekey",
        "private_key",
        "access_token",
        "refresh_token",
        "id_token",
        "refreshtoken",
        "client_assertion",
    ];
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| NAMES.contains(&k.to_ascii_lowercase().as_str()) || holds_secret_field(v)),
        serde_json::Value::Array(items) => items.iter().any(holds_secret_field),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::holds_secret_field;
    use serde_json::json;

    #[test]
    fn detail_guard_refuses_secret_names_and_allows_graph_settings() {
        assert!(holds_secret_field(
            &json!({"passwordCredentials": [{"secretText": "x"}]})
        ));
        assert!(holds_secret_field(&json!({"PrivateKey": "x"})));
        assert!(!holds_secret_field(&json!({
            "optionalClaims": {"accessToken": [], "idToken": []},
            "tokenEncryptionKeyId": null,
            "web": {"redirectUris": ["https://localhost"], "implicitGrantSettings": {"enableAccessTokenIssuance": false}}
        })));
    }
}
