//! `organization`: the tenant, as far as `User.Read` shows it.

use serde::{Deserialize, Serialize};

/// A verified domain of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    /// The domain name.
    pub name: String,
    /// Whether it is the default domain.
    #[serde(default)]
    pub is_default: bool,
    /// Whether it is the initial `*.onmicrosoft.com` domain.
    #[serde(default)]
    pub is_initial: bool,
}

/// An organization (tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The tenant ID.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Verified domains.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub verified_domains: Vec<VerifiedDomain>,
}
