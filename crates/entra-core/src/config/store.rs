//! [`SettingsStore`]: the settings file on disk and the resolution of a profile
//! from it and the other sources.
//!
//! The one place that reads and writes `settings.json`, and that moves a
//! hand-written client secret (or a connection string's) into the keychain and
//! rewrites the file without it.

use super::env;
use super::layer::ProfileSettings;
use super::registrations::{registration_for, SavedRegistration};
use super::resolve::{resolve, ConfigSources, Profile};
use super::settings_file::Settings;
use crate::keychain::AsyncKeychain;
use crate::paths::write_atomic;
use crate::secret::ClientSecret;
use crate::{Error, Result};
use std::path::PathBuf;
use std::sync::Arc;

/// The settings file's name in the data folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// Reads an environment variable; injectable because the process environment is global.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The settings file of one data folder, with the environment and keychain it resolves against.
#[derive(Clone)]
pub struct SettingsStore {
    path: PathBuf,
    env: EnvLookup,
    keychain: AsyncKeychain,
}

impl std::fmt::Debug for SettingsStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SettingsStore {
    /// The store of `<data_dir>/settings.json`.
    pub fn new(data_dir: &std::path::Path, env: EnvLookup, keychain: AsyncKeychain) -> Self {
        SettingsStore { path: data_dir.join(SETTINGS_FILE), env, keychain }
    }

    /// Reads `settings.json` (defaults if absent). Hand-written secrets are still in it; see [`SettingsStore::resolve_profile`].
    pub fn read(&self) -> Result<Settings> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::config(format!("The settings file {} is not valid ({e}): fix the JSON or delete the file", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Error::storage(format!("Cannot read {} ({e}): check its permissions", self.path.display())).with_source(e)),
        }
    }

    /// Writes `settings.json`. [`Settings`] cannot serialise a secret.
    pub fn save(&self, settings: &Settings) -> Result<()> {
        let json = serde_json::to_vec_pretty(settings).map_err(|e| Error::internal(format!("Cannot encode the settings: {e}")))?;
        write_atomic(&self.path, &json)
    }

    /// True when neither flags, environment, connection string nor settings configure anything:
    /// the app then offers the demo tenant.
    pub fn is_unconfigured(&self, flags: &ProfileSettings) -> Result<bool> {
        let mut settings = self.read()?;
        settings.take_secret()?;
        Ok(ConfigSources::gather(flags.clone(), settings.profile, &*self.env)?.is_unconfigured())
    }

    /// Records the lease store (`None`: this desktop's file) in the settings file, under its lock
    /// (another process may be writing it). A file that still carries a hand-written secret
    /// is left alone: rewriting it would drop the secret before it reached the keychain.
    pub fn set_lease_store(&self, url: Option<String>) -> Result<()> {
        crate::paths::with_file_lock(&self.path, || {
            let mut settings = self.read()?;
            if settings.needs_scrubbing() {
                return Err(Error::config(format!(
                    "{} still holds a client secret or connection string, which Entra Desk moves to the keychain at the next sign-in: \
                     sign in once, then choose the lease store again (nothing was changed)",
                    self.path.display()
                )));
            }
            settings.lease_store = url;
            self.save(&settings)
        })
    }

    /// Saves the registration the set-up assistant made or found in `tenant_id`, so the next
    /// sign-in to that tenant uses its client ID (see [`super::registrations`]). Under the
    /// file's lock, like [`SettingsStore::set_lease_store`], and refused like it while the file
    /// still holds a hand-written secret.
    pub fn save_registration(&self, tenant_id: &str, registration: SavedRegistration) -> Result<()> {
        self.change_registrations(|settings| {
            settings.registrations.insert(tenant_id.to_ascii_lowercase(), registration);
            true
        })
        .map(|_| ())
    }

    /// Forgets the registration saved for `tenant_id` if it is the application `object_id`
    /// (one saved later, for another app, stays). Returns whether one was forgotten.
    pub fn forget_registration(&self, tenant_id: &str, object_id: &str) -> Result<bool> {
        self.change_registrations(|settings| {
            let key = registration_for(&settings.registrations, tenant_id)
                .filter(|(_, saved)| saved.object_id.eq_ignore_ascii_case(object_id))
                .map(|(key, _)| key.to_string());
            key.is_some_and(|key| settings.registrations.remove(&key).is_some())
        })
    }

    /// The registration saved for `tenant` (an ID or a verified domain), if any: the sign-in
    /// screen offers its client ID.
    pub fn registration(&self, tenant: &str) -> Result<Option<SavedRegistration>> {
        Ok(registration_for(&self.read()?.registrations, tenant).map(|(_, r)| r.clone()))
    }

    /// Reads, changes and (when `change` says it changed something) writes the settings file's
    /// registrations under its lock.
    fn change_registrations(&self, change: impl FnOnce(&mut Settings) -> bool) -> Result<bool> {
        crate::paths::with_file_lock(&self.path, || {
            let mut settings = self.read()?;
            if settings.needs_scrubbing() {
                return Err(Error::config(format!(
                    "{} still holds a client secret or connection string, which Entra Desk moves to the keychain at the next sign-in: \
                     sign in once (or move the secret out of the file yourself), then run the set-up again (the registration is found by its tag)",
                    self.path.display()
                )));
            }
            let changed = change(&mut settings);
            if changed {
                self.save(&settings)?;
            }
            Ok(changed)
        })
    }

    /// Resolves a profile from `flags` and the other sources (precedence in [`crate::config`]).
    ///
    /// A client secret found in the configuration goes to the keychain, and a settings
    /// file that carried one is rewritten without it (only once the keychain holds it). One from
    /// `ENTRA_CONNECTION_STRING` is used all the same when the keychain cannot keep it.
    pub async fn resolve_profile(&self, flags: ProfileSettings) -> Result<Profile> {
        let mut settings = self.read()?;
        let needs_scrubbing = settings.needs_scrubbing();
        let settings_secret = settings.take_secret()?;
        let mut sources = ConfigSources::gather(flags, settings.profile.clone(), &*self.env)?;
        sources.registrations = settings.registrations.clone();
        let mut profile = resolve(sources, &*self.env)?;
        let from_environment = profile.client_secret.is_some();
        if profile.client_secret.is_none() {
            profile.client_secret = settings_secret;
        }
        if let Some(secret) = &profile.client_secret {
            match self.keychain.set_client_secret(&profile.client_id, &profile.tenant_id, secret).await {
                Ok(()) => {}
                // A connection string in the environment is there for this process (a pipeline, a
                // container without a Secret Service): keeping it for later is best effort.
                Err(e) if from_environment => tracing::warn!(
                    error = %e.message(),
                    "the client secret of {} is used by this command only: the OS keychain cannot keep it for later sessions",
                    env::CONNECTION_STRING
                ),
                // The settings file's secret is scrubbed from the file only once the keychain holds it.
                Err(e) => return Err(e),
            }
        }
        if needs_scrubbing {
            // Re-read under the lock: another process may have changed the file since.
            crate::paths::with_file_lock(&self.path, || {
                let mut fresh = self.read()?;
                if fresh.needs_scrubbing() {
                    fresh.take_secret()?;
                    self.save(&fresh)?;
                }
                Ok(())
            })?;
            tracing::info!("moved a client secret from settings.json to the OS keychain");
        }
        Ok(profile)
    }

    /// The client secret of an app in a tenant: `ENTRA_CLIENT_SECRET`, else `configured`
    /// (a profile's, from a connection string), else the keychain's.
    pub async fn client_secret(&self, client_id: &str, tenant_id: &str, configured: Option<&ClientSecret>) -> Result<ClientSecret> {
        if let Some(s) = (self.env)(env::CLIENT_SECRET).filter(|s| !s.is_empty()) {
            return Ok(ClientSecret::new(s));
        }
        if let Some(s) = configured {
            return Ok(s.clone());
        }
        self.keychain.client_secret(client_id, tenant_id).await?.ok_or_else(|| {
            Error::config(format!(
                "No client secret for app {client_id} in tenant {tenant_id}: set {} (never pass a secret on the command line), or put MicrosoftEntra:ClientSecret in {} once so it is moved to the keychain",
                env::CLIENT_SECRET,
                env::CONNECTION_STRING
            ))
        })
    }
}
