//! Entra Desk's local storage: one SQLite file (bundled SQLite, WAL mode) holding caches of
//! what Microsoft Graph returned, so screens open instantly and sync by delta.
//!
//! # Layout
//! - [`Store`] (`store`): opens the file safely (0600, refuses foreign, damaged or newer
//!   files without touching them) and runs closures in read or IMMEDIATE write transactions.
//! - `migrate`: the ordered `migrations/NNNN_name.sql` files, embedded and applied at open.
//! - [`queries`]: one module per group of tables, e.g. [`queries::apps`] (read by the App
//!   registrations and Credential expiry screens). Reads take a `&Connection`, writes a `&Transaction`.
//! - [`meta`]: facts about the store itself ([`meta::store_id`]).
//! - [`queries::expiry_seen`] (migration `0002`): what the last expiry check saw, for
//!   "crossed a window since the last run"; [`queries::scope`]: which tenant the cache holds.
//! - [`leases`]: the lease store's own file (`leases.sqlite`, [`Schema::Leases`]) and the time
//!   text of its columns. Its migrations are here (`migrations/leases/`); the lease port, the
//!   lease types and their SQL are the core's (`entra_core::leases::store`), since this crate
//!   cannot name the core's types.
//! - [`StoreError`]: each message names the problem and the fix, never a row value.
//!
//! ```no_run
//! use entra_store::{queries::apps, Store};
//! let store = Store::open("/tmp/entra-desk/cache.sqlite3")?;
//! let objects = store.read(|conn| apps::list_objects(conn))?;
//! store.write(|tx| apps::remove_objects(tx, ["a-gone-object-id"]))?;
//! # Ok::<(), entra_store::StoreError>(())
//! ```
//! From async code, run these calls in `tokio::task::spawn_blocking` (see [`Store`]).
//!
//! # What is never stored
//! This crate depends on nothing of Entra Desk but `entra-files` (the one policy for files it
//! writes: the database is created owner-only before SQLite opens it) and has its own plain row
//! types. It never receives a secret type: tokens, client secrets, passwords and private
//! keys belong in the OS keychain or in memory. `tests/no_secret_columns.rs` fails when a
//! column name suggests otherwise.
#![deny(missing_docs)]

mod error;
pub mod meta;
pub mod leases;
mod migrate;
pub mod queries;
mod sql;
mod store;

pub use error::{Result, StoreError};
/// The SQLite binding the query functions take, re-exported so callers use the same version.
pub use rusqlite;
pub use rusqlite::{Connection, Transaction};
pub use migrate::Schema;
pub use store::{Store, BUSY_TIMEOUT};

/// The cache schema version this build writes (the number of its migrations).
pub const SCHEMA_VERSION: u32 = migrate::LATEST;
