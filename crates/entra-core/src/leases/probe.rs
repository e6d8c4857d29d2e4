//! Client-credential token requests for leases: checking that a new app secret works yet
//! (Entra takes seconds to replicate one and answers AADSTS7000215 meanwhile), and getting
//! access-token leases' tokens from the loopback demo tenant (azure_identity refuses plain
//! http, which only the demo tenant uses; https authorities go through azure_identity).
//!
//! A hand-written form POST rather than oauth2's client-credentials call: the probe must read
//! Entra's `error_codes` to tell "not replicated yet" from every other refusal, and it drops
//! the token unread.

use super::Leases;
use crate::accounts::Account;
use crate::auth::app_only::GRAPH_DEFAULT_SCOPE;
use crate::auth::discovery::discover;
use crate::auth::token_endpoint::{expires_at, ProviderError};
use crate::graph::map_error;
use crate::secret::SecretString;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// Entra's "invalid client secret": also what a secret that has not replicated yet gets.
const AADSTS_INVALID_SECRET: u32 = 7_000_215;

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// What a client-credential request got.
pub(crate) enum Answer {
    Token(SecretString, DateTime<Utc>),
    Refused(ProviderError),
}

/// The token endpoint of the account's own tenant: client credentials need a tenant, not
/// `organizations` or `common`.
pub(crate) async fn tenant_token_endpoint(account: &Account, http: &reqwest::Client) -> Result<url::Url> {
    let metadata = discover(http, &account.discovery_candidates()).await?;
    let mut endpoint = metadata.token_endpoint;
    let segments: Vec<String> = endpoint.path_segments().map(|s| s.map(String::from).collect()).unwrap_or_default();
    if let Some(first) = segments.first() {
        if matches!(first.as_str(), "organizations" | "common" | "consumers") {
            let rest = segments[1..].join("/");
            endpoint.set_path(&format!("/{}/{rest}", account.tenant_id));
        }
    }
    Ok(endpoint)
}

/// One client-credential request.
pub(crate) async fn client_credentials(
    http: &reqwest::Client,
    token_endpoint: &url::Url,
    client_id: &str,
    secret: &SecretString,
    scope: &str,
    now: DateTime<Utc>,
) -> Result<Answer> {
    let form = [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret.expose()), ("scope", scope)];
    let response = http
        .post(token_endpoint.clone())
        .form(&form)
        .send()
        .await
        .map_err(|e| Error::network(format!("Could not reach the token endpoint {token_endpoint}: {e}")))?;
    let status = response.status();
    let body = entra_http::read_capped(response, entra_http::caps::TOKEN)
        .await
        .map_err(|e| Error::network(format!("The token endpoint {token_endpoint} answered badly: {e}")))?;
    if status.is_success() {
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| Error::new(ErrorCode::Identity, format!("The token endpoint {token_endpoint} answered without a usable access token")))?;
        let seconds = match answer.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_f64().unwrap_or(3600.0) as i64,
            Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().unwrap_or(3600.0) as i64,
            _ => 3600,
        };
        return Ok(Answer::Token(SecretString::new(answer.access_token), expires_at(now, seconds)));
    }
    match serde_json::from_slice::<ProviderError>(&body) {
        Ok(refusal) => Ok(Answer::Refused(refusal)),
        Err(_) => Err(Error::new(ErrorCode::Identity, format!("The token endpoint {token_endpoint} answered HTTP {status}"))),
    }
}

impl Leases {
    /// Waits until a token can be obtained with `secret` for the application `app_object_id`,
    /// retrying while Entra answers AADSTS7000215, up to the service's limit. Returns how long
    /// it took, in ms.
    pub(crate) async fn wait_until_usable(&self, account_id: &str, app_object_id: &str, secret: &SecretString) -> Result<u64> {
        let started = Instant::now();
        let account = self.desk().account(Some(account_id))?;
        let app = self.graph(account_id)?.application_credentials(app_object_id).await.map_err(map_error)?;
        let client_id = app.app_id.ok_or_else(|| Error::internal("Graph returned the application without its appId"))?;
        let http = crate::http::client(account.ca_cert.as_deref())?;
        let endpoint = tenant_token_endpoint(&account, &http).await?;
        let mut pause = Duration::from_millis(250);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            match client_credentials(&http, &endpoint, &client_id, secret, GRAPH_DEFAULT_SCOPE, self.now()).await? {
                Answer::Token(token, _) => {
                    drop(token);
                    return Ok(started.elapsed().as_millis() as u64);
                }
                Answer::Refused(refusal) if refusal.error_codes.as_deref().unwrap_or_default().contains(&AADSTS_INVALID_SECRET) => {
                    if started.elapsed() + pause > self.usable_wait {
                        return Err(Error::new(
                            ErrorCode::Identity,
                            format!(
                                "The secret was issued, but Microsoft Entra still refused it after {} s and {attempts} attempts (AADSTS7000215: not replicated yet). It usually works within a minute or two: try it again shortly",
                                started.elapsed().as_secs()
                            ),
                        ));
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
                Answer::Refused(refusal) => {
                    return Err(Error::new(
                        ErrorCode::Identity,
                        format!("The secret was issued, but a token could not be obtained with it: {refusal}"),
                    ))
                }
            }
        }
    }
}
