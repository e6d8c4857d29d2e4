//! The installed package end to end (run by `tests/package/run.sh` after `dpkg -i`, ignored
//! otherwise): the app is started the way its menu entry starts it — the `Exec=` of the
//! installed `.desktop` file, looked up in `PATH` — with nothing configured (no `ENTRA_*`
//! variable, a fresh `HOME` and XDG folders), and must reach the signed-in first screen on
//! the demo tenant, keeping its data in the per-user data folder (`$XDG_DATA_HOME/entra-desk`).
//!
//! Environment (set by `tests/package/run.sh`):
//! - `ENTRA_PACKAGE_DESKTOP_FILE`: the installed desktop entry (`/usr/share/applications/….desktop`);
//! - `ENTRA_PACKAGE_HOME`: an empty folder to use as the user's home.

use entra_demo::browser::DemoBrowser;
use entra_e2e::app::{artifacts_dir, assert_no_jwt_under, sign_in_to_demo, DEMO_USER};
use entra_e2e::webdriver::Session;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the installed package: run by tests/package/run.sh"]
async fn installed_app_starts_from_its_menu_entry_on_the_demo_tenant() -> anyhow::Result<()> {
    let desktop_file = PathBuf::from(std::env::var("ENTRA_PACKAGE_DESKTOP_FILE")?);
    let home = PathBuf::from(std::env::var("ENTRA_PACKAGE_HOME")?);
    let shots = artifacts_dir("package");

    // The menu entry: Exec= names a program found in PATH, which is the packaged binary.
    let entry = std::fs::read_to_string(&desktop_file)?;
    let field = |key: &str| {
        entry.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).map(str::trim).map(str::to_string)
    };
    assert_eq!(field("Type").as_deref(), Some("Application"), "{entry}");
    let exec = field("Exec").ok_or_else(|| anyhow::anyhow!("no Exec= in {}", desktop_file.display()))?;
    let program = exec.split_whitespace().next().unwrap_or_default().trim_matches('"').to_string();
    let binary = which(&program).ok_or_else(|| anyhow::anyhow!("Exec={exec}: {program} is not in PATH"))?;
    assert!(binary.starts_with("/usr/"), "the menu entry starts the installed binary, not {}", binary.display());
    let icon = field("Icon").unwrap_or_default();
    assert!(
        Path::new("/usr/share/icons/hicolor/scalable/apps").join(format!("{icon}.svg")).is_file()
            || Path::new("/usr/share/icons/hicolor/128x128/apps").join(format!("{icon}.png")).is_file(),
        "Icon={icon} is installed in the hicolor theme"
    );

    // Nothing configured: a fresh home and XDG folders, no ENTRA_* or AZURE_* variable.
    let data_home = home.join(".local/share");
    let driver_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut driver = Command::new("WebKitWebDriver");
    driver.arg(format!("--port={driver_port}"));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("ENTRA_") || key.starts_with("AZURE_") || (key.starts_with("XDG_") && key != "XDG_RUNTIME_DIR") {
            driver.env_remove(&key);
        }
    }
    let mut driver = driver
        .env("HOME", &home)
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        // xdg-open honours $BROWSER when no desktop runs: `true` accepts the URL; the test plays the browser.
        .env("BROWSER", "true")
        .current_dir(&home)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let result = async {
        let driver_url = format!("http://127.0.0.1:{driver_port}");
        wait_for_driver(&driver_url).await?;
        let capabilities = json!({ "alwaysMatch": { "webkitgtk:browserOptions": { "binary": binary, "args": [] } } });
        let app = Session::new(&driver_url, capabilities).await?;

        // The first screen offers the demo tenant, as `scripts/launch.sh` does with nothing configured.
        app.wait_for("[data-testid=try-demo]", WAIT).await?;
        app.screenshot(&shots.join("01-installed-sign-in-screen.png")).await?;
        let browser = DemoBrowser::new(None)?;
        sign_in_to_demo(&app, &browser, WAIT).await?;
        let name = app.wait_for_text("[data-testid=user-display-name]", WAIT, |t| !t.is_empty()).await?;
        assert_eq!(name, "Demo Admin", "signed in as {DEMO_USER}");
        app.screenshot(&shots.join("02-installed-signed-in.png")).await?;
        check_window_matches_entry(&desktop_file, field("StartupWMClass").as_deref())?;
        app.quit().await?;
        anyhow::Ok(())
    }
    .await;
    let _ = driver.kill();
    let _ = driver.wait();
    result?;

    // Its data went to the per-user data folder, owner-only.
    let data_dir = data_home.join("entra-desk");
    assert!(data_dir.is_dir(), "{} was created", data_dir.display());
    let files = entra_e2e::app::files_under(&data_dir).len();
    assert!(files > 0, "{} holds the app's data", data_dir.display());
    // No token anywhere in the user's home: not in the data folder, nor in the webview's storage (tokens never
    // cross to the webview), nor in any cache.
    assert_no_jwt_under(&home);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data_dir)?.permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{} is owner-only", data_dir.display());
    }
    println!("package: data folder {} ({files} files)", data_dir.display());
    Ok(())
}

/// The running window names the menu entry it belongs to, the way desktops look it up: GTK's
/// program name is both the app ID on Wayland and the name half of X11's WM_CLASS, and it must be
/// the entry's file name without `.desktop`; the entry's `StartupWMClass` (X11 desktops' match)
/// must be one of the window's WM_CLASS. Read with xprop on the running window.
fn check_window_matches_entry(desktop_file: &Path, wm_class: Option<&str>) -> anyhow::Result<()> {
    let out = Command::new("xprop").args(["-name", "Entra Desk", "WM_CLASS"]).output()?;
    let props = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "xprop found no window named Entra Desk: {}", String::from_utf8_lossy(&out.stderr));
    // WM_CLASS(STRING) = "instance", "class"
    let classes: Vec<String> = props.split_once('=').map(|(_, v)| v.split(',').map(|c| c.trim().trim_matches('"').to_string()).collect()).unwrap_or_default();
    let entry = desktop_file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    println!("package: window WM_CLASS {classes:?}, menu entry {entry}");
    assert_eq!(classes.first().map(|id| format!("{id}.desktop")).as_deref(), Some(entry), "the window's program name (its Wayland app ID) names its menu entry: {props}");
    let wm_class = wm_class.ok_or_else(|| anyhow::anyhow!("{entry} has no StartupWMClass"))?;
    assert!(classes.iter().any(|c| c == wm_class), "StartupWMClass={wm_class} is one of the window's WM_CLASS {classes:?}");
    Ok(())
}

async fn wait_for_driver(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(response) = http.get(format!("{url}/status")).send().await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("WebKitWebDriver did not answer within 20 s")
}

fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}
