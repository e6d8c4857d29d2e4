//! What the App registrations service is asked and returns: the list's query and pages of
//! inventory rows, detail, refresh progress and summary. Plain data with `chrono` times; these are the types the screen and `entractl` receive
//! (camelCase JSON, TypeScript derived behind the `ts` feature).

use super::ObjectType;
use crate::cache::twins::Credential;
use crate::paging::{ListPage, ListQuery};
use chrono::{DateTime, Utc};
use entra_store::queries::apps::OwnerRow;
use serde::{Deserialize, Serialize};

/// An owner of an app registration or service principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The owner's object ID.
    pub id: String,
    /// `user`, `servicePrincipal`, `group` or another directory object type.
    pub owner_type: String,
    /// Display name.
    pub display_name: Option<String>,
    /// User principal name (users).
    pub user_principal_name: Option<String>,
    /// Mail address.
    pub mail: Option<String>,
}

impl From<&OwnerRow> for Owner {
    fn from(o: &OwnerRow) -> Owner {
        Owner {
            id: o.owner_id.clone(),
            owner_type: o.owner_type.clone(),
            display_name: o.display_name.clone(),
            user_principal_name: o.user_principal_name.clone(),
            mail: o.mail.clone(),
        }
    }
}

/// One row of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppRow {
    /// Object ID.
    pub id: String,
    /// App registration or service principal.
    pub object_type: ObjectType,
    /// Application (client) ID.
    pub app_id: String,
    /// Display name (empty when Graph gave none).
    pub display_name: String,
    /// Sign-in audience (app registrations).
    pub sign_in_audience: Option<String>,
    /// Created (app registrations).
    pub created: Option<DateTime<Utc>>,
    /// Client secrets and certificates, twins counted once.
    pub credential_count: u32,
    /// Of which expired.
    pub expired_count: u32,
    /// The earliest end among credentials not yet expired.
    pub next_expiry: Option<DateTime<Utc>>,
    /// Owners; `None` while they have not been loaded.
    pub owners: Option<Vec<Owner>>,
}

/// What the inventory list is asked ([`super::Apps::page`]): the search (display name or
/// application ID), the sort — one of [`APPS_SORT_KEYS`] — and the start row in `list`, and
/// the screen's filters beside it. `{}` is the first page of everything, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct AppsQuery {
    /// Search, sort and the page wanted (its fields sit beside these in JSON).
    #[serde(flatten)]
    pub list: ListQuery,
    /// Only app registrations, or only service principals.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub object_type: Option<ObjectType>,
    /// Only this sign-in audience (e.g. `AzureADMyOrg`).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub audience: Option<String>,
    /// Only objects with at least one expired credential.
    pub expired: bool,
    /// Only objects known to have no owner (objects whose owners are still loading are left out).
    pub no_owner: bool,
}

/// The sort keys of the inventory list, the default first.
pub const APPS_SORT_KEYS: &[&str] = &["name", "type", "appId", "audience", "created", "credentials", "nextExpiry"];

/// One page of the inventory, with what the screen says about the whole cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppsPage {
    /// The rows, where they start, how many match, where the next page starts.
    #[serde(flatten)]
    pub page: ListPage<AppRow>,
    /// Every object in the cache (both kinds), whatever the filters.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub objects: u64,
    /// When the cache was last synced (the older of the two collections); `None`: never.
    pub as_of: Option<DateTime<Utc>>,
    /// The cache is empty, never synced, or older than the refresh interval.
    pub stale: bool,
}

/// A credential in the detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CredentialSummary {
    /// The credential (its fields sit beside `daysLeft` in JSON).
    #[serde(flatten)]
    pub credential: Credential,
    /// Whole days left, rounded down (negative once expired).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub days_left: Option<i64>,
}

/// Redirect URIs by platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RedirectUris {
    /// Web.
    pub web: Vec<String>,
    /// Single-page application.
    pub spa: Vec<String>,
    /// Public client (mobile and desktop).
    pub public_client: Vec<String>,
}

/// The permissions an app registration asks of one API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ApiPermission {
    /// The API's appId.
    pub resource_app_id: String,
    /// Its name, for well-known APIs.
    pub resource_name: Option<String>,
    /// Delegated permissions (scopes).
    pub delegated: u32,
    /// Application permissions (app roles).
    pub application: u32,
}

/// Everything the detail pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppDetail {
    /// The inventory row.
    pub row: AppRow,
    /// Credentials, soonest end first, twins merged.
    pub credentials: Vec<CredentialSummary>,
    /// Redirect URIs (app registrations).
    pub redirect_uris: RedirectUris,
    /// API permissions (app registrations).
    pub api_permissions: Vec<ApiPermission>,
    /// Publisher domain (app registrations).
    pub publisher_domain: Option<String>,
    /// Service principal type.
    pub service_principal_type: Option<String>,
    /// The object's page in the Entra admin center.
    pub portal_url: String,
}

/// What a refresh is doing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "stage", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SyncProgress {
    /// A page of a collection arrived (`items`: so far in that collection).
    Page {
        /// `applications` or `servicePrincipals`.
        collection: String,
        /// Items so far.
        items: u32,
    },
    /// The list is in the cache (and can be shown); owners follow.
    ListReady {
        /// Objects in the cache.
        rows: u32,
    },
    /// Owners loaded so far.
    Owners {
        /// Objects whose owners are loaded.
        done: u32,
        /// Objects whose owners are being loaded.
        total: u32,
    },
    /// Graph throttled us: waiting.
    Throttled {
        /// Seconds.
        seconds: f64,
    },
    /// A request is re-sent.
    Retrying {
        /// The attempt about to be made.
        attempt: u32,
        /// Why, e.g. `HTTP 503`.
        reason: String,
    },
}

/// What a finished refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// A full read (first time, asked for, or the delta link was refused) or a delta.
    pub full: bool,
    /// Objects written (a full read counts every object).
    pub changed: u32,
    /// Objects removed from the cache.
    pub removed: u32,
    /// HTTP requests sent to Graph (a `$batch` counts once; retries count).
    pub requests: u32,
    /// Wall time.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_ms: u64,
    /// The cache's new "as of" time.
    pub as_of: DateTime<Utc>,
}

