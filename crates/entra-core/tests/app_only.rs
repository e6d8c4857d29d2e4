//! App-only sign-in through azure_identity against the demo tenant with TLS
//! (azure_identity refuses plain http), trusting the demo's generated CA.

mod common;

use common::{assert_no_secret_on_disk, world};
use entra_core::{AppCredential, ErrorCode};
use entra_core::secret::ClientSecret;

#[tokio::test]
async fn client_secret_then_organization_and_sign_out() {
    let w = world(true, 21).await;
    let info = w.tenant.info().clone();
    let profile = w.desk.settings().resolve_profile(w.flags(&info.confidential_client.client_id)).await.unwrap();
    let secret = ClientSecret::new(info.confidential_client.client_secret.clone());
    let account = w.desk.sign_in_app_only(&profile, AppCredential::ClientSecret(secret)).await.unwrap();
    assert_eq!(account.kind, entra_core::accounts::AccountKind::AppOnly);
    let who = entra_core::signin::whoami(&w.desk, &account.id).await.unwrap();
    assert_eq!(who.organization.unwrap()[0].id, info.tenant_id);
    let token = w.desk.access_token(&account.id, None).await.unwrap();
    // The secret went to the keychain, not to disk.
    assert_eq!(
        w.desk.keychain().client_secret(&info.confidential_client.client_id, &profile.tenant_id).unwrap().unwrap().expose(),
        info.confidential_client.client_secret
    );
    assert_no_secret_on_disk(w.desk.data_dir(), &[&info.confidential_client.client_secret, token.expose()]);
    w.desk.sign_out(&account.id).await.unwrap();
    assert!(w.desk.keychain().client_secret(&info.confidential_client.client_id, &profile.tenant_id).unwrap().is_none());
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn certificate_credential() {
    let w = world(true, 22).await;
    let info = w.tenant.info().clone();
    let c = &info.certificate_client;
    let profile = w.desk.settings().resolve_profile(w.flags(&c.client_id)).await.unwrap();
    let credential = AppCredential::Certificate { certificate_path: c.certificate_path.clone(), private_key_path: c.private_key_path.clone() };
    let account = w.desk.sign_in_app_only(&profile, credential).await.unwrap();
    let who = entra_core::signin::whoami(&w.desk, &account.id).await.unwrap();
    assert_eq!(who.organization.unwrap()[0].id, info.tenant_id);
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn secret_errors_carry_aadsts_codes() {
    let w = world(true, 23).await;
    let info = w.tenant.info().clone();
    let cases = [
        (info.confidential_client.client_id.clone(), "not-the-secret".to_string(), 7000215),
        (info.expired_secret_client.client_id.clone(), info.expired_secret_client.client_secret.clone(), 7000222),
        ("00000000-0000-0000-0000-00000000dead".to_string(), "whatever".to_string(), 700016),
    ];
    for (client_id, secret, code) in cases {
        let profile = w.desk.settings().resolve_profile(w.flags(&client_id)).await.unwrap();
        let err = w.desk.sign_in_app_only(&profile, AppCredential::ClientSecret(ClientSecret::new(secret))).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Identity, "{err:?}");
        assert_eq!(err.identity().and_then(|i| i.aadsts), Some(code), "{err:?}");
        assert!(err.message().starts_with(&format!("AADSTS{code}: ")), "{}", err.message());
        assert!(err.message().contains("Fix: "), "{}", err.message());
    }
    assert!(w.desk.accounts().unwrap().is_empty());
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn plain_http_authority_is_refused_with_a_fix() {
    let w = world(false, 24).await;
    let info = w.tenant.info().clone();
    let profile = w.desk.settings().resolve_profile(w.flags(&info.confidential_client.client_id)).await.unwrap();
    let err = w.desk.sign_in_app_only(&profile, AppCredential::ClientSecret(ClientSecret::new("x"))).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Config);
    assert!(err.message().contains("https"), "{}", err.message());
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn settings_file_secret_moves_to_the_keychain() {
    let w = world(true, 25).await;
    let info = w.tenant.info().clone();
    let secret = info.confidential_client.client_secret.clone();
    std::fs::write(
        w.desk.data_dir().join("settings.json"),
        serde_json::json!({
            "connectionString": format!("MicrosoftEntra:ClientId={};MicrosoftEntra:ClientSecret={secret}", info.confidential_client.client_id),
            "authority": info.authority,
            "graphUrl": info.graph,
            "caCert": info.ca_cert,
        })
        .to_string(),
    )
    .unwrap();
    let profile = w.desk.settings().resolve_profile(Default::default()).await.unwrap();
    assert_eq!(profile.client_id, info.confidential_client.client_id);
    let written = std::fs::read_to_string(w.desk.data_dir().join("settings.json")).unwrap();
    assert!(!written.contains(&secret) && !written.contains("connectionString"), "{written}");
    let from_keychain = w.desk.settings().client_secret(&profile.client_id, &profile.tenant_id, profile.client_secret.as_ref()).await.unwrap();
    let account = w.desk.sign_in_app_only(&profile, AppCredential::ClientSecret(from_keychain)).await.unwrap();
    assert_no_secret_on_disk(w.desk.data_dir(), &[&secret]);
    w.desk.sign_out(&account.id).await.unwrap();
    w.tenant.shutdown().await;
}

/// A token endpoint that refuses the connection (the tenant is gone): an error about the
/// network within seconds, not after azure_core's minute and a half of retries.
#[tokio::test]
async fn an_unreachable_token_endpoint_fails_within_seconds() {
    let w = world(true, 24).await;
    let info = w.tenant.info().clone();
    // A port nothing listens on (taken, then given back), behind the tenant's own authority path.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut flags = w.flags(&info.confidential_client.client_id);
    flags.authority = Some(format!("https://127.0.0.1:{port}/{}", info.tenant_id));
    let profile = w.desk.settings().resolve_profile(flags).await.unwrap();
    let secret = ClientSecret::new(info.confidential_client.client_secret.clone());
    let started = std::time::Instant::now();
    let err = w.desk.sign_in_app_only(&profile, AppCredential::ClientSecret(secret)).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(err.code(), ErrorCode::Network, "{err}");
    assert!(!err.to_string().contains(&info.confidential_client.client_secret));
    w.tenant.shutdown().await;
}
