//! `entractl lease` as a script runs it: the built binary against a demo tenant running in the
//! test process (app-only with the secret in ENTRA_CLIENT_SECRET), the lease store in
//! ENTRA_DESK_DATA_DIR across runs; and once with `--demo`.
//! Run under scripts/with-keyring.sh (app-only sign-in keeps the demo client's secret there).

mod common;

use common::{seed_foreign, start};
use entra_testkit::{assert_nothing_secret_under, Needle};
use serde_json::Value;
use std::time::Duration;

fn rfc3339(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}"))).unwrap().with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn define_issue_list_renew_revoke_reconcile_and_audit_an_app_secret() {
    let cli = start(201, Duration::ZERO).await;
    let target = cli.tenant.lease_targets().application;
    let foreign = seed_foreign(&cli.tenant, &target.object_id);
    let before = cli.passwords(&target.object_id).len();

    let out = cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target.object_id, "--ttl", "1h", "--max-ttl", "1d"], &[]).await.ok();
    assert!(out.stdout.contains("Defined ci: app-secret on") && out.stdout.contains(&target.display_name), "{}", out.stdout);
    assert!(out.stdout.contains("TTL 1h, max TTL 1d"), "{}", out.stdout);
    let defs = cli.plain(&["lease", "definitions", "--format", "json"], &[]).await.ok().json();
    assert_eq!(defs.as_array().unwrap().len(), 1);
    let d = &defs[0];
    assert_eq!((d["name"].as_str(), d["kind"].as_str(), d["ttlSecs"].as_u64(), d["maxTtlSecs"].as_u64()), (Some("ci"), Some("appSecret"), Some(3600), Some(86_400)));
    assert_eq!(d["targetName"], target.display_name.as_str());
    let table = cli.plain(&["lease", "definitions"], &[]).await.ok().stdout;
    assert!(table.starts_with("NAME") && table.contains("MAX TTL") && table.lines().nth(1).unwrap().starts_with("ci "), "{table}");
    // The name is taken.
    let again = cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target.object_id, "--ttl", "1h", "--max-ttl", "1d"], &[]).await;
    assert_eq!(again.code, Some(2));
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    // Issue (JSON): the shape the app's screen receives, {lease, secret, secretExpiresAt, usableAfterMs, warning}; the secret once.
    let out = cli.run(&["lease", "issue", "ci", "--format", "json"], &[]).await.ok().json();
    let keys: Vec<&str> = out.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["lease", "secret", "secretExpiresAt", "usableAfterMs", "warning"], "{out}");
    assert!(out["secretExpiresAt"].is_null(), "an app secret ends with its lease");
    assert!(out["usableAfterMs"].is_null() && out["warning"].is_null(), "no --wait, nothing went wrong: {out}");
    let issued = &out["lease"];
    for field in ["id", "definition", "kind", "target", "status", "issuedAt", "expiresAt", "maxExpiresAt", "keyId", "marker"] {
        assert!(!issued[field].is_null(), "{field}: {issued}");
    }
    assert_eq!((issued["status"].as_str(), issued["kind"].as_str(), issued["definition"].as_str()), (Some("active"), Some("appSecret"), Some("ci")));
    let (issued_at, expires, max) = (rfc3339(&issued["issuedAt"]), rfc3339(&issued["expiresAt"]), rfc3339(&issued["maxExpiresAt"]));
    assert_eq!((expires - issued_at).num_seconds(), 3600);
    assert_eq!((max - issued_at).num_seconds(), 86_400);
    let id = issued["id"].as_str().unwrap().to_string();
    let secret = out["secret"].as_str().unwrap().to_string();
    let store_id = cli.store_id().await;
    assert_eq!(issued["marker"].as_str().unwrap(), format!("entra-desk:{store_id}:{id}"));
    let creds = cli.passwords(&target.object_id);
    assert_eq!(creds.len(), before + 1);
    let cred = creds.iter().find(|c| Some(c.key_id.as_str()) == issued["keyId"].as_str()).expect("the credential is in the tenant");
    assert_eq!(cred.display_name.as_deref(), issued["marker"].as_str());
    assert!((cred.end - max).num_seconds().abs() <= 1, "endDateTime {} = the max TTL {max}", cred.end);
    assert!(secret.starts_with(&cred.hint), "the hint is the secret's start");

    // Issue (people): the secret on its own line, last.
    let human = cli.run(&["lease", "issue", "ci", "--ttl", "30m"], &[]).await.ok().stdout;
    assert!(human.starts_with("Issued lease ") && human.contains("Key ID:") && human.contains("shown once"), "{human}");
    let human_secret = human.lines().last().unwrap();
    assert!(human_secret.len() >= 16 && !human_secret.contains(' '), "{human}");
    let second = human.split_whitespace().nth(2).unwrap().to_string();

    // List: both, with the pipeline fields; never a secret.
    let list_out = cli.plain(&["lease", "list", "--format", "json"], &[]).await.ok();
    assert!(!list_out.stdout.contains(&secret) && !list_out.stdout.contains(human_secret));
    let list = list_out.json();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], second.as_str(), "newest first");
    for r in rows {
        for field in ["id", "definition", "kind", "target", "status", "issuedAt", "expiresAt", "maxExpiresAt"] {
            assert!(!r[field].is_null(), "{field}: {r}");
        }
        rfc3339(&r["issuedAt"]);
        assert!(r.get("issued_at").is_none(), "camelCase only: {r}");
        assert_eq!(r["target"], target.object_id.as_str());
        assert!(r.get("secret").is_none());
    }
    let table = cli.plain(&["lease", "list"], &[]).await.ok().stdout;
    assert!(table.starts_with("ID") && table.contains("STATUS") && table.contains(&id) && table.contains("in 59m"), "{table}");
    let shown = cli.plain(&["lease", "show", &id], &[]).await.ok().stdout;
    assert!(shown.contains("Status:      active") && shown.contains("Marker:"), "{shown}");

    // Renew: from now, within the max TTL.
    let renewed = cli.plain(&["lease", "renew", &id, "--ttl", "2h", "--format", "json"], &[]).await.ok().json();
    let left = rfc3339(&renewed["expiresAt"]) - chrono::Utc::now();
    assert!((7000..=7200).contains(&left.num_seconds()), "{renewed}");
    assert!(!renewed["renewedAt"].is_null());
    let too_long = cli.plain(&["lease", "renew", &id, "--ttl", "2d"], &[]).await;
    assert_eq!(too_long.code, Some(2));
    assert!(too_long.stderr.contains("above the max TTL") && too_long.stderr.contains("1d"), "{}", too_long.stderr);

    // Revoke: the credential leaves the application; a second revoke has nothing to do.
    let revoked = cli.run(&["lease", "revoke", &id], &[]).await.ok().stdout;
    assert!(revoked.starts_with(&format!("Revoked {id}")), "{revoked}");
    assert!(!cli.passwords(&target.object_id).iter().any(|c| Some(c.key_id.as_str()) == issued["keyId"].as_str()));
    let twice = cli.run(&["lease", "revoke", &id, "--format", "json"], &[]).await;
    assert_eq!(twice.code, Some(2));
    assert!(twice.stderr.contains("already revoked"), "{}", twice.stderr);

    // Reconcile: the tenant agrees with the store; foreign credentials are counted, not touched.
    let report = cli.run(&["lease", "reconcile", "--format", "json"], &[]).await.ok().json();
    assert_eq!(report["targets"], 1);
    assert_eq!((report["removed"].as_u64(), report["adopted"].as_u64(), report["closed"].as_u64()), (Some(0), Some(0), Some(0)), "{report}");
    assert_eq!(report["foreign"].as_u64().unwrap() as usize, before, "{report}");
    assert!(report["errors"].as_array().unwrap().is_empty());
    let human = cli.run(&["lease", "reconcile"], &[]).await.ok().stdout;
    assert!(human.starts_with("Reconciled 1 application(s)") && human.contains("foreign left alone"), "{human}");

    // The definition cannot go while a lease of it is live.
    let refused = cli.plain(&["lease", "undefine", "ci"], &[]).await;
    assert_eq!(refused.code, Some(2));
    assert!(refused.stderr.contains("live lease"), "{}", refused.stderr);
    cli.run(&["lease", "revoke", &second], &[]).await.ok();
    cli.plain(&["lease", "undefine", "ci"], &[]).await.ok();
    assert_eq!(cli.plain(&["lease", "definitions", "--format", "json"], &[]).await.ok().json(), serde_json::json!([]));

    // The audit log: every step, Graph's request IDs, exportable; no secret anywhere in it.
    let audit = cli.plain(&["lease", "audit", "--format", "json"], &[]).await.ok().json();
    let entries = audit.as_array().unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    for wanted in ["defined", "intent", "issued", "renewed", "revoked", "undefined"] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    for e in entries.iter().filter(|e| e["action"] == "issued" || e["action"] == "revoked") {
        assert!(e["requestId"].as_str().is_some_and(|r| !r.is_empty()), "a Graph request ID: {e}");
        rfc3339(&e["at"]);
    }
    let limited = cli.plain(&["lease", "audit", "--limit", "2", "--format", "json"], &[]).await.ok().json();
    assert_eq!(limited.as_array().unwrap().len(), 2);
    assert_eq!(limited[0], entries[0], "newest first");
    let csv = cli.plain(&["lease", "audit", "--format", "csv"], &[]).await.ok().stdout;
    assert!(csv.starts_with("seq,at,action,lease_id,definition,target,actor,detail,request_id,database_user\r\n"), "{csv:.200}");
    assert_eq!(csv.matches("\r\n").count(), entries.len() + 1);
    let jsonl = cli.plain(&["lease", "audit", "--format", "jsonl"], &[]).await.ok().stdout;
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), entries.len());
    assert!(lines.windows(2).all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()), "oldest first");
    let table = cli.plain(&["lease", "audit"], &[]).await.ok().stdout;
    assert!(table.starts_with("SEQ") && table.contains("REQUEST ID"), "{table}");
    for text in [&csv, &jsonl, &table] {
        assert!(!text.contains(&secret) && !text.contains(human_secret));
    }
    let sign_in_secret = cli.tenant.info().confidential_client.client_secret.clone();
    assert_nothing_secret_under(
        cli.dir.path(),
        &[
            Needle::new("the secret issued as JSON", &secret),
            Needle::new("the secret printed for people", human_secret),
            Needle::new("the app-only sign-in secret (keychain only)", &sign_in_secret),
        ],
    );

    // Nothing foreign was touched on the way.
    let left: Vec<String> = cli.passwords(&target.object_id).into_iter().map(|c| c.key_id).collect();
    assert!(foreign.iter().all(|k| left.contains(k)));
    assert_eq!(left.len(), before);
}

#[tokio::test]
async fn ttl_limits_renew_limits_and_the_sweeper_after_an_expiry_while_nothing_ran() {
    let cli = start(202, Duration::ZERO).await;
    let target = cli.target();
    let foreign = seed_foreign(&cli.tenant, &target);
    let define = |name: &'static str, ttl: &'static str, max: &'static str| {
        let target = target.clone();
        let cli = &cli;
        async move { cli.run(&["lease", "define", name, "--kind", "app-secret", "--target", &target, "--ttl", ttl, "--max-ttl", max], &[]).await }
    };
    // Definitions: TTL above max TTL, bad durations, too long.
    let out = define("bad", "2h", "1h").await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("longer than the max TTL"), "{}", out.stderr);
    for (ttl, max, words) in [("1y", "2d", "not a duration"), ("0m", "1h", "zero"), ("1h", "731d", "730d")] {
        let out = define("bad", ttl, max).await;
        assert_eq!(out.code, Some(2), "{ttl} {max}");
        assert!(out.stderr.contains(words), "{ttl} {max}: {}", out.stderr);
    }
    let out = cli.run(&["lease", "define", "bad", "--kind", "app-secret", "--target", "my-app", "--ttl", "1h", "--max-ttl", "2h"], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("not an application object ID"), "{}", out.stderr);
    let unknown = uuid_v4_like();
    let out = cli.run(&["lease", "define", "bad", "--kind", "app-secret", "--target", &unknown, "--ttl", "1h", "--max-ttl", "2h"], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("no application"), "{}", out.stderr);
    assert_eq!(cli.plain(&["lease", "definitions", "--format", "json"], &[]).await.ok().json(), serde_json::json!([]));

    define("lim", "1h", "2h").await.ok();
    let creds_before = cli.passwords(&target).len();
    // A lease TTL above the max TTL: refused, nothing recorded, nothing made.
    let out = cli.run(&["lease", "issue", "lim", "--ttl", "3h"], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("above the max TTL") && out.stderr.contains("Nothing was issued"), "{}", out.stderr);
    assert!(cli.leases().await.is_empty());
    assert_eq!(cli.passwords(&target).len(), creds_before);

    // Renewals: never past issue time + max TTL.
    let issued = cli.run(&["lease", "issue", "lim", "--ttl", "30m", "--format", "json"], &[]).await.ok().json();
    let lease = &issued["lease"];
    let id = lease["id"].as_str().unwrap();
    let max = rfc3339(&lease["maxExpiresAt"]);
    let out = cli.plain(&["lease", "renew", id, "--ttl", "3h"], &[]).await;
    assert_eq!(out.code, Some(2), "above the max TTL");
    assert!(out.stderr.contains("was not changed"), "{}", out.stderr);
    let out = cli.plain(&["lease", "renew", id, "--ttl", "2h"], &[]).await.ok();
    assert!(out.stdout.contains("cannot be renewed further"), "capped at the max TTL: {}", out.stdout);
    let renewed = cli.plain(&["lease", "show", id, "--format", "json"], &[]).await.ok().json();
    assert!((rfc3339(&renewed["expiresAt"]) - max).num_milliseconds().abs() <= 1, "{renewed}");
    let out = cli.plain(&["lease", "renew", id], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("already runs to its max TTL"), "{}", out.stderr);

    // The sweeper catches up with a lease that expired while no entractl ran.
    let short = cli.run(&["lease", "issue", "lim", "--ttl", "2s", "--format", "json"], &[]).await.ok().json();
    let short_id = short["lease"]["id"].as_str().unwrap();
    let key = short["lease"]["keyId"].as_str().unwrap().to_string();
    assert!(cli.passwords(&target).iter().any(|c| c.key_id == key));
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let table = cli.plain(&["lease", "list"], &[]).await.ok().stdout;
    assert!(table.contains("expired: the sweeper revokes it"), "{table}");
    let report = cli.run(&["lease", "sweep", "--format", "json"], &[]).await.ok().json();
    assert_eq!((report["expired"].as_u64(), report["failing"].as_u64()), (Some(1), Some(0)), "{report}");
    let leases = cli.leases().await;
    assert_eq!(leases[short_id]["status"], "expired");
    assert!(!leases[short_id]["endedAt"].is_null());
    assert_eq!(leases[id]["status"], "active");
    assert!(!cli.passwords(&target).iter().any(|c| c.key_id == key), "the expired lease's credential is gone");
    let human = cli.run(&["lease", "sweep"], &[]).await.ok().stdout;
    assert!(human.starts_with("Swept: 0 expired"), "{human}");
    let store_id = cli.store_id().await;
    common::check_invariants(&cli, &target, &store_id, &leases, &foreign, "after the sweep");
}

#[tokio::test]
async fn maintain_runs_the_apps_maintenance_once_or_until_sigterm() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let cli = start(206, Duration::ZERO).await;
    let target = cli.target();
    let foreign = seed_foreign(&cli.tenant, &target);
    cli.run(&["lease", "define", "ci", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &[]).await.ok();
    let short = cli.run(&["lease", "issue", "ci", "--ttl", "1s", "--format", "json"], &[]).await.ok().json()["lease"].clone();
    let long = cli.run(&["lease", "issue", "ci", "--format", "json"], &[]).await.ok().json()["lease"].clone();
    tokio::time::sleep(Duration::from_millis(1600)).await;

    // --once: one run, as the app's first of a process: the expired lease swept, a reconciliation.
    let run = cli.run(&["lease", "maintain", "--once", "--format", "json"], &[]).await.ok().json();
    assert_eq!((run["sweep"]["expired"].as_u64(), run["error"].as_str()), (Some(1), None), "{run}");
    assert_eq!(run["reconcile"]["foreign"].as_u64().unwrap() as usize, foreign.len(), "{run}");
    assert!(run["reconcile"]["credentialsSeen"].is_u64() && run["sweep"]["tokensRefreshed"] == 0, "camelCase: {run}");
    assert_eq!(cli.plain(&["lease", "overview"], &[]).await.ok().json()["lastMaintenance"], run, "the app's screen shows the same run");
    let leases = cli.leases().await;
    assert_eq!(leases[short["id"].as_str().unwrap()]["status"], "expired");
    assert_eq!(leases[long["id"].as_str().unwrap()]["status"], "active");
    assert!(!cli.passwords(&target).iter().any(|c| Some(c.key_id.as_str()) == short["keyId"].as_str()), "its credential was removed");
    common::check_invariants(&cli, &target, &cli.store_id().await, &leases, &foreign, "after maintain --once");

    // The loop: a line per run at once, then until SIGTERM, which ends it cleanly (exit 0).
    let mut child = cli.spawn(&["lease", "maintain"]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.expect("a run at start").unwrap().expect("a line");
    assert!(first.contains("Swept: 0 expired lease(s) revoked") && first.contains("; Reconciled 1 application(s)"), "{first}");
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await.expect("it stops on SIGTERM").unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).await.unwrap();
    assert!(stderr.contains("until Ctrl-C or SIGTERM") && stderr.contains("Stopping after the current run"), "{stderr}");
    assert_eq!(lines.next_line().await.unwrap(), None, "no run after the stop");
    common::check_invariants(&cli, &target, &cli.store_id().await, &cli.leases().await, &foreign, "after maintain");
}

fn uuid_v4_like() -> String {
    common::uuid_like(0xdead)
}

#[tokio::test]
async fn a_user_password_lease_needs_the_opt_in_and_resets_the_password() {
    let cli = start(203, Duration::ZERO).await;
    let user = cli.tenant.lease_targets().user;
    let args = ["lease", "define", "pw", "--kind", "user-password", "--target", &user.id, "--ttl", "1h", "--max-ttl", "1d"];
    let out = cli.run(&args, &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("--i-understand-this-resets-a-password") && out.stderr.contains("User.ReadWrite.All"), "{}", out.stderr);
    let mut confirmed = args.to_vec();
    confirmed.push("--i-understand-this-resets-a-password");
    let out = cli.run(&confirmed, &[]).await.ok();
    assert!(out.stdout.contains(&user.user_principal_name), "{}", out.stdout);

    let issued = cli.run(&["lease", "issue", "pw", "--format", "json"], &[]).await.ok().json();
    let password = issued["secret"].as_str().unwrap();
    assert_eq!(password.len(), 64);
    assert_eq!(issued["lease"]["kind"], "userPassword");
    assert!(issued["lease"]["keyId"].is_null() && issued["lease"]["marker"].is_null());
    assert!(cli.tenant.password_accepted(&user.id, password), "the sign-in form takes the lease's password");
    let id = issued["lease"]["id"].as_str().unwrap();
    cli.run(&["lease", "revoke", id], &[]).await.ok();
    assert!(!cli.tenant.password_accepted(&user.id, password), "revoked: the lease's password no longer works");
    let audit = cli.plain(&["lease", "audit", "--format", "json"], &[]).await.ok().json();
    for action in ["issued", "revoked"] {
        let line = audit.as_array().unwrap().iter().find(|e| e["action"] == action).unwrap();
        assert!(line["requestId"].is_string(), "{line}");
    }
}

#[tokio::test]
async fn an_access_token_lease_keeps_its_client_secret_in_the_keychain() {
    let cli = start(204, Duration::ZERO).await;
    // The token is for the lease target application, with a client secret an app-secret lease hands out.
    let app = cli.tenant.lease_targets().application;
    cli.run(&["lease", "define", "app", "--kind", "app-secret", "--target", &app.object_id, "--ttl", "1h", "--max-ttl", "1d"], &[]).await.ok();
    let app_secret = cli.run(&["lease", "issue", "app", "--format", "json"], &[]).await.ok().json()["secret"].as_str().unwrap().to_string();
    let scope = "https://graph.microsoft.com/.default";
    let base = ["lease", "define", "tok", "--kind", "access-token", "--target", scope, "--ttl", "30m", "--max-ttl", "1h"];
    let out = cli.run(&base, &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("--app-client-id"), "{}", out.stderr);
    let mut args = base.to_vec();
    args.extend(["--app-client-id", app.app_id.as_str()]);
    let out = cli.run(&args, &[]).await;
    assert_eq!(out.code, Some(2), "no secret known: {out:?}");
    assert!(out.stderr.contains("ENTRA_LEASE_CLIENT_SECRET"), "{}", out.stderr);
    let secret_env = [("ENTRA_LEASE_CLIENT_SECRET", app_secret.as_str())];
    let bad_scope = cli.run(&["lease", "define", "tok", "--kind", "access-token", "--target", "User.Read", "--ttl", "30m", "--max-ttl", "1h", "--app-client-id", &app.app_id], &secret_env).await;
    assert_eq!(bad_scope.code, Some(2));
    assert!(bad_scope.stderr.contains(".default"), "{}", bad_scope.stderr);
    cli.run(&args, &secret_env).await.ok();
    let defs = cli.plain(&["lease", "definitions", "--format", "json"], &[]).await.ok();
    assert!(!defs.stdout.contains(&app_secret));
    let defs = defs.json();
    let tok = defs.as_array().unwrap().iter().find(|d| d["name"] == "tok").unwrap();
    assert_eq!(tok["clientId"], app.app_id.as_str());
    assert_eq!(tok["kind"], "accessToken");

    let issued = cli.run(&["lease", "issue", "tok", "--format", "json"], &[]).await.ok().json();
    let token = issued["secret"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token:.20}");
    let claims = entra_jwt::decode(token).unwrap().payload;
    assert_eq!(claims.get("appid").or(claims.get("azp")).and_then(Value::as_str), Some(app.app_id.as_str()), "{claims:?}");
    let id = issued["lease"]["id"].as_str().unwrap();
    // Another process: the token is fetched again with the secret from the keychain.
    let again = cli.run(&["lease", "token", id], &[]).await.ok();
    assert_eq!(again.stdout.trim().split('.').count(), 3, "the token alone on stdout");
    assert!(again.stderr.contains("valid at Entra until"), "its own expiry for people: {}", again.stderr);
    // The token's own expiry, not the lease's (the token outlives this 30-minute lease).
    assert!(issued["secretExpiresAt"].as_str().unwrap() > issued["lease"]["expiresAt"].as_str().unwrap(), "{} vs {}", issued["secretExpiresAt"], issued["lease"]["expiresAt"]);
    let as_json = cli.run(&["lease", "token", id, "--format", "json"], &[]).await.ok().json();
    let exp = entra_jwt::decode(as_json["token"].as_str().unwrap()).unwrap().payload.get("exp").and_then(Value::as_i64).unwrap();
    let expires_at = chrono::DateTime::parse_from_rfc3339(as_json["expiresAt"].as_str().unwrap()).unwrap();
    assert!((expires_at.timestamp() - exp).abs() <= 5, "expiresAt {expires_at} is the token's exp {exp}");
    // The client secret is only in the keychain, and the tokens (JWTs) only in memory.
    assert_nothing_secret_under(cli.dir.path(), &[Needle::new("the definition's client secret", &app_secret)]);
    cli.run(&["lease", "revoke", id], &[]).await.ok();
    let out = cli.run(&["lease", "token", id], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("revoked"), "{}", out.stderr);
    let out = cli.run(&["lease", "token", "no-such-lease"], &[]).await;
    assert_eq!(out.code, Some(2));
}

#[tokio::test]
async fn bad_input_and_missing_sign_in_exit_2_with_the_fix() {
    let cli = start(205, Duration::ZERO).await;
    for args in [
        &["lease", "define", "x", "--kind", "bogus", "--target", "t", "--ttl", "1h", "--max-ttl", "1h"][..],
        &["lease", "list", "--format", "xml"],
        &["lease", "audit", "--format", "yaml"],
        &["lease", "issue"],
        &["lease", "frobnicate"],
        &["lease", "list", "--demo", "--authority", "https://login.microsoftonline.com/x"],
    ] {
        let out = cli.plain(args, &[]).await;
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(!out.stderr.is_empty());
    }
    for args in [&["lease", "renew", "nope"][..], &["lease", "show", "nope"]] {
        let out = cli.plain(args, &[]).await;
        assert_eq!(out.code, Some(2));
        assert!(out.stderr.contains("There is no lease 'nope'"), "{}", out.stderr);
    }
    // Nothing to sign in with (no account remembered yet): the fix is named. Local commands need no sign-in.
    let out = cli.plain(&["lease", "issue", "nothing"], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("entractl login"), "{}", out.stderr);
    cli.plain(&["lease", "list"], &[]).await.ok();
    let out = cli.plain(&["lease", "audit"], &[]).await.ok();
    assert!(out.stdout.contains("empty"), "{}", out.stdout);
    // Define without an account: refused (a definition belongs to the tenant it is defined in).
    let target = cli.target();
    let out = cli.plain(&["lease", "define", "offline", "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("error[not_signed_in]") && out.stderr.contains("entractl login"), "{}", out.stderr);
    assert_eq!(cli.plain(&["lease", "definitions", "--format", "json"], &[]).await.ok().json(), serde_json::json!([]));
    let out = cli.run(&["lease", "issue", "nothing"], &[]).await;
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("no dynamic secret named 'nothing'"), "{}", out.stderr);
}

#[tokio::test]
async fn audit_verify_passes_on_an_untouched_log_and_names_the_line_edited_behind_its_back() {
    let cli = start(207, Duration::ZERO).await;
    // A new store: nothing to check, nothing broken.
    let out = cli.plain(&["lease", "audit", "--verify"], &[]).await.ok();
    assert!(out.stdout.contains("empty: nothing to check"), "{}", out.stdout);
    let target = cli.target();
    for name in ["one", "two"] {
        cli.run(&["lease", "define", name, "--kind", "app-secret", "--target", &target, "--ttl", "1h", "--max-ttl", "1d"], &[]).await.ok();
    }
    cli.run(&["lease", "undefine", "one"], &[]).await.ok();

    let out = cli.plain(&["lease", "audit", "--verify"], &[]).await.ok();
    assert!(out.stdout.starts_with("The audit log's hash chain is intact: 3 lines checked"), "{}", out.stdout);
    assert!(out.stdout.contains("Head: line 3, hash "), "{}", out.stdout);
    let found = cli.plain(&["lease", "audit", "--verify", "--format", "json"], &[]).await.ok().json();
    assert_eq!((found["lines"].as_u64(), found["checked"].as_u64(), found["legacy"].as_u64()), (Some(3), Some(3), Some(0)), "{found}");
    assert_eq!(found["headSeq"], 3);
    assert!(found["headHash"].as_str().is_some_and(|h| h.len() == 64), "{found}");
    assert!(found["firstBreak"].is_null() && found.get("first_break").is_none(), "camelCase: {found}");
    let head = found["headHash"].as_str().unwrap().to_string();

    // Only a table or JSON; and --limit means nothing to a check of the whole log.
    for args in [&["lease", "audit", "--verify", "--format", "csv"][..], &["lease", "audit", "--verify", "--limit", "2"]] {
        let out = cli.plain(args, &[]).await;
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
    }

    // Someone edits line 2 behind the store's back, past the append-only triggers: with sqlite3
    // in the data folder's file, or as the team store's superuser.
    if let Some(url) = &cli.team_store {
        let sql = "ALTER TABLE entra_desk.audit_log DISABLE TRIGGER ALL; UPDATE entra_desk.audit_log SET actor = 'someone else' WHERE seq = 2;";
        let out = std::process::Command::new("psql").args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    } else {
        let store = entra_core::leases::SqliteLeaseStore::open(cli.dir.path().join("leases.sqlite")).unwrap();
        store
            .engine()
            .write(|tx| {
                tx.execute_batch("DROP TRIGGER audit_log_append_only_update; UPDATE audit_log SET actor = 'someone else' WHERE seq = 2;")?;
                Ok(())
            })
            .unwrap();
        drop(store);
    }
    let out = cli.plain(&["lease", "audit", "--verify"], &[]).await;
    assert_eq!(out.code, Some(1), "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert!(out.stdout.contains("BROKEN: line 2 does not match its hash"), "{}", out.stdout);
    assert!(out.stdout.contains("1 line checked before it") && out.stdout.contains("Last line that verified: line 1"), "{}", out.stdout);
    assert!(out.stderr.contains("line 2") && out.stderr.contains("Keep leases.sqlite") && out.stderr.contains("backup"), "{}", out.stderr);
    assert!(out.stderr.contains("exported copy"), "{}", out.stderr);
    let out = cli.plain(&["lease", "audit", "--verify", "--format", "json"], &[]).await;
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let found = out.json();
    let broken = &found["firstBreak"];
    assert_eq!((broken["seq"].as_i64(), broken["afterSeq"].as_i64(), broken["problem"].as_str()), (Some(2), Some(1), Some("hashMismatch")), "{found}");
    assert_ne!(found["headHash"].as_str(), Some(head.as_str()), "the head before the edit is not reported as verified");
    // The log itself still reads: the check reports, it never refuses to show the lines.
    cli.plain(&["lease", "audit"], &[]).await.ok();
}

#[tokio::test]
async fn with_demo_each_command_runs_its_own_tenant() {
    // The tenant `--demo` starts is the default seed's: its lease target is this one.
    let fixture = entra_demo::start(entra_demo::DemoOptions { tls: true, ..Default::default() }).await.unwrap();
    let target = fixture.lease_targets().application;
    fixture.shutdown().await;
    let dir = tempfile::tempdir().unwrap();
    let cli = CliDemo { dir: dir.path() };
    let out = cli.run(&["lease", "define", "d", "--kind", "app-secret", "--target", &target.object_id, "--ttl", "1h", "--max-ttl", "1d", "--demo"]).await;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains(&target.display_name), "{}", out.stdout);
    // Each --demo command has its own tenant and its own lease store: the definition went with
    // the tenant it was made in, and nothing reached the data folder's store.
    let issued = cli.run(&["lease", "issue", "d", "--demo", "--format", "json"]).await;
    assert_eq!(issued.code, Some(2), "{}", issued.stdout);
    assert!(issued.stderr.contains("no dynamic secret named 'd'"), "{}", issued.stderr);
    let report = cli.run(&["lease", "reconcile", "--demo", "--format", "json"]).await;
    assert_eq!(report.code, Some(0), "{}", report.stderr);
    assert_eq!((report.json()["closed"].as_u64(), report.json()["removed"].as_u64()), (Some(0), Some(0)));
    assert!(!dir.path().join("leases.sqlite").exists(), "the data folder's lease store is not the throwaway tenant's");
    let list = cli.run(&["lease", "list", "--format", "json"]).await.json();
    assert_eq!(list, serde_json::json!([]));
}

struct CliDemo<'a> {
    dir: &'a std::path::Path,
}

impl CliDemo<'_> {
    async fn run(&self, args: &[&str]) -> common::Out {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_entractl"));
        for var in ["ENTRA_AUTHORITY", "ENTRA_CLIENT_ID", "ENTRA_CLIENT_SECRET", "ENTRA_GRAPH_URL", "ENTRA_CA_CERT", "ENTRA_DESK_FAULT"] {
            c.env_remove(var);
        }
        c.env("ENTRA_DESK_DATA_DIR", self.dir).args(args).stdin(std::process::Stdio::null()).kill_on_drop(true);
        let out = c.output().await.unwrap();
        common::Out { code: out.status.code(), signal: None, stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
    }
}
