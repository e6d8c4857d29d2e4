//! The JWT inspector screen end to end: paste a real Entra token and see it
//! decoded, classified and checked; then inspect the signed-in account's own
//! token on request.

use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{artifacts_dir, sign_in_to_demo, workspace_root, AppHarness};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

fn real_token(name: &str) -> String {
    let path = workspace_root().join("crates/entra-jwt/tests/fixtures/real-tokens.json");
    let fixtures: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    fixtures["tokens"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paste_a_token_then_inspect_my_own() -> anyhow::Result<()> {
    let shots = artifacts_dir("jwt_inspector");
    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;
    sign_in_to_demo(&app, &DemoBrowser::new(None)?, WAIT).await?;
    app.click(&app.wait_for("[data-testid=nav-jwt]", WAIT).await?).await?;
    let input = app.wait_for("[data-testid=jwt-input]", WAIT).await?;

    // A real Graph token: decoded and explained, and the inspector says why its signature can't be checked.
    app.type_text(&input, &real_token("graph")).await?;
    app.wait_for_text("[data-testid=jwt-verdict]", WAIT, |t| !t.is_empty()).await?;
    let kind = app.text(&app.find("[data-testid=jwt-kind]").await?).await?;
    assert!(kind.to_lowercase().contains("access"), "kind: {kind}");
    let page = app.text(&app.find("[data-testid=jwt-inspector]").await?).await?;
    assert!(page.contains("Microsoft Graph"), "the Graph nonce explanation is shown");
    assert!(page.contains("tid"), "the claims table lists tid");
    app.screenshot(&shots.join("01-graph-token.png")).await?;

    // Not a JWT: a clear error, nothing else.
    app.execute("const t = document.querySelector('[data-testid=jwt-input]'); t.value = 'not-a-token'; t.dispatchEvent(new Event('input'));").await?;
    let message = app.wait_for_text("[data-testid=error-message]", WAIT, |t| !t.is_empty()).await?;
    assert!(message.contains("3 segments"), "error: {message}");

    // My own token, on explicit request: it fills the paste area and is explained as a delegated v2 token.
    app.click(&app.find("[data-testid=jwt-inspect-mine]").await?).await?;
    let value = {
        let mut value = String::new();
        for _ in 0..200 {
            value = app.value(&app.find("[data-testid=jwt-input]").await?).await?;
            if value.starts_with("eyJ") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        value
    };
    assert!(value.starts_with("eyJ"), "the current token is shown");
    let claims = app.wait_for_text("[data-testid=jwt-claims]", WAIT, |t| t.contains("scp")).await?;
    assert!(claims.contains("preferred_username"));
    app.screenshot(&shots.join("02-my-token.png")).await?;
    app.quit().await?;
    Ok(())
}
