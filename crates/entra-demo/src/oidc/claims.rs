//! The `claims` parameter of `/authorize` (OpenID Connect Core §5.5, a JSON object), as far as
//! the demo tenant acts on it: the Conditional Access authentication contexts a client asks for
//! in the access token after a claims challenge (`graph::conditional_access`), e.g.
//! `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}` (Microsoft's "Claims
//! challenges, claims requests and client capabilities"). `value` or `values` may name them;
//! anything that is not `c1`–`c99` is ignored, as are the other claims.
//!
//! Among those, the client capabilities a client declares (`"xms_cc":{"values":["cp1"]}` in
//! `access_token`, which Entra Desk and MSAL send on every authorize and refresh request, merged
//! with a challenge's `acrs`) are taken at both endpoints and change nothing: Entra ignores the
//! capabilities it does not act on, and the demo acts on none (its Graph challenges every
//! person's token the requirement selects). Nor does `xms_cc` go into the demo's access tokens:
//! Entra issues it only to a resource whose app registration asks for it as an optional claim,
//! which nothing documents of Graph's (same page, "Receiving xms_cc claim in an access token").
//! The access token of the code this sign-in yields carries them in `acrs`: the demo has no
//! policy to fail, so the sign-in form the request always shows is the stronger sign-in. The
//! refresh grant remembers them: a refresh whose own `claims` ask for them gets them again, one
//! asking for another context is refused `invalid_grant` AADSTS50076 (`basic_action`).
//!
//! Choice: Entra decides a silent claims request by the session's authentication (the policy's
//! sign-in frequency, the methods used); the demo's sessions never age out of a policy.
//!
//! Choice: a `claims` value that is not a JSON object is refused `invalid_request` (AADSTS9002313,
//! "Request is malformed or invalid"); Entra's own answer to one is not documented.

use super::errors::{self, AadError};
use crate::graph::conditional_access::is_auth_context;

/// The authentication contexts `claims` asks for in the access token.
pub fn requested_acrs(claims: &str) -> Result<Vec<String>, AadError> {
    let request: serde_json::Value = serde_json::from_str(claims).ok().filter(serde_json::Value::is_object).ok_or_else(|| {
        errors::malformed("The claims parameter must be a JSON object (OpenID Connect Core 5.5).")
    })?;
    let acrs = &request["access_token"]["acrs"];
    let named = acrs["value"].as_str().into_iter().chain(acrs["values"].as_array().into_iter().flatten().filter_map(|v| v.as_str()));
    let mut contexts: Vec<String> = Vec::new();
    for context in named.filter(|c| is_auth_context(c)) {
        if !contexts.iter().any(|c| c == context) {
            contexts.push(context.to_string());
        }
    }
    Ok(contexts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_tokens_authentication_contexts_are_read() {
        assert_eq!(requested_acrs(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#).unwrap(), ["c1"]);
        let both = r#"{"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{"essential":true,"values":["c2","c1","c2","urn:x"]}}}"#;
        assert_eq!(requested_acrs(both).unwrap(), ["c2", "c1"]);
        assert!(requested_acrs(r#"{"id_token":{"acrs":{"value":"c1"}}}"#).unwrap().is_empty(), "only the access token's");
        assert_eq!(requested_acrs("not json").unwrap_err().code, 9002313);
        assert_eq!(requested_acrs("[1]").unwrap_err().error, "invalid_request");
    }
}
