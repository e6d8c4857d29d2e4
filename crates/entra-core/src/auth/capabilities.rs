//! Client capabilities: the `claims` parameter Entra Desk sends, where it tells Microsoft's
//! identity platform that it handles claims challenges (`cp1`), merged with the claims request
//! of a step-up sign-in, if any.
//!
//! Sources:
//! - Microsoft's "Claims challenges, claims requests, and client capabilities"
//!   (learn.microsoft.com/entra/identity-platform/claims-challenge): services like Microsoft
//!   Graph send claims challenges only to a client that declares the `cp1` capability, as
//!   `{"access_token":{"xms_cc":{"values":["cp1"]}}}` in `claims`; a client that has a claims
//!   request already (an authentication context's `acrs`) adds the capability to it:
//!   `{"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{"essential":true,"value":"c25"}}}`.
//!   Capability values are not case-sensitive.
//! - "How to use Continuous Access Evaluation enabled APIs in your applications"
//!   (…/app-resilience-continuous-access-evaluation): an app that declares `cp1` gets CAE tokens
//!   and must meet the claims challenges of every resource it calls; Entra Desk meets Graph's
//!   ([`crate::ErrorCode::ClaimsRequired`], [`crate::signin::SignIn::step_up`]).
//! - MSAL's client capabilities (`WithClientCapabilities`, `clientCapabilities`,
//!   `client_capabilities`), sent on every authorize and token request, refreshes included:
//!   MSAL.NET's `ClaimsHelper.GetMergedClaimsAndClientCapabilities` (a JSON merge of the claims
//!   request into `{"access_token":{"xms_cc":{"values":[…]}}}`, arrays united) and MSAL Python's
//!   `_merge_claims_challenge_and_capabilities` (`xms_cc` set inside the request's `access_token`).
//!   Here the request's own members are kept, and `xms_cc`'s values are united with ours.
//!
//! Only Microsoft's identity platform gets the capability ([`ProviderMetadata::is_microsoft`]):
//! `xms_cc` is Microsoft's claim, and another OpenID provider may refuse a claims request it does
//! not understand (OpenID Connect Core §5.5 makes the parameter optional). Another provider gets a
//! step-up's claims request as given, and no `claims` otherwise.
//!
//! At a refresh, the provider's kind comes from the same discovery document that gives the token
//! endpoint: fetched once per process from the account's `metadata_url` (or its authority's
//! candidates), so after a restart as well. A sign-in and its refreshes therefore always agree,
//! sovereign clouds count (their documents carry `cloud_instance_name`), and so does the demo
//! tenant, whose loopback document copies Entra's.
//!
//! A claims request that is not a JSON object, or whose `access_token` (or `access_token.xms_cc`)
//! is not one, is refused with [`crate::ErrorCode::InvalidInput`] before anything is sent.

use super::discovery::ProviderMetadata;
use crate::{Error, Result};
use serde_json::{Map, Value};

/// The capabilities Entra Desk declares: `cp1`, "handles claims challenges".
pub const CLIENT_CAPABILITIES: &[&str] = &["cp1"];

/// The `claims` parameter of an authorize or token request to `provider`, given the account's
/// step-up claims request (`step_up`, JSON) if any: at Microsoft's identity platform the request
/// with [`CLIENT_CAPABILITIES`] merged in ([`merge`]); elsewhere `step_up` as given (checked), or none.
pub fn claims_parameter(provider: &ProviderMetadata, step_up: Option<&str>) -> Result<Option<String>> {
    if provider.is_microsoft() {
        return merge(step_up, CLIENT_CAPABILITIES).map(Some);
    }
    match step_up {
        Some(claims) => {
            parse(claims)?;
            Ok(Some(claims.trim().to_string()))
        }
        None => Ok(None),
    }
}

/// `claims` (a claims request, JSON; none: an empty one) with `capabilities` declared in its
/// `access_token` member: `xms_cc` holds the request's own `xms_cc` values and the capabilities
/// it lacks (compared without regard to case); every other member stays as it was.
pub fn merge(claims: Option<&str>, capabilities: &[&str]) -> Result<String> {
    let mut request = match claims {
        Some(claims) => parse(claims)?,
        None => Map::new(),
    };
    let mut access_token = match request.remove("access_token") {
        Some(Value::Object(members)) => members,
        _ => Map::new(),
    };
    let mut xms_cc = match access_token.remove("xms_cc") {
        Some(Value::Object(members)) => members,
        _ => Map::new(),
    };
    let mut values = match xms_cc.remove("values") {
        Some(Value::Array(values)) => values,
        _ => Vec::new(),
    };
    for capability in capabilities {
        if !values.iter().any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(capability))) {
            values.push(Value::from(*capability));
        }
    }
    xms_cc.insert("values".into(), Value::Array(values));
    let mut merged = Map::new();
    merged.insert("xms_cc".into(), Value::Object(xms_cc));
    merged.extend(access_token);
    request.insert("access_token".into(), Value::Object(merged));
    Ok(Value::Object(request).to_string())
}

/// A claims request as Entra Desk sends it: a JSON object, whose `access_token` member (when
/// present) is an object, whose `xms_cc` (when present) is an object with a list of strings as
/// `values`. Anything else is bad input, said in a sentence.
pub fn parse(claims: &str) -> Result<Map<String, Value>> {
    let request = match serde_json::from_str::<Value>(claims.trim()) {
        Ok(Value::Object(request)) => request,
        _ => return Err(refused("it is not a JSON object")),
    };
    match request.get("access_token") {
        None | Some(Value::Object(_)) => {}
        Some(_) => return Err(refused("its \"access_token\" member is not a JSON object")),
    }
    if let Some(xms_cc) = request.get("access_token").and_then(|a| a.get("xms_cc")) {
        let values_are_strings = match xms_cc.get("values") {
            None => true,
            Some(Value::Array(values)) => values.iter().all(Value::is_string),
            Some(_) => false,
        };
        if !xms_cc.is_object() || !values_are_strings {
            return Err(refused("its \"xms_cc\" member is not a JSON object with a list of capabilities as \"values\""));
        }
    }
    Ok(request)
}

fn refused(why: &str) -> Error {
    Error::invalid_input(format!(
        "The claims request cannot be sent: {why}. It must be a JSON object, as the claims challenge of the refused operation gives it (e.g. {{\"access_token\":{{\"acrs\":{{\"essential\":true,\"value\":\"c1\"}}}}}}). An account that kept a bad one forgets it when it is signed in again without one"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::json;

    const CP1: &str = r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#;

    fn provider(microsoft: bool) -> ProviderMetadata {
        let mut doc = json!({
            "issuer": "https://op.example/v2.0",
            "authorization_endpoint": "https://op.example/authorize",
            "token_endpoint": "https://op.example/token",
            "jwks_uri": "https://op.example/keys",
        });
        if microsoft {
            doc["cloud_instance_name"] = "microsoftonline.com".into();
        }
        serde_json::from_value(doc).unwrap()
    }

    fn json(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn without_claims_microsoft_gets_cp1_alone() {
        assert_eq!(merge(None, CLIENT_CAPABILITIES).unwrap(), CP1);
        assert_eq!(claims_parameter(&provider(true), None).unwrap().as_deref(), Some(CP1));
    }

    #[test]
    fn a_step_ups_claims_are_merged_with_cp1_as_microsoft_documents_it() {
        let c25 = r#" {"access_token":{"acrs":{"essential":true,"value":"c25"}}} "#;
        let merged = claims_parameter(&provider(true), Some(c25)).unwrap().unwrap();
        assert_eq!(json(&merged), json(r#"{"access_token":{"xms_cc":{"values":["cp1"]},"acrs":{"essential":true,"value":"c25"}}}"#));
        // Other members, at both levels, are kept; a CAE challenge's `nbf` as well.
        let cae = r#"{"id_token":{"auth_time":{"essential":true}},"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}"#;
        assert_eq!(
            json(&merge(Some(cae), CLIENT_CAPABILITIES).unwrap()),
            json(r#"{"id_token":{"auth_time":{"essential":true}},"access_token":{"xms_cc":{"values":["cp1"]},"nbf":{"essential":true,"value":"1604106651"}}}"#)
        );
        // Capabilities the request declares already are kept, and cp1 is not repeated (values ignore case).
        let declared = r#"{"access_token":{"xms_cc":{"values":["CP1","cp2"]}}}"#;
        assert_eq!(json(&merge(Some(declared), CLIENT_CAPABILITIES).unwrap()), json(r#"{"access_token":{"xms_cc":{"values":["CP1","cp2"]}}}"#));
        assert_eq!(json(&merge(Some(r#"{"access_token":{"xms_cc":{}}}"#), CLIENT_CAPABILITIES).unwrap()), json(CP1));
        // Merging what was merged changes nothing.
        assert_eq!(json(&merge(Some(&merged), CLIENT_CAPABILITIES).unwrap()), json(&merged));
    }

    #[test]
    fn another_provider_gets_no_capability() {
        assert_eq!(claims_parameter(&provider(false), None).unwrap(), None);
        let c1 = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
        assert_eq!(claims_parameter(&provider(false), Some(c1)).unwrap().as_deref(), Some(c1), "a step-up's claims as given");
    }

    #[test]
    fn a_malformed_claims_request_is_refused_in_a_sentence() {
        let cases = [
            ("", "not a JSON object"),
            ("c1", "not a JSON object"),
            ("[1]", "not a JSON object"),
            ("\"x\"", "not a JSON object"),
            ("{", "not a JSON object"),
            (&"[".repeat(10_000), "not a JSON object"),
            (r#"{"access_token":"c1"}"#, "\"access_token\" member"),
            (r#"{"access_token":[{"acrs":"c1"}]}"#, "\"access_token\" member"),
            (r#"{"access_token":{"xms_cc":"cp1"}}"#, "\"xms_cc\" member"),
            (r#"{"access_token":{"xms_cc":{"values":"cp1"}}}"#, "\"xms_cc\" member"),
            (r#"{"access_token":{"xms_cc":{"values":[1]}}}"#, "\"xms_cc\" member"),
        ];
        for (bad, why) in cases {
            for provider in [provider(true), provider(false)] {
                let err = claims_parameter(&provider, Some(bad)).unwrap_err();
                assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}");
                assert!(err.message().contains(why) && err.message().contains("must be a JSON object"), "{bad}: {}", err.message());
            }
        }
    }
}
