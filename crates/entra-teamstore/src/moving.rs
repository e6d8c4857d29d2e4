//! `entractl lease migrate` on the team store's side: everything it holds read in one moment
//! ([`export`]), an empty store filled with another's contents, store ID and audit lines (seq and
//! hash) included ([`import`]), so a store moves between SQLite and PostgreSQL unchanged.

use crate::address::TeamStoreAddress;
use crate::audit::{chained_lines, insert_verbatim, set_head};
use crate::errors::query_error;
use crate::leases::{definition_params, definitions, get, insert_lease, query_leases, refs, DEFINITION_COLUMNS, LEASE_COLUMNS};
use entra_core::leases::store::StoreSnapshot;
use entra_core::{Error, ErrorCode, Result};
use tokio_postgres::Transaction;

/// The store's ID.
pub(crate) async fn store_id<C: tokio_postgres::GenericClient>(c: &C, at: &TeamStoreAddress) -> Result<String> {
    let row = c.query_opt("SELECT value FROM meta WHERE key = 'store_id'", &[]).await.map_err(|e| query_error(e, at))?;
    match row {
        Some(row) => get(&row, 0, "meta.value"),
        None => Err(Error::storage(format!(
            "The team lease store at {} has lost its store ID (meta.store_id): restore the database from a backup; do not \
             run init again over it, which would not bring the same ID back",
            at.location()
        ))),
    }
}

/// Everything the store holds, read in `tx` (a REPEATABLE READ snapshot).
pub(crate) async fn export(tx: &Transaction<'_>, at: &TeamStoreAddress) -> Result<StoreSnapshot> {
    Ok(StoreSnapshot {
        store_id: store_id(tx, at).await?,
        definitions: definitions(tx, at).await?,
        leases: query_leases(tx, at, &format!("SELECT {LEASE_COLUMNS} FROM leases ORDER BY issued_at, id COLLATE \"C\""), &[]).await?,
        audit: chained_lines(tx, at).await?,
    })
}

/// The refusal of a store that is not empty: the same words as the SQLite adapter's.
pub(crate) fn not_empty() -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        "The destination lease store is not empty (it holds definitions, leases or audit lines), so nothing was moved: \
         migrate into a new, empty store; a store that was already migrated to is never filled twice",
    )
}

/// Fills this empty store with `s` in `tx`; refuses (changing nothing) when it holds anything.
pub(crate) async fn import(tx: &Transaction<'_>, at: &TeamStoreAddress, s: &StoreSnapshot) -> Result<()> {
    let sql = |e| query_error(e, at);
    // The head first: no member appends a line between the emptiness check and the copy.
    tx.execute("SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE", &[]).await.map_err(sql)?;
    let held: i64 = tx
        .query_one(
            "SELECT (SELECT count(*) FROM lease_definitions) + (SELECT count(*) FROM leases) + (SELECT count(*) FROM audit_log)",
            &[],
        )
        .await
        .map_err(sql)?
        .get(0);
    if held > 0 {
        return Err(not_empty());
    }
    tx.execute("UPDATE meta SET value = $1 WHERE key = 'store_id'", &[&s.store_id]).await.map_err(sql)?;
    let insert = format!("INSERT INTO lease_definitions ({DEFINITION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
    for d in &s.definitions {
        tx.execute(&insert, &refs(&definition_params(d)?)).await.map_err(sql)?;
    }
    for stored in &s.leases {
        let l = &stored.lease;
        // The SQLite adapter's choice for a moved lease's last write: its last known event.
        let updated_at = l.ended_at.or(l.renewed_at).unwrap_or(l.issued_at);
        insert_lease(tx, at, l, stored.owner.as_deref(), stored.version, &updated_at).await?;
    }
    // The lines as they are, hashes included: the chain goes on from the last one.
    for line in &s.audit {
        insert_verbatim(tx, at, line).await?;
    }
    if let Some(last) = s.audit.last() {
        set_head(tx, at, last.seq, last.hash.as_deref()).await?;
    }
    Ok(())
}
