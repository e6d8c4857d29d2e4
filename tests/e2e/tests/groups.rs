//! The Group caches screen end to end on the app's embedded demo tenant: the
//! empty cache says so; "Refresh now" syncs groups and memberships through
//! Graph's delta query; a search finds the outermost group of the seeded
//! nested chain (G1 ⊃ G2 ⊃ … ⊃ G5, with a user directly in G5); its
//! transitive members show that user at depth 5 via G5; "why" draws
//! user → G5 → G4 → G3 → G2 → G1. Then the tenant changes the way an admin
//! changes it, through Graph (the user moves from G5 to G3, written with the
//! demo's confidential client), an incremental refresh picks it up, and the
//! path becomes user → G3 → G2 → G1; the user's groups say they are no
//! longer in G5. The cache policy refuses a bad duration. The JWT inspector
//! names a token's groups from the cache and, for an overage token, lists
//! the user's groups from the cache and says so. Last, with Graph down and
//! the cache off, a read is served from the cache marked stale.
//!
//! The ids of the nested chain come from the demo's group fixture: the app's
//! demo tenant is deterministic from its seed (1, the defaults), so the test
//! starts an identical tenant in-process and reads `group_fixture()` and the
//! confidential client from it; writes go to the app's own tenant, whose port
//! is in `<data dir>/demo-tenant/port`.

use anyhow::{bail, Result};
use base64::Engine;
use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{artifacts_dir, sign_in_to_demo, AppHarness};
use entra_e2e::screens::{click_testid, js, press_ctrl, record_failure, scroll_to, set_input, sync_groups, wait_rows};
use entra_e2e::tenant::AppTenant;
use entra_e2e::webdriver::Session;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);
const SYNC: Duration = Duration::from_secs(300);

/// The ids of the "why" path on screen, user first.
async fn why_path(app: &Session) -> Result<Vec<String>> {
    let v = app
        .wait_until(
            "const w = document.querySelector('[data-testid=groups-why]'); if (!w) return null; \
             return [...w.querySelectorAll('[data-testid=groups-why-node]')].map(n => n.dataset.id);",
            WAIT,
            "the why answer",
        )
        .await?;
    Ok(v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default())
}

/// Opens the group with `id` from the list (searching by `name`) and shows its transitive members.
async fn open_transitive_members(app: &Session, name: &str, id: &str, timeout: Duration) -> Result<()> {
    click_testid(app, "groups-tab-groups").await?;
    set_input(app, "groups-search", name).await?;
    // The core answers the search after a pause (the old rows stay until then): wait for the group's row.
    let open = format!("const r = document.querySelector('[data-testid=groups-row-name][data-id={}]'); if (!r) return false; r.parentElement.click(); return true;", js(id));
    if app.wait_until(&open, WAIT, "the group's row").await.is_err() {
        bail!("the group {name} ({id}) is not in the searched list");
    }
    app.wait_for_text("[data-testid=groups-members-title]", WAIT, |t| t == name).await?;
    click_testid(app, "groups-members-transitive").await?;
    app.wait_for("[data-testid=groups-members-count][data-transitive=true]", timeout).await?;
    Ok(())
}

/// The "How" cell (direct, or depth and via) of the member row with `id`, once it starts with `prefix`.
async fn member_depth(app: &Session, id: &str, prefix: &str) -> Result<String> {
    let script = format!(
        "const n = document.querySelector('[data-testid=groups-member-name][data-id=' + {} + ']'); \
         const d = n && n.parentElement.querySelector('[data-testid=groups-member-depth]'); \
         const t = d ? d.textContent.trim() : ''; return t && t.startsWith({}) ? t : null;",
        js(&js(id)),
        js(prefix)
    );
    let v = app.wait_until(&script, WAIT, "the member's row").await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// Waits until an element matches `css` (checked in the page, as attribute selectors with ids need).
async fn wait_css(app: &Session, css: &str) -> Result<()> {
    app.wait_until(&format!("return !!document.querySelector({})", js(css)), WAIT, css).await.map(drop)
}


/// The statistics panel, by line.
async fn statistics(app: &Session) -> Result<Value> {
    app.execute("return Object.fromEntries([...document.querySelectorAll('[data-testid^=groups-stat-]')].map(e => [e.dataset.testid.slice(12), e.textContent.trim()]))").await
}

/// A JWT the inspector decodes (its signature is not checked here: no keys are fetched).
fn unsigned_token(payload: Value) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.{}", b64(&json!({"alg": "RS256", "typ": "JWT", "kid": "e2e"})), b64(&payload), "c2lnbmF0dXJl")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_search_members_why_change_and_refresh() -> Result<()> {
    let shots = artifacts_dir("groups");
    // The same tenant as the app's (seed 1, the defaults): the fixture's ids and the confidential client.
    let reference = entra_demo::start(entra_demo::DemoOptions::default()).await?;
    let fx = reference.group_fixture();
    println!("fixture: chain {:?}, nested user {}", fx.nested_chain, fx.nested_user);

    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;
    let outcome = scenario(&app, &harness, &reference, &shots).await;
    if outcome.is_err() {
        record_failure(&app, &shots).await;
    }
    drop(reference);
    outcome?;
    app.quit().await?;
    Ok(())
}

async fn scenario(app: &Session, harness: &AppHarness, reference: &entra_demo::DemoTenant, shots: &std::path::Path) -> Result<()> {
    let fx = reference.group_fixture();
    let chain = fx.nested_chain.clone();
    let nested = fx.nested_user.clone();
    sign_in_to_demo(app, &DemoBrowser::new(None)?, WAIT).await?;
    let tenant = AppTenant::connect(harness.data_dir(), reference.info()).await?;
    let g1_name = tenant.display_name("groups", &chain[0]).await?;
    let g5_name = tenant.display_name("groups", &chain[4]).await?;
    let user_name = tenant.display_name("users", &nested).await?;

    // Ctrl+3: the empty cache says so, and nothing syncs behind the admin's back.
    press_ctrl(app, "3").await?;
    app.wait_for_text("[data-testid=groups-cache-badge]", WAIT, |t| t == "Empty").await?;
    app.wait_for("[data-testid=groups-empty]", WAIT).await?;
    app.screenshot(&shots.join("01-empty-cache.png")).await?;

    // The policy field refuses a bad duration in place.
    set_input(app, "groups-duration", "half an hour").await?;
    click_testid(app, "groups-duration-apply").await?;
    let problem = app.wait_for_text("[data-testid=groups-duration-error]", WAIT, |t| !t.is_empty()).await?;
    assert!(problem.contains("hh:mm:ss"), "{problem}");
    set_input(app, "groups-duration", "00:30:00").await?;

    // Refresh now: the first sync (full, since there is no delta link yet), with statistics.
    let outcome = sync_groups(app, false, SYNC).await?;
    println!("first sync: {outcome}");
    let groups = wait_rows(app, "groups-table", WAIT, |n| n > 0).await?;
    assert!(groups >= 400, "the demo tenant's 400 groups: {groups}");
    app.wait_for_text("[data-testid=groups-cache-badge]", WAIT, |t| t == "Fresh").await?;
    // The first sync is a full one (there is no delta link yet).
    app.wait_for_text("[data-testid=groups-stat-kind]", WAIT, |t| t == "Full").await?;
    println!("statistics: {}", statistics(app).await?);
    app.screenshot(&shots.join("02-synced.png")).await?;

    // Search G1 by name, open its transitive members: the nested user is there at depth 5, via G5.
    open_transitive_members(app, &g1_name, &chain[0], WAIT).await?;
    set_input(app, "groups-members-search", &user_name).await?;
    app.wait_for_text("[data-testid=groups-members-count]", WAIT, |t| t.contains("match")).await?;
    let depth = member_depth(app, &nested, "").await?;
    assert_eq!(depth, format!("depth 5 · via {g5_name}"), "the nested user comes through the chain");
    app.screenshot(&shots.join("03-transitive-members.png")).await?;

    // Why is the user in G1? user → G5 → G4 → G3 → G2 → G1.
    click_testid(app, "groups-member-why").await?;
    let path = why_path(app).await?;
    let expected: Vec<String> = std::iter::once(nested.clone()).chain(chain.iter().rev().cloned()).collect();
    assert_eq!(path, expected, "the why path runs from the user through G5 … G1");
    let sentence = app.text(&app.find("[data-testid=groups-why-sentence]").await?).await?;
    println!("why: {sentence}");
    scroll_to(app, "[data-testid=groups-why]").await?;
    app.screenshot(&shots.join("04-why-nested.png")).await?;

    // The admin moves the user from G5 to G3, through Graph.
    tenant.remove_member(&chain[4], &nested).await?;
    tenant.add_member(&chain[2], &nested).await?;

    // Refresh now: an incremental sync picks the change up; the path is now user → G3 → G2 → G1.
    let outcome = sync_groups(app, false, SYNC).await?;
    println!("after the change: {outcome}");
    assert!(outcome.starts_with("Incremental sync done"), "{outcome}");
    app.wait_for_text("[data-testid=groups-stat-kind]", WAIT, |t| t == "Incremental (delta)").await?;
    println!("statistics: {}", statistics(app).await?);
    set_input(app, "groups-members-search", &user_name).await?;
    let depth = member_depth(app, &nested, "depth 3").await?;
    println!("now: {depth}");
    click_testid(app, "groups-member-why").await?;
    let path = why_path(app).await?;
    assert_eq!(path, vec![nested.clone(), chain[2].clone(), chain[1].clone(), chain[0].clone()], "the path follows the change");
    scroll_to(app, "[data-testid=groups-why]").await?;
    app.screenshot(&shots.join("05-after-change-why.png")).await?;

    // The user's groups: three, transitively, and G5 is no longer one of them ("not a member").
    click_testid(app, "groups-tab-users").await?;
    set_input(app, "groups-user-search", &user_name).await?;
    wait_css(app, &format!("[data-testid=groups-user-result][data-id=\"{nested}\"]")).await?;
    app.execute(&format!("document.querySelector('[data-testid=groups-user-result][data-id={}]').click()", js(&nested))).await?;
    wait_css(app, &format!("[data-testid=groups-user-selected][data-id=\"{nested}\"]")).await?;
    let n = wait_rows(app, "groups-user-groups", WAIT, |n| n > 0).await?;
    assert_eq!(n, 3, "G3, G2 and G1");
    set_input(app, "groups-why-group", &g5_name).await?;
    wait_css(app, &format!("[data-testid=groups-why-group-result][data-id=\"{}\"]", chain[4])).await?;
    app.execute(&format!("document.querySelector('[data-testid=groups-why-group-result][data-id={}]').click()", js(&chain[4]))).await?;
    app.wait_for("[data-testid=groups-why][data-member=false]", WAIT).await?;
    let sentence = app.text(&app.find("[data-testid=groups-why-sentence]").await?).await?;
    assert!(sentence.contains("is not a member"), "{sentence}");
    scroll_to(app, "[data-testid=groups-why]").await?;
    app.screenshot(&shots.join("06-user-groups-not-a-member.png")).await?;

    // The JWT inspector: the groups claim named from the cache; an overage token's groups from the cache.
    press_ctrl(app, "5").await?;
    let with_groups = unsigned_token(json!({"aud": "api://e2e", "oid": nested, "groups": [chain[0], chain[2]], "exp": 4102444800u64}));
    set_input(app, "jwt-input", &with_groups).await?;
    let names = app
        .wait_until(
            "const n = [...document.querySelectorAll('[data-testid=jwt-group-name]')].map(e => e.textContent.trim()); return n.length === 2 && !n.includes('…') ? n : null;",
            WAIT,
            "the group names",
        )
        .await?;
    assert_eq!(names, json!([g1_name, tenant.display_name("groups", &chain[2]).await?]));
    scroll_to(app, "[data-testid=jwt-groups]").await?;
    app.screenshot(&shots.join("07-jwt-group-names.png")).await?;
    let overage = unsigned_token(json!({"aud": "api://e2e", "oid": nested, "hasgroups": true, "exp": 4102444800u64}));
    set_input(app, "jwt-input", &overage).await?;
    let source = app.wait_for_text("[data-testid=jwt-overage-source]", WAIT, |t| !t.is_empty()).await?;
    assert!(source.starts_with("From the local group cache, as of"), "{source}");
    assert!(source.contains("the token itself carries no groups because of the overage"), "{source}");
    let listed = app.execute("return [...document.querySelectorAll('[data-testid=jwt-overage-group]')].map(e => e.dataset.id)").await?;
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "the user's three groups: {listed}");
    scroll_to(app, "[data-testid=jwt-overage-source]").await?;
    app.screenshot(&shots.join("08-jwt-overage-from-cache.png")).await?;

    // Offline: with the cache off and Graph unavailable, a read is served from the cache and says it is stale.
    press_ctrl(app, "3").await?;
    click_testid(app, "groups-tab-groups").await?;
    // The screen was just opened again: its cache panel appears once the overview is read.
    wait_css(app, "[data-testid=groups-duration]").await?;
    set_input(app, "groups-duration", "00:00:00").await?;
    click_testid(app, "groups-duration-apply").await?;
    app.wait_for("[data-testid=groups-duration-saved]", WAIT).await?;
    // The core read the duration; the saved policy is explained.
    let explained = app.wait_for_text("[data-testid=groups-duration-explain]", WAIT, |t| t.contains("Cache off")).await?;
    println!("{explained}");
    tenant.faults(json!({"unavailable_fraction": 1.0, "retry_after": 0})).await?;
    open_transitive_members(app, &g1_name, &chain[0], SYNC).await?;
    let badge = app.wait_for_text("[data-testid=groups-members-cache-badge]", SYNC, |t| t == "Stale" || t == "Fresh").await?;
    let reason = app.execute("const r = document.querySelector('[data-testid=groups-members-cache-reason]'); return r ? r.textContent : null").await?;
    println!("offline read: {badge}, {reason}");
    app.screenshot(&shots.join("09-offline-stale.png")).await?;
    tenant.faults(json!({"unavailable_fraction": 0.0})).await?;
    assert_eq!(badge, "Stale", "Graph was down: the cache answered and said so");
    Ok(())
}
