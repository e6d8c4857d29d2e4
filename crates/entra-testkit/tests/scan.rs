//! The "nothing secret on disk" check against real files: a SQLite database in WAL mode (what a
//! read of the files as text skipped), nested folders, and the wording of a failure.

use entra_testkit::{assert_nothing_secret_under, scan, Encoding, Needle, JWT};
use std::panic::AssertUnwindSafe;

const SECRET: &str = "Qk58Q~a-client-secret-made-by-addPassword";
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwIn0.c2lnbmF0dXJlLWJ5dGVz";

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(AssertUnwindSafe(f)).expect_err("the check fails");
    payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

#[test]
fn finds_a_secret_and_a_token_inside_sqlite_and_its_wal_in_a_subfolder() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("settings.json"), br#"{"tenant":"contoso"}"#).unwrap();
    let nested = root.path().join("leases");
    std::fs::create_dir(&nested).unwrap();
    let db = nested.join("leases.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch("CREATE TABLE t (v BLOB); PRAGMA wal_autocheckpoint = 0;").unwrap();
    conn.execute("INSERT INTO t VALUES (?1), (?2)", [SECRET.as_bytes(), TOKEN.as_bytes()]).unwrap();

    // While the connection is open the rows are in the WAL only, which is not UTF-8 (its magic
    // number is not): a read as text would have skipped it.
    let found = scan(root.path(), &[Needle::new("the client secret", SECRET)]);
    assert!(found.has_file("leases.sqlite-wal"), "{:?}", found.files);
    assert!(std::fs::read_to_string(nested.join("leases.sqlite-wal")).is_err());
    let wal: Vec<_> = found.findings.iter().filter(|f| f.file.ends_with("leases.sqlite-wal")).map(|f| (f.what.as_str(), f.encoding)).collect();
    assert_eq!(wal, [("the client secret", Encoding::Utf8), (JWT, Encoding::Utf8)]);

    let message = panic_message(|| {
        assert_nothing_secret_under(root.path(), &[Needle::new("the client secret", SECRET)]);
    });
    assert!(message.contains("the client secret is in leases/leases.sqlite-wal"), "{message}");
    assert!(message.contains(&format!("{JWT} is in leases/leases.sqlite-wal")), "{message}");
    assert!(!message.contains(SECRET) && !message.contains(&TOKEN[..20]), "the report names the secret, never shows it: {message}");

    // After a checkpoint the rows are in the database file itself, and still found.
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
    drop(conn);
    let found = scan(root.path(), &[Needle::new("the client secret", SECRET)]);
    let files: Vec<_> = found.findings.iter().map(|f| f.file.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(files.iter().all(|f| f == "leases.sqlite") && files.len() == 2, "{files:?}");
}

#[test]
fn a_clean_folder_passes_and_returns_what_was_read() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("jwks-cache")).unwrap();
    std::fs::write(root.path().join("jwks-cache/keys.json"), br#"{"keys":[{"kid":"1","n":"eyJub3QtYS10b2tlbiJ9"}]}"#).unwrap();
    std::fs::write(root.path().join("accounts.json"), b"[]").unwrap();
    let scan = assert_nothing_secret_under(root.path(), &[Needle::new("the refresh token", "0.AAAA-refresh-token")]);
    assert_eq!(scan.files.len(), 2);
    assert!(scan.has_file("keys.json") && !scan.has_file("keys"));
    assert!(scan.bytes > 0);
}

#[test]
fn an_empty_folder_fails_rather_than_passing_unread() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("empty-subfolder")).unwrap();
    let message = panic_message(|| {
        assert_nothing_secret_under(root.path(), &[]);
    });
    assert!(message.contains("no file under"), "{message}");
}
