//! The audit log: appending a line chained to the last one ([`append`]), reading it back for the
//! screen ([`entries`], [`entry`]: with the database user that wrote each line) and as stored for
//! the core's verifier ([`chained_lines`]), and copying a moved store's lines in verbatim
//! ([`insert_verbatim`]).
//!
//! # One order across every member
//! Every append first locks `audit_head`'s one row (`SELECT … FOR UPDATE`), in the transaction of
//! the change it logs, and holds it to the commit. The next append waits for that lock, and its
//! read of the last line (a new statement, so a new snapshot under READ COMMITTED) sees the line
//! just committed: seq numbers follow commit order with no gap and each hash follows the one
//! before, whichever member wrote it. The last line is read from the log itself; the head row
//! keeps a copy of its seq and hash for a quick look, but the log is the truth.

use crate::address::TeamStoreAddress;
use crate::errors::{query_error, unknown};
use crate::leases::get;
use entra_core::leases::store::chain::ChainedLine;
use entra_core::leases::{AuditAction, AuditEntry, AuditLine};
use entra_core::{Error, Result};
use entra_store::leases::parse_time;
use tokio_postgres::GenericClient;

/// The columns of a line as stored, `seq` to `hash`.
const LINE_COLUMNS: &str = "seq, at, action, lease_id, definition, target, actor, detail, request_id, hash";

/// Appends `line` after the log's last line (see the module doc). Runs inside the caller's write
/// transaction, whose commit releases the head.
pub(crate) async fn append<C: GenericClient>(c: &C, at: &TeamStoreAddress, line: &AuditLine) -> Result<()> {
    let sql = |e| query_error(e, at);
    c.execute("SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE", &[]).await.map_err(sql)?;
    let last = c.query_opt("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &[]).await.map_err(sql)?;
    let (last_seq, previous): (i64, Option<String>) = match &last {
        Some(row) => (get(row, 0, "audit_log.seq")?, get(row, 1, "audit_log.hash")?),
        None => (0, None),
    };
    let seq = last_seq
        .checked_add(1)
        .ok_or_else(|| Error::storage("The team lease store's audit log is at its last sequence number: report this"))?;
    let chained = ChainedLine::next(seq, previous.as_deref(), line);
    insert_verbatim(c, at, &chained).await?;
    set_head(c, at, seq, chained.hash.as_deref()).await
}

/// Inserts `l` as it is (seq and hash included): an appended line, or a moved store's.
pub(crate) async fn insert_verbatim<C: GenericClient>(c: &C, at: &TeamStoreAddress, l: &ChainedLine) -> Result<()> {
    c.execute(
        &format!("INSERT INTO audit_log ({LINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
        &[&l.seq, &l.at, &l.action, &l.lease_id, &l.definition, &l.target, &l.actor, &l.detail, &l.request_id, &l.hash],
    )
    .await
    .map_err(|e| query_error(e, at))?;
    Ok(())
}

/// Records the log's last line in the head row.
pub(crate) async fn set_head<C: GenericClient>(c: &C, at: &TeamStoreAddress, seq: i64, hash: Option<&str>) -> Result<()> {
    c.execute("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", &[&seq, &hash]).await.map_err(|e| query_error(e, at))?;
    Ok(())
}

/// The columns [`entry`] reads, in its order.
pub(crate) const ENTRY_COLUMNS: &str = "seq, at, action, lease_id, definition, target, actor, detail, request_id, database_user";

/// The newest `limit` lines (all when `None`), newest first, each with the database user that wrote it.
pub(crate) async fn entries<C: GenericClient>(c: &C, at: &TeamStoreAddress, limit: Option<usize>) -> Result<Vec<AuditEntry>> {
    let limit = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1");
    let rows = c.query(&sql, &[&limit]).await.map_err(|e| query_error(e, at))?;
    rows.iter().map(entry).collect()
}

/// The line read by `SELECT {ENTRY_COLUMNS}`, with the database user that wrote it.
pub(crate) fn entry(r: &tokio_postgres::Row) -> Result<AuditEntry> {
    let (when, action): (String, String) = (get(r, 1, "audit_log.at")?, get(r, 2, "audit_log.action")?);
    Ok(AuditEntry {
        seq: get(r, 0, "audit_log.seq")?,
        database_user: get(r, 9, "audit_log.database_user")?,
        line: AuditLine {
            at: parse_time(&when).ok_or_else(|| unknown("time in audit_log.at"))?,
            // An action written by a newer version reads as "reconciled" rather than failing the
            // whole log (as in the SQLite adapter): the detail still says what happened.
            action: AuditAction::parse(&action).unwrap_or(AuditAction::Reconciled),
            lease_id: get(r, 3, "audit_log.lease_id")?,
            definition: get(r, 4, "audit_log.definition")?,
            target: get(r, 5, "audit_log.target")?,
            actor: get(r, 6, "audit_log.actor")?,
            detail: get(r, 7, "audit_log.detail")?,
            request_id: get(r, 8, "audit_log.request_id")?,
        },
    })
}

/// Every line, oldest first, as stored.
pub(crate) async fn chained_lines<C: GenericClient>(c: &C, at: &TeamStoreAddress) -> Result<Vec<ChainedLine>> {
    let rows = c.query(&format!("SELECT {LINE_COLUMNS} FROM audit_log ORDER BY seq"), &[]).await.map_err(|e| query_error(e, at))?;
    rows.iter()
        .map(|r| {
            Ok(ChainedLine {
                seq: get(r, 0, "audit_log.seq")?,
                at: get(r, 1, "audit_log.at")?,
                action: get(r, 2, "audit_log.action")?,
                lease_id: get(r, 3, "audit_log.lease_id")?,
                definition: get(r, 4, "audit_log.definition")?,
                target: get(r, 5, "audit_log.target")?,
                actor: get(r, 6, "audit_log.actor")?,
                detail: get(r, 7, "audit_log.detail")?,
                request_id: get(r, 8, "audit_log.request_id")?,
                hash: get(r, 9, "audit_log.hash")?,
            })
        })
        .collect()
}
