//! The Credential expiry screen's types. Every one is defined once in the core
//! (`entra_core::credentials`): the credentials judged against the expiry windows (a page at a
//! time: `CredentialsQuery` in, `CredentialsPage` out), exports, and
//! what crossed a window since the last run. Defined here is only [`RotatedSecret`], the wire
//! form of a rotation's new secret: the core keeps a secret in a type without `Serialize`, and
//! this is the one place it is let out, once, because the admin asked to see it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

pub use entra_core::credentials::{
    CredentialsPage, CredentialsQuery, Crossing, ExpiringCredential, ExpiryChart, ExpiryStatus, ExpirySummary, ExportFormat, ExportResult,
    WindowCount,
};

/// A rotation's new secret. Sent to the webview once, on the user's request, to be shown and copied.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RotatedSecret {
    /// The new credential's key ID.
    pub key_id: String,
    /// The new secret's value: shown once, never stored by Entra Desk.
    pub secret_text: String,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// Its hint (first characters), as Graph will show it.
    pub hint: Option<String>,
    /// Set when the secret was created but the local cache could not be updated: show it, and refresh.
    pub warning: Option<String>,
}

/// Redacted: the secret never reaches a log through `Debug` (commands log their errors, not their results, but a
/// careless `{:?}` must not leak it either).
impl std::fmt::Debug for RotatedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatedSecret")
            .field("key_id", &self.key_id)
            .field("secret_text", &"[redacted]")
            .field("end", &self.end)
            .field("hint", &self.hint)
            .field("warning", &self.warning)
            .finish()
    }
}

impl From<entra_core::credentials::RotatedSecret> for RotatedSecret {
    /// The one place the new secret leaves its box: the user asked to see it, once.
    fn from(r: entra_core::credentials::RotatedSecret) -> Self {
        RotatedSecret { secret_text: r.secret.expose().to_string(), key_id: r.key_id, end: r.end, hint: r.hint, warning: r.warning }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_new_secret_does_not_print_in_debug() {
        let rotated = super::RotatedSecret {
            key_id: "k".into(),
            secret_text: "abc8Q~very-secret".into(),
            end: chrono::Utc::now(),
            hint: Some("abc".into()),
            warning: None,
        };
        let printed = format!("{rotated:?}");
        assert!(!printed.contains("very-secret") && printed.contains("[redacted]"), "{printed}");
    }
}
