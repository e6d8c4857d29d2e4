//! Support shared by `tests/against_demo.rs` and `examples/inventory_bench.rs`:
//! an app-only [`TokenSource`] for the demo tenant (client credentials of the
//! tenant's confidential client, no entra-core), and a [`GraphClient`] on it.
#![allow(dead_code)]

use async_trait::async_trait;
use entra_demo::DemoInfo;
use entra_graph::client::ClientOptions;
use entra_graph::{BearerToken, GraphClient, TokenError, TokenSource};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Client credentials against the demo tenant's token endpoint; the token is cached
/// until Graph rejects it.
pub struct DemoTokens {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: String,
    cached: Mutex<Option<String>>,
    /// Tokens fetched from the token endpoint.
    pub fetched: AtomicUsize,
}

impl DemoTokens {
    pub fn new(info: &DemoInfo) -> DemoTokens {
        DemoTokens {
            http: entra_http::client(None).expect("http client"),
            token_url: format!("{}/oauth2/v2.0/token", info.authority),
            client_id: info.confidential_client.client_id.clone(),
            client_secret: info.confidential_client.client_secret.clone(),
            cached: Mutex::new(None),
            fetched: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl TokenSource for DemoTokens {
    async fn token(&self) -> Result<BearerToken, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref() {
            return Ok(BearerToken::new(token.clone()));
        }
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ];
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| TokenError::new("the demo tenant's token endpoint did not answer").with_source(e))?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.map_err(|e| TokenError::new("the token answer is not JSON").with_source(e))?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| TokenError::new(format!("no access_token from the demo tenant (HTTP {status}): {}", body["error"])))?
            .to_string();
        self.fetched.fetch_add(1, Ordering::SeqCst);
        *cached = Some(token.clone());
        Ok(BearerToken::new(token))
    }

    async fn token_rejected(&self) {
        *self.cached.lock().await = None;
    }
}

/// A Graph client on the demo tenant, app-only, with `options`.
pub fn demo_client(info: &DemoInfo, options: ClientOptions) -> (GraphClient, Arc<DemoTokens>) {
    let tokens = Arc::new(DemoTokens::new(info));
    let client = GraphClient::with_options(info.graph.parse().expect("graph url"), entra_http::client(None).expect("http client"), tokens.clone(), options);
    (client, tokens)
}
