//! The Leases screen end to end on the app's embedded demo tenant: define an
//! app-secret dynamic secret on an application of the tenant (its name is
//! looked up), issue a lease (the secret is shown once, with the note that it
//! will not be shown again, and is gone from the page once dismissed; Entra
//! holds a credential named with this store's marker that ends at the max
//! TTL), watch the countdown run down, renew it with a longer TTL, revoke it
//! after a confirmation (the credential is gone from the tenant), and read the
//! audit log (issued, renewed and revoked lines). Then a revocation that Graph
//! refuses (503 on every removePassword) shows as failing, with its attempts,
//! error and next attempt, until a retry succeeds; last, the CSV export.
//!
//! The target comes from the demo's lease fixture: the app's demo tenant is
//! deterministic from its seed (1, the defaults), so the test starts an
//! identical tenant in-process and reads `lease_targets()` from it. The app's
//! own tenant is read through Graph as the demo's confidential client (its port
//! is in `<data dir>/demo-tenant/port`).

use anyhow::{bail, Context, Result};
use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{artifacts_dir, sign_in_to_demo, AppHarness};
use entra_e2e::save_dialog;
use entra_e2e::screens::{click_testid, js, press_ctrl, record_failure, scroll_to, set_input};
use entra_e2e::tenant::AppTenant;
use entra_e2e::webdriver::Session;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);
const DEFINITION: &str = "e2e-app-secret";

/// The credential of `app_object_id` whose display name carries `lease_id` (the lease's marker), if any.
async fn lease_credential(tenant: &AppTenant, app_object_id: &str, lease_id: &str) -> Result<Option<Value>> {
    Ok(tenant.application_passwords(app_object_id).await?.into_iter().find(|p| p["displayName"].as_str().is_some_and(|n| n.ends_with(lease_id))))
}

/// The one lease row's `data-seconds-left`, once it is a number.
async fn seconds_left(app: &Session) -> Result<i64> {
    let v = app
        .wait_until(
            "const c = document.querySelector('[data-testid=leases-countdown]'); return c && c.dataset.secondsLeft !== '' ? {s: Number(c.dataset.secondsLeft)} : null;",
            WAIT,
            "the countdown",
        )
        .await?;
    v["s"].as_i64().context("seconds left")
}

/// Clicks `testid` inside the definition named `name`.
async fn click_in_definition(app: &Session, name: &str, testid: &str) -> Result<()> {
    let found = app
        .execute(&format!(
            "const el = document.querySelector('[data-testid=leases-definition][data-name=' + {} + '] [data-testid={testid}]'); if (!el) return false; el.click(); return true;",
            js(&js(name))
        ))
        .await?;
    if found != Value::Bool(true) {
        bail!("no [data-testid={testid}] in the definition {name}");
    }
    Ok(())
}

/// Clicks `testid` in the lease row of `lease_id`.
async fn click_in_row(app: &Session, lease_id: &str, testid: &str) -> Result<()> {
    let found = app
        .execute(&format!(
            "const el = document.querySelector('[data-testid=leases-row][data-lease-id=' + {} + '] [data-testid={testid}]'); if (!el) return false; el.click(); return true;",
            js(&js(lease_id))
        ))
        .await?;
    if found != Value::Bool(true) {
        bail!("no [data-testid={testid}] in the row of lease {lease_id}");
    }
    Ok(())
}


/// The audit log's actions for `lease_id`, newest first.
async fn audit_actions(app: &Session, lease_id: &str) -> Result<Vec<String>> {
    let v = app
        .execute(&format!(
            "return [...document.querySelectorAll('[data-testid=leases-audit-row]')].filter(r => r.dataset.leaseId === {}).map(r => r.dataset.action)",
            js(lease_id)
        ))
        .await?;
    Ok(v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn define_issue_countdown_renew_revoke_and_audit() -> Result<()> {
    let shots = artifacts_dir("leases");
    // The same tenant as the app's (seed 1, the defaults): the lease target and the confidential client.
    let reference = entra_demo::start(entra_demo::DemoOptions::default()).await?;
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
    let target = reference.lease_targets().application;
    assert!(!target.object_id.is_empty(), "the demo names an application for app-secret leases");
    println!("target: {} ({})", target.display_name, target.object_id);
    sign_in_to_demo(app, &DemoBrowser::new(None)?, WAIT).await?;
    let tenant = AppTenant::connect(harness.data_dir(), reference.info()).await?;

    // Ctrl+4: the Leases screen, with nothing defined yet.
    press_ctrl(app, "4").await?;
    app.wait_for("[data-testid=leases-screen]", WAIT).await?;
    app.wait_for("[data-testid=leases-empty]", WAIT).await?;
    app.wait_for("[data-testid=leases-no-definitions]", WAIT).await?;
    app.screenshot(&shots.join("01-empty.png")).await?;

    // Define: a bad max TTL is refused in place, then the definition is made and its target named.
    set_input(app, "leases-define-name", DEFINITION).await?;
    set_input(app, "leases-define-target", &target.object_id).await?;
    set_input(app, "leases-define-ttl", "10m").await?;
    set_input(app, "leases-define-max-ttl", "5m").await?;
    click_testid(app, "leases-define-submit").await?;
    let problem = app.wait_for_text("[data-testid=leases-define-form] [role=alert]", WAIT, |t| !t.is_empty()).await?;
    assert!(problem.contains("longer than the max TTL"), "the core's refusal: {problem}");
    set_input(app, "leases-define-max-ttl", "1h").await?;
    scroll_to(app, "[data-testid=leases-define-form]").await?;
    app.screenshot(&shots.join("02-define.png")).await?;
    click_testid(app, "leases-define-submit").await?;
    let definition = format!("[data-testid=leases-definition][data-name=\"{DEFINITION}\"]");
    let text = app.wait_for_text(&definition, WAIT, |t| t.contains("TTL 10 minutes")).await?;
    println!("defined: {}", text.replace('\n', " "));
    assert!(text.contains(&target.object_id), "the definition shows its target: {text}");
    let named = app.wait_for_text(&format!("{definition} [data-testid=leases-definition-target-name]"), WAIT, |t| !t.is_empty()).await?;
    assert_eq!(named.trim(), target.display_name, "the target's name was looked up");
    // Bound to the tenant it was defined in: the tag says which, and that it is the signed-in one's.
    let tag = app
        .execute(&format!(
            "const t = document.querySelector({}); return t ? [t.dataset.state, t.title] : null;",
            js(&format!("{definition} [data-testid=leases-definition-tenant]"))
        ))
        .await?;
    assert_eq!(tag[0], "mine", "the definition is the signed-in tenant's: {tag}");
    let tenant_id = &reference.info().tenant_id;
    assert!(tag[1].as_str().is_some_and(|t| t.contains(tenant_id.as_str())), "the tag names tenant {tenant_id}: {tag}");

    // Issue a 5-minute lease: the secret is shown once, in Entra's form, with the note.
    app.execute(&format!(
        "const i = document.querySelector({}); i.value = '5m'; i.dispatchEvent(new Event('input', {{bubbles: true}}));",
        js(&format!("{definition} [data-testid=leases-issue-ttl]"))
    ))
    .await?;
    click_in_definition(app, DEFINITION, "leases-issue").await?;
    let field = app.wait_for("[data-testid=leases-secret-value]", WAIT).await?;
    let secret = app.value(&field).await?;
    assert_eq!(secret.len(), 40, "an Entra-style secret");
    assert_eq!(&secret[3..6], "8Q~");
    let once = app.text(&app.find("[data-testid=leases-secret-once]").await?).await?;
    assert!(once.contains("it will not be shown again"), "{once}");
    app.wait_for("[data-testid=leases-row][data-status=active]", WAIT).await?;
    let lease_id = app.execute("return document.querySelector('[data-testid=leases-row]').dataset.leaseId").await?;
    let lease_id = lease_id.as_str().unwrap_or_default().to_string();
    assert!(!lease_id.is_empty());
    let target_name = app.text(&app.find("[data-testid=leases-target-name]").await?).await?;
    assert_eq!(target_name.trim(), target.display_name);
    scroll_to(app, "[data-testid=leases-screen]").await?;
    app.screenshot(&shots.join("03-secret-shown-once.png")).await?;

    // Entra holds the credential, named with this store's marker, ending at the max TTL (1 h), not the TTL.
    let credential = lease_credential(&tenant, &target.object_id, &lease_id).await?.context("the lease's credential is on the application")?;
    let marker = credential["displayName"].as_str().unwrap_or_default();
    assert!(marker.starts_with("entra-desk:") && marker.ends_with(&format!(":{lease_id}")), "marker: {marker}");
    let end_time = credential["endDateTime"].as_str().context("an endDateTime")?;
    let end = app.execute(&format!("return Math.round((Date.parse({}) - Date.now()) / 1000)", js(end_time))).await?.as_i64().context("a time")?;
    assert!((3300..=3700).contains(&end), "the credential ends at the max TTL (1 h): {end} s from now");
    println!("credential {} ends in {end} s", credential["keyId"]);

    // Dismissed, the secret is gone from the page.
    click_testid(app, "leases-secret-dismiss").await?;
    app.wait_until("return !document.querySelector('[data-testid=leases-secret]')", WAIT, "the secret panel to go").await?;
    let html = app.execute("return document.body.innerHTML").await?;
    assert!(!html.as_str().unwrap_or_default().contains(&secret), "the secret is gone from the page");

    // The countdown runs down, from at most 5 minutes.
    let first = seconds_left(app).await?;
    assert!((240..=300).contains(&first), "a 5-minute lease: {first} s left");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let second = seconds_left(app).await?;
    assert!(second < first && second >= first - 5, "the countdown decreases: {first} → {second}");
    let shown = app.text(&app.find("[data-testid=leases-countdown]").await?).await?;
    println!("countdown: {first} s → {second} s, shows {shown}");
    app.screenshot(&shots.join("04-countdown.png")).await?;

    // Renew for 30 minutes: the expiry moves (still under the max TTL).
    click_testid(app, "leases-renew").await?;
    app.wait_for("[data-testid=leases-renew-ttl]", WAIT).await?;
    set_input(app, "leases-renew-ttl", "30m").await?;
    let preview = app.wait_for_text("[data-testid=leases-renew-preview]", WAIT, |t| t.contains("New expiry")).await?;
    println!("renew preview: {preview}");
    app.screenshot(&shots.join("05-renew.png")).await?;
    click_testid(app, "leases-renew-confirm").await?;
    app.wait_until(
        "const c = document.querySelector('[data-testid=leases-countdown]'); return c && Number(c.dataset.secondsLeft) > 1700;",
        WAIT,
        "the renewed expiry",
    )
    .await?;
    let renewed = seconds_left(app).await?;
    assert!((1700..=1800).contains(&renewed), "renewed for 30 minutes: {renewed} s left");
    app.screenshot(&shots.join("06-renewed.png")).await?;

    // Revoke, after a confirmation: the lease ends and its credential is gone from the tenant.
    click_testid(app, "leases-revoke").await?;
    app.wait_for("[data-testid=leases-revoke-confirm]", WAIT).await?;
    app.screenshot(&shots.join("07-revoke-confirm.png")).await?;
    click_testid(app, "leases-revoke-confirm").await?;
    app.wait_for("[data-testid=leases-row][data-status=revoked]", WAIT).await?;
    let status = app.text(&app.find("[data-testid=leases-status]").await?).await?;
    assert_eq!(status.trim(), "Revoked");
    assert!(lease_credential(&tenant, &target.object_id, &lease_id).await?.is_none(), "the credential was removed from the application");
    app.screenshot(&shots.join("08-revoked.png")).await?;

    // The audit log: issued, renewed and revoked lines for the lease, newest first.
    let actions = app
        .wait_until(
            &format!(
                "const a = [...document.querySelectorAll('[data-testid=leases-audit-row]')].filter(r => r.dataset.leaseId === {}).map(r => r.dataset.action); \
                 return a.includes('revoked') ? a : null;",
                js(&lease_id)
            ),
            WAIT,
            "the revoked line in the audit log",
        )
        .await?;
    println!("audit for the lease: {actions}");
    let actions = audit_actions(app, &lease_id).await?;
    let at = |a: &str| actions.iter().position(|x| x == a).with_context(|| format!("an audit line `{a}` for the lease: {actions:?}"));
    let (issued, renewed, revoked) = (at("issued")?, at("renewed")?, at("revoked")?);
    assert!(revoked < renewed && renewed < issued, "newest first: {actions:?}");
    scroll_to(app, "[data-testid=leases-audit]").await?;
    app.screenshot(&shots.join("09-audit-log.png")).await?;

    // A revocation that fails (Graph answers 503 to every removePassword) shows as failing, with its attempts and
    // the error; once Graph is back, "Retry revoke" ends it.
    scroll_to(app, "[data-testid=leases-screen]").await?;
    click_in_definition(app, DEFINITION, "leases-issue").await?;
    app.wait_for("[data-testid=leases-secret-value]", WAIT).await?;
    click_testid(app, "leases-secret-dismiss").await?;
    let second = app
        .wait_until(
            &format!("const r = [...document.querySelectorAll('[data-testid=leases-row][data-status=active]')].find(r => r.dataset.leaseId !== {}); return r ? r.dataset.leaseId : null;", js(&lease_id)),
            WAIT,
            "the second lease",
        )
        .await?;
    let second = second.as_str().unwrap_or_default().to_string();
    tenant.faults(json!({"unavailable_fraction": 1.0, "retry_after": 0, "only_paths": ["removePassword"]})).await?;
    click_in_row(app, &second, "leases-revoke").await?;
    app.wait_for("[data-testid=leases-revoke-confirm]", WAIT).await?;
    click_testid(app, "leases-revoke-confirm").await?;
    let failing = format!("[data-testid=leases-row][data-lease-id=\"{second}\"][data-status=revokeFailed]");
    app.wait_for(&failing, WAIT).await?;
    let detail = app.wait_for_text(&format!("[data-testid=leases-detail][data-lease-id=\"{second}\"]"), WAIT, |t| t.contains("failed attempt")).await?;
    println!("failing revocation: {}", detail.trim());
    assert!(detail.contains("failed attempt") && detail.contains("next attempt"), "attempts and the next attempt are shown: {detail}");
    let banner = app.wait_for_text("[data-testid=leases-screen] [data-testid=error-message]", WAIT, |t| !t.is_empty()).await?;
    assert!(banner.contains("could not be revoked"), "{banner}");
    assert!(lease_credential(&tenant, &target.object_id, &second).await?.is_some(), "the credential is still there while the revocation fails");
    app.screenshot(&shots.join("10-revoke-failing.png")).await?;
    tenant.faults(json!({"unavailable_fraction": 0.0, "only_paths": []})).await?;
    click_in_row(app, &second, "leases-revoke").await?;
    app.wait_for("[data-testid=leases-revoke-confirm]", WAIT).await?;
    click_testid(app, "leases-revoke-confirm").await?;
    app.wait_for(&format!("[data-testid=leases-row][data-lease-id=\"{second}\"][data-status=revoked]"), WAIT).await?;
    assert!(lease_credential(&tenant, &target.object_id, &second).await?.is_none(), "the retried revocation removed the credential");
    let actions = audit_actions(app, &second).await?;
    assert!(actions.first().map(String::as_str) == Some("revoked") && actions.iter().any(|a| a == "revokeFailed"), "{actions:?}");
    app.screenshot(&shots.join("11-revoke-retried.png")).await?;

    // The export: the whole log in a CSV file where the admin said in the save dialog, as the screen shows.
    click_testid(app, "leases-audit-export-csv").await?;
    let chosen = tempfile::tempdir()?;
    let wanted = chosen.path().join("audit.csv");
    save_dialog::wait_for("Export the lease audit log (CSV)", WAIT).await?.save_as(&wanted, WAIT).await?;
    let path = app.wait_for_text("[data-testid=leases-audit-export-path]", WAIT, |t| !t.is_empty()).await?;
    assert_eq!(std::path::Path::new(path.trim()), wanted);
    let csv = std::fs::read_to_string(path.trim()).with_context(|| format!("the exported file {path}"))?;
    println!("export: {} ({} lines)", path.trim(), csv.lines().count());
    assert!(csv.contains(&lease_id) && csv.contains("revoked") && csv.contains("issued"), "the export holds the lease's lines");
    // The CSV keeps its kebab-case action names (the JSON and the page say `revokeFailed`).
    assert!(csv.contains("revoke-failed"), "and the failed revocation");
    assert!(!csv.contains(&secret), "the secret is in no export");
    app.screenshot(&shots.join("12-exported.png")).await?;
    Ok(())
}
