//! The core's glue to the Graph client (`entra_graph`): the mapping of Graph's
//! errors into the core's, keeping Graph's IDs for the UI and support tickets.
//!
//! A 401 carrying a claims challenge (`WWW-Authenticate: Bearer … error="insufficient_claims",
//! claims="…"`, which the client keeps and does not re-send: `entra_graph::challenge`) is not
//! "sign in again" like any 401: a Conditional Access policy of the tenant wants a stronger
//! sign-in for the operation (an authentication context), so it becomes
//! [`ErrorCode::ClaimsRequired`] with the claims request attached
//! ([`Error::claims_challenge`]), which [`crate::signin::SignIn::step_up`] sends with a sign-in
//! as the same person. The message says that there is one, never what it holds.
//!
//! The client itself — paging, retries, `$batch`, models — lives in the leaf
//! crate `entra-graph`; each screen's service calls it with a client from
//! `Desk::graph` (whose token source is the desk's).

use crate::error::{Error, ErrorCode, GraphErrorDetails};
use entra_graph::GraphError;

pub use entra_graph::models;
pub use entra_graph::GraphClient;

/// What a [`ErrorCode::ClaimsRequired`] error says (see the module doc).
pub const CLAIMS_REQUIRED: &str = "A Conditional Access policy of your tenant wants a stronger sign-in for this operation: Microsoft Graph refused the current one with a claims challenge. Sign in again to meet it (the sign-in page may ask for more, such as multifactor authentication): in the app, choose \"Sign in again\"; with entractl, `entractl login --claims` followed by the claims request entractl prints with this error, with the account's tenant and client ID. Then try again.";

/// Maps a Graph failure: a claims challenge is [`ErrorCode::ClaimsRequired`], other 401s and
/// token failures mean signing in again, a cancellation is [`ErrorCode::Cancelled`],
/// everything Graph answered keeps its IDs.
pub fn map_error(err: GraphError) -> Error {
    if let GraphError::Token(token_error) = &err {
        // The token source's own error (e.g. the session ended) keeps its code and message.
        if let Some(core) = std::error::Error::source(token_error).and_then(|s| s.downcast_ref::<Error>()) {
            return Error::new(core.code(), core.message().to_string());
        }
    }
    let claims = err.claims_challenge().map(String::from);
    let code = match &err {
        _ if claims.is_some() => ErrorCode::ClaimsRequired,
        GraphError::Token(_) => ErrorCode::NotSignedIn,
        _ if err.status() == Some(401) => ErrorCode::NotSignedIn,
        _ if err.is_cancelled() => ErrorCode::Cancelled,
        GraphError::Transport { .. } => ErrorCode::Network,
        _ => ErrorCode::Graph,
    };
    let details = err.status().map(|status| GraphErrorDetails {
        status,
        code: err.graph_code().unwrap_or_default().to_string(),
        request_id: err.request_id().map(String::from),
        client_request_id: err.client_request_id().map(String::from),
    });
    let mapped = match &claims {
        Some(_) => Error::new(code, CLAIMS_REQUIRED),
        None => Error::new(code, err.to_string()),
    };
    let mapped = match details {
        Some(d) => mapped.with_graph(d),
        None => mapped,
    };
    let mapped = match claims {
        Some(claims) => mapped.with_claims_challenge(claims),
        None => mapped,
    };
    mapped.with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_graph::TokenError;

    #[test]
    fn graph_answers_keep_their_ids_and_401_means_sign_in_again() {
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2024-01-01T00:00:00","request-id":"r-1","client-request-id":"c-1"}}}"#;
        let api = entra_graph::ApiError::decode("GET /v1.0/applications", 403, None, Some("c-ours"), body);
        let err = map_error(GraphError::Api(Box::new(api)));
        assert_eq!(err.code(), ErrorCode::Graph);
        let g = err.graph().unwrap();
        assert_eq!((g.code.as_str(), g.request_id.as_deref(), g.client_request_id.as_deref()), ("Authorization_RequestDenied", Some("r-1"), Some("c-1")));
        assert!(err.message().contains("Insufficient privileges"), "{}", err.message());
        let api = entra_graph::ApiError::decode("GET /v1.0/me", 401, None, Some("c"), b"{}");
        assert_eq!(map_error(GraphError::Api(Box::new(api))).code(), ErrorCode::NotSignedIn);
        assert_eq!(map_error(GraphError::Cancelled).code(), ErrorCode::Cancelled);
    }

    #[test]
    fn a_claims_challenge_asks_for_a_stronger_sign_in_and_carries_the_claims() {
        let body = br#"{"error":{"code":"InvalidAuthenticationToken","message":"Exception of type 'Microsoft.Graph.AGS.Contracts.ClaimsChallengeRequiredException' was thrown.","innerError":{"request-id":"r-9"}}}"#;
        let mut api = entra_graph::ApiError::decode("GET /v1.0/applications", 401, None, Some("c"), body);
        api.claims_challenge = Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#.into());
        let err = map_error(GraphError::Api(Box::new(api)));
        assert_eq!(err.code(), ErrorCode::ClaimsRequired);
        assert_eq!(err.claims_challenge(), Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#));
        assert!(err.message().contains("Conditional Access policy") && err.message().contains("Sign in again"), "{}", err.message());
        assert!(!err.message().contains("acrs"), "the claims are never quoted: {}", err.message());
        assert_eq!(err.graph().and_then(|g| g.request_id.as_deref()), Some("r-9"), "the request IDs stay");
        assert_eq!(err.code().as_str(), "claims_required");
    }

    #[test]
    fn a_token_sources_error_keeps_its_code() {
        let core = Error::new(ErrorCode::NotSignedIn, "The session has ended: sign in again");
        let err = map_error(GraphError::Token(TokenError::new(core.message().to_string()).with_source(core)));
        assert_eq!(err.code(), ErrorCode::NotSignedIn);
        assert_eq!(err.message(), "The session has ended: sign in again");
    }
}
