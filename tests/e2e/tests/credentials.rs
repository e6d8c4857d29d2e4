//! The Credential expiry screen end to end on the demo tenant: after the
//! inventory is synced, every secret and certificate is listed with its
//! status; the windows are validated; the chart is drawn; CSV, JSON and
//! "who to notify" exports land at the reported paths; and the expired secret
//! of a demo client the admin may write is rotated: a new secret shown once,
//! the old one removed after confirmation, the list read again.

use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{artifacts_dir, sign_in_to_demo, AppHarness};
use entra_e2e::save_dialog;
use entra_e2e::screens::{click_testid, press_ctrl, refresh_inventory, set_input, wait_rows};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);
const SYNC: Duration = Duration::from_secs(180);
/// A demo client whose only client secret expired 30 days ago; the admin owns it, and the desktop
/// client's delegated Application.ReadWrite.All lets the admin write it (crates/entra-demo: directory.rs, graph/credentials.rs).
const ROTATED_APP: &str = "Expired secret app (demo)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_list_exports_and_rotation() -> anyhow::Result<()> {
    let shots = artifacts_dir("credentials");
    let harness = AppHarness::start().await?;
    let app = harness.launch().await?;
    sign_in_to_demo(&app, &DemoBrowser::new(None)?, WAIT).await?;

    // The report reads the local inventory: sync it first on the App registrations screen.
    refresh_inventory(&app, false, SYNC).await?;

    // Ctrl+2: every credential, with status badges.
    press_ctrl(&app, "2").await?;
    let total = wait_rows(&app, "credentials-table", WAIT, |n| n > 0).await?;
    let statuses = app.execute("return [...new Set([...document.querySelectorAll('[data-testid=credentials-status]')].map(e => e.textContent.trim()))]").await?;
    println!("{total} credentials; statuses in view: {statuses}");
    let windows = app.value(&app.find("[data-testid=credentials-windows]").await?).await?;
    assert_eq!(windows, "7, 30, 90", "the default windows");
    let bars = app.execute("return document.querySelectorAll('[data-testid=chart-bar]').length").await?;
    assert_eq!(bars.as_u64(), Some(13), "an Expired bar and twelve months");
    app.screenshot(&shots.join("01-expiry-list.png")).await?;

    // Windows: bad input is refused in place; good input re-reads the report with a new window chip.
    set_input(&app, "credentials-windows", "7, soon").await?;
    click_testid(&app, "credentials-windows-apply").await?;
    let problem = app.wait_for_text("[data-testid=credentials-windows-error]", WAIT, |t| !t.is_empty()).await?;
    assert!(problem.contains("soon"), "{problem}");
    set_input(&app, "credentials-windows", "180 7 30 90").await?;
    click_testid(&app, "credentials-windows-apply").await?;
    app.wait_for("[data-testid=credentials-filter-180]", WAIT).await?;
    assert!(app.find("[data-testid=credentials-windows-error]").await.is_err());
    assert_eq!(app.value(&app.find("[data-testid=credentials-windows]").await?).await?, "7, 30, 90, 180");

    // Exports: the system's save dialog asks where (the webview never names a path); each file is where the admin
    // said, as the screen reports, and the folder keeps its mode (an export never makes a folder owner-only).
    let chosen = tempfile::tempdir()?;
    std::fs::set_permissions(chosen.path(), std::fs::Permissions::from_mode(0o755))?;
    for (button, title, needle) in [
        ("credentials-export-csv", "Export credentials (CSV)", ROTATED_APP),
        ("credentials-export-json", "Export credentials (JSON)", ROTATED_APP),
        ("credentials-export-notify", "Export who to notify", ""),
    ] {
        set_input(&app, "credentials-search", "").await?;
        app.execute("const r = document.querySelector('[data-testid=credentials-export-result] button'); if (r) r.click();").await?;
        click_testid(&app, button).await?;
        let dialog = save_dialog::wait_for(title, WAIT).await?;
        let wanted = chosen.path().join(format!("{button}.out"));
        dialog.save_as(&wanted, WAIT).await?;
        let path = app.wait_for_text("[data-testid=credentials-export-path]", WAIT, |t| !t.is_empty()).await?;
        assert_eq!(Path::new(path.trim()), wanted, "{button}: written where the admin chose");
        let text = std::fs::read_to_string(path.trim()).map_err(|e| anyhow::anyhow!("{button}: the reported file {path} cannot be read: {e}"))?;
        println!("{button}: {} ({} bytes)", path.trim(), text.len());
        assert!(!text.is_empty(), "{button}: the file is empty");
        assert!(text.contains(needle), "{button}: the export mentions {needle}");
    }
    assert_eq!(std::fs::metadata(chosen.path())?.permissions().mode() & 0o777, 0o755, "the chosen folder keeps its mode");
    // Cancelled: nothing written, nothing reported, no error.
    click_testid(&app, "credentials-export-csv").await?;
    save_dialog::wait_for("Export credentials (CSV)", WAIT).await?.cancel(WAIT).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.find("[data-testid=credentials-export-path]").await.is_err(), "a cancelled export reports no file");
    assert_eq!(std::fs::read_dir(chosen.path())?.count(), 3, "and writes none");
    app.screenshot(&shots.join("02-exported.png")).await?;

    // Rotate the expired secret of the demo client.
    set_input(&app, "credentials-search", "expired secret app").await?;
    click_testid(&app, "credentials-filter-expired").await?;
    wait_rows(&app, "credentials-table", WAIT, |n| n == 1).await?;
    let old_key = app.execute("return document.querySelector('[data-testid=credentials-key]').dataset.keyId").await?;
    let old_key = old_key.as_str().unwrap_or_default().to_string();
    assert!(!old_key.is_empty());
    click_testid(&app, "credentials-rotate").await?;
    app.wait_for("[data-testid=rotate-dialog]", WAIT).await?;
    click_testid(&app, "rotate-lifetime-30").await?;
    app.screenshot(&shots.join("03-rotate-choose.png")).await?;
    click_testid(&app, "rotate-confirm").await?;

    // The value is shown once, in Entra's secret form.
    let secret_field = app.wait_for("[data-testid=rotated-secret]", WAIT).await?;
    let secret = app.value(&secret_field).await?;
    assert_eq!(secret.len(), 40, "an Entra-style secret");
    assert_eq!(&secret[3..6], "8Q~");
    click_testid(&app, "copy-secret").await?;
    let clip = app.wait_for_text("[data-testid=clipboard-status]", WAIT, |t| !t.trim().is_empty()).await?;
    println!("clipboard: {}", clip.trim());
    app.screenshot(&shots.join("04-secret-shown-once.png")).await?;

    // Remove the old secret, after a confirmation.
    click_testid(&app, "remove-old-secret").await?;
    app.wait_for("[data-testid=remove-old-confirm]", WAIT).await?;
    app.screenshot(&shots.join("05-confirm-removal.png")).await?;
    click_testid(&app, "remove-old-confirm").await?;
    app.wait_for("[data-testid=rotate-done]", WAIT).await?;
    app.screenshot(&shots.join("06-old-secret-removed.png")).await?;
    click_testid(&app, "rotate-close").await?;
    assert!(app.find("[data-testid=rotate-dialog]").await.is_err(), "the dialog is closed");
    assert!(!app.execute("return document.body.innerHTML").await?.as_str().unwrap_or_default().contains(&secret), "the secret is gone from the page");

    // The list is read again: no expired secret left for the app; its new secret ends within 30 days.
    wait_rows(&app, "credentials-table", WAIT, |n| n == 0).await?;
    click_testid(&app, "credentials-filter-30").await?;
    wait_rows(&app, "credentials-table", WAIT, |n| n == 1).await?;
    let keys = app.execute("return [...document.querySelectorAll('[data-testid=credentials-key]')].map(e => e.dataset.keyId)").await?;
    assert!(!keys.to_string().contains(&old_key), "the old key {old_key} is gone: {keys}");
    app.screenshot(&shots.join("07-after-rotation.png")).await?;
    app.quit().await?;
    Ok(())
}
