//! Two processes changing one data folder's `accounts.json` at once (the app and `entractl`
//! do): no update is lost. The test re-runs its own binary as the second and third writer, and
//! starts all three writers together (a start line in the folder), so their read-modify-write
//! cycles overlap: without the cross-process lock (`entra_files::with_lock`) updates are lost
//! and the count below fails.

use chrono::DateTime;
use entra_core::accounts::{Account, AccountKind, AccountStore};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use url::Url;

/// Set (to the data folder) only in the writer processes the test starts.
const CHILD_ENV: &str = "ENTRA_TEST_ACCOUNTS_WRITER";
const NAME_ENV: &str = "ENTRA_TEST_WRITER_NAME";
const PER_WRITER: usize = 40;
const WAIT: Duration = Duration::from_secs(60);

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
        step_up_claims: None,
    }
}

/// Waits until `path` exists.
fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < WAIT, "{} did not appear within {WAIT:?}", path.display());
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Says it is ready, waits for the start line (`go`), then writes its accounts.
fn write_accounts(dir: &Path, writer: &str) {
    std::fs::write(dir.join(format!("ready-{writer}")), b"").unwrap();
    wait_for(&dir.join("go"));
    let store = AccountStore::new(dir);
    for i in 0..PER_WRITER {
        store.upsert(account(format!("{writer}-{i}"))).unwrap();
        if i % 3 == 0 {
            store.touch(&format!("{writer}-0"), DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap()).unwrap();
        }
    }
}

/// Not a test of its own: the entry point of the writer processes
/// `two_processes_never_lose_an_update` starts (`--ignored --exact child_writer`). Run any
/// other way it fails, rather than passing without having written anything.
#[test]
#[ignore = "a writer process started by two_processes_never_lose_an_update"]
fn child_writer() {
    let dir = std::env::var(CHILD_ENV).unwrap_or_else(|_| panic!("child_writer is started by two_processes_never_lose_an_update, which sets {CHILD_ENV}"));
    let name = std::env::var(NAME_ENV).unwrap_or_else(|_| panic!("{NAME_ENV} names the writer"));
    write_accounts(Path::new(&dir), &name);
}

#[test]
fn two_processes_never_lose_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["p1", "p2"]
        .into_iter()
        .map(|name| {
            let child = Command::new(&exe)
                .args(["--ignored", "--exact", "child_writer", "--test-threads", "1", "--nocapture"])
                .env(CHILD_ENV, &data)
                .env(NAME_ENV, name)
                .spawn()
                .unwrap();
            (name, child)
        })
        .collect();
    // This process writes too, once both children are ready: the three start together.
    let writer = std::thread::spawn({
        let data = data.clone();
        move || write_accounts(&data, "p0")
    });
    for name in ["p0", "p1", "p2"] {
        wait_for(&data.join(format!("ready-{name}")));
    }
    std::fs::write(data.join("go"), b"").unwrap();
    writer.join().unwrap();
    for (name, mut child) in children {
        assert!(child.wait().unwrap().success(), "writer {name} failed");
    }

    let accounts = AccountStore::new(&data).list().unwrap();
    for writer in ["p0", "p1", "p2"] {
        let kept = accounts.iter().filter(|a| a.id.starts_with(&format!("{writer}-"))).count();
        assert_eq!(kept, PER_WRITER, "every upsert of writer {writer} survives ({} accounts in all)", accounts.len());
    }
    assert_eq!(accounts.len(), 3 * PER_WRITER);
}
