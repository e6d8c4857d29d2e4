//! The App registrations screen end to end on the demo tenant (300 generated
//! apps plus the demo clients): the cached list shows at once ("never
//! synced" on a fresh data folder), Refresh fills it from Graph, search and
//! the keyboard find a known app, its detail pane has the admin-center link,
//! a Full reload works, the filter/sort time is measured through the
//! `window.__entraDeskPerf` hook, and after a restart the list comes from the
//! cache without a refresh.

use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{artifacts_dir, sign_in_to_demo, AppHarness};
use entra_e2e::screens::{click_testid, press_ctrl, press_on, refresh_inventory, set_input, wait_rows};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);
const SYNC: Duration = Duration::from_secs(180);
/// A demo client of the seeded directory (crates/entra-demo/src/directory.rs), owned by the admin.
const KNOWN_APP: &str = "Expired secret app (demo)";
/// The perf hook once the table shows what it measured (Svelte renders in a microtask after the event).
const PERF_AFTER_RENDER: &str = "const p = window.__entraDeskPerf; const t = document.querySelector('[data-testid=apps-table]'); \
     return p && t && p.shown === Number(t.dataset.rows) ? p : null;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_search_detail_and_offline_restart() -> anyhow::Result<()> {
    let shots = artifacts_dir("apps");
    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;
    sign_in_to_demo(&app, &DemoBrowser::new(None)?, WAIT).await?;

    // Ctrl+1: the screen shows the (empty) cache at once; it never waits on the network.
    press_ctrl(&app, "1").await?;
    app.wait_for("[data-testid=apps-table]", WAIT).await?;
    let as_of = app.wait_for_text("[data-testid=apps-as-of]", WAIT, |t| t.contains("never synced")).await?;
    println!("before the first refresh: {as_of}");
    app.screenshot(&shots.join("01-never-synced.png")).await?;

    // Refresh: progress, then rows and an "as of" time.
    let rows = refresh_inventory(&app, false, SYNC).await?;
    println!("after refresh: {rows} rows");
    assert!(rows >= 300, "the demo tenant has 300 generated apps and their service principals: {rows}");
    let as_of = app.wait_for_text("[data-testid=apps-as-of]", WAIT, |t| t.starts_with("as of")).await?;
    println!("{as_of}");
    app.screenshot(&shots.join("02-refreshed.png")).await?;

    // Search by name: the app registration and its service principal.
    set_input(&app, "apps-search", "expired SECRET app").await?;
    let found = wait_rows(&app, "apps-table", WAIT, |n| (1..=4).contains(&n)).await?;
    let names = app.execute("return [...document.querySelectorAll('[data-testid=apps-row-name]')].map(e => e.textContent.trim())").await?;
    println!("search found {found}: {names}");
    assert!(names.as_array().unwrap().iter().all(|n| n.as_str() == Some(KNOWN_APP)), "{names}");

    // Only app registrations: the one row left is the registration (its service principal has no credentials).
    click_testid(&app, "apps-filter-applications").await?;
    wait_rows(&app, "apps-table", WAIT, |n| n == 1).await?;

    // Keyboard: Down selects the first row, Enter opens its detail.
    press_on(&app, "apps-table", "ArrowDown").await?;
    app.wait_for("[data-testid=apps-row][aria-selected=true]", WAIT).await?;
    press_on(&app, "apps-table", "Enter").await?;
    let title = app.wait_for_text("[data-testid=apps-detail-name]", WAIT, |t| !t.is_empty()).await?;
    assert_eq!(title, KNOWN_APP);
    app.wait_for("[data-testid=apps-detail-credentials]", WAIT).await?;
    let portal = app.wait_for("[data-testid=apps-portal-link]", WAIT).await?;
    let url = app.execute("return document.querySelector('[data-testid=apps-portal-link]').dataset.url").await?;
    println!("portal link: {url}");
    assert!(url.as_str().is_some_and(|u| u.starts_with("https://")), "the admin-center link is an https URL: {url}");
    // Opening it hands the URL to the system browser ($BROWSER=true in the harness): no error shows.
    app.click(&portal).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.find("[data-testid=error-banner]").await.is_err(), "opening the admin center raised no error");
    let detail = app.text(&app.find("[data-testid=apps-detail]").await?).await?;
    assert!(detail.contains("Owners") && detail.contains("Redirect URIs") && detail.contains("API permissions"), "{detail}");
    app.screenshot(&shots.join("03-search-and-detail.png")).await?;

    // Filters: "Has expired credentials" keeps the registration (its only secret expired); "No owner" drops it (the admin owns it).
    click_testid(&app, "apps-filter-expired").await?;
    wait_rows(&app, "apps-table", WAIT, |n| n == 1).await?;
    click_testid(&app, "apps-filter-expired").await?;
    click_testid(&app, "apps-filter-no-owner").await?;
    wait_rows(&app, "apps-table", WAIT, |n| n == 0).await?;
    click_testid(&app, "apps-filter-no-owner").await?;
    click_testid(&app, "apps-filter-applications").await?;
    wait_rows(&app, "apps-table", WAIT, |n| n == found).await?;

    // The filter/sort budget, measured in the app through window.__entraDeskPerf (printed, not asserted).
    set_input(&app, "apps-search", "").await?;
    let all = wait_rows(&app, "apps-table", WAIT, |n| n == rows).await?;
    let mut measured = Vec::new();
    for query in ["a", "ap", "app", "app ", "dev", "00", "payroll", ""] {
        set_input(&app, "apps-search", query).await?;
        let perf = app.wait_until(PERF_AFTER_RENDER, WAIT, "the perf hook").await?;
        measured.push(format!("search {query:?}: {:.2} ms ({} shown)", perf["lastFilterSortMs"].as_f64().unwrap_or(f64::NAN), perf["shown"]));
    }
    for column in ["created", "nextExpiry", "credentials", "appId", "name"] {
        for _ in 0..2 {
            click_testid(&app, &format!("apps-table-sort-{column}")).await?;
            let perf = app.wait_until(PERF_AFTER_RENDER, WAIT, "the perf hook").await?;
            measured.push(format!("sort {column}: {:.2} ms", perf["lastFilterSortMs"].as_f64().unwrap_or(f64::NAN)));
        }
    }
    println!("filter/sort on {all} rows (window.__entraDeskPerf.lastFilterSortMs):\n  {}", measured.join("\n  "));
    // The budget is one frame (16 ms) for 10,000 rows: measured by the same code in this webview on a
    // synthetic inventory of that size (ui/src/lib/perf.ts). Printed for the closing note, not asserted.
    let bench = app.execute("return window.__entraDeskBench(10000);").await?;
    assert_eq!(bench["rows"], 10000, "the benchmark ran: {bench}");
    println!("webview filter/sort benchmark, 10,000 rows (ms): {bench}");
    // Kept with the screenshots, so a CI run's figures can be read afterwards.
    let figures = format!("filter/sort on {all} demo rows:\n  {}\nsynthetic 10,000 rows (ms): {bench}\n", measured.join("\n  "));
    std::fs::write(shots.join("filter-sort-timings.txt"), figures)?;

    // Full reload: reads everything again.
    let again = refresh_inventory(&app, true, SYNC).await?;
    assert_eq!(again, rows, "a full reload finds the same objects");
    let outcome = app.text(&app.find("[data-testid=apps-outcome]").await?).await?;
    assert!(outcome.starts_with("Full reload done"), "{outcome}");
    app.quit().await?;

    // Restart: signed in silently, and the list comes from the cache with its "as of" time, no refresh.
    let app = harness.launch().await?;
    app.wait_for("[data-testid=user-display-name]", WAIT).await?;
    press_ctrl(&app, "1").await?;
    let cached = wait_rows(&app, "apps-table", WAIT, |n| n > 0).await?;
    assert_eq!(cached, rows, "the cache holds every object after a restart");
    let as_of = app.wait_for_text("[data-testid=apps-as-of]", WAIT, |t| !t.is_empty()).await?;
    assert!(as_of.starts_with("as of"), "{as_of}");
    assert!(app.find("[data-testid=apps-progress]").await.is_err(), "no refresh runs by itself");
    app.screenshot(&shots.join("04-after-restart-from-cache.png")).await?;
    app.quit().await?;
    Ok(())
}
