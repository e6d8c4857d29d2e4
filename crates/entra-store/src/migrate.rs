//! Versioned schema migrations: the ordered `migrations/NNNN_name.sql` files, embedded in
//! the binary and applied at open.
//!
//! Each migration runs in its own IMMEDIATE transaction together with its row in
//! `schema_migrations` (version, name, applied time), so a failure leaves the file exactly
//! as it was and a crash never leaves a half-applied version. Another process opening the
//! same file at the same moment waits on the lock and then sees the version applied.
//! A file whose highest version is above [`LATEST`] was written by a newer app: we refuse
//! it rather than run an old schema against it (there is no downgrade).
//!
//! To add a migration: add `migrations/NNNN_name.sql` and a line to [`MIGRATIONS`]; never
//! edit a migration that has shipped. The test `list_matches_the_folder` keeps the two in step.

use crate::error::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;

/// One schema migration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// 1, 2, 3… with no gaps.
    pub version: u32,
    /// The file name without `.sql`, e.g. `0001_apps`.
    pub name: &'static str,
    /// The SQL, run with `execute_batch`. No BEGIN/COMMIT: we hold the transaction.
    pub sql: &'static str,
}

/// Which database a file is: each has its own migrations and `application_id`, so one can
/// never be opened as the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// `cache.sqlite`: what Graph returned (apps, credentials, groups). Rebuilt from Graph.
    Cache,
    /// `leases.sqlite`: lease definitions, leases and their audit log. The only record of the
    /// leases issued: never a cache.
    Leases,
}

impl Schema {
    /// Its migrations, in order.
    pub(crate) fn migrations(self) -> &'static [Migration] {
        match self {
            Schema::Cache => MIGRATIONS,
            Schema::Leases => LEASE_MIGRATIONS,
        }
    }

    /// The schema version this build writes.
    pub fn latest(self) -> u32 {
        let list = self.migrations();
        list[list.len() - 1].version
    }

    /// `PRAGMA application_id`: "EDsk" for the cache, "EDsL" for the lease store.
    pub(crate) fn application_id(self) -> i32 {
        match self {
            Schema::Cache => APPLICATION_ID,
            Schema::Leases => LEASE_APPLICATION_ID,
        }
    }
}

/// The lease store's migrations (`migrations/leases/`), in order.
pub(crate) const LEASE_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_leases",
        sql: include_str!("../migrations/leases/0001_leases.sql"),
    },
    Migration {
        version: 2,
        name: "0002_row_version",
        sql: include_str!("../migrations/leases/0002_row_version.sql"),
    },
    Migration {
        version: 3,
        name: "0003_audit_no_replace",
        sql: include_str!("../migrations/leases/0003_audit_no_replace.sql"),
    },
    Migration {
        version: 4,
        name: "0004_tenant_binding",
        sql: include_str!("../migrations/leases/0004_tenant_binding.sql"),
    },
    Migration {
        version: 5,
        name: "0005_audit_chain",
        sql: include_str!("../migrations/leases/0005_audit_chain.sql"),
    },
    Migration {
        version: 6,
        name: "0006_issued_by",
        sql: include_str!("../migrations/leases/0006_issued_by.sql"),
    },
    Migration {
        version: 7,
        name: "0007_lease_lists",
        sql: include_str!("../migrations/leases/0007_lease_lists.sql"),
    },
];

/// `PRAGMA application_id` of a lease store ("EDsL").
pub(crate) const LEASE_APPLICATION_ID: i32 = 0x4544_734C;

/// Every migration of the cache this build knows, in order.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_apps",
        sql: include_str!("../migrations/0001_apps.sql"),
    },
    Migration {
        version: 2,
        name: "0002_expiry_seen",
        sql: include_str!("../migrations/0002_expiry_seen.sql"),
    },
    Migration {
        version: 3,
        name: "0003_groups",
        sql: include_str!("../migrations/0003_groups.sql"),
    },
    Migration {
        version: 4,
        name: "0004_groups_search",
        sql: include_str!("../migrations/0004_groups_search.sql"),
    },
    Migration {
        version: 5,
        name: "0005_groups_staging",
        sql: include_str!("../migrations/0005_groups_staging.sql"),
    },
    Migration {
        version: 6,
        name: "0006_apps_listing",
        sql: include_str!("../migrations/0006_apps_listing.sql"),
    },
    Migration {
        version: 7,
        name: "0007_staged_others",
        sql: include_str!("../migrations/0007_staged_others.sql"),
    },
    Migration {
        version: 8,
        name: "0008_groups_in_order",
        sql: include_str!("../migrations/0008_groups_in_order.sql"),
    },
    Migration {
        version: 9,
        name: "0009_groups_version",
        sql: include_str!("../migrations/0009_groups_version.sql"),
    },
];

/// The schema version this build writes.
pub(crate) const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// `PRAGMA application_id` of an Entra Desk cache ("EDsk"), so `file(1)`-style tools and
/// [`ensure_ours`] can tell our file from another program's SQLite database.
pub(crate) const APPLICATION_ID: i32 = 0x4544_736B;

/// Refuses a valid SQLite file that belongs to another program: it has tables but neither
/// our application id nor our migrations table. An empty database (a new file) is ours.
pub(crate) fn ensure_ours(conn: &Connection, path: &Path, schema: Schema) -> Result<()> {
    let id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if id == schema.application_id() {
        return Ok(());
    }
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name <> 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if id != 0 || tables > 0 {
        return Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Brings the schema up to [`LATEST`], or refuses a newer file. Returns how many migrations ran.
pub(crate) fn migrate(conn: &mut Connection, path: &Path, schema: Schema) -> Result<usize> {
    let latest = schema.latest();
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY NOT NULL,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let mut applied = 0;
    for migration in schema.migrations() {
        // IMMEDIATE: take the write lock before looking, so two processes opening a new file
        // together cannot both decide to apply the same version.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = current_version(&tx)?;
        if current > latest {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: current,
                known: latest,
            });
        }
        if migration.version <= current {
            continue;
        }
        let fail = |source| StoreError::Migration {
            name: migration.name,
            source,
        };
        tx.execute_batch(migration.sql).map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![migration.version, migration.name, crate::sql::ts(&chrono::Utc::now())],
        )
        .map_err(fail)?;
        tx.pragma_update(None, "application_id", schema.application_id()).map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(migration = migration.name, "applied a local cache migration");
        applied += 1;
    }
    // Also catches a newer file when this build has nothing left to apply.
    let current = current_version(conn)?;
    if current > latest {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: current,
            known: latest,
        });
    }
    Ok(applied)
}

/// The highest version recorded in the file, 0 for a new one.
pub(crate) fn current_version(conn: &Connection) -> Result<u32> {
    let version: Option<u32> = conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(version.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_contiguous_and_named_after_them() {
        for (i, m) in MIGRATIONS.iter().enumerate().chain(LEASE_MIGRATIONS.iter().enumerate()) {
            assert_eq!(
                m.version as usize,
                i + 1,
                "migration versions must be 1, 2, 3… with no gaps"
            );
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{} must start with its version",
                m.name
            );
            let sql = m.sql.to_uppercase();
            for word in ["BEGIN;", "BEGIN TRANSACTION", "BEGIN IMMEDIATE", "COMMIT"] {
                assert!(!sql.contains(word), "{}: the runner holds the transaction", m.name);
            }
        }
    }

    #[test]
    fn list_matches_the_folder() {
        list_matches(MIGRATIONS, "migrations");
        list_matches(LEASE_MIGRATIONS, "migrations/leases");
    }

    fn list_matches(list: &[Migration], folder: &str) {
        // A new .sql file that nobody added to the list would silently never run.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = list.iter().map(|m| format!("{}.sql", m.name)).collect();
        assert_eq!(
            files, listed,
            "{folder}/ and its list in src/migrate.rs must name the same files"
        );
    }
}
