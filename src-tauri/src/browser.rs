//! Opens the sign-in page (and the admin center's pages) in the system browser, through the
//! core's [`SystemBrowser`]: started in a scrubbed environment, so the browser never inherits
//! a secret the app was launched with (`ENTRA_CLIENT_SECRET`, …). tauri-plugin-opener would
//! hand it our whole environment.

use entra_core::{BrowserOpener, Result, SystemBrowser};

/// The system browser, for sign-in: a failure is not fatal (the sign-in screen shows the URL).
pub struct SignInBrowser;

impl BrowserOpener for SignInBrowser {
    fn open(&self, url: &str) -> Result<()> {
        if let Err(err) = SystemBrowser.open(url) {
            tracing::warn!("could not open the system browser: {}", err.message());
        }
        Ok(())
    }
}
