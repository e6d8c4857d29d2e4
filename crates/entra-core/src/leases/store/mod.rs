//! The lease store port, [`LeaseStore`]: where definitions, leases, the append-only audit log
//! and the last maintenance run are kept, spoken in the core's own lease types. The Leases
//! service holds an `Arc<dyn LeaseStore>` and nothing else of the store, so another store can
//! take SQLite's place without touching a caller.
//!
//! # Where the adapters live, and why
//! The port and its types are here because the types are the core's: defining them once means
//! the port must speak them, and entra-store (a leaf: it depends on nothing of Entra Desk, and
//! must stay that way so it never sees a secret type) cannot name them. So the SQLite adapter,
//! [`SqliteLeaseStore`] (`sqlite`), is a thin module of the core too: its SQL and the mapping
//! of each column, over entra-store's SQLite engine — the lease file (`Schema::Leases`,
//! `synchronous = FULL`), its migrations (`migrations/leases/`, with the CHECKs and the
//! append-only triggers), transactions and time format. The alternative, SQL in entra-store
//! on row types of its own, is what this replaced: every lease field written twice and
//! converted both ways. A PostgreSQL adapter (the team store) goes in its own crate that
//! depends on entra-core, implements this trait, and is handed to [`super::Leases::new`].
//!
//! # The contract
//! - Every method is one transaction. Every change of a lease or a definition takes the audit
//!   line that goes with it and writes both or neither: the log never says something happened
//!   that the tables do not show, nor the other way round.
//! - The audit log is append-only: nothing offered here changes or removes a line (SQLite also
//!   refuses it in the schema itself).
//! - The audit log is hash-chained ([`chain`]): every line an adapter appends gets the last
//!   line's seq + 1 and the hash [`chain::ChainedLine::next`] gives it over the last line's hash,
//!   read and written in one transaction that no other append can interleave with (SQLite: the
//!   IMMEDIATE write lock; PostgreSQL would lock the log's last line or the table).
//!   [`LeaseStore::audit_chain`] hands the lines back as stored, and the core checks them
//!   ([`chain::verify`]): no adapter verifies on its own.
//! - A lease row carries a version, 1 when inserted and one more on every write.
//!   [`LeaseStore::update_lease`] writes only over the version its caller read, so a change
//!   made meanwhile (by this process, another one, or another admin's) is never overwritten
//!   unseen: the caller learns it lost and reads again. A status can only change through a
//!   write, so "update if it is still pending" holds as before.
//! - The paged reads ([`LeaseStore::lease_page`], [`LeaseStore::audit_page`]) search, filter,
//!   sort and count in the store itself, in the words of `leases::lists` (each adapter in its
//!   SQL, held to the same pages by the contract's tests), the count and the page in one read.
//! - Nothing here ever holds a secret: a lease's secret is never stored.

pub mod chain;
mod shared;
mod sqlite;

pub use super::sharing::{LeaderInfo, StoreCheck, StoreDescription, StoreKind};
pub use shared::{Leadership, StoreChange, StoreSnapshot};
pub use sqlite::SqliteLeaseStore;

use super::counts::LeaseCounts;
use super::lists::{AuditQuery, LeasesQuery};
use super::types::{AuditEntry, AuditLine, Definition, Lease, LeaseStatus, MaintenanceRun, TenantBinding};
use super::StoreHome;
use crate::paging::ListPage;
use crate::Result;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// A lease as stored: the lease, the process working on it, and its row version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLease {
    /// The lease.
    pub lease: Lease,
    /// The process (`host:pid`) issuing or revoking it, while it does: reconciliation in
    /// another process leaves a live owner's intent alone.
    pub owner: Option<String>,
    /// The row version this read saw; pass it to [`LeaseStore::update_lease`].
    pub version: u64,
}

/// The last background maintenance run and the last reconciliation's time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaintenanceRecord {
    /// The last run, if one was recorded (and this version can read it).
    pub last_run: Option<MaintenanceRun>,
    /// When maintenance last reconciled (runs that only swept keep the previous time).
    pub reconciled_at: Option<DateTime<Utc>>,
}

/// Where leases are kept. See the module doc; every method is one transaction.
#[async_trait::async_trait]
pub trait LeaseStore: Send + Sync + std::fmt::Debug {
    /// This store's ID (the middle of every marker): generated once, never changed.
    async fn store_id(&self) -> Result<String>;
    /// Adds a definition; `Ok(false)` when the name is taken (nothing written).
    async fn insert_definition(&self, definition: &Definition, audit: &AuditLine) -> Result<bool>;
    /// Every definition, by name.
    async fn definitions(&self) -> Result<Vec<Definition>>;
    /// One definition.
    async fn definition(&self, name: &str) -> Result<Option<Definition>>;
    /// Removes a definition; `Ok(false)` when there was none (nothing written).
    async fn delete_definition(&self, name: &str, audit: &AuditLine) -> Result<bool>;
    /// Records a new lease (an intent: status `pending`) owned by `owner`; fails if its ID
    /// exists. Returns its version (1).
    async fn insert_lease(&self, lease: &Lease, owner: Option<&str>, audit: &AuditLine) -> Result<u64>;
    /// Replaces a lease (found by its ID) and its owner, with its audit line if any, when its
    /// stored version is still `read_version`. Returns the new version, or `Ok(None)` when
    /// someone wrote it meanwhile (nothing written, nothing logged).
    async fn update_lease(&self, lease: &Lease, owner: Option<&str>, read_version: u64, audit: Option<&AuditLine>) -> Result<Option<u64>>;
    /// One lease.
    async fn lease(&self, id: &str) -> Result<Option<StoredLease>>;
    /// Every lease, newest first.
    async fn leases(&self) -> Result<Vec<StoredLease>>;
    /// Leases in any of `statuses`, oldest expiry first.
    async fn leases_with_status(&self, statuses: &[LeaseStatus]) -> Result<Vec<StoredLease>>;
    /// One page of the leases `query` keeps, in its order ([`LeasesQuery::order`]: an unknown
    /// sort key is `invalid_input`), with how many it keeps in all: searched, filtered, sorted
    /// and counted by the store, in one read.
    async fn lease_page(&self, query: &LeasesQuery) -> Result<ListPage<StoredLease>>;
    /// The counts the screen shows beside its page (every lease, live, needing attention,
    /// unbound, live by definition), in one read.
    async fn lease_counts(&self) -> Result<LeaseCounts>;
    /// Binds every unbound definition and lease (written before rows recorded their tenant) to
    /// `tenant`, with `audit` when any was: returns how many definitions and leases it bound.
    /// A bound lease's row version moves on, like any write.
    async fn bind_unbound(&self, tenant: &TenantBinding, audit: &AuditLine) -> Result<(u32, u32)>;
    /// Where the store recorded it lives (`None` before it was first checked).
    async fn home(&self) -> Result<Option<StoreHome>>;
    /// Records where the store lives, with `audit` if any; with `new_store_id`, the store
    /// takes that ID (a copy becoming a store of its own). One transaction.
    async fn set_home(&self, home: &StoreHome, new_store_id: Option<&str>, audit: Option<&AuditLine>) -> Result<()>;
    /// Appends an audit line that goes with no lease change (e.g. a reconciliation summary).
    async fn append_audit(&self, audit: &AuditLine) -> Result<()>;
    /// The newest `limit` audit lines (all when `None`), newest first.
    async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>>;
    /// One page of the audit lines `query` keeps (newest first unless sorted by `seq`), with
    /// how many it keeps in all, in one read.
    async fn audit_page(&self, query: &AuditQuery) -> Result<ListPage<AuditEntry>>;
    /// Every audit line, oldest first, as stored (text and hash), for [`chain::verify`].
    async fn audit_chain(&self) -> Result<Vec<chain::ChainedLine>>;
    /// Saves the last maintenance run and, when it reconciled, when (`None` keeps the
    /// previous reconciliation's time).
    async fn set_maintenance(&self, run: &MaintenanceRun, reconciled_at: Option<DateTime<Utc>>) -> Result<()>;
    /// The last maintenance run and reconciliation time (empty when none was recorded).
    async fn maintenance(&self) -> Result<MaintenanceRecord>;

    // ---- Sharing: what a store several processes and desktops use offers beyond the above.
    // The defaults are a store of one desktop's (SQLite): every process maintains it, nothing
    // announces changes, nothing fences.

    /// What kind of store this is and where, in words for the screen (never a password).
    fn describe(&self) -> StoreDescription;
    /// Takes or keeps the maintenance leadership for `member` for `ttl`, by the store's clock:
    /// `Ok(None)` while another member holds it. A store of one desktop has no leader to
    /// elect: every process maintains it (its writes are row-versioned like any other).
    async fn lead(&self, member: &str, ttl: Duration) -> Result<Option<Leadership>> {
        Ok(Some(Leadership { member: member.to_string(), term: 0, until: Utc::now() + ttl }))
    }
    /// Gives the leadership up (a member stopping), so another takes over at once.
    async fn resign(&self, _leadership: &Leadership) -> Result<()> {
        Ok(())
    }
    /// The current maintenance leader, if the store elects one and someone holds it.
    async fn leader(&self) -> Result<Option<LeaderInfo>> {
        Ok(None)
    }
    /// This store, with every write re-checking `leadership` in its own transaction (fencing):
    /// a write of a leader that lost its leadership meanwhile fails with `not_leader` and
    /// changes nothing. `None` for a store without leadership (its writes need no fence).
    fn fenced(&self, _leadership: &Leadership) -> Option<Arc<dyn LeaseStore>> {
        None
    }
    /// Changes made by any member (a lease issued, renewed, revoked; a definition added or
    /// removed), as they are committed, and a [`StoreChange::Reconnected`] after each lost
    /// connection: re-read on either. `None` for a store nobody else writes.
    fn changes(&self) -> Option<tokio::sync::broadcast::Receiver<StoreChange>> {
        None
    }
    /// Everything the store holds, for `entractl lease migrate`: read in one transaction.
    async fn export(&self) -> Result<StoreSnapshot>;
    /// Fills an empty store with `snapshot` (its store ID included, so the markers of its
    /// credentials keep naming this store), in one transaction; refuses a store that holds
    /// any definition, lease or audit line, and changes nothing then.
    async fn import(&self, snapshot: &StoreSnapshot) -> Result<()>;
    /// Where this store's leases went (`entractl lease migrate`), if they did: a store that
    /// moved acts in no tenant any more, since its markers now belong to the new store.
    async fn moved_to(&self) -> Result<Option<String>>;
    /// Records that this store's leases moved to `destination`, with `audit`, in one transaction.
    async fn set_moved_to(&self, destination: &str, audit: &AuditLine) -> Result<()>;
}
