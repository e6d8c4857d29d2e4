//! Two processes changing one data folder's `accounts.json` at once (the app and `entractl`
//! do): no update is lost. The test re-runs its own binary as the second and third writer.

use chrono::DateTime;
use entra_core::accounts::{Account, AccountKind, AccountStore};
use std::path::Path;
use std::process::Command;
use url::Url;

const CHILD_ENV: &str = "ENTRA_TEST_ACCOUNTS_WRITER";
const PER_WRITER: usize = 40;

fn account(id: String) -> Account {
    Account {
        username: format!("{id}@contoso.com"),
        id,
        display_name: None,
        tenant_id: "t".into(),
        authority: Url::parse("https://login.microsoftonline.com/t").unwrap(),
        metadata_url: None,
        client_id: "c".into(),
        scopes: vec!["User.Read".into()],
        kind: AccountKind::Interactive,
        graph_url: Url::parse("https://graph.microsoft.com/v1.0").unwrap(),
        ca_cert: None,
        app_credential: None,
        last_used: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        demo_tenant: false,
    }
}

fn write_accounts(dir: &Path, writer: &str) {
    let store = AccountStore::new(dir);
    for i in 0..PER_WRITER {
        store.upsert(account(format!("{writer}-{i}"))).unwrap();
        if i % 3 == 0 {
            store.touch(&format!("{writer}-0"), DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap()).unwrap();
        }
    }
}

/// The child's entry point: does nothing unless started by the test below.
#[test]
fn child_writer() {
    if let (Ok(dir), Ok(name)) = (std::env::var(CHILD_ENV), std::env::var("ENTRA_TEST_WRITER_NAME")) {
        write_accounts(Path::new(&dir), &name);
    }
}

#[test]
fn two_processes_never_lose_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["p1", "p2"]
        .into_iter()
        .map(|name| {
            Command::new(&exe)
                .args(["--exact", "child_writer", "--test-threads", "1", "--nocapture"])
                .env(CHILD_ENV, dir.path())
                .env("ENTRA_TEST_WRITER_NAME", name)
                .spawn()
                .unwrap()
        })
        .collect();
    // This process writes too.
    write_accounts(dir.path(), "p0");
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let accounts = AccountStore::new(dir.path()).list().unwrap();
    assert_eq!(accounts.len(), 3 * PER_WRITER, "every upsert of every process survives");
}
