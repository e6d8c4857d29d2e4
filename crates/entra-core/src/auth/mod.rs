//! Signing in: interactive (authorization code + PKCE through the system
//! browser, RFC 8252) and app-only (client secret, certificate, Azure CLI).
//!
//! - [`discovery`]: the provider's OpenID configuration and signing keys.
//! - [`loopback`]: the 127.0.0.1 listener that receives the browser's redirect.
//! - [`interactive`]: the whole browser sign-in.
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

/// Opens URLs with the operating system's handler (`xdg-open`, `open`, or `rundll32` on Windows).
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
