//! The team store with real `entractl` processes: a throwaway PostgreSQL cluster (Debian's
//! server, started by the test), its schema and grants applied by `lease store init --apply` as
//! the owner role, and members (each its own data folder, as separate desktops would be) that
//! sign in to the database with their own roles. Checked: members see, and revoke, each
//! other's leases, each audit line names the database user that wrote it and the chain spans
//! the team; a member role cannot rewrite the audit log; two team stores and a desktop's own
//! store on one tenant never remove each other's credentials; the maintenance leader killed with
//! `kill -9` is replaced within ~30 s and expired leases are still revoked, once; a leader
//! whose connection is terminated steps down. Run under scripts/with-keyring.sh.

mod common;

use common::{check_invariants, seed_foreign, start, Cli};
use entra_testkit::postgres::Cluster;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A team store in a fresh cluster: owner `entra_owner`, members `alice` and `bob`.
struct Team {
    cli: Cli,
    cluster: Cluster,
    alice: tempfile::TempDir,
    bob: tempfile::TempDir,
}

const OWNER_PASSWORD: &str = "owner-pw-7f3a";
const ALICE_PASSWORD: &str = "alice-pw-19c2";
const BOB_PASSWORD: &str = "bob-pw-55e0";

async fn team(seed: u64) -> Team {
    assert!(Cluster::available(), "PostgreSQL's server is not installed: run scripts/setup.sh --for-tests");
    let cluster = Cluster::start().expect("a throwaway PostgreSQL cluster starts");
    cluster.create_role("entra_owner", OWNER_PASSWORD).unwrap();
    cluster.create_role("alice", ALICE_PASSWORD).unwrap();
    cluster.create_role("bob", BOB_PASSWORD).unwrap();
    cluster.sql("CREATE DATABASE leases OWNER entra_owner").unwrap();
    let cli = start(seed, Duration::ZERO).await;
    let t = Team { cli, cluster, alice: tempfile::tempdir().unwrap(), bob: tempfile::tempdir().unwrap() };
    let owner_url = t.url("entra_owner");
    let init = t
        .cli
        .plain(
            &["lease", "store", "init", &owner_url, "--member", "alice", "--member", "bob", "--apply"],
            &[("ENTRA_DESK_LEASE_STORE_PASSWORD", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(init.code, Some(0), "store init: {}\n{}", init.stdout, init.stderr);
    t
}

impl Team {
    fn url(&self, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/leases", self.cluster.port())
    }

    /// The environment of a member: its own data folder, the team store, its password.
    fn member(&self, who: &str) -> Vec<(String, String)> {
        let (dir, password) = match who {
            "alice" => (&self.alice, ALICE_PASSWORD),
            _ => (&self.bob, BOB_PASSWORD),
        };
        vec![
            ("ENTRA_DESK_DATA_DIR".into(), dir.path().to_string_lossy().into_owned()),
            ("ENTRA_DESK_LEASE_STORE".into(), self.url(who)),
            ("ENTRA_DESK_LEASE_STORE_PASSWORD".into(), password.into()),
        ]
    }

    async fn run(&self, who: &str, args: &[&str]) -> common::Out {
        let env = self.member(who);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.cli.run(args, &env).await
    }

    fn spawn(&self, who: &str, args: &[&str]) -> tokio::process::Child {
        let env = self.member(who);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.cli.spawn_with(args, &env)
    }

    async fn leases(&self, who: &str) -> HashMap<String, Value> {
        let out = self.run(who, &["lease", "list", "--format", "json"]).await.ok();
        out.json().as_array().unwrap().iter().map(|l| (l["id"].as_str().unwrap().to_string(), l.clone())).collect()
    }

    async fn store_id(&self) -> String {
        self.run("alice", &["lease", "overview"]).await.ok().json()["storeId"].as_str().unwrap().to_string()
    }

    /// The current leader row: (member, term, still valid).
    fn leader(&self) -> Option<(String, i64, bool)> {
        let row = self.cluster.sql_in("leases", "SELECT member, term, until > now() FROM entra_desk.leader WHERE name = 'maintenance'").unwrap();
        let mut parts = row.split('|');
        let member = parts.next().filter(|m| !m.is_empty())?.to_string();
        let term = parts.next()?.parse().ok()?;
        Some((member, term, parts.next() == Some("t")))
    }

    /// psql as `role` over 127.0.0.1 with its password: what a member could do by hand.
    fn psql_as(&self, role: &str, password: &str, sql: &str) -> std::process::Output {
        std::process::Command::new("psql")
            .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", &self.cluster.port().to_string(), "-U", role, "-d", "leases", "-c", sql])
            .env("PGPASSWORD", password)
            .output()
            .unwrap()
    }
}

#[tokio::test]
async fn members_see_and_revoke_each_others_leases_and_cannot_rewrite_the_audit_log() {
    let t = team(811).await;
    let target = t.cli.target();
    let foreign = seed_foreign(&t.cli.tenant, &target);
    t.run("alice", &["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"]).await.ok();
    let mine = t.run("alice", &["lease", "issue", "ci", "--format", "json"]).await.ok().json()["lease"].clone();
    let theirs = t.run("bob", &["lease", "issue", "ci", "--format", "json"]).await.ok().json()["lease"].clone();
    let mine_id = mine["id"].as_str().unwrap();

    // Bob sees Alice's lease, who issued it, and revokes it: the credential leaves the tenant.
    let seen = t.leases("bob").await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[mine_id]["issuedBy"].as_str().is_some_and(|u| !u.is_empty()), "{}", seen[mine_id]);
    let revoked = t.run("bob", &["lease", "revoke", mine_id, "--format", "json"]).await.ok().json();
    assert_eq!(revoked["status"], "revoked");
    assert!(t.cli.passwords(&target).iter().all(|p| Some(p.key_id.as_str()) != mine["keyId"].as_str()));

    // The audit log names the database user of each line, and one chain spans both members.
    let audit = t.run("alice", &["lease", "audit", "--format", "json"]).await.ok().json();
    let line = |action: &str, lease: &str| audit.as_array().unwrap().iter().find(|l| l["action"] == action && l["leaseId"] == lease).cloned().unwrap();
    assert_eq!(line("issued", mine_id)["databaseUser"], "alice");
    assert_eq!(line("revoked", mine_id)["databaseUser"], "bob");
    assert_eq!(line("issued", theirs["id"].as_str().unwrap())["databaseUser"], "bob");
    let verified = t.run("bob", &["lease", "audit", "--verify", "--format", "json"]).await;
    assert_eq!(verified.code, Some(0), "{}\n{}", verified.stdout, verified.stderr);

    // A member may add lines (it just did) but never change or remove one.
    for sql in ["UPDATE entra_desk.audit_log SET detail = 'nothing happened'", "DELETE FROM entra_desk.audit_log", "TRUNCATE entra_desk.audit_log"] {
        let out = t.psql_as("alice", ALICE_PASSWORD, sql);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains("permission denied"), "{sql}: {stderr}");
    }

    // A desktop's own store beside the team store, on the same tenant: neither removes the other's.
    let local_env = [("ENTRA_DESK_LEASE_STORE", "local")];
    let local = t.cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &local_env).await;
    assert_eq!(local.code, Some(0), "{}", local.stderr);
    let local_lease = t.cli.run(&["lease", "issue", "ci", "--format", "json"], &local_env).await.ok().json()["lease"].clone();
    // And a second team store on the same tenant (another database: another store ID).
    t.cluster.sql("CREATE DATABASE leases2 OWNER entra_owner").unwrap();
    let second = format!("postgres://entra_owner@127.0.0.1:{}/leases2", t.cluster.port());
    let second_env = [("ENTRA_DESK_LEASE_STORE", second.as_str()), ("ENTRA_DESK_LEASE_STORE_PASSWORD", OWNER_PASSWORD)];
    t.cli.plain(&["lease", "store", "init", &second, "--apply"], &second_env).await.ok();
    t.cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &second_env).await.ok();
    let second_lease = t.cli.run(&["lease", "issue", "ci", "--format", "json"], &second_env).await.ok().json()["lease"].clone();
    let team_report = t.run("alice", &["lease", "reconcile", "--format", "json"]).await.ok().json();
    let local_report = t.cli.run(&["lease", "reconcile", "--format", "json"], &local_env).await.ok().json();
    let second_report = t.cli.run(&["lease", "reconcile", "--format", "json"], &second_env).await.ok().json();
    let removed = |r: &Value| r["removed"].as_u64();
    assert_eq!((removed(&team_report), removed(&local_report), removed(&second_report)), (Some(0), Some(0), Some(0)), "{team_report} {local_report} {second_report}");
    let keys: Vec<String> = t.cli.passwords(&target).into_iter().map(|p| p.key_id).collect();
    for key in [&theirs["keyId"], &local_lease["keyId"], &second_lease["keyId"]] {
        assert!(keys.iter().any(|k| Some(k.as_str()) == key.as_str()), "{key} was removed");
    }
    check_invariants(&t.cli, &target, &t.store_id().await, &t.leases("alice").await, &foreign, "team store");
}

/// Waits until `f` holds, up to `limit`; returns how long it took.
async fn until(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if f() {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    None
}

fn pid_of(member: &str) -> i32 {
    member.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no pid in the member name {member}"))
}

#[tokio::test]
async fn a_leader_killed_is_replaced_and_expired_leases_are_still_revoked_once() {
    let t = team(812).await;
    let target = t.cli.target();
    let foreign = seed_foreign(&t.cli.tenant, &target);
    t.run("alice", &["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "8s", "--max-ttl", "1d"]).await.ok();
    let mut daemons: Vec<_> = ["alice", "bob", "alice"]
        .into_iter()
        .map(|who| t.spawn(who, &["lease", "daemon", "--every", "2s", "--format", "json"]))
        .collect();
    assert!(until(Duration::from_secs(20), || t.leader().is_some_and(|l| l.2)).await.is_some(), "nobody took the leadership");
    let (first, first_term, _) = t.leader().unwrap();
    let mut issued = Vec::new();
    for _ in 0..3 {
        issued.push(t.run("bob", &["lease", "issue", "ci", "--format", "json"]).await.ok().json()["lease"]["id"].as_str().unwrap().to_string());
    }

    // kill -9 the leader: another member takes over within ~30 s (a 20 s term, 5 s heartbeats).
    let killed = pid_of(&first);
    assert_eq!(kill_9(killed), 0, "kill -9 {killed}");
    let took = until(Duration::from_secs(35), || t.leader().is_some_and(|(m, term, valid)| valid && m != first && term > first_term)).await;
    assert!(took.is_some(), "no member took over from {first}: {:?}", t.leader());
    eprintln!("takeover after the leader was killed: {:?}", took.unwrap());

    // The new leader sweeps: every lease expired and was revoked, its credential removed once.
    let revoked_all = async {
        for _ in 0..160 {
            let leases = t.leases("alice").await;
            if issued.iter().all(|id| leases[id]["status"] == "expired") {
                return Some(leases);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        None
    };
    let leases = revoked_all.await.expect("the new leader revoked the expired leases");
    for d in daemons.iter_mut() {
        let _ = d.start_kill();
    }
    check_invariants(&t.cli, &target, &t.store_id().await, &leases, &foreign, "after the leader was killed");
    // Revoked once: one `expired` line per lease in the audit log.
    let audit = t.run("alice", &["lease", "audit", "--format", "json"]).await.ok().json();
    for id in &issued {
        let n = audit.as_array().unwrap().iter().filter(|l| l["leaseId"] == id.as_str() && l["action"] == "expired").count();
        assert_eq!(n, 1, "lease {id} was expired {n} times");
    }
}

fn kill_9(pid: i32) -> i32 {
    std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().map(|s| s.code().unwrap_or(1)).unwrap_or(1)
}

#[tokio::test]
async fn a_leader_whose_connection_is_terminated_steps_down() {
    let t = team(813).await;
    let target = t.cli.target();
    t.run("alice", &["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"]).await.ok();
    let mut daemon = t.spawn("alice", &["lease", "daemon", "--every", "2s", "--format", "json"]);
    assert!(until(Duration::from_secs(20), || t.leader().is_some_and(|l| l.2)).await.is_some(), "the member did not lead");
    let (_, term, _) = t.leader().unwrap();
    // Every connection of the member's role, as an admin (or a failover) would cut them.
    t.cluster.sql_in("leases", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'").unwrap();
    // Its next heartbeat fails: it gives the term up; a new term begins (its own or another's).
    let stepped = until(Duration::from_secs(25), || t.leader().is_some_and(|(_, now, _)| now > term)).await;
    assert!(stepped.is_some(), "the leader kept its term after losing its connection: {:?}", t.leader());
    let _ = daemon.start_kill();
}

#[tokio::test]
async fn the_database_restarted_mid_issue_leaves_nothing_the_next_reconciliation_cannot_settle() {
    let t = team(814).await;
    let target = t.cli.target();
    let foreign = seed_foreign(&t.cli.tenant, &target);
    t.run("alice", &["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"]).await.ok();
    // addPassword is held for 3 s; the database restarts meanwhile, so the commit that follows
    // the Graph call meets a dead connection.
    t.cli.tenant.set_faults(entra_demo::Faults { latency_ms: 3000, only_methods: vec!["POST".into()], ..Default::default() }).unwrap();
    let issue = t.spawn("alice", &["lease", "issue", "ci", "--format", "json"]);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    t.cluster.restart().expect("the database restarts");
    let out = issue.wait_with_output().await.unwrap();
    t.cli.tenant.set_faults(entra_demo::Faults::default()).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("issue across the restart: {:?}\n{stderr}", out.status.code());
    // Whatever the issue concluded, no secret is ever lost track of: the next reconciliation
    // (another member's) settles the intent, and the tenant agrees with the store.
    let report = t.run("bob", &["lease", "reconcile", "--format", "json"]).await.ok().json();
    assert!(report["errors"].as_array().is_some_and(|e| e.is_empty()), "{report}");
    let leases = t.leases("bob").await;
    assert_eq!(leases.len(), 1, "{leases:?}");
    check_invariants(&t.cli, &target, &t.store_id().await, &leases, &foreign, "after a database restart mid-issue");
}
