//! `group`: the properties of group lists.

use super::graph_date;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Object ID.
    #[serde(default)]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Mail address.
    #[serde(default)]
    pub mail: Option<String>,
    /// Mail-enabled.
    #[serde(default)]
    pub mail_enabled: Option<bool>,
    /// Security-enabled.
    #[serde(default)]
    pub security_enabled: Option<bool>,
    /// `Unified` for Microsoft 365 groups, `DynamicMembership`, …
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub group_types: Vec<String>,
    /// Whether Entra roles can be assigned to it.
    #[serde(default)]
    pub is_assignable_to_role: Option<bool>,
    /// Created.
    #[serde(default, with = "graph_date")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// Dynamic membership rule.
    #[serde(default)]
    pub membership_rule: Option<String>,
    /// `Public`, `Private`, `HiddenMembership`.
    #[serde(default)]
    pub visibility: Option<String>,
}

/// The `$select` of group lists.
pub const GROUP_SELECT: &[&str] =
    &["id", "displayName", "description", "mail", "mailEnabled", "securityEnabled", "groupTypes", "isAssignableToRole", "createdDateTime", "membershipRule", "visibility"];
