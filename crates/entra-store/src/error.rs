//! [`StoreError`]: every way the local cache can fail, each message naming the fix.
//!
//! Messages name files, tables and columns, never row values: a display name or a URL in
//! the cache is the tenant's data and has no business in a log or a bug report. Like the
//! rest of Entra Desk they carry no trailing period, so callers can append context.

use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An error of the local cache. The core maps every variant to its `storage` error code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data folder or the database file could not be created, opened or protected.
    #[error(
        "cannot open the local cache {}: {source}; check that the folder exists and that you can write to it",
        path.display()
    )]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// SQLite refused to open the file or to set it up (WAL, foreign keys).
    #[error(
        "cannot open the local cache {}: {source}; check the disk is not full and the file is not read-only, or move the file aside",
        path.display()
    )]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },

    /// The file is not an SQLite database, or it is damaged. It was left untouched.
    #[error(
        "{} is not a readable Entra Desk cache (not an SQLite database, or damaged) and was left as it is; \
         quit Entra Desk and move the file aside (cache.sqlite is only a cache, rebuilt from Microsoft Graph; \
         keep a moved leases.sqlite: it is the record of the leases you issued)",
        path.display()
    )]
    NotADatabase {
        /// The file concerned.
        path: PathBuf,
    },

    /// The file is an SQLite database that belongs to some other program. It was left untouched.
    #[error(
        "{} is an SQLite database made by another program and was left as it is; \
         move it aside or point Entra Desk at another data folder",
        path.display()
    )]
    ForeignDatabase {
        /// The file concerned.
        path: PathBuf,
    },

    /// The file was written by a newer Entra Desk whose schema this build does not know.
    #[error(
        "the local cache {} was made by a newer Entra Desk (schema version {found}, this app knows up to {known}): \
         update the app, or move the file aside",
        path.display()
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The highest schema version recorded in the file.
        found: u32,
        /// The highest schema version this build knows.
        known: u32,
    },

    /// A migration failed; it was rolled back, so the file is as it was before.
    #[error(
        "cannot upgrade the local cache (migration {name}): {source}; the file was left as it was: \
         quit Entra Desk and move the file aside to start a fresh cache"
    )]
    Migration {
        /// The migration's name, e.g. `0001_apps`.
        name: &'static str,
        /// What SQLite said.
        source: rusqlite::Error,
    },

    /// Another process held the database for longer than the busy timeout.
    #[error(
        "the local cache is busy: another Entra Desk window or `entractl` is writing to it; try again in a moment"
    )]
    Busy,

    /// SQLite found the file damaged while it was in use.
    #[error(
        "the local cache {} is damaged; quit Entra Desk and move the file aside (cache.sqlite is rebuilt from \
         Microsoft Graph; keep a moved leases.sqlite: it is the record of the leases you issued)",
        path.display()
    )]
    Damaged {
        /// The database file (`:memory:` for an in-memory store).
        path: PathBuf,
    },

    /// A stored value could not be read back (a bad date, JSON, or enum value).
    #[error(
        "the local cache holds a value Entra Desk cannot read in {table}.{column}; \
         move the cache file aside so it is rebuilt from Microsoft Graph"
    )]
    Decode {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
    },

    /// The caller asked for something that makes no sense: a bug in Entra Desk.
    #[error("Entra Desk asked the local cache for something invalid ({0}); this is a bug: please report it")]
    Invalid(&'static str),

    /// Any other SQLite failure.
    #[error("a local cache query failed: {0}; if this keeps happening, quit Entra Desk and move the cache file aside")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            // After busy_timeout has run out: say who is probably holding the lock.
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(error),
        }
    }
}

impl StoreError {
    /// Turns SQLite's "not a database" and "corrupt" codes into errors that name the file.
    pub(crate) fn with_path(self, path: &std::path::Path) -> Self {
        match &self {
            StoreError::Sqlite(e) if is_damage(e) => StoreError::Damaged {
                path: path.to_path_buf(),
            },
            _ => self,
        }
    }
}

/// True when SQLite's answer means the file's bytes are not a sound database.
pub(crate) fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}
