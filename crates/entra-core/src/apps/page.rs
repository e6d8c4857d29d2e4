//! [`Apps::page`]: one page of the inventory, searched, filtered and sorted by the cache
//! (`entra_store::queries::apps::object_order`), with the cache's state beside it ("as of",
//! stale, how many objects in all). Only the page's rows are read and shaped, so a screen of a
//! 50,000-object tenant costs a page, never the whole inventory; the order is kept for the
//! pages that follow (`crate::cache::orders`), so scrolling does not sort again.

use super::rows::app_row;
use super::{Apps, AppsPage, AppsQuery, APPS_SORT_KEYS};
use crate::cache::blocking;
use crate::cache::orders::{slice, Order};
use crate::Result;
use chrono::{DateTime, Utc};
use entra_store::queries::apps::{self as q, ObjectFilter, ObjectQuery, ObjectSort, SyncCollection, SyncState};
use std::sync::Arc;

impl Apps {
    /// One page of the inventory, from the cache only (never the network). The search looks in
    /// the display name and the application (client) ID, case-insensitively; the sort keys are
    /// [`APPS_SORT_KEYS`] (another is `invalid_input`).
    pub async fn page(&self, query: &AppsQuery) -> Result<AppsPage> {
        let now = self.now();
        let sort = match query.list.sort_key(APPS_SORT_KEYS)? {
            "type" => ObjectSort::Type,
            "appId" => ObjectSort::AppId,
            "audience" => ObjectSort::Audience,
            "created" => ObjectSort::Created,
            "credentials" => ObjectSort::Credentials,
            "nextExpiry" => ObjectSort::NextExpiry,
            _ => ObjectSort::Name,
        };
        let filter = ObjectFilter {
            search: query.list.search_text().map(String::from),
            object_type: query.object_type,
            audience: query.audience.clone().filter(|a| !a.is_empty()),
            expired_by: query.expired.then_some(now),
            no_owner: query.no_owner,
        };
        // The question without its time: an order is reused within its age (see `orders`).
        let key = format!(
            "{:?} {:?} {:?} {} {} {sort:?} {}",
            filter.search, filter.object_type, filter.audience, query.expired, query.no_owner, query.list.descending
        );
        let asked = ObjectQuery { filter, sort, descending: query.list.descending, now };
        let (start, limit) = (query.list.start, query.list.rows());
        let mut kept = self.shared.order.lock().await;
        let previous = kept.clone();
        let (order, objects, count, apps, sps) = blocking(self.store(), move |s| {
            s.read(|c| {
                let stamp = q::change_stamp(c)?;
                let order = match previous.filter(|o| o.answers(&key, stamp, now)) {
                    Some(order) => order,
                    None => Order { key, stamp, made: now, rows: Arc::new(q::object_order(c, &asked)?) },
                };
                let objects = q::objects_at(c, slice(&order.rows, start, limit))?;
                Ok((
                    order,
                    objects,
                    q::count_objects(c)?,
                    q::sync_state(c, SyncCollection::Applications)?,
                    q::sync_state(c, SyncCollection::ServicePrincipals)?,
                ))
            })
        })
        .await?;
        let total = order.rows.len() as u64;
        *kept = Some(order);
        drop(kept);
        let rows = objects.iter().map(|o| app_row(o, now)).collect();
        let (as_of, stale) = self.cache_state(count, apps, sps, now);
        Ok(AppsPage { page: query.list.page(rows, total), objects: count, as_of, stale })
    }

    /// "As of" (the older of the two collections' syncs) and whether the cache is stale: empty,
    /// never synced, or older than the refresh interval.
    fn cache_state(
        &self,
        objects: u64,
        apps: Option<SyncState>,
        sps: Option<SyncState>,
        now: DateTime<Utc>,
    ) -> (Option<DateTime<Utc>>, bool) {
        let as_of = match (apps, sps) {
            (Some(a), Some(s)) => Some(a.as_of.min(s.as_of)),
            _ => None,
        };
        let stale = objects == 0 || as_of.is_none_or(|t| now - t > self.refresh_interval);
        (as_of, stale)
    }
}
