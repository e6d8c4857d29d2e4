//! Claims challenges: Graph's 401 that asks for a new sign-in meeting more claims.
//!
//! A Conditional Access policy of the tenant (an authentication context such as `c1`, Microsoft
//! Entra's "protected actions"), or Continuous Access Evaluation, makes Graph refuse a token that
//! is otherwise valid with `401` and a `WWW-Authenticate` Bearer challenge carrying
//! `error="insufficient_claims"` and `claims="<base64 of a claims request>"`, e.g.
//!
//! ```text
//! Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize",
//!   client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims",
//!   claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"
//! ```
//!
//! (Microsoft's "Claims challenges, claims requests and client capabilities": the parameters
//! are unordered, the header may be one of several, `claims` is the base64 of a minified JSON
//! claims request whose top level is `access_token`.) The fix is an interactive sign-in that
//! sends the decoded JSON as the `claims` parameter of the authorize request: a token refresh
//! would not help, so the client does not re-send such a request (see [`crate::client`]).

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};

/// The claims request of a claims challenge among `headers`' `WWW-Authenticate` values: the
/// decoded JSON text of `claims` of a `Bearer` challenge with `error="insufficient_claims"`.
/// `None` when there is no such challenge, or its `claims` is not a JSON object (base64 in any
/// of its spellings, or plain JSON, which some APIs send).
pub fn claims_challenge(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(challenges)
        .filter(|c| c.scheme.eq_ignore_ascii_case("bearer"))
        .filter(|c| c.param("error").is_some_and(|e| e.eq_ignore_ascii_case("insufficient_claims")))
        .find_map(|c| c.param("claims").and_then(decode_claims))
}

/// One challenge of a `WWW-Authenticate` value: its scheme and auth-params (names in lower case).
#[derive(Debug, Default, PartialEq)]
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The challenges of one header value (RFC 9110 §11.6.1: `scheme [ token68 / #auth-param ]`,
/// challenges and params separated by commas, values tokens or quoted strings with `\` escapes).
fn challenges(value: &str) -> Vec<Challenge> {
    let chars: Vec<char> = value.chars().collect();
    let mut i = 0;
    let mut out: Vec<Challenge> = Vec::new();
    let skip = |i: &mut usize, what: &dyn Fn(char) -> bool| {
        while *i < chars.len() && what(chars[*i]) {
            *i += 1;
        }
    };
    loop {
        skip(&mut i, &|c| c == ',' || c.is_whitespace());
        if i >= chars.len() {
            return out;
        }
        let start = i;
        skip(&mut i, &|c| !(c == '=' || c == ',' || c.is_whitespace()));
        let token: String = chars[start..i].iter().collect();
        let mut j = i;
        skip(&mut j, &|c| c.is_whitespace());
        let is_param = j < chars.len() && chars[j] == '=' && chars.get(j + 1) != Some(&'=');
        if !is_param {
            // A scheme (a token68 after it, e.g. `Basic abc==`, is read as a scheme too, and ignored).
            out.push(Challenge { scheme: token, params: Vec::new() });
            while i < chars.len() && chars[i] == '=' {
                i += 1;
            }
            continue;
        }
        i = j + 1;
        skip(&mut i, &|c| c.is_whitespace());
        let mut param_value = String::new();
        if chars.get(i) == Some(&'"') {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                }
                param_value.push(chars[i]);
                i += 1;
            }
            i += 1;
        } else {
            let start = i;
            skip(&mut i, &|c| !(c == ',' || c.is_whitespace()));
            param_value = chars[start..i].iter().collect();
        }
        match out.last_mut() {
            Some(challenge) => challenge.params.push((token.to_ascii_lowercase(), param_value)),
            // A parameter before any scheme: not a challenge we can read.
            None => return out,
        }
    }
}

/// The JSON claims request in a `claims` parameter: base64 (standard or URL-safe, padded or not)
/// of a JSON object, or the JSON object itself.
fn decode_claims(value: &str) -> Option<String> {
    let lenient = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let decoded = [GeneralPurpose::new(&alphabet::STANDARD, lenient), GeneralPurpose::new(&alphabet::URL_SAFE, lenient)]
        .iter()
        .find_map(|engine| engine.decode(value.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    [decoded, Some(value.to_string())]
        .into_iter()
        .flatten()
        .find(|text| serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(WWW_AUTHENTICATE, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    /// Microsoft Graph's challenge as recorded from graph.microsoft.com (CAE, a revoked session).
    const GRAPH_CAE: &str = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYzNTUyNzc5MCJ9fX0=""#;

    #[test]
    fn graphs_challenge_gives_its_claims_request() {
        assert_eq!(claims_challenge(&headers(&[GRAPH_CAE])).as_deref(), Some(r#"{"access_token":{"nbf":{"essential":true, "value":"1635527790"}}}"#));
        // The authentication-context example of Microsoft's developer guide (unpadded base64, a `cc_type` param).
        let auth_context = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19", cc_type="authcontext""#;
        assert_eq!(claims_challenge(&headers(&[auth_context])).as_deref(), Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#));
    }

    #[test]
    fn parameters_are_unordered_and_the_challenge_may_be_one_of_several() {
        let reordered = r#"Bearer claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19", error="insufficient_claims", realm="""#;
        assert!(claims_challenge(&headers(&[reordered])).is_some());
        let two_in_one = format!(r#"Basic realm="x", {GRAPH_CAE}"#);
        assert!(claims_challenge(&headers(&[&two_in_one])).is_some());
        assert!(claims_challenge(&headers(&[r#"Basic realm="x""#, GRAPH_CAE])).is_some());
        let plain_json = r#"Bearer error="insufficient_claims", claims="{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c2\"}}}""#;
        assert_eq!(claims_challenge(&headers(&[plain_json])).as_deref(), Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c2"}}}"#));
    }

    #[test]
    fn an_ordinary_401_is_no_claims_challenge() {
        // What Graph sends for a missing or expired token.
        let ordinary = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#;
        assert_eq!(claims_challenge(&headers(&[ordinary])), None);
        assert_eq!(claims_challenge(&HeaderMap::new()), None);
        let invalid_token = r#"Bearer error="invalid_token", error_description="The access token expired""#;
        assert_eq!(claims_challenge(&headers(&[invalid_token])), None);
        let not_json = r#"Bearer error="insufficient_claims", claims="bm90IGpzb24=""#;
        assert_eq!(claims_challenge(&headers(&[not_json])), None, "claims that are not a JSON object are no request");
        assert_eq!(claims_challenge(&headers(&["Negotiate"])), None);
    }
}
