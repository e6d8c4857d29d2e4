//! The main window's size, remembered between runs in `<data dir>/window.json` (the UI's
//! other preferences are the core's: `entra_core::preferences`). Nothing secret.

use entra_core::paths::write_atomic;
use entra_core::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

const WINDOW_FILE: &str = "window.json";

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

    #[test]
    fn the_window_size_round_trips() {
        let dir = std::env::temp_dir().join(format!("entra-desk-window-{}", std::process::id()));
        save_window_size(&dir, WindowSize { width: 1000.0, height: 700.0 }).unwrap();
        assert_eq!(load_window_size(&dir), Some(WindowSize { width: 1000.0, height: 700.0 }));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
