//! [`PgLeaseStore`]: a connected team store — its pool, its change listener, and the
//! transactions every port method runs in ([`PgLeaseStore::write`] takes the fence first when
//! the store is a leader's fenced copy). The port's methods themselves are in `port`.

use crate::address::TeamStoreAddress;
use crate::errors::query_error;
use crate::init::schema_version;
use crate::notify;
use crate::password::DatabasePassword;
use crate::pool::{self, Connector, Manager};
use entra_core::leases::store::StoreChange;
use entra_core::{Error, ErrorCode, Result};
use std::sync::Arc;
use tokio::sync::{broadcast, oneshot};
use tokio_postgres::{IsolationLevel, Transaction};

/// How many connections a store keeps at most, unless told otherwise.
pub const DEFAULT_POOL_SIZE: usize = 4;

/// A connection of the store's pool.
pub(crate) type Conn = deadpool::managed::Object<Manager>;

/// A team lease store in PostgreSQL: the [`LeaseStore`](entra_core::leases::LeaseStore) port over
/// a pool of connections. Cloning is cheap and shares the pool and the change listener, which
/// stops when the last clone goes.
#[derive(Clone)]
pub struct PgLeaseStore {
    pub(crate) inner: Arc<Inner>,
    /// The leadership every write re-checks (a leader's fenced copy), if any.
    pub(crate) fence: Option<Arc<Fence>>,
}

pub(crate) struct Inner {
    pub(crate) connector: Arc<Connector>,
    pub(crate) pool: pool::Pool,
    pub(crate) changes: broadcast::Sender<StoreChange>,
    /// The term this store granted its member last, with the connector's lost-connection count
    /// then (see `leader`).
    pub(crate) granted: std::sync::Mutex<Option<(String, i64, u64)>>,
    /// Dropped with the last clone: the change listener sees it and ends.
    _stop: oneshot::Sender<()>,
}

/// The term a fenced copy's writes hold.
pub(crate) struct Fence {
    pub(crate) member: String,
    pub(crate) term: i64,
}

impl std::fmt::Debug for PgLeaseStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.inner.pool.status();
        f.debug_struct("PgLeaseStore")
            .field("location", &self.address().location())
            .field("user", &self.address().user())
            .field("connections", &status.size)
            .field("fenced_term", &self.fence.as_ref().map(|f| f.term))
            .finish()
    }
}

impl PgLeaseStore {
    /// Connects with a pool of up to [`DEFAULT_POOL_SIZE`] connections; see [`PgLeaseStore::connect_with_pool_size`].
    pub async fn connect(address: &TeamStoreAddress, password: DatabasePassword) -> Result<PgLeaseStore> {
        PgLeaseStore::connect_with_pool_size(address, password, DEFAULT_POOL_SIZE).await
    }

    /// Connects (a pool of up to `pool_size` connections, each asking `password` for its own),
    /// checks that the store's schema is there and is the one this build knows (an error naming
    /// `entractl lease store init URL --apply` when it is missing or older), and starts the
    /// change listener on a connection of its own.
    pub async fn connect_with_pool_size(address: &TeamStoreAddress, password: DatabasePassword, pool_size: usize) -> Result<PgLeaseStore> {
        let connector = Arc::new(Connector::new(address, password)?);
        let pool = pool::pool(connector.clone(), pool_size)?;
        {
            let conn = pool.get().await.map_err(|e| pool::pool_error(e, address))?;
            schema_version(&conn.client, address).await?;
        }
        let (changes, _) = broadcast::channel(64);
        let (stop, stopped) = oneshot::channel();
        let listening = notify::listen(&connector).await?;
        tokio::spawn(notify::run(listening, connector.clone(), changes.clone(), stopped));
        Ok(PgLeaseStore { inner: Arc::new(Inner { connector, pool, changes, granted: Default::default(), _stop: stop }), fence: None })
    }

    /// The store's address.
    pub fn address(&self) -> &TeamStoreAddress {
        self.inner.connector.address()
    }

    /// A connection test: the server's version, the database user, TLS or not, the schema
    /// version, and whether this user may write leases.
    pub async fn check(&self) -> Result<entra_core::leases::StoreCheck> {
        let conn = self.conn().await?;
        let schema_version = schema_version(&conn.client, self.address()).await?;
        let row = conn
            .client
            .query_one(
                "SELECT current_setting('server_version'), session_user::text,
                     coalesce((SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()), false),
                     has_table_privilege('entra_desk.leases', 'INSERT')
                         AND has_table_privilege('entra_desk.leases', 'UPDATE')
                         AND has_table_privilege('entra_desk.audit_log', 'INSERT')
                         AND has_table_privilege('entra_desk.audit_head', 'UPDATE'),
                     (SELECT value FROM entra_desk.meta WHERE key = 'store_id')",
                &[],
            )
            .await
            .map_err(|e| self.sql(e))?;
        Ok(entra_core::leases::StoreCheck {
            location: self.address().location(),
            server_version: row.get(0),
            database_user: row.get(1),
            tls: row.get(2),
            schema_version,
            store_id: row.get::<_, Option<String>>(4).unwrap_or_default(),
            may_write: row.get(3),
        })
    }

    /// A connection from the pool.
    pub(crate) async fn conn(&self) -> Result<Conn> {
        self.inner.pool.get().await.map_err(|e| pool::pool_error(e, self.address()))
    }

    /// A database error in the store's words.
    pub(crate) fn sql(&self, e: tokio_postgres::Error) -> Error {
        query_error(e, self.address())
    }

    /// A write transaction on `conn`; on a fenced copy, the leadership is checked (and locked
    /// against a takeover until the commit) first, and a lost term fails with `not_leader`
    /// before anything is written.
    pub(crate) async fn write<'c>(&self, conn: &'c mut Conn) -> Result<Transaction<'c>> {
        let tx = conn.client.transaction().await.map_err(|e| query_error(e, self.inner.connector.address()))?;
        if let Some(fence) = &self.fence {
            let held = tx
                .query_opt(
                    "SELECT 1 FROM leader WHERE name = 'maintenance' AND member = $1 AND term = $2 AND until > now() FOR SHARE",
                    &[&fence.member, &fence.term],
                )
                .await
                .map_err(|e| self.sql(e))?;
            if held.is_none() {
                return Err(Error::new(
                    ErrorCode::NotLeader,
                    format!(
                        "This member's maintenance term ({}) of the team lease store at {} has ended (another member took over, or \
                         the term lapsed while the store could not be reached): nothing was written; the new leader carries on",
                        fence.term,
                        self.address().location()
                    ),
                ));
            }
        }
        Ok(tx)
    }

    /// A read-only transaction that sees one moment of the store (REPEATABLE READ).
    pub(crate) async fn snapshot<'c>(&self, conn: &'c mut Conn) -> Result<Transaction<'c>> {
        let address = self.inner.connector.address();
        conn.client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(|e| query_error(e, address))
    }

    /// Commits `tx`.
    pub(crate) async fn commit(&self, tx: Transaction<'_>) -> Result<()> {
        tx.commit().await.map_err(|e| self.sql(e))
    }
}
