//! The UI preferences remembered between runs — the screen shown last and the account used
//! last — in `<data dir>/ui-preferences.json`. Nothing secret; a convenience, so a missing or
//! unreadable file means the defaults. (The main window's size is the shell's own file.)

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The preferences file in the data folder.
pub const PREFERENCES_FILE: &str = "ui-preferences.json";

/// The app's screens, by the one name each has in every layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Screen {
    /// App registrations.
    Apps,
    /// Credential expiry.
    Credentials,
    /// Group caches.
    Groups,
    /// Leases.
    Leases,
    /// JWT inspector.
    Jwt,
}

/// UI preferences remembered between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    /// The screen shown last; reopened at start.
    // The aliases read files written before the JSON became camelCase.
    #[serde(alias = "last_screen")]
    pub last_screen: Option<Screen>,
    /// The account used last; signed in silently at start when its refresh token is still good.
    #[serde(alias = "last_account_id")]
    pub last_account_id: Option<String>,
}

/// Reads the preferences; a missing or unreadable file means the defaults.
pub fn load(data_dir: &Path) -> Preferences {
    std::fs::read(data_dir.join(PREFERENCES_FILE)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

/// Writes the preferences atomically.
pub fn save(data_dir: &Path, preferences: &Preferences) -> Result<()> {
    let json = serde_json::to_vec_pretty(preferences).map_err(|e| Error::internal(format!("Cannot encode the preferences: {e}")))?;
    crate::paths::write_atomic(&data_dir.join(PREFERENCES_FILE), &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_round_trip_default_when_missing_and_read_the_old_names() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), Preferences::default());
        let prefs = Preferences { last_screen: Some(Screen::Jwt), last_account_id: Some("oid.tid".into()) };
        save(dir.path(), &prefs).unwrap();
        assert_eq!(load(dir.path()), prefs);
        let text = std::fs::read_to_string(dir.path().join(PREFERENCES_FILE)).unwrap();
        assert!(text.contains("\"lastScreen\": \"jwt\""), "{text}");
        std::fs::write(dir.path().join(PREFERENCES_FILE), r#"{"last_screen":"groups","last_account_id":"a.b"}"#).unwrap();
        assert_eq!(load(dir.path()), Preferences { last_screen: Some(Screen::Groups), last_account_id: Some("a.b".into()) });
    }
}
