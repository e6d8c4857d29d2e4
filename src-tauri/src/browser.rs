//! Opens the sign-in page in the system browser through tauri-plugin-opener.

use entra_core::{BrowserOpener, Result};
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;

/// The system browser, as Tauri's opener plugin reaches it.
pub struct SystemBrowserViaTauri<'a>(pub &'a AppHandle);

impl BrowserOpener for SystemBrowserViaTauri<'_> {
    fn open(&self, url: &str) -> Result<()> {
        // Not fatal: the sign-in screen shows the URL so the user can open it by hand.
        if let Err(err) = self.0.opener().open_url(url, None::<&str>) {
            tracing::warn!("could not open the system browser: {err}");
        }
        Ok(())
    }
}
