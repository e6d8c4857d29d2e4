//! First contact with a tenant, end to end on the demo tenant: from an empty data folder the
//! admin signs in, goes back to the sign-in screen, registers Entra Desk in the tenant with the
//! set-up assistant (as that account; a second run finds the same registration) and signs in
//! with it — the tenant shows the consent page for the new registration, which holds nothing
//! yet. That sign-in asked only for User.Read, so App registrations says a permission is missing
//! and "Grant access" asks for it (consent page again), after which the screen works. And a
//! member without a directory role who tries to rotate a secret of an app she does not own is
//! told which roles would do.

use anyhow::{bail, ensure, Context, Result};
use entra_demo::browser::{ConsentChoice, DemoBrowser};
use entra_demo::directory::DEMO_PASSWORD;
use entra_e2e::app::{artifacts_dir, sign_in_to_demo, AppHarness, DEMO_USER};
use entra_e2e::screens::{click_testid, press_ctrl, record_failure, refresh_inventory, scroll_to, set_input, wait_rows};
use entra_e2e::tenant::AppTenant;
use entra_e2e::webdriver::Session;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);
const SYNC: Duration = Duration::from_secs(180);
/// A member of the demo tenant without a directory role (crates/entra-demo/src/directory.rs).
const ADELE: &str = "AdeleV@demo.onmicrosoft.com";
/// A demo client owned by the admin, not by Adele; its only secret has expired.
const NOT_HERS: &str = "Expired secret app (demo)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_sign_in_with_it_then_grant_what_a_screen_needs() -> Result<()> {
    let shots = artifacts_dir("setup_assistant");
    // The same tenant as the app's (seed 1, the defaults): its confidential client reads the app's tenant.
    let reference = entra_demo::start(entra_demo::DemoOptions::default()).await?;
    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;
    let outcome = register_and_grant(&app, &harness, reference.info(), &shots).await;
    if outcome.is_err() {
        record_failure(&app, &shots).await;
    }
    drop(reference);
    outcome?;
    app.quit().await?;
    Ok(())
}

async fn register_and_grant(app: &Session, harness: &AppHarness, reference: &entra_demo::DemoInfo, shots: &Path) -> Result<()> {
    let browser = DemoBrowser::new(None)?;

    // An empty data folder: the sign-in screen. The admin signs in to the demo tenant (its own client).
    app.wait_for("[data-testid=try-demo]", WAIT).await?;
    ensure!(!harness.data_dir().join("accounts.json").exists(), "the data folder starts empty");
    shot(app, shots, "01-empty-data-folder.png").await?;
    sign_in_to_demo(app, &browser, WAIT).await?;
    app.wait_for_text("[data-testid=user-display-name]", WAIT, |t| t == "Demo Admin").await?;
    shot(app, shots, "02-signed-in-to-the-demo.png").await?;

    // Back to the sign-in screen through the account menu's "Switch account…".
    app.click(&app.wait_for("[data-testid=account-button]", WAIT).await?).await?;
    app.click(&app.wait_for("[data-testid=switch-account]", WAIT).await?).await?;
    app.wait_for("[data-testid=continue-as]", WAIT).await?;
    let link = app.wait_for("[data-testid=open-setup]", WAIT).await?;
    let text = app.text(&link).await?;
    ensure!(text.contains("No client ID yet? Register Entra Desk in your tenant"), "the link: {text}");
    shot(app, shots, "03-back-at-the-sign-in-screen.png").await?;

    // The assistant: the signed-in admin is offered; the Azure CLI and its commands too.
    app.click(&link).await?;
    app.wait_for("[data-testid=setup-account]", WAIT).await?;
    app.wait_for("[data-testid=setup-azure-cli-tenant]", WAIT).await?;
    click_testid(app, "setup-show-commands").await?;
    let commands = app.wait_for_text("[data-testid=setup-commands]", WAIT, |t| !t.is_empty()).await?;
    ensure!(commands.contains("az ad app create"), "the Azure CLI commands: {commands}");
    scroll_to(app, "[data-testid=setup-account]").await?;
    shot(app, shots, "04-set-up-assistant.png").await?;
    click_testid(app, "setup-show-commands").await?;

    // Register as the admin: made now.
    click_testid(app, "setup-register-account").await?;
    let result = registration_outcome(app).await?;
    println!("registered: {result}");
    ensure!(result.contains(&format!("Entra Desk is registered in tenant {}", reference.tenant_id)), "{result}");
    ensure!(!result.contains("found the registration made before"), "made now: {result}");
    let client_id = app.text(&app.find("[data-testid=setup-client-id]").await?).await?;
    ensure!(client_id.len() == 36 && client_id != reference.public_client_id, "a new client ID: {client_id}");
    scroll_to(app, "[data-testid=setup-assistant]").await?;
    shot(app, shots, "05-registered.png").await?;

    // In the tenant: a single-tenant public client on http://localhost, tagged, with its service principal.
    let tenant = AppTenant::connect(harness.data_dir(), reference).await?;
    let registration = tenant.get(&format!("applications(appId='{client_id}')")).await?;
    println!("the registration in the tenant: {registration}");
    ensure!(registration["displayName"] == "Entra Desk", "{registration}");
    ensure!(registration["signInAudience"] == "AzureADMyOrg", "{registration}");
    ensure!(registration["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "EntraDesk:setup")), "{registration}");
    ensure!(registration["publicClient"]["redirectUris"].to_string().contains("http://localhost"), "{registration}");
    let sp = tenant.get(&format!("servicePrincipals(appId='{client_id}')")).await?;
    ensure!(sp["appId"] == client_id.as_str(), "its service principal: {sp}");
    let settings = std::fs::read_to_string(harness.data_dir().join("settings.json")).context("the settings file")?;
    ensure!(settings.contains(&client_id), "the client ID is saved for the tenant: {settings}");

    // A second run finds the same registration.
    click_testid(app, "setup-back").await?;
    click_testid(app, "setup-register-account").await?;
    let again = registration_outcome(app).await?;
    ensure!(again.contains("found the registration made before") && again.contains(&client_id), "the same registration: {again}");
    scroll_to(app, "[data-testid=setup-assistant]").await?;
    shot(app, shots, "06-found-again.png").await?;

    // "Sign in with it": the tenant shows the consent page for the new registration; the admin accepts.
    click_testid(app, "setup-sign-in").await?;
    let url = app.wait_for_text("[data-testid=authorize-url]", WAIT, |t| t.starts_with("http")).await?;
    ensure!(url.contains(&format!("client_id={client_id}")), "signs in with the new client ID: {url}");
    shot(app, shots, "07-sign-in-with-it.png").await?;
    let walk = browser.sign_in_with(url.trim(), DEMO_USER, DEMO_PASSWORD, ConsentChoice::Accept).await?;
    let consent = walk.consent.context("the tenant shows a consent page for the new registration")?;
    println!("consent page: {:?} (new: {:?})", consent.permissions, consent.new);
    ensure!(consent.new.iter().any(|p| p == "User.Read"), "{consent:?}");
    app.wait_for_text("[data-testid=user-display-name]", WAIT, |t| t == "Demo Admin").await?;
    let accounts: Value = serde_json::from_str(&std::fs::read_to_string(harness.data_dir().join("accounts.json"))?)?;
    let signed_in = accounts["accounts"].as_array().and_then(|a| a.iter().find(|a| a["clientId"] == client_id.as_str())).cloned();
    let signed_in = signed_in.with_context(|| format!("an account through the new registration: {accounts}"))?;
    ensure!(signed_in["username"].as_str().is_some_and(|u| u.eq_ignore_ascii_case(DEMO_USER)), "{signed_in}");
    ensure!(!signed_in["scopes"].to_string().contains("Application."), "least privilege: {signed_in}");
    shot(app, shots, "08-signed-in-with-the-registration.png").await?;

    // App registrations needs Application.Read.All, which this sign-in was not granted: the banner says so.
    press_ctrl(app, "1").await?;
    click_testid(app, "apps-refresh").await?;
    let message = app.wait_for_text("[data-testid=error-message]", SYNC, |t| !t.is_empty()).await?;
    let banner = app.text(&app.find("[data-testid=error-banner]").await?).await?;
    println!("refresh refused: {banner}");
    ensure!(banner.contains("A permission is missing"), "{banner}");
    ensure!(message.contains("Application.Read.All"), "{message}");
    let grant = app.wait_for_text("[data-testid=grant-access]", WAIT, |t| t.contains("Grant access")).await?;
    ensure!(grant.contains("Application.Read.All"), "{grant}");
    shot(app, shots, "09-permission-missing.png").await?;

    // "Grant access": a sign-in as the same person asking for it; the consent page lists it as new.
    click_testid(app, "grant-access").await?;
    let url = app.wait_for_text("[data-testid=grant-authorize-url]", WAIT, |t| t.starts_with("http")).await?;
    shot(app, shots, "10-granting.png").await?;
    let walk = browser.sign_in_with(url.trim(), DEMO_USER, DEMO_PASSWORD, ConsentChoice::Accept).await?;
    let consent = walk.consent.context("the tenant asks for consent to the new permission")?;
    println!("consent page: {:?} (new: {:?})", consent.permissions, consent.new);
    ensure!(consent.new.iter().any(|p| p == "Application.Read.All"), "{consent:?}");
    let granted = app.wait_for_text("[data-testid=access-granted]", WAIT, |t| !t.is_empty()).await?;
    ensure!(granted.contains("Access granted"), "{granted}");
    shot(app, shots, "11-access-granted.png").await?;

    // Refresh again: the screen works.
    app.execute("const d = document.querySelector('[aria-label=\"Dismiss the error\"]'); if (d) d.click();").await?;
    let rows = refresh_inventory(app, false, SYNC).await?;
    println!("after the grant: {rows} rows");
    ensure!(rows > 0);
    app.wait_for("[data-testid=apps-row]", WAIT).await?;
    shot(app, shots, "12-refreshed-after-the-grant.png").await?;
    Ok(())
}

/// Saves a screenshot once the webview has painted what the test just saw in the page.
async fn shot(app: &Session, shots: &Path, name: &str) -> Result<()> {
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.screenshot(&shots.join(name)).await
}

/// Waits for the set-up assistant's result, returning its text, or fails with its error banner's message.
async fn registration_outcome(app: &Session) -> Result<String> {
    let outcome = app
        .wait_until(
            "const e = document.querySelector('[data-testid=setup-assistant] [data-testid=error-message]'); if (e) return 'error: ' + e.textContent; \
             const r = document.querySelector('[data-testid=setup-result]'); return r ? r.textContent : null;",
            SYNC,
            "the registration to finish",
        )
        .await?;
    let text = outcome.as_str().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    if text.starts_with("error: ") {
        bail!("the registration failed: {text}");
    }
    Ok(text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_a_role_is_told_which_roles_a_rotation_needs() -> Result<()> {
    let shots = artifacts_dir("setup_assistant_missing_role");
    let reference = entra_demo::start(entra_demo::DemoOptions::default()).await?;
    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;
    let outcome = rotate_as_a_member(&app, &harness, reference.info(), &shots).await;
    if outcome.is_err() {
        record_failure(&app, &shots).await;
    }
    drop(reference);
    outcome?;
    app.quit().await?;
    Ok(())
}

async fn rotate_as_a_member(app: &Session, harness: &AppHarness, reference: &entra_demo::DemoInfo, shots: &Path) -> Result<()> {
    // Adele signs in to the demo tenant: the sign-in page takes any seeded user.
    app.click(&app.wait_for("[data-testid=try-demo]", WAIT).await?).await?;
    let url = app.wait_for_text("[data-testid=authorize-url]", WAIT, |t| t.starts_with("http")).await?;
    DemoBrowser::new(None)?.sign_in(url.trim(), ADELE, DEMO_PASSWORD).await?;
    let name = app.wait_for_text("[data-testid=user-display-name]", WAIT, |t| !t.is_empty()).await?;
    ensure!(name.contains("Adele"), "signed in as Adele: {name}");
    shot(app, shots, "01-signed-in-as-a-member.png").await?;

    // A member reads app registrations; the expiry report reads that inventory.
    refresh_inventory(app, false, SYNC).await?;
    press_ctrl(app, "2").await?;
    wait_rows(app, "credentials-table", WAIT, |n| n > 0).await?;
    set_input(app, "credentials-search", "expired secret app").await?;
    click_testid(app, "credentials-filter-expired").await?;
    wait_rows(app, "credentials-table", WAIT, |n| n == 1).await?;
    let tenant = AppTenant::connect(harness.data_dir(), reference).await?;
    let target = tenant.get(&format!("applications(appId='{}')?$select=id,displayName,passwordCredentials", reference.expired_secret_client.client_id)).await?;
    ensure!(target["displayName"] == NOT_HERS, "{target}");
    let owners = tenant.get(&format!("applications/{}/owners", target["id"].as_str().unwrap_or_default())).await?;
    ensure!(!owners.to_string().to_ascii_lowercase().contains(&ADELE.to_ascii_lowercase()), "Adele does not own it: {owners}");
    let before = target["passwordCredentials"].as_array().map(Vec::len);

    // Rotate its secret: Graph refuses, and the banner names the roles that would do.
    click_testid(app, "credentials-rotate").await?;
    app.wait_for("[data-testid=rotate-dialog]", WAIT).await?;
    click_testid(app, "rotate-lifetime-30").await?;
    click_testid(app, "rotate-confirm").await?;
    let banner = app.wait_for_text("[data-testid=rotate-dialog] [data-testid=error-banner]", WAIT, |t| !t.is_empty()).await?;
    println!("rotation refused: {banner}");
    ensure!(banner.contains("A directory role is missing"), "{banner}");
    ensure!(banner.contains("Application Administrator"), "{banner}");
    ensure!(app.find("[data-testid=grant-access]").await.is_err(), "no permission to grant would help");
    let state = app.text(&app.find("[data-testid=rotate-state]").await?).await?;
    ensure!(state.starts_with("No secret was added"), "{state}");
    ensure!(app.find("[data-testid=rotated-secret]").await.is_err(), "no secret shown");
    shot(app, shots, "02-a-directory-role-is-missing.png").await?;

    // Nothing changed in the tenant.
    let after = tenant.get(&format!("applications(appId='{}')?$select=id,passwordCredentials", reference.expired_secret_client.client_id)).await?;
    if after["passwordCredentials"].as_array().map(Vec::len) != before {
        bail!("the app's secrets changed: {} then {}", target["passwordCredentials"], after["passwordCredentials"]);
    }
    Ok(())
}
