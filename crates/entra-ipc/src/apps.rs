//! The App registrations screen's types, as defined once in the core (`entra_core::apps`):
//! the inventory of app registrations and service principals read from the local cache a page
//! at a time (`AppsQuery` in, `AppsPage` out), one object's detail, and the progress of a
//! refresh from Graph.

pub use entra_core::apps::{
    ApiPermission, AppDetail, AppRow, AppsPage, AppsQuery, Credential, CredentialSummary, CredentialType, ObjectType, Owner, RedirectUris,
    SyncProgress, SyncSummary,
};
