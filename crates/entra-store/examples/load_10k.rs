//! Times the apps cache at the size of a large tenant: 10,000 objects with 30,000
//! credentials, written by one full sync and read back by `list_objects`.
//!
//! `cargo run --release -p entra-store --example load_10k` (numbers, not pass/fail).

use chrono::{Duration, Utc};
use entra_store::queries::apps::{self, CredentialRow, CredentialType, ObjectRow, ObjectType, SyncCollection};
use entra_store::Store;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path().join("cache.sqlite3"))?;
    let now = Utc::now();
    let objects: Vec<ObjectRow> = (0..n)
        .map(|i| ObjectRow {
            id: format!("{i:08}-0000-0000-0000-000000000000"),
            object_type: ObjectType::Application,
            app_id: format!("{i:08}-1111-1111-1111-111111111111"),
            display_name: Some(format!("Contoso app {i}")),
            sign_in_audience: Some("AzureADMyOrg".into()),
            created: Some(now - Duration::days(i as i64 % 900)),
            publisher_domain: Some("contoso.example".into()),
            service_principal_type: None,
            detail: serde_json::json!({"web": {"redirectUris": [format!("https://app{i}.contoso.example/signin-oidc")]}}),
            synced_at: now,
            owners_loaded_at: None,
            credentials: (0..3)
                .map(|k| CredentialRow {
                    key_id: format!("{i:08}-{k:04}"),
                    credential_type: if k == 0 { CredentialType::Password } else { CredentialType::Certificate },
                    usage: (k > 0).then(|| "Verify".to_string()),
                    display_name: Some("rotation".into()),
                    custom_key_identifier: None,
                    hint: (k == 0).then(|| "Ab1".to_string()),
                    start: Some(now - Duration::days(30)),
                    end: Some(now + Duration::days((i * 7 + k) as i64 % 730)),
                })
                .collect(),
            owners: None,
        })
        .collect();

    let start = Instant::now();
    store.write(|tx| apps::replace_all(tx, SyncCollection::Applications, &objects))?;
    println!("write {n} objects: {:?}", start.elapsed());

    for _ in 0..3 {
        let start = Instant::now();
        let back = store.read(apps::list_objects)?;
        println!("list_objects ({} objects): {:?}", back.len(), start.elapsed());
    }
    raw(&store);
    let stats = store.read(apps::stats)?;
    println!("{stats:?}");
    Ok(())
}

/// The SQL alone, without building rows: what is left of `list_objects` is Rust-side
/// decoding (strings, dates, JSON).
fn raw(store: &Store) {
    for sql in [
        "SELECT id, detail_json, synced_at FROM directory_objects ORDER BY display_name COLLATE NOCASE, id",
        "SELECT object_id, key_id, end_date_time FROM credentials ORDER BY object_id, end_date_time, key_id",
        "SELECT object_id, key_id, end_date_time FROM credentials",
    ] {
        let start = Instant::now();
        let n = store
            .read(|c| {
                let mut s = c.prepare(sql)?;
                let mut rows = s.query([])?;
                let mut n = 0;
                while rows.next()?.is_some() {
                    n += 1;
                }
                Ok(n)
            })
            .unwrap();
        println!("{n} rows in {:?}: {sql}", start.elapsed());
    }
}
