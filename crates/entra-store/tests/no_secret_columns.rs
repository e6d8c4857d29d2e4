//! Tidy check: no column of the schema may be named like a secret.
//!
//! Secrets (client secrets, refresh and access tokens, passwords, private keys, client
//! assertions) belong in the OS keychain or in memory, never in the SQLite cache. This reads
//! the real schema, as the migrations leave it, from a fresh store with `pragma_table_info`,
//! so it sees every column however the SQL was written.

use entra_store::rusqlite::Connection;
use entra_store::Store;

/// Lowercase fragments that mark a column name as a secret's.
const FORBIDDEN: &[&str] = &[
    "secret",
    "token",
    "password",
    "passwd",
    "private_key",
    "privatekey",
    "credential_value",
    "secret_text",
    "refresh",
    "bearer",
    "assertion",
];

/// Every `(table, column)` whose column name contains a forbidden fragment (case-insensitive).
fn secret_like_columns(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p
             WHERE m.type = 'table' ORDER BY m.name, p.cid",
        )
        .unwrap();
    let columns = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    columns
        .map(Result::unwrap)
        .filter(|(_, column)| looks_secret(column))
        .collect()
}

fn looks_secret(column: &str) -> bool {
    let column = column.to_ascii_lowercase();
    FORBIDDEN.iter().any(|word| column.contains(word))
}

fn message(found: &[(String, String)]) -> String {
    let list: Vec<String> = found.iter().map(|(t, c)| format!("{t}.{c}")).collect();
    format!(
        "column(s) named like a secret: {}. Secrets (tokens, client secrets, passwords, private keys) belong in \
         the OS keychain, never in the SQLite cache; if the column holds no secret, rename it (e.g. `delta_link`, \
         not `delta_token`)",
        list.join(", ")
    )
}

#[test]
fn no_column_of_the_lease_store_is_named_like_a_secret() {
    let store = Store::open_in_memory_schema(entra_store::Schema::Leases).unwrap();
    let (tables, found) = store
        .read(|conn| {
            let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0))?;
            Ok((tables, secret_like_columns(conn)))
        })
        .unwrap();
    assert!(tables >= 4, "the check must see the migrated lease schema");
    assert!(found.is_empty(), "{}", message(&found));
}

#[test]
fn no_column_is_named_like_a_secret() {
    let store = Store::open_in_memory().unwrap();
    let (tables, found) = store
        .read(|conn| {
            let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| {
                r.get(0)
            })?;
            Ok((tables, secret_like_columns(conn)))
        })
        .unwrap();
    assert!(tables >= 5, "the check must see the migrated schema");
    assert!(found.is_empty(), "{}", message(&found));
}

#[test]
fn the_check_catches_a_bad_column() {
    // Proves the test above can fail: the same checker on a schema with bad names.
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE accounts (id TEXT, key_id TEXT, credential_type TEXT, hint TEXT, delta_link TEXT);
         ALTER TABLE accounts ADD COLUMN Refresh_Token TEXT;
         CREATE TABLE apps (id TEXT, clientSecret TEXT, private_key_pem TEXT)",
    )
    .unwrap();
    let found = secret_like_columns(&conn);
    let names: Vec<&str> = found.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(names, ["Refresh_Token", "clientSecret", "private_key_pem"]);
    let msg = message(&found);
    assert!(
        msg.contains("accounts.Refresh_Token") && msg.contains("OS keychain"),
        "{msg}"
    );

    for fine in [
        "credential_type",
        "key_id",
        "hint",
        "delta_link",
        "custom_key_identifier",
        "owners_loaded_at",
    ] {
        assert!(!looks_secret(fine), "{fine} is not a secret");
    }
    for bad in [
        "secret_text",
        "passwd",
        "bearer",
        "client_assertion",
        "credential_value",
        "PrivateKey",
    ] {
        assert!(looks_secret(bad), "{bad} must be caught");
    }
}
