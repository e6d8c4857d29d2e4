//! The Credential expiry screen's service, [`Credentials`]: every client secret and
//! certificate of the cached app registrations and service principals judged against the
//! expiry windows (`expiry`), the screen's pages of that report (`page`, searched, filtered,
//! sorted and counted in SQLite), exports (`export`), rotating and removing a secret
//! (`rotate`), and what crossed a window since the last run (`crossings`).
//!
//! It shares the [`Apps`] service's cache and desk: reports are offline (as fresh as the
//! last refresh, see `as_of`); rotation and removal go to Graph and then update the cache.

pub mod crossings;
pub mod expiry;
pub mod export;
pub mod page;
pub mod rotate;

use crate::apps::{Apps, ObjectType};
use crate::cache::blocking;
use crate::Result;
use chrono::{DateTime, Utc};
use entra_store::queries::apps::{self as q, SyncCollection};
use std::path::Path;

pub use crossings::Crossing;
pub use expiry::{validate_windows, ExpiringCredential, ExpiryReport, ExpiryStatus, DEFAULT_WINDOWS};
pub use export::{ExportFormat, ExportResult};
pub use page::{CredentialsPage, CredentialsQuery, ExpiryChart, ExpirySummary, WindowCount, CREDENTIALS_SORT_KEYS};
pub use rotate::RotatedSecret;

/// The Credential expiry screen's service. See the module doc. A cheap `Clone`.
#[derive(Debug, Clone)]
pub struct Credentials {
    apps: Apps,
    /// The report's last order, for the pages after the first (`page`).
    order: std::sync::Arc<crate::cache::orders::KeptOrder>,
}

impl Credentials {
    /// The service over the inventory cache of `apps`.
    pub fn new(apps: Apps) -> Credentials {
        Credentials { apps, order: Default::default() }
    }

    /// Every credential judged at `now` against `windows` (days; default 7, 30, 90; each
    /// 1..=3650), soonest end first. Reads the cache only, and all of it: for exports,
    /// crossings and `entractl`; the screen reads a page at a time ([`Credentials::page`]).
    pub async fn report(&self, windows: Option<Vec<u32>>, now: DateTime<Utc>) -> Result<ExpiryReport> {
        let windows = validate_windows(windows)?;
        let (objects, apps, sps) = blocking(self.apps.store(), |s| {
            s.read(|c| {
                Ok((
                    q::list_objects(c)?,
                    q::sync_state(c, SyncCollection::Applications)?,
                    q::sync_state(c, SyncCollection::ServicePrincipals)?,
                ))
            })
        })
        .await?;
        let as_of = match (apps, sps) {
            (Some(a), Some(s)) => Some(a.as_of.min(s.as_of)),
            _ => None,
        };
        Ok(ExpiryReport { rows: expiry::rows(&objects, &windows, now), windows, as_of, now })
    }

    /// Writes the report as `format` into `dir` (default: the Downloads folder, else
    /// `<data dir>/exports`), named with a timestamp. Returns the file and its credential count.
    pub async fn export(&self, windows: Option<Vec<u32>>, format: ExportFormat, dir: Option<&Path>, now: DateTime<Utc>) -> Result<ExportResult> {
        let dir = dir.map(Path::to_path_buf).unwrap_or_else(|| export::default_dir(self.apps.desk().data_dir()));
        self.export_to(windows, format, &dir.join(export::file_name(format, now)), now).await
    }

    /// Writes the report as `format` to `path`, a file the admin chose in the save dialog.
    pub async fn export_to(&self, windows: Option<Vec<u32>>, format: ExportFormat, path: &Path, now: DateTime<Utc>) -> Result<ExportResult> {
        let report = self.report(windows, now).await?;
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || export::write_to(&report, format, &path))
            .await
            .map_err(|e| crate::Error::internal(format!("The export task ended abnormally ({e}): try again")))?
    }

    /// Adds a client secret valid `lifetime_days` (1..=730) to the object as `account_id`
    /// and updates the cache. The secret is in the result once; see [`RotatedSecret::warning`].
    pub async fn rotate(&self, account_id: &str, object_id: &str, object_type: ObjectType, lifetime_days: u32) -> Result<RotatedSecret> {
        rotate::rotate(&self.apps, account_id, object_id, object_type, lifetime_days).await
    }

    /// Removes the client secret `key_id` from the object as `account_id` and updates the cache.
    pub async fn remove(&self, account_id: &str, object_id: &str, object_type: ObjectType, key_id: &str) -> Result<()> {
        rotate::remove(&self.apps, account_id, object_id, object_type, key_id).await
    }

    /// Credentials that expired or moved into a smaller window since the previous call, which
    /// this call records (see [`crossings`] for the rules; the first call returns nothing).
    pub async fn crossings(&self, windows: Option<Vec<u32>>, now: DateTime<Utc>) -> Result<Vec<Crossing>> {
        let report = self.report(windows, now).await?;
        crossings::check(self.apps.store(), report.rows, now).await
    }
}
