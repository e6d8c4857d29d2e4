//! Signing in: interactive (authorization code + PKCE through the system
//! browser, RFC 8252) and app-only (client secret, certificate, Azure CLI).
//!
//! - [`discovery`]: the provider's OpenID configuration and signing keys.
//! - [`loopback`]: the 127.0.0.1 listener that receives the browser's redirect.
//! - [`interactive`]: the whole browser sign-in.
//! - [`capabilities`]: the `claims` parameter: the client capability `cp1` declared to Microsoft's
//!   identity platform, merged with a step-up's claims request.
//! - [`id_token`]: verification of the ID token.
//! - [`token_endpoint`]: code redemption and refresh through `oauth2`, error mapping.
//! - [`tokens`]: the in-memory access-token cache and silent refresh, per account.
//! - [`app_only`]: app-only tokens through `azure_identity`.
//! - [`azure_transport`]: hands our reqwest client to `azure_core`.
//!
//! The caller supplies how to open a browser ([`BrowserOpener`]) and how to
//! show progress ([`SignInProgress`]); the core never assumes a UI.

pub mod app_only;
pub mod azure_transport;
pub mod capabilities;
pub mod discovery;
pub mod id_token;
pub mod interactive;
pub mod loopback;
pub mod token_endpoint;
pub mod tokens;

use crate::{Error, ErrorCode, Result};
use serde::Serialize;

/// Where an interactive sign-in has got to; the shell shows it, the CLI prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "step")]
pub enum SignInProgress {
    /// Fetching the provider's OpenID configuration.
    DiscoveringProvider,
    /// The browser was sent to this URL; waiting for the user to finish.
    WaitingForBrowser {
        /// The authorize URL (carries state, nonce and PKCE challenge; none of them is a secret on its own).
        authorize_url: String,
    },
    /// Redeeming the authorization code for tokens.
    RedeemingCode,
    /// Signed in.
    Done,
}

/// Opens a URL in the user's browser. Tauri implements it with tauri-plugin-opener,
/// the CLI with [`SystemBrowser`] (or by printing the URL), tests with the demo's browser.
pub trait BrowserOpener: Send + Sync {
    /// Opens `url`. Returning an error aborts the sign-in.
    fn open(&self, url: &str) -> Result<()>;
}

/// What the system browser may inherit of our environment: what a desktop needs to show a
/// window and find the user's browser, and nothing else. A browser (and everything it starts)
/// must not inherit `ENTRA_CLIENT_SECRET`, `ENTRA_LEASE_CLIENT_SECRET` or any other variable a
/// pipeline or a launcher handed us, so this is a list of what to keep, not of what to drop.
const BROWSER_KEEPS: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "DISPLAY",
    "WAYLAND_DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "BROWSER", "DESKTOP_SESSION", "KDE_FULL_SESSION",
    "KDE_SESSION_VERSION", "GNOME_DESKTOP_SESSION_ID", "SYSTEMROOT", "WINDIR", "USERPROFILE", "APPDATA", "LOCALAPPDATA",
    "PROGRAMFILES", "COMSPEC", "PATHEXT",
];
/// Whole families of desktop variables kept for the browser (`XDG_RUNTIME_DIR`, `LC_ALL`, …).
const BROWSER_KEEPS_PREFIXES: &[&str] = &["XDG_", "LC_"];

/// The part of `vars` the system browser is started with (see [`BROWSER_KEEPS`]).
pub fn browser_environment(vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    vars.into_iter()
        .filter(|(name, _)| {
            let name = name.to_string_lossy().to_ascii_uppercase();
            BROWSER_KEEPS.contains(&name.as_str()) || BROWSER_KEEPS_PREFIXES.iter().any(|p| name.starts_with(p))
        })
        .collect()
}

/// Opens URLs with the operating system's handler (`xdg-open`, `open`, or `rundll32` on
/// Windows), in a scrubbed environment ([`browser_environment`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemBrowser;

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &str) -> Result<()> {
        // Passed as one argument, never through a shell, so the URL's '&' cannot be interpreted.
        #[cfg(target_os = "macos")]
        let mut command = std::process::Command::new("open");
        #[cfg(target_os = "windows")]
        let mut command = {
            // `cmd /C start` would split the URL at '&'; the URL protocol handler takes it whole.
            let mut c = std::process::Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        };
        #[cfg(not(any(target_os = "macos", target_os = "windows")))]
        let mut command = std::process::Command::new("xdg-open");
        command
            .arg(url)
            .env_clear()
            .envs(browser_environment(std::env::vars_os()))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        // Spawned, not waited for: some openers block until the browser exits.
        command.spawn().map(drop).map_err(|e| {
            Error::new(
                ErrorCode::Internal,
                format!("Cannot open the system browser ({e}): open the sign-in URL yourself (entractl login --no-browser prints it)"),
            )
            .with_source(e)
        })
    }
}

/// A closure as a [`BrowserOpener`].
impl<F> BrowserOpener for F
where
    F: Fn(&str) -> Result<()> + Send + Sync,
{
    fn open(&self, url: &str) -> Result<()> {
        self(url)
    }
}

#[cfg(test)]
mod tests {
    use super::browser_environment;
    use std::ffi::OsString;

    #[test]
    fn the_browser_inherits_only_what_a_desktop_needs() {
        let vars = [
            ("PATH", "/usr/bin"),
            ("DISPLAY", ":0"),
            ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ("LC_ALL", "C.UTF-8"),
            ("BROWSER", "firefox"),
            ("ENTRA_CLIENT_SECRET", "s3cr3t"),
            ("ENTRA_LEASE_CLIENT_SECRET", "s3cr3t"),
            ("AZURE_CLIENT_SECRET", "s3cr3t"),
            ("GITHUB_TOKEN", "t"),
            ("PGPASSWORD", "p"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let kept: Vec<String> = browser_environment(vars).into_iter().map(|(k, _)| k.to_string_lossy().into_owned()).collect();
        assert_eq!(kept, ["PATH", "DISPLAY", "XDG_RUNTIME_DIR", "LC_ALL", "BROWSER"]);
    }
}
