//! The lease store: lease definitions, leases and the append-only audit log, in their own
//! file (`leases.sqlite`, [`Schema::Leases`]).
//!
//! Callers see only the [`LeaseStore`] trait, so a shared store (PostgreSQL: several admins,
//! one truth) can take SQLite's place without touching them. The trait is async and speaks in
//! plain rows; [`SqliteLeaseStore`] is the embedded implementation, running each call in
//! `spawn_blocking` on its own connection. Every method that changes a lease takes the audit
//! line that goes with it and writes both in one transaction: the log never says something
//! happened that the lease table does not show, nor the other way round.
//!
//! Kinds, statuses and actions are the core's kebab-case names; this crate checks them only
//! through the schema's CHECK constraints.

use crate::error::{Result, StoreError};
use crate::migrate::Schema;
use crate::sql::{parse_ts, parse_ts_opt, ts, ts_opt};
use crate::Store;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::Path;

/// A stored lease definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionRow {
    /// Unique name.
    pub name: String,
    /// `app-secret`, `user-password` or `access-token`.
    pub kind: String,
    /// Object ID or scope.
    pub target: String,
    /// The target's display name, when known.
    pub target_name: Option<String>,
    /// Access-token: the client ID.
    pub client_id: Option<String>,
    /// Default TTL, seconds.
    pub ttl_secs: u64,
    /// Max TTL, seconds.
    pub max_ttl_secs: u64,
    /// When it was defined.
    pub created_at: DateTime<Utc>,
}

/// A stored lease (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    /// Lease ID.
    pub id: String,
    /// Its definition's name.
    pub definition: String,
    /// Kind (kebab-case).
    pub kind: String,
    /// Object ID or scope.
    pub target: String,
    /// Status (kebab-case).
    pub status: String,
    /// Issue (or intent) time.
    pub issued_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// Issue time + max TTL.
    pub max_expires_at: DateTime<Utc>,
    /// Last renewal.
    pub renewed_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// App-secret: key ID.
    pub key_id: Option<String>,
    /// App-secret: the first characters Graph shows.
    pub hint: Option<String>,
    /// App-secret: the credential's display name.
    pub marker: Option<String>,
    /// Failed revocation attempts.
    pub revoke_attempts: u32,
    /// Next revocation attempt.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_error: Option<String>,
    /// A remark.
    pub note: Option<String>,
    /// The process (`host:pid`) issuing or revoking it, while it does.
    pub owner: Option<String>,
}

/// An audit line to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    /// When.
    pub at: DateTime<Utc>,
    /// What (kebab-case action).
    pub action: String,
    /// The lease, if any.
    pub lease_id: Option<String>,
    /// The definition, if any.
    pub definition: Option<String>,
    /// The target, if any.
    pub target: Option<String>,
    /// Who.
    pub actor: String,
    /// In words; never a secret.
    pub detail: String,
    /// Graph's request-id.
    pub request_id: Option<String>,
}

/// A stored audit line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Position in the log.
    pub seq: i64,
    /// The line.
    pub entry: NewAudit,
}

/// Where leases are kept. See the module doc; every method is one transaction.
#[async_trait::async_trait]
pub trait LeaseStore: Send + Sync + std::fmt::Debug {
    /// This store's ID (the middle of every marker).
    async fn store_id(&self) -> Result<String>;
    /// Adds a definition; `Ok(false)` when the name is taken (nothing written).
    async fn insert_definition(&self, definition: &DefinitionRow, audit: &NewAudit) -> Result<bool>;
    /// Every definition, by name.
    async fn definitions(&self) -> Result<Vec<DefinitionRow>>;
    /// One definition.
    async fn definition(&self, name: &str) -> Result<Option<DefinitionRow>>;
    /// Removes a definition; `Ok(false)` when there was none.
    async fn delete_definition(&self, name: &str, audit: &NewAudit) -> Result<bool>;
    /// Records a new lease (an intent: status `pending`); fails if the ID exists.
    async fn insert_lease(&self, lease: &LeaseRow, audit: &NewAudit) -> Result<()>;
    /// Replaces a lease's row by its ID, with its audit line (if any). `Ok(false)` when the
    /// lease's status was no longer `expected_status` (someone else moved it first): nothing
    /// written.
    async fn update_lease(&self, lease: &LeaseRow, expected_status: &str, audit: Option<&NewAudit>) -> Result<bool>;
    /// One lease.
    async fn lease(&self, id: &str) -> Result<Option<LeaseRow>>;
    /// Every lease, newest first.
    async fn leases(&self) -> Result<Vec<LeaseRow>>;
    /// Leases in any of `statuses`, oldest expiry first.
    async fn leases_with_status(&self, statuses: &[&str]) -> Result<Vec<LeaseRow>>;
    /// Appends an audit line.
    async fn append_audit(&self, audit: &NewAudit) -> Result<()>;
    /// The newest `limit` audit lines (all when `None`), newest first.
    async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditRow>>;
    /// Saves the last maintenance run (opaque JSON) and, when it reconciled, when.
    async fn set_maintenance(&self, report_json: &str, reconciled_at: Option<DateTime<Utc>>) -> Result<()>;
    /// The last maintenance run and the last reconciliation's time.
    async fn maintenance(&self) -> Result<Option<(String, Option<DateTime<Utc>>)>>;
}

/// The embedded lease store: `leases.sqlite`, WAL, `synchronous = FULL`.
#[derive(Debug, Clone)]
pub struct SqliteLeaseStore {
    store: Store,
}

impl SqliteLeaseStore {
    /// Opens (or creates) the lease store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLeaseStore> {
        Ok(SqliteLeaseStore { store: Store::open_schema(path, Schema::Leases)? })
    }

    /// A fresh in-memory lease store (tests).
    pub fn open_in_memory() -> Result<SqliteLeaseStore> {
        Ok(SqliteLeaseStore { store: Store::open_in_memory_schema(Schema::Leases)? })
    }

    /// The underlying store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> Result<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|_| StoreError::Invalid("a lease store task was cancelled or panicked"))?
    }
}

const LEASE_COLUMNS: &str = "id, definition, kind, target, status, issued_at, expires_at, max_expires_at, renewed_at, \
     ended_at, key_id, hint, marker, revoke_attempts, next_attempt_at, last_error, note, owner";

fn lease_from_row(r: &Row<'_>) -> rusqlite::Result<Result<LeaseRow>> {
    let issued: String = r.get(5)?;
    let expires: String = r.get(6)?;
    let max: String = r.get(7)?;
    let renewed: Option<String> = r.get(8)?;
    let ended: Option<String> = r.get(9)?;
    let next: Option<String> = r.get(14)?;
    let (id, definition, kind, target, status) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
    let (key_id, hint, marker) = (r.get(10)?, r.get(11)?, r.get(12)?);
    let revoke_attempts: u32 = r.get(13)?;
    let (last_error, note, owner) = (r.get(15)?, r.get(16)?, r.get(17)?);
    Ok((|| {
        Ok(LeaseRow {
            id,
            definition,
            kind,
            target,
            status,
            issued_at: parse_ts(&issued, "leases", "issued_at")?,
            expires_at: parse_ts(&expires, "leases", "expires_at")?,
            max_expires_at: parse_ts(&max, "leases", "max_expires_at")?,
            renewed_at: parse_ts_opt(renewed, "leases", "renewed_at")?,
            ended_at: parse_ts_opt(ended, "leases", "ended_at")?,
            key_id,
            hint,
            marker,
            revoke_attempts,
            next_attempt_at: parse_ts_opt(next, "leases", "next_attempt_at")?,
            last_error,
            note,
            owner,
        })
    })())
}

fn query_leases(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<LeaseRow>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, lease_from_row)?;
    rows.map(|r| r.map_err(StoreError::from).and_then(|r| r)).collect()
}

fn definition_from_row(r: &Row<'_>) -> rusqlite::Result<Result<DefinitionRow>> {
    let created: String = r.get(7)?;
    let ttl: i64 = r.get(5)?;
    let max: i64 = r.get(6)?;
    let (name, kind, target, target_name, client_id) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
    Ok((|| {
        Ok(DefinitionRow {
            name,
            kind,
            target,
            target_name,
            client_id,
            ttl_secs: u64::try_from(ttl).map_err(|_| StoreError::Decode { table: "lease_definitions", column: "ttl_secs" })?,
            max_ttl_secs: u64::try_from(max)
                .map_err(|_| StoreError::Decode { table: "lease_definitions", column: "max_ttl_secs" })?,
            created_at: parse_ts(&created, "lease_definitions", "created_at")?,
        })
    })())
}

const DEFINITION_COLUMNS: &str = "name, kind, target, target_name, client_id, ttl_secs, max_ttl_secs, created_at";

fn secs(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Invalid("a duration too long to store"))
}

fn append(conn: &Connection, a: &NewAudit) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, action, lease_id, definition, target, actor, detail, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![ts(&a.at), a.action, a.lease_id, a.definition, a.target, a.actor, a.detail, a.request_id],
    )?;
    Ok(())
}

fn lease_params(l: &LeaseRow, now: &DateTime<Utc>) -> Vec<Box<dyn rusqlite::ToSql>> {
    vec![
        Box::new(l.id.clone()),
        Box::new(l.definition.clone()),
        Box::new(l.kind.clone()),
        Box::new(l.target.clone()),
        Box::new(l.status.clone()),
        Box::new(ts(&l.issued_at)),
        Box::new(ts(&l.expires_at)),
        Box::new(ts(&l.max_expires_at)),
        Box::new(ts_opt(&l.renewed_at)),
        Box::new(ts_opt(&l.ended_at)),
        Box::new(l.key_id.clone()),
        Box::new(l.hint.clone()),
        Box::new(l.marker.clone()),
        Box::new(l.revoke_attempts),
        Box::new(ts_opt(&l.next_attempt_at)),
        Box::new(l.last_error.clone()),
        Box::new(l.note.clone()),
        Box::new(l.owner.clone()),
        Box::new(ts(now)),
    ]
}

#[async_trait::async_trait]
impl LeaseStore for SqliteLeaseStore {
    async fn store_id(&self) -> Result<String> {
        self.run(|s| s.read(crate::meta::store_id)).await
    }

    async fn insert_definition(&self, d: &DefinitionRow, audit: &NewAudit) -> Result<bool> {
        let (d, audit) = (d.clone(), audit.clone());
        self.run(move |s| {
            s.write(|tx| {
                let added = tx.execute(
                    // ON CONFLICT, not OR IGNORE: only a taken name is ignored, a CHECK still fails.
                    &format!(
                        "INSERT INTO lease_definitions ({DEFINITION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                         ON CONFLICT (name) DO NOTHING"
                    ),
                    params![d.name, d.kind, d.target, d.target_name, d.client_id, secs(d.ttl_secs)?, secs(d.max_ttl_secs)?, ts(&d.created_at)],
                )?;
                if added == 1 {
                    append(tx, &audit)?;
                }
                Ok(added == 1)
            })
        })
        .await
    }

    async fn definitions(&self) -> Result<Vec<DefinitionRow>> {
        self.run(|s| {
            s.read(|c| {
                let mut stmt = c.prepare(&format!("SELECT {DEFINITION_COLUMNS} FROM lease_definitions ORDER BY name"))?;
                let rows = stmt.query_map([], definition_from_row)?;
                rows.map(|r| r.map_err(StoreError::from).and_then(|r| r)).collect()
            })
        })
        .await
    }

    async fn definition(&self, name: &str) -> Result<Option<DefinitionRow>> {
        let name = name.to_string();
        self.run(move |s| {
            s.read(|c| {
                c.query_row(
                    &format!("SELECT {DEFINITION_COLUMNS} FROM lease_definitions WHERE name = ?1"),
                    [name],
                    definition_from_row,
                )
                .optional()?
                .transpose()
            })
        })
        .await
    }

    async fn delete_definition(&self, name: &str, audit: &NewAudit) -> Result<bool> {
        let (name, audit) = (name.to_string(), audit.clone());
        self.run(move |s| {
            s.write(|tx| {
                let gone = tx.execute("DELETE FROM lease_definitions WHERE name = ?1", [name])? == 1;
                if gone {
                    append(tx, &audit)?;
                }
                Ok(gone)
            })
        })
        .await
    }

    async fn insert_lease(&self, lease: &LeaseRow, audit: &NewAudit) -> Result<()> {
        let (lease, audit) = (lease.clone(), audit.clone());
        self.run(move |s| {
            s.write(|tx| {
                let p = lease_params(&lease, &audit.at);
                tx.execute(
                    &format!(
                        "INSERT INTO leases ({LEASE_COLUMNS}, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
                    ),
                    rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
                )?;
                append(tx, &audit)
            })
        })
        .await
    }

    async fn update_lease(&self, lease: &LeaseRow, expected_status: &str, audit: Option<&NewAudit>) -> Result<bool> {
        let (lease, expected, audit) = (lease.clone(), expected_status.to_string(), audit.cloned());
        self.run(move |s| {
            s.write(|tx| {
                let now = audit.as_ref().map(|a| a.at).unwrap_or_else(Utc::now);
                let mut p = lease_params(&lease, &now);
                p.push(Box::new(expected));
                let changed = tx.execute(
                    "UPDATE leases SET definition = ?2, kind = ?3, target = ?4, status = ?5, issued_at = ?6,
                         expires_at = ?7, max_expires_at = ?8, renewed_at = ?9, ended_at = ?10, key_id = ?11,
                         hint = ?12, marker = ?13, revoke_attempts = ?14, next_attempt_at = ?15,
                         last_error = ?16, note = ?17, owner = ?18, updated_at = ?19
                     WHERE id = ?1 AND status = ?20",
                    rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
                )? == 1;
                if changed {
                    if let Some(a) = &audit {
                        append(tx, a)?;
                    }
                }
                Ok(changed)
            })
        })
        .await
    }

    async fn lease(&self, id: &str) -> Result<Option<LeaseRow>> {
        let id = id.to_string();
        self.run(move |s| {
            s.read(|c| Ok(query_leases(c, &format!("SELECT {LEASE_COLUMNS} FROM leases WHERE id = ?1"), [id])?.pop()))
        })
        .await
    }

    async fn leases(&self) -> Result<Vec<LeaseRow>> {
        self.run(|s| s.read(|c| query_leases(c, &format!("SELECT {LEASE_COLUMNS} FROM leases ORDER BY issued_at DESC, id"), [])))
            .await
    }

    async fn leases_with_status(&self, statuses: &[&str]) -> Result<Vec<LeaseRow>> {
        let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
        self.run(move |s| {
            s.read(|c| {
                let marks = vec!["?"; statuses.len()].join(", ");
                query_leases(
                    c,
                    &format!("SELECT {LEASE_COLUMNS} FROM leases WHERE status IN ({marks}) ORDER BY expires_at, id"),
                    rusqlite::params_from_iter(statuses.iter()),
                )
            })
        })
        .await
    }

    async fn append_audit(&self, audit: &NewAudit) -> Result<()> {
        let audit = audit.clone();
        self.run(move |s| s.write(|tx| append(tx, &audit))).await
    }

    async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditRow>> {
        let limit = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX)).unwrap_or(-1);
        self.run(move |s| {
            s.read(|c| {
                let mut stmt = c.prepare(
                    "SELECT seq, at, action, lease_id, definition, target, actor, detail, request_id
                     FROM audit_log ORDER BY seq DESC LIMIT ?1",
                )?;
                let rows = stmt.query_map([limit], |r| {
                    let at: String = r.get(1)?;
                    Ok((r.get::<_, i64>(0)?, at, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
                })?;
                rows.map(|r| {
                    let (seq, at, action, lease_id, definition, target, actor, detail, request_id) = r?;
                    Ok(AuditRow {
                        seq,
                        entry: NewAudit {
                            at: parse_ts(&at, "audit_log", "at")?,
                            action,
                            lease_id,
                            definition,
                            target,
                            actor,
                            detail,
                            request_id,
                        },
                    })
                })
                .collect()
            })
        })
        .await
    }

    async fn set_maintenance(&self, report_json: &str, reconciled_at: Option<DateTime<Utc>>) -> Result<()> {
        let report = report_json.to_string();
        self.run(move |s| {
            s.write(|tx| {
                // A run that did not reconcile keeps the previous reconciliation's time.
                tx.execute(
                    "INSERT INTO maintenance (id, report_json, reconciled_at) VALUES (1, ?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET report_json = excluded.report_json,
                         reconciled_at = coalesce(excluded.reconciled_at, maintenance.reconciled_at)",
                    params![report, ts_opt(&reconciled_at)],
                )?;
                Ok(())
            })
        })
        .await
    }

    async fn maintenance(&self) -> Result<Option<(String, Option<DateTime<Utc>>)>> {
        self.run(|s| {
            s.read(|c| {
                let row: Option<(String, Option<String>)> = c
                    .query_row("SELECT report_json, reconciled_at FROM maintenance WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                row.map(|(json, at)| Ok((json, parse_ts_opt(at, "maintenance", "reconciled_at")?))).transpose()
            })
        })
        .await
    }
}
