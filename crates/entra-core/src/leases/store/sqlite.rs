//! [`SqliteLeaseStore`]: the lease store port over entra-store's SQLite engine, in
//! `<data dir>/leases.sqlite` (see the parent module for why this adapter is in the core).
//!
//! Each call runs on the store's one connection in `spawn_blocking`, inside one read or
//! IMMEDIATE write transaction. Kinds, statuses and actions are kept as their kebab-case names
//! (`revoke-failed`), as the schema's CHECKs have always required, so lease files written
//! before the types turned camelCase in JSON need no data migration.

use super::{LeaseStore, MaintenanceRecord, StoreDescription, StoreKind, StoreSnapshot, StoredLease};
use crate::leases::counts::LeaseCounts;
use crate::leases::lists::{AuditQuery, LeasesQuery};
use crate::leases::types::{AuditEntry, AuditLine, Definition, Lease, LeaseKind, LeaseStatus, MaintenanceRun, TenantBinding};
use crate::leases::StoreHome;
use crate::paging::ListPage;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use entra_store::leases::{parse_time, time_text};
use entra_store::rusqlite::{self, params, Connection, OptionalExtension, Row};
use entra_store::{Schema, Store, StoreError};
use std::path::Path;

// The engine's errors in the lease store's own words.
mod errors;
pub(crate) use errors::store_error;
// `entractl lease migrate`: the whole store read out, an empty one filled, a moved one retired.
mod moving;
// The paged reads of the lease list and the audit log, and the counts beside them.
mod lists;

/// The embedded lease store: `leases.sqlite`, WAL, `synchronous = FULL`.
#[derive(Debug, Clone)]
pub struct SqliteLeaseStore {
    store: Store,
}

/// A value in the file that this version cannot read: written by a newer Entra Desk, or edited by hand.
pub(super) fn unknown(what: &str) -> Error {
    Error::storage(format!(
        "The lease store holds a {what} this version of Entra Desk does not know: update Entra Desk (the file was not changed)"
    ))
}

impl SqliteLeaseStore {
    /// Opens (or creates) the lease store at `path`, bringing its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLeaseStore> {
        Ok(SqliteLeaseStore { store: Store::open_schema(path, Schema::Leases).map_err(store_error)? })
    }

    /// A fresh in-memory lease store (tests).
    pub fn open_in_memory() -> Result<SqliteLeaseStore> {
        Ok(SqliteLeaseStore { store: Store::open_in_memory_schema(Schema::Leases).map_err(store_error)? })
    }

    /// The underlying engine (tests reach the schema through it, e.g. to see a trigger refuse).
    pub fn engine(&self) -> &Store {
        &self.store
    }

    /// Runs `f` off the async threads. The closure's own result carries the core's errors
    /// (a value this version cannot read); the engine's become [`store_error`]s.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> entra_store::Result<Result<T>> + Send + 'static) -> Result<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|_| Error::internal("A lease store task was cancelled or panicked"))?
            .map_err(store_error)?
    }
}

fn time(text: &str, column: &str) -> Result<DateTime<Utc>> {
    parse_time(text).ok_or_else(|| unknown(&format!("time in {column}")))
}

fn time_opt(text: Option<String>, column: &str) -> Result<Option<DateTime<Utc>>> {
    text.map(|t| time(&t, column)).transpose()
}

fn text_opt(t: &Option<DateTime<Utc>>) -> Option<String> {
    t.as_ref().map(time_text)
}

pub(super) fn secs(v: u64) -> entra_store::Result<i64> {
    i64::try_from(v).map_err(|_| StoreError::Invalid("a duration too long to store"))
}

pub(super) const LEASE_COLUMNS: &str = "id, definition, kind, target, status, issued_at, expires_at, max_expires_at, renewed_at, \
     ended_at, key_id, hint, marker, revoke_attempts, next_attempt_at, last_error, note, owner, row_version, tenant_id, authority, issued_by";

/// The row read by `SELECT {LEASE_COLUMNS}`: what SQLite could not read fails the query, what
/// this version cannot read (a kind, status or time) is the inner error.
pub(super) fn stored_lease(r: &Row<'_>) -> rusqlite::Result<Result<StoredLease>> {
    let (kind, status): (String, String) = (r.get(2)?, r.get(4)?);
    let (issued, expires, max): (String, String, String) = (r.get(5)?, r.get(6)?, r.get(7)?);
    let (renewed, ended, next): (Option<String>, Option<String>, Option<String>) = (r.get(8)?, r.get(9)?, r.get(14)?);
    let version: i64 = r.get(18)?;
    let (tenant_id, authority): (Option<String>, Option<String>) = (r.get(19)?, r.get(20)?);
    let (id, definition, target) = (r.get(0)?, r.get(1)?, r.get(3)?);
    let (key_id, hint, marker, revoke_attempts) = (r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?);
    let (last_error, note, owner, issued_by) = (r.get(15)?, r.get(16)?, r.get(17)?, r.get(21)?);
    Ok((|| {
        let lease = Lease {
            id,
            definition,
            kind: LeaseKind::parse(&kind).ok_or_else(|| unknown("lease kind"))?,
            target,
            tenant: binding(tenant_id, authority),
            status: LeaseStatus::parse(&status).ok_or_else(|| unknown("lease status"))?,
            issued_at: time(&issued, "leases.issued_at")?,
            expires_at: time(&expires, "leases.expires_at")?,
            max_expires_at: time(&max, "leases.max_expires_at")?,
            renewed_at: time_opt(renewed, "leases.renewed_at")?,
            ended_at: time_opt(ended, "leases.ended_at")?,
            key_id,
            hint,
            marker,
            revoke_attempts,
            next_attempt_at: time_opt(next, "leases.next_attempt_at")?,
            last_error,
            note,
            issued_by,
        };
        Ok(StoredLease { lease, owner, version: u64::try_from(version).map_err(|_| unknown("row version"))? })
    })())
}

pub(super) fn query_leases(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> entra_store::Result<Result<Vec<StoredLease>>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, stored_lease)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().collect())
}

pub(super) const DEFINITION_COLUMNS: &str = "name, kind, target, target_name, client_id, ttl_secs, max_ttl_secs, created_at, tenant_id, authority";

/// A row's tenant: both columns, or unbound (a row written before 0004_tenant_binding).
fn binding(tenant_id: Option<String>, authority: Option<String>) -> Option<TenantBinding> {
    Some(TenantBinding { tenant_id: tenant_id?, authority: authority? })
}

pub(super) fn definition(r: &Row<'_>) -> rusqlite::Result<Result<Definition>> {
    let (kind, created): (String, String) = (r.get(1)?, r.get(7)?);
    let (ttl, max): (i64, i64) = (r.get(5)?, r.get(6)?);
    let (name, target, target_name, client_id) = (r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?);
    let (tenant_id, authority): (Option<String>, Option<String>) = (r.get(8)?, r.get(9)?);
    Ok((|| {
        Ok(Definition {
            name,
            kind: LeaseKind::parse(&kind).ok_or_else(|| unknown("lease kind"))?,
            target,
            target_name,
            client_id,
            tenant: binding(tenant_id, authority),
            ttl_secs: u64::try_from(ttl).map_err(|_| unknown("TTL"))?,
            max_ttl_secs: u64::try_from(max).map_err(|_| unknown("max TTL"))?,
            created_at: time(&created, "lease_definitions.created_at")?,
        })
    })())
}

// Audit lines are appended hash-chained (`append`) and read back for verification in `audit`.
mod audit;
use audit::append;

/// `?1`…`?10`: the definition's columns, in [`DEFINITION_COLUMNS`] order.
pub(super) fn definition_params(d: &Definition) -> entra_store::Result<Vec<Box<dyn rusqlite::ToSql>>> {
    Ok(vec![
        Box::new(d.name.clone()),
        Box::new(d.kind.as_str()),
        Box::new(d.target.clone()),
        Box::new(d.target_name.clone()),
        Box::new(d.client_id.clone()),
        Box::new(secs(d.ttl_secs)?),
        Box::new(secs(d.max_ttl_secs)?),
        Box::new(time_text(&d.created_at)),
        Box::new(d.tenant.as_ref().map(|t| t.tenant_id.clone())),
        Box::new(d.tenant.as_ref().map(|t| t.authority.clone())),
    ])
}

/// `?1`…`?18`: the lease's columns from `id` to `owner`, in [`LEASE_COLUMNS`] order.
pub(super) fn lease_params(l: &Lease, owner: Option<&str>) -> Vec<Box<dyn rusqlite::ToSql>> {
    vec![
        Box::new(l.id.clone()),
        Box::new(l.definition.clone()),
        Box::new(l.kind.as_str()),
        Box::new(l.target.clone()),
        Box::new(l.status.as_str()),
        Box::new(time_text(&l.issued_at)),
        Box::new(time_text(&l.expires_at)),
        Box::new(time_text(&l.max_expires_at)),
        Box::new(text_opt(&l.renewed_at)),
        Box::new(text_opt(&l.ended_at)),
        Box::new(l.key_id.clone()),
        Box::new(l.hint.clone()),
        Box::new(l.marker.clone()),
        Box::new(l.revoke_attempts),
        Box::new(text_opt(&l.next_attempt_at)),
        Box::new(l.last_error.clone()),
        Box::new(l.note.clone()),
        Box::new(owner.map(str::to_string)),
    ]
}

#[async_trait::async_trait]
impl LeaseStore for SqliteLeaseStore {
    async fn store_id(&self) -> Result<String> {
        self.run(|s| s.read(entra_store::meta::store_id).map(Ok)).await
    }

    async fn insert_definition(&self, d: &Definition, audit: &AuditLine) -> Result<bool> {
        let (d, audit) = (d.clone(), audit.clone());
        self.run(move |s| {
            s.write(|tx| {
                let added = tx.execute(
                    // ON CONFLICT, not OR IGNORE: only a taken name is ignored, a CHECK still fails.
                    &format!(
                        "INSERT INTO lease_definitions ({DEFINITION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                         ON CONFLICT (name) DO NOTHING"
                    ),
                    rusqlite::params_from_iter(definition_params(&d)?.iter().map(|b| b.as_ref())),
                )? == 1;
                if added {
                    append(tx, &audit)?;
                }
                Ok(Ok(added))
            })
        })
        .await
    }

    async fn definitions(&self) -> Result<Vec<Definition>> {
        self.run(|s| {
            s.read(|c| {
                let mut stmt = c.prepare(&format!("SELECT {DEFINITION_COLUMNS} FROM lease_definitions ORDER BY name"))?;
                let rows = stmt.query_map([], definition)?.collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows.into_iter().collect())
            })
        })
        .await
    }

    async fn definition(&self, name: &str) -> Result<Option<Definition>> {
        let name = name.to_string();
        self.run(move |s| {
            s.read(|c| {
                let row = c
                    .query_row(&format!("SELECT {DEFINITION_COLUMNS} FROM lease_definitions WHERE name = ?1"), [name], definition)
                    .optional()?;
                Ok(row.transpose())
            })
        })
        .await
    }

    async fn delete_definition(&self, name: &str, audit: &AuditLine) -> Result<bool> {
        let (name, audit) = (name.to_string(), audit.clone());
        self.run(move |s| {
            s.write(|tx| {
                let gone = tx.execute("DELETE FROM lease_definitions WHERE name = ?1", [name])? == 1;
                if gone {
                    append(tx, &audit)?;
                }
                Ok(Ok(gone))
            })
        })
        .await
    }

    async fn insert_lease(&self, lease: &Lease, owner: Option<&str>, audit: &AuditLine) -> Result<u64> {
        let (lease, owner, audit) = (lease.clone(), owner.map(str::to_string), audit.clone());
        self.run(move |s| {
            s.write(|tx| {
                let mut p = lease_params(&lease, owner.as_deref());
                p.push(Box::new(lease.tenant.as_ref().map(|t| t.tenant_id.clone())));
                p.push(Box::new(lease.tenant.as_ref().map(|t| t.authority.clone())));
                p.push(Box::new(lease.issued_by.clone()));
                p.push(Box::new(time_text(&audit.at)));
                tx.execute(
                    &format!(
                        "INSERT INTO leases ({LEASE_COLUMNS}, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, 1, ?19, ?20, ?21, ?22)"
                    ),
                    rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
                )?;
                append(tx, &audit)?;
                Ok(Ok(1))
            })
        })
        .await
    }

    async fn update_lease(&self, lease: &Lease, owner: Option<&str>, read_version: u64, audit: Option<&AuditLine>) -> Result<Option<u64>> {
        let (lease, owner, audit) = (lease.clone(), owner.map(str::to_string), audit.cloned());
        self.run(move |s| {
            s.write(|tx| {
                let now = audit.as_ref().map(|a| a.at).unwrap_or_else(Utc::now);
                let mut p = lease_params(&lease, owner.as_deref());
                p.push(Box::new(time_text(&now)));
                p.push(Box::new(secs(read_version)?));
                let changed = tx.execute(
                    "UPDATE leases SET definition = ?2, kind = ?3, target = ?4, status = ?5, issued_at = ?6,
                         expires_at = ?7, max_expires_at = ?8, renewed_at = ?9, ended_at = ?10, key_id = ?11,
                         hint = ?12, marker = ?13, revoke_attempts = ?14, next_attempt_at = ?15,
                         last_error = ?16, note = ?17, owner = ?18, updated_at = ?19, row_version = row_version + 1
                     WHERE id = ?1 AND row_version = ?20",
                    rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
                )? == 1;
                if !changed {
                    return Ok(Ok(None));
                }
                if let Some(a) = &audit {
                    append(tx, a)?;
                }
                Ok(Ok(Some(read_version + 1)))
            })
        })
        .await
    }

    async fn lease(&self, id: &str) -> Result<Option<StoredLease>> {
        let id = id.to_string();
        self.run(move |s| s.read(|c| Ok(query_leases(c, &format!("SELECT {LEASE_COLUMNS} FROM leases WHERE id = ?1"), [id])?.map(|mut v| v.pop()))))
            .await
    }

    async fn leases(&self) -> Result<Vec<StoredLease>> {
        self.run(|s| s.read(|c| query_leases(c, &format!("SELECT {LEASE_COLUMNS} FROM leases ORDER BY issued_at DESC, id"), []))).await
    }

    async fn lease_page(&self, query: &LeasesQuery) -> Result<ListPage<StoredLease>> {
        let order = query.order()?;
        let query = query.clone();
        self.run(move |s| s.read(|c| lists::lease_page(c, &query, order))).await
    }

    async fn lease_counts(&self) -> Result<LeaseCounts> {
        self.run(|s| s.read(lists::lease_counts).map(Ok)).await
    }

    async fn leases_with_status(&self, statuses: &[LeaseStatus]) -> Result<Vec<StoredLease>> {
        let names: Vec<&'static str> = statuses.iter().map(|s| s.as_str()).collect();
        self.run(move |s| {
            s.read(|c| {
                let marks = vec!["?"; names.len()].join(", ");
                query_leases(
                    c,
                    &format!("SELECT {LEASE_COLUMNS} FROM leases WHERE status IN ({marks}) ORDER BY expires_at, id"),
                    rusqlite::params_from_iter(names.iter()),
                )
            })
        })
        .await
    }

    async fn bind_unbound(&self, tenant: &TenantBinding, audit: &AuditLine) -> Result<(u32, u32)> {
        let (tenant, audit) = (tenant.clone(), audit.clone());
        self.run(move |s| {
            s.write(|tx| {
                let definitions = tx.execute(
                    "UPDATE lease_definitions SET tenant_id = ?1, authority = ?2 WHERE tenant_id IS NULL OR authority IS NULL",
                    params![tenant.tenant_id, tenant.authority],
                )?;
                let leases = tx.execute(
                    "UPDATE leases SET tenant_id = ?1, authority = ?2, updated_at = ?3, row_version = row_version + 1
                     WHERE tenant_id IS NULL OR authority IS NULL",
                    params![tenant.tenant_id, tenant.authority, time_text(&audit.at)],
                )?;
                if definitions + leases > 0 {
                    append(tx, &audit)?;
                }
                Ok(Ok((u32::try_from(definitions).unwrap_or(u32::MAX), u32::try_from(leases).unwrap_or(u32::MAX))))
            })
        })
        .await
    }

    async fn home(&self) -> Result<Option<StoreHome>> {
        self.run(|s| {
            s.read(|c| {
                let json: Option<String> = c.query_row("SELECT value FROM meta WHERE key = 'home'", [], |r| r.get(0)).optional()?;
                Ok(json.map(|j| serde_json::from_str(&j).map_err(|_| unknown("store home"))).transpose())
            })
        })
        .await
    }

    async fn set_home(&self, home: &StoreHome, new_store_id: Option<&str>, audit: Option<&AuditLine>) -> Result<()> {
        let json = serde_json::to_string(home).map_err(|e| Error::internal(format!("Cannot write the store's home: {e}")))?;
        let (new_id, audit) = (new_store_id.map(str::to_string), audit.cloned());
        self.run(move |s| {
            s.write(|tx| {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('home', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [json],
                )?;
                if let Some(id) = &new_id {
                    tx.execute("UPDATE meta SET value = ?1 WHERE key = 'store_id'", [id])?;
                }
                if let Some(a) = &audit {
                    append(tx, a)?;
                }
                Ok(Ok(()))
            })
        })
        .await
    }

    async fn append_audit(&self, audit: &AuditLine) -> Result<()> {
        let audit = audit.clone();
        self.run(move |s| s.write(|tx| append(tx, &audit).map(Ok))).await
    }

    async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>> {
        let limit = limit.map(|l| i64::try_from(l).unwrap_or(i64::MAX)).unwrap_or(-1);
        self.run(move |s| s.read(|c| audit::entries(c, limit))).await
    }

    async fn audit_page(&self, query: &AuditQuery) -> Result<ListPage<AuditEntry>> {
        let newest_first = query.newest_first()?;
        let query = query.clone();
        self.run(move |s| s.read(|c| lists::audit_page(c, &query, newest_first))).await
    }

    async fn audit_chain(&self) -> Result<Vec<super::chain::ChainedLine>> {
        self.run(|s| s.read(audit::chained_lines).map(Ok)).await
    }

    async fn set_maintenance(&self, run: &MaintenanceRun, reconciled_at: Option<DateTime<Utc>>) -> Result<()> {
        let report = serde_json::to_string(run).map_err(|e| Error::internal(format!("Cannot write the maintenance run: {e}")))?;
        self.run(move |s| {
            s.write(|tx| {
                // A run that did not reconcile keeps the previous reconciliation's time.
                tx.execute(
                    "INSERT INTO maintenance (id, report_json, reconciled_at) VALUES (1, ?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET report_json = excluded.report_json,
                         reconciled_at = coalesce(excluded.reconciled_at, maintenance.reconciled_at)",
                    params![report, text_opt(&reconciled_at)],
                )?;
                Ok(Ok(()))
            })
        })
        .await
    }

    fn describe(&self) -> StoreDescription {
        StoreDescription { kind: StoreKind::Local, location: self.store.path().display().to_string() }
    }

    async fn export(&self) -> Result<StoreSnapshot> {
        self.run(|s| s.read(moving::export)).await
    }

    async fn import(&self, snapshot: &StoreSnapshot) -> Result<()> {
        let snapshot = snapshot.clone();
        self.run(move |s| s.write(|tx| moving::import(tx, &snapshot))).await
    }

    async fn moved_to(&self) -> Result<Option<String>> {
        self.run(|s| s.read(|c| moving::moved_to(c).map(Ok))).await
    }

    async fn set_moved_to(&self, destination: &str, audit: &AuditLine) -> Result<()> {
        let (destination, audit) = (destination.to_string(), audit.clone());
        self.run(move |s| s.write(|tx| moving::set_moved_to(tx, &destination, &audit).map(Ok))).await
    }

    async fn maintenance(&self) -> Result<MaintenanceRecord> {
        self.run(|s| {
            s.read(|c| {
                let row: Option<(String, Option<String>)> = c
                    .query_row("SELECT report_json, reconciled_at FROM maintenance WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let Some((json, at)) = row else { return Ok(Ok(MaintenanceRecord::default())) };
                Ok(time_opt(at, "maintenance.reconciled_at").map(|reconciled_at| MaintenanceRecord {
                    // A run a newer version wrote may not read here: it is only shown, so it is
                    // left out rather than failing the screen.
                    last_run: serde_json::from_str(&json).ok(),
                    reconciled_at,
                }))
            })
        })
        .await
    }
}
