#![deny(missing_docs)]
//! Entra Desk's team lease store: entra-core's [`LeaseStore`](entra_core::leases::LeaseStore)
//! port over PostgreSQL, so a team shares one store of leases (SQLite's `leases.sqlite` is the
//! embedded default; see entra-core's `leases::store` for the port's contract).
//!
//! # Code map
//! - `address`: [`TeamStoreAddress`], the URL an admin writes, and the TLS policy it decides
//!   (verify-full on the network, always; plain only on a socket or loopback).
//! - `password`: [`DatabasePassword`], asked again for every new connection (keychain,
//!   `ENTRA_DESK_LEASE_STORE_PASSWORD`, or an Entra token for Azure).
//! - `tls`, `pool`: the rustls client, and the connections (a deadpool manager of our own).
//! - `store`: [`PgLeaseStore`] — connect, check, and the transactions (fenced on a leader's copy).
//! - `port`: the port's methods; `leases` (definitions and leases, their columns), `audit` (the
//!   hash-chained log, one order across members), `leader` (the maintenance leadership),
//!   `notify` (LISTEN/NOTIFY change announcements), `moving` (export and import), `lists` (a
//!   page of leases or audit lines, searched, filtered, sorted and counted in SQL).
//! - `init`: the schema (refinery migrations in `migrations/`), the grants that
//!   make a role a member, [`init_sql`] and [`init()`].
//! - `errors`: tokio-postgres' failures in the core's words, with stable codes.
//! - [`host`]: the one way the app and `entractl` open the chosen store ([`host::open_leases`]),
//!   and the app's [`host::LeasesHost`]: the service over the chosen store, its maintenance, its
//!   change announcements, and the switch between stores.
//!
//! # Invariants
//! - No secret is in an error, a log, a `Debug` or a URL: a URL with a password is refused, the
//!   password lives only in the connection attempt that uses it.
//! - The audit log cannot be rewritten by a member (INSERT and SELECT only), nor by the owner
//!   without dropping its triggers first; what is inserted by hand breaks the hash chain, which
//!   every member verifies the same way (entra-core's `chain`).

mod address;
mod audit;
mod errors;
pub mod host;
mod init;
mod leader;
mod leases;
mod lists;
mod moving;
mod notify;
mod password;
mod pool;
mod port;
mod store;
mod tls;

pub use address::TeamStoreAddress;
pub use init::{init, init_sql, InitReport};
pub use password::{DatabasePassword, ENTRA_DATABASE_SCOPE};
pub use store::{PgLeaseStore, DEFAULT_POOL_SIZE};
