//! The Leases screen's service, [`Leases`]: dynamic secrets with a TTL and a max TTL that are
//! never lost track of, even if the process is killed.
//!
//! - `types`: what the service takes and returns.
//! - `define`: definitions (name, kind, target, TTL, max TTL) and their checks.
//! - `issue`: intent → Graph write → commit, for each kind; `probe` waits until a new app
//!   secret works (Entra needs a few seconds: AADSTS7000215 meanwhile).
//! - `revoke`: revocation (recorded before the Graph call), renewal, and the retry backoff of
//!   failed revocations.
//! - `reconcile`: what the tenant holds against what the store says; only credentials whose
//!   marker names this store are ever removed (`marker`).
//! - `sweep`: expired leases revoked, failed revocations retried, access tokens refreshed.
//! - [`maintenance`]: the background run ([`Leases::maintain`]: a sweep, and a reconciliation
//!   when due) and the loop that repeats it, which the app and `entractl lease maintain` share.
//! - `tenant`: the tenant a definition or lease belongs to, and the check that refuses an
//!   account of another tenant (or an unbound record) before anything acts in a tenant.
//! - `tokens`: access-token leases' tokens, in memory only.
//! - `audit`: the append-only log, its lines, a page of them, and its export.
//! - `lists`: the lease list and the audit log a page at a time: the queries and their orders
//!   (searched, filtered, sorted and counted in the store); `counts`: the lease counts the
//!   overview carries instead of the leases.
//! - `owner`: which process owns an unfinished intent or revocation.
//! - `home`: where the store lives; a store found elsewhere (a copied data folder) acts in no
//!   tenant until the admin says it was moved or copied.
//! - `sharing`: what the screen is told about the store (local or team, its leader, a
//!   connection test).
//! - [`store`]: the lease store port ([`LeaseStore`]) and its SQLite adapter.
//! - `migrate`: a store's contents moved into another (a desktop's file into a team store).
//! - `fault`: `ENTRA_DESK_FAULT` crash points for tests.
//!
//! # Durability
//! The lease store is its own SQLite file (`leases.sqlite`, synchronous = FULL), reached only
//! through the [`LeaseStore`] port so a shared store can replace it. Every Graph
//! write is preceded by a durable record of what is about to happen (a `pending` lease, or a
//! `revoking` status) and followed by a commit; a crash in between leaves a record that
//! reconciliation finishes. An app secret's `endDateTime` is the lease's max TTL, so Entra
//! itself ends it even if Entra Desk never runs again.

mod audit;
mod counts;
mod define;
pub mod duration;
mod fault;
mod home;
mod issue;
mod lists;
pub mod maintenance;
pub mod marker;
mod migrate;
mod owner;
mod probe;
mod reconcile;
mod revoke;
mod sharing;
pub mod store;
mod sweep;
mod tenant;
mod tokens;
mod types;

pub use duration::{format_duration, parse_duration};
pub use fault::{FAULT_ENV, FAULT_POINTS};
pub use store::{LeaderInfo, LeaseStore, SqliteLeaseStore, StoreCheck, StoreDescription, StoreKind, StoredLease};
pub use home::{Relocation, StoreHome};
pub use counts::LeaseCounts;
pub use lists::{contains_pattern, AuditQuery, LeaseOrder, LeaseState, LeasesQuery, AUDIT_SORT_KEYS, LEASE_SORT_KEYS};
pub use migrate::MigrationReport;
pub use reconcile::REPLICATION_GRACE;
pub use tenant::BindReport;
pub use types::*;

use crate::clock::{Clock, SystemClock};
use crate::graph::GraphClient;
use crate::paging::ListPage;
use crate::{Desk, Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The lease store's file name in the data folder.
pub const LEASES_FILE: &str = "leases.sqlite";

/// How long an intent recorded by a process we cannot check (another host sharing the store,
/// or a platform without `/proc`) is left alone before reconciliation decides it.
pub const INTENT_GRACE: chrono::Duration = chrono::Duration::minutes(10);

/// How often the background maintenance reconciles (it sweeps on every run).
pub const RECONCILE_EVERY: chrono::Duration = chrono::Duration::minutes(10);

/// The longest issuing waits, by default, for a new secret to work.
pub const DEFAULT_USABLE_WAIT: Duration = Duration::from_secs(120);

struct Shared {
    desk: Desk,
    /// Leases whose issue or revocation this process is running right now.
    in_flight: Mutex<HashSet<String>>,
    /// Access-token leases' tokens (never stored).
    tokens: tokens::TokenShelf,
    /// Set once this process has reconciled: the first maintenance run always does.
    reconciled: AtomicBool,
    /// The store file's canonical path, when the store is a file of this desk (see `home`).
    location: Option<String>,
    /// Where the store lives, once `home` has checked it this process.
    home: Mutex<Option<home::StoreHome>>,
}

/// The Leases screen's service. See the module doc. A cheap `Clone`.
#[derive(Clone)]
pub struct Leases {
    shared: Arc<Shared>,
    /// The store; a maintenance leader's copy of the service holds the fenced store instead
    /// (see [`Leases::fenced`]), and shares everything else.
    store: Arc<dyn LeaseStore>,
    clock: Arc<dyn Clock>,
    usable_wait: Duration,
}

impl std::fmt::Debug for Leases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leases").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Leases {
    /// The service over `<data_dir>/leases.sqlite` (created if missing).
    pub fn open(desk: Desk, data_dir: &Path) -> Result<Leases> {
        let path = data_dir.join(LEASES_FILE);
        let store = SqliteLeaseStore::open(&path)?;
        let location = std::fs::canonicalize(&path).unwrap_or(path).to_string_lossy().into_owned();
        Ok(Leases::with_location(desk, Arc::new(store), Some(location)))
    }

    /// The service over any lease store (a shared one, or a test's).
    pub fn new(desk: Desk, store: Arc<dyn LeaseStore>) -> Leases {
        Leases::with_location(desk, store, None)
    }

    /// The service over `store`, which lives at `location` (a file's path, a shared store's
    /// address): a store found at another location than it recorded refuses to act until the
    /// admin says it was moved or copied (see `home`).
    pub fn with_location(desk: Desk, store: Arc<dyn LeaseStore>, location: Option<String>) -> Leases {
        let shared = Shared {
            desk,
            in_flight: Mutex::new(HashSet::new()),
            tokens: Default::default(),
            reconciled: AtomicBool::new(false),
            location,
            home: Mutex::new(None),
        };
        Leases { shared: Arc::new(shared), store, clock: Arc::new(SystemClock), usable_wait: DEFAULT_USABLE_WAIT }
    }

    /// The clock lease times are judged by (tests move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Leases {
        self.clock = clock;
        self
    }

    /// The longest [`IssueRequest::wait_until_usable`] waits.
    pub fn with_usable_wait(mut self, limit: Duration) -> Leases {
        self.usable_wait = limit;
        self
    }

    pub(crate) fn store(&self) -> &dyn LeaseStore {
        self.store.as_ref()
    }

    /// This service with its store's writes fenced by `leadership` (a team store's maintenance
    /// leader acts through it); itself when the store has no leadership to fence.
    pub fn fenced(&self, leadership: &store::Leadership) -> Leases {
        match self.store.fenced(leadership) {
            Some(store) => Leases { store, ..self.clone() },
            None => self.clone(),
        }
    }

    /// The store this service keeps its leases in.
    pub fn lease_store(&self) -> &Arc<dyn LeaseStore> {
        &self.store
    }

    /// The desk this service acts through.
    pub fn desk(&self) -> &Desk {
        &self.shared.desk
    }

    /// Now, to the millisecond: the precision the store keeps, so a lease returned by a call
    /// equals the same lease read back.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        use chrono::SubsecRound;
        self.clock.now().trunc_subsecs(3)
    }

    pub(crate) fn graph(&self, account_id: &str) -> Result<GraphClient> {
        self.desk().graph(account_id)
    }

    pub(crate) async fn store_id(&self) -> Result<String> {
        self.store().store_id().await
    }

    /// Marks a lease as being worked on by this process until the guard drops.
    pub(crate) fn hold(&self, lease_id: &str) -> InFlight {
        self.shared.in_flight.lock().unwrap_or_else(|p| p.into_inner()).insert(lease_id.to_string());
        InFlight { leases: self.clone(), id: lease_id.to_string() }
    }

    pub(crate) fn is_in_flight(&self, lease_id: &str) -> bool {
        self.shared.in_flight.lock().unwrap_or_else(|p| p.into_inner()).contains(lease_id)
    }

    pub(crate) fn location(&self) -> Option<&str> {
        self.shared.location.as_deref()
    }

    pub(crate) fn home(&self) -> Option<home::StoreHome> {
        self.shared.home.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn remember_home(&self, home: home::StoreHome) {
        *self.shared.home.lock().unwrap_or_else(|p| p.into_inner()) = Some(home);
    }

    pub(crate) fn tokens(&self) -> &tokens::TokenShelf {
        &self.shared.tokens
    }

    /// Every lease, newest first (`entractl lease list`; the screen reads [`Leases::page`]s).
    pub async fn list(&self) -> Result<Vec<Lease>> {
        Ok(self.store().leases().await?.into_iter().map(|s| s.lease).collect())
    }

    /// One page of the leases `query` keeps (search, state, issuer, definition, sort), and how
    /// many it keeps in all: searched, sorted and counted by the store.
    pub async fn page(&self, query: &LeasesQuery) -> Result<ListPage<Lease>> {
        Ok(self.store().lease_page(query).await?.map(|s| s.lease))
    }

    /// One lease.
    pub async fn lease(&self, id: &str) -> Result<Lease> {
        Ok(self.stored(id).await?.lease)
    }

    pub(crate) async fn stored(&self, id: &str) -> Result<StoredLease> {
        let id = id.trim();
        self.store().lease(id).await?.ok_or_else(|| {
            Error::new(ErrorCode::InvalidInput, format!("There is no lease '{id}': list the leases to find its ID"))
        })
    }

    /// The store, its definitions, the lease counts and the last maintenance run, from the
    /// store only (the leases themselves are read a [`Leases::page`] at a time).
    pub async fn overview(&self) -> Result<LeasesOverview> {
        let displaced = match self.ensure_home().await {
            Ok(()) => None,
            Err(e) if e.code() == ErrorCode::StoreMoved => Some(e.message().to_string()),
            Err(e) => return Err(e),
        };
        let last_maintenance = self.store().maintenance().await?.last_run;
        let leader = self.store().leader().await?;
        Ok(LeasesOverview {
            store_id: self.store_id().await?,
            counts: self.store().lease_counts().await?,
            definitions: self.definitions().await?,
            now: self.now(),
            last_maintenance,
            displaced,
            store: self.store().describe(),
            leader,
        })
    }

    pub(crate) fn mark_reconciled(&self) {
        self.shared.reconciled.store(true, Ordering::SeqCst);
    }

    pub(crate) fn has_reconciled(&self) -> bool {
        self.shared.reconciled.load(Ordering::SeqCst)
    }
}

/// See [`Leases::hold`].
pub(crate) struct InFlight {
    leases: Leases,
    id: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.leases.shared.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_is_send_sync_and_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Leases>();
    }

    /// The shell spawns these futures on a multi-threaded runtime: a borrow the compiler cannot
    /// prove `Send` (e.g. a stream of futures borrowing a local) breaks only the shell's build.
    /// This makes it break here, under plain `cargo test`.
    #[allow(dead_code)]
    fn the_service_futures_are_send(leases: Leases) {
        fn check<T: Send>(_: T) {}
        let l = leases.clone();
        check(async move { l.maintain(Some("a")).await });
        let l = leases.clone();
        check(async move { l.reconcile("a").await });
        let l = leases.clone();
        check(async move { l.issue("a", IssueRequest { definition: "d".into(), ttl: None, wait_until_usable: true }).await });
        let l = leases.clone();
        check(async move { l.revoke("a", "l").await });
        let l = leases.clone();
        check(async move { l.overview().await });
        let l = leases.clone();
        check(async move { l.page(&LeasesQuery::default()).await });
        let l = leases.clone();
        check(async move { l.audit_page(&AuditQuery::default()).await });
        let account = maintenance::SignedInAccount::default();
        let cancel = tokio_util::sync::CancellationToken::new();
        check(maintenance::run_loop(leases, account.subscribe(), maintenance::INTERVAL, cancel, |_| {}));
    }
}
