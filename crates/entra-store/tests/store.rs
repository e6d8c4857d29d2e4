//! The store as a file: opening, migrations, refusals, transactions, permissions.

mod common;

use entra_store::queries::apps::{self, SyncCollection};
use entra_store::{meta, Store, StoreError, SCHEMA_VERSION};
use std::path::Path;

fn applied(store: &Store) -> Vec<(u32, String, String)> {
    store
        .read(|c| {
            let mut stmt = c.prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

#[test]
fn migrations_apply_once_and_reopen_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folders/cache.sqlite3");
    let store = Store::open(&path).unwrap();
    let first = applied(&store);
    assert_eq!(first.len(), SCHEMA_VERSION as usize);
    assert_eq!(first[0].1, "0001_apps");
    let id = store.read(meta::store_id).unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    store
        .write(|tx| apps::upsert_objects(tx, &[common::app("a1", "One")]))
        .unwrap();
    drop(store);

    let again = Store::open(&path).unwrap();
    assert_eq!(
        applied(&again),
        first,
        "reopening must not re-apply or re-date a migration"
    );
    assert_eq!(
        again.read(meta::store_id).unwrap(),
        id,
        "the store id is generated once"
    );
    assert_eq!(again.read(apps::list_objects).unwrap().len(), 1);
}

#[test]
fn store_ids_differ_between_stores() {
    let a = Store::open_in_memory().unwrap().read(meta::store_id).unwrap();
    let b = Store::open_in_memory().unwrap().read(meta::store_id).unwrap();
    assert_ne!(a, b);
}

#[test]
fn pragmas_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    store
        .read(|c| {
            let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            let fk: bool = c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
            let sync: i64 = c.pragma_query_value(None, "synchronous", |r| r.get(0))?;
            let busy: i64 = c.pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
            assert_eq!(mode, "wal");
            assert!(fk);
            assert_eq!(sync, 1, "NORMAL");
            assert!(busy >= 1000);
            Ok(())
        })
        .unwrap();
}

fn bump_version(path: &Path, version: u32) {
    let raw = entra_store::rusqlite::Connection::open(path).unwrap();
    raw.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, '9999_future', '2099-01-01T00:00:00.000Z')",
        [version],
    )
    .unwrap();
}

#[test]
fn a_file_from_a_newer_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    drop(Store::open(&path).unwrap());
    bump_version(&path, SCHEMA_VERSION + 1);

    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, known, .. } if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION)
    );
    let msg = err.to_string();
    assert!(
        msg.contains("newer Entra Desk") && msg.contains("update the app, or move the file aside"),
        "{msg}"
    );
    assert!(msg.contains("c.sqlite3"), "{msg}");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let junk = b"{\"this is\": \"not a database\"}\n".repeat(200);
    std::fs::write(&path, &junk).unwrap();

    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("c.sqlite3") && msg.contains("move the file aside"),
        "{msg}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), junk, "the file must not be overwritten");
    assert!(!dir.path().join("c.sqlite3-wal").exists());
}

#[test]
fn a_damaged_database_is_refused_and_left_alone() {
    // The right header, garbage after it: SQLite itself has to notice.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&path, &bytes).unwrap();

    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file must not be overwritten");
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let raw = entra_store::rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("CREATE TABLE bookmarks (url TEXT)").unwrap();
    drop(raw);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
}

#[test]
fn a_failed_write_rolls_back_everything() {
    let store = Store::open_in_memory().unwrap();
    let err = store
        .write(|tx| {
            apps::upsert_objects(tx, &[common::app("a1", "One")])?;
            apps::set_sync_state(tx, &state())?;
            // A credential of an object that does not exist: the foreign key refuses it.
            tx.execute(
                "INSERT INTO credentials (object_id, key_id, credential_type) VALUES ('nobody', 'k', 'password')",
                [],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Sqlite(_)), "{err:?}");
    assert!(store.read(apps::list_objects).unwrap().is_empty());
    assert!(store
        .read(|c| apps::sync_state(c, SyncCollection::Applications))
        .unwrap()
        .is_none());

    // An error of our own, too, and the store stays usable afterwards.
    let err = store
        .write(|tx| {
            apps::upsert_objects(tx, &[common::app("a1", "One")])?;
            Err::<(), _>(StoreError::Invalid("test"))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid("test")));
    assert_eq!(store.read(apps::stats).unwrap().objects, 0);
    store
        .write(|tx| apps::upsert_objects(tx, &[common::app("a1", "One")]))
        .unwrap();
    assert_eq!(store.read(apps::stats).unwrap().objects, 1);
}

#[test]
fn a_panic_inside_a_write_rolls_back_and_the_store_recovers() {
    let store = Store::open_in_memory().unwrap();
    let clone = store.clone();
    let result = std::thread::spawn(move || {
        clone.write(|tx| {
            apps::upsert_objects(tx, &[common::app("a1", "One")])?;
            panic!("a bug in a caller");
            #[allow(unreachable_code)]
            Ok(())
        })
    })
    .join();
    assert!(result.is_err());
    assert_eq!(store.read(apps::stats).unwrap().objects, 0);
    store
        .write(|tx| apps::upsert_objects(tx, &[common::app("a2", "Two")]))
        .unwrap();
}

#[test]
fn the_store_is_send_sync_and_shared_by_clones() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Store>();
    let store = Store::open_in_memory().unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let s = store.clone();
            std::thread::spawn(move || s.write(|tx| apps::upsert_objects(tx, &[common::app(&format!("a{i}"), "x")])))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    assert_eq!(store.read(apps::stats).unwrap().objects, 4);
}

#[cfg(unix)]
#[test]
fn the_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    // A file left readable by others (say, restored from a backup) is tightened too.
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    let store = Store::open(&path).unwrap();
    store
        .write(|tx| apps::upsert_objects(tx, &[common::app("a1", "One")]))
        .unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    let wal = dir.path().join("c.sqlite3-wal");
    assert!(wal.exists(), "WAL mode keeps a -wal file while open");
    assert_eq!(mode(&wal), 0o600);
}

fn state() -> apps::SyncState {
    apps::SyncState {
        collection: SyncCollection::Applications,
        delta_link: Some("https://graph.microsoft.com/v1.0/applications/delta?$deltatoken=opaque".into()),
        as_of: common::t0(),
        full: true,
        requests: 3,
        duration_ms: 1234,
    }
}
