//! `/me` and `/organization`: who is signed in, and to which organization.

use super::{Collection, GraphClient};
use crate::Result;
use serde::{Deserialize, Serialize};

/// A user's default properties (Graph `user` resource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object ID (equals the token's `oid`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// User principal name.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// Mail address.
    #[serde(default)]
    pub mail: Option<String>,
    /// Given name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Surname.
    #[serde(default)]
    pub surname: Option<String>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// Office location.
    #[serde(default)]
    pub office_location: Option<String>,
    /// Preferred language.
    #[serde(default)]
    pub preferred_language: Option<String>,
    /// Business phones.
    #[serde(default)]
    pub business_phones: Vec<String>,
    /// Mobile phone.
    #[serde(default)]
    pub mobile_phone: Option<String>,
}

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

/// An organization (tenant) as Graph describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// The tenant ID.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Verified domains.
    #[serde(default)]
    pub verified_domains: Vec<VerifiedDomain>,
}

impl GraphClient {
    /// `GET /me`: the signed-in user (delegated tokens only).
    pub async fn me(&self) -> Result<User> {
        self.get_json("me").await
    }

    /// `GET /organization`: the tenant(s) of the token.
    pub async fn organization(&self) -> Result<Vec<Organization>> {
        Ok(self.get_json::<Collection<Organization>>("organization").await?.value)
    }
}
