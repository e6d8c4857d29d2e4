//! `entractl groups` as a script runs it: the built binary against the demo tenant started
//! in-process (`--demo`), the cache in ENTRA_DESK_DATA_DIR across runs.
//! Run under scripts/with-keyring.sh (app-only sign-in keeps the demo client's secret there).

use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use tokio::process::Command;

const CONFIG_VARS: &[&str] = &[
    "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_AUTHORITY", "ENTRA_METADATA_ADDRESS", "ENTRA_ISSUER", "ENTRA_REDIRECT_URI",
    "ENTRA_SCOPES", "ENTRA_GRAPH_URL", "ENTRA_CA_CERT", "ENTRA_CONNECTION_STRING", "ENTRA_CLIENT_SECRET",
];

async fn entractl(data: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entractl"));
    for var in CONFIG_VARS {
        c.env_remove(var);
    }
    c.env("ENTRA_DESK_DATA_DIR", data).args(args).stdin(Stdio::null()).kill_on_drop(true);
    let out = c.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// The fixture of the tenant `--demo` starts (the default seed and sizes).
async fn fixture() -> entra_demo::GroupFixture {
    let tenant = entra_demo::start(entra_demo::DemoOptions { tls: true, ..Default::default() }).await.unwrap();
    let fixture = tenant.group_fixture();
    tenant.shutdown().await;
    fixture
}

#[tokio::test]
async fn sync_member_of_why_stats_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture().await;

    let (code, sync, err) = entractl(dir.path(), &["groups", "sync", "--demo"]).await;
    assert_eq!(code, 0, "{err}");
    for field in ["groups", "memberships", "full", "requests", "durationMs", "asOf"] {
        assert!(sync.get(field).is_some(), "{field}: {sync}");
    }
    assert_eq!(sync["full"], true);
    // Progress on stderr, a line per step (stdout stays one JSON document).
    assert!(err.contains("groups sync: reading groups") && err.contains("groups sync: saving"), "{err}");
    assert!(sync["groups"].as_u64().unwrap() >= 400 && sync["memberships"].as_u64().unwrap() > 10_000, "{sync}");

    // The cache is in the data folder: offline reads need no sign-in.
    // The answers are the core's types, as the screen reads them over IPC.
    let (code, why, err) = entractl(dir.path(), &["groups", "why", &fixture.nested_user, &fixture.nested_chain[0], "--offline"]).await;
    assert_eq!(code, 0, "{err}");
    let mut expected = fixture.nested_chain.clone();
    expected.reverse();
    let chain: Vec<&str> = why["chain"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(chain, expected);
    assert_eq!((why["member"].as_bool(), why["user"]["id"].as_str()), (Some(true), Some(fixture.nested_user.as_str())));
    assert!(why["cache"]["asOf"].is_string(), "{why}");
    let (code, why, _) = entractl(dir.path(), &["groups", "why", &fixture.nested_user, &fixture.cycle[0], "--offline"]).await;
    assert_eq!((code, &why["member"], &why["chain"]), (1, &Value::Bool(false), &serde_json::json!([])), "not a member: exit 1");

    let (code, direct, err) = entractl(dir.path(), &["groups", "member-of", &fixture.nested_user, "--offline"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(direct["groups"].as_array().unwrap().len(), 1, "{direct}");
    assert_eq!(direct["groups"][0]["group"]["id"], fixture.nested_chain[4].as_str());
    assert!(direct["groups"][0]["group"]["displayName"].is_string());
    assert_eq!((direct["groups"][0]["depth"].as_u64(), direct["transitive"].as_bool()), (Some(1), Some(false)));
    // With --demo: the cache is fresh (a hit), ids match across runs of the seeded tenant.
    let (code, all, err) = entractl(dir.path(), &["groups", "member-of", &fixture.nested_user, "--transitive", "--demo"]).await;
    assert_eq!(code, 0, "{err}");
    let ids: Vec<&str> = all["groups"].as_array().unwrap().iter().map(|g| g["group"]["id"].as_str().unwrap()).collect();
    for g in &fixture.nested_chain {
        assert!(ids.contains(&g.as_str()), "{g} in {ids:?}");
    }

    let (code, err_json, err) = entractl(dir.path(), &["groups", "member-of", "no-such-user", "--offline"]).await;
    assert_eq!((code, err_json), (2, Value::Null));
    assert!(err.contains("no-such-user") && err.contains("refresh"), "{err}");

    let (code, policy, _) = entractl(dir.path(), &["groups", "policy"]).await;
    assert_eq!((code, policy["duration"].as_str()), (0, Some("00:30:00")));
    // The policy reads the desk's one duration grammar and shows hh:mm:ss, as Entra does.
    let (code, policy, _) = entractl(dir.path(), &["groups", "policy", "1h"]).await;
    assert_eq!((code, policy["duration"].as_str(), policy["durationSecs"].as_u64()), (0, Some("01:00:00"), Some(3600)));
    let (code, policy, _) = entractl(dir.path(), &["groups", "policy", "01:15:00"]).await;
    assert_eq!((code, policy["durationSecs"].as_u64()), (0, Some(4500)));
    let (code, _, err) = entractl(dir.path(), &["groups", "policy", "half an hour"]).await;
    assert_eq!(code, 2);
    assert!(err.contains("hh:mm:ss") && err.contains("1h30m"), "{err}");
    let (code, _, err) = entractl(dir.path(), &["groups", "policy", "7d1s"]).await;
    assert_eq!(code, 2);
    assert!(err.contains("longer than 168:00:00"), "{err}");

    let (code, stats, _) = entractl(dir.path(), &["groups", "stats"]).await;
    assert_eq!(code, 0);
    assert_eq!(stats["stats"]["groups"], sync["groups"]);
    assert!(stats["stats"]["sizeBytes"].as_u64().unwrap() > 0);
    assert!(stats["stats"]["hits"].as_u64().unwrap() >= 4, "{stats}");
    assert_eq!(stats["policy"]["duration"], "01:15:00");

    // A second sync with --demo is another tenant instance (another URL): a full sync that says why.
    let (code, again, err) = entractl(dir.path(), &["groups", "sync", "--demo"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(again["full"], true);
    assert!(again["fellBack"].is_string(), "{again}");
}
