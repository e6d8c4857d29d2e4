//! `entractl expiry` as a pipeline runs it: the built binary, against the demo tenant started
//! in-process (`--demo`) or running beside it (app-only with the secret in ENTRA_CLIENT_SECRET).
//! Run under scripts/with-keyring.sh (real Secret Service, private keyring).

use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use tokio::process::Command;

const CONFIG_VARS: &[&str] = &[
    "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_AUTHORITY", "ENTRA_METADATA_ADDRESS", "ENTRA_ISSUER", "ENTRA_REDIRECT_URI",
    "ENTRA_SCOPES", "ENTRA_GRAPH_URL", "ENTRA_CA_CERT", "ENTRA_CONNECTION_STRING", "ENTRA_CLIENT_SECRET",
];

async fn entractl(data: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entractl"));
    for var in CONFIG_VARS {
        c.env_remove(var);
    }
    c.env("ENTRA_DESK_DATA_DIR", data).args(args).stdin(Stdio::null()).kill_on_drop(true);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().await.unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The demo tenant `--demo` starts is the default seed's: its ids are these.
async fn demo_info() -> entra_demo::DemoInfo {
    let tenant = entra_demo::start(entra_demo::DemoOptions { apps: 0, ..Default::default() }).await.unwrap();
    let info = tenant.info().clone();
    tenant.shutdown().await;
    info
}

#[tokio::test]
async fn json_has_the_pipeline_fields_and_table_and_csv_print() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = entractl(dir.path(), &["expiry", "--demo", "--all"], &[]).await;
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(rows.len() > 100, "{}", rows.len());
    for field in ["objectId", "appId", "displayName", "objectType", "credentialType", "keyId", "credentialName", "start", "end", "daysLeft", "status", "owners"] {
        assert!(rows.iter().all(|r| r.get(field).is_some()), "{field}");
    }
    for r in &rows {
        assert!(["application", "servicePrincipal"].contains(&r["objectType"].as_str().unwrap()), "{r}");
        assert!(["password", "certificate"].contains(&r["credentialType"].as_str().unwrap()), "{r}");
        assert!(["expired", "expiring", "ok"].contains(&r["status"].as_str().unwrap()), "{r}");
        assert!(chrono::DateTime::parse_from_rfc3339(r["end"].as_str().unwrap()).is_ok());
        assert!(r["owners"].is_array());
    }
    // Without --all: only what is due.
    let (code, out, _) = entractl(dir.path(), &["expiry", "--demo", "--within", "30d"], &[]).await;
    assert_eq!(code, 0);
    let due: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(!due.is_empty() && due.len() < rows.len());
    assert!(due.iter().all(|r| r["status"] != "ok" && r["daysLeft"].as_i64().unwrap() <= 30));

    let (code, out, err) = entractl(dir.path(), &["expiry", "--demo", "--format", "table"], &[]).await;
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("STATUS") && lines[0].contains("KEY ID"), "{}", lines[0]);
    let key_col = lines[0].find("KEY ID").unwrap();
    for line in &lines[1..] {
        assert!(line.starts_with("expired") || line.starts_with("expiring"), "{line}");
        assert_eq!(line[key_col..].split(' ').next().unwrap().len(), 36, "aligned key id column: {line}");
    }

    let (code, out, _) = entractl(dir.path(), &["expiry", "--demo", "--format", "csv"], &[]).await;
    assert_eq!(code, 0);
    assert!(out.starts_with("object_id,app_id,display_name,object_type,credential_type,key_id,"), "{out:.200}");
    assert_eq!(out.matches("\r\n").count(), lines.len(), "header + one line per credential");
    assert!(!dir.path().join("cache.sqlite").exists(), "--demo leaves the data folder alone");
}

#[tokio::test]
async fn fail_on_expiring_is_1_inside_the_window_and_0_outside() {
    let info = demo_info().await;
    let dir = tempfile::tempdir().unwrap();
    // The certificate client's certificate is fresh: a year left.
    let app = info.certificate_client.client_id.as_str();
    let (code, out, err) = entractl(dir.path(), &["expiry", "--demo", "--app-id", app, "--within", "1d", "--fail-on-expiring"], &[]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Vec<Value>>(&out).unwrap().len(), 0);
    let (code, out, err) = entractl(dir.path(), &["expiry", "--demo", "--app-id", app, "--within", "400d", "--fail-on-expiring"], &[]).await;
    assert_eq!(code, 1, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r["appId"] == app && r["status"] == "expiring"));
    // Without --fail-on-expiring the same answer exits 0.
    let (code, _, _) = entractl(dir.path(), &["expiry", "--demo", "--app-id", app, "--within", "400d"], &[]).await;
    assert_eq!(code, 0);
    // The whole demo tenant has expired secrets.
    let (code, _, _) = entractl(dir.path(), &["expiry", "--demo", "--fail-on-expiring"], &[]).await;
    assert_eq!(code, 1);
}

#[tokio::test]
async fn bad_flags_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["expiry", "--within", "0d"][..],
        &["expiry", "--within", "3 fortnights"],
        &["expiry", "--format", "xml"],
        &["expiry", "--demo", "--authority", "https://login.microsoftonline.com/x"],
        &["expiry", "--certificate", "c.pem"],
    ] {
        let (code, _, err) = entractl(dir.path(), args, &[]).await;
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.is_empty());
    }
    // No account and nothing to sign in with: a failure, with the fix.
    let (code, _, err) = entractl(dir.path(), &["expiry"], &[]).await;
    assert_eq!(code, 2);
    assert!(err.contains("entractl login"), "{err}");
}

#[tokio::test]
async fn app_only_against_a_running_tenant_with_the_secret_in_the_environment() {
    let tenant = entra_demo::start(entra_demo::DemoOptions { tls: true, seed: 61, apps: 50, ..Default::default() }).await.unwrap();
    let info = tenant.info().clone();
    let dir = tempfile::tempdir().unwrap();
    let ca = info.ca_cert.as_ref().unwrap().to_string_lossy().into_owned();
    let args = [
        "expiry", "--authority", &info.authority, "--graph-url", &info.graph, "--client-id", &info.confidential_client.client_id,
        "--ca-cert", &ca, "--all",
    ];
    let env = [("ENTRA_CLIENT_SECRET", info.confidential_client.client_secret.as_str())];
    let (code, out, err) = entractl(dir.path(), &args, &env).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("full read"), "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(rows.iter().any(|r| r["appId"] == info.certificate_client.client_id.as_str()));
    assert!(dir.path().join("cache.sqlite").exists());
    // Again: the cache is reused and only the changes are read.
    let (code, _, err) = entractl(dir.path(), &args, &env).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("changes only"), "{err}");
    // Offline, from the cache.
    tenant.shutdown().await;
    let (code, out, err) = entractl(dir.path(), &["expiry", "--no-refresh", "--all"], &[]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Vec<Value>>(&out).unwrap().len(), rows.len());
}
