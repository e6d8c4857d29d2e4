//! The inventory benchmark: app registrations with their credentials and owners, and
//! the service principals, read from the demo tenant with injected latency, three ways.
//!
//! ```text
//! cargo run --release -p entra-graph --example inventory_bench -- --apps 10000 --latency-ms 50
//! scripts/bench-inventory.sh        # the same, output kept in target/bench/inventory.txt
//! ```
//!
//! - **ours**: `applications_then_owners`: the list at `$top=999`, the service principals
//!   at `$top=999`, then owners in `$batch`es of 20 with `--concurrency` batches in flight.
//! - **list lower bound**: a page chain cannot go faster than walking it one page after the
//!   other, and each page costs the tenant's serving and the transfer of up to 999 items,
//!   not just one small request's latency. So the bound is the wall time of a *minimal*
//!   client walking the same chain: raw `reqwest` GETs of the same URLs (same `$select`,
//!   `$top=999`), each body read as bytes and only `@odata.nextLink` parsed (into a struct
//!   with that one field: items are skipped, never decoded). It runs right before our list
//!   walk on the same tenant, three times each, interleaved; medians are compared (target
//!   ours / bound <= 1.25x). The old figure, `ceil(N/999) × one small request's latency`,
//!   is reported too (and remains the bound of the expand/naive rows).
//! - **expand**: `applications_with_owners_expanded` (`$expand=owners`, pages of 100,
//!   at most 20 owners per app).
//! - **naive**: default page size (100) for both lists and one owners request per app.
//!   The library's `applications_owners_naive` sends those one after the other, which at
//!   50 ms is ~N × 50 ms (8+ minutes for 10,000): the benchmark sends the same requests
//!   for *all* apps with the same bounded concurrency as ours (so request counts are
//!   measured, not extrapolated, and wall times compare at equal concurrency), and times
//!   the strictly sequential way on the first `--naive-sample` apps, extrapolated linearly.
//! - **throttled**: ours again with `--throttle-fraction` of the requests answered 429
//!   with `Retry-After: --retry-after`: checked complete and equal to the unthrottled
//!   result, and the tenant's `early_retries` (requests sent before their Retry-After).
//!
//! Request counts come from the tenant's statistics. "HTTP" counts requests on the wire
//! (a `$batch` is one); "Graph" also counts each batch item, as Graph's throttling does.
//!
//! The tenant runs in this process, on its own tokio runtime: its CPU (rendering pages,
//! JSON) competes with the client's on the same machine. Memory: the process peak
//! (`VmHWM`, tenant included) and the client side's peak live heap, counted by a global
//! allocator for allocations made on the client runtime's threads only.

#[path = "../tests/demo_support/mod.rs"]
mod demo_support;

use demo_support::demo_client;
use entra_demo::{DemoOptions, DemoTenant, Faults, StatsSnapshot};
use entra_graph::client::ClientOptions;
use entra_graph::models::{Application, DirectoryObject, ServicePrincipal};
use entra_graph::resources::{APPLICATION_SELECT, OWNER_SELECT, SERVICE_PRINCIPAL_SELECT};
use entra_graph::{GraphClient, GraphRequest, Page, RetryPolicy, TokenSource};
use futures::{StreamExt, TryStreamExt};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

// ---- client-side heap accounting -------------------------------------------------------

thread_local! {
    static CLIENT_THREAD: Cell<bool> = const { Cell::new(false) };
}
static CLIENT_LIVE: AtomicIsize = AtomicIsize::new(0);
static CLIENT_PEAK: AtomicIsize = AtomicIsize::new(0);

struct Counting;

fn on_client_thread() -> bool {
    CLIENT_THREAD.try_with(Cell::get).unwrap_or(false)
}

fn grew(by: usize) {
    let now = CLIENT_LIVE.fetch_add(by as isize, Ordering::Relaxed) + by as isize;
    CLIENT_PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() && on_client_thread() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() && on_client_thread() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        if on_client_thread() {
            CLIENT_LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() && on_client_thread() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                CLIENT_LIVE.fetch_sub((layout.size() - new_size) as isize, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts a client-heap measurement: the peak is reset to what is live now.
fn heap_mark() -> isize {
    let live = CLIENT_LIVE.load(Ordering::Relaxed);
    CLIENT_PEAK.store(live, Ordering::Relaxed);
    live
}

/// Peak live client heap since `mark`, above what was live at the mark.
fn heap_peak_since(mark: isize) -> f64 {
    (CLIENT_PEAK.load(Ordering::Relaxed) - mark) as f64 / (1 << 20) as f64
}

fn proc_status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

// ---- arguments -----------------------------------------------------------------------------

struct Args {
    apps: usize,
    latency_ms: u64,
    concurrency: usize,
    naive_sample: usize,
    throttle_fraction: f64,
    retry_after: String,
    throttled: bool,
}

fn args() -> Args {
    let mut a = Args { apps: 10_000, latency_ms: 50, concurrency: 8, naive_sample: 500, throttle_fraction: 0.2, retry_after: "1".into(), throttled: true };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--apps" => a.apps = value().parse().expect("--apps N"),
            "--latency-ms" => a.latency_ms = value().parse().expect("--latency-ms N"),
            "--concurrency" => a.concurrency = value().parse().expect("--concurrency N"),
            "--naive-sample" => a.naive_sample = value().parse().expect("--naive-sample N"),
            "--throttle-fraction" => a.throttle_fraction = value().parse().expect("--throttle-fraction F"),
            "--retry-after" => a.retry_after = value(),
            "--no-throttled" => a.throttled = false,
            "--help" | "-h" => {
                println!("inventory_bench [--apps 10000] [--latency-ms 50] [--concurrency 8] [--naive-sample 500] [--throttle-fraction 0.2] [--retry-after 1] [--no-throttled]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other} (see --help)"),
        }
    }
    a
}

// ---- measurement helpers ------------------------------------------------------------------

/// Requests by route between two snapshots.
struct Diff {
    by_route: BTreeMap<String, u64>,
    total: u64,
    throttled: u64,
    early_retries: u64,
}

fn diff(before: &StatsSnapshot, after: &StatsSnapshot) -> Diff {
    let by_route = after
        .requests
        .iter()
        .map(|(k, v)| (k.clone(), v - before.requests.get(k).copied().unwrap_or(0)))
        .filter(|(_, v)| *v > 0)
        .collect();
    Diff { by_route, total: after.total - before.total, throttled: after.throttled - before.throttled, early_retries: after.early_retries - before.early_retries }
}

impl Diff {
    fn route(&self, route: &str) -> u64 {
        self.by_route.get(route).copied().unwrap_or(0)
    }
    /// Requests on the wire: batch items travel inside their `$batch`.
    fn http(&self, batch_items: bool) -> u64 {
        if batch_items {
            self.total - self.route(OWNERS_ROUTE)
        } else {
            self.total
        }
    }
    fn routes(&self) -> String {
        self.by_route.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
    }
}

const APPS_ROUTE: &str = "GET /v1.0/applications";
const SPS_ROUTE: &str = "GET /v1.0/servicePrincipals";
const OWNERS_ROUTE: &str = "GET /v1.0/applications/{id}/owners";
const BATCH_ROUTE: &str = "POST /v1.0/$batch";

type OwnersMap = BTreeMap<String, BTreeSet<String>>;

fn owner_ids(owners: &[DirectoryObject]) -> BTreeSet<String> {
    owners.iter().map(|o| o.id().to_string()).collect()
}

async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, Duration) {
    let t = Instant::now();
    let out = f.await;
    (out, t.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The latency of one small request (`$top=1&$select=id`), median of 21.
async fn one_request_latency(c: &GraphClient) -> Duration {
    let mut samples = Vec::new();
    for _ in 0..21 {
        let (r, d) = timed(c.send::<Page<Application>>(&GraphRequest::get("applications").select(&["id"]).top(1))).await;
        r.expect("small request");
        samples.push(d);
    }
    samples.sort();
    samples[samples.len() / 2]
}

/// What the minimal walker reads of a page: the link to the next one, nothing else.
#[derive(serde::Deserialize)]
struct NextLinkOnly {
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

/// The lower bound of a page chain: a minimal client walking it sequentially (raw GETs, body
/// as bytes, only the nextLink parsed). Returns the pages walked and the wall time.
async fn raw_walk(http: &reqwest::Client, token: &str, first: &str) -> (u64, Duration) {
    let started = Instant::now();
    let (mut next, mut pages) = (Some(first.to_string()), 0u64);
    while let Some(url) = next {
        let response = http.get(&url).bearer_auth(token).header(reqwest::header::ACCEPT, "application/json").send().await.expect("raw page");
        assert!(response.status().is_success(), "raw page: HTTP {}", response.status());
        let body = response.bytes().await.expect("raw page body");
        next = serde_json::from_slice::<NextLinkOnly>(&body).expect("raw page JSON").next_link;
        pages += 1;
    }
    (pages, started.elapsed())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// One list, walked 3 times by the minimal client and 3 times by ours (each raw walk right
/// before ours): (median raw, median ours, pages of one raw walk, items of one walk of ours).
async fn list_vs_bound<T: serde::de::DeserializeOwned + Send + 'static>(c: &GraphClient, http: &reqwest::Client, token: &str, request: GraphRequest) -> (Duration, Duration, u64, usize) {
    let first = format!("{}/{}", c.base_url().as_str().trim_end_matches('/'), request.relative_url());
    let (mut raw, mut ours, mut pages, mut items) = (Vec::new(), Vec::new(), 0, 0);
    for _ in 0..3 {
        let (p, d) = raw_walk(http, token, &first).await;
        raw.push(d);
        pages = p;
        let (got, d) = timed(c.collect_all::<T>(request.clone())).await;
        items = got.expect("our list walk").len();
        ours.push(d);
    }
    (median(raw), median(ours), pages, items)
}

struct Ours {
    apps: Vec<Application>,
    sps: Vec<ServicePrincipal>,
    owners: OwnersMap,
    list: Duration,
    sp_list: Duration,
    owners_time: Duration,
    total: Duration,
    heap_mib: f64,
}

async fn run_ours(c: &GraphClient, concurrency: usize) -> Ours {
    let mark = heap_mark();
    let started = Instant::now();
    let (listed, list) = timed(c.applications_then_owners(concurrency)).await;
    let (apps, mut stream) = listed.expect("applications");
    // The owners stream is lazy: nothing is sent until it is polled, after the service principals.
    let (sps, sp_list) = timed(c.list_service_principals().try_collect::<Vec<ServicePrincipal>>()).await;
    let sps = sps.expect("service principals");
    let (owners, owners_time) = timed(async {
        let mut out = OwnersMap::new();
        while let Some(batch) = stream.try_next().await.expect("owners") {
            for o in batch {
                let owners = o.owners.unwrap_or_else(|e| panic!("owners of {}: {e}", o.application_id));
                out.insert(o.application_id, owner_ids(&owners));
            }
        }
        out
    })
    .await;
    let total = started.elapsed();
    Ours { apps, sps, owners, list, sp_list, owners_time, total, heap_mib: heap_peak_since(mark) }
}

// ---- the benchmark -----------------------------------------------------------------------

fn main() {
    let a = args();

    // The tenant on its own runtime (2 workers), started before any client-side accounting.
    let tenant_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("tenant").enable_all().build().expect("tenant runtime");
    let started = Instant::now();
    let demo: DemoTenant = tenant_rt
        .block_on(entra_demo::start(DemoOptions { apps: a.apps, faults: Faults { latency_ms: a.latency_ms, ..Default::default() }, ..Default::default() }))
        .expect("demo tenant");
    let tenant_start = started.elapsed();
    let hwm_tenant = proc_status_mib("VmHWM:");

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .on_thread_start(|| CLIENT_THREAD.with(|c| c.set(true)))
        .enable_all()
        .build()
        .expect("client runtime");

    let report = client_rt.block_on(async {
        CLIENT_THREAD.with(|c| c.set(true));
        let info = demo.info().clone();
        let n = info.apps;
        let (c, tokens) = demo_client(&info, ClientOptions::default());
        let concurrency = a.concurrency;

        // Warm up (token, connection), then one request's latency.
        let _: Page<Application> = c.send(&GraphRequest::get("applications").select(&["id"]).top(1)).await.expect("warm-up");
        let latency = one_request_latency(&c).await;

        // The list lower bound: the minimal walker (its own pool, built like ours, warmed up) vs our list walk.
        let token = tokens.token().await.expect("token").expose().to_string();
        let raw_http = entra_http::client(None).expect("http client");
        let warm = format!("{}/applications?$top=1&$select=id", c.base_url().as_str().trim_end_matches('/'));
        raw_http.get(&warm).bearer_auth(&token).send().await.expect("raw warm-up").bytes().await.expect("raw warm-up");
        let (list_bound, list_ours, list_bound_pages, list_items) = list_vs_bound::<Application>(&c, &raw_http, &token, GraphClient::applications_request()).await;
        assert_eq!(list_items, n, "our list walk: every app");
        let sp_request = GraphRequest::get("servicePrincipals").select(SERVICE_PRINCIPAL_SELECT).top(999);
        let (sp_list_bound, sp_list_ours, sp_bound_pages, _) = list_vs_bound::<ServicePrincipal>(&c, &raw_http, &token, sp_request).await;

        // (a) ours.
        let s0 = demo.stats();
        let ours = run_ours(&c, concurrency).await;
        let s1 = demo.stats();
        let d_ours = diff(&s0, &s1);
        assert_eq!(ours.apps.len(), n, "ours: every app");
        assert_eq!(ours.owners.len(), n, "ours: owners of every app");
        let n_sps = ours.sps.len();

        // (b) $expand=owners.
        let mark = heap_mark();
        let (expanded, expand_time) = timed(c.applications_with_owners_expanded().try_collect::<Vec<Application>>()).await;
        let expanded = expanded.expect("expand");
        let expand_heap = heap_peak_since(mark);
        let s2 = demo.stats();
        let d_expand = diff(&s1, &s2);
        assert_eq!(expanded.len(), n, "expand: every app");
        let truncated = expanded.iter().filter(|x| owner_ids(x.owners.as_deref().unwrap_or_default()) != ours.owners[&x.id]).count();
        let creds_equal = expanded.iter().zip(&ours.apps).all(|(x, o)| x.id == o.id && x.password_credentials == o.password_credentials && x.key_credentials == o.key_credentials);

        // (c) naive: default page size, one owners request per app (same bounded concurrency), then a sequential sample.
        let mark = heap_mark();
        let naive_started = Instant::now();
        let (naive_apps, naive_list) = timed(c.collect_all::<Application>(GraphRequest::get("applications").select(APPLICATION_SELECT))).await;
        let naive_apps = naive_apps.expect("naive list");
        let (naive_sps, naive_sp_list) = timed(c.collect_all::<ServicePrincipal>(GraphRequest::get("servicePrincipals").select(SERVICE_PRINCIPAL_SELECT))).await;
        let naive_sps = naive_sps.expect("naive service principals");
        let owners_request = |id: &str| GraphRequest::get(&format!("applications/{id}/owners")).select(OWNER_SELECT);
        let (naive_owners, naive_owners_time) = timed(
            futures::stream::iter(naive_apps.iter().map(|x| {
                let c = c.clone();
                let request = owners_request(&x.id);
                let id = x.id.clone();
                async move { (id, c.collect_all::<DirectoryObject>(request).await.expect("naive owners")) }
            }))
            .buffer_unordered(concurrency)
            .map(|(id, owners)| (id, owner_ids(&owners)))
            .collect::<OwnersMap>(),
        )
        .await;
        let naive_total = naive_started.elapsed();
        let naive_heap = heap_peak_since(mark);
        let s3 = demo.stats();
        let d_naive = diff(&s2, &s3);
        assert_eq!(naive_apps.len(), n);
        assert_eq!(naive_owners, ours.owners, "naive and ours agree on owners");
        assert_eq!(naive_sps.len(), n_sps);
        let sample = a.naive_sample.min(n);
        let (_, sample_time) = timed(async {
            for x in naive_apps.iter().take(sample) {
                c.collect_all::<DirectoryObject>(owners_request(&x.id)).await.expect("naive sequential owners");
            }
        })
        .await;
        let s4 = demo.stats();
        let sequential_owners_estimate = sample_time.mul_f64(n as f64 / sample.max(1) as f64);

        // (d) throttled: ours again, a fresh client (fresh throttle gate).
        let throttled = if a.throttled {
            demo.set_faults(Faults {
                latency_ms: a.latency_ms,
                throttle_fraction: a.throttle_fraction,
                retry_after: a.retry_after.parse().expect("--retry-after"),
                ..Default::default()
            })
            .expect("faults");
            // Default caps but 10 attempts: at 20 % an item is throttled 4 times running with p = 0.0016,
            // i.e. ~16 of 10,000 owners requests would come back 429 under the default 4 attempts.
            let patient = RetryPolicy { max_attempts: 10, ..RetryPolicy::default() };
            let (tc, _) = demo_client(&info, ClientOptions { retry: patient, ..ClientOptions::default() });
            let before = demo.stats();
            let t = run_ours(&tc, concurrency).await;
            let after = demo.stats();
            demo.set_faults(Faults { latency_ms: a.latency_ms, ..Default::default() }).expect("faults off");
            Some((t, diff(&before, &after)))
        } else {
            None
        };

        // ---- report ----
        let mut r = String::new();
        let w = &mut r;
        let pages_999 = n.div_ceil(999) as u64;
        let sp_pages_999 = n_sps.div_ceil(999) as u64;
        // The old bound: pages x one small request's latency (ignores serving and moving 999 items a page).
        let old_bound = latency * pages_999 as u32;
        let old_sp_bound = latency * sp_pages_999 as u32;
        let expand_bound = latency * n.div_ceil(100) as u32;
        let ours_http = d_ours.http(true);
        let naive_http = d_naive.http(false);
        let _ = writeln!(w, "\n== Inventory of {n} app registrations ({n_sps} service principals), {} ms injected latency, concurrency {concurrency} ==", a.latency_ms);
        let _ = writeln!(w, "machine: {} CPUs; the demo tenant runs in this process (2 tokio workers), the client on 2 others", std::thread::available_parallelism().map_or(0, |p| p.get()));
        let _ = writeln!(w, "tenant start: {}; one small request (median of 21): {}", secs(tenant_start), ms(latency));
        let _ = writeln!(w);
        let _ = writeln!(w, "{:<46} {:>10} {:>12} {:>8} {:>10} {:>10}", "strategy / phase", "wall", "lower bound", "ratio", "HTTP req", "Graph req");
        let row = |w: &mut String, name: &str, wall: Duration, bound: Option<Duration>, http: String, graph: String| {
            let (b, ratio) = match bound {
                Some(b) => (ms(b), format!("{:.2}x", wall.as_secs_f64() / b.as_secs_f64())),
                None => ("-".into(), "-".into()),
            };
            let _ = writeln!(w, "{name:<46} {:>10} {b:>12} {ratio:>8} {http:>10} {graph:>10}", ms(wall));
        };
        row(w, &format!("ours: list apps $top=999 ({pages_999} pages), median of 3"), list_ours, Some(list_bound), pages_999.to_string(), pages_999.to_string());
        row(w, &format!("ours: list SPs $top=999 ({sp_pages_999} pages), median of 3"), sp_list_ours, Some(sp_list_bound), sp_pages_999.to_string(), sp_pages_999.to_string());
        row(w, "ours: list apps, in the full run below", ours.list, Some(list_bound), d_ours.route(APPS_ROUTE).to_string(), d_ours.route(APPS_ROUTE).to_string());
        row(w, "ours: list SPs, in the full run below", ours.sp_list, Some(sp_list_bound), d_ours.route(SPS_ROUTE).to_string(), d_ours.route(SPS_ROUTE).to_string());
        row(w, &format!("ours: owners, $batch of 20 x{concurrency}"), ours.owners_time, None, d_ours.route(BATCH_ROUTE).to_string(), (d_ours.route(BATCH_ROUTE) + d_ours.route(OWNERS_ROUTE)).to_string());
        row(w, "ours: total", ours.total, None, ours_http.to_string(), d_ours.total.to_string());
        row(w, &format!("expand: $expand=owners ({} pages of 100)", d_expand.route(APPS_ROUTE)), expand_time, Some(expand_bound), d_expand.total.to_string(), d_expand.total.to_string());
        row(w, "naive: list apps, default page (100)", naive_list, Some(expand_bound), d_naive.route(APPS_ROUTE).to_string(), d_naive.route(APPS_ROUTE).to_string());
        row(w, "naive: list SPs, default page (100)", naive_sp_list, Some(latency * n_sps.div_ceil(100) as u32), d_naive.route(SPS_ROUTE).to_string(), d_naive.route(SPS_ROUTE).to_string());
        row(w, &format!("naive: owners, 1 request/app x{concurrency}"), naive_owners_time, None, d_naive.route(OWNERS_ROUTE).to_string(), d_naive.route(OWNERS_ROUTE).to_string());
        row(w, &format!("naive: total (owners x{concurrency})"), naive_total, None, naive_http.to_string(), d_naive.total.to_string());
        row(w, &format!("naive: owners sequential, {sample} apps measured"), sample_time, None, diff(&s3, &s4).total.to_string(), "-".into());
        row(w, &format!("naive: owners sequential, extrapolated to {n}"), sequential_owners_estimate, None, n.to_string(), "-".into());
        row(w, "naive: total, sequential as the library does", naive_list + naive_sp_list + sequential_owners_estimate, None, naive_http.to_string(), "-".into());
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "list wall / lower bound (ours, apps, medians of 3): {} / {} = {:.2}x (target <= 1.25x); bound = a minimal client walking the same {list_bound_pages} pages (raw GETs, bytes, nextLink only)",
            ms(list_ours),
            ms(list_bound),
            list_ours.as_secs_f64() / list_bound.as_secs_f64()
        );
        let _ = writeln!(
            w,
            "  service principals: {} / {} = {:.2}x ({sp_bound_pages} pages)",
            ms(sp_list_ours),
            ms(sp_list_bound),
            sp_list_ours.as_secs_f64() / sp_list_bound.as_secs_f64()
        );
        let _ = writeln!(
            w,
            "  old per-request figure: {pages_999} pages x {} = {} (ours {:.2}x of it; the minimal walk is {:.2}x of it: serving and moving 999-item pages is most of a page's time)",
            ms(latency),
            ms(old_bound),
            list_ours.as_secs_f64() / old_bound.as_secs_f64(),
            list_bound.as_secs_f64() / old_bound.as_secs_f64()
        );
        let _ = writeln!(w, "  (SPs old figure: {sp_pages_999} pages x {} = {})", ms(latency), ms(old_sp_bound));
        let _ = writeln!(w, "list pages: apps {} (<= ceil({n}/999) = {pages_999}), service principals {} (<= {sp_pages_999})", d_ours.route(APPS_ROUTE), d_ours.route(SPS_ROUTE));
        let _ = writeln!(
            w,
            "HTTP requests naive / ours: {naive_http} / {ours_http} = {:.1}x fewer (target >= 5x); counting batch items as Graph does: {} / {} = {:.2}x",
            naive_http as f64 / ours_http as f64,
            d_naive.total,
            d_ours.total,
            d_naive.total as f64 / d_ours.total as f64
        );
        let _ = writeln!(w, "expand: owners differ from the full owners list for {truncated} apps (Graph's 20-owner cap); credentials equal to ours: {creds_equal}");
        let _ = writeln!(w, "routes, ours:   {}", d_ours.routes());
        let _ = writeln!(w, "routes, expand: {}", d_expand.routes());
        let _ = writeln!(w, "routes, naive:  {}", d_naive.routes());
        let _ = writeln!(w);
        let _ = writeln!(w, "memory: process VmHWM {:.0} MiB after the tenant started, {:.0} MiB now (tenant + client, one process)", hwm_tenant, proc_status_mib("VmHWM:"));
        let _ = writeln!(
            w,
            "memory: client-side peak live heap above its start: ours {:.1} MiB, expand {:.1} MiB, naive {:.1} MiB",
            ours.heap_mib, expand_heap, naive_heap
        );
        if let Some((t, d)) = &throttled {
            let complete = t.apps == ours.apps && t.sps == ours.sps && t.owners == ours.owners;
            let _ = writeln!(w);
            let _ = writeln!(w, "== Throttled: {:.0} % of Graph requests answered 429, Retry-After {} s (ours, max_attempts 10) ==", a.throttle_fraction * 100.0, a.retry_after);
            let _ = writeln!(w, "{:<46} {:>10}", "phase", "wall");
            let _ = writeln!(w, "{:<46} {:>10}", "list apps $top=999", ms(t.list));
            let _ = writeln!(w, "{:<46} {:>10}", "list SPs $top=999", ms(t.sp_list));
            let _ = writeln!(w, "{:<46} {:>10}", format!("owners, $batch of 20 x{concurrency}"), ms(t.owners_time));
            let _ = writeln!(w, "{:<46} {:>10}", "total", ms(t.total));
            let _ = writeln!(
                w,
                "complete and equal to the unthrottled run: {complete} ({} apps, {} SPs, owners of {} apps)",
                t.apps.len(),
                t.sps.len(),
                t.owners.len()
            );
            let _ = writeln!(w, "throttled answers: {}; early retries (sent before their Retry-After elapsed): {}", d.throttled, d.early_retries);
            let _ = writeln!(w, "requests: HTTP {}, Graph {}; {}", d.http(true), d.total, d.routes());
            let _ = writeln!(w, "memory: client-side peak live heap {:.1} MiB", t.heap_mib);
        }
        r
    });
    println!("{report}");
    drop(demo);
}
