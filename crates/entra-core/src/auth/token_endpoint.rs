//! Tokens from the token endpoint: code redemption and refresh through the
//! `oauth2` crate, and the translation of its errors.
//!
//! oauth2-rs's generic client is instantiated with two types of ours: a token
//! response that keeps the `id_token`, and an error response that keeps
//! Entra's `error_codes`, `trace_id` and `correlation_id` (oauth2's standard
//! error type would drop them, and an admin needs them for a support ticket).

use crate::aadsts::identity_error;
use crate::error::IdentityErrorDetails;
use crate::secret::{AccessToken, RefreshToken};
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use oauth2::basic::{BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType};
use oauth2::{
    AuthUrl, ClientId, EndpointNotSet, EndpointSet, ExtraTokenFields, HttpClientError, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Extra token-response fields: the OpenID Connect ID token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    /// The ID token (present when `openid` was requested).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

/// The token response type.
pub type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// An OAuth error response, with Entra's extra fields when present.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderError {
    /// The OAuth `error`.
    pub error: String,
    /// The provider's description.
    #[serde(default)]
    pub error_description: Option<String>,
    /// Entra: the AADSTS codes.
    #[serde(default)]
    pub error_codes: Option<Vec<u32>>,
    /// Entra: trace ID.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Entra: correlation ID.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// Entra: a finer classification (e.g. `consent_required`).
    #[serde(default)]
    pub suberror: Option<String>,
    /// A page describing the error.
    #[serde(default)]
    pub error_uri: Option<String>,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        if let Some(d) = &self.error_description {
            write!(f, ": {}", d.lines().next().unwrap_or(""))?;
        }
        Ok(())
    }
}
impl oauth2::ErrorResponse for ProviderError {}

impl ProviderError {
    /// The details the core's [`Error`] carries.
    pub fn details(&self) -> IdentityErrorDetails {
        IdentityErrorDetails {
            error: self.error.clone(),
            aadsts: self.error_codes.as_ref().and_then(|c| c.first().copied()),
            description: self.error_description.clone(),
            correlation_id: self.correlation_id.clone(),
            trace_id: self.trace_id.clone(),
        }
    }
}

/// The oauth2 client with authorize and token endpoints set.
pub type OAuthClient = oauth2::Client<
    ProviderError,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A public client (no secret: desktop apps cannot keep one, and Entra rejects one with AADSTS700025).
pub fn oauth_client(client_id: &str, authorize: &url::Url, token: &url::Url, redirect: Option<&url::Url>) -> OAuthClient {
    let client = oauth2::Client::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::from_url(authorize.clone()))
        .set_token_uri(TokenUrl::from_url(token.clone()));
    match redirect {
        Some(r) => client.set_redirect_uri(RedirectUrl::from_url(r.clone())),
        None => client,
    }
}

/// Tokens from one token response, in the core's secret types.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// The access token.
    pub access_token: AccessToken,
    /// When it expires (local clock).
    pub expires_at: DateTime<Utc>,
    /// The new refresh token, if any (Entra rotates it on every use).
    pub refresh_token: Option<RefreshToken>,
    /// The ID token, if any (kept only until verified).
    pub id_token: Option<String>,
    /// Granted scopes, when the provider says.
    pub scopes: Option<Vec<String>>,
}

impl Tokens {
    /// Converts a token response received at `now`.
    pub fn from_response(response: &TokenResponse, now: DateTime<Utc>) -> Tokens {
        // Without expires_in, assume the shortest lifetime Entra issues (60 minutes).
        let lifetime = response.expires_in().unwrap_or(std::time::Duration::from_secs(3600));
        Tokens {
            access_token: AccessToken::new(response.access_token().secret().clone()),
            expires_at: now + chrono::Duration::seconds(i64::try_from(lifetime.as_secs()).unwrap_or(3600)),
            refresh_token: response.refresh_token().map(|r| RefreshToken::new(r.secret().clone())),
            id_token: response.extra_fields().id_token.clone(),
            scopes: response.scopes().map(|s| s.iter().map(|s| s.to_string()).collect()),
        }
    }
}

/// Maps an oauth2 request error. `refusal` is the code for a provider refusal
/// ([`ErrorCode::Identity`], or [`ErrorCode::NotSignedIn`] when a silent refresh failed for good).
pub fn map_token_error(err: RequestTokenError<HttpClientError<reqwest::Error>, ProviderError>, token_url: &str, refusal: ErrorCode) -> Error {
    match err {
        RequestTokenError::ServerResponse(provider) => identity_error(refusal, provider.details()),
        RequestTokenError::Request(e) => {
            let text = e.to_string();
            Error::network(format!("Cannot reach the token endpoint {token_url} ({text}): check the network and the authority")).with_source(e)
        }
        RequestTokenError::Parse(e, body) => Error::network(format!(
            "The token endpoint {token_url} answered something that is not an OAuth token response ({e}; {} bytes): check the authority",
            body.len()
        )),
        RequestTokenError::Other(text) => Error::network(format!("The token endpoint {token_url} failed ({text}): check the authority and try again")),
    }
}

/// Redeems a refresh token. `invalid_grant` (expired, revoked) becomes [`ErrorCode::NotSignedIn`].
pub async fn refresh(http: &reqwest::Client, client: &OAuthClient, refresh_token: &RefreshToken, scopes: &[String], now: DateTime<Utc>) -> Result<Tokens> {
    let rt = oauth2::RefreshToken::new(refresh_token.expose().to_string());
    let response = client
        .exchange_refresh_token(&rt)
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .request_async(http)
        .await
        .map_err(|e| {
            let session_ended = matches!(&e, RequestTokenError::ServerResponse(p) if p.error == "invalid_grant" || p.error == "interaction_required");
            let code = if session_ended { ErrorCode::NotSignedIn } else { ErrorCode::Identity };
            map_token_error(e, client.token_uri().as_str(), code)
        })?;
    Ok(Tokens::from_response(&response, now))
}
