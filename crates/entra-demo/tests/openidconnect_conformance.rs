//! Conformance with a standard OIDC client never written for the demo
//! tenant: the `openidconnect` crate discovers the provider from the issuer
//! alone, builds the authorization URL with PKCE and a nonce, exchanges the
//! code and verifies the ID token (signature via the JWKS, issuer, audience,
//! nonce, expiry, at_hash), then calls the UserInfo endpoint.

mod common;

use common::{Loopback, query_param};
use entra_demo::browser::DemoBrowser;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};

async fn conformance(tls: bool) {
    let demo = entra_demo::start(entra_demo::DemoOptions { tls, ..Default::default() }).await.unwrap();
    let info = demo.info().clone();
    let mut builder = openidconnect::reqwest::ClientBuilder::new().redirect(openidconnect::reqwest::redirect::Policy::none());
    if let Some(ca) = &info.ca_cert {
        builder = builder.add_root_certificate(openidconnect::reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap());
    }
    let http = builder.build().unwrap();

    // Discovery from nothing but the issuer (authority + /v2.0).
    let issuer = IssuerUrl::new(format!("{}/v2.0", info.authority)).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &http).await.expect("discovery");
    let mut app = Loopback::start().await;
    let client = CoreClient::from_provider_metadata(metadata, ClientId::new(info.public_client_id.clone()), None)
        .set_redirect_uri(RedirectUrl::new(app.redirect_uri()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("offline_access".into()))
        .add_scope(Scope::new("User.Read".into()))
        .set_pkce_challenge(challenge)
        .url();

    let delivered = DemoBrowser::new(info.ca_cert.as_deref())
        .unwrap()
        .sign_in(auth_url.as_str(), &info.user.username, &info.user.password)
        .await
        .unwrap();
    app.next().await;
    assert_eq!(query_param(&delivered, "state").as_deref(), Some(csrf.secret().as_str()));
    let code = query_param(&delivered, "code").expect("code");

    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    assert!(tokens.refresh_token().is_some());
    let id_token = tokens.id_token().expect("an ID token for openid");
    let id_verifier = client.id_token_verifier();
    let claims = id_token.claims(&id_verifier, &nonce).expect("the ID token verifies against discovery + JWKS");
    assert_eq!(claims.preferred_username().map(|u| u.as_str()), Some(info.user.username.as_str()));
    let expected_hash = claims.access_token_hash().expect("at_hash");
    let actual = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&id_verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(&actual, expected_hash);

    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), Some(claims.subject().clone()))
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(userinfo.subject(), claims.subject());
    demo.shutdown().await;
}

#[tokio::test]
async fn openidconnect_crate_signs_in_over_http() {
    conformance(false).await;
}

#[tokio::test]
async fn openidconnect_crate_signs_in_over_https() {
    conformance(true).await;
}
