//! `entractl login|whoami|accounts|logout` as a user runs them: the built
//! binary against an in-process demo tenant, the browser step done by the
//! demo's form-filling browser from the URL `login --no-browser` prints.
//! Run under scripts/with-keyring.sh (real Secret Service, private keyring).

mod common;

use entra_demo::browser::DemoBrowser;
use entra_testkit::{assert_nothing_secret_under, Needle};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

/// The variables the CLI's configuration reads; cleared so the machine's own setup can't leak in.
const CONFIG_VARS: &[&str] = &[
    "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_AUTHORITY", "ENTRA_METADATA_ADDRESS", "ENTRA_ISSUER", "ENTRA_REDIRECT_URI",
    "ENTRA_SCOPES", "ENTRA_GRAPH_URL", "ENTRA_CA_CERT", "ENTRA_CONNECTION_STRING", "ENTRA_CLIENT_SECRET",
];

fn entractl(data_dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entractl"));
    for var in CONFIG_VARS {
        c.env_remove(var);
    }
    c.env("ENTRA_DESK_DATA_DIR", data_dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    c
}

async fn run(data_dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = entractl(data_dir).args(args).output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).to_string())
}

#[tokio::test]
async fn login_no_browser_whoami_accounts_logout() {
    let tenant = entra_demo::start(entra_demo::DemoOptions { seed: 31, ..Default::default() }).await.unwrap();
    let info = tenant.info().clone();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let mut login = entractl(&data)
        .args(["login", "--no-browser", "--timeout", "60", "--authority", &info.authority, "--client-id", &info.public_client_id, "--graph-url", &info.graph])
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(login.stderr.take().unwrap()).lines();
    let (url, seen) = common::authorize_url(&mut stderr).await;
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let browser = DemoBrowser::new(None).unwrap();
    browser.sign_in(&url, &info.user.username, &info.user.password).await.unwrap();
    let mut stdout = String::new();
    login.stdout.take().unwrap().read_to_string(&mut stdout).await.unwrap();
    let status = login.wait().await.unwrap();
    assert!(status.success(), "login failed: {seen}");
    let account: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(account["username"], info.user.username.as_str());
    assert_eq!(account["kind"], "interactive");
    let id = account["id"].as_str().unwrap().to_string();

    let (code, accounts, _) = run(&data, &["accounts"]).await;
    assert_eq!(code, 0);
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["id"], id.as_str());

    let (code, who, err) = run(&data, &["whoami", "--account", &id]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(who["me"]["userPrincipalName"], info.user.username.as_str());
    assert_eq!(who["account"]["id"], id.as_str());

    // No token is written to the data folder: every file at any depth, read as bytes (SQLite files
    // are not text), holds neither the refresh token (in the keychain only) nor any JWT (access and
    // ID tokens live in memory) nor the password.
    let keychain = entra_core::keychain::Keychain::new(entra_core::keychain::DEFAULT_SERVICE);
    let refresh_token = keychain.refresh_token(&id).unwrap().expect("the refresh token is in the keychain");
    let needles = [Needle::new("the refresh token", refresh_token.expose()), Needle::new("the user's password", &info.user.password)];
    let scan = assert_nothing_secret_under(&data, &needles);
    assert!(scan.has_file("accounts.json"), "the account list was read: {:?}", scan.files);

    let (code, out, err) = run(&data, &["logout", "--all"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out["signedOut"][0], id.as_str());
    let (code, accounts, _) = run(&data, &["accounts"]).await;
    assert_eq!((code, accounts), (0, serde_json::json!([])));

    let (code, _, err) = run(&data, &["whoami"]).await;
    assert_eq!(code, 2);
    assert!(err.starts_with("error[not_signed_in]: "), "{err}");
    tenant.shutdown().await;
}

/// `entractl login --no-browser` with `extra` flags, the browser step done by the demo's
/// browser as the demo admin; the account's JSON and the URL it printed.
async fn login(data: &std::path::Path, info: &entra_demo::DemoInfo, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec!["login", "--no-browser", "--timeout", "60", "--authority", &info.authority, "--client-id", &info.public_client_id, "--graph-url", &info.graph];
    args.extend_from_slice(extra);
    let mut login = entractl(data).args(&args).spawn().unwrap();
    let mut stderr = BufReader::new(login.stderr.take().unwrap()).lines();
    let (url, seen) = common::authorize_url(&mut stderr).await;
    DemoBrowser::new(None).unwrap().sign_in(&url, &info.user.username, &info.user.password).await.unwrap();
    let mut stdout = String::new();
    login.stdout.take().unwrap().read_to_string(&mut stdout).await.unwrap();
    assert!(login.wait().await.unwrap().success(), "login failed: {seen}");
    (serde_json::from_str(&stdout).unwrap(), url)
}

/// A Conditional Access claims challenge from the command line: a command refused with one exits
/// 2 `claims_required` and prints the claims request; `login --claims` with it signs in meeting it,
/// and the next commands (new processes, whose tokens come from the refresh token) keep meeting it.
#[tokio::test]
async fn a_claims_challenge_is_met_by_login_claims_for_later_commands_too() {
    let tenant = entra_demo::start(entra_demo::DemoOptions { seed: 33, ..Default::default() }).await.unwrap();
    let info = tenant.info().clone();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (account, _) = login(&data, &info, &[]).await;
    let id = account["id"].as_str().unwrap().to_string();
    tenant.set_faults(entra_demo::Faults { require_auth_context: Some("c1".into()), ..Default::default() }).unwrap();

    let (code, _, err) = run(&data, &["whoami", "--account", &id]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error[claims_required]: A Conditional Access policy of your tenant wants a stronger sign-in"), "{err}");
    let claims = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
    assert!(err.contains(&format!("\nclaims request: '{claims}'\n")), "the claims request, quoted for the shell: {err}");

    let (account, url) = login(&data, &info, &["--claims", claims]).await;
    assert_eq!(account["id"], id.as_str(), "the same account");
    assert_eq!(account["stepUpClaims"], claims);
    // Sent with the client capability cp1 merged in, as to every Microsoft identity platform (the demo's kind).
    let sent = url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "claims").map(|(_, v)| serde_json::from_str::<serde_json::Value>(&v).unwrap());
    let merged = serde_json::json!({"access_token": {"xms_cc": {"values": ["cp1"]}, "acrs": {"essential": true, "value": "c1"}}});
    assert_eq!(sent, Some(merged), "{url}");
    for _ in 0..2 {
        let (code, who, err) = run(&data, &["whoami", "--account", &id]).await;
        assert_eq!(code, 0, "a new process meets it too: {err}");
        assert_eq!(who["me"]["userPrincipalName"], info.user.username.as_str());
    }
    let (code, _, err) = run(&data, &["login", "--no-browser", "--claims", "c1", "--authority", &info.authority, "--client-id", &info.public_client_id]).await;
    assert_eq!(code, 2);
    assert!(err.starts_with("error[invalid_input]: --claims takes"), "{err}");
    tenant.shutdown().await;
}

#[tokio::test]
async fn errors_exit_2_with_the_fix() {
    let tenant = entra_demo::start(entra_demo::DemoOptions { seed: 32, tls: true, ..Default::default() }).await.unwrap();
    let info = tenant.info().clone();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ca = info.ca_cert.as_ref().unwrap().to_string_lossy().to_string();

    // App-only with a wrong secret (from the environment, never a flag): the AADSTS code, meaning and fix.
    let out = entractl(&data)
        .env("ENTRA_CLIENT_SECRET", "definitely-wrong")
        .args(["login", "--app-only", "--authority", &info.authority, "--client-id", &info.confidential_client.client_id, "--graph-url", &info.graph, "--ca-cert", &ca])
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error[identity]: AADSTS7000215: the client secret is not valid. Fix:"), "{err}");
    assert!(!err.contains("definitely-wrong"));

    // The right secret signs in; whoami shows the organization.
    let out = entractl(&data)
        .env("ENTRA_CLIENT_SECRET", &info.confidential_client.client_secret)
        .args(["login", "--app-only", "--authority", &info.authority, "--client-id", &info.confidential_client.client_id, "--graph-url", &info.graph, "--ca-cert", &ca])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, who, err) = run(&data, &["whoami"]).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(who["organization"][0]["id"], info.tenant_id.as_str());
    let (code, _, _) = run(&data, &["logout"]).await;
    assert_eq!(code, 0);

    // No configuration at all: a config error that says what to set.
    let (code, _, err) = run(&data, &["login", "--no-browser"]).await;
    assert_eq!(code, 2);
    assert!(err.contains("error[config]: No client ID is configured"), "{err}");
    tenant.shutdown().await;
}

/// The system browser `login` starts inherits none of our secrets: a stand-in `xdg-open` early
/// in PATH writes the environment it was given, and neither ENTRA_CLIENT_SECRET nor any other
/// variable outside the desktop's own (PATH, DISPLAY, XDG_*, …) is in it.
#[tokio::test]
async fn the_browser_started_for_sign_in_inherits_no_secret() {
    let tenant = entra_demo::start(entra_demo::DemoOptions::default()).await.unwrap();
    let info = tenant.info().clone();
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let dump = dir.path().join("browser-env.txt");
    let opener = bin.join("xdg-open");
    std::fs::write(&opener, format!("#!/bin/sh\nenv > '{}'\n", dump.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let data = dir.path().join("data");
    let out = entractl(&data)
        .args(["login", "--timeout", "3", "--authority", &info.authority, "--client-id", &info.public_client_id, "--graph-url", &info.graph])
        .env("PATH", &path)
        .env("ENTRA_CLIENT_SECRET", "pipeline-secret-marker-1")
        .env("ENTRA_LEASE_CLIENT_SECRET", "pipeline-secret-marker-2")
        .env("SOME_CI_TOKEN", "pipeline-secret-marker-3")
        .env_remove("BROWSER")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut env = String::new();
    for _ in 0..50 {
        env = std::fs::read_to_string(&dump).unwrap_or_default();
        if !env.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(env.contains("PATH="), "the stand-in browser was started with a PATH; stderr: {stderr}");
    assert!(!env.contains("pipeline-secret-marker"), "the browser inherited a secret:\n{env}");
    assert!(!env.contains("ENTRA_"), "the browser inherited our configuration:\n{env}");
    tenant.shutdown().await;
}
