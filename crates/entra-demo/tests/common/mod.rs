//! Helpers shared by the integration tests: a loopback "app" listener, PKCE,
//! a full sign-in, and JSON/assertion helpers.
#![allow(dead_code)]

pub mod apps;
pub mod consent;
pub mod groups;
pub mod leases;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use entra_demo::browser::DemoBrowser;
use entra_demo::{DemoInfo, DemoOptions, DemoTenant};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

pub async fn tenant() -> DemoTenant {
    entra_demo::start(DemoOptions::default()).await.expect("demo tenant starts")
}

/// A tiny loopback listener standing in for the app: records each request target.
pub struct Loopback {
    pub port: u16,
    received: mpsc::UnboundedReceiver<String>,
}

impl Loopback {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, received) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16384];
                    let mut len = 0;
                    loop {
                        let Ok(n) = stream.read(&mut buf[len..]).await else { return };
                        if n == 0 { break; }
                        len += n;
                        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") || len == buf.len() { break; }
                    }
                    let head = String::from_utf8_lossy(&buf[..len]).to_string();
                    let target = head.split_whitespace().nth(1).unwrap_or_default().to_string();
                    let _ = tx.send(target);
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                        .await;
                });
            }
        });
        Self { port, received }
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// The request target the browser delivered (path and query).
    pub async fn next(&mut self) -> String {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.received.recv())
            .await
            .expect("the browser delivered the redirect")
            .expect("listener alive")
    }
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let verifier = format!("{}-{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce { verifier, challenge }
}

pub fn authorize_url(info: &DemoInfo, params: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&format!("{}/oauth2/v2.0/authorize", info.authority)).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

pub fn query_param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub fn token_url(info: &DemoInfo) -> String {
    format!("{}/oauth2/v2.0/token", info.authority)
}

/// Signs in the demo admin with PKCE and returns (code, redirect_uri, verifier).
pub async fn code_for(info: &DemoInfo, scope: &str) -> (String, String, String) {
    let mut app = Loopback::start().await;
    let pkce = pkce();
    let redirect_uri = app.redirect_uri();
    let url = authorize_url(
        info,
        &[
            ("client_id", &info.public_client_id),
            ("response_type", "code"),
            ("redirect_uri", &redirect_uri),
            ("scope", scope),
            ("state", "st-123"),
            ("nonce", "n-456"),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let browser = DemoBrowser::new(info.ca_cert.as_deref()).unwrap();
    let delivered = browser.sign_in(&url, &info.user.username, &info.user.password).await.unwrap();
    let target = app.next().await;
    assert!(delivered.ends_with(&target), "delivered {delivered} but the app got {target}");
    assert_eq!(query_param(&delivered, "state").as_deref(), Some("st-123"));
    let code = query_param(&delivered, "code").expect("code in the redirect");
    (code, redirect_uri, pkce.verifier)
}

pub async fn post_token(info: &DemoInfo, form: &[(&str, &str)]) -> (u16, Value) {
    let response = client().post(token_url(info)).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    let cache = response.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(cache.as_deref(), Some("no-store, no-cache"));
    (status, response.json().await.unwrap())
}

/// Redeems a fresh code for tokens (offline_access + openid included).
pub async fn sign_in_tokens(info: &DemoInfo) -> Value {
    let (code, redirect_uri, verifier) = code_for(info, "openid profile offline_access User.Read").await;
    let (status, body) = post_token(
        info,
        &[
            ("client_id", &info.public_client_id),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &verifier),
            ("scope", "openid profile offline_access User.Read"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Asserts Entra's error body shape and the AADSTS code; returns the body.
pub fn assert_aadsts(status: u16, body: &Value, expected_status: u16, error: &str, code: u64) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(description.starts_with(&format!("AADSTS{code}: ")), "{description}");
    for part in ["\r\nTrace ID: ", "\r\nCorrelation ID: ", "\r\nTimestamp: "] {
        assert!(description.contains(part), "{description}");
    }
    for field in ["timestamp", "trace_id", "correlation_id", "error_uri"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
    assert!(uuid::Uuid::parse_str(body["trace_id"].as_str().unwrap()).is_ok());
    assert!(body["error_uri"].as_str().unwrap().ends_with(&format!("error?code={code}")));
}

/// Decodes a JWT's payload without verification.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn header(jwt: &str) -> Value {
    let head = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap()
}
