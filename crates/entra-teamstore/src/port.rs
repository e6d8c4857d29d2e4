//! [`LeaseStore`] for [`PgLeaseStore`]: each method one transaction (a single statement is its
//! own), every write through [`PgLeaseStore::write`] (fenced on a leader's copy), every change
//! of a lease or definition with its audit line in the same transaction, and every lease write
//! over the row version its caller read.

use crate::audit::{append, chained_lines, entries};
use crate::leases::{self, get, ms, query_leases, DEFINITION_COLUMNS, LEASE_COLUMNS};
use crate::lists;
use crate::moving::{self, store_id};
use crate::store::Fence;
use crate::PgLeaseStore;
use chrono::{DateTime, Utc};
use entra_core::leases::store::chain::ChainedLine;
use entra_core::leases::store::{
    LeaderInfo, Leadership, LeaseStore, MaintenanceRecord, StoreChange, StoreDescription, StoreKind, StoreSnapshot, StoredLease,
};
use entra_core::leases::{
    AuditEntry, AuditLine, AuditQuery, Definition, Lease, LeaseCounts, LeaseStatus, LeasesQuery, MaintenanceRun, StoreHome, TenantBinding,
};
use entra_core::paging::ListPage;
use entra_core::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

#[async_trait::async_trait]
impl LeaseStore for PgLeaseStore {
    async fn store_id(&self) -> Result<String> {
        store_id(&self.conn().await?.client, self.address()).await
    }

    async fn insert_definition(&self, definition: &Definition, audit: &AuditLine) -> Result<bool> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        let added = leases::insert_definition(&tx, self.address(), definition).await?;
        if added {
            append(&tx, self.address(), audit).await?;
        }
        self.commit(tx).await?;
        Ok(added)
    }

    async fn definitions(&self) -> Result<Vec<Definition>> {
        leases::definitions(&self.conn().await?.client, self.address()).await
    }

    async fn definition(&self, name: &str) -> Result<Option<Definition>> {
        let conn = self.conn().await?;
        let sql = format!("SELECT {DEFINITION_COLUMNS} FROM lease_definitions WHERE name = $1");
        let row = conn.client.query_opt(&sql, &[&name]).await.map_err(|e| self.sql(e))?;
        row.as_ref().map(leases::definition).transpose()
    }

    async fn delete_definition(&self, name: &str, audit: &AuditLine) -> Result<bool> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        let gone = tx.execute("DELETE FROM lease_definitions WHERE name = $1", &[&name]).await.map_err(|e| self.sql(e))? == 1;
        if gone {
            append(&tx, self.address(), audit).await?;
        }
        self.commit(tx).await?;
        Ok(gone)
    }

    async fn insert_lease(&self, lease: &Lease, owner: Option<&str>, audit: &AuditLine) -> Result<u64> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        leases::insert_lease(&tx, self.address(), lease, owner, 1, &audit.at).await?;
        append(&tx, self.address(), audit).await?;
        self.commit(tx).await?;
        Ok(1)
    }

    async fn update_lease(&self, lease: &Lease, owner: Option<&str>, read_version: u64, audit: Option<&AuditLine>) -> Result<Option<u64>> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        let now = audit.map(|a| a.at).unwrap_or_else(Utc::now);
        let Some(version) = leases::update_lease(&tx, self.address(), lease, owner, read_version, &now).await? else {
            // Lost to another write: nothing written, nothing logged (the transaction rolls back).
            return Ok(None);
        };
        if let Some(a) = audit {
            append(&tx, self.address(), a).await?;
        }
        self.commit(tx).await?;
        Ok(Some(version))
    }

    async fn lease(&self, id: &str) -> Result<Option<StoredLease>> {
        let conn = self.conn().await?;
        let sql = format!("SELECT {LEASE_COLUMNS} FROM leases WHERE id = $1");
        Ok(query_leases(&conn.client, self.address(), &sql, &[&id]).await?.pop())
    }

    async fn leases(&self) -> Result<Vec<StoredLease>> {
        let conn = self.conn().await?;
        let sql = format!("SELECT {LEASE_COLUMNS} FROM leases ORDER BY issued_at DESC, id COLLATE \"C\"");
        query_leases(&conn.client, self.address(), &sql, &[]).await
    }

    async fn leases_with_status(&self, statuses: &[LeaseStatus]) -> Result<Vec<StoredLease>> {
        let conn = self.conn().await?;
        let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let sql = format!("SELECT {LEASE_COLUMNS} FROM leases WHERE status = ANY($1) ORDER BY expires_at, id COLLATE \"C\"");
        query_leases(&conn.client, self.address(), &sql, &[&names]).await
    }

    async fn lease_page(&self, query: &LeasesQuery) -> Result<ListPage<StoredLease>> {
        let order = query.order()?;
        let mut conn = self.conn().await?;
        let tx = self.snapshot(&mut conn).await?;
        let page = lists::lease_page(&tx, self.address(), query, order).await?;
        self.commit(tx).await?;
        Ok(page)
    }

    async fn lease_counts(&self) -> Result<LeaseCounts> {
        let mut conn = self.conn().await?;
        let tx = self.snapshot(&mut conn).await?;
        let counts = lists::lease_counts(&tx, self.address()).await?;
        self.commit(tx).await?;
        Ok(counts)
    }

    async fn bind_unbound(&self, tenant: &TenantBinding, audit: &AuditLine) -> Result<(u32, u32)> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        let sql = |e| self.sql(e);
        let definitions = tx
            .execute(
                "UPDATE lease_definitions SET tenant_id = $1, authority = $2 WHERE tenant_id IS NULL OR authority IS NULL",
                &[&tenant.tenant_id, &tenant.authority],
            )
            .await
            .map_err(sql)?;
        let leases = tx
            .execute(
                "UPDATE leases SET tenant_id = $1, authority = $2, updated_at = $3, row_version = row_version + 1
                 WHERE tenant_id IS NULL OR authority IS NULL",
                &[&tenant.tenant_id, &tenant.authority, &ms(&audit.at)],
            )
            .await
            .map_err(sql)?;
        if definitions + leases > 0 {
            append(&tx, self.address(), audit).await?;
        }
        self.commit(tx).await?;
        Ok((u32::try_from(definitions).unwrap_or(u32::MAX), u32::try_from(leases).unwrap_or(u32::MAX)))
    }

    async fn home(&self) -> Result<Option<StoreHome>> {
        let Some(json) = self.meta("home").await? else { return Ok(None) };
        serde_json::from_str(&json).map(Some).map_err(|_| crate::errors::unknown("store home"))
    }

    async fn set_home(&self, home: &StoreHome, new_store_id: Option<&str>, audit: Option<&AuditLine>) -> Result<()> {
        let json = serde_json::to_string(home).map_err(|e| Error::internal(format!("Cannot write the store's home: {e}")))?;
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        set_meta(&tx, self, "home", &json).await?;
        if let Some(id) = new_store_id {
            set_meta(&tx, self, "store_id", id).await?;
        }
        if let Some(a) = audit {
            append(&tx, self.address(), a).await?;
        }
        self.commit(tx).await
    }

    async fn append_audit(&self, audit: &AuditLine) -> Result<()> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        append(&tx, self.address(), audit).await?;
        self.commit(tx).await
    }

    async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>> {
        entries(&self.conn().await?.client, self.address(), limit).await
    }

    async fn audit_page(&self, query: &AuditQuery) -> Result<ListPage<AuditEntry>> {
        let newest_first = query.newest_first()?;
        let mut conn = self.conn().await?;
        let tx = self.snapshot(&mut conn).await?;
        let page = lists::audit_page(&tx, self.address(), query, newest_first).await?;
        self.commit(tx).await?;
        Ok(page)
    }

    async fn audit_chain(&self) -> Result<Vec<ChainedLine>> {
        chained_lines(&self.conn().await?.client, self.address()).await
    }

    async fn set_maintenance(&self, run: &MaintenanceRun, reconciled_at: Option<DateTime<Utc>>) -> Result<()> {
        let report = serde_json::to_string(run).map_err(|e| Error::internal(format!("Cannot write the maintenance run: {e}")))?;
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        // A run that did not reconcile keeps the previous reconciliation's time.
        tx.execute(
            "INSERT INTO maintenance (id, report_json, reconciled_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET report_json = excluded.report_json,
                 reconciled_at = coalesce(excluded.reconciled_at, maintenance.reconciled_at)",
            &[&report, &reconciled_at.as_ref().map(ms)],
        )
        .await
        .map_err(|e| self.sql(e))?;
        self.commit(tx).await
    }

    async fn maintenance(&self) -> Result<MaintenanceRecord> {
        let conn = self.conn().await?;
        let row =
            conn.client.query_opt("SELECT report_json, reconciled_at FROM maintenance WHERE id = 1", &[]).await.map_err(|e| self.sql(e))?;
        let Some(row) = row else { return Ok(MaintenanceRecord::default()) };
        let json: String = get(&row, 0, "maintenance.report_json")?;
        Ok(MaintenanceRecord {
            // A run a newer version wrote may not read here: it is only shown, so it is left out
            // rather than failing the screen (as in the SQLite adapter).
            last_run: serde_json::from_str(&json).ok(),
            reconciled_at: get(&row, 1, "maintenance.reconciled_at")?,
        })
    }

    fn describe(&self) -> StoreDescription {
        StoreDescription { kind: StoreKind::Team, location: self.address().location() }
    }

    async fn lead(&self, member: &str, ttl: Duration) -> Result<Option<Leadership>> {
        self.take_lead(member, ttl).await
    }

    async fn resign(&self, leadership: &Leadership) -> Result<()> {
        self.give_up(leadership).await
    }

    async fn leader(&self) -> Result<Option<LeaderInfo>> {
        self.current_leader().await
    }

    fn fenced(&self, leadership: &Leadership) -> Option<Arc<dyn LeaseStore>> {
        let fence = Fence { member: leadership.member.clone(), term: i64::try_from(leadership.term).unwrap_or(i64::MAX) };
        Some(Arc::new(PgLeaseStore { inner: self.inner.clone(), fence: Some(Arc::new(fence)) }))
    }

    fn changes(&self) -> Option<tokio::sync::broadcast::Receiver<StoreChange>> {
        Some(self.inner.changes.subscribe())
    }

    async fn export(&self) -> Result<StoreSnapshot> {
        let mut conn = self.conn().await?;
        let tx = self.snapshot(&mut conn).await?;
        let snapshot = moving::export(&tx, self.address()).await?;
        self.commit(tx).await?;
        Ok(snapshot)
    }

    async fn import(&self, snapshot: &StoreSnapshot) -> Result<()> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        moving::import(&tx, self.address(), snapshot).await?;
        self.commit(tx).await
    }

    async fn moved_to(&self) -> Result<Option<String>> {
        self.meta("moved_to").await
    }

    async fn set_moved_to(&self, destination: &str, audit: &AuditLine) -> Result<()> {
        let mut conn = self.conn().await?;
        let tx = self.write(&mut conn).await?;
        set_meta(&tx, self, "moved_to", destination).await?;
        append(&tx, self.address(), audit).await?;
        self.commit(tx).await
    }
}

impl PgLeaseStore {
    /// A fact of `meta`, if recorded.
    async fn meta(&self, key: &str) -> Result<Option<String>> {
        let conn = self.conn().await?;
        let row = conn.client.query_opt("SELECT value FROM meta WHERE key = $1", &[&key]).await.map_err(|e| self.sql(e))?;
        row.map(|r| get(&r, 0, "meta.value")).transpose()
    }
}

/// Records a fact of `meta`.
async fn set_meta(tx: &tokio_postgres::Transaction<'_>, store: &PgLeaseStore, key: &str, value: &str) -> Result<()> {
    tx.execute("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", &[&key, &value])
        .await
        .map_err(|e| store.sql(e))?;
    Ok(())
}
