//! `entractl lease migrate` on the SQLite side: the whole store read out in one read
//! transaction ([`export`]), an empty store filled with another's contents ([`import`]), and
//! the mark that a store's leases moved elsewhere ([`moved_to`], [`set_moved_to`]).

use super::audit::{append, chained_lines};
use super::{definition, definition_params, lease_params, query_leases, secs, DEFINITION_COLUMNS, LEASE_COLUMNS};
use crate::leases::store::StoreSnapshot;
use crate::leases::types::AuditLine;
use crate::{Error, ErrorCode, Result};
use entra_store::leases::time_text;
use entra_store::rusqlite::{self, params, Connection, OptionalExtension};

/// Everything the store holds, as stored.
pub(super) fn export(c: &Connection) -> entra_store::Result<Result<StoreSnapshot>> {
    let store_id = entra_store::meta::store_id(c)?;
    let mut stmt = c.prepare(&format!("SELECT {DEFINITION_COLUMNS} FROM lease_definitions ORDER BY name"))?;
    let definitions: Result<Vec<_>> = stmt.query_map([], definition)?.collect::<rusqlite::Result<Vec<_>>>()?.into_iter().collect();
    let leases = query_leases(c, &format!("SELECT {LEASE_COLUMNS} FROM leases ORDER BY issued_at, id"), [])?;
    let audit = chained_lines(c)?;
    Ok((|| Ok(StoreSnapshot { store_id, definitions: definitions?, leases: leases?, audit }))())
}

/// Fills this empty store with `s`; refuses (changing nothing) when it holds anything.
pub(super) fn import(tx: &Connection, s: &StoreSnapshot) -> entra_store::Result<Result<()>> {
    let held: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM lease_definitions) + (SELECT count(*) FROM leases) + (SELECT count(*) FROM audit_log)",
        [],
        |r| r.get(0),
    )?;
    if held > 0 {
        return Ok(Err(not_empty()));
    }
    tx.execute("UPDATE meta SET value = ?1 WHERE key = 'store_id'", [&s.store_id])?;
    for d in &s.definitions {
        tx.execute(
            &format!("INSERT INTO lease_definitions ({DEFINITION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
            rusqlite::params_from_iter(definition_params(d)?.iter().map(|b| b.as_ref())),
        )?;
    }
    for stored in &s.leases {
        let l = &stored.lease;
        let mut p = lease_params(l, stored.owner.as_deref());
        p.push(Box::new(secs(stored.version)?));
        p.push(Box::new(l.tenant.as_ref().map(|t| t.tenant_id.clone())));
        p.push(Box::new(l.tenant.as_ref().map(|t| t.authority.clone())));
        p.push(Box::new(l.issued_by.clone()));
        p.push(Box::new(time_text(&l.ended_at.or(l.renewed_at).unwrap_or(l.issued_at))));
        tx.execute(
            &format!(
                "INSERT INTO leases ({LEASE_COLUMNS}, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
            ),
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
        )?;
    }
    // The lines as they are, hashes included: the chain goes on from the last one.
    for l in &s.audit {
        tx.execute(
            "INSERT INTO audit_log (seq, at, action, lease_id, definition, target, actor, detail, request_id, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![l.seq, l.at, l.action, l.lease_id, l.definition, l.target, l.actor, l.detail, l.request_id, l.hash],
        )?;
    }
    Ok(Ok(()))
}

/// The refusal of a store that is not empty, shared by every adapter's `import`.
pub(crate) fn not_empty() -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        "The destination lease store is not empty (it holds definitions, leases or audit lines), so nothing was moved: \
         migrate into a new, empty store; a store that was already migrated to is never filled twice",
    )
}

/// Where this store's leases moved, if they did.
pub(super) fn moved_to(c: &Connection) -> entra_store::Result<Option<String>> {
    Ok(c.query_row("SELECT value FROM meta WHERE key = 'moved_to'", [], |r| r.get(0)).optional()?)
}

/// Records that this store's leases moved to `destination`.
pub(super) fn set_moved_to(tx: &Connection, destination: &str, audit: &AuditLine) -> entra_store::Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('moved_to', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [destination],
    )?;
    append(tx, audit)
}
