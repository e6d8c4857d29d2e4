//! `entractl groups members`: every member printed, although the cache is read a page at a
//! time (the large group of the demo tenant has more than ten pages), direct and transitive.
//! Run under scripts/with-keyring.sh (app-only sign-in keeps the demo client's secret there).

use serde_json::Value;
use std::collections::BTreeSet;
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
    (out.status.code().unwrap_or(-1), serde_json::from_str(&stdout).unwrap_or(Value::Null), stderr)
}

#[tokio::test]
async fn members_prints_every_member_of_a_group_larger_than_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = entra_demo::start(entra_demo::DemoOptions { tls: true, ..Default::default() }).await.unwrap();
    let fixture = tenant.group_fixture();
    tenant.shutdown().await;
    assert!(fixture.large_group_members > 10 * entra_core::paging::MAX_PAGE_ROWS as usize, "the test needs a group of many pages");
    let (code, _, err) = entractl(dir.path(), &["groups", "sync", "--demo"]).await;
    assert_eq!(code, 0, "{err}");

    let (code, large, err) = entractl(dir.path(), &["groups", "members", &fixture.large_group, "--offline"]).await;
    assert_eq!(code, 0, "{err}");
    let members = large["members"].as_array().unwrap();
    assert_eq!(members.len(), fixture.large_group_members);
    let ids: BTreeSet<&str> = members.iter().map(|m| m["member"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), members.len(), "no member twice across pages");
    assert_eq!((large["group"]["id"].as_str(), large["transitive"].as_bool()), (Some(fixture.large_group.as_str()), Some(false)));
    assert!(large["cache"]["asOf"].is_string());

    let (code, nested, err) = entractl(dir.path(), &["groups", "members", &fixture.nested_chain[0], "--transitive", "--offline"]).await;
    assert_eq!(code, 0, "{err}");
    let user = nested["members"].as_array().unwrap().iter().find(|m| m["member"]["id"] == fixture.nested_user.as_str()).expect("the nested user");
    assert_eq!((user["depth"].as_u64(), user["via"]["id"].as_str()), (Some(5), Some(fixture.nested_chain[4].as_str())));
}
