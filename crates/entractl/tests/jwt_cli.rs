//! `entractl jwt`: the CLI contract — exit codes 0/1/2, JSON shape, stdin `-`,
//! profiles (save/list/show/delete/import), keys from a metadata address over a
//! local HTTP server and then offline from the disk cache.

use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../entra-jwt/tests/fixtures").join(name)
}

fn token(name: &str) -> String {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(fixture("real-tokens.json")).unwrap()).unwrap();
    doc["tokens"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["token"].as_str().unwrap().to_string()
}

const DB_TENANT: &str = "3aa4a235-b6e2-48d5-9195-7fcf05b459b0";
const INSIDE: &str = "2024-11-04T12:00:00Z";
const AFTER: &str = "2024-11-06T12:00:00Z";

fn entractl(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_entractl"))
        .args(args)
        .env("ENTRA_DESK_DATA_DIR", data)
        .env_remove("ENTRA_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn db_args<'a>(jwks: &'a str, now: &'a str) -> Vec<&'a str> {
    vec!["jwt", "inspect", "--jwks", jwks, "--now", now, "--tenant", DB_TENANT, "--audience", "https://database.windows.net", "--issuer", "https://sts.windows.net/{TenantId}/", "--required-claims", "tid={TenantId};idtyp=app", "--format", "json"]
}

#[test]
fn valid_token_exits_0_with_the_json_shape() {
    let data = tempfile::tempdir().unwrap();
    let jwks = fixture("entra-jwks-common.json");
    let t = token("db");
    let mut args = db_args(jwks.to_str().unwrap(), INSIDE);
    args.push(&t);
    let out = entractl(data.path(), &args, None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["valid"], true);
    assert_eq!(v["header"]["kid"], "3PaK4EfyBNQu3CtjYsa3YmhQ5E0");
    assert_eq!(v["payload"]["tid"], DB_TENANT);
    let checks = v["checks"].as_array().unwrap();
    assert!(checks.len() >= 9);
    for c in checks {
        assert!(c["name"].is_string() && c["ok"] == true && c["detail"].is_string(), "{c}");
    }
    assert_eq!(v["kind"]["version"], "v1");
    assert_eq!(v["kind"]["actor"], "appOnly");
    assert!(v["claims"].as_array().unwrap().iter().any(|c| c["name"] == "appidacr"));
    // The token is never written anywhere.
    assert_eq!(std::fs::read_dir(data.path()).unwrap().count(), 0);
}

#[test]
fn expired_token_exits_1_with_the_failed_check() {
    let data = tempfile::tempdir().unwrap();
    let jwks = fixture("entra-jwks-common.json");
    let t = token("db");
    let mut args = db_args(jwks.to_str().unwrap(), AFTER);
    args.push(&t);
    let out = entractl(data.path(), &args, None);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["valid"], false);
    let expiry = v["checks"].as_array().unwrap().iter().find(|c| c["name"] == "expiry").unwrap();
    assert_eq!(expiry["ok"], false);
    assert!(expiry["detail"].as_str().unwrap().contains("expired"));
}

#[test]
fn graph_token_exits_1_and_explains_why() {
    let data = tempfile::tempdir().unwrap();
    let jwks = fixture("entra-jwks-common.json");
    let out = entractl(data.path(), &["jwt", "inspect", "--jwks", jwks.to_str().unwrap(), "--now", "2024-10-13T18:00:00Z", "--format", "json", &token("graph")], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let sig = v["checks"].as_array().unwrap().iter().find(|c| c["name"] == "signature").unwrap();
    assert!(sig["detail"].as_str().unwrap().contains("Microsoft Graph"));
    assert_eq!(v["kind"]["graphNonce"], true);
}

#[test]
fn not_a_jwt_exits_2_with_a_message() {
    let data = tempfile::tempdir().unwrap();
    for (input, needle) in [("not-a-token", "3 segments"), ("a.b.c.d.e", "encrypted"), ("e30.!!.x", "base64url")] {
        let out = entractl(data.path(), &["jwt", "inspect", input, "--format", "json"], None);
        assert_eq!(out.status.code(), Some(2), "{input}");
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle), "{input}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = entractl(data.path(), &["jwt", "inspect", "-"], Some("   \n"));
    assert_eq!(out.status.code(), Some(2));
    let out = entractl(data.path(), &["jwt", "inspect", &token("db"), "--now", "yesterday"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_token_on_argv_is_warned_about_while_stdin_and_file_are_not() {
    let data = tempfile::tempdir().unwrap();
    let warning = "lands in shell history";
    let out = entractl(data.path(), &["jwt", "inspect", "--format", "json", &token("api1")], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(warning), "{}", String::from_utf8_lossy(&out.stderr));

    let out = entractl(data.path(), &["jwt", "inspect", "--format", "json"], Some(&token("api1")));
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(warning));

    let file = data.path().join("token.txt");
    std::fs::write(&file, token("api1")).unwrap();
    let out = entractl(data.path(), &["jwt", "inspect", "--format", "json", "--file", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(warning));
    assert_eq!(json(&out)["kind"], json(&entractl(data.path(), &["jwt", "inspect", "--format", "json"], Some(&token("api1"))))["kind"]);

    let out = entractl(data.path(), &["jwt", "inspect", "--file", data.path().join("missing").to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the token file"));
}

#[test]
fn stdin_dash_and_text_format() {
    let data = tempfile::tempdir().unwrap();
    let jwks = fixture("entra-jwks-common.json");
    let mut args = db_args(jwks.to_str().unwrap(), INSIDE);
    args.retain(|a| *a != "--format" && *a != "json");
    args.push("-");
    let out = entractl(data.path(), &args, Some(&format!("Bearer {}\n", token("db"))));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("v1 access token, app-only"), "{text}");
    assert!(text.contains("Valid: all"));
    // No keys at all: decodable, but not valid.
    let out = entractl(data.path(), &["jwt", "inspect", "--format", "json"], Some(&token("api1")));
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out)["checks"].as_array().unwrap().iter().any(|c| c["name"] == "signature" && c["ok"] == false));
}

#[test]
fn profiles_save_list_show_import_delete_and_use() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let out = entractl(d, &["jwt", "profile", "save", "db", "--tenant", DB_TENANT, "--audience", "https://database.windows.net/", "--clock-skew", "00:01:00"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(d.join("jwt-profiles/db.json").exists());
    let block = "Tenant ID: 43370caf-14f8-4849-9194-9595049c06e9\nAudience = api://b76fd2ab-17c9-4806-9f82-8d1104b66991\nIssuer: https://sts.windows.net/{TenantId}/\nRequired Claims: tid={TenantId};appidacr=1\nEntra Group Cache Duration: 00:30:00\n";
    let out = entractl(d, &["jwt", "profile", "import", "api1", "-"], Some(block));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Entra Group Cache Duration"), "unknown labels are reported");
    assert_eq!(json(&out)["unknown"].as_array().unwrap().len(), 1);
    let list = json(&entractl(d, &["jwt", "profile", "list"], None));
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["api1", "db"]);
    let show = json(&entractl(d, &["jwt", "profile", "show", "db"], None));
    assert_eq!(show["clockSkew"], "00:01:00");
    assert_eq!(show["issuer"], "https://sts.windows.net/{TenantId}/");

    let jwks = fixture("entra-jwks-common.json");
    let jwks = jwks.to_str().unwrap();
    let ok = entractl(d, &["jwt", "inspect", "--profile", "api1", "--jwks", jwks, "--now", "2024-10-09T00:30:00Z", "--format", "json", &token("api1")], None);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let wrong = entractl(d, &["jwt", "inspect", "--profile", "api1", "--jwks", jwks, "--now", "2024-10-09T00:30:00Z", "--format", "json", &token("api2")], None);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(json(&wrong)["checks"].as_array().unwrap().iter().any(|c| c["name"] == "audience" && c["ok"] == false));

    assert_eq!(entractl(d, &["jwt", "profile", "delete", "db"], None).status.code(), Some(0));
    assert_eq!(entractl(d, &["jwt", "profile", "show", "db"], None).status.code(), Some(2));
    assert_eq!(entractl(d, &["jwt", "inspect", "--profile", "db", &token("db")], None).status.code(), Some(2));
    let bad = entractl(d, &["jwt", "profile", "import", "bad"], Some("Clock Skew: soon\nTenant ID: x\n"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(!d.join("jwt-profiles/bad.json").exists());
}

/// Serves discovery + JWKS on 127.0.0.1:0 for `max` requests, then stops.
fn serve(max: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let jwks = std::fs::read_to_string(fixture("entra-jwks-common.json")).unwrap();
    let base2 = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let body = if req.contains("openid-configuration") { format!("{{\"jwks_uri\":\"{base2}/keys\"}}") } else { jwks.clone() };
            let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    base
}

#[test]
fn metadata_keys_are_fetched_then_used_offline_from_the_cache() {
    let data = tempfile::tempdir().unwrap();
    let base = serve(2);
    let metadata = format!("{base}/common/v2.0/.well-known/openid-configuration");
    let t = token("db");
    let args = ["jwt", "inspect", "--metadata", &metadata, "--now", INSIDE, "--format", "json", &t];
    let out = entractl(data.path(), &args, None);
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(json(&out)["keysFrom"].as_str().unwrap().contains("fetched"));
    assert_eq!(std::fs::read_dir(data.path().join("jwks-cache")).unwrap().count(), 1);
    // The server has stopped answering: the cached keys still verify.
    let out = entractl(data.path(), &args, None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(json(&out)["keysFrom"].as_str().unwrap().contains("cached"));
}
