//! Signing in to a team store with Entra (`auth=entra`), as far as a local PostgreSQL allows.
//! Azure Database for PostgreSQL takes an Entra access token for
//! `https://ossrdbms-aad.database.windows.net/.default` as the password and checks it itself; a
//! local server cannot, so the test plays Azure's part: it gives the database role, as its
//! password, the very token the signed-in account holds for that scope (minted by the demo
//! tenant, whose client-credentials grant knows the resource). The store then connects only if
//! it minted (or reused) a token for the right scope from the right account and sent it as the
//! password — and a token of another account is refused, with an error that quotes no token.

use base64::Engine;
use entra_core::config::ProfileSettings;
use entra_core::desk::SecretKeeping;
use entra_core::{AppCredential, Desk, DeskOptions, ErrorCode};
use entra_demo::DemoOptions;
use entra_teamstore::{DatabasePassword, PgLeaseStore, TeamStoreAddress, ENTRA_DATABASE_SCOPE};
use entra_testkit::postgres::Cluster;
use std::sync::Arc;

async fn app_only_desk(tenant: &entra_demo::DemoTenant, dir: &std::path::Path) -> (Desk, String) {
    let mut options = DeskOptions::new(dir.join(uuid::Uuid::new_v4().simple().to_string()));
    options.keychain_service = format!("entra-desk-test-{}", uuid::Uuid::new_v4());
    options.env = Arc::new(|_: &str| None);
    let desk = Desk::open_with(options).unwrap();
    let info = tenant.info();
    let flags = ProfileSettings {
        authority: Some(info.authority.clone()),
        client_id: Some(info.confidential_client.client_id.clone()),
        graph_url: Some(info.graph.clone()),
        ca_cert: info.ca_cert.as_ref().map(|p| p.to_string_lossy().into_owned()),
        ..Default::default()
    };
    let profile = desk.settings().resolve_profile(flags).await.unwrap();
    let secret = entra_core::secret::ClientSecret::new(info.confidential_client.client_secret.clone());
    let account = desk.sign_in_app_only_with(&profile, AppCredential::ClientSecret(secret), SecretKeeping::MemoryOnly).await.unwrap();
    (desk, account.id)
}

fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn the_accounts_database_token_is_the_password_and_another_accounts_is_refused() {
    let tenant = entra_demo::start(DemoOptions { tls: true, apps: 2, groups: 1, users: 3, ..Default::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (desk, account) = app_only_desk(&tenant, dir.path()).await;
    let token = desk.access_token(&account, Some(&[ENTRA_DATABASE_SCOPE.to_string()])).await.unwrap();
    assert_eq!(claims(token.expose())["aud"], "https://ossrdbms-aad.database.windows.net", "a token for the database, not for Graph");

    // Azure's part: the database role signs in with that token.
    let cluster = Cluster::start().unwrap();
    cluster.create_role("entra_app", token.expose()).unwrap();
    cluster.sql("CREATE DATABASE leases").unwrap();
    let owner = TeamStoreAddress::parse(&format!("postgres://postgres@127.0.0.1:{}/leases", cluster.port())).unwrap();
    entra_teamstore::init(&owner, DatabasePassword::None, &["entra_app".to_string()]).await.unwrap();

    let address = TeamStoreAddress::parse(&format!("postgres://entra_app@127.0.0.1:{}/leases?auth=entra", cluster.port())).unwrap();
    assert!(address.uses_entra());
    let store = PgLeaseStore::connect(&address, DatabasePassword::EntraToken { desk: desk.clone(), account_id: account.clone() }).await.unwrap();
    assert_eq!(store.check().await.unwrap().database_user, "entra_app");

    // Another account's token (another app-only sign-in: another token) is not the password.
    let (other, other_account) = app_only_desk(&tenant, dir.path()).await;
    let other_token = other.access_token(&other_account, Some(&[ENTRA_DATABASE_SCOPE.to_string()])).await.unwrap();
    assert_ne!(other_token.expose(), token.expose());
    let err = PgLeaseStore::connect(&address, DatabasePassword::EntraToken { desk: other, account_id: other_account }).await.unwrap_err();
    assert_ne!(err.code(), ErrorCode::Internal, "{}", err.message());
    assert!(err.message().to_lowercase().contains("entra"), "the error says where the password came from: {}", err.message());
    for secret in [token.expose(), other_token.expose()] {
        assert!(!err.message().contains(secret) && !format!("{err:?}").contains(secret), "no token in the error");
    }
}
