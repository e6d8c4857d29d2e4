//! Tokens from the token endpoint: code redemption and refresh through the
//! `oauth2` crate, and the translation of its errors.
//!
//! oauth2-rs's generic client is instantiated with two types of ours: a token
//! response that keeps the `id_token`, and an error response that keeps
//! Entra's `error_codes`, `trace_id` and `correlation_id` (oauth2's standard
//! error type would drop them, and an admin needs them for a support ticket).
//!
//! The HTTP exchange is ours too ([`exchange`]): oauth2's own reqwest adapter reads
//! the whole body, so a hostile endpoint could make us hold gigabytes; ours reads it
//! with `entra_http`'s cap. It also normalises an `expires_in` that oauth2 would
//! refuse to parse (negative, fractional, or a string), and [`Tokens::from_response`]
//! clamps the lifetime, so no answer can overflow a date or panic.
//!
//! A refresh sends the `claims` parameter [`capabilities`] makes for the provider: the client
//! capability `cp1` at Microsoft's identity platform, merged with the account's step-up claims.

use super::capabilities;
use super::discovery::ProviderMetadata;
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

/// Extra token-response fields: the OpenID Connect ID token (redacted in `Debug`).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    /// The ID token (present when `openid` was requested).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

impl fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenField").field("id_token", &self.id_token.as_ref().map(|_| "[redacted]")).finish()
    }
}

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

/// The longest access-token lifetime believed (Entra's configurable lifetimes stop at one day).
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 24 * 3600;

/// oauth2's HTTP client over ours: `.request_async(&TokenHttp(http.clone()))`. See [`exchange`].
/// It owns its client handle (cheap to clone): a borrowed one makes the request future's
/// `Send` depend on a higher-ranked lifetime the compiler cannot prove.
#[derive(Debug, Clone)]
pub struct TokenHttp(pub reqwest::Client);

type ExchangeFuture<'c> =
    std::pin::Pin<Box<dyn std::future::Future<Output = std::result::Result<oauth2::HttpResponse, HttpClientError<reqwest::Error>>> + Send + 'c>>;

impl<'c> oauth2::AsyncHttpClient<'c> for TokenHttp {
    type Error = HttpClientError<reqwest::Error>;
    type Future = ExchangeFuture<'c>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(exchange(self.0.clone(), request))
    }
}

/// When a token that lives `seconds` from `now` expires: clamped to `0..=MAX_TOKEN_LIFETIME_SECS`,
/// never overflowing (a provider's or library's lifetime is input like any other).
pub fn expires_at(now: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let seconds = seconds.clamp(0, MAX_TOKEN_LIFETIME_SECS as i64);
    now.checked_add_signed(chrono::Duration::seconds(seconds)).unwrap_or(now)
}

/// One token-endpoint exchange: sent with our client, the answer read with a cap,
/// `expires_in` normalised.
pub async fn exchange(http: reqwest::Client, request: oauth2::HttpRequest) -> std::result::Result<oauth2::HttpResponse, HttpClientError<reqwest::Error>> {
    let request = reqwest::Request::try_from(request).map_err(Box::new)?;
    let response = http.execute(request).await.map_err(Box::new)?;
    let mut builder = oauth2::http::Response::builder().status(response.status()).version(response.version());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = match entra_http::read_capped(response, entra_http::caps::TOKEN).await {
        Ok(body) => body,
        Err(entra_http::HttpError::Transport(e)) => return Err(HttpClientError::Reqwest(Box::new(e))),
        Err(e) => return Err(HttpClientError::Other(format!("the answer was refused: {e}"))),
    };
    builder.body(normalize_expires_in(body)).map_err(HttpClientError::Http)
}

/// Rewrites an `expires_in` that is not a plain non-negative integer (some providers send
/// `"3599"`, a fraction, or a negative number) as one, clamped to `0..=MAX_TOKEN_LIFETIME_SECS`.
/// Anything else is returned byte for byte.
fn normalize_expires_in(body: Vec<u8>) -> Vec<u8> {
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return body;
    };
    let seconds = match map.get("expires_in") {
        Some(serde_json::Value::Number(n)) if n.is_u64() => return body,
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => return body,
    };
    let clamped = seconds.filter(|s| s.is_finite()).unwrap_or(0.0).clamp(0.0, MAX_TOKEN_LIFETIME_SECS as f64) as u64;
    map.insert("expires_in".into(), clamped.into());
    serde_json::to_vec(&map).unwrap_or(body)
}

/// Tokens from one token response, in the core's secret types (`Debug` prints none of them).
#[derive(Clone)]
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

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token)
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Tokens {
    /// Converts a token response received at `now`.
    pub fn from_response(response: &TokenResponse, now: DateTime<Utc>) -> Tokens {
        // Without expires_in, assume the shortest lifetime Entra issues (60 minutes); never more than a day.
        let lifetime = response.expires_in().map_or(3600, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Tokens {
            access_token: AccessToken::new(response.access_token().secret().clone()),
            expires_at: expires_at(now, lifetime),
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

/// Redeems a refresh token at `provider`'s token endpoint for public client `client_id`, with
/// the `claims` parameter [`capabilities::claims_parameter`] makes of `step_up_claims` (the
/// account's step-up claims request): at Microsoft's identity platform the client capability
/// `cp1`, merged with them; elsewhere only them. `invalid_grant` (expired, revoked; or the
/// claims need the person again) becomes [`ErrorCode::NotSignedIn`].
pub async fn refresh(
    http: &reqwest::Client,
    client_id: &str,
    provider: &ProviderMetadata,
    refresh_token: &RefreshToken,
    scopes: &[String],
    step_up_claims: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Tokens> {
    let claims = capabilities::claims_parameter(provider, step_up_claims)?;
    let client = oauth_client(client_id, &provider.authorization_endpoint, &provider.token_endpoint, None);
    let rt = oauth2::RefreshToken::new(refresh_token.expose().to_string());
    let token_http = TokenHttp(http.clone());
    let mut request = client.exchange_refresh_token(&rt).add_scopes(scopes.iter().cloned().map(Scope::new));
    if let Some(claims) = claims {
        request = request.add_extra_param("claims", claims);
    }
    let response = request
        .request_async(&token_http)
        .await
        .map_err(|e| {
            let session_ended = matches!(&e, RequestTokenError::ServerResponse(p) if p.error == "invalid_grant" || p.error == "interaction_required");
            let code = if session_ended { ErrorCode::NotSignedIn } else { ErrorCode::Identity };
            map_token_error(e, client.token_uri().as_str(), code)
        })?;
    Ok(Tokens::from_response(&response, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expires_in(body: &str) -> serde_json::Value {
        let out = normalize_expires_in(body.as_bytes().to_vec());
        serde_json::from_slice::<serde_json::Value>(&out).unwrap()["expires_in"].clone()
    }

    #[test]
    fn odd_expires_in_values_become_clamped_integers() {
        assert_eq!(expires_in(r#"{"expires_in":-5}"#), 0);
        assert_eq!(expires_in(r#"{"expires_in":"3599"}"#), 3599);
        assert_eq!(expires_in(r#"{"expires_in":3599.7}"#), 3599);
        assert_eq!(expires_in(r#"{"expires_in":1e300}"#), MAX_TOKEN_LIFETIME_SECS);
        assert_eq!(expires_in(r#"{"expires_in":"soon"}"#), 0);
        // A plain integer, and anything that is not a JSON object, is left byte for byte.
        let body = br#"{"expires_in": 3599, "x":1}"#.to_vec();
        assert_eq!(normalize_expires_in(body.clone()), body);
        assert_eq!(normalize_expires_in(b"not json".to_vec()), b"not json");
    }

    fn response(expires_in: Option<u64>) -> TokenResponse {
        let mut r = TokenResponse::new(oauth2::AccessToken::new("at".into()), BasicTokenType::Bearer, IdTokenField::default());
        r.set_expires_in(expires_in.map(std::time::Duration::from_secs).as_ref());
        r
    }

    /// A one-shot HTTP server answering `body` with the given Content-Length (none: chunked).
    async fn serve_once(body: Vec<u8>, declared: Option<usize>) -> url::Url {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let head = match declared {
                Some(n) => format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n"),
                None => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_string(),
            };
            let _ = s.write_all(head.as_bytes()).await;
            if declared.is_none() {
                for chunk in body.chunks(64 * 1024) {
                    if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.is_err() || s.write_all(chunk).await.is_err() || s.write_all(b"\r\n").await.is_err() {
                        return;
                    }
                }
                let _ = s.write_all(b"0\r\n\r\n").await;
            } else {
                let _ = s.write_all(&body).await;
            }
        });
        url::Url::parse(&format!("http://127.0.0.1:{port}/token")).unwrap()
    }

    fn token_request(url: &url::Url) -> oauth2::HttpRequest {
        oauth2::http::Request::builder().method("POST").uri(url.as_str()).body(b"grant_type=refresh_token".to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_token_answer_past_the_cap_is_refused_while_reading() {
        let huge = vec![b' '; entra_http::caps::TOKEN + 1];
        for declared in [Some(huge.len()), None] {
            let url = serve_once(huge.clone(), declared).await;
            let err = exchange(reqwest::Client::new(), token_request(&url)).await.unwrap_err();
            assert!(err.to_string().contains("refused"), "{declared:?}: {err:?}");
        }
        let body = br#"{"access_token":"a","token_type":"Bearer","expires_in":"3599"}"#.to_vec();
        let url = serve_once(body.clone(), Some(body.len())).await;
        let ok = exchange(reqwest::Client::new(), token_request(&url)).await.unwrap();
        assert_eq!(serde_json::from_slice::<serde_json::Value>(ok.body()).unwrap()["expires_in"], 3599);
    }

    /// A one-shot token endpoint answering a token response; hands over the request's form body.
    async fn recording_token_endpoint() -> (url::Url, tokio::sync::oneshot::Receiver<String>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = s.read(&mut buf).await.unwrap();
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())).unwrap_or(0);
                    if body.len() >= length || n == 0 {
                        let _ = tx.send(body.to_string());
                        break;
                    }
                } else if n == 0 {
                    return;
                }
            }
            let answer = br#"{"access_token":"a","token_type":"Bearer","expires_in":3599,"refresh_token":"r2"}"#;
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", answer.len());
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(answer).await;
        });
        (url::Url::parse(&format!("http://127.0.0.1:{port}/token")).unwrap(), rx)
    }

    /// The `claims` a refresh at a provider authorizing at `authorize` sends, given step-up claims.
    async fn refresh_claims(authorize: &str, step_up: Option<&str>) -> Option<serde_json::Value> {
        let (token, body) = recording_token_endpoint().await;
        let provider: ProviderMetadata = serde_json::from_value(serde_json::json!({
            "issuer": "https://op.example/v2.0", "authorization_endpoint": authorize, "token_endpoint": token.as_str(), "jwks_uri": "https://op.example/keys",
        }))
        .unwrap();
        let tokens = refresh(&reqwest::Client::new(), "c", &provider, &RefreshToken::new("r1"), &["User.Read".into()], step_up, Utc::now()).await.unwrap();
        assert_eq!(tokens.refresh_token.map(|r| r.expose().to_string()).as_deref(), Some("r2"));
        let form = body.await.unwrap();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(form.as_bytes()).into_owned().collect();
        assert!(pairs.iter().any(|(k, v)| k == "grant_type" && v == "refresh_token"), "{form}");
        pairs.iter().find(|(k, _)| k == "claims").map(|(_, v)| serde_json::from_str(v).unwrap())
    }

    #[tokio::test]
    async fn a_refresh_declares_cp1_to_microsoft_only_merged_with_the_step_ups_claims() {
        let microsoft = "https://login.microsoftonline.com/t/oauth2/v2.0/authorize";
        let c1 = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
        assert_eq!(refresh_claims(microsoft, None).await, Some(serde_json::json!({"access_token": {"xms_cc": {"values": ["cp1"]}}})));
        assert_eq!(
            refresh_claims(microsoft, Some(c1)).await,
            Some(serde_json::json!({"access_token": {"xms_cc": {"values": ["cp1"]}, "acrs": {"essential": true, "value": "c1"}}}))
        );
        // Another OpenID provider hears of no capability: no claims, or the step-up's as given.
        assert_eq!(refresh_claims("https://op.example/authorize", None).await, None);
        assert_eq!(refresh_claims("https://op.example/authorize", Some(c1)).await, Some(serde_json::from_str(c1).unwrap()));
    }

    #[tokio::test]
    async fn a_malformed_step_up_claim_fails_the_refresh_before_anything_is_sent() {
        let provider: ProviderMetadata = serde_json::from_value(serde_json::json!({
            "issuer": "x", "authorization_endpoint": "https://login.microsoftonline.com/t/authorize",
            "token_endpoint": "http://127.0.0.1:9/token", "jwks_uri": "https://login.microsoftonline.com/keys",
        }))
        .unwrap();
        let err = refresh(&reqwest::Client::new(), "c", &provider, &RefreshToken::new("r1"), &[], Some("{\"access_token\":1}"), Utc::now()).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "not a network error: nothing was sent");
    }

    #[test]
    fn debug_prints_no_token() {
        let mut r = TokenResponse::new(
            oauth2::AccessToken::new("eyJ0eXAi.access-secret.sig".into()),
            BasicTokenType::Bearer,
            IdTokenField { id_token: Some("eyJhbGci.id-secret.sig".into()) },
        );
        r.set_refresh_token(Some(oauth2::RefreshToken::new("0.AXoA-refresh-secret".into())));
        let tokens = Tokens::from_response(&r, Utc::now());
        for printed in [format!("{tokens:?}"), format!("{r:?}")] {
            for secret in ["access-secret", "id-secret", "refresh-secret"] {
                assert!(!printed.contains(secret), "{secret} in {printed}");
            }
        }
    }

    #[test]
    fn a_huge_lifetime_is_clamped_and_cannot_overflow() {
        let now = Utc::now();
        let t = Tokens::from_response(&response(Some(u64::MAX)), now);
        assert_eq!(t.expires_at, now + chrono::Duration::seconds(MAX_TOKEN_LIFETIME_SECS as i64));
        // Even at the end of time.
        let t = Tokens::from_response(&response(Some(3600)), DateTime::<Utc>::MAX_UTC);
        assert_eq!(t.expires_at, DateTime::<Utc>::MAX_UTC);
        assert_eq!(Tokens::from_response(&response(None), now).expires_at, now + chrono::Duration::seconds(3600));
        assert_eq!(expires_at(now, -50), now);
        assert_eq!(expires_at(now, i64::MAX), now + chrono::Duration::seconds(MAX_TOKEN_LIFETIME_SECS as i64));
        assert_eq!(expires_at(DateTime::<Utc>::MAX_UTC, 60), DateTime::<Utc>::MAX_UTC);
    }
}
