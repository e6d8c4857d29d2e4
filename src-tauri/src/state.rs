//! The app's managed state: the core [`Desk`], the embedded demo tenant, the
//! sign-in in progress (so it can be cancelled) and the UI preferences file.

use crate::demo::EmbeddedDemo;
use entra_core::Desk;
use std::path::PathBuf;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Everything the commands share. Cheap to reach through `tauri::State`.
pub struct AppState {
    /// The core facade: settings, accounts, keychain, tokens, Graph.
    pub desk: Desk,
    /// The demo tenant, started on demand in this process.
    pub demo: EmbeddedDemo,
    /// The JWT inspector's profiles and key cache.
    pub jwt: entra_core::jwt::JwtWorkspace,
    /// The data folder (preferences live here too).
    pub data_dir: PathBuf,
    /// Cancels the sign-in in progress, if any. A std mutex: held for a swap, never across an await.
    pub sign_in: Mutex<Option<CancellationToken>>,
}

impl AppState {
    /// Registers a new sign-in, cancelling any earlier one still waiting for its browser.
    pub fn begin_sign_in(&self) -> CancellationToken {
        let token = CancellationToken::new();
        let previous = self.sign_in.lock().unwrap_or_else(|p| p.into_inner()).replace(token.clone());
        if let Some(previous) = previous {
            previous.cancel();
        }
        token
    }

    /// Cancels the sign-in in progress; returns whether there was one.
    pub fn cancel_sign_in(&self) -> bool {
        match self.sign_in.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}
