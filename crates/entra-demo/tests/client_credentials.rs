//! Client credentials: secret in the body, HTTP Basic, and certificate
//! assertions in both documented header formats (RS256 + x5t, PS256 + x5t#S256).

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use entra_demo::DemoInfo;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sha2::Digest;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";

fn cert_der(info: &DemoInfo) -> Vec<u8> {
    let pem = std::fs::read_to_string(&info.certificate_client.certificate_path).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

fn assertion(info: &DemoInfo, alg: Algorithm, aud: &str, iss: &str, exp_offset: i64) -> String {
    let der = cert_der(info);
    let mut header = Header::new(alg);
    match alg {
        Algorithm::PS256 => header.x5t_s256 = Some(URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&der))),
        _ => header.x5t = Some(URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(&der))),
    }
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({
        "aud": aud, "iss": iss, "sub": iss, "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now, "iat": now, "exp": now + exp_offset,
    });
    let key_pem = std::fs::read(&info.certificate_client.private_key_path).unwrap();
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(&key_pem).unwrap()).unwrap()
}

async fn with_assertion(info: &DemoInfo, jwt: &str) -> (u16, serde_json::Value) {
    post_token(info, &[("client_id", &info.certificate_client.client_id), ("grant_type", "client_credentials"), ("scope", GRAPH_DEFAULT), ("client_assertion_type", JWT_BEARER), ("client_assertion", jwt)]).await
}

fn assert_app_token(body: &serde_json::Value, client_id: &str, azpacr: &str) {
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].is_i64() && body["ext_expires_in"].is_i64());
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    let claims = claims(body["access_token"].as_str().unwrap());
    assert_eq!(claims["azp"], client_id);
    assert_eq!(claims["azpacr"], azpacr);
    assert_eq!(claims["idtyp"], "app");
    assert!(claims["roles"].as_array().unwrap().iter().any(|r| r == "Application.ReadWrite.All"));
    assert!(claims.get("scp").is_none());
}

#[tokio::test]
async fn secret_in_body_and_basic_auth() {
    let demo = tenant().await;
    let info = demo.info();
    let cc = &info.confidential_client;
    let (status, body) = post_token(info, &[("client_id", &cc.client_id), ("client_secret", &cc.client_secret), ("grant_type", "client_credentials"), ("scope", GRAPH_DEFAULT)]).await;
    assert_eq!(status, 200, "{body}");
    assert_app_token(&body, &cc.client_id, "1");

    // RFC 6749 §2.3.1: Basic with form-urlencoded id and secret (the secret contains '~' and maybe '.').
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let basic = STANDARD.encode(format!("{}:{}", encode(&cc.client_id), encode(&cc.client_secret)));
    let response = client()
        .post(token_url(info))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials"), ("scope", "00000003-0000-0000-c000-000000000000/.default")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["pragma"], "no-cache");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_app_token(&body, &cc.client_id, "1");
}

#[tokio::test]
async fn certificate_assertion_rs256_x5t() {
    let demo = tenant().await;
    let info = demo.info();
    let id = &info.certificate_client.client_id;
    let jwt = assertion(info, Algorithm::RS256, &token_url(info), id, 600);
    let (status, body) = with_assertion(info, &jwt).await;
    assert_eq!(status, 200, "{body}");
    assert_app_token(&body, id, "2");
}

#[tokio::test]
async fn certificate_assertion_ps256_x5t_s256_with_domain_audience() {
    let demo = tenant().await;
    let info = demo.info();
    let id = &info.certificate_client.client_id;
    let aud = token_url(info).replace(&info.tenant_id, "demo.onmicrosoft.com");
    let jwt = assertion(info, Algorithm::PS256, &aud, id, 600);
    let (status, body) = with_assertion(info, &jwt).await;
    assert_eq!(status, 200, "{body}");
    assert_app_token(&body, id, "2");
}

#[tokio::test]
async fn bad_assertions_are_refused() {
    let demo = tenant().await;
    let info = demo.info();
    let id = info.certificate_client.client_id.clone();
    // Wrong audience.
    let jwt = assertion(info, Algorithm::RS256, "https://login.microsoftonline.com/other/oauth2/v2.0/token", &id, 600);
    let (status, body) = with_assertion(info, &jwt).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700212);
    // iss/sub not the client.
    let jwt = assertion(info, Algorithm::RS256, &token_url(info), "someone-else", 600);
    let (status, body) = with_assertion(info, &jwt).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700021);
    // Expired.
    let jwt = assertion(info, Algorithm::RS256, &token_url(info), &id, -3600);
    let (status, body) = with_assertion(info, &jwt).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700024);
    // Tampered signature.
    let jwt = assertion(info, Algorithm::PS256, &token_url(info), &id, 600);
    let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
    let mut sig = URL_SAFE_NO_PAD.decode(&parts[2]).unwrap();
    sig[10] ^= 0xff;
    parts[2] = URL_SAFE_NO_PAD.encode(sig);
    let (status, body) = with_assertion(info, &parts.join(".")).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700027);
    // Garbage.
    let (status, body) = with_assertion(info, "not.a.jwt").await;
    assert_aadsts(status, &body, 401, "invalid_client", 50027);
    // A public client may not present one.
    let jwt = assertion(info, Algorithm::RS256, &token_url(info), &id, 600);
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "client_credentials"), ("scope", GRAPH_DEFAULT), ("client_assertion_type", JWT_BEARER), ("client_assertion", &jwt)]).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700025);
}

/// MSAL Python pads the thumbprint (`urlsafe_b64encode`) and sends float
/// NumericDates; Entra accepts both, so the demo does too.
#[tokio::test]
async fn padded_thumbprint_and_fractional_exp_are_accepted() {
    let demo = tenant().await;
    let info = demo.info();
    let id = info.certificate_client.client_id.clone();
    let der = cert_der(info);
    let mut header = Header::new(Algorithm::RS256);
    header.x5t = Some(base64::engine::general_purpose::URL_SAFE.encode(sha1::Sha1::digest(&der)));
    assert!(header.x5t.as_deref().unwrap().ends_with('='));
    let now = chrono::Utc::now().timestamp() as f64 + 0.25;
    let claims = serde_json::json!({"aud": token_url(info), "iss": id, "sub": id, "jti": "j", "nbf": now, "exp": now + 600.5});
    let key_pem = std::fs::read(&info.certificate_client.private_key_path).unwrap();
    let jwt = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(&key_pem).unwrap()).unwrap();
    let (status, body) = with_assertion(info, &jwt).await;
    assert_eq!(status, 200, "{body}");
}
