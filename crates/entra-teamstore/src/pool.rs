//! Connections to a team store: [`Connector`] opens one (asking [`DatabasePassword`] every time,
//! with the address's TLS policy), and [`Manager`] is the deadpool manager that gives the store
//! a pool of them. deadpool-postgres' own manager is not used because its password is fixed in
//! its configuration, and its connect hook can only fail with a tokio-postgres error, so a
//! keychain or token failure could not be told apart from the server's.

use crate::address::{Endpoint, TeamStoreAddress};
use crate::errors::connect_error;
use crate::password::DatabasePassword;
use crate::tls;
use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use entra_core::{Error, Result};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, Connection, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The `application_name` of every connection (so an admin finds them in `pg_stat_activity`).
pub(crate) const APPLICATION_NAME: &str = "entra-desk";

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection's stream, TLS or not (see [`tls::connector`]).
pub(crate) type Stream = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream;

/// What opens connections to one store.
pub(crate) struct Connector {
    address: TeamStoreAddress,
    password: DatabasePassword,
    config: Config,
    tls: MakeRustlsConnect,
    /// How many connections the server ended under us (a pooled one found closed, the change
    /// listener's lost): a leader that sees it move steps down (see `leader`).
    lost: std::sync::atomic::AtomicU64,
}

impl Connector {
    /// The connector for `address`; fails only on a `sslrootcert` that cannot be read.
    pub(crate) fn new(address: &TeamStoreAddress, password: DatabasePassword) -> Result<Connector> {
        let mut config = Config::new();
        config
            .user(address.user())
            .dbname(address.database())
            .application_name(APPLICATION_NAME)
            .connect_timeout(CONNECT_TIMEOUT)
            // A half-open connection (a laptop that slept) is found within a minute, so the
            // change listener reconnects instead of waiting for notifications that never come.
            .keepalives_idle(Duration::from_secs(30))
            .ssl_mode(if address.tls() { SslMode::Require } else { SslMode::Disable });
        match address.endpoint() {
            Endpoint::Tcp { host, port } => config.host(host).port(*port),
            Endpoint::Socket { dir, port } => config.host_path(dir).port(*port),
        };
        Ok(Connector { address: address.clone(), password, config, tls: tls::connector(address)?, lost: Default::default() })
    }

    /// Counts a connection the server ended under us.
    pub(crate) fn lost_one(&self) {
        self.lost.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many connections the server ended under us so far.
    pub(crate) fn lost(&self) -> u64 {
        self.lost.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The store's address.
    pub(crate) fn address(&self) -> &TeamStoreAddress {
        &self.address
    }

    /// Opens one connection, with a password asked for just now; the caller drives the
    /// connection (see [`Connector::client`] for one that drives itself).
    pub(crate) async fn connect(&self) -> Result<(Client, Connection<Socket, Stream>)> {
        let mut config = self.config.clone();
        if let Some(secret) = self.password.for_connection(&self.address).await? {
            config.password(secret.expose());
        }
        let connected = config.connect(self.tls.clone()).await;
        // The copy holding the password goes now, not when the connection ends.
        drop(config);
        connected.map_err(|e| connect_error(e, &self.address, &self.password))
    }

    /// Opens one connection whose messages a task of its own reads until the client is dropped,
    /// with the store's schema first on its search path.
    pub(crate) async fn client(&self) -> Result<PgConnection> {
        let (client, connection) = self.connect().await?;
        let task = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "a team lease store connection ended");
            }
        });
        let conn = PgConnection { client, task };
        conn.client.batch_execute("SET search_path = entra_desk").await.map_err(|e| crate::errors::query_error(e, &self.address))?;
        Ok(conn)
    }
}

/// A connection of the pool: the client, and the task that reads its messages (ended with it).
pub(crate) struct PgConnection {
    pub(crate) client: Client,
    task: JoinHandle<()>,
}

impl Drop for PgConnection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The pool's manager: a new connection through the [`Connector`], a returned one kept unless closed.
pub(crate) struct Manager {
    pub(crate) connector: std::sync::Arc<Connector>,
}

impl managed::Manager for Manager {
    type Type = PgConnection;
    type Error = Error;

    async fn create(&self) -> Result<PgConnection> {
        self.connector.client().await
    }

    async fn recycle(&self, conn: &mut PgConnection, _: &Metrics) -> RecycleResult<Error> {
        // A connection the server ended (restart, idle timeout) is replaced rather than handed out.
        if conn.client.is_closed() {
            self.connector.lost_one();
            return Err(RecycleError::message("the connection was closed"));
        }
        Ok(())
    }
}

/// A pool of up to `size` connections.
pub(crate) type Pool = managed::Pool<Manager>;

/// Builds the pool (no connection is opened yet).
pub(crate) fn pool(connector: std::sync::Arc<Connector>, size: usize) -> Result<Pool> {
    let timeouts = managed::Timeouts {
        wait: Some(Duration::from_secs(30)),
        create: Some(CONNECT_TIMEOUT + Duration::from_secs(20)),
        recycle: Some(Duration::from_secs(5)),
    };
    managed::Pool::builder(Manager { connector })
        .max_size(size.max(1))
        .timeouts(timeouts)
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::internal(format!("Cannot set up the team lease store's connections ({e}); this is a bug: please report it")))
}

/// A pool failure in the core's words: the manager's own error as it is, a wait in words.
pub(crate) fn pool_error(e: managed::PoolError<Error>, address: &TeamStoreAddress) -> Error {
    match e {
        managed::PoolError::Backend(e) => e,
        managed::PoolError::Timeout(managed::TimeoutType::Create) => Error::network(format!(
            "Connecting to the team lease store at {} took too long (a token or keychain prompt, or the server): try again",
            address.location()
        )),
        managed::PoolError::Timeout(_) => {
            Error::network(format!("Every connection to the team lease store at {} stayed busy: try again in a moment", address.location()))
        }
        other => Error::internal(format!("The team lease store's connections failed ({other}); please report it")),
    }
}
