//! OpenID Connect discovery and the provider's signing keys (JWKS).
//!
//! Any standards-compliant provider works: the profile lists candidate
//! discovery URLs (explicit metadata address; `{issuer}/.well-known/…`;
//! Entra's `{authority}/v2.0/.well-known/…`, then `{authority}/.well-known/…`)
//! and the first that answers with a document wins. Keys are cached per JWKS
//! URL and refetched when a token names an unknown `kid` (key rollover).
//! Entra's guidance rate-limits such refetches to one per five minutes, to
//! stop a stream of forged tokens from hammering the JWKS endpoint; the core
//! only verifies ID tokens it just received from the token endpoint itself,
//! so it refetches at once (a sign-in right after a key roll must work).

use crate::http::{network_error, read_body};
use crate::{Error, ErrorCode, Result};
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use url::Url;

/// The fields of a discovery document the core uses.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    /// The issuer; Entra's multi-tenant documents contain the `{tenantid}` template.
    pub issuer: String,
    /// Where the browser signs in.
    pub authorization_endpoint: Url,
    /// Where codes and refresh tokens are redeemed.
    pub token_endpoint: Url,
    /// The signing keys.
    pub jwks_uri: Url,
    /// Sign-out endpoint, if any.
    #[serde(default)]
    pub end_session_endpoint: Option<Url>,
    /// Supported PKCE methods, if the provider says.
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// The URL the document was fetched from (filled in by [`discover`]).
    #[serde(skip)]
    pub metadata_url: Option<Url>,
}

/// Fetches the first discovery document that answers among `candidates`.
pub async fn discover(http: &reqwest::Client, candidates: &[Url]) -> Result<ProviderMetadata> {
    let mut last_problem = String::from("no discovery URL could be formed from the authority");
    for url in candidates {
        let response = http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| network_error("fetch the OpenID discovery document", url.as_str(), e))?;
        let status = response.status();
        if !status.is_success() {
            last_problem = format!("{url} answered HTTP {status}");
            continue;
        }
        let bytes = read_body(response, entra_http::caps::DISCOVERY, "the OpenID discovery document", url.as_str()).await?;
        match serde_json::from_slice::<ProviderMetadata>(&bytes) {
            Ok(mut metadata) => {
                metadata.metadata_url = Some(url.clone());
                return Ok(metadata);
            }
            Err(e) => last_problem = format!("{url} is not an OpenID discovery document ({e})"),
        }
    }
    Err(Error::new(
        ErrorCode::Config,
        format!(
            "Cannot find the identity provider's OpenID configuration: {last_problem}. Fix: check the authority (e.g. https://login.microsoftonline.com/<tenant ID>), or set the metadata address explicitly"
        ),
    ))
}

/// Fetches a JWKS document.
pub async fn fetch_jwks(http: &reqwest::Client, jwks_uri: &Url) -> Result<JwkSet> {
    let response = http.get(jwks_uri.clone()).send().await.map_err(|e| network_error("fetch the signing keys", jwks_uri.as_str(), e))?;
    if !response.status().is_success() {
        return Err(Error::network(format!(
            "The identity provider's signing keys at {jwks_uri} answered HTTP {}: check the provider, then try again",
            response.status()
        )));
    }
    let bytes = read_body(response, entra_http::caps::JWKS, "the signing keys", jwks_uri.as_str()).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::network(format!("The signing keys at {jwks_uri} are not a JWKS document ({e}): check the provider's jwks_uri"))
    })
}

/// How long fetched keys are trusted without a refresh.
const KEYS_TTL: Duration = Duration::from_secs(24 * 3600);

/// Caches discovery documents and JWKS per URL (in memory only).
#[derive(Debug, Default)]
pub struct ProviderCache {
    metadata: Mutex<HashMap<String, ProviderMetadata>>,
    keys: Mutex<HashMap<String, (JwkSet, Instant)>>,
}

impl ProviderCache {
    /// The discovery document for `candidates`, cached by the first candidate.
    pub async fn metadata(&self, http: &reqwest::Client, candidates: &[Url]) -> Result<ProviderMetadata> {
        let key = candidates.first().map(|u| u.to_string()).unwrap_or_default();
        if let Some(m) = self.metadata.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(m.clone());
        }
        let m = discover(http, candidates).await?;
        self.metadata.lock().unwrap_or_else(|p| p.into_inner()).insert(key, m.clone());
        Ok(m)
    }

    /// Keys from `jwks_uri` that contain `kid`, refetching on an unknown `kid` or after the TTL.
    pub async fn keys_with(&self, http: &reqwest::Client, jwks_uri: &Url, kid: Option<&str>) -> Result<JwkSet> {
        let cached = self.keys.lock().unwrap_or_else(|p| p.into_inner()).get(jwks_uri.as_str()).cloned();
        if let Some((set, fetched)) = &cached {
            let fresh = fetched.elapsed() < KEYS_TTL;
            let has_kid = kid.is_none_or(|k| set.find(k).is_some());
            if fresh && has_kid {
                return Ok(set.clone());
            }
        }
        let set = fetch_jwks(http, jwks_uri).await?;
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).insert(jwks_uri.to_string(), (set.clone(), Instant::now()));
        Ok(set)
    }
}
