//! One layer of non-secret sign-in settings ([`ProfileSettings`]): what flags, the
//! environment, a connection string and the settings file each contribute before
//! [`super::resolve`] merges them.

use super::env;
use serde::{Deserialize, Serialize};

/// One layer of non-secret settings; every field optional. Also the shape of `settings.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSettings {
    /// Tenant ID (GUID) or domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Application (client) ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Authority URL; may contain `{TenantId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Explicit OpenID discovery document URL; may contain `{TenantId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_address: Option<String>,
    /// Issuer, for providers whose discovery lives at `{issuer}/.well-known/openid-configuration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Redirect URI: scheme, host and path. The port is chosen at run time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Delegated scopes (or a single `…/.default` scope for app-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Graph base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_url: Option<String>,
    /// Extra trusted root certificate (PEM file) for a TLS demo tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
}

impl ProfileSettings {
    /// Field by field: `self` where set, else `lower`.
    pub fn or(self, lower: ProfileSettings) -> ProfileSettings {
        ProfileSettings {
            tenant_id: self.tenant_id.or(lower.tenant_id),
            client_id: self.client_id.or(lower.client_id),
            authority: self.authority.or(lower.authority),
            metadata_address: self.metadata_address.or(lower.metadata_address),
            issuer: self.issuer.or(lower.issuer),
            redirect_uri: self.redirect_uri.or(lower.redirect_uri),
            scopes: self.scopes.or(lower.scopes),
            graph_url: self.graph_url.or(lower.graph_url),
            ca_cert: self.ca_cert.or(lower.ca_cert),
        }
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self == &ProfileSettings::default()
    }

    /// The settings carried by environment variables, read through `lookup` (tests pass a map;
    /// the process environment is global, so tests never set it).
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> ProfileSettings {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        ProfileSettings {
            tenant_id: get(env::TENANT_ID),
            client_id: get(env::CLIENT_ID),
            authority: get(env::AUTHORITY),
            metadata_address: get(env::METADATA_ADDRESS),
            issuer: get(env::ISSUER),
            redirect_uri: get(env::REDIRECT_URI),
            scopes: get(env::SCOPES).map(|s| split_scopes(&s)),
            graph_url: get(env::GRAPH_URL),
            ca_cert: get(env::CA_CERT),
        }
    }
}

/// Scopes may be separated by spaces, commas or both.
pub fn split_scopes(value: &str) -> Vec<String> {
    value.split([' ', ',']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}
