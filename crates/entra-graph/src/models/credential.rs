//! `passwordCredential` (client secrets) and `keyCredential` (certificates).

use super::graph_date;
use crate::token::SecretText;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A client secret's metadata. The secret itself is never listed (only `addPassword` returns it, see [`AddedPassword`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    /// The credential's id (a GUID), used by `removePassword`.
    #[serde(default)]
    pub key_id: String,
    /// Friendly name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The first three characters of the secret.
    #[serde(default)]
    pub hint: Option<String>,
    /// Valid from.
    #[serde(default, with = "graph_date")]
    pub start_date_time: Option<DateTime<Utc>>,
    /// Valid until.
    #[serde(default, with = "graph_date")]
    pub end_date_time: Option<DateTime<Utc>>,
    /// Base64; Graph says "do not use" and sends null.
    #[serde(default)]
    pub custom_key_identifier: Option<String>,
}

/// A certificate (or symmetric key) credential's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCredential {
    /// The credential's id (a GUID).
    #[serde(default)]
    pub key_id: String,
    /// Friendly name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `AsymmetricX509Cert` or `Symmetric`.
    #[serde(default, rename = "type")]
    pub key_type: Option<String>,
    /// `Verify` or `Sign`.
    #[serde(default)]
    pub usage: Option<String>,
    /// Valid from.
    #[serde(default, with = "graph_date")]
    pub start_date_time: Option<DateTime<Utc>>,
    /// Valid until.
    #[serde(default, with = "graph_date")]
    pub end_date_time: Option<DateTime<Utc>>,
    /// Base64; by default the certificate's thumbprint.
    #[serde(default)]
    pub custom_key_identifier: Option<String>,
}

/// What `addPassword` returns: the credential, and its secret text, shown once.
#[derive(Debug, Deserialize)]
pub struct AddedPassword {
    /// The credential's metadata.
    #[serde(flatten)]
    pub credential: PasswordCredential,
    /// The secret (redacted in `Debug`, never serialized, zeroed on drop).
    #[serde(rename = "secretText")]
    pub secret_text: SecretText,
    /// Graph's `request-id` response header of the addPassword call (not part of the body).
    #[serde(skip)]
    pub request_id: Option<String>,
}
