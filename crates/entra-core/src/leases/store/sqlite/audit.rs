//! The SQLite adapter's audit log: each line appended with the next seq and its hash
//! ([`super::super::chain`]), lines read back for the screen ([`entry`]), and the whole log read
//! back as stored for the core's verifier. Its own file because the adapter's is near the size
//! limit.

use super::time;
use crate::leases::store::chain::ChainedLine;
use crate::leases::types::{AuditAction, AuditEntry, AuditLine};
use crate::Result;
use entra_store::rusqlite::types::ValueRef;
use entra_store::rusqlite::{self, params, Connection, OptionalExtension, Row};
use entra_store::StoreError;

/// The columns [`entry`] reads, in its order.
pub(super) const ENTRY_COLUMNS: &str = "seq, at, action, lease_id, definition, target, actor, detail, request_id";

/// The line read by `SELECT {ENTRY_COLUMNS}`: what SQLite could not read fails the query, a
/// time this version cannot read is the inner error.
pub(super) fn entry(r: &Row<'_>) -> rusqlite::Result<Result<AuditEntry>> {
    let (seq, at, action): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
    let (lease_id, definition, target, actor, detail, request_id) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
    Ok(time(&at, "audit_log.at").map(|at| AuditEntry {
        seq,
        database_user: None,
        line: AuditLine {
            at,
            // An action written by a newer version reads as "reconciled" rather than failing
            // the whole log: the detail still says what happened.
            action: AuditAction::parse(&action).unwrap_or(AuditAction::Reconciled),
            lease_id,
            definition,
            target,
            actor,
            detail,
            request_id,
        },
    }))
}

/// The newest `limit` lines (every line when negative), newest first.
pub(super) fn entries(conn: &Connection, limit: i64) -> entra_store::Result<Result<Vec<AuditEntry>>> {
    let mut stmt = conn.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], entry)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().collect())
}

/// Appends `a`, chained to the log's last line. The caller's write transaction (IMMEDIATE: no
/// other writer between the read and the insert) makes the read of the last line and the
/// insert one step. The seq is given explicitly: the hash covers it, so it must be known
/// before the insert (0003's trigger refuses only a seq that exists).
pub(super) fn append(conn: &Connection, a: &AuditLine) -> entra_store::Result<()> {
    let last: Option<(i64, Option<String>)> =
        conn.query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let (last_seq, previous) = last.unwrap_or((0, None));
    let seq = last_seq.checked_add(1).ok_or(StoreError::Invalid("an audit line past the last sequence number"))?;
    let l = ChainedLine::next(seq, previous.as_deref(), a);
    conn.execute(
        "INSERT INTO audit_log (seq, at, action, lease_id, definition, target, actor, detail, request_id, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![l.seq, l.at, l.action, l.lease_id, l.definition, l.target, l.actor, l.detail, l.request_id, l.hash],
    )?;
    Ok(())
}

/// Every line, oldest first, as stored. A value of the wrong type or not UTF-8 (only an edit of
/// the file can put one there) is read as text too, so the verifier names its line instead of
/// the whole read failing.
pub(super) fn chained_lines(conn: &Connection) -> entra_store::Result<Vec<ChainedLine>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, action, lease_id, definition, target, actor, detail, request_id, hash FROM audit_log ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        let t = |i| text(r.get_ref(i)?);
        Ok(ChainedLine {
            seq: r.get(0)?,
            at: t(1)?.unwrap_or_default(),
            action: t(2)?.unwrap_or_default(),
            lease_id: t(3)?,
            definition: t(4)?,
            target: t(5)?,
            actor: t(6)?.unwrap_or_default(),
            detail: t(7)?.unwrap_or_default(),
            request_id: t(8)?,
            hash: t(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn text(value: ValueRef<'_>) -> rusqlite::Result<Option<String>> {
    Ok(match value {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Blob(b) => Some(format!("x'{}'", hex::encode(b))),
    })
}
