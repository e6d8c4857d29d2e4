//! The SQLite lease store's own error messages (see [`store_error`]).

use crate::{Error, ErrorCode};
use entra_store::StoreError;

/// The lease store's own words for what went wrong. Not the store crate's messages: those are
/// written for the cache ("move it aside, it is rebuilt from Microsoft Graph"), and following
/// that advice here would orphan every credential the leases created, whose only record is
/// this file. So every message says what the file is, and none suggests deleting it.
pub(crate) fn store_error(err: StoreError) -> Error {
    const KEEP: &str = "keep leases.sqlite: it is the only record of the credentials your leases created";
    let message = match &err {
        StoreError::Busy => "The lease store is busy: another Entra Desk window or `entractl` is writing to it; try again in a moment".to_string(),
        StoreError::Io { path, source } => format!(
            "Cannot open the lease store {} ({source}): check that the data folder exists and that you can write to it; {KEEP}",
            path.display()
        ),
        StoreError::Open { path, source } => format!(
            "Cannot open the lease store {} ({source}): check that the disk is not full and the file is not read-only; {KEEP}",
            path.display()
        ),
        StoreError::NotADatabase { path } | StoreError::Damaged { path } => format!(
            "The lease store {} is damaged or not a lease store, and was left as it is: quit Entra Desk and restore it from a backup; \
             {KEEP} (do not delete it: a new store would not know them, and reconciliation would never remove them)",
            path.display()
        ),
        StoreError::ForeignDatabase { path } => format!(
            "{} is an SQLite database made by another program, not a lease store, and was left as it is: point Entra Desk at another data folder",
            path.display()
        ),
        StoreError::NewerSchema { path, found, known } => format!(
            "The lease store {} was written by a newer Entra Desk (schema {found}, this version knows up to {known}): update Entra Desk; the file was not changed",
            path.display()
        ),
        StoreError::Migration { name, source } => format!(
            "Cannot upgrade the lease store (migration {name}: {source}); the file was left as it was: report this, and {KEEP}"
        ),
        StoreError::Decode { table, column } => format!(
            "The lease store holds a value this version of Entra Desk cannot read in {table}.{column}: update Entra Desk; the file was not changed"
        ),
        StoreError::Invalid(what) => format!("Entra Desk asked the lease store for something invalid ({what}); this is a bug: please report it"),
        StoreError::Sqlite(e) => format!("A lease store query failed ({e}): try again; if it keeps failing, report it, and {KEEP}"),
        // A kind of failure newer than this list: say what the file is rather than the cache's advice.
        _ => format!("The lease store failed: try again; if it keeps failing, report it, and {KEEP}"),
    };
    Error::new(ErrorCode::Storage, message).with_source(err)
}
