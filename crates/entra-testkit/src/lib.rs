//! Entra Desk's test helpers: what more than one test crate needs, written once. Dev-only: a
//! `[dev-dependencies]` entry of the crates that use it (and a dependency of the end-to-end
//! harness, itself a test crate); a tidy test fails when a shipped crate depends on it.
//!
//! - [`files_under`] (`walk`): every regular file under a folder, at any depth, symbolic links
//!   not followed; SQLite files and their `-wal`/`-shm` included.
//! - [`assert_nothing_secret_under`] (`scan`): the "nothing secret on disk" check — every file
//!   read as bytes and searched for the given secrets ([`Needle`]s, each with a name) and for
//!   anything shaped like a JWT; a failure names the file and the kind of secret, never its value.
//! - [`postgres::Cluster`] (`postgres`, unix only): a throwaway PostgreSQL cluster in a temporary
//!   folder, on a free loopback port and a unix socket, stopped and removed on drop — for the tests
//!   that need the real server (the team lease store's).
//!
//! The crate's own tests also hold the repository's tidy checks that are not about one crate
//! (`tests/tidy.rs`: file sizes, ARCHITECTURE.md's code map, this crate staying dev-only).
//!
//! ```no_run
//! use entra_testkit::{assert_nothing_secret_under, Needle};
//! # let (data_dir, refresh_token) = (std::path::Path::new("/tmp/data"), "0.AAAA…");
//! let scan = assert_nothing_secret_under(data_dir, &[Needle::new("the refresh token", refresh_token)]);
//! assert!(scan.has_file("cache.sqlite"), "the cache was written, and read: {:?}", scan.files);
//! ```

#![deny(missing_docs)]

#[cfg(unix)]
pub mod postgres;
mod scan;
mod walk;

pub use scan::{assert_nothing_secret_under, find_jwt, holds_a_jwt, scan, search, Encoding, Finding, Needle, Scan, JWT};
pub use walk::{files_under, files_under_except};
