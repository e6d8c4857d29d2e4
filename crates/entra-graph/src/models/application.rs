//! `application`: an app registration, and delta entries of any resource.

use super::{graph_date, null_as_empty, DirectoryObject, KeyCredential, PasswordCredential};
use chrono::{DateTime, Utc};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};

/// An app registration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Object ID (used in `/applications/{id}`).
    #[serde(default)]
    pub id: String,
    /// Application (client) ID.
    #[serde(default)]
    pub app_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `AzureADMyOrg`, `AzureADMultipleOrgs`, `AzureADandPersonalMicrosoftAccount`, `PersonalMicrosoftAccount`.
    #[serde(default)]
    pub sign_in_audience: Option<String>,
    /// Created (UTC).
    #[serde(default, with = "graph_date")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// The verified publisher domain.
    #[serde(default)]
    pub publisher_domain: Option<String>,
    /// Application ID URIs.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub identifier_uris: Vec<String>,
    /// Client secrets.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub password_credentials: Vec<PasswordCredential>,
    /// Certificates.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub key_credentials: Vec<KeyCredential>,
    /// Web platform settings.
    #[serde(default)]
    pub web: Option<RedirectUris>,
    /// Single-page-app platform settings.
    #[serde(default)]
    pub spa: Option<RedirectUris>,
    /// Public client (mobile and desktop) settings.
    #[serde(default)]
    pub public_client: Option<RedirectUris>,
    /// Whether Entra treats the app as a public client when the flow cannot tell (device code,
    /// ROPC, …): what the admin center calls "Allow public client flows". Only when selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_fallback_public_client: Option<bool>,
    /// API permissions asked for.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub required_resource_access: Vec<RequiredResourceAccess>,
    /// Owners, when asked for with `$expand=owners`.
    #[serde(default)]
    pub owners: Option<Vec<DirectoryObject>>,
    /// Free-text notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<String>,
}

/// The body of `POST /applications`: a new app registration, typed so that a misspelt
/// property is a compile error rather than a property Graph silently ignores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApplication {
    /// Display name.
    pub display_name: String,
    /// `AzureADMyOrg` for a single-tenant app.
    pub sign_in_audience: String,
    /// Redirect URIs of the "Mobile and desktop applications" platform.
    pub public_client: RedirectUris,
    /// "Allow public client flows".
    pub is_fallback_public_client: bool,
    /// The API permissions the app asks for (what consent is asked for with `/.default`).
    pub required_resource_access: Vec<RequiredResourceAccess>,
    /// Tags (up to 256 characters each): a rerun finds its own registration by one.
    pub tags: Vec<String>,
    /// Free-text notes shown in the admin center.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The body of `PATCH /applications/{id}`: the properties to change, typed as
/// [`NewApplication`] is. Graph's update is partial: a property left out (`None`, not sent)
/// keeps its value, one sent is replaced whole — a collection such as
/// `required_resource_access` or `tags` by the list sent, so adding one permission means
/// sending the others with it. (Clearing `notes` to `null` is not offered.)
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPatch {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Redirect URIs of the "Mobile and desktop applications" platform (the whole list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_client: Option<RedirectUris>,
    /// "Allow public client flows".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_fallback_public_client: Option<bool>,
    /// The API permissions the app asks for (the whole list, every resource's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_resource_access: Option<Vec<RequiredResourceAccess>>,
    /// Tags (the whole list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Free-text notes shown in the admin center.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl ApplicationPatch {
    /// True when it changes nothing (an empty body).
    pub fn is_empty(&self) -> bool {
        *self == ApplicationPatch::default()
    }
}

/// The `redirectUris` of a `web`, `spa` or `publicClient` block (other settings ignored).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUris {
    /// The redirect URIs.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub redirect_uris: Vec<String>,
}

/// The permissions an app asks for on one resource (API).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredResourceAccess {
    /// The resource's appId (e.g. Graph's `00000003-0000-0000-c000-000000000000`).
    #[serde(default)]
    pub resource_app_id: String,
    /// The scopes and roles.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub resource_access: Vec<ResourceAccess>,
}

/// One scope or app role asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResourceAccess {
    /// The scope's or role's id.
    #[serde(default)]
    pub id: String,
    /// `Scope` (delegated) or `Role` (application).
    #[serde(default, rename = "type")]
    pub access_type: String,
}

/// One entry of a delta page: a changed object, or a removed one (`@removed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaEntry<T> {
    /// Added or changed (only changed properties with `Prefer: return=minimal`).
    Changed(T),
    /// Removed: `reason` is `changed` (soft-deleted, restorable) or `deleted` (gone).
    Removed {
        /// The object's ID.
        id: String,
        /// Graph's reason.
        reason: String,
    },
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for DeltaEntry<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if let Some(removed) = value.get("@removed") {
            let id = value.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let reason = removed.get("reason").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            return Ok(DeltaEntry::Removed { id, reason });
        }
        serde_path_to_error::deserialize(value)
            .map(DeltaEntry::Changed)
            .map_err(|e| D::Error::custom(format!("at {}: {}", e.path(), e.inner())))
    }
}
