//! The Group caches screen's reads at a large tenant's size, in the real app (issue 23: "in the
//! app, transitive member-of and why p99 ≤ 10 ms and a group-search keystroke ≤ 16 ms in the
//! real webview; app memory while browsing"). Run by `tests/e2e/bench-groups.sh` under Xvfb;
//! numbers, not pass/fail.
//!
//! 1. **The cache.** A real release `entractl groups sync --full` (app-only, the demo's
//!    confidential client) against an in-process demo tenant of `--users`, `--groups` and
//!    `--memberships` (defaults 1,000,000 / 100,000 / 5,000,000; TLS on loopback, no latency,
//!    no throttling: setup, not measured), into the app's data folder; or `--cache FILE`, a
//!    `cache.sqlite` to copy there instead.
//! 2. **The app** (`ENTRA_DESK_BIN`, the release build) is launched on that data folder over
//!    WebDriver. No one signs in: the screen's reads with `accountId: null` read the cache only,
//!    as they do offline.
//! 3. **Inside the webview**, the page calls the commands the screen calls, through the same IPC
//!    (`window.__TAURI_INTERNALS__.invoke`, what `@tauri-apps/api` and so `ui/src/lib/api/groups.ts`
//!    use), and times each with `performance.now()`: the round trip through Tauri's IPC, the
//!    core, SQLite and the JSON both ways, on the webview's own event loop.
//!    - a group-search keystroke: `groups_list` with the text typed so far — real group names
//!      typed a letter at a time — for the first 100 rows by name, as the list asks;
//!    - a user-search keystroke: `groups_search_users` with a user's name typed the same way;
//!    - transitive member-of: `groups_member_of(user, transitive)`, the first page of 100 by depth, for `--lookups` users taken
//!      from the members of groups spread over the list;
//!    - why: `groups_why(user, group)` for each of those users and the deepest of its groups.
//!
//!    p50, p99 and max of each. The keystroke figure is the work a keystroke causes once the
//!    screen's typing pause has passed: the screen then draws at most one page of 100 rows.
//! 4. **Memory while browsing**: the proportional set size of the app and every process it
//!    started (WebKit's web and network processes), after the reads, and 5 s after start.
//!
//! It also prints how many groups the transitive member-of answers held (a call's time grows
//! with its answer), and with `GROUPS_BENCH_SLOWEST=1` the slowest calls of each kind.

use anyhow::{bail, Context, Result};
use entra_demo::{DemoOptions, DemoTenant};
use entra_e2e::app::{app_binary, workspace_root, AppHarness};
use entra_e2e::procs::{process_named, tree_pss_kib};
use entra_e2e::webdriver::Session;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Args {
    users: usize,
    groups: usize,
    memberships: usize,
    lookups: usize,
    cache: Option<PathBuf>,
}

fn args() -> Result<Args> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| argv.iter().position(|a| a == name).and_then(|i| argv.get(i + 1)).cloned();
    let number = |name: &str, default: usize| -> Result<usize> {
        value(name).map_or(Ok(default), |v| v.replace('_', "").parse().with_context(|| format!("{name} takes a number, not {v:?}")))
    };
    Ok(Args {
        users: number("--users", 1_000_000)?,
        groups: number("--groups", 100_000)?,
        memberships: number("--memberships", 5_000_000)?,
        lookups: number("--lookups", 200)?,
        cache: value("--cache").map(PathBuf::from),
    })
}

/// The cache: a copy of `--cache`, or a full sync by a real `entractl` against a demo tenant of the asked size.
async fn fill_cache(a: &Args, data_dir: &std::path::Path) -> Result<String> {
    let target = data_dir.join("cache.sqlite");
    if let Some(cache) = &a.cache {
        std::fs::copy(cache, &target).with_context(|| format!("copying {}", cache.display()))?;
        return Ok(format!("copied from {}", cache.display()));
    }
    let options = DemoOptions { tls: true, apps: 50, users: a.users, groups: a.groups, group_memberships: Some(a.memberships), ..Default::default() };
    let started = Instant::now();
    let tenant: DemoTenant = entra_demo::start(options).await.context("the demo tenant starts")?;
    let generated = started.elapsed();
    let info = tenant.info().clone();
    let entractl = std::env::var_os("ENTRACTL").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target/release/entractl"));
    let ca = info.ca_cert.as_ref().context("a TLS tenant has a CA")?.to_string_lossy().into_owned();
    let started = Instant::now();
    let mut command = tokio::process::Command::new(&entractl);
    for (var, _) in std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("ENTRA_")) {
        command.env_remove(var);
    }
    let output = command
        .args(["groups", "sync", "--full", "--authority", &info.authority, "--graph-url", &info.graph, "--client-id", &info.confidential_client.client_id, "--ca-cert", &ca])
        .env("ENTRA_DESK_DATA_DIR", data_dir)
        .env("ENTRA_CLIENT_SECRET", &info.confidential_client.client_secret)
        .output()
        .await
        .with_context(|| format!("running {} (cargo build --release -p entractl)", entractl.display()))?;
    if !output.status.success() {
        bail!("entractl groups sync failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let summary: Value = serde_json::from_slice(&output.stdout).context("the sync summary")?;
    tenant.shutdown().await;
    let size = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "tenant generated in {:.1} s; `entractl groups sync --full` in {:.1} s: {} groups, {} users, {} memberships ({}); cache {:.0} MiB",
        generated.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        summary["groups"],
        summary["users"],
        summary["memberships"],
        summary["method"],
        size as f64 / 1048576.0
    ))
}

/// Calls `command` with each of `args` in turn inside the page, timing each call; returns the
/// answers and the times (ms). Chunks keep each script within WebDriver's script timeout.
async fn timed(app: &Session, command: &str, args: &[Value]) -> Result<(Vec<Value>, Vec<f64>)> {
    let (mut answers, mut times) = (Vec::new(), Vec::new());
    for chunk in args.chunks(25) {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             (async () => {{
               const out = [];
               for (const a of {args}) {{
                 const t0 = performance.now();
                 const answer = await window.__TAURI_INTERNALS__.invoke({command}, a);
                 out.push([performance.now() - t0, answer]);
               }}
               return out;
             }})().then(done, e => done({{ error: String(e && (e.message || JSON.stringify(e))) }}));",
            args = Value::Array(chunk.to_vec()),
            command = Value::String(command.to_string()),
        );
        let value = app.execute_async(&script).await?;
        if let Some(error) = value.get("error") {
            bail!("{command} failed in the page: {error}");
        }
        for pair in value.as_array().context("timed answers")? {
            times.push(pair[0].as_f64().unwrap_or(f64::NAN));
            answers.push(pair[1].clone());
        }
    }
    Ok((answers, times))
}

fn percentiles(label: &str, ms: Vec<f64>, goal: &str) -> String {
    if std::env::var_os("GROUPS_BENCH_SLOWEST").is_some() {
        let mut order: Vec<usize> = (0..ms.len()).collect();
        order.sort_by(|a, b| ms[*b].total_cmp(&ms[*a]));
        eprintln!("{label}: slowest calls (index: ms) {:?}", order.iter().take(8).map(|i| format!("{i}: {:.0}", ms[*i])).collect::<Vec<_>>());
    }
    let mut ms = ms;
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| ms[(((ms.len() as f64) * p).ceil() as usize).clamp(1, ms.len()) - 1];
    format!("| {label} | {} | {:.1} / {:.1} / {:.1} ms | {goal} |", ms.len(), at(0.5), at(0.99), ms[ms.len() - 1])
}

/// Every prefix of `text`, a letter at a time (what the search box holds after each keystroke).
fn typed(text: &str) -> Vec<String> {
    text.char_indices().skip(1).map(|(i, _)| text[..i].to_string()).chain(std::iter::once(text.to_string())).collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let a = args()?;
    let binary = app_binary()?;
    let harness = AppHarness::start_for(binary.clone()).await?;
    println!("# groups_bench: {} users, {} groups, {} memberships asked; {} lookups; app {}", a.users, a.groups, a.memberships, a.lookups, binary.display());
    println!("cache: {}", fill_cache(&a, harness.data_dir()).await?);

    let app = harness.launch().await?;
    app.wait_until("return !!(window.__TAURI_INTERNALS__ && document.querySelector('[data-testid=try-demo], [data-testid=nav-groups]'))", Duration::from_secs(60), "the first screen").await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let pid = process_named(harness.driver_pid(), &binary).context("the app's process")?;
    let idle = tree_pss_kib(pid) as f64 / 1024.0;

    // Group names spread over the list: one at each of 20 places in name order.
    let list = |search: &str, start: u64| json!({"accountId": null, "query": {"search": search, "descending": false, "start": start, "limit": 100}});
    let (first, _) = timed(&app, "groups_list", &[list("", 0)]).await?;
    let total = first[0]["groups"]["total"].as_u64().unwrap_or(0);
    if total == 0 {
        bail!("the cache holds no group");
    }
    let spots: Vec<Value> = (0..20).map(|i| list("", total * i / 20)).collect();
    let (pages, _) = timed(&app, "groups_list", &spots).await?;
    let groups: Vec<(String, String)> = pages
        .iter()
        .filter_map(|p| p["groups"]["items"].get(0))
        .map(|g| (g["id"].as_str().unwrap_or_default().to_string(), g["displayName"].as_str().unwrap_or_default().to_string()))
        .collect();

    // Keystrokes: each name typed a letter at a time.
    let keystrokes: Vec<Value> = groups.iter().flat_map(|(_, name)| typed(name)).map(|t| list(&t, 0)).collect();
    let (_, group_keys) = timed(&app, "groups_list", &keystrokes).await?;

    // Users: the first members of groups spread over the list.
    let mut users: Vec<(String, String)> = Vec::new();
    let mut at = 0;
    while users.len() < a.lookups && at < total {
        let page = list("", at);
        let (answer, _) = timed(&app, "groups_list", &[page]).await?;
        let ids: Vec<Value> = answer[0]["groups"]["items"]
            .as_array()
            .map(|items| items.iter().map(|g| json!({"accountId": null, "groupId": g["id"], "transitive": false, "query": {"descending": false, "start": 0, "limit": 5}})).collect())
            .unwrap_or_default();
        let (members, _) = timed(&app, "groups_members", &ids).await?;
        for m in members.iter().flat_map(|p| p["members"]["items"].as_array().cloned().unwrap_or_default()) {
            let member = &m["member"];
            if member["kind"] == "user" && users.len() < a.lookups && !users.iter().any(|(id, _)| Some(id.as_str()) == member["id"].as_str()) {
                users.push((member["id"].as_str().unwrap_or_default().to_string(), member["displayName"].as_str().unwrap_or_default().to_string()));
            }
        }
        at += (total / (a.lookups as u64 / 5).max(1)).max(100);
    }
    let user_keys: Vec<Value> = users.iter().take(20).flat_map(|(_, name)| typed(name)).map(|t| json!({"query": t})).collect();
    let (_, user_key_times) = timed(&app, "groups_search_users", &user_keys).await?;

    // The screen's first page of a user's groups (by depth, then name), as the table asks for it.
    let member_of: Vec<Value> =
        users.iter().map(|(id, _)| json!({"accountId": null, "userId": id, "transitive": true, "query": {"descending": false, "start": 0, "limit": 100}})).collect();
    let (answers, member_of_times) = timed(&app, "groups_member_of", &member_of).await?;
    // Each user's deepest group (the first by depth, descending; not timed), for "why".
    let deepest_first: Vec<Value> =
        users.iter().map(|(id, _)| json!({"accountId": null, "userId": id, "transitive": true, "query": {"descending": true, "start": 0, "limit": 1}})).collect();
    let (deepest, _) = timed(&app, "groups_member_of", &deepest_first).await?;
    let mut depths = Vec::new();
    let why: Vec<Value> = users
        .iter()
        .zip(&deepest)
        .filter_map(|((user, _), answer)| {
            let deepest = answer["groups"]["items"].as_array()?.first()?.clone();
            depths.push(deepest["depth"].as_u64().unwrap_or(0));
            Some(json!({"accountId": null, "userId": user, "groupId": deepest["group"]["id"]}))
        })
        .collect();
    let (why_answers, why_times) = timed(&app, "groups_why", &why).await?;
    let members = why_answers.iter().filter(|w| w["member"] == true).count();
    let browsing = tree_pss_kib(pid) as f64 / 1024.0;

    let mut sizes: Vec<usize> = answers.iter().map(|a| a["groups"]["total"].as_u64().unwrap_or(0) as usize).collect();
    sizes.sort_unstable();
    let size_at = |p: f64| sizes.get(((sizes.len() as f64 * p).ceil() as usize).clamp(1, sizes.len().max(1)) - 1).copied().unwrap_or(0);
    println!(
        "{} group names typed ({} keystrokes), {} users; transitive member-of answers: p50 {} / p99 {} / max {} groups, nested up to depth {}; why said \"member\" {members} of {} times",
        groups.len(),
        group_keys.len(),
        users.len(),
        size_at(0.5),
        size_at(0.99),
        sizes.last().unwrap_or(&0),
        depths.iter().max().unwrap_or(&0),
        why.len()
    );
    println!();
    println!("| in the app, through IPC from the webview | calls | p50 / p99 / max | goal |");
    println!("|---|---|---|---|");
    println!("{}", percentiles("group-search keystroke (`groups_list`, first 100 by name)", group_keys, "≤ 16 ms"));
    println!("{}", percentiles("user-search keystroke (`groups_search_users`)", user_key_times, "—"));
    println!("{}", percentiles("transitive member-of (`groups_member_of`)", member_of_times, "p99 ≤ 10 ms"));
    println!("{}", percentiles("why (`groups_why`)", why_times, "p99 ≤ 10 ms"));
    println!();
    println!("app memory (PSS of the app and its WebKit processes): {idle:.0} MiB 5 s after start, {browsing:.0} MiB after the reads");
    app.quit().await?;
    Ok(())
}
