//! Owners of many objects, behind the list: applications through the Graph crate's
//! [`GraphClient::owners_of`] (`$batch`es of 20, several in flight), service principals the
//! same way here (the Graph crate has no service-principal variant yet), each batch stored
//! as it arrives so the screen fills in progressively and a cancelled refresh keeps what
//! it got. An object whose owners cannot be read (e.g. deleted meanwhile) keeps its old
//! owners and is retried by the next refresh.

use super::rows::owner_row;
use super::run::{collection_of, Run, CONCURRENCY};
use super::SyncProgress;
use crate::cache::blocking;
use crate::graph::map_error;
use crate::graph::models::DirectoryObject;
use crate::Result;
use entra_graph::resources::{AppOwners, OwnersStream, OWNER_SELECT};
use entra_graph::{BatchItem, GraphClient, GraphError, GraphRequest, Page, MAX_BATCH_REQUESTS};
use entra_store::queries::apps::{self as q, ObjectType, OwnerRow};
use futures::stream::{self, StreamExt, TryStreamExt};

/// An object whose owners to load.
pub(super) type Target = (String, ObjectType);

/// Loads and stores the owners of `targets`, reporting [`SyncProgress::Owners`].
pub(super) async fn load_owners(run: &Run, targets: Vec<Target>) -> Result<()> {
    let total = targets.len() as u32;
    if total == 0 {
        return Ok(());
    }
    let (apps, sps): (Vec<Target>, Vec<Target>) = targets.into_iter().partition(|(_, t)| *t == ObjectType::Application);
    let app_ids = apps.into_iter().map(|(id, _)| id).collect();
    let sp_ids = sps.into_iter().map(|(id, _)| id).collect();
    let mut batches = stream::select(run.graph.owners_of(app_ids, CONCURRENCY), sp_owners(&run.graph, sp_ids));
    let mut done = 0u32;
    run.emit(SyncProgress::Owners { done, total });
    while let Some(batch) = batches.next().await {
        let batch = batch.map_err(map_error)?;
        done += batch.len() as u32;
        let rows: Vec<(String, Vec<OwnerRow>)> = batch
            .into_iter()
            .filter_map(|o| match o.owners {
                Ok(list) => Some((o.application_id, list.iter().map(owner_row).collect())),
                Err(e) => {
                    tracing::warn!(object = %o.application_id, error = %e, "owners not read; kept the previous ones");
                    None
                }
            })
            .collect();
        blocking(run.apps.store(), move |s| {
            s.write(|tx| {
                for (id, owners) in &rows {
                    q::set_owners(tx, id, owners)?;
                }
                Ok(())
            })
        })
        .await?;
        run.emit(SyncProgress::Owners { done, total });
    }
    Ok(())
}

fn owners_request(object_type: ObjectType, id: &str) -> GraphRequest {
    let path = format!("{}/{}/owners", collection_of(object_type), entra_graph::client::path_segment(id));
    GraphRequest::get(&path).select(OWNER_SELECT)
}

/// Service principals' owners, as [`GraphClient::owners_of`] does for applications.
fn sp_owners(graph: &GraphClient, ids: Vec<String>) -> OwnersStream {
    let chunks: Vec<Vec<String>> = ids.chunks(MAX_BATCH_REQUESTS).map(<[String]>::to_vec).collect();
    let graph = graph.clone();
    let mut failed = false;
    stream::iter(chunks)
        .map(move |chunk| {
            let graph = graph.clone();
            async move { sp_owners_batch(&graph, chunk).await }
        })
        .buffer_unordered(CONCURRENCY)
        // Stop after the first error that is not about one object (as owners_of does).
        .take_while(move |r| {
            let keep = !failed;
            failed |= r.is_err();
            futures::future::ready(keep)
        })
        .boxed()
}

async fn sp_owners_batch(graph: &GraphClient, ids: Vec<String>) -> std::result::Result<Vec<AppOwners>, GraphError> {
    let items = ids.iter().enumerate().map(|(i, id)| BatchItem::new(i.to_string(), &owners_request(ObjectType::ServicePrincipal, id))).collect();
    let answers = graph.batch(items).await?;
    let mut out = Vec::with_capacity(ids.len());
    for (answer, id) in answers.into_iter().zip(ids) {
        let owners = match answer.error() {
            Some(e) => Err(e),
            None => match answer.json::<Page<DirectoryObject>>() {
                Err(e) => Err(e),
                Ok(Page { mut value, next_link, .. }) => match next_link {
                    None => Ok(value),
                    Some(link) => graph.pages_from_link::<DirectoryObject>(link, false).try_collect::<Vec<_>>().await.map(|pages| {
                        value.extend(pages.into_iter().flat_map(|p| p.value));
                        value
                    }),
                },
            },
        };
        if matches!(&owners, Err(GraphError::Cancelled)) {
            return Err(GraphError::Cancelled);
        }
        out.push(AppOwners { application_id: id, owners });
    }
    Ok(out)
}
