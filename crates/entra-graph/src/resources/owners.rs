//! Owners of many applications, three ways (measure them against each other):
//!
//! - [`GraphClient::applications_with_owners_expanded`]: `$expand=owners`. Graph caps
//!   such pages at **100** applications (even with `$top=999`) and returns at most
//!   **20** owners per application, so a 21st owner is silently missing.
//! - [`GraphClient::applications_then_owners`]: the list at `$top=999` first, usable
//!   at once; then `/applications/{id}/owners` in `$batch`es of 20, several batches in
//!   flight, delivered batch by batch on a stream. An owners list longer than one
//!   page is completed by following its nextLink.
//! - [`GraphClient::applications_owners_naive`]: default page size and one owners
//!   request per application, one after the other: the baseline of the benchmark.

use crate::batch::BatchItem;
use crate::client::{path_segment, GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{Application, DirectoryObject};
use crate::paging::Page;
use crate::progress::Progress;
use crate::resources::APPLICATION_SELECT;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The `$select` of an owner (users have a UPN and mail, service principals an appId).
pub const OWNER_SELECT: &[&str] = &["id", "displayName", "userPrincipalName", "mail", "appId"];

/// Objects on a page with `$expand=owners`: Graph caps such pages at 100, whatever `$top` says.
pub const EXPANDED_PAGE: u32 = 100;

/// Owners Graph returns per object with `$expand=owners`: an object with this many may have
/// more, and needs its `/owners` read to be sure.
pub const EXPANDED_OWNERS_CAP: usize = 20;

fn expand_owners() -> String {
    format!("owners($select={})", OWNER_SELECT.join(","))
}

/// The owners of one application.
#[derive(Debug)]
pub struct AppOwners {
    /// The application's object ID.
    pub application_id: String,
    /// Its owners, or why they could not be read (e.g. the app was deleted meanwhile).
    pub owners: Result<Vec<DirectoryObject>, GraphError>,
}

/// Owners batch by batch (up to 20 applications per item), in completion order.
/// Ends after the first error that is not about one application.
pub type OwnersStream = BoxStream<'static, Result<Vec<AppOwners>, GraphError>>;

fn owners_request(application_id: &str) -> GraphRequest {
    GraphRequest::get(&format!("applications/{}/owners", path_segment(application_id))).select(OWNER_SELECT)
}

impl GraphClient {
    /// Strategy (a): applications with `$expand=owners(...)`, 100 per page.
    pub fn applications_with_owners_expanded(&self) -> BoxStream<'static, Result<Application, GraphError>> {
        self.items(GraphRequest::get("applications").select(APPLICATION_SELECT).expand(&expand_owners()).top(EXPANDED_PAGE))
    }

    /// Service principals with `$expand=owners(...)`, 100 per page (each with at most 20 owners).
    pub fn service_principals_with_owners_expanded(&self) -> BoxStream<'static, Result<crate::models::ServicePrincipal, GraphError>> {
        let select = crate::resources::SERVICE_PRINCIPAL_SELECT;
        self.items(GraphRequest::get("servicePrincipals").select(select).expand(&expand_owners()).top(EXPANDED_PAGE))
    }

    /// Strategy (b): all applications first (`$top=999`), then a stream of their owners fetched in
    /// `$batch`es of 20 with `concurrency` batches in flight.
    pub async fn applications_then_owners(&self, concurrency: usize) -> Result<(Vec<Application>, OwnersStream), GraphError> {
        let applications: Vec<Application> = self.list_applications().try_collect().await?;
        let ids: Vec<String> = applications.iter().map(|a| a.id.clone()).collect();
        Ok((applications, self.owners_of(ids, concurrency)))
    }

    /// The owners of these applications, in `$batch`es of 20 with `concurrency` batches in flight.
    pub fn owners_of(&self, application_ids: Vec<String>, concurrency: usize) -> OwnersStream {
        let total = application_ids.len();
        let done = Arc::new(AtomicUsize::new(0));
        let chunks: Vec<Vec<String>> = application_ids.chunks(crate::MAX_BATCH_REQUESTS).map(<[String]>::to_vec).collect();
        let client = self.clone();
        let batches = stream::iter(chunks).map(move |chunk| {
            let (client, done) = (client.clone(), done.clone());
            async move {
                let owners = client.owners_batch(chunk).await?;
                let done = done.fetch_add(owners.len(), Ordering::Relaxed) + owners.len();
                client.report(Progress::OwnersFetched { done, total });
                Ok(owners)
            }
        });
        let mut failed = false;
        batches
            .buffer_unordered(concurrency.max(1))
            .take_while(move |r: &Result<Vec<AppOwners>, GraphError>| {
                let keep = !failed;
                failed |= r.is_err();
                futures::future::ready(keep)
            })
            .boxed()
    }

    async fn owners_batch(&self, application_ids: Vec<String>) -> Result<Vec<AppOwners>, GraphError> {
        let items = application_ids.iter().enumerate().map(|(i, id)| BatchItem::new(i.to_string(), &owners_request(id))).collect();
        let responses = self.batch(items).await?;
        let mut out = Vec::with_capacity(responses.len());
        for (response, application_id) in responses.into_iter().zip(application_ids) {
            let owners = match response.error() {
                Some(e) => Err(e),
                None => match response.json::<Page<DirectoryObject>>() {
                    Err(e) => Err(e),
                    Ok(Page { value, next_link: None, .. }) => Ok(value),
                    Ok(Page { mut value, next_link: Some(link), .. }) => {
                        let rest: Result<Vec<Page<DirectoryObject>>, GraphError> = self.pages_from_link(link, false).try_collect().await;
                        rest.map(|pages| {
                            value.extend(pages.into_iter().flat_map(|p| p.value));
                            value
                        })
                    }
                },
            };
            if matches!(&owners, Err(GraphError::Cancelled)) {
                return Err(GraphError::Cancelled);
            }
            out.push(AppOwners { application_id, owners });
        }
        Ok(out)
    }

    /// The naive baseline: applications at the default page size, then one owners request per application, in turn.
    /// A failed owners request is kept on its application; cancellation stops the whole call.
    pub async fn applications_owners_naive(&self) -> Result<(Vec<Application>, Vec<AppOwners>), GraphError> {
        let applications: Vec<Application> = self.collect_all(GraphRequest::get("applications").select(APPLICATION_SELECT)).await?;
        let mut out = Vec::with_capacity(applications.len());
        for application in &applications {
            let owners = self.collect_all(owners_request(&application.id)).await;
            if matches!(&owners, Err(GraphError::Cancelled)) {
                return Err(GraphError::Cancelled);
            }
            out.push(AppOwners { application_id: application.id.clone(), owners });
            self.report(Progress::OwnersFetched { done: out.len(), total: applications.len() });
        }
        Ok((applications, out))
    }
}
