//! [`GraphError`]: what went wrong talking to Graph, in Graph's own words.
//!
//! Graph's answers keep their `code`, `message`, `request-id`, `client-request-id`
//! and `date` (an admin pastes the request-id into a support ticket), and a 401's
//! claims challenge ([`GraphError::claims_challenge`], [`crate::challenge`]). Every
//! `Display` names the problem and a fix. No variant ever holds a token: requests
//! are described by method and path only.

use crate::token::TokenError;
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// A failed Graph answer (non-2xx), decoded from Graph's error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// What was asked, e.g. `GET /v1.0/applications`.
    pub what: String,
    /// The HTTP status.
    pub status: u16,
    /// Graph's error code, e.g. `Authorization_RequestDenied` (`HTTP<status>` when the body had none).
    pub code: String,
    /// Graph's message.
    pub message: String,
    /// `request-id` from `innerError`, else from the response header.
    pub request_id: Option<String>,
    /// `client-request-id`: Graph's echo, else the one we sent.
    pub client_request_id: Option<String>,
    /// When Graph says the error happened (`innerError.date`, as sent).
    pub date: Option<String>,
    /// A 401's claims challenge (`WWW-Authenticate: Bearer … error="insufficient_claims",
    /// claims="…"`): the decoded JSON claims request an interactive sign-in must send as its
    /// `claims` parameter ([`crate::challenge`]). Not secret, but not for messages either.
    pub claims_challenge: Option<String>,
}

/// Everything that can go wrong in a Graph call.
#[derive(Debug)]
#[non_exhaustive]
pub enum GraphError {
    /// Graph answered with an error status.
    Api(Box<ApiError>),
    /// Graph kept answering 429/503/504 until the retry policy's caps were reached.
    ThrottledGaveUp {
        /// The last answer.
        last: Box<ApiError>,
        /// Attempts made, the first one included.
        attempts: u32,
        /// Total time spent waiting between attempts.
        waited: Duration,
    },
    /// The request did not get an answer (connection, TLS, time-out).
    Transport {
        /// What was asked.
        what: String,
        /// The `client-request-id` we sent.
        client_request_id: String,
        /// Attempts made, the first one included.
        attempts: u32,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// A 2xx answer could not be decoded into the expected type.
    Decode {
        /// What was asked.
        what: String,
        /// The JSON path that failed, e.g. `value[3].passwordCredentials[0].endDateTime`.
        path: String,
        /// serde's description of the problem.
        message: String,
        /// `request-id` header of the answer.
        request_id: Option<String>,
        /// The `client-request-id` we sent.
        client_request_id: Option<String>,
    },
    /// The answer was larger than the cap and was abandoned.
    TooLarge {
        /// What was asked.
        what: String,
        /// The cap, in bytes.
        cap: usize,
    },
    /// The caller cancelled the call.
    Cancelled,
    /// No token could be obtained.
    Token(TokenError),
    /// The request was refused before it was sent (e.g. a `$batch` of more than 20, a foreign nextLink).
    InvalidRequest(String),
}

impl GraphError {
    /// Graph's answer, if Graph answered.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GraphError::Api(e) | GraphError::ThrottledGaveUp { last: e, .. } => Some(e),
            _ => None,
        }
    }
    /// Graph's `request-id`, for a support ticket.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            GraphError::Decode { request_id, .. } => request_id.as_deref(),
            _ => self.api().and_then(|e| e.request_id.as_deref()),
        }
    }
    /// The `client-request-id` of the (last) request.
    pub fn client_request_id(&self) -> Option<&str> {
        match self {
            GraphError::Transport { client_request_id, .. } => Some(client_request_id),
            GraphError::Decode { client_request_id, .. } => client_request_id.as_deref(),
            _ => self.api().and_then(|e| e.client_request_id.as_deref()),
        }
    }
    /// The claims request of Graph's claims challenge (a 401 with `error="insufficient_claims"`):
    /// the decoded JSON a new interactive sign-in sends as `claims` (see [`crate::challenge`]).
    pub fn claims_challenge(&self) -> Option<&str> {
        self.api().and_then(|e| e.claims_challenge.as_deref())
    }
    /// The HTTP status, if Graph answered.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }
    /// Graph's error code, e.g. `Request_ResourceNotFound`.
    pub fn graph_code(&self) -> Option<&str> {
        self.api().map(|e| e.code.as_str())
    }
    /// Whether a write that failed so may have been carried out all the same, so its outcome is
    /// unknown until someone looks: no answer at all, an answer that could not be read, a
    /// cancellation after sending, or a server error other than 503 (a 504 is a gateway that
    /// gave up waiting, a 500 a service that failed somewhere). A 4xx, a 429 or a 503 is the
    /// service saying it did not do it.
    pub fn may_have_been_carried_out(&self) -> bool {
        match self {
            GraphError::Api(e) => e.status >= 500 && e.status != 503,
            GraphError::ThrottledGaveUp { last, .. } => last.status >= 500 && last.status != 503,
            GraphError::Transport { .. } | GraphError::Decode { .. } | GraphError::TooLarge { .. } | GraphError::Cancelled => true,
            // Never sent.
            GraphError::Token(_) | GraphError::InvalidRequest(_) => false,
        }
    }
    /// Whether the caller cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, GraphError::Cancelled)
    }
    /// Whether Graph refused a delta link because its sync state is gone: 410 Gone (a token
    /// older than 7 days), or an error code such as `syncStateNotFound`, `syncStateInvalid`,
    /// `resyncRequired` or `ResyncRequired`, whatever the status. The fix is a full round from
    /// scratch.
    pub fn is_delta_expired(&self) -> bool {
        const CODES: &[&str] = &["syncstatenotfound", "syncstateinvalid", "resyncrequired", "resyncapplydifferences", "resyncuploaddifferences"];
        self.status() == Some(410) || self.graph_code().is_some_and(|c| CODES.contains(&c.to_ascii_lowercase().as_str()))
    }

    /// Graph will not continue from a stored delta link: it expired ([`GraphError::is_delta_expired`])
    /// or Graph cannot read it (400). Either way the cure is a full round from scratch.
    pub fn is_delta_link_refused(&self) -> bool {
        self.is_delta_expired() || self.status() == Some(400)
    }
}

/// The fix to suggest for a Graph failure.
fn fix(status: u16, code: &str, claims_challenge: bool) -> &'static str {
    match (status, code) {
        (401, _) if claims_challenge => {
            "the tenant wants a stronger sign-in for this (a claims challenge, e.g. a Conditional Access authentication context): sign in again, sending its claims"
        }
        (401, _) => "sign in again",
        (403, _) | (_, "Authorization_RequestDenied") => {
            "the signed-in account or app lacks the permission: grant it (API permissions + admin consent) or use another account"
        }
        (404, _) | (_, "Request_ResourceNotFound") => "check the ID; the object may have been deleted",
        (_, "Request_UnsupportedQuery") => {
            "this query needs advanced query parameters (ConsistencyLevel: eventual and $count=true) or is not supported for this property"
        }
        (410, _) | (_, "syncStateNotFound") => "the delta link has expired: start a full sync again",
        (424, _) => "a request it depends on in the same $batch failed: fix that one first",
        (429, _) => "Graph is throttling requests: wait a moment and retry",
        (s, _) if s >= 500 => "Graph had a problem: try again later",
        _ => "check the request",
    }
}

fn ids(request_id: Option<&str>, client_request_id: Option<&str>) -> String {
    match (request_id, client_request_id) {
        (Some(r), Some(c)) => format!(" (request-id {r}, client-request-id {c})"),
        (Some(r), None) => format!(" (request-id {r})"),
        (None, Some(c)) => format!(" (client-request-id {c})"),
        (None, None) => String::new(),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Microsoft Graph refused {} with HTTP {}, {}: {}. Fix: {}{}",
            self.what,
            self.status,
            self.code,
            self.message.trim_end_matches('.'),
            fix(self.status, &self.code, self.claims_challenge.is_some()),
            ids(self.request_id.as_deref(), self.client_request_id.as_deref())
        )
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Api(e) => e.fmt(f),
            GraphError::ThrottledGaveUp { last, attempts, waited } => write!(
                f,
                "Microsoft Graph was still busy (HTTP {}, {}) after {attempts} attempts and {} s of waiting for {}. \
                 Fix: wait a few minutes and try again, or do less at once{}",
                last.status,
                last.code,
                waited.as_secs(),
                last.what,
                ids(last.request_id.as_deref(), last.client_request_id.as_deref())
            ),
            GraphError::Transport { what, client_request_id, attempts, source } => write!(
                f,
                "No answer from Microsoft Graph for {what} after {attempts} attempt(s) ({source}). \
                 Fix: check the network connection and the Graph URL setting (client-request-id {client_request_id})"
            ),
            GraphError::Decode { what, path, message, request_id, client_request_id } => write!(
                f,
                "Microsoft Graph's answer to {what} could not be read at `{path}` ({message}). \
                 Fix: check the Graph URL setting; if it points at Graph, report this with the ids{}",
                ids(request_id.as_deref(), client_request_id.as_deref())
            ),
            GraphError::TooLarge { what, cap } => write!(
                f,
                "Microsoft Graph's answer to {what} was larger than {} MiB and was abandoned. Fix: ask for fewer items or fields ($top, $select)",
                cap >> 20
            ),
            GraphError::Cancelled => f.write_str("The Graph request was cancelled. Fix: start it again when needed"),
            GraphError::Token(e) => write!(f, "No access token for Microsoft Graph: {e}"),
            GraphError::InvalidRequest(m) => write!(f, "The Graph request was not sent: {m}"),
        }
    }
}

impl std::error::Error for GraphError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GraphError::Transport { source, .. } => Some(source),
            GraphError::Token(e) => Some(e),
            _ => None,
        }
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

impl ApiError {
    /// Decodes a failed answer: Graph's envelope when there is one, else the first 200 bytes of the body.
    /// `request-id` comes from `innerError`, else `header_request_id`; `client-request-id` from
    /// `innerError`, else the one sent.
    pub fn decode(what: &str, status: u16, header_request_id: Option<String>, client_request_id: Option<&str>, body: &[u8]) -> ApiError {
        decode_api_error(what, status, header_request_id, client_request_id, body)
    }
}

pub(crate) fn decode_api_error(what: &str, status: u16, header_request_id: Option<String>, client_request_id: Option<&str>, body: &[u8]) -> ApiError {
    match serde_json::from_slice::<Envelope>(body) {
        Ok(env) => {
            let inner = env.error.inner;
            let code = if env.error.code.is_empty() { format!("HTTP{status}") } else { env.error.code };
            ApiError {
                what: what.to_string(),
                status,
                code,
                message: env.error.message,
                request_id: inner.as_ref().and_then(|i| i.request_id.clone()).or(header_request_id),
                client_request_id: inner.as_ref().and_then(|i| i.client_request_id.clone()).or(client_request_id.map(String::from)),
                date: inner.and_then(|i| i.date),
                claims_challenge: None,
            }
        }
        Err(_) => ApiError {
            what: what.to_string(),
            status,
            code: format!("HTTP{status}"),
            message: String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string(),
            request_id: header_request_id,
            client_request_id: client_request_id.map(String::from),
            date: None,
            claims_challenge: None,
        },
    }
}

/// Decodes `body` as `T`, naming the JSON path that failed.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    what: &str,
    body: &[u8],
    request_id: Option<&str>,
    client_request_id: Option<&str>,
) -> Result<T, GraphError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| GraphError::Decode {
        what: what.to_string(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
        request_id: request_id.map(String::from),
        client_request_id: client_request_id.map(String::from),
    })
}
