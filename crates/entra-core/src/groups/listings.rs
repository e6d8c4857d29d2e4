//! A full sync of a large tenant by listings, bound by Graph's resource-unit budget rather than
//! by one chain of delta pages (the `listings` method of [`super::SyncMethod`]).
//!
//! 1. `$deltaToken=latest` for `/groups/delta` and `/users/delta`: the delta links of "now",
//!    taken before anything is read, so every change made while the listings run is in them.
//! 2. Side by side: `/users` and `/groups` at `$top=999`, and each listed group's direct
//!    members, 20 groups to a `$batch` ([`MEMBER_BATCHES_IN_FLIGHT`] batches in flight; the
//!    Graph client's pacer admits them as the budget allows). A member list longer than a page
//!    continues in the next batch from its next link (ahead of the groups not read yet, so the
//!    longest chain of pages starts early instead of last).
//! 3. The members that are neither users nor groups are named through `getByIds`.
//!
//! Every page is written to the staging tables (`entra_store::queries::groups::staging`) in
//! one transaction with its checkpoint (the listing's next link, a group's member next link or
//! "done"), so a sync killed or cancelled here continues where it stopped on the next run,
//! within [`RESUMABLE_FOR`] of its start (Graph keeps delta state for 7 days). The cache the
//! screens read is untouched until the caller swaps the staged copy in and follows the delta
//! links of step 1 ([`super::sync`]): applying a delta round is idempotent, so changes that
//! the listings already saw are harmless. Memory stays bounded by the pages in flight.

use super::round::name_of;
use super::job::Job;
use super::GroupsSyncPhase;
use crate::cache::blocking;
use crate::graph::map_error;
use crate::{Error, ErrorCode, Result};
use entra_graph::models::{short_type, DirectoryObject, Group, User};
use entra_graph::{BatchResponse, GraphError, Page, MAX_BATCH_REQUESTS};
use entra_store::queries::groups::staging::{self as st, Listing, PendingMembers, StagedJob};
use entra_store::queries::groups::{GroupRecord, Membership, NameRecord};
use futures::stream::FuturesUnordered;
use futures::{StreamExt, TryStreamExt};
use std::collections::{HashSet, VecDeque};

/// How long a staged sync may be resumed after it started: its delta links must still be good
/// (Graph keeps sync state for 7 days; a day of margin).
pub(super) const RESUMABLE_FOR: chrono::TimeDelta = chrono::TimeDelta::days(6);

/// Member `$batch`es in flight at once. Enough to keep the budget busy at Graph's latency
/// (8 × 20 member pages); the pacer in the Graph client holds them back when it runs low.
pub(super) const MEMBER_BATCHES_IN_FLIGHT: usize = 8;

/// What the listings leave for the caller: the staged copy is complete.
pub(super) struct Listed {
    /// `/groups/delta`'s link from step 1.
    pub groups_link: String,
    /// `/users/delta`'s link from step 1.
    pub users_link: String,
    /// Whether this run continued a staged sync an earlier run left.
    pub resumed: bool,
}

/// Runs (or resumes) the listings to a complete staged copy; `None` when Graph refused
/// `$deltaToken=latest` before anything was staged (the caller walks the delta instead).
pub(super) async fn run(job: &Job<'_>) -> Result<Option<Listed>> {
    let store = job.groups.store();
    let staged = blocking(store, |s| s.read(st::job)).await?;
    let now = job.groups.now();
    let resumable = staged.filter(|j| j.scope == job.scope && now.signed_duration_since(j.started_at) < RESUMABLE_FOR);
    let resumed = resumable.is_some();
    let state = match resumable {
        Some(state) => {
            blocking(store, |s| s.write(st::resumed)).await?;
            tracing::info!(runs = state.runs + 1, "resuming the staged group sync");
            state
        }
        None => match begin(job).await? {
            Some(state) => state,
            None => return Ok(None),
        },
    };
    futures::try_join!(list_users(job, &state), list_groups_and_members(job, &state))?;
    name_others(job, &state).await?;
    Ok(Some(Listed { groups_link: state.groups_delta_link, users_link: state.users_delta_link, resumed }))
}

/// Step 1: the delta links of now, then a new job (discarding any staged rows of another).
/// `None` when Graph does not take `$deltaToken=latest` (400, 404, 405 or 501).
async fn begin(job: &Job<'_>) -> Result<Option<StagedJob>> {
    let links = futures::try_join!(job.graph.groups_delta_latest(), job.graph.users_delta_latest());
    let (groups_link, users_link) = match links {
        Ok(links) => links,
        Err(e) if matches!(e.status(), Some(400 | 404 | 405 | 501)) => {
            tracing::info!(status = ?e.status(), code = e.graph_code(), "Graph refused $deltaToken=latest");
            return Ok(None);
        }
        Err(e) => return Err(graph_error(e)),
    };
    job.meter.step(|s| s.requests += 2);
    let started = job.groups.now();
    let scope = job.scope.clone();
    let (g, u) = (groups_link.clone(), users_link.clone());
    blocking(job.groups.store(), move |s| {
        s.write(|tx| {
            st::begin(tx, &scope, started, &g, &u)?;
            st::add_requests(tx, 2)
        })
    })
    .await?;
    Ok(Some(StagedJob {
        scope: job.scope.clone(),
        started_at: started,
        groups_delta_link: groups_link,
        users_delta_link: users_link,
        users_next: None,
        users_done: false,
        groups_next: None,
        groups_done: false,
        names_done: false,
        requests: 2,
        runs: 1,
    }))
}

/// Whether Graph refused a stored next link because its page token expired (or it cannot read
/// it): the listing starts over (its writes are upserts, so re-read pages change nothing).
fn page_token_refused(e: &GraphError) -> bool {
    e.graph_code().is_some_and(|c| c.eq_ignore_ascii_case("Directory_ExpiredPageToken")) || e.status() == Some(400)
}

/// Reads one listing to its end from `next`, handing each page to `save` (which writes it with
/// its checkpoint). A stored link Graph refuses on the first read starts the listing over.
async fn walk_listing<T, S, Fut>(job: &Job<'_>, what: &str, next: Option<String>, open: impl Fn(Option<&str>) -> S, save: impl Fn(Page<T>) -> Fut) -> Result<()>
where
    S: futures::Stream<Item = std::result::Result<Page<T>, GraphError>> + Unpin,
    Fut: std::future::Future<Output = Result<()>>,
{
    let mut from = next;
    loop {
        let resuming = from.is_some();
        let mut pages = open(from.as_deref());
        let mut first = true;
        let outcome = loop {
            match pages.try_next().await {
                Ok(Some(page)) => {
                    first = false;
                    save(page).await?;
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(e) if resuming && first && page_token_refused(&e) => {
                tracing::info!(what, code = e.graph_code(), "Graph refused the stored listing link; listing from the start");
                from = None;
            }
            Err(e) => return Err(graph_error(e)),
        }
        if job.cancel.is_cancelled() {
            return Err(cancelled());
        }
    }
}

/// A Graph error as the core's; a cancelled call says that the next refresh continues.
fn graph_error(e: GraphError) -> Error {
    if e.is_cancelled() {
        cancelled()
    } else {
        map_error(e)
    }
}

fn cancelled() -> Error {
    Error::new(ErrorCode::Cancelled, "The group cache refresh was cancelled; the cache is as it was, and the next refresh continues where this one stopped")
}

async fn list_users(job: &Job<'_>, state: &StagedJob) -> Result<()> {
    if state.users_done {
        return Ok(());
    }
    let save = |page: Page<User>| async move {
        let names: Vec<NameRecord> = page.value.into_iter().filter(|u| !u.id.is_empty()).map(user_name).collect();
        let next = page.next_link;
        blocking(job.groups.store(), move |s| {
            s.write(|tx| {
                st::stage_names(tx, &names)?;
                st::checkpoint(tx, Listing::Users, next.as_deref())?;
                st::add_requests(tx, 1)
            })
        })
        .await?;
        job.meter.step(|s| {
            s.phase = GroupsSyncPhase::Users;
            s.pages += 1;
            s.requests += 1;
        });
        Ok(())
    };
    walk_listing(job, "users", state.users_next.clone(), |next| job.graph.users_listing(next), save).await
}

fn user_name(u: User) -> NameRecord {
    NameRecord { id: u.id, kind: "user".into(), display_name: u.display_name, user_principal_name: u.user_principal_name, mail: u.mail }
}

fn group_record(g: Group) -> GroupRecord {
    GroupRecord {
        id: g.id,
        display_name: g.display_name,
        description: g.description,
        mail: g.mail,
        security_enabled: g.security_enabled.unwrap_or(false),
        mail_enabled: g.mail_enabled.unwrap_or(false),
        group_types: g.group_types,
        membership_rule: g.membership_rule,
    }
}

/// The group listing and the member reads, side by side: each staged page of groups feeds the
/// member queue, which starts with the groups an earlier run left pending.
async fn list_groups_and_members(job: &Job<'_>, state: &StagedJob) -> Result<()> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Vec<String>>();
    let lister = async move {
        if state.groups_done {
            return Ok(());
        }
        let save = |page: Page<Group>| {
            let tx = tx.clone();
            async move {
                let groups: Vec<GroupRecord> = page.value.into_iter().filter(|g| !g.id.is_empty()).map(group_record).collect();
                let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
                let next = page.next_link;
                let listed = groups.len() as u64;
                blocking(job.groups.store(), move |s| {
                    s.write(|t| {
                        st::stage_groups(t, &groups)?;
                        st::checkpoint(t, Listing::Groups, next.as_deref())?;
                        st::add_requests(t, 1)
                    })
                })
                .await?;
                job.meter.step(|s| {
                    s.pages += 1;
                    s.requests += 1;
                    s.groups += listed;
                });
                // The receiver only goes away when the member reads failed, which fails the sync.
                let _ = tx.send(ids);
                Ok(())
            }
        };
        walk_listing(job, "groups", state.groups_next.clone(), |next| job.graph.groups_listing(next), save).await
    };
    futures::try_join!(lister, read_members(job, rx))?;
    Ok(())
}

/// The member reads: batches of 20 pending groups, [`MEMBER_BATCHES_IN_FLIGHT`] at a time,
/// until the group listing is done and nothing is pending.
async fn read_members(job: &Job<'_>, mut listed: tokio::sync::mpsc::UnboundedReceiver<Vec<String>>) -> Result<()> {
    let mut queue: VecDeque<PendingMembers> = blocking(job.groups.store(), |s| s.read(st::pending_members)).await?.into();
    let mut seen: HashSet<String> = queue.iter().map(|p| p.group_id.clone()).collect();
    let mut in_flight = FuturesUnordered::new();
    let mut listing_done = false;
    loop {
        while in_flight.len() < MEMBER_BATCHES_IN_FLIGHT && (queue.len() >= MAX_BATCH_REQUESTS || (listing_done && !queue.is_empty())) {
            let chunk: Vec<PendingMembers> = queue.drain(..queue.len().min(MAX_BATCH_REQUESTS)).collect();
            in_flight.push(member_batch(job, chunk));
        }
        if in_flight.is_empty() && listing_done && queue.is_empty() {
            return Ok(());
        }
        tokio::select! {
            // A member list that continues goes to the front: a large group's pages are a
            // chain (each needs the one before), so it runs beside the rest, not after it.
            Some(done) = in_flight.next(), if !in_flight.is_empty() => {
                for next in done?.into_iter().rev() {
                    queue.push_front(next);
                }
            }
            ids = listed.recv(), if !listing_done => match ids {
                Some(ids) => queue.extend(ids.into_iter().filter(|id| seen.insert(id.clone())).map(|group_id| PendingMembers { group_id, next: None })),
                None => listing_done = true,
            },
        }
    }
}

/// One `$batch` of member pages; writes them with their checkpoints and returns the groups
/// whose member list continues on another page.
async fn member_batch(job: &Job<'_>, chunk: Vec<PendingMembers>) -> Result<Vec<PendingMembers>> {
    let items = chunk.iter().enumerate().map(|(i, p)| job.graph.members_item(i.to_string(), &p.group_id, p.next.as_deref())).collect::<std::result::Result<Vec<_>, _>>().map_err(graph_error)?;
    let answers = job.graph.batch(items).await.map_err(graph_error)?;
    let mut pages: Vec<(String, Vec<Membership>, Option<String>)> = Vec::with_capacity(chunk.len());
    for (pending, answer) in chunk.into_iter().zip(answers) {
        pages.push(member_page(pending.group_id, &answer)?);
    }
    let continuing: Vec<PendingMembers> = pages.iter().filter_map(|(g, _, next)| next.clone().map(|next| PendingMembers { group_id: g.clone(), next: Some(next) })).collect();
    let read: u64 = pages.iter().map(|(_, m, _)| m.len() as u64).sum();
    let count = pages.len() as u64;
    blocking(job.groups.store(), move |s| {
        s.write(|tx| {
            for (group_id, members, next) in &pages {
                st::stage_members(tx, group_id, members, next.as_deref())?;
            }
            st::add_requests(tx, 1)
        })
    })
    .await?;
    job.meter.step(|s| {
        s.phase = GroupsSyncPhase::Members;
        s.pages += count;
        s.requests += 1;
        s.memberships += read;
    });
    Ok(continuing)
}

/// One group's member page from its batch answer. A group deleted since it was listed (404)
/// has no members; the delta round that follows removes it.
fn member_page(group_id: String, answer: &BatchResponse) -> Result<(String, Vec<Membership>, Option<String>)> {
    if answer.status == 404 {
        return Ok((group_id, Vec::new(), None));
    }
    if let Some(e) = answer.error() {
        return Err(graph_error(e));
    }
    let page: Page<DirectoryObject> = answer.json().map_err(graph_error)?;
    let members = page
        .value
        .iter()
        .filter(|m| !m.id().is_empty())
        .map(|m| Membership { group_id: group_id.clone(), member_id: m.id().to_string(), member_type: short_type(m.odata_type()).to_string() })
        .collect();
    Ok((group_id, members, page.next_link))
}

/// Step 3: names the staged members that are neither users nor groups, 1,000 to a `getByIds`.
/// An ID Graph does not know (deleted meanwhile) gets a row without a name, so it is not asked
/// again.
async fn name_others(job: &Job<'_>, state: &StagedJob) -> Result<()> {
    if state.names_done {
        return Ok(());
    }
    loop {
        let unnamed = blocking(job.groups.store(), |s| s.read(|c| st::unnamed_members(c, entra_graph::resources::MAX_GET_BY_IDS))).await?;
        if unnamed.is_empty() {
            break;
        }
        job.meter.step(|s| s.phase = GroupsSyncPhase::Names);
        let ids: Vec<String> = unnamed.iter().map(|(id, _)| id.clone()).collect();
        let found = job.graph.directory_objects_by_ids(&ids, &[]).await.map_err(graph_error)?;
        let mut names: Vec<NameRecord> = found.iter().map(name_of).collect();
        let known: HashSet<String> = names.iter().map(|n| n.id.clone()).collect();
        names.extend(unnamed.into_iter().filter(|(id, _)| !known.contains(id)).map(|(id, kind)| NameRecord { id, kind, ..NameRecord::default() }));
        blocking(job.groups.store(), move |s| {
            s.write(|tx| {
                st::stage_names(tx, &names)?;
                st::add_requests(tx, 1)
            })
        })
        .await?;
        job.meter.step(|s| s.requests += 1);
    }
    blocking(job.groups.store(), |s| s.write(st::names_done)).await
}
