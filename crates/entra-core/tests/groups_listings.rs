//! A full group sync by listings (`SyncMethod::Listings`) against the demo tenant on loopback
//! (app-only, TLS) and real SQLite files: it fills the same cache as a delta walk, catches the
//! changes made while it lists, resumes where a cancelled run stopped without reading again
//! what it had, keeps the previous cache readable until it is complete, and falls back to the
//! delta walk by itself when asked.

mod common;

use common::{desk_on, World};
use entra_core::clock::OffsetClock;
use entra_core::groups::{Groups, GroupsSyncPhase, GroupsSyncProgress, GroupsSyncSummary, SyncMethod};
use entra_core::ErrorCode;
use entra_demo::DemoOptions;
use entra_store::queries::groups as q;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

async fn world(seed: u64) -> World {
    sized_world(seed, 90, 600).await
}

async fn sized_world(seed: u64, groups: usize, users: usize) -> World {
    let options = DemoOptions { tls: true, seed, apps: 10, groups, users, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

/// A second cache over the same desk (another data folder), for comparing two methods.
fn groups_in(w: &World, sub: &str) -> Groups {
    let dir = w.dir.path().join(sub);
    std::fs::create_dir_all(&dir).unwrap();
    Groups::open(w.desk.clone(), &dir).unwrap().with_clock(w.clock.clone())
}

async fn sync(groups: &Groups, account: &str, method: SyncMethod) -> (GroupsSyncSummary, Vec<GroupsSyncProgress>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let summary =
        groups.refresh_with(account, true, Some(method), &move |e| sink.lock().unwrap().push(e), CancellationToken::new()).await.expect("refresh");
    let events = events.lock().unwrap().clone();
    (summary, events)
}

/// Groups, memberships and names, as sets (order-free).
type Contents = (BTreeSet<String>, BTreeSet<(String, String, String)>, BTreeSet<(String, String, Option<String>)>);

/// Everything the cache holds.
fn contents(groups: &Groups) -> Contents {
    groups
        .store()
        .read(|c| {
            let g = q::groups(c)?.into_iter().map(|g| format!("{}|{:?}|{:?}|{}", g.id, g.display_name, g.mail, g.security_enabled)).collect();
            let m = q::memberships(c)?.into_iter().map(|m| (m.group_id, m.member_id, m.member_type)).collect();
            let n = q::names(c)?.into_iter().map(|n| (n.id, n.kind, n.display_name)).collect();
            Ok((g, m, n))
        })
        .unwrap()
}

#[tokio::test]
async fn listings_fill_the_same_cache_as_a_delta_walk() {
    let w = world(61).await;
    let account = w.sign_in_app_only().await;
    let walked = groups_in(&w, "walk");
    let listed = groups_in(&w, "list");
    let (walk, _) = sync(&walked, &account, SyncMethod::DeltaWalk).await;
    assert_eq!(walk.method, SyncMethod::DeltaWalk);
    let (list, events) = sync(&listed, &account, SyncMethod::Listings).await;
    assert_eq!(list.method, SyncMethod::Listings, "{list:?}");
    assert!(list.full && !list.resumed && list.fell_back.is_none(), "{list:?}");
    assert!(events.iter().any(|e| e.phase == GroupsSyncPhase::Members), "member batches reported");
    assert_eq!((list.groups, list.users, list.memberships), (walk.groups, walk.users, walk.memberships));
    let (a, b) = (contents(&walked), contents(&listed));
    assert_eq!(a.0, b.0, "groups");
    assert_eq!(a.1, b.1, "memberships");
    assert_eq!(a.2, b.2, "names");
    let fixture = w.tenant.group_fixture();
    assert!(list.memberships as usize > fixture.large_group_members, "the large group's pages were all read");
    // The next refresh is incremental from the links the listings stored.
    let quiet = listed.refresh(&account, false, &|_| {}, CancellationToken::new()).await.unwrap();
    assert_eq!(quiet.method, SyncMethod::Incremental);
    assert_eq!(quiet.requests, 2, "{quiet:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_while_listing_are_in_the_cache_afterwards() {
    let w = world(62).await;
    let account = w.sign_in_app_only().await;
    let graph = w.desk.graph(&account).unwrap();
    let fixture = w.tenant.group_fixture();
    let groups = groups_in(&w, "cache");
    let changed = Arc::new(AtomicBool::new(false));
    let (flag, g) = (changed.clone(), graph.clone());
    let (chain, user) = (fixture.nested_chain.clone(), fixture.nested_user.clone());
    // The first member batch has been read: take the nested user out of G5 and put them in the
    // cycle's first group, while the listings still run.
    let cycle0 = fixture.cycle[0].clone();
    let on_progress = move |e: GroupsSyncProgress| {
        if e.phase == GroupsSyncPhase::Members && !flag.swap(true, Ordering::SeqCst) {
            tokio::task::block_in_place(|| {
                tokio::runtime::Handle::current().block_on(async {
                    g.remove_group_member(&chain[4], &user).await.unwrap();
                    g.add_group_member(&cycle0, &user).await.unwrap();
                })
            });
        }
    };
    let summary = groups.refresh_with(&account, true, Some(SyncMethod::Listings), &on_progress, CancellationToken::new()).await.unwrap();
    assert!(changed.load(Ordering::SeqCst));
    assert_eq!(summary.method, SyncMethod::Listings);
    let memberships = contents(&groups).1;
    let has = |g: &str| memberships.iter().any(|(gg, m, _)| gg == g && *m == fixture.nested_user);
    assert!(!has(&fixture.nested_chain[4]), "the removal made during the listing is applied");
    assert!(has(&fixture.cycle[0]), "the addition made during the listing is applied");
}

#[tokio::test]
async fn a_cancelled_listing_resumes_where_it_stopped_and_the_old_cache_stays_meanwhile() {
    // 600 groups: 30 member batches, of which at most 8 are in flight when the sync is cancelled.
    let w = sized_world(63, 600, 2500).await;
    let account = w.sign_in_app_only().await;
    let groups = groups_in(&w, "cache");
    let (first, _) = sync(&groups, &account, SyncMethod::DeltaWalk).await;

    // The uninterrupted cost, in another cache.
    let other = groups_in(&w, "other");
    let before = w.tenant.stats();
    let (whole, _) = sync(&other, &account, SyncMethod::Listings).await;
    let uninterrupted = reads(&before, &w.tenant.stats());
    assert!(uninterrupted.0 >= 600 && uninterrupted.1 >= 2, "every group's members and both listings were read: {uninterrupted:?}");

    // Cancelled after ten member batches.
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let batches = Arc::new(AtomicU64::new(0));
    let seen = batches.clone();
    let on_progress = move |e: GroupsSyncProgress| {
        if e.phase == GroupsSyncPhase::Members && seen.fetch_add(1, Ordering::SeqCst) + 1 >= 10 {
            trigger.cancel();
        }
    };
    let before = w.tenant.stats();
    let err = groups.refresh_with(&account, true, Some(SyncMethod::Listings), &on_progress, cancel).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err:?}");
    assert!(err.message().contains("continues"), "{}", err.message());
    let overview = groups.overview().await.unwrap();
    assert_eq!(overview.stats.memberships, first.memberships, "the previous cache is whole");
    let (staged_groups, staged_members, _) = groups.store().read(q::staging::staged_counts).unwrap();
    assert!(staged_groups > 0 && staged_members > 0, "the work so far is staged");

    // Resumed by a plain full refresh (the staged job decides the method).
    let resumed = groups.refresh(&account, true, &|_| {}, CancellationToken::new()).await.unwrap();
    let interrupted = reads(&before, &w.tenant.stats());
    assert!(resumed.resumed && resumed.method == SyncMethod::Listings, "{resumed:?}");
    assert_eq!(contents(&groups), contents(&other), "the resumed sync equals an uninterrupted one");
    assert_eq!(resumed.memberships, whole.memberships);
    // What was written before the cancel is not read again: at most the member pages in flight
    // at the cancel (8 batches of 20) and one page of each listing are read twice.
    assert!(interrupted.0 <= uninterrupted.0 + 8 * 20, "member pages: interrupted {interrupted:?} vs uninterrupted {uninterrupted:?}");
    assert!(interrupted.1 <= uninterrupted.1 + 2, "listing pages: interrupted {interrupted:?} vs uninterrupted {uninterrupted:?}");
    assert!(groups.store().read(q::staging::job).unwrap().is_none(), "nothing staged is left");
}

/// Member pages and listing pages the tenant served between two snapshots.
fn reads(before: &entra_demo::StatsSnapshot, after: &entra_demo::StatsSnapshot) -> (u64, u64) {
    let count = |s: &entra_demo::StatsSnapshot, route: &str| s.requests.get(route).copied().unwrap_or(0);
    let diff = |route: &str| count(after, route) - count(before, route);
    (diff("GET /v1.0/groups/{id}/members"), diff("GET /v1.0/users") + diff("GET /v1.0/groups"))
}

#[tokio::test]
async fn by_size_a_small_tenant_is_walked_and_a_large_one_listed() {
    let w = world(64).await;
    let account = w.sign_in_app_only().await;
    let small = groups_in(&w, "small").refresh(&account, true, &|_| {}, CancellationToken::new()).await.unwrap();
    assert_eq!(small.method, SyncMethod::DeltaWalk, "600 users and 90 groups are below the threshold");
    let large = groups_in(&w, "large").with_listings_from(100).refresh(&account, true, &|_| {}, CancellationToken::new()).await.unwrap();
    assert_eq!(large.method, SyncMethod::Listings, "{large:?}");
}

#[tokio::test]
async fn a_sync_held_back_by_graphs_budget_says_so_and_counts_its_units() {
    let w = sized_world(65, 480, 200).await;
    // 600 units per 10 s (the client believes no limit under 500): the members of 480 groups, 2
    // units each, need some 7 s of Graph's refill beyond the bucket it starts with, so the sync
    // waits for budget even on a machine slow enough to spend seconds on its first 540 units
    // (with 320 groups a busy machine once needed no wait at all).
    w.tenant.set_graph_throttling(true, Some(600)).unwrap();
    let account = w.sign_in_app_only().await;
    let listed = groups_in(&w, "budget");
    let (summary, events) = sync(&listed, &account, SyncMethod::Listings).await;
    assert_eq!(summary.method, SyncMethod::Listings, "{summary:?}");
    let waited = events.iter().position(|e| e.waiting_for_budget).expect("a progress event says the sync waits for Graph's budget");
    assert!(events[waited..].iter().any(|e| !e.waiting_for_budget), "and one says when it goes on");
    let last = events.last().unwrap();
    assert!(!last.waiting_for_budget, "{last:?}");
    // The units Graph reported: members cost 2 each ($select), so at least 480 × 2.
    assert!(last.units >= 960, "{last:?}");
    assert!(events.windows(2).all(|p| p[0].units <= p[1].units), "units only grow");
}
