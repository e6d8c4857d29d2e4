//! `user`: the default property set (`GET /me`, `GET /users`).

use serde::{Deserialize, Serialize};

/// A user's default properties.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object ID (equals the token's `oid`).
    #[serde(default)]
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
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub business_phones: Vec<String>,
    /// Mobile phone.
    #[serde(default)]
    pub mobile_phone: Option<String>,
}

/// The `$select` of user lists.
pub const USER_SELECT: &[&str] =
    &["id", "displayName", "userPrincipalName", "mail", "givenName", "surname", "jobTitle", "officeLocation", "preferredLanguage", "businessPhones", "mobilePhone"];
