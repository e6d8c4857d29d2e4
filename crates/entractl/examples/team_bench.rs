//! The team lease store's benchmark (issue "Team mode", section "Measured"): what one shared
//! store with one maintenance leader saves, measured side by side in one run against one
//! in-process demo tenant (TLS on loopback, no injected latency) and one throwaway PostgreSQL
//! cluster (entra-testkit), with real `entractl` processes as the members.
//!
//! ```text
//! scripts/bench-team-store.sh     # release build, private keyring, output in target/bench/team-store.txt
//! ENTRACTL=target/release/entractl scripts/with-keyring.sh target/release/examples/team_bench
//! ```
//!
//! 1. **Graph load**: ten members (database roles `m0`…`m9`, each its own data folder) on one
//!    team store holding 1,000 app-secret leases over 50 target applications (issued in-process
//!    through `Leases::issue`, 100 per member). Today's way (the peer): every member reconciles
//!    everything once per reconciliation period, i.e. 10 `entractl lease reconcile` per 10 min.
//!    Ours: 10 `entractl lease daemon --every 5s`; the leader reconciles once at start (and again
//!    10 min later), the others stand by, and a sweep costs no Graph request while nothing has
//!    expired. Counted by the demo tenant itself (`stats`), per route.
//! 2. **Expiry to removal** with the leader killed once: 3 daemons (`--every 2s`) on a store of
//!    their own, 60 leases with TTLs of 5–64 s, the leader `kill -9`'d 30 s in; per lease
//!    `ended_at - expires_at`, the takeover time, and the end state checked (no credential left,
//!    one `expired` audit line per lease).
//! 3. **Issue latency**: in-process `Leases::issue` (no wait for usability), 100 on the team
//!    store and 100 on a SQLite store, interleaved with 100 bare addPassword calls made as issue
//!    makes them (so each store's own share shows) and 100 on a kept client, against the same
//!    tenant.
//!
//! Numbers, not pass/fail; a broken end state is printed, not hidden.

use entra_core::config::ProfileSettings;
use entra_core::leases::{AuditAction, DefineRequest, IssueRequest, LeaseKind, Leases};
use entra_core::secret::{ClientSecret, SecretString};
use entra_core::{AppCredential, Desk, DeskOptions};
use entra_demo::{DemoOptions, DemoTenant, StatsSnapshot};
use entra_teamstore::{DatabasePassword, PgLeaseStore, TeamStoreAddress};
use entra_testkit::postgres::Cluster;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const MEMBERS: usize = 10;
const TARGETS: usize = 50;
const LEASES_PER_TARGET: usize = 20;
/// The daemons' window in part 1 (at least this, and 20 s past the first reconciliation).
const WINDOW: Duration = Duration::from_secs(40);
/// Part 2: leases, their first TTL (each next one a second longer), and when the leader dies.
const EXPIRING: usize = 60;
const FIRST_TTL_SECS: usize = 5;
const KILL_AFTER: Duration = Duration::from_secs(30);
/// Part 3: issues per store (after a warm-up of 5 each).
const ISSUES: usize = 100;

const OWNER: &str = "entra_owner";
const OWNER_PASSWORD: &str = "bench-owner-pw-3b1d";

/// What entractl must not inherit from the caller's environment.
const CONFIG_VARS: &[&str] = &[
    "ENTRA_TENANT_ID",
    "ENTRA_CLIENT_ID",
    "ENTRA_AUTHORITY",
    "ENTRA_METADATA_ADDRESS",
    "ENTRA_ISSUER",
    "ENTRA_REDIRECT_URI",
    "ENTRA_SCOPES",
    "ENTRA_GRAPH_URL",
    "ENTRA_CA_CERT",
    "ENTRA_CONNECTION_STRING",
    "ENTRA_CLIENT_SECRET",
    "ENTRA_DESK_FAULT",
    "ENTRA_LEASE_CLIENT_SECRET",
    "ENTRA_DESK_LEASE_STORE",
    "ENTRA_DESK_LEASE_STORE_PASSWORD",
];

fn member(m: usize) -> String {
    format!("m{m}")
}

fn password(m: usize) -> String {
    format!("bench-member-pw-{m}-7c2e")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The nearest-rank percentile `p` (0–100) of `values`, sorted here.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

/// Requests per route between two snapshots, largest first.
fn routes(before: &StatsSnapshot, after: &StatsSnapshot) -> String {
    let mut diff: Vec<(String, u64)> =
        after.requests.iter().map(|(route, n)| (route.clone(), n - before.requests.get(route).copied().unwrap_or(0))).filter(|(_, n)| *n > 0).collect();
    diff.sort_by_key(|d| std::cmp::Reverse(d.1));
    if diff.is_empty() {
        return "none".into();
    }
    diff.iter().map(|(route, n)| format!("{n} × {route}")).collect::<Vec<_>>().join(", ")
}

fn main() {
    let tenant_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let options = DemoOptions { tls: true, seed: 4242, apps: 60, groups: 12, users: 60, ..Default::default() };
    let tenant = tenant_rt.block_on(entra_demo::start(options)).expect("demo tenant starts");
    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    client_rt.block_on(run(&tenant));
    drop(client_rt);
    tenant_rt.block_on(tenant.shutdown());
}

/// The cluster, the built entractl, and how a member process is started.
struct Team {
    cluster: Cluster,
    bin: PathBuf,
    dir: PathBuf,
    sign_in: Vec<String>,
    secret: String,
}

impl Team {
    fn url(&self, user: &str, database: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{database}", self.cluster.port())
    }

    fn log(&self, name: &str) -> std::fs::File {
        std::fs::File::create(self.dir.join("logs").join(format!("{name}.log"))).unwrap()
    }

    /// The end of what a process wrote to `logs/<name>.log`, for a failure's message.
    fn tail(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.join("logs").join(format!("{name}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!("--- {name}:\n{}", lines[lines.len().saturating_sub(15)..].join("\n"))
    }

    /// `entractl ARGS` as `user` (its own data folder) on `database`, signing in to the
    /// tenant app-only when `sign_in`; stderr to `logs/<log>.log`.
    fn command(&self, user: &str, user_password: &str, database: &str, args: &[&str], sign_in: bool, log: &str) -> Command {
        let mut c = Command::new(&self.bin);
        for var in CONFIG_VARS {
            c.env_remove(var);
        }
        let data = self.dir.join("members").join(user);
        std::fs::create_dir_all(&data).unwrap();
        c.env("ENTRA_DESK_DATA_DIR", &data)
            .env("ENTRA_DESK_LEASE_STORE", self.url(user, database))
            .env("ENTRA_DESK_LEASE_STORE_PASSWORD", user_password)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(self.log(log))
            .kill_on_drop(true);
        if sign_in {
            c.args(&self.sign_in).env("ENTRA_CLIENT_SECRET", &self.secret);
        }
        c
    }

    fn spawn(&self, m: usize, database: &str, args: &[&str], log: &str) -> Child {
        self.command(&member(m), &password(m), database, args, true, log).spawn().expect("entractl starts")
    }

    /// A database owned by the owner role, its schema and grants applied by `lease store init
    /// --apply` for the first `members` member roles.
    async fn store(&self, database: &str, members: usize) {
        self.cluster.sql(&format!("CREATE DATABASE {database} OWNER {OWNER}")).unwrap();
        let mut args = vec!["lease".to_string(), "store".into(), "init".into(), self.url(OWNER, database)];
        for m in 0..members {
            args.extend(["--member".to_string(), member(m)]);
        }
        args.push("--apply".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.command(OWNER, OWNER_PASSWORD, database, &args, false, &format!("init-{database}")).output().await.unwrap();
        assert!(out.status.success(), "lease store init: {}", String::from_utf8_lossy(&out.stdout));
    }

    /// The lease service of member `m` on `database`, in this process.
    async fn leases(&self, desk: &Desk, m: usize, database: &str) -> Leases {
        let address = TeamStoreAddress::parse(&self.url(&member(m), database)).unwrap();
        let store = PgLeaseStore::connect(&address, DatabasePassword::Given(SecretString::new(password(m)))).await.unwrap();
        Leases::new(desk.clone(), Arc::new(store))
    }
}

async fn sign_in(tenant: &DemoTenant, dir: &Path) -> (Desk, String) {
    let info = tenant.info().clone();
    let mut options = DeskOptions::new(dir.join("desk"));
    options.keychain_service = format!("entra-desk-team-bench-{}", std::process::id());
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
    let secret = ClientSecret::new(info.confidential_client.client_secret.clone());
    let account = desk.sign_in_app_only(&profile, AppCredential::ClientSecret(secret)).await.unwrap();
    (desk, account.id)
}

fn define(name: &str, target: &str, ttl: &str, max_ttl: &str) -> DefineRequest {
    DefineRequest {
        name: name.into(),
        kind: LeaseKind::AppSecret,
        target: target.into(),
        ttl: ttl.into(),
        max_ttl: max_ttl.into(),
        acknowledge_password_reset: false,
        client_id: None,
        client_secret: None,
    }
}

fn issue(definition: &str, ttl: Option<String>) -> IssueRequest {
    IssueRequest { definition: definition.into(), ttl, wait_until_usable: false }
}

/// The process ID at the end of a maintenance member's name (`user@host:pid`).
fn pid_of(member: &str) -> Option<u32> {
    member.rsplit(':').next().and_then(|p| p.parse().ok())
}

async fn run(tenant: &DemoTenant) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let bin = match std::env::var_os("ENTRACTL") {
        Some(path) => PathBuf::from(path),
        None => std::env::current_exe().unwrap().parent().and_then(Path::parent).unwrap().join("entractl"),
    };
    assert!(bin.is_file(), "{} is missing: cargo build --release -p entractl --bin entractl (or set ENTRACTL)", bin.display());
    assert!(Cluster::available(), "PostgreSQL's server is not installed: run scripts/setup.sh --for-tests");
    let cluster = Cluster::start().expect("a throwaway PostgreSQL cluster starts");
    cluster.create_role(OWNER, OWNER_PASSWORD).unwrap();
    for m in 0..MEMBERS {
        cluster.create_role(&member(m), &password(m)).unwrap();
    }
    let info = tenant.info().clone();
    let sign_in_flags = vec![
        "--authority".to_string(),
        info.authority.clone(),
        "--graph-url".into(),
        info.graph.clone(),
        "--client-id".into(),
        info.confidential_client.client_id.clone(),
        "--ca-cert".into(),
        info.ca_cert.as_ref().unwrap().to_string_lossy().into_owned(),
    ];
    let team = Team { cluster, bin, dir: dir.clone(), sign_in: sign_in_flags, secret: info.confidential_client.client_secret.clone() };
    let (desk, account) = sign_in(tenant, &dir).await;
    let demo_clients = [&info.confidential_client.client_id, &info.expired_secret_client.client_id, &info.certificate_client.client_id];
    let targets: Vec<String> =
        tenant.applications().into_iter().filter(|a| !demo_clients.contains(&&a.app_id)).map(|a| a.object_id).take(TARGETS + 4).collect();
    assert_eq!(targets.len(), TARGETS + 4, "the demo tenant has too few applications");

    let load = graph_load(&team, tenant, &desk, &account, &targets[..TARGETS]).await;
    let expiry = expiry_to_removal(&team, tenant, &desk, &account, &targets[TARGETS]).await;
    let latency = issue_latency(&team, &desk, &account, &dir, [&targets[TARGETS + 1], &targets[TARGETS + 2], &targets[TARGETS + 3]]).await;
    report(&load, &expiry, &latency);
    let _ = desk.sign_out_all().await;
}

// ---------------------------------------------------------------------------------------------
// 1. Graph load
// ---------------------------------------------------------------------------------------------

struct Load {
    issued: usize,
    issue_time: Duration,
    peer_requests: u64,
    peer_reported: u64,
    peer_time: Duration,
    peer_routes: String,
    ours_window: Duration,
    ours_requests: u64,
    ours_first: Duration,
    ours_at_first: u64,
    ours_after_first: u64,
    ours_routes: String,
    ours_reconciles: usize,
    ours_runs: usize,
    ours_leaders: Vec<usize>,
    ours_errors: Vec<String>,
    /// Daemons running at the end of the window, past their sign-in.
    ours_standing: usize,
    per_10_min: f64,
}

async fn graph_load(team: &Team, tenant: &DemoTenant, desk: &Desk, account: &str, targets: &[String]) -> Load {
    eprintln!("1. ten members, {} leases over {} targets: setting up", TARGETS * LEASES_PER_TARGET, TARGETS);
    team.store("load", MEMBERS).await;
    let mut members = Vec::new();
    for m in 0..MEMBERS {
        members.push(team.leases(desk, m, "load").await);
    }
    for (j, target) in targets.iter().enumerate() {
        members[0].define(Some(account), define(&format!("t{j:02}"), target, "1h", "1d")).await.unwrap();
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (m, leases) in members.iter().enumerate() {
        let (leases, account) = (leases.clone(), account.to_string());
        let names: Vec<String> = (0..TARGETS).filter(|j| j % MEMBERS == m).map(|j| format!("t{j:02}")).collect();
        tasks.push(tokio::spawn(async move {
            for name in names {
                for _ in 0..LEASES_PER_TARGET {
                    leases.issue(&account, issue(&name, None)).await.expect("a lease is issued");
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let issue_time = started.elapsed();
    // The demo tenant has no cap on an application's secrets: check that every one is there.
    let store_id = members[0].overview().await.unwrap().store_id;
    let prefix = format!("entra-desk:{store_id}:");
    let per_target: Vec<usize> = targets
        .iter()
        .map(|t| tenant.application_passwords(t).iter().filter(|p| p.display_name.as_deref().is_some_and(|n| n.starts_with(&prefix))).count())
        .collect();
    let issued: usize = per_target.iter().sum();
    assert!(per_target.iter().all(|&n| n == LEASES_PER_TARGET), "credentials per target: {per_target:?}");
    eprintln!("   issued {issued} leases in {:.1} s ({LEASES_PER_TARGET} credentials on each of {} targets)", issue_time.as_secs_f64(), targets.len());

    // The peer: every member reconciles everything, once per period.
    let before = tenant.stats();
    let started = Instant::now();
    let children: Vec<Child> =
        (0..MEMBERS).map(|m| team.spawn(m, "load", &["lease", "reconcile", "--format", "json"], &format!("reconcile-{}", member(m)))).collect();
    let mut peer_reported = 0;
    for (m, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().await.unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert!(
            out.status.success() && report["errors"].as_array().is_some_and(Vec::is_empty),
            "reconcile as {}: {report}\n{}",
            member(m),
            team.tail(&format!("reconcile-{}", member(m)))
        );
        peer_reported += report["requests"].as_u64().unwrap_or(0);
    }
    let peer_time = started.elapsed();
    let after = tenant.stats();
    let (peer_requests, peer_routes) = (after.total - before.total, routes(&before, &after));
    eprintln!("   peer: 10 × lease reconcile: {peer_requests} Graph requests in {:.1} s", peer_time.as_secs_f64());

    // Ours: ten daemons on the store, one leads.
    let before = tenant.stats();
    let start = Instant::now();
    let mut daemons: Vec<Child> =
        (0..MEMBERS).map(|m| team.spawn(m, "load", &["lease", "daemon", "--every", "5s", "--format", "json"], &format!("daemon-{}", member(m)))).collect();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for (m, daemon) in daemons.iter_mut().enumerate() {
        let (stdout, tx) = (daemon.stdout.take().unwrap(), tx.clone());
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send((m, Instant::now(), line));
            }
        });
    }
    drop(tx);
    let mut end = start + WINDOW;
    let (mut first, mut reconciles, mut runs, mut leaders, mut errors) = (None, 0, 0, Vec::new(), Vec::new());
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        let Ok(Some((m, at, line))) = tokio::time::timeout(left, rx.recv()).await else { break };
        let run: Value = serde_json::from_str(&line).unwrap_or_default();
        runs += 1;
        if !leaders.contains(&m) {
            leaders.push(m);
        }
        if let Some(error) = run["error"].as_str() {
            errors.push(format!("{}: {error}", member(m)));
        }
        if run["reconcile"].is_object() {
            reconciles += 1;
            if first.is_none() {
                first = Some((at - start, tenant.stats()));
                end = end.max(Instant::now() + Duration::from_secs(20)).min(start + Duration::from_secs(90));
            }
        }
    }
    let ours_window = start.elapsed();
    let after = tenant.stats();
    // Every daemon signed in and got to its loop (it says so on stderr), and is still running.
    let mut standing = 0;
    for (m, daemon) in daemons.iter_mut().enumerate() {
        let log = team.tail(&format!("daemon-{}", member(m)));
        if log.contains("Maintaining the leases of") && matches!(daemon.try_wait(), Ok(None)) {
            standing += 1;
        } else {
            eprintln!("   a daemon is not running:\n{log}");
        }
    }
    for daemon in daemons.iter_mut() {
        let _ = daemon.start_kill();
        let _ = daemon.wait().await;
    }
    let (ours_first, at_first) = first.unwrap_or((ours_window, after.clone()));
    let ours_requests = after.total - before.total;
    let ours_at_first = at_first.total - before.total;
    let ours_after_first = after.total - at_first.total;
    // Per 10 minutes: the window (start-up and the one reconciliation), plus what comes after
    // the first reconciliation at the rate seen, for the rest of the 10 minutes.
    let after_secs = (ours_window - ours_first).as_secs_f64().max(1.0);
    let per_10_min = ours_requests as f64 + ours_after_first as f64 / after_secs * (600.0 - ours_window.as_secs_f64());
    eprintln!("   ours: 10 daemons for {:.0} s: {ours_requests} Graph requests ({ours_after_first} after the first reconciliation)", ours_window.as_secs_f64());
    Load {
        issued,
        issue_time,
        peer_requests,
        peer_reported,
        peer_time,
        peer_routes,
        ours_window,
        ours_requests,
        ours_first,
        ours_at_first,
        ours_after_first,
        ours_routes: routes(&before, &after),
        ours_reconciles: reconciles,
        ours_runs: runs,
        ours_leaders: leaders,
        ours_errors: errors,
        ours_standing: standing,
        per_10_min,
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Expiry to removal, the leader killed once
// ---------------------------------------------------------------------------------------------

struct Expiry {
    /// Seconds from expiry to `ended_at`, per lease that ended.
    delays: Vec<f64>,
    /// The same, for the leases that expired between the kill and the takeover.
    in_gap: Vec<f64>,
    /// From the kill to the new leader's `since`.
    takeover: Option<Duration>,
    /// From the kill to the poll that saw it.
    takeover_seen: Option<Duration>,
    killed_at: Duration,
    not_ended: usize,
    credentials_left: usize,
    expired_once: usize,
    statuses: BTreeMap<String, usize>,
    after_kill: String,
}

async fn expiry_to_removal(team: &Team, tenant: &DemoTenant, desk: &Desk, account: &str, target: &str) -> Expiry {
    eprintln!("2. three daemons (--every 2s), {EXPIRING} leases expiring over {} s, the leader killed once", EXPIRING);
    team.store("expiry", 3).await;
    let leases = team.leases(desk, 0, "expiry").await;
    leases.define(Some(account), define("expiry", target, "1m", "1h")).await.unwrap();
    let mut daemons: Vec<Child> = (0..3)
        .map(|m| {
            let log = format!("expiry-daemon-{}", member(m));
            let mut c = team.command(&member(m), &password(m), "expiry", &["lease", "daemon", "--every", "2s", "--format", "json"], true, &log);
            c.stdout(team.log(&format!("{log}-runs")));
            c.spawn().expect("entractl starts")
        })
        .collect();
    let store = leases.lease_store().clone();
    let waited = Instant::now();
    while store.leader().await.ok().flatten().is_none() {
        if waited.elapsed() > Duration::from_secs(30) {
            let logs: Vec<String> = (0..3).map(|m| team.tail(&format!("expiry-daemon-{}", member(m)))).collect();
            panic!("no daemon took the leadership in 30 s\n{}", logs.join("\n"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let t0 = Instant::now();
    let mut ids = Vec::new();
    for k in 0..EXPIRING {
        ids.push(leases.issue(account, issue("expiry", Some(format!("{}s", FIRST_TTL_SECS + k)))).await.expect("a lease is issued").lease.id);
    }
    tokio::time::sleep_until(tokio::time::Instant::from_std(t0 + KILL_AFTER)).await;
    let leader = store.leader().await.unwrap().expect("a leader");
    let pid = pid_of(&leader.member).expect("a pid in the leader's name");
    let daemon = daemons.iter_mut().find(|d| d.id() == Some(pid)).expect("the leader is one of our daemons");
    daemon.start_kill().unwrap(); // SIGKILL: kill -9
    let killed = Instant::now();
    let killed_utc = chrono::Utc::now();
    // Reaped at once, as a shell or a service manager would: until then it is a zombie whose
    // /proc entry (same PID, same start time) makes an intent it owned look alive to the others.
    let _ = daemon.wait().await;
    // Every Graph request from here on is the new leader's: the killed one is gone, the others stand by.
    let at_kill = tenant.stats();
    // The takeover: when the leader row names another member, by the row's own `since`
    // (the database's clock, on this machine), so the polling's lag is not counted.
    let mut takeover: Option<(chrono::DateTime<chrono::Utc>, Duration)> = None;
    let last_expiry = t0 + Duration::from_secs((FIRST_TTL_SECS + EXPIRING) as u64);
    let deadline = last_expiry + Duration::from_secs(60);
    let mut last_check = Instant::now() - Duration::from_secs(1);
    let list = loop {
        if takeover.is_none() {
            if let Ok(Some(now)) = store.leader().await {
                if now.member != leader.member {
                    takeover = Some((now.since, killed.elapsed()));
                }
            }
        }
        if last_check.elapsed() >= Duration::from_secs(1) || Instant::now() > deadline {
            last_check = Instant::now();
            let list = leases.list().await.unwrap();
            let done = ids.iter().all(|id| list.iter().any(|l| &l.id == id && l.status.is_final()));
            if (done && takeover.is_some()) || Instant::now() > deadline {
                break list;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let after_kill = routes(&at_kill, &tenant.stats());
    for daemon in daemons.iter_mut() {
        let _ = daemon.start_kill();
        let _ = daemon.wait().await;
    }
    let takeover_utc = takeover.map(|(since, _)| since);
    let takeover_time = takeover.map(|(since, _)| (since - killed_utc).to_std().unwrap_or_default());
    let takeover_seen = takeover.map(|(_, seen)| seen);
    let (mut delays, mut in_gap, mut statuses, mut not_ended) = (Vec::new(), Vec::new(), BTreeMap::new(), 0);
    for id in &ids {
        let lease = list.iter().find(|l| &l.id == id).expect("the lease is listed");
        *statuses.entry(lease.status.as_str().to_string()).or_insert(0) += 1;
        let Some(ended) = lease.ended_at else {
            not_ended += 1;
            continue;
        };
        let delay = (ended - lease.expires_at).num_milliseconds() as f64 / 1000.0;
        delays.push(delay);
        if lease.expires_at >= killed_utc && takeover_utc.is_none_or(|t| lease.expires_at < t) {
            in_gap.push(delay);
        }
    }
    let prefix = format!("entra-desk:{}:", leases.overview().await.unwrap().store_id);
    let credentials_left = tenant.application_passwords(target).iter().filter(|p| p.display_name.as_deref().is_some_and(|n| n.starts_with(&prefix))).count();
    let audit = leases.audit(None).await.unwrap();
    let mut expired_lines: HashMap<&str, usize> = HashMap::new();
    for entry in &audit {
        if entry.line.action == AuditAction::Expired {
            if let Some(id) = entry.line.lease_id.as_deref() {
                *expired_lines.entry(id).or_insert(0) += 1;
            }
        }
    }
    let expired_once = ids.iter().filter(|id| expired_lines.get(id.as_str()) == Some(&1)).count();
    Expiry { delays, in_gap, takeover: takeover_time, takeover_seen, killed_at: killed - t0, not_ended, credentials_left, expired_once, statuses, after_kill }
}

// ---------------------------------------------------------------------------------------------
// 3. Issue latency
// ---------------------------------------------------------------------------------------------

struct Latency {
    team: Vec<f64>,
    sqlite: Vec<f64>,
    /// The Graph call each issue makes, alone and as issue makes it: a client from the desk
    /// (a new HTTP client, so a new TLS connection), then addPassword. What neither store adds.
    graph: Vec<f64>,
    /// addPassword alone on one client kept across calls (its connection reused).
    graph_reused: Vec<f64>,
    /// Of `graph`: building the client alone (`Desk::graph`).
    graph_build: Vec<f64>,
}

/// Which of the three timed calls.
#[derive(Clone, Copy)]
enum Call {
    Team,
    Sqlite,
    Graph,
    GraphReused,
}

/// Issues on the team store, on a SQLite store, and the bare addPassword, on a target each.
async fn issue_latency(team: &Team, desk: &Desk, account: &str, dir: &Path, targets: [&str; 3]) -> Latency {
    eprintln!("3. issue latency: {ISSUES} issues on each store and {ISSUES} bare addPassword of each kind, interleaved");
    let on_team = team.leases(desk, 1, "load").await;
    on_team.define(Some(account), define("latency", targets[0], "1h", "1d")).await.unwrap();
    let sqlite_dir = dir.join("sqlite");
    std::fs::create_dir_all(&sqlite_dir).unwrap();
    let on_sqlite = Leases::open(desk.clone(), &sqlite_dir).unwrap();
    on_sqlite.define(Some(account), define("latency", targets[1], "1h", "1d")).await.unwrap();
    let graph = desk.graph(account).unwrap();
    let end = Some(chrono::Utc::now() + chrono::Duration::days(1));
    let (mut team_ms, mut sqlite_ms, mut graph_ms, mut reused_ms, mut build_ms) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let calls = [Call::Team, Call::Sqlite, Call::Graph, Call::GraphReused];
    let name = "team-bench: the Graph call alone";
    // 5 rounds of warm-up, then the measured ones.
    for round in 0..5 + ISSUES {
        // Interleaved, each first in turn: a burst of load from elsewhere hits all alike.
        for k in 0..calls.len() {
            let call = calls[(round + k) % calls.len()];
            let started = Instant::now();
            match call {
                Call::Team => drop(on_team.issue(account, issue("latency", None)).await.unwrap()),
                Call::Sqlite => drop(on_sqlite.issue(account, issue("latency", None)).await.unwrap()),
                Call::Graph => {
                    let client = desk.graph(account).unwrap();
                    if round >= 5 {
                        build_ms.push(ms(started.elapsed()));
                    }
                    drop(client.add_application_password(targets[2], name, end).await.unwrap())
                }
                Call::GraphReused => drop(graph.add_application_password(targets[2], name, end).await.unwrap()),
            }
            let took = ms(started.elapsed());
            if round >= 5 {
                match call {
                    Call::Team => team_ms.push(took),
                    Call::Sqlite => sqlite_ms.push(took),
                    Call::Graph => graph_ms.push(took),
                    Call::GraphReused => reused_ms.push(took),
                }
            }
        }
    }
    Latency { team: team_ms, sqlite: sqlite_ms, graph: graph_ms, graph_reused: reused_ms, graph_build: build_ms }
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

fn report(load: &Load, expiry: &Expiry, latency: &Latency) {
    let s = |v: f64| format!("{v:.1} s");
    println!();
    println!("| measure | baseline | team store (ours) | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| Graph requests per 10 min: 10 members, {} leases over {TARGETS} targets | peer (each member reconciles every 10 min): {} | {:.0} | {:.1}x fewer |",
        load.issued,
        load.peer_requests,
        load.per_10_min,
        load.peer_requests as f64 / load.per_10_min.max(1.0)
    );
    println!("| Reconciliations per 10 min | peer: {MEMBERS} | {} | {}x fewer |", load.ours_reconciles, MEMBERS / load.ours_reconciles.max(1));
    println!(
        "| Graph requests after the first reconciliation ({:.0} s of sweeps, nothing expired) | — | {} | — |",
        (load.ours_window - load.ours_first).as_secs_f64(),
        load.ours_after_first
    );
    let (p50, p99, max) = (percentile(&expiry.delays, 50.0), percentile(&expiry.delays, 99.0), percentile(&expiry.delays, 100.0));
    println!(
        "| Expiry → credential removed, p50 / p99 / max ({} leases, so p99 by nearest rank is the slowest; 3 daemons --every 2s, leader kill -9'd once) | — | {} / {} / {} | — |",
        expiry.delays.len(),
        s(p50),
        s(p99),
        s(max)
    );
    println!(
        "| … of the {} leases that expired between the kill and the takeover, p50 / max | — | {} / {} | — |",
        expiry.in_gap.len(),
        s(percentile(&expiry.in_gap, 50.0)),
        s(percentile(&expiry.in_gap, 100.0))
    );
    println!("| Takeover after kill -9 of the leader | — | {} | — |", expiry.takeover.map_or("none".into(), |t| s(t.as_secs_f64())));
    let (tp50, tp99, sp50, sp99) =
        (percentile(&latency.team, 50.0), percentile(&latency.team, 99.0), percentile(&latency.sqlite, 50.0), percentile(&latency.sqlite, 99.0));
    println!("| Issue latency p50 ({ISSUES} each, in-process Leases::issue) | SQLite: {sp50:.1} ms | {tp50:.1} ms | {:.2}x (team/SQLite) |", tp50 / sp50);
    println!("| Issue latency p99 | SQLite: {sp99:.1} ms | {tp99:.1} ms | {:.2}x (team/SQLite) |", tp99 / sp99);
    let (gp50, gp99) = (percentile(&latency.graph, 50.0), percentile(&latency.graph, 99.0));
    println!(
        "| … of which the Graph call as issue makes it (new client — built in {:.1} ms p50 —, then addPassword; {ISSUES}×), p50 / p99 | {gp50:.1} / {gp99:.1} ms | {gp50:.1} / {gp99:.1} ms | the rest, p50: SQLite {:.1} ms, team {:.1} ms ({:.2}x) |",
        percentile(&latency.graph_build, 50.0),
        sp50 - gp50,
        tp50 - gp50,
        (tp50 - gp50) / (sp50 - gp50)
    );
    println!(
        "| … addPassword alone on a kept client (connection reused), p50 / p99 | {0:.1} / {1:.1} ms | {0:.1} / {1:.1} ms | — |",
        percentile(&latency.graph_reused, 50.0),
        percentile(&latency.graph_reused, 99.0)
    );
    println!();
    println!("Graph resource units: not reported by the demo tenant (it sends no x-ms-resource-unit header); requests only.");
    println!(
        "checked (1): {} leases, {LEASES_PER_TARGET} credentials on each of {TARGETS} targets (issued in {:.1} s); peer: {} requests counted by the tenant ({} by the reports) in {:.1} s — {}",
        load.issued,
        load.issue_time.as_secs_f64(),
        load.peer_requests,
        load.peer_reported,
        load.peer_time.as_secs_f64(),
        load.peer_routes
    );
    println!(
        "checked (1): ours: {} requests in {:.0} s — {}; {} at the first reconciliation ({:.1} s after start), {} after it; {} reconciliation(s) and {} runs in the window, all by {} of {MEMBERS} daemons ({} of {MEMBERS} signed in and running at the end){}",
        load.ours_requests,
        load.ours_window.as_secs_f64(),
        load.ours_routes,
        load.ours_at_first,
        load.ours_first.as_secs_f64(),
        load.ours_after_first,
        load.ours_reconciles,
        load.ours_runs,
        load.ours_leaders.len(),
        load.ours_standing,
        if load.ours_errors.is_empty() { String::new() } else { format!("; run errors: {}", load.ours_errors.join("; ")) }
    );
    let quiet = load.ours_reconciles == 1 && load.ours_after_first == 0 && load.ours_leaders.len() == 1 && load.ours_standing == MEMBERS;
    println!(
        "checked (1): {}",
        if quiet {
            "within the window one member reconciled once and nothing else reconciled; its sweeps cost no Graph request while nothing expired, so the next Graph request is its reconciliation 10 min after the first".to_string()
        } else {
            format!(
                "NOT as expected: {} reconciliation(s), {} request(s) after the first, {} leading daemon(s), {} running",
                load.ours_reconciles,
                load.ours_after_first,
                load.ours_leaders.len(),
                load.ours_standing
            )
        }
    );
    println!(
        "checked (2): leader killed {:.0} s after the first issue; statuses {:?}; not ended {}; credentials of the store left in the tenant {}; leases with exactly one `expired` audit line {}/{}; takeover seen by polling after {}; Graph requests from the kill to the end (all the new leader's): {}",
        expiry.killed_at.as_secs_f64(),
        expiry.statuses,
        expiry.not_ended,
        expiry.credentials_left,
        expiry.expired_once,
        EXPIRING,
        expiry.takeover_seen.map_or("never".into(), |t| s(t.as_secs_f64())),
        expiry.after_kill
    );
    println!();
    println!(
        "How measured: one in-process demo tenant (TLS on loopback, no injected latency; its own request count, GET {{emulator}}/stats, by route) and one throwaway PostgreSQL 127.0.0.1 cluster (fsync off); members are real release `entractl` processes, each with its own data folder and database role, signing in app-only. \
(1) {} app-secret leases (1 h TTL) were issued in-process by ten members through Leases::issue over PgLeaseStore, {LEASES_PER_TARGET} on each of {TARGETS} applications; the peer is {MEMBERS} concurrent `entractl lease reconcile` (what ten desktops each maintaining everything do once per 10-minute reconciliation period); ours is {MEMBERS} `entractl lease daemon --every 5s` for {:.0} s, its per-10-minute figure being the window's count plus the post-reconciliation rate over the remaining {:.0} s. \
(2) A store of its own, 3 daemons (`--every 2s`), {EXPIRING} leases with TTLs of {FIRST_TTL_SECS}–{} s issued back to back, the leader (found in entra_desk.leader, its pid after the last ':' of `member`) SIGKILLed {:.0} s after the first issue; per lease ended_at − expires_at from the store, the takeover as the `since` of the first leader row naming another member (the database's clock, on this machine) minus the kill. \
(3) {ISSUES} issues (wait_until_usable off, after 5 rounds of warm-up) on the ten-member team store (1,000+ leases), {ISSUES} on a fresh SQLite store (synchronous = FULL, on this machine's disk), {ISSUES} bare addPassword calls made as issue makes them (a client from the desk each time) and {ISSUES} on one kept client, interleaved, same tenant, each timed around the call (\"the rest\" is a store's p50 minus the bare call's: the store's statements and the service's own reads); both go over loopback (TCP to PostgreSQL, TLS to the tenant), so the team store's figure holds no network latency — add a round trip per statement for a remote server. Numbers on a 2-core machine that may be busy.",
        load.issued,
        load.ours_window.as_secs_f64(),
        600.0 - load.ours_window.as_secs_f64(),
        FIRST_TTL_SECS + EXPIRING - 1,
        expiry.killed_at.as_secs_f64()
    );
}
