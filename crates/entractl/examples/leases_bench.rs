//! The lease reconciliation benchmark: reconciliation after a crash, for an application with
//! 100 client secrets of which some are foreign, at a given Graph latency; and beside it, in
//! the same run and on an identical second application, what a per-lease peer does.
//!
//! ```text
//! cargo run --release -p entractl --example leases_bench -- --ours 60 --foreign 40 --latency-ms 50
//! scripts/bench-leases.sh          # the same under a private keyring, output in target/bench/leases.txt
//! ```
//!
//! The state a crash leaves (per application; `--ours` split as below, rounded):
//! - 5/12 active leases, current (kept);
//! - 1/6 credentials of this store with no lease at all (the store lost them: removed);
//! - 1/6 interrupted issues: intent recorded, addPassword made, commit lost, owner dead (adopted);
//! - 1/6 expired leases the sweeper never got to (removed);
//! - 1/12 interrupted revocations: `revoking` recorded, owner dead, credential still there (removed);
//! - plus 5 intents whose addPassword never happened (closed), and `--foreign` credentials made by
//!   someone else (people, another Entra Desk store's markers, look-alike names): left alone.
//!
//! - **ours**: `Leases::reconcile`: one read of the application's credentials, then one
//!   removePassword per credential that must go.
//! - **per-lease** (the way a WAL-rollback or per-lease checker does it, e.g. Vault's Azure
//!   engine rolling back its WAL entries one by one): for every unfinished lease in the store,
//!   read the application and look for its credential, then remove it if it must go. It cannot
//!   see credentials the store has no lease for.
//! - **steady state**: a reconciliation right after, when nothing is left to do.
//!
//! Request counts: ours from the report, and the tenant's own count of what it served.
//! Numbers, not pass/fail (but the end state is checked: foreign credentials all survive).

use entra_core::clock::SystemClock;
use entra_core::config::ProfileSettings;
use entra_core::graph::GraphClient;
use entra_core::leases::{AuditAction, AuditLine, DefineRequest, IssueRequest, Lease, LeaseKind, LeaseStatus, LeaseStore, Leases, SqliteLeaseStore, LEASES_FILE};
use entra_core::{AppCredential, Desk, DeskOptions};
use entra_demo::{DemoOptions, DemoTenant, Faults};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    ours: usize,
    foreign: usize,
    latency_ms: u64,
}

fn args() -> Args {
    let mut a = Args { ours: 60, foreign: 40, latency_ms: 50 };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = || argv.get(i + 1).and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| panic!("{} needs a number", argv[i]));
        match argv[i].as_str() {
            "--ours" => a.ours = value() as usize,
            "--foreign" => a.foreign = value() as usize,
            "--latency-ms" => a.latency_ms = value(),
            other => panic!("unknown argument {other} (--ours N --foreign N --latency-ms N)"),
        }
        i += 2;
    }
    a
}

/// How the credentials of this store are split (see the module doc).
#[derive(Debug, Clone, Copy)]
struct Split {
    current: usize,
    lost: usize,
    adopt: usize,
    expired: usize,
    revoking: usize,
    never: usize,
}

impl Split {
    fn of(ours: usize) -> Split {
        let lost = ours / 6;
        let adopt = ours / 6;
        let expired = ours / 6;
        let revoking = ours / 12;
        Split { current: ours - lost - adopt - expired - revoking, lost, adopt, expired, revoking, never: 5 }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let a = args();
    let tenant_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let options = DemoOptions { tls: true, apps: 12, groups: 12, users: 60, ..Default::default() };
    let tenant = tenant_rt.block_on(entra_demo::start(options)).expect("demo tenant starts");
    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    client_rt.block_on(run(&a, &tenant));
    drop(client_rt);
    tenant_rt.block_on(tenant.shutdown());
}

async fn sign_in(tenant: &DemoTenant, dir: &Path) -> (Desk, String) {
    let info = tenant.info().clone();
    let mut options = DeskOptions::new(dir.join("data"));
    options.keychain_service = format!("entra-desk-leases-bench-{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default());
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

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "localhost".into())
}

/// One application in the state a crash leaves, with its own lease store (under `dir`).
struct Scene {
    target: String,
    leases: Leases,
    store: SqliteLeaseStore,
    store_id: String,
    foreign: Vec<String>,
    credentials: usize,
}

async fn scene(tenant: &DemoTenant, desk: &Desk, account: &str, dir: &Path, target: &str, split: Split, foreign: usize) -> Scene {
    std::fs::create_dir_all(dir).unwrap();
    // The application's own secrets count as foreign: only what makes up the number is added.
    let existing = tenant.application_passwords(target).len();
    let leases = Leases::open(desk.clone(), dir).unwrap().with_clock(Arc::new(SystemClock));
    let store = SqliteLeaseStore::open(dir.join(LEASES_FILE)).unwrap();
    let store_id = leases.overview().await.unwrap().store_id;
    let define = |name: &str, ttl: &str| DefineRequest {
        name: name.into(),
        kind: LeaseKind::AppSecret,
        target: target.into(),
        ttl: ttl.into(),
        max_ttl: "1d".into(),
        acknowledge_password_reset: false,
        client_id: None,
        client_secret: None,
    };
    leases.define(Some(account), define("bench", "1h")).await.unwrap();
    let binding = leases.definitions().await.unwrap()[0].tenant.clone();
    let issue = |ttl: &str| IssueRequest { definition: "bench".into(), ttl: Some(ttl.into()), wait_until_usable: false };
    let now = chrono::Utc::now();
    let end = now + chrono::Duration::days(1);
    // A dead process of this host, in `leases::owner`'s format (`host:machine:boot:pid-ns:pid:start`):
    // our boot and PID namespace, a PID that no process has with start time 0.
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    let ns = std::fs::read_link("/proc/self/ns/pid").map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
    let ns = ns.trim_start_matches("pid:[").trim_end_matches(']');
    let dead = format!("{}:-:{}:{ns}:999999:0", host_name(), boot.trim());
    let marker = |id: &str| format!("entra-desk:{store_id}:{id}");
    let pending = |id: &str| Lease {
        id: id.into(),
        definition: "bench".into(),
        kind: LeaseKind::AppSecret,
        target: target.into(),
        tenant: binding.clone(),
        status: LeaseStatus::Pending,
        issued_at: now,
        expires_at: now + chrono::Duration::hours(1),
        max_expires_at: end,
        renewed_at: None,
        ended_at: None,
        key_id: None,
        hint: None,
        marker: Some(marker(id)),
        revoke_attempts: 0,
        next_attempt_at: None,
        last_error: None,
        note: None,
        issued_by: None,
    };
    let intent = |id: &str| AuditLine {
        at: now,
        action: AuditAction::Intent,
        lease_id: Some(id.into()),
        definition: Some("bench".into()),
        target: Some(target.into()),
        actor: "bench".into(),
        detail: "about to addPassword".into(),
        request_id: None,
    };
    for _ in 0..split.current {
        leases.issue(account, issue("1h")).await.unwrap();
    }
    for _ in 0..split.expired {
        leases.issue(account, issue("1s")).await.unwrap();
    }
    for _ in 0..split.revoking {
        let lease = leases.issue(account, issue("1h")).await.unwrap().lease;
        let stored = store.lease(&lease.id).await.unwrap().unwrap();
        let revoking = Lease { status: LeaseStatus::Revoking, ..stored.lease };
        assert!(store.update_lease(&revoking, Some(&dead), stored.version, None).await.unwrap().is_some());
    }
    for _ in 0..split.lost {
        let id = uuid::Uuid::new_v4().to_string();
        tenant.add_foreign_password(target, &marker(&id), end).unwrap();
    }
    for _ in 0..split.adopt {
        let id = uuid::Uuid::new_v4().to_string();
        tenant.add_foreign_password(target, &marker(&id), end).unwrap();
        store.insert_lease(&pending(&id), Some(&dead), &intent(&id)).await.unwrap();
    }
    for _ in 0..split.never {
        let id = uuid::Uuid::new_v4().to_string();
        store.insert_lease(&pending(&id), Some(&dead), &intent(&id)).await.unwrap();
    }
    for i in 0..foreign.saturating_sub(existing) {
        let name = match i % 4 {
            0 => format!("entra-desk:{:032x}:{}", 0xfeed_u128 + i as u128, uuid::Uuid::new_v4()),
            1 => format!("Rotated by Entra Desk 2026-12-{:02}", 1 + i % 28),
            2 => format!("CI pipeline {i}"),
            _ => String::new(),
        };
        tenant.add_foreign_password(target, &name, end).unwrap();
    }
    let all = tenant.application_passwords(target);
    let prefix = format!("entra-desk:{store_id}:");
    let foreign: Vec<String> = all.iter().filter(|p| !p.display_name.as_deref().is_some_and(|n| n.starts_with(&prefix))).map(|p| p.key_id.clone()).collect();
    Scene { target: target.into(), leases, store, store_id, foreign, credentials: all.len() }
}

/// The per-lease way: every unfinished lease in the store, one read of the application each,
/// then a removal when it must go. Returns (requests, removed, adopted, closed).
async fn per_lease(graph: &GraphClient, scene: &Scene) -> (u32, u32, u32, u32) {
    let now = chrono::Utc::now();
    let (mut requests, mut removed, mut adopted, mut closed) = (0u32, 0u32, 0u32, 0u32);
    for stored in scene.store.leases().await.unwrap() {
        let lease = stored.lease;
        if lease.status.is_final() {
            continue;
        }
        requests += 1;
        let app = graph.application_credentials(&lease.target).await.unwrap();
        let found = app.password_credentials.iter().find(|c| Some(&c.key_id) == lease.key_id.as_ref() || c.display_name == lease.marker);
        let must_go = match lease.status {
            LeaseStatus::Pending => false,
            LeaseStatus::Revoking | LeaseStatus::RevokeFailed => true,
            _ => lease.expires_at <= now,
        };
        match (found, must_go) {
            (Some(c), true) => {
                requests += 1;
                graph.remove_application_password(&lease.target, &c.key_id).await.unwrap();
                removed += 1;
            }
            (Some(_), false) if lease.status == LeaseStatus::Pending => adopted += 1,
            (None, _) => closed += 1,
            _ => {}
        }
    }
    (requests, removed, adopted, closed)
}

async fn run(a: &Args, tenant: &DemoTenant) {
    let dir = tempfile::tempdir().unwrap();
    let (desk, account) = sign_in(tenant, dir.path()).await;
    let graph = desk.graph(&account).unwrap();
    let info = tenant.info();
    let demo_clients = [&info.confidential_client.client_id, &info.expired_secret_client.client_id, &info.certificate_client.client_id];
    let target_a = tenant.lease_targets().application.object_id;
    let target_b = tenant
        .applications()
        .into_iter()
        .find(|app| app.object_id != target_a && !demo_clients.contains(&&app.app_id))
        .expect("a second generated application")
        .object_id;
    let split = Split::of(a.ours);

    let setup = Instant::now();
    tenant.set_faults(Faults::default()).unwrap();
    let ours = scene(tenant, &desk, &account, &dir.path().join("ours"), &target_a, split, a.foreign).await;
    let peers = scene(tenant, &desk, &account, &dir.path().join("peers"), &target_b, split, a.foreign).await;
    tokio::time::sleep(Duration::from_millis(1500)).await; // the 1 s leases have expired
    println!(
        "scene: {} credentials on the application (the peers' copy: {}) ({} of this store: {} current, {} lost, {} interrupted issues, {} expired, {} interrupted revocations; {} foreign), plus {} intents whose addPassword never happened; set up in {:.0} ms",
        ours.credentials, peers.credentials, a.ours, split.current, split.lost, split.adopt, split.expired, split.revoking, ours.foreign.len(), split.never, ms(setup.elapsed())
    );
    println!("latency: {} ms per Graph request (demo tenant fault injection)", a.latency_ms);
    tenant.set_faults(Faults { latency_ms: a.latency_ms, ..Default::default() }).unwrap();

    // Ours.
    let served = tenant.stats().total;
    let started = Instant::now();
    let report = ours.leases.reconcile(&account).await.unwrap();
    let ours_time = started.elapsed();
    let ours_served = tenant.stats().total - served;
    println!(
        "reconcile (ours):    {:>7.0} ms  {:>3} requests (tenant served {:>3})  removed {}, adopted {}, intents closed {}, leases closed {}, foreign left alone {}, errors {}",
        ms(ours_time), report.requests, ours_served, report.removed, report.adopted, report.abandoned, report.closed, report.foreign, report.errors.len()
    );

    // Per lease.
    let served = tenant.stats().total;
    let started = Instant::now();
    let (requests, removed, adopted, closed) = per_lease(&graph, &peers).await;
    let peers_time = started.elapsed();
    let peers_served = tenant.stats().total - served;
    let prefix = format!("entra-desk:{}:", peers.store_id);
    let mut missed = 0;
    for p in tenant.application_passwords(&peers.target) {
        if let Some(id) = p.display_name.as_deref().and_then(|n| n.strip_prefix(&prefix)) {
            if peers.store.lease(id).await.unwrap().is_none() {
                missed += 1;
            }
        }
    }
    println!(
        "per-lease (peers):   {:>7.0} ms  {:>3} requests (tenant served {:>3})  removed {removed}, adopted {adopted}, closed {closed}; missed {missed} credential(s) of this store that have no lease",
        ms(peers_time), requests, peers_served
    );
    println!(
        "ratio:               {:.1}x the time, {:.1}x the requests",
        ms(peers_time) / ms(ours_time).max(0.001),
        peers_served as f64 / (ours_served.max(1)) as f64
    );

    // Steady state.
    let served = tenant.stats().total;
    let started = Instant::now();
    let again = ours.leases.reconcile(&account).await.unwrap();
    println!(
        "steady state:        {:>7.0} ms  {:>3} requests (tenant served {:>3})  nothing to do: removed {}, adopted {}",
        ms(started.elapsed()), again.requests, tenant.stats().total - served, again.removed, again.adopted
    );

    // The end state, checked.
    let left = tenant.application_passwords(&ours.target);
    let prefix = format!("entra-desk:{}:", ours.store_id);
    let all = ours.leases.list().await.unwrap();
    for p in &left {
        if let Some(id) = p.display_name.as_deref().and_then(|n| n.strip_prefix(&prefix)) {
            let lease = all.iter().find(|l| l.id == id).expect("every credential of ours has a lease");
            assert_eq!(lease.status, entra_core::leases::LeaseStatus::Active);
        }
    }
    for key in &ours.foreign {
        assert!(left.iter().any(|p| &p.key_id == key), "a foreign credential was removed");
    }
    assert_eq!(left.len(), ours.foreign.len() + split.current + split.adopt);
    println!("checked: {} credentials left = {} foreign + {} current + {} adopted; every foreign one survived", left.len(), ours.foreign.len(), split.current, split.adopt);
    let _ = desk.sign_out_all().await;
}

