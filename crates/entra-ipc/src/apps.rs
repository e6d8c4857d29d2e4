//! Types of the App registrations screen: the inventory of app registrations
//! and service principals read from the local cache, one object's detail, and
//! the progress of a refresh from Graph. Core: `entra_core::apps`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which kind of directory object a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ObjectType {
    /// An app registration (`application`).
    Application,
    /// A service principal (enterprise application).
    ServicePrincipal,
}

/// An owner of an app registration or service principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OwnerSummary {
    /// The owner's object ID.
    pub id: String,
    /// `user`, `servicePrincipal`, `group` or another directory object type.
    pub owner_type: String,
    /// Display name.
    pub display_name: Option<String>,
    /// User principal name (users).
    pub user_principal_name: Option<String>,
    /// Mail address (users).
    pub mail: Option<String>,
}

/// One row of the inventory table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppRow {
    /// Object ID.
    pub id: String,
    /// App registration or service principal.
    pub object_type: ObjectType,
    /// Application (client) ID.
    pub app_id: String,
    /// Display name.
    pub display_name: String,
    /// `AzureADMyOrg`, `AzureADMultipleOrgs`, `AzureADandPersonalMicrosoftAccount`, `PersonalMicrosoftAccount`.
    pub sign_in_audience: Option<String>,
    /// Created, RFC 3339.
    pub created: Option<String>,
    /// Client secrets and certificates (Sign/Verify twins counted once).
    pub credential_count: u32,
    /// Of which expired.
    pub expired_count: u32,
    /// The earliest end date among credentials that have not expired, RFC 3339.
    pub next_expiry: Option<String>,
    /// Owners; `null` while they are still loading behind the list.
    pub owners: Option<Vec<OwnerSummary>>,
}

/// The inventory as the cache holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInventory {
    /// Every cached app registration and service principal.
    pub rows: Vec<AppRow>,
    /// When the cache was last synced with Graph, RFC 3339; `null` when it never was.
    pub as_of: Option<String>,
    /// True when the cache is older than the refresh interval (or empty): the screen says so and offers a refresh.
    pub stale: bool,
}

/// One credential in a detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CredentialSummary {
    /// The key ID.
    pub key_id: String,
    /// `password` (client secret) or `certificate`.
    pub credential_type: String,
    /// Its display name.
    pub display_name: Option<String>,
    /// Starts, RFC 3339.
    pub start: Option<String>,
    /// Ends, RFC 3339.
    pub end: Option<String>,
    /// Whole days left (negative once expired).
    #[ts(type = "number | null")]
    pub days_left: Option<i64>,
    /// A secret's first characters, as Graph shows them (not the secret).
    pub hint: Option<String>,
    /// `Sign`, `Verify`, or `Sign+Verify` for a certificate present twice.
    pub usage: Option<String>,
}

/// Redirect URIs by platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct RedirectUris {
    /// Web.
    pub web: Vec<String>,
    /// Single-page application.
    pub spa: Vec<String>,
    /// Public client (mobile and desktop).
    pub public_client: Vec<String>,
}

/// Permissions asked of one API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiPermission {
    /// The API's application ID.
    pub resource_app_id: String,
    /// Its name when known (e.g. `Microsoft Graph`).
    pub resource_name: Option<String>,
    /// Delegated permissions (scopes) asked.
    pub delegated: u32,
    /// Application permissions (app roles) asked.
    pub application: u32,
}

/// Everything the detail pane shows about one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppDetail {
    /// The row.
    pub row: AppRow,
    /// Its credentials, soonest end first.
    pub credentials: Vec<CredentialSummary>,
    /// Redirect URIs by platform (app registrations).
    pub redirect_uris: RedirectUris,
    /// API permissions summary (app registrations).
    pub api_permissions: Vec<ApiPermission>,
    /// The publisher domain.
    pub publisher_domain: Option<String>,
    /// The service principal's type (`Application`, `ManagedIdentity`, …).
    pub service_principal_type: Option<String>,
    /// The Entra admin center page of the object.
    pub portal_url: String,
}

/// What a refresh is doing, streamed to the screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum SyncProgress {
    /// A page of a collection arrived.
    Page {
        /// `applications` or `servicePrincipals`.
        collection: String,
        /// Items so far in this collection.
        items: u32,
    },
    /// The list is stored and shown; owners follow.
    ListReady {
        /// Rows in the inventory.
        rows: u32,
    },
    /// Owners loaded so far.
    Owners {
        /// Objects whose owners are loaded.
        done: u32,
        /// Objects in all.
        total: u32,
    },
    /// Graph throttled a request; waiting before retrying.
    Throttled {
        /// Seconds to wait.
        seconds: f64,
    },
    /// A request is being retried.
    Retrying {
        /// The attempt about to be made (2 for the first retry).
        attempt: u32,
        /// Why (e.g. `HTTP 503`).
        reason: String,
    },
}

/// What a finished refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncSummary {
    /// True for a full read, false for a delta (incremental) one.
    pub full: bool,
    /// Objects added or changed.
    pub changed: u32,
    /// Objects removed.
    pub removed: u32,
    /// Requests sent to Graph.
    pub requests: u32,
    /// Wall time, milliseconds.
    #[ts(type = "number")]
    pub duration_ms: u64,
    /// The cache's new "as of" time, RFC 3339.
    pub as_of: String,
}

// ---- from the core (`entra_core::apps`) ------------------------------------------------------

use entra_core::apps as core;

/// RFC 3339 as every IPC time is sent.
pub(crate) fn rfc3339(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl From<core::ObjectType> for ObjectType {
    fn from(t: core::ObjectType) -> Self {
        match t {
            core::ObjectType::Application => ObjectType::Application,
            core::ObjectType::ServicePrincipal => ObjectType::ServicePrincipal,
        }
    }
}

impl From<ObjectType> for core::ObjectType {
    fn from(t: ObjectType) -> Self {
        match t {
            ObjectType::Application => core::ObjectType::Application,
            ObjectType::ServicePrincipal => core::ObjectType::ServicePrincipal,
        }
    }
}

impl From<&core::Owner> for OwnerSummary {
    fn from(o: &core::Owner) -> Self {
        OwnerSummary {
            id: o.id.clone(),
            owner_type: o.owner_type.clone(),
            display_name: o.display_name.clone(),
            user_principal_name: o.user_principal_name.clone(),
            mail: o.mail.clone(),
        }
    }
}

pub(crate) fn owners(owners: &Option<Vec<core::Owner>>) -> Option<Vec<OwnerSummary>> {
    owners.as_ref().map(|list| list.iter().map(OwnerSummary::from).collect())
}

impl From<core::AppRow> for AppRow {
    fn from(r: core::AppRow) -> Self {
        AppRow {
            owners: owners(&r.owners),
            id: r.id,
            object_type: r.object_type.into(),
            app_id: r.app_id,
            display_name: r.display_name,
            sign_in_audience: r.sign_in_audience,
            created: r.created.as_ref().map(rfc3339),
            credential_count: r.credential_count,
            expired_count: r.expired_count,
            next_expiry: r.next_expiry.as_ref().map(rfc3339),
        }
    }
}

impl From<core::AppInventory> for AppInventory {
    fn from(i: core::AppInventory) -> Self {
        AppInventory { rows: i.rows.into_iter().map(AppRow::from).collect(), as_of: i.as_of.as_ref().map(rfc3339), stale: i.stale }
    }
}

impl From<core::CredentialSummary> for CredentialSummary {
    fn from(s: core::CredentialSummary) -> Self {
        let c = s.credential;
        CredentialSummary {
            key_id: c.key_id,
            credential_type: c.credential_type.as_str().to_string(),
            display_name: c.display_name,
            start: c.start.as_ref().map(rfc3339),
            end: c.end.as_ref().map(rfc3339),
            days_left: s.days_left,
            hint: c.hint,
            usage: c.usage,
        }
    }
}

impl From<core::AppDetail> for AppDetail {
    fn from(d: core::AppDetail) -> Self {
        AppDetail {
            row: d.row.into(),
            credentials: d.credentials.into_iter().map(CredentialSummary::from).collect(),
            redirect_uris: RedirectUris { web: d.redirect_uris.web, spa: d.redirect_uris.spa, public_client: d.redirect_uris.public_client },
            api_permissions: d
                .api_permissions
                .into_iter()
                .map(|p| ApiPermission { resource_app_id: p.resource_app_id, resource_name: p.resource_name, delegated: p.delegated, application: p.application })
                .collect(),
            publisher_domain: d.publisher_domain,
            service_principal_type: d.service_principal_type,
            portal_url: d.portal_url,
        }
    }
}

impl From<core::SyncProgress> for SyncProgress {
    fn from(p: core::SyncProgress) -> Self {
        match p {
            core::SyncProgress::Page { collection, items } => SyncProgress::Page { collection, items },
            core::SyncProgress::ListReady { rows } => SyncProgress::ListReady { rows },
            core::SyncProgress::Owners { done, total } => SyncProgress::Owners { done, total },
            core::SyncProgress::Throttled { seconds } => SyncProgress::Throttled { seconds },
            core::SyncProgress::Retrying { attempt, reason } => SyncProgress::Retrying { attempt, reason },
        }
    }
}

impl From<core::SyncSummary> for SyncSummary {
    fn from(s: core::SyncSummary) -> Self {
        SyncSummary { full: s.full, changed: s.changed, removed: s.removed, requests: s.requests, duration_ms: s.duration_ms, as_of: rfc3339(&s.as_of) }
    }
}
