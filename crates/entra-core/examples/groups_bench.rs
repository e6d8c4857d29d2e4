//! The group cache benchmark: a full delta sync of a large tenant, the peers' way beside it,
//! an incremental round after a few membership changes, local transitive lookups against the
//! Graph round trip, peak heap, cache size, and a sync cancelled halfway.
//!
//! ```text
//! cargo run --release -p entra-core --example groups_bench -- --groups 5000 --memberships 100000 --latency-ms 50
//! scripts/bench-groups.sh          # the same under a private keyring, output in target/bench/groups.txt
//! ```
//!
//! - **full**: `Groups::refresh` from an empty cache: `/groups/delta` (with `members`) and
//!   `/users/delta` walked side by side, `getByIds` for service principals and devices, one
//!   transaction.
//! - **peers** (ROADrecon, AzureHound, EntraExporter re-read everything): `/groups` and `/users`
//!   at `$top=999`, then `/groups/{id}/members?$top=999` for every group, paged, 8 in flight
//!   (the client's concurrency limit).
//! - **incremental**: `--changes` membership changes made through Graph (half removals, half
//!   additions), then `Groups::refresh` from the stored delta links.
//! - **lookup**: a user's transitive groups from the cache (`Groups::member_of` offline: the
//!   whole service call, state read and hit counter included) against
//!   `GET /users/{id}/transitiveMemberOf`.
//! - **cancel**: a full sync cancelled after half its pages; the previous cache must be intact.
//!
//! Request counts: ours from the summary, and the tenant's own count of what it served.
//! Heap: the peak live heap of allocations made on the client's threads (the tenant runs on
//! its own runtime and is not counted). Numbers, not pass/fail.

use entra_core::clock::SystemClock;
use entra_core::config::ProfileSettings;
use entra_core::groups::{Groups, GroupsSyncProgress, MemberKind};
use entra_core::{AppCredential, Desk, DeskOptions};
use entra_demo::{DemoOptions, DemoTenant, Faults};
use entra_graph::models::{DirectoryObject, Group};
use entra_graph::{GraphClient, GraphRequest};
use futures::{StreamExt, TryStreamExt};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

thread_local! {
    static CLIENT_THREAD: Cell<bool> = const { Cell::new(false) };
}
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

struct Counting;

fn counted() -> bool {
    CLIENT_THREAD.try_with(Cell::get).unwrap_or(false)
}
fn grew(by: usize) {
    let now = LIVE.fetch_add(by as isize, Ordering::Relaxed) + by as isize;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() && counted() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() && counted() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        if counted() {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() && counted() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub((layout.size() - new_size) as isize, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn heap_mark() -> isize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}
fn heap_peak_since(mark: isize) -> f64 {
    (PEAK.load(Ordering::Relaxed) - mark).max(0) as f64 / (1 << 20) as f64
}

struct Args {
    groups: usize,
    users: usize,
    memberships: usize,
    latency_ms: u64,
    changes: usize,
    lookups: usize,
}

fn args() -> Args {
    let mut a = Args { groups: 5000, users: 12_000, memberships: 100_000, latency_ms: 50, changes: 10, lookups: 1000 };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = || argv.get(i + 1).and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| panic!("{} needs a number", argv[i]));
        match argv[i].as_str() {
            "--groups" => a.groups = value() as usize,
            "--users" => a.users = value() as usize,
            "--memberships" => a.memberships = value() as usize,
            "--latency-ms" => a.latency_ms = value(),
            "--changes" => a.changes = value() as usize,
            "--lookups" => a.lookups = value() as usize,
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let a = args();
    let tenant_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let options = DemoOptions { tls: true, apps: 50, groups: a.groups, users: a.users, group_memberships: Some(a.memberships), ..Default::default() };
    let tenant = tenant_rt.block_on(entra_demo::start(options)).expect("demo tenant starts");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(|| CLIENT_THREAD.with(|c| c.set(true)))
        .build()
        .unwrap();
    CLIENT_THREAD.with(|c| c.set(true));
    client_rt.block_on(run(&a, &tenant));
    CLIENT_THREAD.with(|c| c.set(false));
    drop(client_rt);
    tenant_rt.block_on(tenant.shutdown());
}

async fn sign_in(tenant: &DemoTenant, dir: &std::path::Path) -> (Desk, String) {
    let info = tenant.info().clone();
    let mut options = DeskOptions::new(dir.join("data"));
    options.keychain_service = format!("entra-desk-groups-bench-{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
    options.env = Arc::new(|_: &str| None);
    let desk = Desk::open_with(options).unwrap();
    let flags = ProfileSettings {
        authority: Some(info.authority.clone()),
        client_id: Some(info.confidential_client.client_id.clone()),
        graph_url: Some(info.graph.clone()),
        ca_cert: info.ca_cert.as_ref().map(|p| p.to_string_lossy().into_owned()),
        ..Default::default()
    };
    let profile = desk.settings().resolve_profile(flags).await.unwrap();
    let secret = entra_core::secret::ClientSecret::new(info.confidential_client.client_secret.clone());
    let account = desk.sign_in_app_only(&profile, AppCredential::ClientSecret(secret)).await.unwrap();
    (desk, account.id)
}

/// The peers' full read: lists at 999, then every group's members, 8 in flight.
async fn peers(graph: &GraphClient) -> (usize, usize) {
    let groups: Vec<Group> = graph.collect_all(GraphRequest::get("groups").select(&["id", "displayName"]).top(999)).await.unwrap();
    let users: Vec<DirectoryObject> = graph.collect_all(GraphRequest::get("users").select(&["id", "displayName", "userPrincipalName"]).top(999)).await.unwrap();
    drop(users);
    let memberships: usize = futures::stream::iter(groups.iter().map(|g| g.id.clone()))
        .map(|id| async move { graph.group_members(&id).await.map(|m| m.len()) })
        .buffer_unordered(8)
        .try_fold(0, |sum, n| async move { Ok(sum + n) })
        .await
        .unwrap();
    (groups.len(), memberships)
}

async fn run(a: &Args, tenant: &DemoTenant) {
    let dir = tempfile::tempdir().unwrap();
    let (desk, account) = sign_in(tenant, dir.path()).await;
    let groups = Groups::open(desk.clone(), desk.data_dir()).unwrap().with_clock(Arc::new(SystemClock));
    let graph = desk.graph(&account).unwrap();
    let fixture = tenant.group_fixture();
    tenant.set_faults(Faults { latency_ms: a.latency_ms, ..Default::default() }).unwrap();
    println!("tenant: {} groups, {} users, ~{} memberships asked; {} ms latency per Graph request", a.groups, a.users, a.memberships, a.latency_ms);

    // Full sync.
    let pages = Arc::new(AtomicU64::new(0));
    let seen = pages.clone();
    let served = tenant.stats().total;
    let mark = heap_mark();
    let started = Instant::now();
    let full = groups
        .refresh(&account, true, &move |p: GroupsSyncProgress| seen.store(p.pages, Ordering::Relaxed), CancellationToken::new())
        .await
        .unwrap();
    let full_wall = started.elapsed();
    let full_heap = heap_peak_since(mark);
    let full_served = tenant.stats().total - served;
    let full_pages = pages.load(Ordering::Relaxed);
    println!(
        "full sync (ours): {} groups, {} users, {} memberships; {} requests (tenant served {}), {} delta pages; {:.0} ms; peak client heap {:.1} MiB",
        full.groups, full.users, full.memberships, full.requests, full_served, full_pages, ms(full_wall), full_heap
    );

    // The peers' way.
    let served = tenant.stats().total;
    let started = Instant::now();
    let (peer_groups, peer_memberships) = peers(&graph).await;
    let peer_wall = started.elapsed();
    let peer_requests = tenant.stats().total - served;
    println!(
        "full read (peers: /groups + /users at 999, then /groups/{{id}}/members per group, 8 in flight): {peer_groups} groups, {peer_memberships} memberships; {peer_requests} requests; {:.0} ms",
        ms(peer_wall)
    );
    println!(
        "  ratio peers/ours: requests {:.1}x, wall time {:.2}x",
        peer_requests as f64 / full.requests.max(1) as f64,
        ms(peer_wall) / ms(full_wall).max(1.0)
    );

    // Incremental after a few membership changes.
    let list = groups.list(None).await.unwrap().groups;
    let mut changed = 0;
    // Assigned groups only: a dynamic group's members are managed by its rule.
    for g in list.iter().filter(|g| g.direct_members > 1 && g.id != fixture.large_group && g.membership_rule.is_none() && !g.group_types.iter().any(|t| t == "DynamicMembership")) {
        if changed >= a.changes {
            break;
        }
        if changed % 2 == 0 {
            let members = groups.members(None, &g.id, false).await.unwrap().members;
            let Some(user) = members.iter().find(|m| m.member.kind == MemberKind::User) else { continue };
            graph.remove_group_member(&g.id, &user.member.id).await.unwrap();
        } else {
            if groups.why(None, &fixture.nested_user, &g.id).await.unwrap().chain.len() == 1 {
                continue;
            }
            graph.add_group_member(&g.id, &fixture.nested_user).await.unwrap();
        }
        changed += 1;
    }
    let served = tenant.stats().total;
    let started = Instant::now();
    let incremental = groups.refresh(&account, false, &|_| {}, CancellationToken::new()).await.unwrap();
    let inc_wall = started.elapsed();
    println!(
        "incremental after {changed} membership changes: full={} changes={} requests={} (tenant served {}); {:.1} ms = {:.4} of the full sync",
        incremental.full,
        incremental.changes,
        incremental.requests,
        tenant.stats().total - served,
        ms(inc_wall),
        ms(inc_wall) / ms(full_wall)
    );

    // Transitive lookups from the cache vs Graph.
    let user = fixture.admin_user.clone();
    let answer = groups.member_of(None, &user, true).await.unwrap();
    let mut times = Vec::with_capacity(a.lookups);
    for _ in 0..a.lookups.max(1) {
        let t = Instant::now();
        let r = groups.member_of(None, &user, true).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(r.groups.len(), answer.groups.len());
    }
    times.sort();
    let t = Instant::now();
    let theirs = graph.user_transitive_member_of(&user).await.unwrap();
    let graph_rt = t.elapsed();
    println!(
        "transitive groups of the admin ({} groups, Graph says {}): cache median {:.0} µs, p99 {:.0} µs (whole service call); Graph /users/{{id}}/transitiveMemberOf {:.1} ms",
        answer.groups.len(),
        theirs.iter().filter(|o| matches!(o, DirectoryObject::Group(_))).count(),
        times[times.len() / 2].as_secs_f64() * 1e6,
        times[times.len() * 99 / 100].as_secs_f64() * 1e6,
        ms(graph_rt)
    );
    let why_t = Instant::now();
    let why = groups.why(None, &fixture.nested_user, &fixture.nested_chain[0]).await;
    println!("why (nested user in G1): chain of {:?} groups in {:.0} µs", why.map(|w| w.chain.len()).map_err(|e| e.to_string()), why_t.elapsed().as_secs_f64() * 1e6);

    let overview = groups.overview().await.unwrap();
    println!("cache on disk: {:.1} MiB (the whole cache.sqlite incl. WAL)", overview.stats.size_bytes as f64 / (1 << 20) as f64);

    // Cancelled halfway.
    let before = groups.overview().await.unwrap().stats;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let half = (full_pages / 2).max(1);
    let started = Instant::now();
    let err = groups.refresh(&account, true, &move |p: GroupsSyncProgress| if p.pages >= half { trigger.cancel() }, cancel).await.unwrap_err();
    let after = groups.overview().await.unwrap().stats;
    let usable = groups.member_of(None, &user, true).await.map(|r| r.groups.len());
    println!(
        "full sync cancelled after {half} of {full_pages} pages ({:.0} ms): {}; cache intact: {} (same as_of, {} groups, {} memberships); still answers: {:?} groups",
        ms(started.elapsed()),
        err.code(),
        before.last_sync_at == after.last_sync_at && before.groups == after.groups && before.memberships == after.memberships,
        after.groups,
        after.memberships,
        usable.map_err(|e| e.to_string())
    );
    let _ = desk.sign_out_all().await;
}
