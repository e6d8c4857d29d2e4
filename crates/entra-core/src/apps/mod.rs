//! The App registrations screen's service, [`Apps`]: every app registration and service
//! principal, read from the local SQLite cache (`<data dir>/cache.sqlite`) with an "as of"
//! time, and refreshed from Microsoft Graph on request.
//!
//! - [`Apps::page`] and [`Apps::detail`] read only the cache: the screen opens at once and
//!   works offline; `stale` says when a refresh is due. A page is searched, filtered, sorted
//!   and counted by SQLite (`page`), so the screen holds one page of the inventory.
//! - [`Apps::refresh`] (in `sync`) reads everything the first time (or when asked), then
//!   only the changes through the stored delta links; owners load behind the list (`owners`).
//! - `rows` shapes Graph's objects into cache rows and cache rows into the screen's; it
//!   also merges certificate twins (used by [`crate::credentials`] too). `portal` knows the
//!   admin center's URLs and the names of well-known APIs; `types` holds what the service returns.
//!
//! Every SQLite call runs on `spawn_blocking`; every write is one transaction, so a
//! cancelled or failed refresh leaves the cache as it was after its last completed step.

mod owners;
mod page;
mod run;
pub mod portal;
pub mod rows;
mod sync;
mod types;

pub use crate::cache::twins::Credential;
pub use types::*;

use crate::clock::{Clock, SystemClock};
use crate::{Desk, Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use entra_store::queries::apps as q;
use crate::cache::{blocking, open as open_store};
use entra_store::Store;
use std::path::Path;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub use entra_store::queries::apps::{CredentialType, ObjectType};

/// How old the cache may get before the screen calls it stale.
pub const DEFAULT_REFRESH_INTERVAL: chrono::Duration = chrono::Duration::minutes(30);

struct Shared {
    desk: Desk,
    store: Store,
    /// One refresh at a time, and its cancel handle for [`Apps::cancel_refresh`].
    refresh: crate::cache::refresh_slot::RefreshSlot,
    /// The list's last order, for the pages after the first (`page`).
    order: crate::cache::orders::KeptOrder,
}

/// The App registrations screen's service. See the module doc. A cheap `Clone`.
#[derive(Clone)]
pub struct Apps {
    shared: Arc<Shared>,
    refresh_interval: chrono::Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Apps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apps").field("store", &self.shared.store).finish_non_exhaustive()
    }
}

impl Apps {
    /// The service over the cache `<data_dir>/cache.sqlite` (created if missing).
    pub fn open(desk: Desk, data_dir: &Path) -> Result<Apps> {
        Ok(Apps::new(desk, open_store(data_dir)?))
    }

    /// The service over an open store.
    pub fn new(desk: Desk, store: Store) -> Apps {
        let shared = Shared { desk, store, refresh: Default::default(), order: Default::default() };
        Apps { shared: Arc::new(shared), refresh_interval: DEFAULT_REFRESH_INTERVAL, clock: Arc::new(SystemClock) }
    }

    /// The age after which the cache is stale (default 30 minutes).
    pub fn with_refresh_interval(mut self, interval: chrono::Duration) -> Apps {
        self.refresh_interval = interval;
        self
    }

    /// The clock "stale" and credential days are judged by (tests move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Apps {
        self.clock = clock;
        self
    }

    /// The cache.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub(crate) fn desk(&self) -> &Desk {
        &self.shared.desk
    }

    /// One object's detail, from the cache.
    pub async fn detail(&self, id: &str) -> Result<AppDetail> {
        let row = self.cached(id).await?;
        Ok(rows::app_detail(&row, self.clock.now()))
    }

    /// The object's page in the Entra admin center (the shell opens it in the browser).
    pub async fn portal_url(&self, id: &str) -> Result<String> {
        let row = self.cached(id).await?;
        Ok(portal::portal_url(row.object_type, &row.id, &row.app_id))
    }

    async fn cached(&self, id: &str) -> Result<q::ObjectRow> {
        crate::ids::check_object_id(id, "app registration or service principal")?;
        let key = id.to_string();
        blocking(self.store(), move |s| s.read(|c| q::get_object(c, &key))).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidInput,
                format!("No app registration or service principal `{id}` in the local cache: refresh the list, it may have been deleted"),
            )
        })
    }

    /// Brings the cache up to date from Graph as `account_id`: a full read the first time,
    /// when `full`, or when the stored delta links are refused; otherwise the changes since
    /// the last refresh. `progress` is told each step; `cancel` (or [`Apps::cancel_refresh`])
    /// stops it with [`ErrorCode::Cancelled`], leaving the cache as the last completed step left it.
    pub async fn refresh(
        &self,
        account_id: &str,
        full: bool,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
        cancel: CancellationToken,
    ) -> Result<SyncSummary> {
        let _turn = self.shared.refresh.turn().await;
        let result = self.shared.refresh.run(&cancel, |token| sync::run(self, account_id, full, progress, token)).await;
        self.desk().explained(account_id, &[crate::permissions::READ_APPS], result).await
    }

    /// Cancels the refresh in progress; returns whether there was one.
    pub fn cancel_refresh(&self) -> bool {
        self.shared.refresh.cancel()
    }

    /// Re-reads one object from Graph and writes it to the cache (deleting it if Graph no
    /// longer has it); its owners stay as they were. Used after a change made through Graph.
    pub(crate) async fn reload_object(&self, graph: &crate::graph::GraphClient, object_id: &str, object_type: ObjectType) -> Result<()> {
        let now = self.now();
        let path = format!("{}/{}", run::collection_of(object_type), entra_graph::client::path_segment(object_id));
        let (select, id) = (match object_type {
            ObjectType::Application => entra_graph::resources::APPLICATION_SELECT,
            ObjectType::ServicePrincipal => entra_graph::resources::SERVICE_PRINCIPAL_SELECT,
        }, object_id.to_string());
        let answer = graph.send::<serde_json::Value>(&entra_graph::GraphRequest::get(&path).select(select)).await;
        let row = match answer {
            Err(e) if e.status() == Some(404) => None,
            Err(e) => return Err(crate::graph::map_error(e)),
            Ok(value) => Some(match object_type {
                ObjectType::Application => serde_json::from_value(value).map(|a| rows::application_row(a, now)),
                ObjectType::ServicePrincipal => serde_json::from_value(value).map(|s| rows::service_principal_row(s, now)),
            }
            .map_err(|e| Error::new(ErrorCode::Graph, format!("Graph sent {path} in a shape we cannot read ({e})")))?),
        };
        blocking(self.store(), move |s| {
            s.write(|tx| match row {
                Some(row) => q::upsert_objects(tx, std::slice::from_ref(&row)).map(drop),
                None => q::remove_objects(tx, [id]).map(drop),
            })
        })
        .await
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_is_send_sync_and_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Apps>();
    }
}
