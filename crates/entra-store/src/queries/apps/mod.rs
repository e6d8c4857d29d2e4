//! The cache behind the App registrations and Credential expiry screens: applications and
//! service principals (`directory_objects`), their credentials' metadata (`credentials`),
//! their owners (`owners`), and where each collection's sync stopped (`sync_state`).
//!
//! Both screens read one inventory, so they share this module; each reads it a page at a
//! time ([`object_order`] and [`objects_at`], [`credential_order`] and [`credentials_at`]:
//! searched, filtered and sorted in SQL), and exports and `entractl` read it whole
//! ([`list_objects`]). A full sync calls [`replace_all`]; a delta sync calls
//! [`upsert_objects`] and [`remove_objects`]; owners arrive later through [`set_owners`]. Do
//! them, and [`set_sync_state`], in one [`Store::write`](crate::Store::write) so the cache
//! never shows half a sync.
//!
//! Credentials hold metadata only (ids, names, the 3-character hint, dates): Graph never
//! returns a secret's value after creation, and the store would not take it.

mod matching;
mod page;
mod read;
mod report;
mod sync;
mod write;

pub use page::{count_objects, object_order, ObjectFilter, ObjectQuery, ObjectSort};
pub use read::{change_stamp, get_object, list_objects, objects_at, stats, ChangeStamp};
pub use report::{
    credential_order, credentials_at, report_ends, CredentialFilter, CredentialKey, CredentialQuery, CredentialRows, CredentialSort,
    EndFilter, OwnerFilter, ReportEnds,
};
pub use sync::{set_sync_state, sync_state, SyncCollection, SyncState};
pub use write::{clear, remove_objects, replace_all, set_owners, upsert_objects};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which kind of directory object a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ObjectType {
    /// An app registration (`/applications`).
    Application,
    /// An enterprise application (`/servicePrincipals`).
    ServicePrincipal,
}

impl ObjectType {
    /// The value stored in `object_type`, as Graph spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Application => "application",
            ObjectType::ServicePrincipal => "servicePrincipal",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<ObjectType> {
        match text {
            "application" => Some(ObjectType::Application),
            "servicePrincipal" => Some(ObjectType::ServicePrincipal),
            _ => None,
        }
    }
}

/// Which kind of credential: a client secret's metadata or a certificate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CredentialType {
    /// A `passwordCredential` (client secret).
    Password,
    /// A `keyCredential` (certificate).
    Certificate,
}

impl CredentialType {
    /// The value stored in `credential_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialType::Password => "password",
            CredentialType::Certificate => "certificate",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<CredentialType> {
        match text {
            "password" => Some(CredentialType::Password),
            "certificate" => Some(CredentialType::Certificate),
            _ => None,
        }
    }
}

/// One application or service principal, with its credentials and (once loaded) owners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectRow {
    /// The object id (primary key).
    pub id: String,
    /// Application or service principal.
    pub object_type: ObjectType,
    /// The application (client) id.
    pub app_id: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `signInAudience`.
    pub sign_in_audience: Option<String>,
    /// `createdDateTime` (applications only).
    pub created: Option<DateTime<Utc>>,
    /// `publisherDomain` (applications only).
    pub publisher_domain: Option<String>,
    /// `servicePrincipalType` (service principals only).
    pub service_principal_type: Option<String>,
    /// The rest of the object's non-secret fields (redirect URIs by platform,
    /// `requiredResourceAccess`, tags…), kept as Graph's JSON; the store never looks inside.
    pub detail: serde_json::Value,
    /// When this row was last written from Graph.
    pub synced_at: DateTime<Utc>,
    /// When the owners were loaded; `None` while they have not been.
    /// Ignored on write: [`set_owners`] (or `owners: Some(..)`) sets it.
    pub owners_loaded_at: Option<DateTime<Utc>>,
    /// The object's credentials. On write they replace all the object's credentials.
    pub credentials: Vec<CredentialRow>,
    /// `None`: not loaded yet. `Some(vec![])`: loaded, and there are none.
    /// On write, `None` keeps what is stored and `Some` replaces it.
    pub owners: Option<Vec<OwnerRow>>,
}

/// The metadata of one credential. Never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRow {
    /// `keyId`.
    pub key_id: String,
    /// Password or certificate.
    pub credential_type: CredentialType,
    /// `usage` of a certificate: `Sign` or `Verify`; `None` for passwords.
    pub usage: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `customKeyIdentifier` (a certificate's thumbprint, as Graph sends it).
    pub custom_key_identifier: Option<String>,
    /// `hint`: the first characters of a client secret that Graph shows. Not a secret.
    pub hint: Option<String>,
    /// `startDateTime`.
    pub start: Option<DateTime<Utc>>,
    /// `endDateTime`: when it expires.
    pub end: Option<DateTime<Utc>>,
}

/// One owner of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRow {
    /// The owner's object id.
    pub owner_id: String,
    /// `user`, `servicePrincipal`, `group`, or another directory object type.
    pub owner_type: String,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `userPrincipalName` (users only).
    pub user_principal_name: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
}

/// How big the cache is, for the settings screen and `entractl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Applications and service principals.
    pub objects: u64,
    /// Their credentials.
    pub credentials: u64,
    /// Their owners (of objects whose owners are loaded).
    pub owners: u64,
    /// The whole database file (`page_count * page_size`, not counting the `-wal` file).
    pub size_bytes: u64,
}
