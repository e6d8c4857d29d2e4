//! [`Store`]: opening the database file safely, and running reads and writes on it.
//!
//! # Why one connection behind a `std::sync::Mutex`
//! A `rusqlite::Connection` is `Send` but not `Sync`; the mutex makes [`Store`] both, and an
//! `Arc` makes it cheap to clone into every command. One connection is enough: SQLite lets
//! one writer in at a time anyway, and our queries are short (the whole 10,000-object
//! inventory loads in a fraction of a second). It is a *blocking* mutex on purpose, as in mini-redis' `db.rs`: the lock
//! is never held across an `.await`, so Tokio's async mutex would buy nothing.
//!
//! # Async callers
//! Every method blocks on disk I/O. From async code, call it inside
//! `tokio::task::spawn_blocking(move || store.read(...))` (a clone of the store moves in), so
//! a slow disk never stalls the runtime's worker threads.
//!
//! # Other processes
//! WAL mode lets `entractl` read while the app writes; writers wait up to [`BUSY_TIMEOUT`].

use crate::error::{is_damage, Result, StoreError};
use crate::migrate::{self, Schema};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a statement waits for another process's lock before failing with
/// [`StoreError::Busy`]: long enough for any write we make, short enough to see a stuck one.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The local cache: one SQLite database. Clone it freely; all clones share one connection.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Connection>,
    /// The file, or `:memory:`; named in error messages.
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the cache at `path`, creating its parent folders, and brings its
    /// schema up to date.
    ///
    /// On Unix the file is made readable by its owner only (0600); SQLite gives the `-wal`
    /// and `-shm` files the same mode. A file that is not an SQLite database, is damaged,
    /// belongs to another program, or was made by a newer Entra Desk is refused with an error
    /// that names it, and is never modified.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_schema(path, Schema::Cache)
    }

    /// Opens (or creates) a database of the given [`Schema`] at `path`, as [`Store::open`] does
    /// for the cache. A lease store is also set to `synchronous = FULL`: a recorded intent
    /// must survive a power cut, not only a crash.
    pub fn open_schema(path: impl AsRef<Path>, schema: Schema) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        // A missing folder is created owner-only; an existing one is the caller's and left as it is.
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            entra_files::ensure_private_dir(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        // Look at the bytes before SQLite does: some damage SQLite only notices later, and we
        // must never let it write over a file that is not ours.
        check_header(&path)?;
        // Owner-only before SQLite opens it (its `-wal` and `-shm` take the same mode).
        entra_files::create_private_file(&path).map_err(io)?;

        let conn = Connection::open(&path).map_err(|source| open_error(&path, source))?;
        Store::set_up(conn, path, schema)
    }

    /// Opens a fresh, empty in-memory cache (for tests and the demo).
    pub fn open_in_memory() -> Result<Store> {
        Store::open_in_memory_schema(Schema::Cache)
    }

    /// Opens a fresh, empty in-memory database of the given schema (for tests).
    pub fn open_in_memory_schema(schema: Schema) -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| open_error(&path, source))?;
        Store::set_up(conn, path, schema)
    }

    fn set_up(mut conn: Connection, path: PathBuf, schema: Schema) -> Result<Store> {
        let fail = |source| open_error(&path, source);
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // WAL: readers (entractl, the UI) never block the writer and a crash loses at most the
        // last transaction. It is persistent in the file; we set it on every open anyway.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") && path != Path::new(":memory:") {
            // Some network file systems cannot do WAL's shared memory; SQLite falls back.
            tracing::warn!(mode, "the local cache could not switch to WAL mode");
        }
        // NORMAL is durable in WAL mode except for the very last commits on power loss: fine
        // for a cache that Graph can rebuild, and much faster than FULL.
        let synchronous = match schema {
            Schema::Cache => "NORMAL",
            Schema::Leases => "FULL",
        };
        conn.pragma_update(None, "synchronous", synchronous).map_err(fail)?;
        // Off by default in SQLite; the CASCADE deletes of credentials and owners depend on it.
        conn.pragma_update(None, "foreign_keys", true).map_err(fail)?;

        // SQLite may notice a damaged file only here, at its first real read.
        let damaged = |e: StoreError| match e {
            StoreError::Sqlite(source) | StoreError::Migration { source, .. } if is_damage(&source) => {
                StoreError::NotADatabase { path: path.clone() }
            }
            other => other,
        };
        migrate::ensure_ours(&conn, &path, schema).map_err(damaged)?;
        migrate::migrate(&mut conn, &path, schema).map_err(damaged)?;
        Ok(Store {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path,
            }),
        })
    }

    /// The database file, or `:memory:`.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` inside one read transaction, so every query in it sees the same snapshot
    /// even while another process writes.
    ///
    /// Do not call the store again from inside `f`: the connection is locked (it would wait
    /// forever). Run every query of the closure on the `conn` it receives.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(StoreError::from)?;
        // Dropping the transaction ends it; a read has nothing to commit.
        f(&tx).map_err(|e| e.with_path(&self.inner.path))
    }

    /// Runs `f` inside one IMMEDIATE transaction and commits it; if `f` returns an error (or
    /// panics) everything it did is rolled back.
    ///
    /// IMMEDIATE takes the write lock at the start, so waiting for another writer happens
    /// inside `busy_timeout`. A DEFERRED transaction that reads and then writes can instead
    /// fail at once with SQLITE_BUSY when it tries to upgrade its lock.
    /// The same re-entrancy rule as [`Store::read`] applies; `tx` derefs to a `Connection`,
    /// so the read functions take it too.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let run = || -> Result<T> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|e| e.with_path(&self.inner.path))
    }

    /// Locks the connection. A panic inside an earlier closure poisons the mutex, but the
    /// transaction it held was rolled back when it unwound, so the connection is sound:
    /// take it back, after making sure no transaction is left open.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        let conn = self.inner.conn.lock().unwrap_or_else(|poisoned| {
            self.inner.conn.clear_poison();
            poisoned.into_inner()
        });
        if !conn.is_autocommit() {
            if let Err(e) = conn.execute_batch("ROLLBACK") {
                tracing::warn!(error = %e, "could not roll back a transaction left open by a panic");
            }
        }
        conn
    }
}

/// Refuses a non-empty file at `path` that does not start with SQLite's header. A missing
/// or empty file is fine: SQLite makes a new database of it.
fn check_header(path: &Path) -> Result<()> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    file.take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut header)
        .map_err(io)?;
    if header.is_empty() || header == SQLITE_HEADER {
        Ok(())
    } else {
        Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        })
    }
}

fn open_error(path: &Path, source: rusqlite::Error) -> StoreError {
    if is_damage(&source) {
        StoreError::NotADatabase {
            path: path.to_path_buf(),
        }
    } else {
        StoreError::Open {
            path: path.to_path_buf(),
            source,
        }
    }
}
