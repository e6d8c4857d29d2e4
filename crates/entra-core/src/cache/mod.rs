//! The local cache, `<data dir>/cache.sqlite`: rebuilt from Graph, so it can always be thrown
//! away. Three screens read it — App registrations and Credential expiry (the inventory) and
//! Group caches (groups and memberships) — so what they share lives here, below all three,
//! instead of in one of them:
//!
//! - [`open`] and [`blocking`]: the store handle and the one way its blocking calls leave the
//!   async workers (`spawn_blocking`), with [`store_error`]'s wording;
//! - [`refresh_slot`]: one refresh of a cache at a time, and its cancel handle;
//! - [`twins`]: credentials as a person sees them (certificate twins merged), which both the
//!   inventory's detail and the expiry report read;
//! - `orders`: the last order a paged list (the inventory, the expiry report) computed, kept
//!   for the pages that follow it.
//!
//! The lease store is not here: it is a record, not a cache (see `crate::leases`).

pub(crate) mod orders;
pub(crate) mod refresh_slot;
pub mod twins;

use crate::{Error, Result};
use entra_store::{Store, StoreError};
use std::path::Path;

/// The cache's file name in the data folder.
pub const CACHE_FILE: &str = "cache.sqlite";

/// The cache's errors say what to do: it is rebuilt from Graph, so moving it aside loses nothing.
pub(crate) fn store_error(err: StoreError) -> Error {
    Error::storage(format!("The local cache failed: {err}")).with_source(err)
}

/// Runs a blocking store call off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Store) -> std::result::Result<T, StoreError> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| Error::internal(format!("A cache task ended abnormally ({e}): try again")))?
        .map_err(store_error)
}

/// Opens (creating it if needed) the cache in `data_dir`.
pub fn open(data_dir: &Path) -> Result<Store> {
    crate::paths::ensure_dir(data_dir)?;
    Store::open(data_dir.join(CACHE_FILE)).map_err(store_error)
}
