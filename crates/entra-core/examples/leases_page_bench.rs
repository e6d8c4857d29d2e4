//! The lease lists benchmark: a SQLite lease store of 100,000 leases and 500,000 audit lines,
//! read the way the Leases screen read it before (every lease, and the whole audit log, in one
//! call each) beside the paged reads it makes now (a page, searched, filtered and sorted in SQL,
//! with the count of what the query keeps), in the same run on the same file.
//!
//! ```text
//! cargo run --release -p entra-core --example leases_page_bench
//! cargo run --release -p entra-core --example leases_page_bench -- --leases 20000 --lines 100000 --runs 50
//! ```
//!
//! Each read is the port's call (`LeaseStore`, a file on disk in WAL mode as the app opens it),
//! timed from the call to its result; "+ JSON" adds serialising what the screen would receive
//! over IPC, and its size. The store is filled once through `import` (one transaction), the way
//! `entractl lease migrate` fills one. Numbers, not pass/fail.

use chrono::{Duration, TimeZone, Utc};
use entra_core::leases::store::chain::ChainedLine;
use entra_core::leases::store::{LeaseStore, SqliteLeaseStore, StoreSnapshot, StoredLease};
use entra_core::leases::{
    AuditAction, AuditLine, AuditQuery, Definition, Lease, LeaseKind, LeaseState, LeaseStatus, LeasesQuery, TenantBinding,
};
use entra_core::paging::ListQuery;
use std::future::Future;
use std::time::Instant;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

const DEFINITIONS: usize = 40;
const USERS: usize = 60;

fn tenant() -> TenantBinding {
    TenantBinding { tenant_id: "11111111-2222-3333-4444-555555555555".into(), authority: "https://login.microsoftonline.com/contoso/v2.0".into() }
}

/// A store a team could have after a few years: most leases over, a few percent live.
fn snapshot(leases: usize, lines: usize) -> StoreSnapshot {
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let definitions: Vec<Definition> = (0..DEFINITIONS)
        .map(|d| Definition {
            name: format!("def-{d:02}"),
            kind: LeaseKind::AppSecret,
            target: format!("00000000-0000-4000-8000-{d:012}"),
            target_name: Some(if d == 7 { "Payroll API".into() } else { format!("App {d}") }),
            client_id: None,
            tenant: Some(tenant()),
            ttl_secs: 3600,
            max_ttl_secs: 86_400,
            created_at: t0,
        })
        .collect();
    let mut stored = Vec::with_capacity(leases);
    for i in 0..leases {
        let d = i % DEFINITIONS;
        let issued_at = t0 + Duration::seconds(i as i64 * 600);
        // Spread over the users and definitions unevenly (every user has live and ended leases).
        let status = match (i / 7) % 100 {
            0..=2 => LeaseStatus::Active,
            3 => LeaseStatus::RevokeFailed,
            4..=60 => LeaseStatus::Expired,
            _ => LeaseStatus::Revoked,
        };
        let id = format!("{:08x}-0000-4000-8000-{:012x}", i * 2_654_435_761 % (1 << 32), i);
        let lease = Lease {
            id: id.clone(),
            definition: definitions[d].name.clone(),
            kind: LeaseKind::AppSecret,
            target: definitions[d].target.clone(),
            tenant: Some(tenant()),
            status,
            issued_at,
            expires_at: issued_at + Duration::hours(1),
            max_expires_at: issued_at + Duration::hours(24),
            renewed_at: None,
            ended_at: status.is_final().then_some(issued_at + Duration::hours(1)),
            key_id: Some(format!("{:08x}-1111-4000-8000-{:012x}", i, i)),
            hint: Some("abc".into()),
            marker: Some(format!("entra-desk:5eam5t0re0000000000000000000000a:{id}")),
            revoke_attempts: u32::from(status == LeaseStatus::RevokeFailed),
            next_attempt_at: None,
            last_error: None,
            note: None,
            issued_by: Some(format!("user{:02}@contoso.com", i % USERS)),
        };
        stored.push(StoredLease { lease, owner: None, version: 3 });
    }
    let actions = [AuditAction::Intent, AuditAction::Issued, AuditAction::Renewed, AuditAction::Revoked, AuditAction::Expired];
    let mut audit = Vec::with_capacity(lines);
    let mut previous: Option<String> = None;
    for n in 0..lines {
        let lease = &stored[(n / actions.len()) % leases.max(1)].lease;
        let action = actions[n % actions.len()];
        let line = AuditLine {
            at: lease.issued_at + Duration::seconds(n as i64 % 5 * 60),
            action,
            lease_id: Some(lease.id.clone()),
            definition: Some(lease.definition.clone()),
            target: Some(lease.target.clone()),
            actor: lease.issued_by.clone().unwrap_or_default(),
            detail: format!("{} app secret of {} (key {})", action.as_str(), lease.definition, lease.key_id.as_deref().unwrap_or("")),
            request_id: Some(format!("{:08x}-2222-4000-8000-{:012x}", n, n)),
        };
        let chained = ChainedLine::next(n as i64 + 1, previous.as_deref(), &line);
        previous = chained.hash.clone();
        audit.push(chained);
    }
    StoreSnapshot { store_id: "5eam5t0re0000000000000000000000a".into(), definitions, leases: stored, audit }
}

/// p50 and p99 of `runs` calls of `f` (after one untimed call), ms, and the last result.
async fn time<T, F: Future<Output = T>>(runs: usize, mut f: impl FnMut() -> F) -> (f64, f64, T) {
    let mut last = f().await;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = f().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99), last)
}

fn row(what: &str, (p50, p99): (f64, f64), rows: usize, total: u64, json: usize) {
    println!("{what:<58} {p50:>9.2} {p99:>9.2} {rows:>8} {total:>8} {:>10.1}", json as f64 / 1024.0);
}

fn lease_query(f: impl FnOnce(&mut LeasesQuery)) -> LeasesQuery {
    let mut q = LeasesQuery::default();
    f(&mut q);
    q
}

fn audit_query(f: impl FnOnce(&mut AuditQuery)) -> AuditQuery {
    let mut q = AuditQuery::default();
    f(&mut q);
    q
}

#[tokio::main]
async fn main() {
    let (leases, lines, runs) = (arg("--leases", 100_000), arg("--lines", 500_000), arg("--runs", 100));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("leases.sqlite");
    let store = SqliteLeaseStore::open(&path).expect("a lease store");
    let t = Instant::now();
    store.import(&snapshot(leases, lines)).await.expect("the store filled");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) + std::fs::metadata(path.with_extension("sqlite-wal")).map(|m| m.len()).unwrap_or(0);
    println!("# {leases} leases, {lines} audit lines: filled in {:.1} s, {:.0} MiB on disk; {runs} timed runs each (whole reads: {})", t.elapsed().as_secs_f64(), size as f64 / 1048576.0, runs.div_ceil(10));
    println!("{:<58} {:>9} {:>9} {:>8} {:>8} {:>10}", "read", "p50 ms", "p99 ms", "rows", "total", "JSON KiB");
    let store = &store;
    let whole_runs = runs.div_ceil(10).max(3);

    // Before: what `leases_overview` and `leases_audit(null)` read and sent.
    let (p50, p99, all) = time(whole_runs, || store.leases()).await;
    let all = all.expect("every lease");
    row("before: every lease (LeaseStore::leases)", (p50, p99), all.len(), all.len() as u64, 0);
    let (p50, p99, json) = time(whole_runs, || async { serde_json::to_vec(&store.leases().await.expect("leases").into_iter().map(|s| s.lease).collect::<Vec<_>>()).expect("JSON") }).await;
    row("before: every lease + JSON (the overview's leases)", (p50, p99), all.len(), all.len() as u64, json.len());
    let (p50, p99, log) = time(whole_runs, || store.audit(None)).await;
    let log = log.expect("the log");
    row("before: the whole audit log (LeaseStore::audit(None))", (p50, p99), log.len(), log.len() as u64, 0);
    let (p50, p99, json) = time(whole_runs, || async { serde_json::to_vec(&store.audit(None).await.expect("log")).expect("JSON") }).await;
    row("before: the whole audit log + JSON (\"show the whole log\")", (p50, p99), log.len(), log.len() as u64, json.len());
    let (p50, p99, _) = time(runs, || store.audit(Some(200))).await;
    row("before: the newest 200 audit lines (the screen's default)", (p50, p99), 200, log.len() as u64, 0);
    drop((all, log));

    // After: a page of 100, as the screen asks while it scrolls.
    let middle = leases as u64 / 2;
    let cases: Vec<(&str, LeasesQuery)> = vec![
        ("page: first page, newest first", LeasesQuery::default()),
        ("page: scrolled to the middle (start = half)", lease_query(|q| q.list.start = middle)),
        ("page: last page", lease_query(|q| q.list.start = leases as u64 - 100)),
        ("page: Mine (issuedBy), every state", lease_query(|q| q.issued_by = Some("USER07@contoso.com".into()))),
        ("page: live only", lease_query(|q| q.state = LeaseState::Live)),
        ("page: Mine + live", lease_query(|q| (q.issued_by, q.state) = (Some("user07@contoso.com".into()), LeaseState::Live))),
        ("page: definition + ended, scrolled to its middle", lease_query(|q| (q.definition, q.state, q.list.start) = (Some("def-07".into()), LeaseState::Ended, (leases / DEFINITIONS / 2) as u64))),
        ("page: search \"payroll\" (the target's name)", lease_query(|q| q.list.search = Some("payroll".into()))),
        ("page: search a lease ID fragment", lease_query(|q| q.list.search = Some("-00000000c350".into()))),
        ("page: sorted by expiry, ascending, middle", lease_query(|q| (q.list.sort, q.list.start) = (Some("expires".into()), middle))),
        ("page: sorted by issuer, first page", lease_query(|q| q.list.sort = Some("issuedBy".into()))),
    ];
    for (what, q) in &cases {
        let (p50, p99, page) = time(runs, || store.lease_page(q)).await;
        let page = page.expect("a page");
        let json = serde_json::to_vec(&page.clone().map(|s| s.lease)).expect("JSON").len();
        row(what, (p50, p99), page.items.len(), page.total, json);
    }
    let (p50, p99, counts) = time(runs, || store.lease_counts()).await;
    let counts = counts.expect("counts");
    row("overview: lease counts (total, live, attention, by definition)", (p50, p99), 0, counts.total, serde_json::to_vec(&counts).expect("JSON").len());

    let audit_cases: Vec<(&str, AuditQuery)> = vec![
        ("audit: first page, newest first", AuditQuery::default()),
        ("audit: scrolled to the middle (start = half)", audit_query(|q| q.list.start = lines as u64 / 2)),
        ("audit: one lease's lines", audit_query(|q| q.lease_id = Some(format!("{:08x}-0000-4000-8000-{:012x}", 777 * 2_654_435_761u64 % (1 << 32), 777)))),
        ("audit: one action (revoked)", audit_query(|q| q.action = Some(AuditAction::Revoked))),
        ("audit: one action, scrolled to its middle", audit_query(|q| (q.action, q.list.start) = (Some(AuditAction::Revoked), lines as u64 / 10))),
        ("audit: search \"user07@\"", audit_query(|q| q.list.search = Some("user07@".into()))),
        ("audit: oldest first (sort seq)", audit_query(|q| q.list = ListQuery { sort: Some("seq".into()), ..ListQuery::default() })),
    ];
    for (what, q) in &audit_cases {
        let (p50, p99, page) = time(runs, || store.audit_page(q)).await;
        let page = page.expect("a page");
        row(what, (p50, p99), page.items.len(), page.total, serde_json::to_vec(&page).expect("JSON").len());
    }
}
