//! Two real `entractl` processes on one lease store, racing: `lease reconcile` while its listing
//! of the target's credentials is held (the demo tenant's latency fault, on GETs only), and
//! `lease issue` meanwhile (its addPassword goes through at once). The lease issued during the
//! listing must keep its credential: reconciliation judges a credential by the lease read
//! *after* the listing that showed it. (Before that, it read every lease first, saw a credential
//! of this store with no lease in that early read, and removed the secret just handed out.)
//! Run under scripts/with-keyring.sh.

mod common;

use common::{seed_foreign, start};
use entra_demo::Faults;
use std::time::{Duration, Instant};

/// How long every Graph GET is held: long enough for a second process to start, sign in and issue.
const HOLD: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_lease_issued_while_reconciliation_lists_credentials_keeps_its_secret() {
    let cli = start(231, Duration::ZERO).await;
    let target = cli.target();
    let foreign = seed_foreign(&cli.tenant, &target);
    cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &[]).await.ok();
    let before = cli.passwords(&target).len();

    cli.tenant.set_faults(Faults { latency_ms: HOLD.as_millis() as u64, only_methods: vec!["GET".into()], ..Default::default() }).unwrap();
    let started = Instant::now();
    let reconcile = cli.spawn(&["lease", "reconcile", "--format", "json"]);
    // Let it start, sign in (the token endpoint is not held), read the store and send its GET.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let issued = cli.run(&["lease", "issue", "ci", "--format", "json"], &[]).await.ok().json();
    let issued_after = started.elapsed();
    let reconciled = reconcile.wait_with_output().await.unwrap();
    let reconciled_after = started.elapsed();
    cli.tenant.set_faults(Faults::default()).unwrap();
    let stderr = String::from_utf8_lossy(&reconciled.stderr);
    assert_eq!(reconciled.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&reconciled.stdout).unwrap();

    // The race happened: the issue ended while the listing was held, and the listing showed its credential.
    assert!(issued_after < reconciled_after, "issue {issued_after:?}, reconcile {reconciled_after:?}");
    assert_eq!(report["credentialsSeen"].as_u64(), Some(before as u64 + 1), "the listing came after addPassword: {report}");
    // And reconciliation left the new lease's credential alone.
    assert_eq!(report["removed"], 0, "{report}");
    let lease = &issued["lease"];
    let id = lease["id"].as_str().unwrap();
    let key = lease["keyId"].as_str().unwrap();
    assert!(cli.passwords(&target).iter().any(|p| p.key_id == key), "the secret just handed out still works");
    let leases = cli.leases().await;
    assert_eq!(leases[id]["status"], "active");
    let left: Vec<String> = cli.passwords(&target).into_iter().map(|p| p.key_id).collect();
    assert!(foreign.iter().all(|k| left.contains(k)), "nothing foreign was touched");
}
