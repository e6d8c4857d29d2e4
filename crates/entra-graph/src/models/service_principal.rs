//! `servicePrincipal`: an enterprise application, the app's instance in a tenant.

use super::{null_as_empty, KeyCredential, PasswordCredential};
use serde::{Deserialize, Serialize};

/// A service principal.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// Object ID.
    #[serde(default)]
    pub id: String,
    /// The application (client) ID it instantiates.
    #[serde(default)]
    pub app_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `Application`, `ManagedIdentity`, `Legacy`, `SocialIdp`.
    #[serde(default)]
    pub service_principal_type: Option<String>,
    /// The tenant that owns the app registration (Microsoft's for first-party apps).
    #[serde(default)]
    pub app_owner_organization_id: Option<String>,
    /// Whether users can sign in to it.
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// Client secrets.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub password_credentials: Vec<PasswordCredential>,
    /// Certificates (e.g. SAML signing).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub key_credentials: Vec<KeyCredential>,
    /// `saml`, `password`, `oidc`, `notSupported`, …
    #[serde(default)]
    pub preferred_single_sign_on_mode: Option<String>,
    /// Tags (`WindowsAzureActiveDirectoryIntegratedApp`, `HideApp`, …).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<String>,
    /// Owners, when asked for with `$expand=owners`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<super::DirectoryObject>>,
    /// The delegated permissions a resource (an API such as Microsoft Graph) defines: the ids a
    /// client's `requiredResourceAccess` names. Only when selected.
    #[serde(default, deserialize_with = "null_as_empty", skip_serializing_if = "Vec::is_empty")]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
}

/// One delegated permission an API defines (`permissionScope`), e.g. Graph's `User.Read`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScope {
    /// The permission's id: what `requiredResourceAccess` lists with `type: Scope`.
    #[serde(default)]
    pub id: String,
    /// The scope's name in a token's `scp` and a sign-in's `scope`, e.g. `User.Read`.
    #[serde(default)]
    pub value: Option<String>,
    /// `User` (a user may consent for themselves) or `Admin` (an admin must consent).
    #[serde(default, rename = "type")]
    pub scope_type: Option<String>,
    /// False for a permission the API has retired: it can no longer be granted.
    #[serde(default)]
    pub is_enabled: Option<bool>,
    /// What the admin consent prompt calls it.
    #[serde(default)]
    pub admin_consent_display_name: Option<String>,
    /// What the user consent prompt calls it.
    #[serde(default)]
    pub user_consent_display_name: Option<String>,
}
