//! TLS mode: https URLs, a CA file, and clients that trust it.

mod common;

use common::*;
use entra_demo::browser::DemoBrowser;
use entra_demo::DemoOptions;

#[tokio::test]
async fn tls_mode_serves_https_trusted_through_ca_cert() {
    let demo = entra_demo::start(DemoOptions { tls: true, ..Default::default() }).await.unwrap();
    let info = demo.info().clone();
    assert!(info.authority.starts_with("https://127.0.0.1:"));
    assert!(info.graph.starts_with("https://"));
    let ca_path = info.ca_cert.clone().expect("a CA with tls");
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&ca_path).unwrap()).unwrap();
    let trusting = reqwest::Client::builder().add_root_certificate(ca).build().unwrap();
    let doc: serde_json::Value = trusting.get(&info.metadata_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["issuer"], format!("{}/v2.0", info.authority));
    // localhost is in the certificate too.
    let localhost = info.metadata_url.replace("127.0.0.1", "localhost");
    assert_eq!(trusting.get(&localhost).send().await.unwrap().status(), 200);

    // A client that does not trust the CA fails the handshake.
    let untrusting = reqwest::Client::builder().build().unwrap();
    assert!(untrusting.get(&info.metadata_url).send().await.is_err());

    // Full sign-in over https.
    let mut app = Loopback::start().await;
    let pkce = pkce();
    let url = authorize_url(&info, &[("client_id", &info.public_client_id), ("response_type", "code"), ("redirect_uri", &app.redirect_uri()), ("scope", "openid offline_access User.Read"), ("code_challenge", &pkce.challenge), ("code_challenge_method", "S256")]);
    let delivered = DemoBrowser::new(Some(&ca_path)).unwrap().sign_in(&url, &info.user.username, &info.user.password).await.unwrap();
    app.next().await;
    let code = query_param(&delivered, "code").unwrap();
    let response = trusting
        .post(format!("{}/oauth2/v2.0/token", info.authority))
        .form(&[("client_id", info.public_client_id.as_str()), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &app.redirect_uri()), ("code_verifier", &pkce.verifier)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens: serde_json::Value = response.json().await.unwrap();
    let claims = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["iss"], format!("{}/v2.0", info.authority));
    let me = trusting.get(format!("{}/me", info.graph)).bearer_auth(tokens["access_token"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(me.status(), 200);
    demo.shutdown().await;
}
