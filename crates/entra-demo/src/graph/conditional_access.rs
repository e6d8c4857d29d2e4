//! A Conditional Access requirement on Graph: an authentication context (`c1`–`c99`) the tenant
//! demands for the requests the fault settings select (`Faults::require_auth_context`, narrowed
//! by `only_paths`/`only_methods` like the other per-request faults), as a policy on a protected
//! action does.
//!
//! While it is set, a delegated request whose (valid) token's `acrs` claim lacks the context is
//! answered as Microsoft Graph answers it: `401`, Graph's error body with the code
//! `InvalidAuthenticationToken` and the message Graph was seen to send ("Exception of type
//! 'Microsoft.Graph.AGS.Contracts.ClaimsChallengeRequiredException' was thrown."), and a claims
//! challenge in `WWW-Authenticate`, in the shape Graph gives it (Microsoft's "Claims challenges,
//! claims requests and client capabilities" and "Developer guide to Conditional Access
//! authentication context"; a recorded Graph answer for the parameter order and `client_id`):
//!
//! ```text
//! Bearer realm="", authorization_uri="{base}/common/oauth2/authorize",
//!   client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims",
//!   claims="<base64 of {"access_token":{"acrs":{"essential":true,"value":"c1"}}}>"
//! ```
//!
//! The client signs in again sending the decoded claims request as the `claims` parameter of
//! `/authorize`, and the access token that authorization's code redeems for carries `acrs`
//! with the context (`oidc::authorize`, `oidc::issue`); a refresh token from that sign-in gives
//! it again to a refresh that asks for it in its own `claims` (`oidc::token`), as Entra meets a
//! claims request silently when the session already satisfies the policy. App-only tokens are not challenged
//! (authentication contexts apply to sign-ins of people, as Microsoft's guide says), and
//! neither is a request whose token is invalid: its handler answers the ordinary 401.
//!
//! Choice: Graph sends claims challenges only to clients that declared the `cp1` client
//! capability (`xms_cc`); the demo challenges every delegated token, so a client is tested
//! whether or not it declares it.

use super::auth::authenticate;
use super::GraphRequest;
use crate::oidc::scopes::GRAPH_APP_ID;
use crate::state::Shared;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;

/// The message Graph was seen to send with a claims challenge.
pub const MESSAGE: &str = "Exception of type 'Microsoft.Graph.AGS.Contracts.ClaimsChallengeRequiredException' was thrown.";

/// Whether `value` names an authentication context: `c1` to `c99` (Graph's `authContext`).
pub fn is_auth_context(value: &str) -> bool {
    value
        .strip_prefix('c')
        .is_some_and(|n| !n.starts_with('0') && n.len() <= 2 && n.parse::<u8>().is_ok_and(|n| (1..=99).contains(&n)))
}

/// The minified claims request asking for `context` in the access token.
pub fn claims_request(context: &str) -> String {
    serde_json::json!({ "access_token": { "acrs": { "essential": true, "value": context } } }).to_string()
}

/// The `WWW-Authenticate` value of a claims challenge for `context`.
pub fn challenge_header(base: &str, context: &str) -> String {
    let claims = base64::engine::general_purpose::STANDARD.encode(claims_request(context));
    format!(
        "Bearer realm=\"\", authorization_uri=\"{base}/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\", error=\"insufficient_claims\", claims=\"{claims}\""
    )
}

/// The challenge for a request with `headers` when the tenant requires `context` of it and its
/// token is a person's valid token without it; `None` lets the request through.
pub async fn check(state: &Shared, headers: &HeaderMap, context: &str) -> Option<Response> {
    let graph = GraphRequest::from_headers(headers);
    let caller = authenticate(state, &graph, headers).await.ok()?;
    if caller.user_oid.is_none() || caller.acrs.iter().any(|a| a == context) {
        return None;
    }
    let mut response = graph.error(state, StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", MESSAGE);
    if let Ok(v) = HeaderValue::from_str(&challenge_header(&state.base, context)) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_c1_to_c99() {
        for ok in ["c1", "c9", "c25", "c99"] {
            assert!(is_auth_context(ok), "{ok}");
        }
        for bad in ["c0", "c100", "c01", "C1", "c", "p1", "c1 ", "c-1"] {
            assert!(!is_auth_context(bad), "{bad}");
        }
    }

    #[test]
    fn the_challenge_is_graphs_shape() {
        assert_eq!(
            challenge_header("https://login.example", "c1"),
            r#"Bearer realm="", authorization_uri="https://login.example/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19""#
        );
    }
}
