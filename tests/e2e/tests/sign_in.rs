//! The desktop app end to end on the demo tenant: start, sign in through the
//! (stand-in) system browser, see the user's name, sign out, sign in again,
//! then restart the app and get back in silently from the keychain.

use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{artifacts_dir, assert_no_jwt_under, sign_in_to_demo, AppHarness, DEMO_USER};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sign_out_and_silent_sign_in_after_restart() -> anyhow::Result<()> {
    let shots = artifacts_dir("sign_in");
    let harness = AppHarness::start().await?;
    let browser = DemoBrowser::new(None)?;

    // First launch: the sign-in screen offers the demo tenant.
    let app = harness.launch().await?;
    let try_demo = app.wait_for("[data-testid=try-demo]", WAIT).await?;
    app.screenshot(&shots.join("01-sign-in-screen.png")).await?;

    // Sign in: the app shows the authorize URL while it waits; the "browser" fills the demo form.
    app.click(&try_demo).await?;
    let url = app.wait_for_text("[data-testid=authorize-url]", WAIT, |t| t.starts_with("http")).await?;
    app.screenshot(&shots.join("02-waiting-for-browser.png")).await?;
    browser.sign_in(url.trim(), DEMO_USER, entra_demo::directory::DEMO_PASSWORD).await?;
    let name = app.wait_for_text("[data-testid=user-display-name]", WAIT, |t| !t.is_empty()).await?;
    assert_eq!(name, "Demo Admin");
    app.screenshot(&shots.join("03-signed-in.png")).await?;

    // Keyboard navigation: Ctrl+5 opens the JWT inspector.
    app.execute("window.dispatchEvent(new KeyboardEvent('keydown', {key: '5', ctrlKey: true}))").await?;
    app.wait_for("[data-testid=screen-jwt]", WAIT).await?;

    // Sign out: back to the sign-in screen, no account left.
    app.click(&app.wait_for("[data-testid=account-button]", WAIT).await?).await?;
    app.click(&app.wait_for("[data-testid=sign-out]", WAIT).await?).await?;
    app.wait_for("[data-testid=try-demo]", WAIT).await?;
    assert!(app.find("[data-testid=continue-as]").await.is_err(), "the signed-out account is forgotten");
    app.screenshot(&shots.join("04-signed-out.png")).await?;

    // Sign in again, then quit the app.
    sign_in_to_demo(&app, &browser, WAIT).await?;
    app.wait_for_text("[data-testid=user-display-name]", WAIT, |t| t == "Demo Admin").await?;
    app.quit().await?;

    // Restart: signed in silently with the refresh token from the keychain, on the last screen.
    let app = harness.launch().await?;
    let name = app.wait_for_text("[data-testid=user-display-name]", WAIT, |t| !t.is_empty()).await?;
    assert_eq!(name, "Demo Admin");
    app.wait_for("[data-testid=screen-jwt]", WAIT).await?;
    app.screenshot(&shots.join("05-after-restart.png")).await?;

    // Nothing secret in the data folder.
    assert_no_jwt_under(harness.data_dir());
    app.quit().await?;
    Ok(())
}
