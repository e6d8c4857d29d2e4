//! [`Groups::refresh`]'s work: which [`SyncMethod`] reads Graph, and writing what it read.
//!
//! # Which method
//! With stored delta links for this tenant and Graph URL, and no full sync asked for:
//! incremental. Otherwise a full read: by listings ([`super::listings`]) when a staged sync of
//! this scope is waiting to be resumed, when asked for, or when the tenant has at least
//! [`LISTINGS_FROM`] users and groups (`$count`, two cheap requests); by a delta walk from
//! scratch otherwise, or when a provider refuses `$deltaToken=latest` (the fallback).
//!
//! # Full by listings
//! The listings fill the staging tables; then the staged copy replaces the cache in one
//! transaction with the delta links taken before the listings, and the changes made meanwhile
//! are read from them as an incremental round on top.
//!
//! # Full by delta walk
//! `/groups/delta?$select=…,members` and `/users/delta?$select=id,displayName,userPrincipalName,mail`
//! walked from scratch side by side, to their delta links; the service principals, devices and
//! other non-user members named through `POST /directoryObjects/getByIds` (1,000 a request);
//! then everything replaces the cache in one transaction, delta links included.
//!
//! # Incremental
//! Both stored delta links followed to their new links (a quiet round: one page each, two
//! requests); new non-user members named; the round's net effect ([`super::round`]) applied in
//! one transaction with the new links. Applying is idempotent, so a replayed page is harmless.
//!
//! A delta link Graph refuses (410 Gone, `syncStateNotFound` and kin, or a 400 for a link it
//! cannot read) makes this a full sync by itself, and the summary's `fell_back` says why; so
//! does a cache filled for another tenant or Graph URL. Nothing is written before a round is
//! complete: a cancelled or failed refresh leaves the previous cache as it was.

use super::round::{name_of, GroupsRound, UsersRound};
use super::{listings, reads, Groups, GroupsSyncPhase, GroupsSyncSummary, SyncMethod};
use crate::cache::blocking;
use crate::graph::map_error;
use crate::{Error, ErrorCode, Result};
use entra_graph::{GraphClient, GraphError, Page};
use entra_store::queries::groups::{self as q, staging, Round, SyncRecord};
use futures::TryStreamExt;
use std::collections::HashMap;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

use super::job::{Job, Meter, Progress};

/// The tenant size (users + groups) from which a full sync reads by listings rather than by a
/// delta walk: below it the walk's chain of pages is short, and it costs fewer requests.
pub const LISTINGS_FROM: u64 = 50_000;

/// One refresh (the caller holds the sync lock). `method` forces how a full read is done
/// (`None`: by the tenant's size); it does not make an incremental refresh full.
pub(super) async fn run(
    groups: &Groups,
    account_id: &str,
    full: bool,
    method: Option<SyncMethod>,
    progress: Progress<'_>,
    cancel: CancellationToken,
) -> Result<GroupsSyncSummary> {
    let started = Instant::now();
    let account = groups.desk().account(Some(account_id))?;
    let scope = format!("{} {}", account.tenant_id, account.graph_url);
    let graph = groups.desk().graph(account_id)?.with_cancellation(cancel.clone());
    let meter = Meter::new(progress, &graph);
    // The sync, and beside it a look at the budget: a wait for Graph's budget shows as such.
    let sync = read(groups, full, method, &graph, &meter, &cancel, started, scope);
    tokio::pin!(sync);
    tokio::select! {
        done = &mut sync => done,
        never = meter.watch_budget() => match never {},
    }
}

/// The refresh itself: which round, then the reads and the write.
#[allow(clippy::too_many_arguments)]
async fn read(
    groups: &Groups,
    full: bool,
    method: Option<SyncMethod>,
    graph: &GraphClient,
    meter: &Meter<'_>,
    cancel: &CancellationToken,
    started: Instant,
    scope: String,
) -> Result<GroupsSyncSummary> {
    let stored = blocking(groups.store(), |s| s.read(q::state)).await?.sync;
    let links = match &stored {
        Some(s) if !full && s.scope == scope => s.groups_delta_link.clone().zip(s.users_delta_link.clone()),
        _ => None,
    };
    let mut fell_back = match &stored {
        Some(s) if !full && s.scope != scope => {
            Some("The cache held another tenant or Graph URL, so everything was read again".to_string())
        }
        Some(_) if !full && links.is_none() => Some("No delta link was stored, so everything was read again".to_string()),
        _ => None,
    };
    let job = Job { groups, graph, meter, cancel, scope, started };
    if let Some((groups_link, users_link)) = links {
        match walk(&job, Some(groups_link), Some(users_link)).await {
            Ok(walked) => return job.save(walked, false, None, How::plain(SyncMethod::Incremental)).await,
            Err(e) if e.is_delta_link_refused() => {
                let code = e.graph_code().unwrap_or("refused").to_string();
                tracing::info!(status = ?e.status(), code, "Graph refused the stored group delta link; reading everything");
                fell_back = Some(format!(
                    "Graph refused the stored delta link (HTTP {}, {code}; delta links expire after 7 days), so everything was read again",
                    e.status().unwrap_or_default()
                ));
            }
            Err(e) => return Err(map_error(e)),
        }
    }
    if job.by_listings(method).await? {
        match listings::run(&job).await? {
            Some(listed) => return job.swap_in(listed, fell_back).await,
            None => {
                let why = "Graph refused `$deltaToken=latest`, so the delta was walked from scratch instead of listing";
                fell_back = Some(match fell_back {
                    Some(first) => format!("{first}; {why}"),
                    None => why.to_string(),
                });
            }
        }
    }
    let walked = walk(&job, None, None).await.map_err(map_error)?;
    job.save(walked, true, fell_back, How::plain(SyncMethod::DeltaWalk)).await
}

/// How the round [`Job::save`] writes was read, for the record and the summary.
struct How {
    method: SyncMethod,
    resumed: bool,
    /// Rows a full sync by listings wrote when it swapped its staged copy in.
    swapped: u64,
}

impl How {
    fn plain(method: SyncMethod) -> How {
        How { method, resumed: false, swapped: 0 }
    }
}


/// Both rounds, read to their delta links.
struct Walked {
    groups: GroupsRound,
    users: UsersRound,
    groups_link: String,
    users_link: String,
}

fn no_delta_link(what: &str) -> GraphError {
    GraphError::Decode {
        what: format!("GET /{what}/delta"),
        path: "@odata.deltaLink".into(),
        message: "the last page carried neither a nextLink nor a deltaLink".into(),
        request_id: None,
        client_request_id: None,
    }
}

async fn walk(job: &Job<'_>, groups_link: Option<String>, users_link: Option<String>) -> std::result::Result<Walked, GraphError> {
    let groups_walk = async {
        let mut round = GroupsRound::default();
        let mut pages = job.graph.groups_delta(groups_link.as_deref());
        while let Some(page) = pages.try_next().await? {
            let Page { value, delta_link, .. } = page;
            round.add(value);
            job.meter.step(|s| {
                s.phase = GroupsSyncPhase::Groups;
                s.pages += 1;
                s.requests += 1;
                s.groups = round.entries;
                s.memberships = round.references;
            });
            if let Some(link) = delta_link {
                return Ok((round, link));
            }
        }
        Err(no_delta_link("groups"))
    };
    let users_walk = async {
        let mut round = UsersRound::default();
        let mut pages = job.graph.users_delta(users_link.as_deref());
        while let Some(page) = pages.try_next().await? {
            let Page { value, delta_link, .. } = page;
            round.add(value);
            job.meter.step(|s| {
                s.phase = GroupsSyncPhase::Users;
                s.pages += 1;
                s.requests += 1;
            });
            if let Some(link) = delta_link {
                return Ok((round, link));
            }
        }
        Err(no_delta_link("users"))
    };
    let ((groups, groups_link), (users, users_link)) = futures::try_join!(groups_walk, users_walk)?;
    Ok(Walked { groups, users, groups_link, users_link })
}

impl Job<'_> {
    /// Whether a full read goes by listings: as forced, else when a staged sync of this scope
    /// waits to be resumed, else by the tenant's size (a provider without `$count` is walked).
    async fn by_listings(&self, method: Option<SyncMethod>) -> Result<bool> {
        match method {
            Some(SyncMethod::Listings) => return Ok(true),
            Some(SyncMethod::DeltaWalk) => return Ok(false),
            _ => {}
        }
        let scope = self.scope.clone();
        let waiting = blocking(self.groups.store(), |s| s.read(staging::job)).await?;
        if waiting.is_some_and(|j| j.scope == scope) {
            return Ok(true);
        }
        let from = self.groups.listings_from();
        if from == 0 {
            return Ok(true);
        }
        let size = self.graph.directory_size().await;
        self.meter.step(|s| s.requests += 2);
        match size {
            Ok((users, groups)) => Ok(users + groups >= from),
            Err(e) if e.status() == Some(400) => Ok(false),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Replaces the cache with the listings' staged copy (with their delta links, in one
    /// transaction), then reads and applies the changes made while they ran.
    async fn swap_in(&self, listed: listings::Listed, fell_back: Option<String>) -> Result<GroupsSyncSummary> {
        if self.cancel.is_cancelled() {
            return Err(Error::new(ErrorCode::Cancelled, "The group cache refresh was cancelled; the cache is as it was, and the next refresh continues where this one stopped"));
        }
        self.meter.step(|s| s.phase = GroupsSyncPhase::Saving);
        let record = SyncRecord {
            scope: self.scope.clone(),
            groups_delta_link: Some(listed.groups_link.clone()),
            users_delta_link: Some(listed.users_link.clone()),
            as_of: self.groups.now(),
            full: true,
            requests: self.meter.requests(),
            duration_ms: self.started.elapsed().as_millis() as u64,
            fallback: fell_back.clone(),
        };
        let swapped = blocking(self.groups.store(), move |s| {
            s.write(|tx| {
                let written = staging::swap_in(tx)?;
                q::set_sync(tx, &record)?;
                Ok(written)
            })
        })
        .await?;
        let walked = walk(self, Some(listed.groups_link), Some(listed.users_link)).await.map_err(map_error)?;
        self.save(walked, false, fell_back, How { method: SyncMethod::Listings, resumed: listed.resumed, swapped }).await
    }

    /// Names the new non-user members, then writes the round (or the whole cache) and the
    /// sync record in one transaction.
    async fn save(&self, walked: Walked, full: bool, fell_back: Option<String>, how: How) -> Result<GroupsSyncSummary> {
        let Walked { groups: groups_round, users, groups_link, users_link } = walked;
        let named = if full { HashMap::new() } else { reads::known_names(self.groups, groups_round.added_others()).await? };
        let unnamed: Vec<String> = groups_round.added_others().into_iter().filter(|id| named.get(id).is_none_or(|n| n.display_name.is_none())).collect();
        let mut others = Vec::new();
        if !unnamed.is_empty() {
            self.meter.step(|s| s.phase = GroupsSyncPhase::Names);
            for chunk in unnamed.chunks(entra_graph::resources::MAX_GET_BY_IDS) {
                let found = self.graph.directory_objects_by_ids(chunk, &[]).await.map_err(map_error)?;
                self.meter.step(|s| s.requests += 1);
                others.extend(found.iter().map(name_of));
            }
        }
        let partial = groups_round.partial_groups();
        let known: HashMap<String, _> = if full || partial.is_empty() {
            HashMap::new()
        } else {
            blocking(self.groups.store(), move |s| {
                s.read(|c| partial.iter().filter_map(|id| q::group(c, id).transpose()).collect::<entra_store::Result<Vec<_>>>())
            })
            .await?
            .into_iter()
            .map(|g| (g.id.clone(), g))
            .collect()
        };
        let finished = groups_round.finish(&known);
        let (mut names, removed_names) = if full { users.finish(|_| None) } else { reads::with_known_names(self.groups, move |known| users.finish(known)).await? };
        names.extend(others);
        if self.cancel.is_cancelled() {
            return Err(Error::new(ErrorCode::Cancelled, "The group cache refresh was cancelled; the cache is as it was before"));
        }
        self.meter.step(|s| s.phase = GroupsSyncPhase::Saving);
        let as_of = self.groups.now();
        let record = SyncRecord {
            scope: self.scope.clone(),
            groups_delta_link: Some(groups_link),
            users_delta_link: Some(users_link),
            as_of,
            full: full || how.method == SyncMethod::Listings,
            requests: self.meter.requests(),
            duration_ms: self.started.elapsed().as_millis() as u64,
            fallback: fell_back.clone(),
        };
        let (changes, stats) = blocking(self.groups.store(), move |s| {
            s.write(|tx| {
                let changes = if full {
                    q::replace_all(tx, &finished.groups, &finished.added, &names)?
                } else {
                    let round = Round {
                        groups: finished.groups,
                        removed_groups: finished.removed_groups,
                        added: finished.added,
                        removed: finished.removed,
                        names,
                        removed_names,
                    };
                    q::apply_round(tx, &round)?.total()
                };
                q::set_sync(tx, &record)?;
                Ok((changes, q::stats(tx)?))
            })
        })
        .await?;
        // The statistics and the summary tell the same time: the whole sync, the write included.
        let duration_ms = self.started.elapsed().as_millis() as u64;
        blocking(self.groups.store(), move |s| s.write(|tx| q::set_sync_duration(tx, duration_ms))).await?;
        Ok(GroupsSyncSummary {
            full: full || how.method == SyncMethod::Listings,
            fell_back,
            groups: stats.groups,
            users: stats.users,
            memberships: stats.memberships,
            changes: changes + how.swapped,
            requests: self.meter.requests(),
            duration_ms,
            as_of,
            method: how.method,
            resumed: how.resumed,
        })
    }
}
