//! The paged inventory benchmark (issue 23): a cache of `--apps` app registrations, each with its
//! service principal, read the old way — the whole inventory loaded, shaped and serialised, as
//! `apps_list` sent it over IPC — and the new way, a page at a time (`Apps::page`,
//! `Credentials::page`), in the same run on the same file.
//!
//! ```text
//! cargo run --release -p entra-core --example apps_page_bench -- --apps 50000
//! scripts/bench-apps-page.sh        # the same, output kept in target/bench/apps-page.txt
//! ```
//!
//! The cache is filled directly through the store (a deterministic synthetic tenant: secrets,
//! certificate twins, SAML trios on service principals, owners mostly loaded), not from Graph:
//! what is measured is reading it. Every figure is the whole core call plus `serde_json` of its
//! result, which is what a Tauri command does before the bytes cross to the webview:
//!
//! - **whole list**: `list_objects` + `app_row` for every object + serialising the inventory
//!   (the old `Apps::list` and `apps_list`), and the whole expiry report (`credentials_list`);
//! - **search keystroke**: the first page (100 rows) after each prefix of a few words;
//! - **sort change**: the first page in each order, ascending and descending;
//! - **scroll to the middle**: the page at half the rows, in each order;
//! - the same for the expiry report, and its summary (window counts and chart).
//!
//! p50 and p99 over `--rounds` rounds of every scenario (p99 is the worst when there are fewer
//! than 100 samples), wall time and the process's CPU time (which holds on a busy machine).
//! `--page-cache-mb N` gives SQLite's connection a page cache of N MB instead of its default
//! 2 MB (what the app runs with), to show what that would buy. Numbers, not pass/fail.

use chrono::{DateTime, Duration, Utc};
use entra_core::apps::{rows::app_row, Apps, AppsQuery, ObjectType};
use entra_core::credentials::{Credentials, CredentialsQuery};
use entra_core::paging::ListQuery;
use entra_core::Desk;
use entra_store::queries::apps::{self as q, CredentialRow, CredentialType, ObjectRow, OwnerRow, SyncCollection, SyncState};
use std::time::Instant;

/// The old `AppInventory`, which `apps_list` sent whole.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Inventory {
    rows: Vec<entra_core::apps::AppRow>,
    as_of: Option<DateTime<Utc>>,
    stale: bool,
}

struct Args {
    apps: usize,
    rounds: usize,
    /// Keep the cache file afterwards (and say where), to look at it with `sqlite3`.
    keep: bool,
    /// SQLite's page cache for the run, in MB (0: SQLite's default, 2 MB, what the app uses).
    page_cache_mb: i64,
}

fn args() -> Args {
    let mut a = Args { apps: 50_000, rounds: 20, keep: false, page_cache_mb: 0 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: usize = it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{flag} needs a number"));
        match flag.as_str() {
            "--apps" => a.apps = value,
            "--rounds" => a.rounds = value,
            "--keep" => a.keep = value != 0,
            "--page-cache-mb" => a.page_cache_mb = value as i64,
            other => panic!("unknown flag {other} (--apps N, --rounds N, --keep 0|1, --page-cache-mb N)"),
        }
    }
    a
}

const WORDS: [&str; 12] = ["Payroll", "Contoso", "Billing", "Intranet", "Fabrikam", "HR", "Sales", "Graph", "Portal", "Worker", "Über", "Ledger"];
const AUDIENCES: [Option<&str>; 4] = [Some("AzureADMyOrg"), Some("AzureADMultipleOrgs"), Some("AzureADandPersonalMicrosoftAccount"), None];

/// A deterministic pseudo-random number in 0..n.
fn pick(seed: &mut u64, n: u64) -> u64 {
    *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    (*seed >> 33) % n
}

fn credential(key: String, kind: CredentialType, usage: Option<&str>, thumb: Option<String>, end: DateTime<Utc>) -> CredentialRow {
    CredentialRow {
        key_id: key,
        credential_type: kind,
        usage: usage.map(String::from),
        display_name: Some(if kind == CredentialType::Password { "CI secret".into() } else { "CN=signing".into() }),
        custom_key_identifier: thumb,
        hint: (kind == CredentialType::Password).then(|| "abc".into()),
        start: Some(end - Duration::days(365)),
        end: Some(end),
    }
}

/// App registration `i` and its service principal.
fn pair(i: usize, seed: &mut u64, now: DateTime<Utc>) -> [ObjectRow; 2] {
    let name = format!("{} {} {i}", WORDS[pick(seed, 12) as usize], WORDS[pick(seed, 12) as usize]);
    let app_id = format!("{:08x}-0000-4000-8000-{i:012}", (i as u64).wrapping_mul(2_654_435_761) as u32);
    let end = |seed: &mut u64| now + Duration::days(pick(seed, 1200) as i64 - 400) + Duration::seconds(pick(seed, 86_400) as i64);
    let mut app_creds: Vec<CredentialRow> =
        (0..pick(seed, 4)).map(|k| credential(format!("s-{i}-{k}"), CredentialType::Password, None, None, end(seed))).collect();
    if pick(seed, 5) == 0 {
        let (thumb, at) = (format!("T{i:08}"), end(seed));
        for usage in ["Sign", "Verify"] {
            app_creds.push(credential(format!("c-{i}-{usage}"), CredentialType::Certificate, Some(usage), Some(thumb.clone()), at));
        }
    }
    let mut sp_creds = Vec::new();
    if pick(seed, 10) < 3 {
        // A SAML signing certificate: Sign + Verify + its password half, one credential to a person.
        let (thumb, at) = (format!("S{i:08}"), end(seed));
        sp_creds.push(credential(format!("p-{i}"), CredentialType::Password, None, Some(thumb.clone()), at));
        for usage in ["Sign", "Verify"] {
            sp_creds.push(credential(format!("k-{i}-{usage}"), CredentialType::Certificate, Some(usage), Some(thumb.clone()), at));
        }
    }
    let owners = match pick(seed, 10) {
        0 => None,
        1 => Some(vec![]),
        n => Some(
            (0..n % 3 + 1)
                .map(|k| OwnerRow {
                    owner_id: format!("u-{}", (i + k as usize) % 5000),
                    owner_type: "user".into(),
                    display_name: Some(format!("Adele Vance {}", (i + k as usize) % 5000)),
                    user_principal_name: Some(format!("adele{}@contoso.example", (i + k as usize) % 5000)),
                    mail: None,
                })
                .collect(),
        ),
    };
    let app = ObjectRow {
        id: format!("{i:08}-0000-4000-8000-00000000000a"),
        object_type: ObjectType::Application,
        app_id: app_id.clone(),
        display_name: Some(name.clone()),
        sign_in_audience: AUDIENCES[pick(seed, 4) as usize].map(String::from),
        created: Some(now - Duration::days(pick(seed, 2000) as i64)),
        publisher_domain: Some("contoso.example".into()),
        service_principal_type: None,
        detail: serde_json::json!({"web": {"redirectUris": ["https://localhost/cb"]}, "requiredResourceAccess": []}),
        synced_at: now,
        owners_loaded_at: owners.as_ref().map(|_| now),
        credentials: app_creds,
        owners: owners.clone(),
    };
    let sp = ObjectRow {
        id: format!("{i:08}-0000-4000-8000-00000000000b"),
        object_type: ObjectType::ServicePrincipal,
        sign_in_audience: None,
        created: None,
        publisher_domain: None,
        service_principal_type: Some("Application".into()),
        detail: serde_json::json!({"accountEnabled": true, "tags": []}),
        credentials: sp_creds,
        ..app.clone()
    };
    [app, sp]
}

/// p50 and p99 of `samples` (milliseconds).
fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    (at(0.50), at(0.99))
}

/// Wall and CPU time of the calls of one scenario, in milliseconds.
#[derive(Default)]
struct Samples {
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

impl Samples {
    fn push(&mut self, (wall, cpu, _): (f64, f64, usize)) {
        self.wall.push(wall);
        self.cpu.push(cpu);
    }
}

fn line(label: &str, samples: Samples, extra: &str) {
    let n = samples.wall.len();
    let (p50, p99) = percentiles(samples.wall);
    let (c50, c99) = percentiles(samples.cpu);
    println!("  {label:<46} wall p50 {p50:>7.1} p99 {p99:>7.1} ms | cpu p50 {c50:>7.1} p99 {c99:>7.1} ms ({n}){extra}");
}

/// The CPU time of every thread of this process so far, in nanoseconds (`/proc/self/task/*/schedstat`):
/// the calls run one after the other, so the difference around a call is what it cost, whatever
/// else the machine is doing (its wall time is not: other builds share the cores).
fn cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

async fn timed<T: serde::Serialize>(f: impl std::future::Future<Output = entra_core::Result<T>>) -> (f64, f64, usize) {
    let (started, cpu) = (Instant::now(), cpu_ns());
    let value = f.await.expect("the call failed");
    let bytes = serde_json::to_vec(&value).expect("serialise").len();
    (started.elapsed().as_secs_f64() * 1000.0, cpu_ns().saturating_sub(cpu) as f64 / 1e6, bytes)
}

#[tokio::main]
async fn main() {
    let a = args();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let now = Utc::now();
    let desk = Desk::open(dir.path()).expect("a desk");
    let apps = Apps::open(desk, dir.path()).expect("the cache");
    let credentials = Credentials::new(apps.clone());

    let started = Instant::now();
    let mut seed = 23;
    let (mut applications, mut principals) = (Vec::with_capacity(a.apps), Vec::with_capacity(a.apps));
    for i in 0..a.apps {
        let [app, sp] = pair(i, &mut seed, now);
        applications.push(app);
        principals.push(sp);
    }
    apps.store()
        .write(|tx| {
            q::replace_all(tx, SyncCollection::Applications, &applications)?;
            q::replace_all(tx, SyncCollection::ServicePrincipals, &principals)?;
            for collection in [SyncCollection::Applications, SyncCollection::ServicePrincipals] {
                let state = SyncState { collection, delta_link: None, as_of: now, full: true, requests: 0, duration_ms: 0 };
                q::set_sync_state(tx, &state)?;
            }
            Ok(())
        })
        .expect("fill the cache");
    if a.page_cache_mb > 0 {
        // The store's one connection keeps this for the run (the app leaves SQLite's default).
        apps.store().read(|c| Ok(c.pragma_update(None, "cache_size", -a.page_cache_mb * 1024)?)).expect("cache_size");
    }
    let stats = apps.store().read(q::stats).expect("stats");
    println!("# apps_page_bench --apps {} --rounds {} --page-cache-mb {}", a.apps, a.rounds, a.page_cache_mb);
    println!(
        "cache: {} objects, {} credentials, {} owners, {:.1} MB; filled in {:.1} s",
        stats.objects,
        stats.credentials,
        stats.owners,
        stats.size_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    println!("\nApp registrations");
    let mut whole = Samples::default();
    let mut whole_bytes = 0;
    for _ in 0..a.rounds.clamp(1, 5) {
        let sample = timed(async {
            let store = apps.store().clone();
            let objects = store.read(q::list_objects).map_err(|e| entra_core::Error::internal(e.to_string()))?;
            let rows: Vec<_> = objects.iter().map(|o| app_row(o, now)).collect();
            Ok(Inventory { rows, as_of: Some(now), stale: false })
        })
        .await;
        whole_bytes = sample.2;
        whole.push(sample);
    }
    line("whole list: load + shape + serialise (old)", whole, &format!("  {:.1} MB of JSON", whole_bytes as f64 / 1e6));

    let page = |list: ListQuery| AppsQuery { list, ..AppsQuery::default() };
    let (mut keystrokes, mut sorts, mut middles, mut bytes) = (Samples::default(), Samples::default(), Samples::default(), 0);
    let total = apps.page(&AppsQuery::default()).await.expect("a page").page.total;
    for _ in 0..a.rounds {
        for word in ["payroll", "über", "00000042", "ledger sa"] {
            for end in 1..=word.chars().count() {
                let typed: String = word.chars().take(end).collect();
                let sample = timed(apps.page(&page(ListQuery::search(typed)))).await;
                bytes = bytes.max(sample.2);
                keystrokes.push(sample);
            }
        }
        for key in ["name", "type", "appId", "audience", "created", "credentials", "nextExpiry"] {
            for descending in [false, true] {
                let sort = ListQuery { sort: Some(key.into()), descending, ..ListQuery::default() };
                sorts.push(timed(apps.page(&page(sort.clone()))).await);
                middles.push(timed(apps.page(&page(ListQuery { start: total / 2, ..sort }))).await);
            }
        }
    }
    line("page: search keystroke (first 100 rows)", keystrokes, &format!("  at most {:.1} kB", bytes as f64 / 1e3));
    line("page: sort change (7 keys, both ways)", sorts, "");
    line("page: scroll to the middle (7 keys, both ways)", middles, "");
    let mut filters = Samples::default();
    for _ in 0..a.rounds {
        for (object_type, expired, no_owner) in [(Some(ObjectType::Application), false, false), (None, true, false), (None, false, true)] {
            let asked = AppsQuery { object_type, expired, no_owner, ..AppsQuery::default() };
            filters.push(timed(apps.page(&asked)).await);
        }
    }
    line("page: a filter chip (type, expired, no owner)", filters, "");

    println!("\nCredential expiry");
    let mut whole = Samples::default();
    let mut whole_bytes = 0;
    for _ in 0..a.rounds.clamp(1, 5) {
        let sample = timed(credentials.report(None, now)).await;
        whole_bytes = sample.2;
        whole.push(sample);
    }
    line("whole report: load + judge + serialise (old)", whole, &format!("  {:.1} MB of JSON", whole_bytes as f64 / 1e6));
    let report = |list: ListQuery| CredentialsQuery { list, ..CredentialsQuery::default() };
    let first = credentials.page(&report(ListQuery::default()), now).await.expect("a page");
    let (mut keystrokes, mut sorts, mut middles, mut chips, mut summaries) =
        (Samples::default(), Samples::default(), Samples::default(), Samples::default(), Samples::default());
    for _ in 0..a.rounds {
        for word in ["payroll", "s-42", "signing"] {
            for end in 1..=word.chars().count() {
                let typed: String = word.chars().take(end).collect();
                keystrokes.push(timed(credentials.page(&report(ListQuery::search(typed)), now)).await);
            }
        }
        for key in ["end", "app", "type", "kind", "name"] {
            let sort = ListQuery { sort: Some(key.into()), ..ListQuery::default() };
            sorts.push(timed(credentials.page(&report(sort.clone()), now)).await);
            middles.push(timed(credentials.page(&report(ListQuery { start: first.page.total / 2, ..sort }), now)).await);
        }
        for (expired, within, owner) in [(true, None, None), (false, Some(30), None), (false, None, Some("none")), (false, None, Some("adele vance 12"))] {
            let asked = CredentialsQuery { expired, within, owner: owner.map(String::from), ..CredentialsQuery::default() };
            chips.push(timed(credentials.page(&asked, now)).await);
        }
        summaries.push(timed(credentials.page(&CredentialsQuery { summary: true, ..CredentialsQuery::default() }, now)).await);
    }
    println!("  ({} credentials in the report)", first.page.total);
    line("page: search keystroke (first 100 rows)", keystrokes, "");
    line("page: sort change (5 keys)", sorts, "");
    line("page: scroll to the middle (5 keys)", middles, "");
    line("page: a filter (expired, within 30, owner)", chips, "");
    line("first page + summary (chips, chart)", summaries, "");
    if a.keep {
        println!("\nkept: {}", dir.keep().join(entra_core::cache::CACHE_FILE).display());
    }
}
