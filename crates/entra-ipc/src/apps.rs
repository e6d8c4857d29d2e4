//! The App registrations screen's types, as defined once in the core (`entra_core::apps`):
//! the inventory of app registrations and service principals read from the local cache, one
//! object's detail, and the progress of a refresh from Graph.

pub use entra_core::apps::{
    ApiPermission, AppDetail, AppInventory, AppRow, Credential, CredentialSummary, CredentialType, ObjectType, Owner, RedirectUris,
    SyncProgress, SyncSummary,
};
