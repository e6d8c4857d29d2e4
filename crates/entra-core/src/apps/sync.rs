//! [`Apps::refresh`]'s work: a full read or a delta round, and the bookkeeping around them.
//!
//! # Full read
//! 1. A delta link for each collection *first* (`/…/delta?$deltatoken=latest`): a change
//!    made while we list is then seen by the next delta (applying it twice is harmless);
//!    taken after the list, it would be lost.
//! 2. `/applications` and `/servicePrincipals` with the screens' `$select` and
//!    `$expand=owners` (100 objects a page, at most 20 owners each), stored with
//!    `replace_all`, their owners and both sync states in one transaction → `ListReady`.
//!    Chosen by Graph's resource units, not round trips (REFERENCE §6: GET applications 2,
//!    `$select` −1, `$expand` +1; any other read 1): a page of 100 objects with their owners
//!    costs 2 units, where owners read per object (even 20 to a `$batch`, which saves round
//!    trips, not units) cost 1 unit each. At 50,000 applications that is about 1,000 units
//!    plus one per object at the owner cap, instead of 50,050 — the budget an admin's other
//!    tools share for a minute. Only a tenant where nearly every object has 20 owners or more
//!    would make the batches cheaper.
//!    A provider that refuses `$expand` gets the list at `$top=999` and every object's owners
//!    in `$batch`es instead.
//! 3. Owners, in `$batch`es (`owners`), stored batch by batch: only the objects whose
//!    expanded owners hit Graph's cap of 20 (they may have more).
//!
//! # Delta
//! Both stored delta links are followed to their new links before anything is written. A
//! link Graph refuses (410 `syncStateNotFound` after 7 days, or 400 for one it cannot read)
//! makes this a full read, by itself. Changed objects are re-read in `$batch`es with the full
//! `$select` (a delta page may carry only what changed), removed ones are deleted, and the
//! new links are stored, in one transaction. Owners are then reloaded for the changed objects
//! and for any whose owners an earlier, cancelled refresh did not get to.
//!
//! A cache filled for another tenant or Graph URL is read in full (the scope in `meta`).

use super::owners::{load_owners, Target};
use super::run::{Run, CONCURRENCY};
use super::rows::{application_row, owner_row, service_principal_row};
use super::{Apps, SyncProgress, SyncSummary};
use crate::cache::blocking;
use crate::graph::map_error;
use crate::graph::models::{Application, DeltaEntry, ServicePrincipal};
use crate::{ErrorCode, Result};
use entra_graph::progress::RetryReason;
use entra_graph::resources::{APPLICATION_SELECT, EXPANDED_OWNERS_CAP, SERVICE_PRINCIPAL_SELECT};
use entra_graph::{BatchItem, GraphClient, GraphError, GraphRequest, Page, Progress};
use entra_store::queries::apps::{self as q, ObjectRow, SyncCollection};
use entra_store::queries::scope;
use futures::{StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio_util::sync::CancellationToken;

/// Runs the refresh, forwarding its events to `progress` on this task as they come.
pub(super) async fn run(
    apps: &Apps,
    account_id: &str,
    full: bool,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
    cancel: CancellationToken,
) -> Result<SyncSummary> {
    let account = apps.desk().account(Some(account_id))?;
    let (events, mut received) = unbounded_channel();
    let requests = Arc::new(AtomicU32::new(0));
    let graph = apps.desk().graph(account_id)?.with_cancellation(cancel).with_progress(sink(events.clone(), requests.clone()));
    let run = Run {
        apps: apps.clone(),
        graph,
        events,
        requests,
        started: Instant::now(),
        scope: format!("{} {}", account.tenant_id, account.graph_url),
    };
    let work = refresh(&run, full);
    tokio::pin!(work);
    loop {
        tokio::select! {
            biased;
            Some(event) = received.recv() => progress(event),
            result = &mut work => {
                while let Ok(event) = received.try_recv() {
                    progress(event);
                }
                return result;
            }
        }
    }
}

/// Graph's progress events → the screen's, counting requests on the way.
fn sink(events: UnboundedSender<SyncProgress>, requests: Arc<AtomicU32>) -> entra_graph::ProgressSink {
    Arc::new(move |p: Progress| {
        let event = match p {
            Progress::PageFetched { resource, total, .. } => {
                requests.fetch_add(1, Ordering::Relaxed);
                let resource = resource.trim_end_matches("/delta");
                let collection = ["applications", "servicePrincipals"].into_iter().find(|c| resource.ends_with(&format!("/{c}")));
                collection.map(|c| SyncProgress::Page { collection: c.to_string(), items: total as u32 })
            }
            Progress::BatchDone { .. } => {
                requests.fetch_add(1, Ordering::Relaxed);
                None
            }
            Progress::Retrying { attempt, reason, .. } => {
                let reason = match reason {
                    RetryReason::Status(s) => format!("HTTP {s}"),
                    RetryReason::Transport => "no answer".to_string(),
                    RetryReason::BatchItems { count } => format!("{count} throttled $batch items"),
                    other => format!("{other:?}"),
                };
                Some(SyncProgress::Retrying { attempt, reason })
            }
            Progress::WaitingOnThrottle { wait } => Some(SyncProgress::Throttled { seconds: wait.as_secs_f64() }),
            _ => None,
        };
        if let Some(event) = event {
            let _ = events.send(event);
        }
    })
}

async fn refresh(run: &Run, full: bool) -> Result<SyncSummary> {
    let (stored_scope, apps_state, sps_state) = blocking(run.apps.store(), |s| {
        s.read(|c| Ok((scope::apps_scope(c)?, q::sync_state(c, SyncCollection::Applications)?, q::sync_state(c, SyncCollection::ServicePrincipals)?)))
    })
    .await?;
    let links = match (apps_state.and_then(|s| s.delta_link), sps_state.and_then(|s| s.delta_link)) {
        (Some(a), Some(s)) if !full && stored_scope.as_deref() == Some(run.scope.as_str()) => Some((a, s)),
        _ => None,
    };
    let Some((apps_link, sps_link)) = links else {
        return full_read(run).await;
    };
    let rounds = futures::try_join!(delta_round::<Application>(&run.graph, apps_link), delta_round::<ServicePrincipal>(&run.graph, sps_link));
    match rounds {
        Ok((apps, sps)) => apply_delta(run, apps, sps).await,
        Err(e) if e.is_delta_link_refused() => {
            tracing::info!(status = ?e.status(), "Graph refused the stored delta link; reading everything");
            full_read(run).await
        }
        Err(e) => Err(map_error(e)),
    }
}

async fn full_read(run: &Run) -> Result<SyncSummary> {
    let (apps_link, sps_link) = futures::join!(
        latest_link(&run.graph, "applications", APPLICATION_SELECT),
        latest_link(&run.graph, "servicePrincipals", SERVICE_PRINCIPAL_SELECT)
    );
    let (apps_link, sps_link) = (apps_link?, sps_link?);
    let expanded = futures::try_join!(
        run.graph.applications_with_owners_expanded().try_collect::<Vec<Application>>(),
        run.graph.service_principals_with_owners_expanded().try_collect::<Vec<ServicePrincipal>>()
    );
    let now = run.apps.now();
    let (app_rows, sp_rows) = match expanded {
        Ok((apps, sps)) => (
            apps.into_iter().map(|mut a| with_owners(a.owners.take(), application_row(a, now), now)).collect::<Vec<_>>(),
            sps.into_iter().map(|mut s| with_owners(s.owners.take(), service_principal_row(s, now), now)).collect::<Vec<_>>(),
        ),
        Err(e) if e.status() == Some(400) => {
            tracing::info!(code = e.graph_code(), "Graph refused $expand=owners; listing, then reading owners in batches");
            let (apps, sps): (Vec<Application>, Vec<ServicePrincipal>) =
                futures::try_join!(run.graph.list_applications().try_collect(), run.graph.list_service_principals().try_collect()).map_err(map_error)?;
            (apps.into_iter().map(|a| application_row(a, now)).collect(), sps.into_iter().map(|s| service_principal_row(s, now)).collect())
        }
        Err(e) => return Err(map_error(e)),
    };
    // Owners still to read: every object without them (the batch path), or whose expanded
    // list hit the cap.
    let targets: Vec<Target> = app_rows.iter().chain(&sp_rows).filter(|o| o.owners.is_none()).map(|o| (o.id.clone(), o.object_type)).collect();
    let changed = (app_rows.len() + sp_rows.len()) as u32;
    let states = [run.state(SyncCollection::Applications, apps_link, true, now), run.state(SyncCollection::ServicePrincipals, sps_link, true, now)];
    let scope_text = run.scope.clone();
    let removed = blocking(run.apps.store(), move |s| {
        s.write(|tx| {
            let removed = q::replace_all(tx, SyncCollection::Applications, &app_rows)? + q::replace_all(tx, SyncCollection::ServicePrincipals, &sp_rows)?;
            for state in &states {
                q::set_sync_state(tx, state)?;
            }
            scope::set_apps_scope(tx, &scope_text)?;
            Ok(removed)
        })
    })
    .await?;
    run.emit(SyncProgress::ListReady { rows: changed });
    load_owners(run, targets).await?;
    Ok(summary(run, true, changed, removed as u32, now))
}

/// A listed object with the owners `$expand` gave it, unless they hit Graph's cap of 20 (then
/// they stay unread, for `load_owners`).
fn with_owners(owners: Option<Vec<crate::graph::models::DirectoryObject>>, mut row: ObjectRow, now: chrono::DateTime<chrono::Utc>) -> ObjectRow {
    if let Some(owners) = owners.filter(|o| o.len() < EXPANDED_OWNERS_CAP) {
        row.owners = Some(owners.iter().map(owner_row).collect());
        row.owners_loaded_at = Some(now);
    }
    row
}

fn summary(run: &Run, full: bool, changed: u32, removed: u32, as_of: chrono::DateTime<chrono::Utc>) -> SyncSummary {
    SyncSummary {
        full,
        changed,
        removed,
        requests: run.requests.load(Ordering::Relaxed),
        duration_ms: run.started.elapsed().as_millis() as u64,
        as_of,
    }
}

/// A delta link that starts from now, without reading the collection. Best effort: if Graph
/// will not give one, the next refresh is a full read again.
async fn latest_link(graph: &GraphClient, collection: &str, select: &[&str]) -> Result<Option<String>> {
    let request = GraphRequest::get(&format!("{collection}/delta")).select(select).query("$deltatoken", "latest");
    let mut pages = graph.pages::<serde_json::Value>(request);
    match pages.next().await {
        Some(Ok(page)) if page.delta_link.is_some() => Ok(page.delta_link),
        Some(Err(e)) if e.is_cancelled() => Err(map_error(e)),
        Some(Err(e)) => {
            tracing::warn!(collection, error = %e, "no delta link from Graph; the next refresh reads everything");
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// What one delta round says: the last word on each object, and the new link.
struct Round {
    changed: Vec<String>,
    removed: Vec<String>,
    link: String,
}

async fn delta_round<T: DeserializeOwned + Send + 'static + HasId>(graph: &GraphClient, link: String) -> std::result::Result<Round, GraphError> {
    let mut pages = graph.pages_from_link::<DeltaEntry<T>>(link, false);
    let mut last: HashMap<String, bool> = HashMap::new();
    let mut order = Vec::new();
    while let Some(page) = pages.try_next().await? {
        let Page { value, delta_link, .. } = page;
        for entry in value {
            let (id, present) = match entry {
                DeltaEntry::Changed(o) => (o.object_id().to_string(), true),
                DeltaEntry::Removed { id, .. } => (id, false),
            };
            if id.is_empty() {
                continue;
            }
            if last.insert(id.clone(), present).is_none() {
                order.push(id);
            }
        }
        if let Some(link) = delta_link {
            let (changed, removed) = order.into_iter().partition(|id| last[id]);
            return Ok(Round { changed, removed, link });
        }
    }
    Err(GraphError::Decode {
        what: "GET delta".into(),
        path: "@odata.deltaLink".into(),
        message: "the last page carried neither a nextLink nor a deltaLink".into(),
        request_id: None,
        client_request_id: None,
    })
}

trait HasId {
    fn object_id(&self) -> &str;
}
impl HasId for Application {
    fn object_id(&self) -> &str {
        &self.id
    }
}
impl HasId for ServicePrincipal {
    fn object_id(&self) -> &str {
        &self.id
    }
}

async fn apply_delta(run: &Run, apps: Round, sps: Round) -> Result<SyncSummary> {
    let now = run.apps.now();
    let (app_rows, gone_apps) = reread(run, "applications", APPLICATION_SELECT, &apps.changed, |v| {
        serde_json::from_value::<Application>(v).map(|a| application_row(a, now))
    })
    .await?;
    let (sp_rows, gone_sps) = reread(run, "servicePrincipals", SERVICE_PRINCIPAL_SELECT, &sps.changed, |v| {
        serde_json::from_value::<ServicePrincipal>(v).map(|s| service_principal_row(s, now))
    })
    .await?;
    let mut rows = app_rows;
    rows.extend(sp_rows);
    let removed_ids: Vec<String> = apps.removed.into_iter().chain(sps.removed).chain(gone_apps).chain(gone_sps).collect();
    let changed_targets: Vec<Target> = rows.iter().map(|o| (o.id.clone(), o.object_type)).collect();
    let states = [run.state(SyncCollection::Applications, Some(apps.link), false, now), run.state(SyncCollection::ServicePrincipals, Some(sps.link), false, now)];
    let changed = rows.len() as u32;
    let (removed, pending) = blocking(run.apps.store(), move |s| {
        s.write(|tx| {
            q::upsert_objects(tx, &rows)?;
            let removed = q::remove_objects(tx, &removed_ids)?;
            for state in &states {
                q::set_sync_state(tx, state)?;
            }
            Ok((removed, scope::owners_pending(tx)?))
        })
    })
    .await?;
    run.emit(SyncProgress::ListReady { rows: changed });
    let mut targets = changed_targets;
    for p in pending {
        if !targets.iter().any(|(id, _)| *id == p.0) {
            targets.push(p);
        }
    }
    load_owners(run, targets).await?;
    Ok(summary(run, false, changed, removed as u32, now))
}

/// Re-reads objects with the full `$select`, in `$batch`es. Returns the rows, and the ids
/// Graph no longer has (404: deleted since the delta round).
async fn reread(
    run: &Run,
    collection: &str,
    select: &[&str],
    ids: &[String],
    decode: impl Fn(serde_json::Value) -> serde_json::Result<ObjectRow>,
) -> Result<(Vec<ObjectRow>, Vec<String>)> {
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let items = ids
        .iter()
        .enumerate()
        .map(|(i, id)| BatchItem::new(i.to_string(), &GraphRequest::get(&format!("{collection}/{}", entra_graph::client::path_segment(id))).select(select)))
        .collect();
    let answers = run.graph.batch_all(items, CONCURRENCY).await.map_err(map_error)?;
    let (mut rows, mut gone) = (Vec::new(), Vec::new());
    for (answer, id) in answers.iter().zip(ids) {
        if answer.status == 404 {
            gone.push(id.clone());
            continue;
        }
        if let Some(e) = answer.error() {
            return Err(map_error(e));
        }
        let value = answer.body.clone().unwrap_or_default();
        let row = decode(value).map_err(|e| {
            crate::Error::new(ErrorCode::Graph, format!("Graph sent {collection}/{id} in a shape we cannot read ({e}): refresh again, and report it if it persists"))
        })?;
        rows.push(row);
    }
    Ok((rows, gone))
}
