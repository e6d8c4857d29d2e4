//! Starting the real app under WebKitWebDriver, in its own data folder.

use crate::webdriver::Session;
use anyhow::{bail, Context, Result};
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (this crate lives in `tests/e2e`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The app binary: `ENTRA_DESK_BIN`, else `target/debug/entra-desk` (built by `scripts/build-app.sh`).
pub fn app_binary() -> Result<PathBuf> {
    let path = std::env::var_os("ENTRA_DESK_BIN").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target/debug/entra-desk"));
    if !path.exists() {
        bail!("{} does not exist: build the app first with scripts/build-app.sh", path.display());
    }
    Ok(path)
}

/// Where screenshots go: `target/e2e-artifacts/<test>/`.
pub fn artifacts_dir(test: &str) -> PathBuf {
    workspace_root().join("target/e2e-artifacts").join(test)
}

/// Every file under `dir`, at any depth (symbolic links not followed): `entra_testkit::files_under`.
pub use entra_testkit::files_under;

/// Fails when a file under `dir` (read as bytes: SQLite and the webview's UTF-16 storage too) holds a JWT, naming
/// the file and never the token, or when there is no file to read; returns how many files were read.
#[track_caller]
pub fn assert_no_jwt_under(dir: &Path) -> usize {
    entra_testkit::assert_nothing_secret_under(dir, &[]).files.len()
}

/// The token of the app's demo-tenant control routes for this test process, drawn once from the
/// OS CSPRNG: the harness hands it to every app it launches (`entra_demo::EMULATOR_TOKEN_ENV`),
/// since the app draws its own otherwise and never shows it; [`crate::tenant::AppTenant`] uses it.
pub fn emulator_token() -> &'static entra_demo::EmulatorToken {
    static TOKEN: std::sync::OnceLock<entra_demo::EmulatorToken> = std::sync::OnceLock::new();
    TOKEN.get_or_init(entra_demo::EmulatorToken::random)
}

/// A WebKitWebDriver server whose sessions launch the app with one data folder,
/// which survives app restarts within the test (that is how "after a restart" is tested).
pub struct AppHarness {
    driver: Child,
    driver_url: String,
    data_dir: tempfile::TempDir,
    binary: PathBuf,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl AppHarness {
    /// A harness for the app binary ([`app_binary`]).
    pub async fn start() -> Result<AppHarness> {
        Self::start_for(app_binary()?).await
    }

    /// A harness whose sessions launch `binary` (the start-up benchmark also launches a bare Tauri window).
    pub async fn start_for(binary: PathBuf) -> Result<AppHarness> {
        let data_dir = tempfile::Builder::new().prefix("entra-desk-e2e-").tempdir()?;
        let port = free_port()?;
        let driver = Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            // Inherited by the app it launches.
            .env("ENTRA_DESK_DATA_DIR", data_dir.path())
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env(entra_demo::EMULATOR_TOKEN_ENV, emulator_token().expose())
            // The app "opens the system browser" through xdg-open, which honours $BROWSER when no desktop runs:
            // `true` accepts the URL and does nothing; the test plays the browser by reading the URL off the screen.
            .env("BROWSER", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start WebKitWebDriver (Debian package webkit2gtk-driver)")?;
        let driver_url = format!("http://127.0.0.1:{port}");
        let harness = AppHarness { driver, driver_url, data_dir, binary };
        harness.wait_ready().await?;
        Ok(harness)
    }

    async fn wait_ready(&self) -> Result<()> {
        let http = reqwest::Client::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(response) = http.get(format!("{}/status", self.driver_url)).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("WebKitWebDriver did not answer within 20 s")
    }

    /// Launches the app (a new WebDriver session) and waits for its first screen.
    pub async fn launch(&self) -> Result<Session> {
        let capabilities = json!({
            "alwaysMatch": {
                "webkitgtk:browserOptions": { "binary": self.binary, "args": [] }
            }
        });
        Session::new(&self.driver_url, capabilities).await
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The WebKitWebDriver process; the apps it launches are its children.
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }
}

impl Drop for AppHarness {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The demo tenant's admin, as seeded.
pub const DEMO_USER: &str = "admin@demo.onmicrosoft.com";

/// Signs in to the demo tenant from the sign-in screen, playing the system browser with
/// `browser`, and waits for the signed-in shell.
pub async fn sign_in_to_demo(app: &Session, browser: &entra_demo::browser::DemoBrowser, wait: Duration) -> Result<()> {
    app.click(&app.wait_for("[data-testid=try-demo]", wait).await?).await?;
    let url = app.wait_for_text("[data-testid=authorize-url]", wait, |t| t.starts_with("http")).await?;
    browser.sign_in(url.trim(), DEMO_USER, entra_demo::directory::DEMO_PASSWORD).await?;
    app.wait_for("[data-testid=user-display-name]", wait).await?;
    Ok(())
}
