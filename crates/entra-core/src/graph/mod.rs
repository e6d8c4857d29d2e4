//! A small Microsoft Graph client: one base URL, one HTTP client, one token source.
//!
//! Resource modules (`me`, and later `applications`, `groups`, …) add methods
//! on [`GraphClient`]; this module owns the request plumbing and the error
//! envelope. Each request carries a fresh `client-request-id`; Graph's errors
//! keep their `code`, `message`, `request-id` and `client-request-id` (an admin
//! pastes the request-id into a support ticket). A 401 makes the client drop
//! its cached token and retry once, since a token can end before its `exp`
//! (revocation, clock skew).

pub mod me;

use crate::http::network_error;
use crate::secret::AccessToken;
use crate::{Error, ErrorCode, Result};
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;
use url::Url;

/// Where the Graph client gets its bearer tokens.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A valid access token for Graph.
    async fn token(&self) -> Result<AccessToken>;
    /// Graph rejected the last token (401): forget it so the next [`TokenSource::token`] gets a new one.
    async fn token_rejected(&self) {}
}

/// A Graph error, decoded from Graph's envelope. Attached as the source of an [`ErrorCode::Graph`] error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    /// The HTTP status.
    pub status: u16,
    /// Graph's error code, e.g. `Authorization_RequestDenied`.
    pub code: String,
    /// Graph's message.
    pub message: String,
    /// `request-id` (from the body, else the header).
    pub request_id: Option<String>,
    /// `client-request-id` (ours, echoed).
    pub client_request_id: Option<String>,
    /// When Graph says the error happened.
    pub date: Option<String>,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}
impl std::error::Error for GraphError {}

impl GraphError {
    /// The Graph details of a core error, if it came from Graph.
    pub fn of(err: &Error) -> Option<&GraphError> {
        std::error::Error::source(err).and_then(|s| s.downcast_ref::<GraphError>())
    }
}

#[derive(Deserialize)]
struct Envelope {
    error: EnvelopeError,
}
#[derive(Deserialize)]
struct EnvelopeError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner: Option<Inner>,
}
#[derive(Deserialize)]
struct Inner {
    #[serde(default, rename = "request-id")]
    request_id: Option<String>,
    #[serde(default, rename = "client-request-id")]
    client_request_id: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

/// The fix to suggest for a Graph failure.
fn graph_fix(status: u16, code: &str) -> &'static str {
    match (status, code) {
        (401, _) => "sign in again",
        (403, _) | (_, "Authorization_RequestDenied") => "the signed-in account or app lacks the permission: grant it (API permissions + admin consent) or use another account",
        (404, _) => "check the ID; the object may have been deleted",
        (429, _) => "Graph is throttling requests: wait a moment and retry",
        (s, _) if s >= 500 => "Graph had a problem: try again later",
        _ => "check the request",
    }
}

/// Decodes a failed Graph response into [`ErrorCode::Graph`] (or [`ErrorCode::NotSignedIn`] for 401).
pub fn decode_error(status: u16, header_request_id: Option<String>, client_request_id: &str, body: &[u8], what: &str) -> Error {
    let graph = match serde_json::from_slice::<Envelope>(body) {
        Ok(env) => {
            let inner = env.error.inner;
            GraphError {
                status,
                code: env.error.code,
                message: env.error.message,
                request_id: inner.as_ref().and_then(|i| i.request_id.clone()).or(header_request_id),
                client_request_id: inner.as_ref().and_then(|i| i.client_request_id.clone()).or(Some(client_request_id.to_string())),
                date: inner.and_then(|i| i.date),
            }
        }
        Err(_) => GraphError {
            status,
            code: format!("HTTP{status}"),
            message: String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string(),
            request_id: header_request_id,
            client_request_id: Some(client_request_id.to_string()),
            date: None,
        },
    };
    let ids = match (&graph.request_id, &graph.client_request_id) {
        (Some(r), Some(c)) => format!(" (request-id {r}, client-request-id {c})"),
        (Some(r), None) => format!(" (request-id {r})"),
        (None, Some(c)) => format!(" (client-request-id {c})"),
        (None, None) => String::new(),
    };
    let code = if status == 401 { ErrorCode::NotSignedIn } else { ErrorCode::Graph };
    let message = format!(
        "Microsoft Graph refused {what} with HTTP {status}, {}: {}. Fix: {}{ids}",
        graph.code,
        graph.message.trim_end_matches('.'),
        graph_fix(status, &graph.code)
    );
    Error::new(code, message).with_source(graph)
}

/// A Graph client. Cheap to clone.
#[derive(Clone)]
pub struct GraphClient {
    base_url: Url,
    http: reqwest::Client,
    token_source: Arc<dyn TokenSource>,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient").field("base_url", &self.base_url.as_str()).finish_non_exhaustive()
    }
}

impl GraphClient {
    /// A client for `base_url` (e.g. `https://graph.microsoft.com/v1.0`).
    pub fn new(base_url: Url, http: reqwest::Client, token_source: Arc<dyn TokenSource>) -> GraphClient {
        GraphClient { base_url, http, token_source }
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `base_url` + `path` (`/me`, `organization?$select=id`).
    pub fn url(&self, path: &str) -> Result<Url> {
        let joined = format!("{}/{}", self.base_url.as_str().trim_end_matches('/'), path.trim_start_matches('/'));
        Url::parse(&joined).map_err(|e| Error::internal(format!("Cannot form the Graph URL for {path}: {e}")))
    }

    /// GETs `path` and decodes the JSON answer.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let url = self.url(path)?;
        let what = format!("GET {}", url.path());
        let mut retried = false;
        loop {
            let token = self.token_source.token().await?;
            let client_request_id = uuid::Uuid::new_v4().to_string();
            let response = self
                .http
                .get(url.clone())
                .bearer_auth(token.expose())
                .header("client-request-id", &client_request_id)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| network_error("call Microsoft Graph", url.as_str(), e))?;
            let status = response.status().as_u16();
            let request_id = response.headers().get("request-id").and_then(|v| v.to_str().ok()).map(String::from);
            let body = response.bytes().await.map_err(|e| network_error("read Microsoft Graph's answer", url.as_str(), e))?;
            if status == 401 && !retried {
                retried = true;
                self.token_source.token_rejected().await;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(decode_error(status, request_id, &client_request_id, &body, &what));
            }
            return serde_json::from_slice(&body).map_err(|e| {
                Error::new(ErrorCode::Graph, format!("Microsoft Graph's answer to {what} could not be read ({e}): check the Graph URL setting"))
            });
        }
    }
}

/// A Graph collection page: `{"value": [...], "@odata.nextLink": ...}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    /// The items.
    pub value: Vec<T>,
    /// The next page, if any.
    #[serde(default, rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_decoded_with_ids() {
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2024-01-01T00:00:00","request-id":"r-1","client-request-id":"c-1"}}}"#;
        let err = decode_error(403, None, "c-ours", body, "GET /v1.0/me");
        assert_eq!(err.code(), ErrorCode::Graph);
        let g = GraphError::of(&err).unwrap();
        assert_eq!((g.code.as_str(), g.request_id.as_deref(), g.client_request_id.as_deref()), ("Authorization_RequestDenied", Some("r-1"), Some("c-1")));
        assert!(err.message().contains("Insufficient privileges to complete the operation. Fix:"), "{}", err.message());
        assert!(err.message().contains("request-id r-1"));
    }

    #[test]
    fn non_json_errors_and_401_are_handled() {
        let err = decode_error(502, Some("r-9".into()), "c-2", b"<html>bad gateway</html>", "GET /v1.0/me");
        assert_eq!(GraphError::of(&err).unwrap().request_id.as_deref(), Some("r-9"));
        assert_eq!(decode_error(401, None, "c", b"{}", "GET /me").code(), ErrorCode::NotSignedIn);
    }
}
