//! The settings file's shape ([`Settings`]): the profile layer plus the hand-written
//! secrets (`clientSecret`, a `connectionString` holding one) that are read once,
//! moved to the keychain by [`super::store::SettingsStore`], and never written back.

use super::connection_string;
use super::layer::ProfileSettings;
use super::registrations::Registrations;
use crate::secret::ClientSecret;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// The settings file, `settings.json` in the data folder.
///
/// It may arrive hand-written with a `clientSecret` or a `connectionString` holding
/// one; [`super::store::SettingsStore`] moves such a secret to the keychain and rewrites the file
/// without it. Neither field is ever serialised, nor printed by `Debug`.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The profile settings.
    #[serde(flatten)]
    pub profile: ProfileSettings,
    /// Sign-in time-out in seconds (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_timeout_secs: Option<u64>,
    /// The lease store: `local` or a team store's URL without a password (`${ENV}` allowed);
    /// see [`super::lease_store`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_store: Option<String>,
    /// The app registrations `entractl setup` (or the app's set-up assistant) made, by tenant
    /// ID: a sign-in to that tenant uses its client ID when no other is configured (see
    /// [`super::registrations`]).
    #[serde(default, skip_serializing_if = "Registrations::is_empty")]
    pub registrations: Registrations,
    /// A hand-written connection string; read, never written back.
    #[serde(default, skip_serializing)]
    pub connection_string: Option<String>,
    /// A hand-written client secret; moved to the keychain, never written back.
    #[serde(default, skip_serializing)]
    client_secret: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |present: bool| if present { "[redacted]" } else { "None" };
        f.debug_struct("Settings")
            .field("profile", &self.profile)
            .field("sign_in_timeout_secs", &self.sign_in_timeout_secs)
            .field("lease_store", &self.lease_store)
            .field("registrations", &self.registrations)
            .field("connection_string", &redacted(self.connection_string.is_some()))
            .field("client_secret", &redacted(self.client_secret.is_some()))
            .finish()
    }
}

impl Settings {
    /// Takes the client secret out of the settings (hand-written `clientSecret`, or the
    /// connection string's), folding the connection string's other values into
    /// `profile`. Returns the secret, if any; afterwards nothing secret is left to write.
    pub fn take_secret(&mut self) -> Result<Option<ClientSecret>> {
        let mut secret = self.client_secret.take().filter(|s| !s.is_empty()).map(ClientSecret::new);
        if let Some(cs) = self.connection_string.take() {
            let parsed = connection_string::parse(&cs)
                .map_err(|e| Error::config(format!("settings.json, connectionString: {}", e.message())))?;
            self.profile = std::mem::take(&mut self.profile).or(parsed.settings);
            secret = secret.or(parsed.client_secret);
        }
        Ok(secret)
    }

    /// True when the file carried a secret or connection string that must be moved out.
    pub fn needs_scrubbing(&self) -> bool {
        self.client_secret.is_some() || self.connection_string.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_hand_written_secrets() {
        let settings: Settings = serde_json::from_str(
            r#"{"clientId":"c","clientSecret":"abc8Q~first-secret","connectionString":"MicrosoftEntra:ClientSecret=abc8Q~second-secret"}"#,
        )
        .unwrap();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("first-secret") && !printed.contains("second-secret"), "{printed}");
        assert!(printed.contains("[redacted]") && printed.contains("\"c\""), "{printed}");
    }

    #[test]
    fn settings_file_secrets_are_taken_out_and_never_serialised() {
        let mut s: Settings = serde_json::from_str(
            r#"{"clientId":"app","clientSecret":"hunter2-secret","connectionString":"TenantId=t1;ClientSecret=other"}"#,
        )
        .unwrap();
        assert!(s.needs_scrubbing());
        let secret = s.take_secret().unwrap().unwrap();
        assert_eq!(secret.expose(), "hunter2-secret");
        assert_eq!(s.profile.tenant_id.as_deref(), Some("t1"));
        let written = serde_json::to_string(&s).unwrap();
        assert!(!written.contains("hunter2") && !written.contains("other") && !written.contains("connectionString"), "{written}");
        assert!(!s.needs_scrubbing());
    }
}
