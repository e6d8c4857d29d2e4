//! [`DeskOptions`]: how a [`super::Desk`] is opened (data folder, keychain service, clock, refresh margin,
//! environment), with the defaults the app and the CLI use.

use crate::clock::{Clock, SystemClock};
use crate::config::EnvLookup;
use crate::keychain::DEFAULT_SERVICE;
use std::path::PathBuf;
use std::sync::Arc;

/// How to open a [`Desk`].
#[derive(Clone)]
pub struct DeskOptions {
    /// The data folder (settings, account list). Usually [`crate::paths::data_dir`].
    pub data_dir: PathBuf,
    /// The keychain service name (tests use their own to stay apart).
    pub keychain_service: String,
    /// The clock for expiry decisions.
    pub clock: Arc<dyn Clock>,
    /// Refresh an access token when less than this remains of its life.
    pub refresh_margin: chrono::Duration,
    /// Environment lookup (the process environment by default).
    pub env: EnvLookup,
}

impl DeskOptions {
    /// Defaults for `data_dir`: service `entra-desk`, system clock, 5-minute margin, process environment.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        DeskOptions {
            data_dir: data_dir.into(),
            keychain_service: DEFAULT_SERVICE.to_string(),
            clock: Arc::new(SystemClock),
            refresh_margin: chrono::Duration::minutes(5),
            env: Arc::new(|name: &str| std::env::var(name).ok()),
        }
    }
}

