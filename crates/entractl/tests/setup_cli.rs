//! `entractl setup` as an admin runs it, over real HTTP against an in-process demo tenant:
//! registering Entra Desk through Graph as a signed-in account (twice: the second run finds the
//! first registration by its tag), what the registration holds (a public client on
//! `http://localhost`, the tag, Graph's own permission ids), signing in to it with the client ID
//! the set-up saved and `--prompt consent`, `--remove` (which refuses a registration it did not
//! make), `--print-commands`, `--azure-cli` through a stand-in `az`, and a registration an
//! earlier version made (fewer permissions, no `http://localhost`, public client flows off)
//! brought up to date — with Graph's ids, keeping what an administrator added, once — while an
//! untagged look-alike is never changed.
//!
//! **Why a stand-in `az`, not the real one.** azure_identity's `AzureCliCredential` runs
//! `/bin/sh -c "cd /bin && az account get-access-token -o json --scope … [--tenant …]"` and reads
//! `accessToken`, `expires_on` and `tokenType` from its stdout
//! (`azure_identity-1.0.0/src/azure_cli_credential.rs`). The stand-in, first on PATH, answers
//! exactly that, in the shape az 2.54+ prints (`accessToken`, `expiresOn`, `expires_on`,
//! `subscription`, `tenant`, `tokenType`), with a real token the demo tenant issued to its admin,
//! and logs the arguments it was given. The real Azure CLI from pip was not used: it is several
//! hundred MB of Python packages to install in every CI run, and to make it sign in to the demo
//! tenant it would need a registered custom cloud whose authority MSAL Python accepts (https with
//! a trusted certificate, instance discovery turned off) and an interactive or device-code
//! `az login`, which the demo tenant does not offer — a test of our configuration of az more than
//! of Entra Desk. What Entra Desk relies on is the contract above, which the stand-in holds to.
//!
//! Run under scripts/with-keyring.sh: the admin's sign-in keeps its refresh token in the keychain.

mod common;

use entra_demo::browser::{ConsentChoice, ConsentPage, DemoBrowser};
use entra_demo::{DemoInfo, DemoOptions, DemoTenant};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

const CONFIG_VARS: &[&str] = &[
    "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_AUTHORITY", "ENTRA_METADATA_ADDRESS", "ENTRA_ISSUER", "ENTRA_REDIRECT_URI",
    "ENTRA_SCOPES", "ENTRA_GRAPH_URL", "ENTRA_CA_CERT", "ENTRA_CONNECTION_STRING", "ENTRA_CLIENT_SECRET",
];
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const TAG: &str = "EntraDesk:setup";

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Out {
    #[track_caller]
    fn ok(self) -> Out {
        assert_eq!(self.code, Some(0), "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

fn entractl(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entractl"));
    for var in CONFIG_VARS {
        c.env_remove(var);
    }
    c.env("ENTRA_DESK_DATA_DIR", data).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    c
}

async fn run(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = entractl(data);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().await.unwrap();
    Out { code: out.status.code(), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

/// `entractl login --no-browser ARGS`, the browser step done by the demo's browser as the admin
/// (accepting a consent page if the tenant shows one). Returns the account, the sign-in URL and
/// the consent page, if one was shown.
async fn login(data: &Path, info: &DemoInfo, args: &[&str]) -> (Value, String, Option<ConsentPage>) {
    let mut child = entractl(data).args(["login", "--no-browser", "--timeout", "60"]).args(args).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let (url, mut seen) = common::authorize_url(&mut stderr).await;
    let browser = DemoBrowser::new(None).unwrap();
    let walk = browser.sign_in_with(&url, &info.user.username, &info.user.password, ConsentChoice::Accept).await.unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).await.unwrap();
    while let Ok(Some(line)) = stderr.next_line().await {
        seen.push_str(&line);
        seen.push('\n');
    }
    assert!(child.wait().await.unwrap().success(), "login failed: {seen}");
    (serde_json::from_str(&stdout).unwrap(), url, walk.consent)
}

/// A demo tenant (plain http on loopback) and its admin signed in to its public client with
/// `Application.ReadWrite.All`, in the data folder `<dir>/data`.
async fn admin(seed: u64) -> (DemoTenant, tempfile::TempDir, String) {
    let tenant = entra_demo::start(DemoOptions { seed, apps: 8, groups: 4, users: 12, ..Default::default() }).await.unwrap();
    let info = tenant.info().clone();
    let dir = tempfile::tempdir().unwrap();
    let scopes = "User.Read,Application.ReadWrite.All";
    let (account, _, _) = login(&dir.path().join("data"), &info, &["--authority", &info.authority, "--client-id", &info.public_client_id, "--graph-url", &info.graph, "--scopes", scopes]).await;
    (tenant, dir, account["id"].as_str().unwrap().to_string())
}

/// An access token of the admin's for Graph: the account's refresh token (from the keychain)
/// redeemed at the demo tenant, as the Azure CLI would hold one.
async fn admin_token(info: &DemoInfo, account_id: &str) -> (String, i64) {
    let keychain = entra_core::keychain::Keychain::new(entra_core::keychain::DEFAULT_SERVICE);
    let refresh = keychain.refresh_token(account_id).unwrap().expect("the admin's refresh token is in the keychain");
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", info.public_client_id.as_str()),
        ("refresh_token", refresh.expose()),
        ("scope", "https://graph.microsoft.com/Application.ReadWrite.All https://graph.microsoft.com/User.Read"),
    ];
    let answer: Value = reqwest::Client::new().post(format!("{}/oauth2/v2.0/token", info.authority)).form(&form).send().await.unwrap().json().await.unwrap();
    let token = answer["access_token"].as_str().unwrap_or_else(|| panic!("no token: {answer}")).to_string();
    (token, chrono::Utc::now().timestamp() + answer["expires_in"].as_i64().unwrap_or(3600))
}

/// Graph GET as `token` (a path under Graph's root, or a whole link such as a delta link).
async fn graph_get(info: &DemoInfo, token: &str, path: &str) -> Value {
    let url = if path.starts_with("http") { path.to_string() } else { format!("{}{path}", info.graph) };
    let answer = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "GET {path}: {status} {body}");
    body
}

/// What a registration must hold: the public client on http://localhost, the tag, one Graph entry
/// whose ids are those Graph's service principal gives Entra Desk's scopes.
async fn check_registration(info: &DemoInfo, token: &str, object_id: &str) {
    let app = graph_get(info, token, &format!("/applications/{object_id}?$select=signInAudience,publicClient,isFallbackPublicClient,tags,requiredResourceAccess")).await;
    assert_eq!(app["signInAudience"], "AzureADMyOrg", "{app}");
    assert_eq!(app["publicClient"]["redirectUris"], json!(["http://localhost"]), "{app}");
    assert_eq!(app["isFallbackPublicClient"], true, "{app}");
    assert!(app["tags"].as_array().unwrap().iter().any(|t| t == TAG), "{app}");
    let access = app["requiredResourceAccess"].as_array().unwrap();
    assert_eq!(access.len(), 1, "{app}");
    assert_eq!(access[0]["resourceAppId"], GRAPH_APP_ID);
    assert!(access[0]["resourceAccess"].as_array().unwrap().iter().all(|a| a["type"] == "Scope"), "{app}");
    let ids: BTreeSet<String> = access[0]["resourceAccess"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_ascii_lowercase()).collect();
    let graph = graph_get(info, token, &format!("/servicePrincipals?$filter=appId%20eq%20%27{GRAPH_APP_ID}%27&$select=id,oauth2PermissionScopes")).await;
    let scopes = graph["value"][0]["oauth2PermissionScopes"].as_array().unwrap();
    let expected: BTreeSet<String> = entra_core::permissions::ALL_DELEGATED
        .iter()
        .map(|want| {
            let scope = scopes.iter().find(|s| s["value"] == *want).unwrap_or_else(|| panic!("Graph defines no {want}"));
            scope["id"].as_str().unwrap().to_ascii_lowercase()
        })
        .collect();
    assert_eq!(ids, expected, "the registration asks for Entra Desk's scopes by Graph's ids");
}

/// Graph POST as `token`: the created object.
async fn graph_post(info: &DemoInfo, token: &str, path: &str, body: Value) -> Value {
    let answer = reqwest::Client::new().post(format!("{}{path}", info.graph)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    assert_eq!(status.as_u16(), 201, "POST {path}: {body}");
    body
}

/// The registrations saved in the settings file.
fn saved(data: &Path) -> Value {
    let text = std::fs::read_to_string(data.join("settings.json")).unwrap_or_else(|_| "{}".into());
    serde_json::from_str::<Value>(&text).unwrap()["registrations"].clone()
}

#[tokio::test]
async fn setup_as_an_account_registers_once_signs_in_with_consent_and_removes_only_its_own() {
    let (tenant, dir, account) = admin(2201).await;
    let info = tenant.info().clone();
    let data = dir.path().join("data");

    let first = run(&data, &["setup", "--account", &account, "--format", "json"], &[]).await.ok();
    let made = first.json();
    assert_eq!(made["created"], true, "{made}");
    let (client_id, object_id) = (made["clientId"].as_str().unwrap().to_string(), made["objectId"].as_str().unwrap().to_string());
    assert_eq!(made["tenantId"], info.tenant_id.as_str());
    assert!(first.stderr.contains("Creating the app registration"), "{}", first.stderr);
    let sign_in = format!("entractl login --authority {} --client-id {client_id} --graph-url {} --prompt consent", info.authority, info.graph);
    assert!(first.stderr.contains(&sign_in), "the exact sign-in is printed: {}", first.stderr);

    let again = run(&data, &["setup", "--account", &account, "--format", "json"], &[]).await.ok().json();
    assert_eq!((again["created"].clone(), again["clientId"].clone(), again["objectId"].clone()), (json!(false), json!(client_id), json!(object_id)));
    let text = run(&data, &["setup", "--account", &account], &[]).await.ok();
    assert!(text.stdout.starts_with(&format!("Found the registration of Entra Desk in tenant {}: client ID {client_id}", info.tenant_id)), "{}", text.stdout);

    let (token, _) = admin_token(&info, &account).await;
    check_registration(&info, &token, &object_id).await;
    let sp = graph_get(&info, &token, &format!("/servicePrincipals?$filter=appId%20eq%20%27{client_id}%27&$select=id")).await;
    assert_eq!(sp["value"][0]["id"], made["servicePrincipalId"], "{sp}");
    assert_eq!(saved(&data)[info.tenant_id.as_str()]["clientId"], client_id.as_str(), "saved for the tenant");

    // --remove refuses a registration the set-up did not make, and leaves it alone.
    let foreign = tenant.applications().into_iter().find(|a| a.app_id != client_id).expect("a seeded app");
    let refused = run(&data, &["setup", "--remove", "--id", &foreign.object_id, "--account", &account], &[]).await;
    assert_eq!(refused.code, Some(2), "{}", refused.stdout);
    assert!(refused.stderr.starts_with("error[invalid_input]: ") && refused.stderr.contains(&format!("does not carry the tag {TAG}")), "{}", refused.stderr);
    assert!(tenant.application(&foreign.object_id).is_some(), "the foreign registration is still there");

    // The next sign-in to the tenant uses the saved client ID, and --prompt consent reaches Entra.
    // A sign-in asks only for User.Read unless told more: this one also asks to write applications
    // (to remove the registration below), and the consent page lists what it asks.
    let (signed_in, url, consent) =
        login(&data, &info, &["--authority", &info.authority, "--graph-url", &info.graph, "--prompt", "consent", "--scopes", "Application.ReadWrite.All"]).await;
    assert!(url.contains(&format!("client_id={client_id}")) && url.contains("prompt=consent"), "{url}");
    let consent = consent.expect("the admin was asked to consent");
    assert!(consent.permissions.iter().any(|p| p == "Application.ReadWrite.All"), "{consent:?}");
    assert_eq!((signed_in["clientId"].as_str(), signed_in["username"].as_str()), (Some(client_id.as_str()), Some(info.user.username.as_str())));
    assert_eq!(signed_in["id"], account.as_str(), "the same person in the same tenant: the same account, now through the new registration");

    // Removing it, signed in through it: done, and the account is told to sign in again.
    let removed = run(&data, &["setup", "--remove", "--account", &account, "--format", "json"], &[]).await.ok().json();
    assert_eq!((removed["objectId"].as_str(), removed["forgotten"].as_bool()), (Some(object_id.as_str()), Some(true)), "{removed}");
    assert_eq!(removed["accountsToSignInAgain"], json!([account]), "{removed}");
    assert!(tenant.application(&client_id).is_none(), "the registration is deleted");
    assert!(saved(&data).get(info.tenant_id.as_str()).is_none(), "its client ID is forgotten: {}", saved(&data));

    login(&data, &info, &["--authority", &info.authority, "--client-id", &info.public_client_id, "--graph-url", &info.graph, "--scopes", "User.Read,Application.ReadWrite.All"]).await;
    let nothing = run(&data, &["setup", "--remove", "--account", &account], &[]).await;
    assert_eq!(nothing.code, Some(2));
    assert!(nothing.stderr.contains(&format!("No app registration in this tenant carries the tag {TAG}")), "{}", nothing.stderr);
    tenant.shutdown().await;
}

#[tokio::test]
async fn print_commands_is_the_same_registration_as_az_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["setup", "--print-commands"], &[]).await.ok();
    for needed in [
        "az ad app create --display-name 'Entra Desk' --sign-in-audience AzureADMyOrg",
        "--public-client-redirect-uris http://localhost --is-fallback-public-client true",
        "--required-resource-accesses @entra-desk-permissions.json",
        "az ad sp create --id \"$app\"",
        "oauth2PermissionScopes[?contains(",
        "tags/any(t:t eq '$tag')",
    ] {
        assert!(out.stdout.contains(needed), "missing {needed:?}:\n{}", out.stdout);
    }
    for scope in entra_core::permissions::ALL_DELEGATED {
        assert!(out.stdout.contains(&format!("\"{scope}\"")), "{scope}:\n{}", out.stdout);
    }
    let syntax = std::process::Command::new("sh").args(["-n", "-c", &out.stdout]).output().unwrap();
    assert!(syntax.status.success(), "sh -n: {}", String::from_utf8_lossy(&syntax.stderr));
    let both = run(dir.path(), &["setup", "--print-commands", "--account", "x"], &[]).await;
    assert_eq!(both.code, Some(2), "--print-commands registers nothing, so it takes no account");
    let neither = run(dir.path(), &["setup"], &[]).await;
    assert_eq!(neither.code, Some(2));
    assert!(neither.stderr.contains("--azure-cli") && neither.stderr.contains("--account"), "{}", neither.stderr);
}

/// The stand-in `az` in `bin`: answers `az account get-access-token … -o json` with the JSON in
/// `answer` (owner-only), logs each call's arguments to `calls`, refuses anything else.
fn stand_in_az(bin: &Path, answer: &Path, calls: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).unwrap();
    let az = bin.join("az");
    let script = format!(
        "#!/bin/sh\n# A stand-in for the Azure CLI: only `az account get-access-token`, as az 2.54+ answers it.\necho \"$*\" >> '{}'\ncase \"$1 $2\" in\n  'account get-access-token') cat '{}' ;;\n  *) echo \"ERROR: the stand-in az does not know '$*'\" >&2; exit 2 ;;\nesac\n",
        calls.display(),
        answer.display()
    );
    std::fs::write(&az, script).unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    az
}

#[tokio::test]
async fn setup_through_the_azure_cli_uses_az_for_the_token_and_never_prints_it() {
    let (tenant, dir, account) = admin(2202).await;
    let info = tenant.info().clone();
    let (token, expires_on) = admin_token(&info, &account).await;
    let (bin, answer, calls) = (dir.path().join("bin"), dir.path().join("az-token.json"), dir.path().join("az-calls.txt"));
    let expires = chrono::DateTime::from_timestamp(expires_on, 0).unwrap().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    let body = json!({"accessToken": token, "expiresOn": expires, "expires_on": expires_on, "subscription": "00000000-0000-4000-8000-00000000c0de", "tenant": info.tenant_id, "tokenType": "Bearer"});
    std::fs::write(&answer, body.to_string()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&answer, std::fs::Permissions::from_mode(0o600)).unwrap();
    stand_in_az(&bin, &answer, &calls);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    // A data folder with no account at all: the Azure CLI's sign-in is all it needs.
    let fresh = dir.path().join("fresh");
    let az_args = ["--azure-cli", "--tenant-id", info.tenant_id.as_str(), "--graph-url", info.graph.as_str(), "--authority", info.authority.as_str()];

    let made = run(&fresh, &[&["setup", "--format", "json"][..], &az_args].concat(), &[("PATH", &path)]).await.ok();
    let registration = made.json();
    assert_eq!(registration["created"], true, "{registration}");
    let client_id = registration["clientId"].as_str().unwrap();
    check_registration(&info, &token, registration["objectId"].as_str().unwrap()).await;
    let sign_in = format!("entractl login --authority {} --client-id {client_id} --graph-url {} --prompt consent", info.authority, info.graph);
    assert!(made.stderr.contains(&sign_in), "{}", made.stderr);
    assert_eq!(saved(&fresh)[info.tenant_id.as_str()]["clientId"], client_id);
    let logged = std::fs::read_to_string(&calls).unwrap();
    assert!(
        logged.lines().all(|l| l == format!("account get-access-token -o json --scope https://graph.microsoft.com/.default --tenant {}", info.tenant_id)),
        "az was asked for a Graph token in the tenant, and nothing else:\n{logged}"
    );
    assert_eq!(logged.lines().count(), 1, "the token is kept for the run, not asked for again each request:\n{logged}");

    let again = run(&fresh, &[&["setup", "--format", "json"][..], &az_args].concat(), &[("PATH", &path)]).await.ok();
    assert_eq!((again.json()["created"].as_bool(), again.json()["clientId"].as_str()), (Some(false), Some(client_id)));
    let removed = run(&fresh, &["setup", "--remove", "--azure-cli", "--graph-url", &info.graph, "--format", "json"], &[("PATH", &path)]).await.ok();
    assert_eq!(removed.json()["clientId"], client_id, "{}", removed.stdout);
    assert!(tenant.application(client_id).is_none());

    // No az on PATH: the error says to install it and sign in.
    let empty = dir.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let missing = run(&fresh, &[&["setup"][..], &az_args].concat(), &[("PATH", empty.to_str().unwrap())]).await;
    assert_eq!(missing.code, Some(2), "{}", missing.stdout);
    assert!(missing.stderr.contains("error[not_signed_in]: The Azure CLI (az) is not installed or not on PATH"), "{}", missing.stderr);

    for out in [&made, &again, &removed, &missing] {
        assert!(!out.stdout.contains(&token) && !out.stderr.contains(&token), "the token was printed");
    }
    entra_testkit::assert_nothing_secret_under(&fresh, &[entra_testkit::Needle::new("the Azure CLI's token", &token)]);
    tenant.shutdown().await;
}

#[tokio::test]
async fn setup_brings_an_earlier_registration_up_to_date_once_and_never_touches_an_untagged_one() {
    use entra_core::permissions::ALL_DELEGATED;
    use entra_core::setup::upgrade::{ADDED_PUBLIC_CLIENT_FLOWS, ADDED_REDIRECT_URI};
    let (tenant, dir, account) = admin(2203).await;
    let info = tenant.info().clone();
    let data = dir.path().join("data");
    let (token, _) = admin_token(&info, &account).await;
    let graph = graph_get(&info, &token, &format!("/servicePrincipals?$filter=appId%20eq%20%27{GRAPH_APP_ID}%27&$select=id,oauth2PermissionScopes")).await;
    let scopes = graph["value"][0]["oauth2PermissionScopes"].as_array().unwrap().clone();
    let id_of = |value: &str| scopes.iter().find(|s| s["value"] == value).unwrap_or_else(|| panic!("Graph defines no {value}"))["id"].as_str().unwrap().to_string();
    let scope = |value: &str| json!({"id": id_of(value), "type": "Scope"});

    // What an earlier version registered (two of today's permissions, the broker's redirect URI
    // only, public client flows off), and a permission the administrator added since.
    let nativeclient = "https://login.microsoftonline.com/common/oauth2/nativeclient";
    let earlier = |tags: Value| {
        json!({
            "displayName": "Entra Desk", "signInAudience": "AzureADMyOrg",
            "publicClient": {"redirectUris": [nativeclient]}, "isFallbackPublicClient": false,
            "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [scope("User.Read"), scope("Application.Read.All"), scope("Group.Read.All")]}],
            "tags": tags, "notes": "made by an earlier version",
        })
    };
    let ours = graph_post(&info, &token, "/applications", earlier(json!([TAG]))).await;
    let object_id = ours["id"].as_str().unwrap().to_string();
    // A look-alike without the tag (the same name, fewer permissions): never ours to change.
    let lookalike = graph_post(&info, &token, "/applications", earlier(json!(["EntraDesk", "entradesk:setup-copy"]))).await;
    let lookalike_path = format!("/applications/{}", lookalike["id"].as_str().unwrap());
    let lookalike_before = graph_get(&info, &token, &lookalike_path).await;
    let delta = graph_get(&info, &token, "/applications/delta?$deltatoken=latest").await["@odata.deltaLink"].as_str().unwrap().to_string();

    let first = run(&data, &["setup", "--account", &account, "--format", "json"], &[]).await.ok();
    let updated = first.json();
    assert_eq!((updated["created"].as_bool(), updated["objectId"].as_str()), (Some(false), Some(object_id.as_str())), "{updated}");
    let mut added: Vec<&str> = ALL_DELEGATED.iter().copied().filter(|s| !["User.Read", "Application.Read.All"].contains(s)).collect();
    added.extend([ADDED_REDIRECT_URI, ADDED_PUBLIC_CLIENT_FLOWS]);
    assert_eq!(updated["updated"], json!(added), "{updated}");
    assert!(first.stderr.contains("Adding to the registration what this version needs: Application.ReadWrite.All, GroupMember.Read.All"), "{}", first.stderr);
    assert!(first.stderr.contains("Nobody has consented to Application.ReadWrite.All, GroupMember.Read.All, User.Read.All"), "{}", first.stderr);

    // The registration now lists every permission of this version by Graph's ids, keeps the
    // administrator's, and has both redirect URIs and public client flows.
    let app = graph_get(&info, &token, &format!("/applications/{object_id}?$select=publicClient,isFallbackPublicClient,requiredResourceAccess,tags,notes,displayName")).await;
    let access = app["requiredResourceAccess"].as_array().unwrap();
    assert_eq!(access.len(), 1, "{app}");
    let ids: BTreeSet<String> = access[0]["resourceAccess"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_ascii_lowercase()).collect();
    let mut expected: BTreeSet<String> = ALL_DELEGATED.iter().map(|s| id_of(s).to_ascii_lowercase()).collect();
    expected.insert(id_of("Group.Read.All").to_ascii_lowercase());
    assert_eq!(ids, expected, "today's permissions by Graph's ids, and the administrator's own");
    assert!(access[0]["resourceAccess"].as_array().unwrap().iter().all(|a| a["type"] == "Scope"), "{app}");
    assert_eq!(app["publicClient"]["redirectUris"], json!([nativeclient, "http://localhost"]));
    assert_eq!(app["isFallbackPublicClient"], true);
    assert_eq!((app["tags"].clone(), app["notes"].as_str(), app["displayName"].as_str()), (json!([TAG]), Some("made by an earlier version"), Some("Entra Desk")), "the rest is left as it was");
    let changed = graph_get(&info, &token, &delta).await;
    let changed_ids: Vec<&str> = changed["value"].as_array().unwrap().iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(changed_ids, [object_id.as_str()], "only our registration changed: {changed}");
    let delta = changed["@odata.deltaLink"].as_str().unwrap().to_string();

    // A second run finds it complete and changes nothing.
    let again = run(&data, &["setup", "--account", &account, "--format", "json"], &[]).await.ok();
    assert_eq!((again.json()["updated"].clone(), again.json()["objectId"].as_str()), (json!([]), Some(object_id.as_str())));
    assert!(!again.stderr.contains("Adding to the registration"), "{}", again.stderr);
    let text = run(&data, &["setup", "--account", &account], &[]).await.ok();
    assert!(text.stdout.starts_with("Found the registration of Entra Desk") && !text.stdout.contains("earlier version"), "{}", text.stdout);
    assert_eq!(graph_get(&info, &token, &delta).await["value"], json!([]), "nothing changed");
    assert_eq!(graph_get(&info, &token, &lookalike_path).await, lookalike_before, "the untagged registration is untouched");
    tenant.shutdown().await;
}

#[tokio::test]
async fn the_text_output_says_what_was_added_and_that_consent_comes_with_the_next_sign_in() {
    let (tenant, dir, account) = admin(2204).await;
    let info = tenant.info().clone();
    let data = dir.path().join("data");
    let (token, _) = admin_token(&info, &account).await;
    let made = run(&data, &["setup", "--account", &account, "--format", "json"], &[]).await.ok().json();
    let object_id = made["objectId"].as_str().unwrap();
    // As an earlier version would have left it: without GroupMember.ReadWrite.All and User.ReadWrite.All.
    let graph = graph_get(&info, &token, &format!("/servicePrincipals?$filter=appId%20eq%20%27{GRAPH_APP_ID}%27&$select=id,oauth2PermissionScopes")).await;
    let dropped: Vec<String> = graph["value"][0]["oauth2PermissionScopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| ["GroupMember.ReadWrite.All", "User.ReadWrite.All"].contains(&s["value"].as_str().unwrap()))
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    let app = graph_get(&info, &token, &format!("/applications/{object_id}?$select=requiredResourceAccess")).await;
    let mut access = app["requiredResourceAccess"].clone();
    access[0]["resourceAccess"].as_array_mut().unwrap().retain(|a| !dropped.iter().any(|d| a["id"] == d.as_str()));
    let patched = reqwest::Client::new()
        .patch(format!("{}/applications/{object_id}", info.graph))
        .bearer_auth(&token)
        .json(&json!({"requiredResourceAccess": access}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status().as_u16(), 204);

    let text = run(&data, &["setup", "--account", &account], &[]).await.ok();
    let client_id = made["clientId"].as_str().unwrap();
    assert!(text.stdout.starts_with(&format!("Found the registration of Entra Desk in tenant {}: client ID {client_id}", info.tenant_id)), "{}", text.stdout);
    assert!(
        text.stdout.contains("It was made by an earlier version of Entra Desk; added what it lacked: GroupMember.ReadWrite.All, User.ReadWrite.All."),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("Nobody has consented to GroupMember.ReadWrite.All, User.ReadWrite.All yet: the next sign-in asking for them asks you to consent")
            && text.stdout.contains("--scopes GroupMember.ReadWrite.All,User.ReadWrite.All"),
        "{}",
        text.stdout
    );
    check_registration(&info, &token, object_id).await;
    tenant.shutdown().await;
}
