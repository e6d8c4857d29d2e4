//! The one error type of the core, and its stable codes.
//!
//! Every failure that reaches a person (in the app or in `entractl`) is an
//! [`Error`]: a stable machine-readable [`ErrorCode`] plus a message that says
//! what went wrong *and what to do about it*. The Tauri shell serialises it as
//! `{code, message}`; the CLI prints the message and maps the code to an exit
//! status. Add a code only when a consumer (the UI, a script) acts on it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable, machine-readable error category. Serialised in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The configuration (settings file, environment, connection string) is invalid.
    Config,
    /// Input given by the user (a token, a file, an argument) cannot be used.
    InvalidInput,
    /// The OS keychain is unavailable, locked or refused the operation.
    Keychain,
    /// A server could not be reached, or answered with something that is not HTTP/JSON we understand.
    Network,
    /// The identity provider refused a request (an AADSTS or OAuth error).
    Identity,
    /// The user cancelled the sign-in.
    SignInCancelled,
    /// The sign-in was not completed in time.
    SignInTimeout,
    /// No account is signed in, or the account's session ended; sign in again.
    NotSignedIn,
    /// Microsoft Graph answered with an error.
    Graph,
    /// Local storage (data folder, SQLite) failed.
    Storage,
    /// A lease or definition belongs to another tenant than the account's (or to none yet):
    /// sign in to its tenant, or bind it.
    WrongTenant,
    /// The lease store is not where it was made (a moved or copied data folder): say which.
    StoreMoved,
    /// A maintenance leader of a shared store lost its term (another member took over, or its
    /// connection to the store was lost): what it was about to write was not written.
    NotLeader,
    /// A long operation was cancelled by the user; nothing to show.
    Cancelled,
    /// The sign-in lacks a Graph permission the operation needs: grant it (an interactive
    /// sign-in asking for [`Error::scopes_to_grant`]) and try again.
    MissingScope,
    /// The sign-in holds the permission, but the account lacks a directory role (or the
    /// ownership) Graph also wants: the message names the roles.
    MissingRole,
    /// Graph sent a claims challenge: a Conditional Access policy of the tenant wants a stronger
    /// sign-in for this operation (an authentication context), or ended the session (Continuous
    /// Access Evaluation). An interactive sign-in as the same person sending
    /// [`Error::claims_challenge`] meets it; then try again.
    ClaimsRequired,
    /// A bug: something that should not happen did.
    Internal,
}

impl ErrorCode {
    /// The `snake_case` name used on the wire and in the CLI's JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Config => "config",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Keychain => "keychain",
            ErrorCode::Network => "network",
            ErrorCode::Identity => "identity",
            ErrorCode::SignInCancelled => "sign_in_cancelled",
            ErrorCode::SignInTimeout => "sign_in_timeout",
            ErrorCode::NotSignedIn => "not_signed_in",
            ErrorCode::Graph => "graph",
            ErrorCode::Storage => "storage",
            ErrorCode::WrongTenant => "wrong_tenant",
            ErrorCode::StoreMoved => "store_moved",
            ErrorCode::NotLeader => "not_leader",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::MissingScope => "missing_scope",
            ErrorCode::MissingRole => "missing_role",
            ErrorCode::ClaimsRequired => "claims_required",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Details of an error returned by an identity provider's token or authorize endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IdentityErrorDetails {
    /// The OAuth `error` value, e.g. `invalid_grant`.
    pub error: String,
    /// The first AADSTS code, when the provider is Entra (e.g. 70008).
    pub aadsts: Option<u32>,
    /// The provider's own `error_description`, verbatim.
    pub description: Option<String>,
    /// Entra's `correlation_id`, for support tickets.
    pub correlation_id: Option<String>,
    /// Entra's `trace_id`, for support tickets.
    pub trace_id: Option<String>,
}

/// The IDs of a failed Microsoft Graph request, which an admin pastes into a support ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GraphErrorDetails {
    /// The HTTP status.
    pub status: u16,
    /// Graph's error code, e.g. `Authorization_RequestDenied`.
    pub code: String,
    /// Graph's `request-id`.
    pub request_id: Option<String>,
    /// The `client-request-id` we sent (Graph echoes it).
    pub client_request_id: Option<String>,
}

/// The core's error: a stable code, a message naming the fix, optional identity or Graph details, and the cause.
pub struct Error {
    code: ErrorCode,
    message: String,
    identity: Option<Box<IdentityErrorDetails>>,
    graph: Option<Box<GraphErrorDetails>>,
    /// For [`ErrorCode::MissingScope`]: the delegated scopes to ask for.
    scopes_to_grant: Option<Vec<String>>,
    /// For [`ErrorCode::ClaimsRequired`]: the claims request of Graph's challenge (JSON).
    claims_challenge: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error with `code` and a message that should say what to do.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), identity: None, graph: None, scopes_to_grant: None, claims_challenge: None, source: None }
    }

    /// Attaches the underlying cause (kept for logs and `Debug`, never shown instead of the message).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Attaches the identity provider's error details.
    pub fn with_identity(mut self, details: IdentityErrorDetails) -> Self {
        self.identity = Some(Box::new(details));
        self
    }

    /// Attaches the IDs of the Graph request that failed.
    pub fn with_graph(mut self, details: GraphErrorDetails) -> Self {
        self.graph = Some(Box::new(details));
        self
    }

    /// The same error (code, identity and Graph details, cause) with its message replaced: for a
    /// caller that adds what the failure means ("… Nothing was issued") without losing the
    /// request IDs an admin pastes into a support ticket.
    pub fn reworded(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// The same error under another code (e.g. a Graph 403 explained as [`ErrorCode::MissingRole`]).
    pub fn recoded(mut self, code: ErrorCode) -> Self {
        self.code = code;
        self
    }

    /// Names the delegated scopes a new sign-in must ask for (with [`ErrorCode::MissingScope`]).
    pub fn with_scopes_to_grant(mut self, scopes: Vec<String>) -> Self {
        self.scopes_to_grant = Some(scopes);
        self
    }

    /// The delegated scopes to ask for, when the fix is granting them.
    pub fn scopes_to_grant(&self) -> Option<&[String]> {
        self.scopes_to_grant.as_deref()
    }

    /// Attaches the claims request of a claims challenge (with [`ErrorCode::ClaimsRequired`]).
    pub fn with_claims_challenge(mut self, claims: String) -> Self {
        self.claims_challenge = Some(claims);
        self
    }

    /// The claims request (JSON) a new interactive sign-in must send as its `claims` parameter,
    /// when the fix is a stronger sign-in ([`crate::signin::SignIn::step_up`]). Not secret, but
    /// messages only say that there is one.
    pub fn claims_challenge(&self) -> Option<&str> {
        self.claims_challenge.as_deref()
    }

    /// Shorthand for [`ErrorCode::Config`].
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Config, message)
    }

    /// Shorthand for [`ErrorCode::InvalidInput`].
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// Shorthand for [`ErrorCode::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// Shorthand for [`ErrorCode::Storage`].
    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Storage, message)
    }

    /// Shorthand for [`ErrorCode::Network`].
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Network, message)
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human message, which names the problem and the fix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The identity provider's details, when the error came from one.
    pub fn identity(&self) -> Option<&IdentityErrorDetails> {
        self.identity.as_deref()
    }

    /// The Graph request's IDs, when Graph answered with the error.
    pub fn graph(&self) -> Option<&GraphErrorDetails> {
        self.graph.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code).field("message", &self.message);
        if let Some(identity) = &self.identity {
            d.field("identity", identity);
        }
        if let Some(graph) = &self.graph {
            d.field("graph", graph);
        }
        if let Some(scopes) = &self.scopes_to_grant {
            d.field("scopes_to_grant", scopes);
        }
        if self.claims_challenge.is_some() {
            d.field("claims_challenge", &"(a claims request)");
        }
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A duration the admin wrote that the grammar or the setting refuses is bad input; its message
/// already names the problem and the accepted forms.
impl From<crate::duration::DurationError> for Error {
    fn from(err: crate::duration::DurationError) -> Error {
        Error::invalid_input(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_wire_names() {
        for code in [ErrorCode::Config, ErrorCode::SignInCancelled, ErrorCode::NotSignedIn] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn display_is_the_message_and_source_is_kept() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let err = Error::storage("Cannot read settings.json: check the data folder").with_source(io);
        assert_eq!(err.to_string(), "Cannot read settings.json: check the data folder");
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(err.code(), ErrorCode::Storage);
    }
}
