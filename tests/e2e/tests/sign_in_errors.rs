//! The sign-in screen's unhappy paths, end to end: cancelling while the
//! browser is open, and a tenant that cannot be reached.

use entra_e2e::app::{artifacts_dir, AppHarness};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_while_waiting_and_unreachable_tenant() -> anyhow::Result<()> {
    let shots = artifacts_dir("sign_in_errors");
    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;

    // Cancel while the browser is open: back to the sign-in screen, no error banner.
    app.click(&app.wait_for("[data-testid=try-demo]", WAIT).await?).await?;
    app.wait_for("[data-testid=authorize-url]", WAIT).await?;
    app.click(&app.find("[data-testid=cancel-sign-in]").await?).await?;
    app.wait_for("[data-testid=try-demo]", WAIT).await?;
    assert!(app.find("[data-testid=error-banner]").await.is_err(), "a cancel the user asked for is not an error");

    // A tenant nobody answers for: the error names the problem and the fix.
    let toggle = app.execute("return [...document.querySelectorAll('button')].find(b => b.textContent.includes('another tenant')) !== undefined").await?;
    assert_eq!(toggle, serde_json::Value::Bool(true));
    app.execute(
        "[...document.querySelectorAll('button')].find(b => b.textContent.includes('another tenant')).click();",
    )
    .await?;
    let authority = app.wait_for("input[placeholder^='https://login.microsoftonline.com']", WAIT).await?;
    app.type_text(&authority, "http://127.0.0.1:9/no-such-tenant").await?;
    let client = app.find("input[placeholder^='00000000']").await?;
    app.type_text(&client, "11111111-2222-3333-4444-555555555555").await?;
    app.execute("document.querySelector('form.custom').requestSubmit();").await?;
    let message = app.wait_for_text("[data-testid=error-message]", WAIT, |t| !t.is_empty()).await?;
    assert!(message.contains("127.0.0.1:9"), "the message names the unreachable address: {message}");
    app.screenshot(&shots.join("01-unreachable-tenant.png")).await?;
    app.quit().await?;
    Ok(())
}
