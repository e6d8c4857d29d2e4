//! UI preferences remembered between runs (last screen, last account) and the
//! main window's size, in `<data dir>/ui-preferences.json` and `window.json`.
//! Neither holds anything secret.

use entra_core::paths::write_atomic;
use entra_core::{Error, Result};
use entra_ipc::signin::Preferences;
use serde::{Deserialize, Serialize};
use std::path::Path;

const PREFERENCES_FILE: &str = "ui-preferences.json";
const WINDOW_FILE: &str = "window.json";

/// Reads the preferences; a missing or unreadable file means defaults (it is only a convenience).
pub fn load(data_dir: &Path) -> Preferences {
    std::fs::read(data_dir.join(PREFERENCES_FILE)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

pub fn save(data_dir: &Path, preferences: &Preferences) -> Result<()> {
    let json = serde_json::to_vec_pretty(preferences).map_err(|e| Error::internal(format!("Cannot encode the preferences: {e}")))?;
    write_atomic(&data_dir.join(PREFERENCES_FILE), &json)
}

/// The main window's logical size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowSize {
    pub width: f64,
    pub height: f64,
}

impl WindowSize {
    /// Sizes outside this range are a corrupt file or a vanished monitor: ignored.
    fn is_plausible(&self) -> bool {
        (400.0..=10_000.0).contains(&self.width) && (300.0..=10_000.0).contains(&self.height)
    }
}

pub fn load_window_size(data_dir: &Path) -> Option<WindowSize> {
    let bytes = std::fs::read(data_dir.join(WINDOW_FILE)).ok()?;
    serde_json::from_slice::<WindowSize>(&bytes).ok().filter(WindowSize::is_plausible)
}

pub fn save_window_size(data_dir: &Path, size: WindowSize) -> Result<()> {
    if !size.is_plausible() {
        return Ok(());
    }
    let json = serde_json::to_vec(&size).map_err(|e| Error::internal(format!("Cannot encode the window size: {e}")))?;
    write_atomic(&data_dir.join(WINDOW_FILE), &json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_ipc::signin::Screen;

    #[test]
    fn preferences_round_trip_and_default_when_missing() {
        let dir = std::env::temp_dir().join(format!("entra-desk-prefs-{}", std::process::id()));
        assert_eq!(load(&dir), Preferences::default());
        let prefs = Preferences { last_screen: Some(Screen::Jwt), last_account_id: Some("oid.tid".into()) };
        save(&dir, &prefs).unwrap();
        assert_eq!(load(&dir), prefs);
        save_window_size(&dir, WindowSize { width: 1000.0, height: 700.0 }).unwrap();
        assert_eq!(load_window_size(&dir), Some(WindowSize { width: 1000.0, height: 700.0 }));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
