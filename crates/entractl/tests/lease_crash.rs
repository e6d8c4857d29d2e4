//! Crash safety of `entractl lease`, with the built binary against a demo tenant running in the
//! test process. For every fault point (`ENTRA_DESK_FAULT`) the process aborts there; then
//! `entractl lease reconcile` runs, and the target's credentials are read straight from the
//! tenant: no credential carrying this store's marker exists without an active lease, every
//! revoked, expired or abandoned lease's credential is gone, and the credentials made by
//! someone else (a person, another Entra Desk store, a look-alike name) all survive. The same
//! with 429s and 503s injected during revocation: the revocation succeeds after the Graph
//! client's retries or ends `revoke-failed`, and `entractl lease sweep` recovers it once the
//! faults are lifted and its backoff is over.
//! Run under scripts/with-keyring.sh (app-only sign-in keeps the demo client's secret there).

mod common;

use common::{check_invariants, seed_foreign, start};
use entra_core::leases::{FAULT_ENV, FAULT_POINTS};
use entra_demo::{Faults, RetryAfter};
use serde_json::Value;
use std::time::Duration;

const SIGABRT: i32 = 6;

#[tokio::test]
async fn every_fault_point_then_reconcile_leaves_nothing_of_ours_behind_and_everything_else_alone() {
    let cli = start(301, Duration::ZERO).await;
    let target = cli.target();
    let foreign = seed_foreign(&cli.tenant, &target);
    cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &[]).await.ok();
    let store_id = cli.store_id().await;
    // A credential of ours whose lease the store lost (e.g. a restored backup): reconciliation removes it.
    let lost = format!("entra-desk:{store_id}:{}", common::uuid_like(42));
    let lost_key = cli.tenant.add_foreign_password(&target, &lost, chrono::Utc::now() + chrono::Duration::days(1)).unwrap();

    for point in FAULT_POINTS {
        let before: Vec<String> = cli.leases().await.into_keys().collect();
        let revoking = point.starts_with("lease.revoke.");
        let subject = if revoking {
            let issued = cli.run(&["lease", "issue", "ci", "--format", "json"], &[]).await.ok().json();
            let id = issued["lease"]["id"].as_str().unwrap().to_string();
            let out = cli.run(&["lease", "revoke", &id], &[(FAULT_ENV, point)]).await;
            assert_abort(&out, point);
            assert_eq!(cli.leases().await[&id]["status"], "revoking", "{point}: the revocation was recorded before the Graph call");
            id
        } else {
            let out = cli.run(&["lease", "issue", "ci", "--format", "json"], &[(FAULT_ENV, point)]).await;
            assert_abort(&out, point);
            assert!(out.stdout.is_empty(), "{point}: nothing was printed, so no secret was shown: {}", out.stdout);
            let leases = cli.leases().await;
            let new: Vec<&String> = leases.keys().filter(|k| !before.contains(k)).collect();
            assert_eq!(new.len(), 1, "{point}: the intent was recorded before the Graph call");
            let status = leases[new[0]]["status"].as_str().unwrap();
            let expected = if *point == "lease.after_commit" { "active" } else { "pending" };
            assert_eq!(status, expected, "{point}");
            new[0].clone()
        };

        let report = cli.run(&["lease", "reconcile", "--format", "json"], &[]).await.ok().json();
        assert!(report["errors"].as_array().unwrap().is_empty(), "{point}: {report}");
        assert_eq!(report["foreign"].as_u64().unwrap() as usize, foreign.len(), "{point}: {report}");
        let leases = cli.leases().await;
        check_invariants(&cli, &target, &store_id, &leases, &foreign, point);
        let lease = &leases[&subject];
        let creds = cli.passwords(&target);
        let has_credential = creds.iter().any(|c| c.display_name.as_deref() == lease["marker"].as_str());
        match *point {
            "lease.after_intent" => {
                assert_eq!(lease["status"], "abandoned", "the addPassword never happened: {lease}");
                assert_eq!(report["abandoned"], 1, "{report}");
            }
            "lease.after_graph_add" => {
                assert_eq!(lease["status"], "active", "made but not committed: adopted: {lease}");
                assert!(lease["note"].as_str().unwrap().contains("adopted"), "{lease}");
                assert!(lease["keyId"].is_string() && has_credential);
                assert_eq!(report["adopted"], 1, "{report}");
            }
            "lease.after_commit" => {
                assert_eq!(lease["status"], "active");
                assert!(has_credential);
            }
            "lease.revoke.after_intent" => {
                assert_eq!(lease["status"], "revoked", "the interrupted revocation was finished: {lease}");
                assert!(!has_credential);
                assert_eq!(report["removed"], 1, "{report}");
            }
            "lease.revoke.after_graph_remove" => {
                assert_eq!(lease["status"], "revoked", "the removal happened; it is committed: {lease}");
                assert!(!has_credential);
                assert_eq!(report["closed"], 1, "{report}");
            }
            other => panic!("a fault point this test does not know: {other}"),
        }
        assert!(!creds.iter().any(|c| c.key_id == lost_key), "{point}: the lost credential of ours was removed");
        // A second reconciliation has nothing left to do.
        let again = cli.run(&["lease", "reconcile", "--format", "json"], &[]).await.ok().json();
        for field in ["removed", "adopted", "abandoned", "closed"] {
            assert_eq!(again[field], 0, "{point}: {field} in {again}");
        }
    }

    // Revoke everything that is left: nothing of ours remains, everything foreign does.
    for (id, lease) in cli.leases().await {
        if lease["status"] == "active" {
            cli.run(&["lease", "revoke", &id], &[]).await.ok();
        }
    }
    cli.run(&["lease", "reconcile"], &[]).await.ok();
    let leases = cli.leases().await;
    check_invariants(&cli, &target, &store_id, &leases, &foreign, "at the end");
    let mut left: Vec<String> = cli.passwords(&target).into_iter().map(|c| c.key_id).collect();
    left.sort();
    assert_eq!(left, foreign, "exactly the foreign credentials are left");
    let audit = cli.plain(&["lease", "audit", "--format", "json"], &[]).await.ok().json();
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "reconciled" && e["detail"].as_str().unwrap().contains("adopted")));
}

#[track_caller]
fn assert_abort(out: &common::Out, point: &str) {
    assert!(out.aborted(), "{point}: the process should have aborted: {out:?}");
    assert_eq!(out.signal, Some(SIGABRT), "{point}: abort() ends it with SIGABRT: {out:?}");
    assert!(out.stderr.contains(&format!("{FAULT_ENV}={point}")), "{point}: {}", out.stderr);
}

fn faults(throttle: f64, unavailable: f64) -> Faults {
    Faults {
        throttle_fraction: throttle,
        unavailable_fraction: unavailable,
        retry_after: "0.2".parse::<RetryAfter>().unwrap(),
        only_paths: vec!["removePassword".into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn throttled_and_unavailable_revocations_fail_visibly_then_the_sweeper_recovers_them() {
    let cli = start(302, Duration::ZERO).await;
    let target = cli.target();
    let foreign = seed_foreign(&cli.tenant, &target);
    cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &[]).await.ok();
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(cli.run(&["lease", "issue", "ci", "--format", "json"], &[]).await.ok().json()["lease"]["id"].as_str().unwrap().to_string());
    }
    let key_of = |leases: &std::collections::HashMap<String, Value>, id: &str| leases[id]["keyId"].as_str().unwrap().to_string();
    let issued = cli.leases().await;
    let served = cli.tenant.stats().total;

    // Every removePassword answered 429: the client retries, then gives up; the lease shows as failing.
    cli.tenant.set_faults(faults(1.0, 0.0)).unwrap();
    let out = cli.run(&["lease", "revoke", &ids[0]], &[]).await;
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("could not be revoked") && out.stderr.contains("retries it"), "{}", out.stderr);
    // Every removePassword answered 503.
    cli.tenant.set_faults(faults(0.0, 1.0)).unwrap();
    let out = cli.run(&["lease", "revoke", &ids[1]], &[]).await;
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(cli.tenant.stats().total - served >= 8, "the Graph client retried (4 attempts each)");
    // Some of them answered 429 or 503: the retries may get through, or not.
    cli.tenant.set_faults(faults(0.4, 0.3)).unwrap();
    let out = cli.run(&["lease", "revoke", &ids[2]], &[]).await;
    assert!(matches!(out.code, Some(0) | Some(2)), "{out:?}");

    let leases = cli.leases().await;
    let failing: Vec<&String> = ids.iter().filter(|id| leases[*id]["status"] == "revokeFailed").collect();
    assert!(failing.contains(&&ids[0]) && failing.contains(&&ids[1]), "{leases:?}");
    for id in &failing {
        let lease = &leases[*id];
        assert_eq!(lease["revokeAttempts"], 1, "{lease}");
        assert!(lease["nextAttemptAt"].is_string() && lease["lastError"].is_string(), "{lease}");
        assert!(cli.passwords(&target).iter().any(|c| c.key_id == key_of(&issued, id)), "a failed revocation leaves the credential (for now)");
    }
    if leases[&ids[2]]["status"] == "revoked" {
        assert!(!cli.passwords(&target).iter().any(|c| c.key_id == key_of(&issued, &ids[2])));
    }
    let table = cli.plain(&["lease", "list"], &[]).await.ok().stdout;
    assert!(table.contains("revoke-failed (1 attempt(s))"), "{table}");
    let audit = cli.plain(&["lease", "audit", "--format", "json"], &[]).await.ok().json();
    let failures: Vec<&Value> = audit.as_array().unwrap().iter().filter(|e| e["action"] == "revokeFailed").collect();
    assert_eq!(failures.len(), failing.len());
    assert!(failures.iter().all(|e| e["requestId"].is_string()), "the last failed request's ID: {failures:?}");

    // While the backoff runs, a sweep leaves them (and says they are still failing: exit 1).
    let out = cli.run(&["lease", "sweep", "--format", "json"], &[]).await;
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.json()["failing"].as_u64().unwrap() as usize, failing.len());

    // Faults lifted, backoff over: the sweeper recovers every one.
    cli.tenant.set_faults(Faults::default()).unwrap();
    let due = failing.iter().map(|id| chrono::DateTime::parse_from_rfc3339(leases[*id]["nextAttemptAt"].as_str().unwrap()).unwrap()).max().unwrap();
    let wait = (due.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(500);
    assert!(wait <= Duration::from_secs(31), "the first retry comes 30 s after a failure: {wait:?}");
    tokio::time::sleep(wait).await;
    let report = cli.run(&["lease", "sweep", "--format", "json"], &[]).await.ok().json();
    assert_eq!(report["recovered"].as_u64().unwrap() as usize, failing.len(), "{report}");
    assert_eq!(report["failing"], 0);
    let leases = cli.leases().await;
    for id in &ids {
        assert_eq!(leases[id]["status"], "revoked", "{}", leases[id]);
        assert!(!cli.passwords(&target).iter().any(|c| c.key_id == key_of(&issued, id)), "the credential is gone");
    }
    let audit = cli.plain(&["lease", "audit", "--format", "json"], &[]).await.ok().json();
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "revoked" && e["actor"] == "sweeper" && e["detail"].as_str().unwrap().contains("failed attempt")), "{audit}");
    cli.run(&["lease", "reconcile"], &[]).await.ok();
    let store_id = cli.store_id().await;
    check_invariants(&cli, &target, &store_id, &cli.leases().await, &foreign, "after the sweep");
}
