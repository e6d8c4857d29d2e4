//! The one error shape every command returns: a stable `code` and a human
//! `message` that names the fix, plus the IDs a support ticket asks for: the
//! identity provider's (AADSTS code, correlation ID) or Microsoft Graph's
//! (request-id, client-request-id).
//!
//! The code is the core's [`ErrorCode`] itself (its TypeScript comes from the
//! core's `ts` feature): there is no hand copy to drift and no catch-all arm
//! to hide a new code.

pub use entra_core::ErrorCode;
use entra_core::Error;
use serde::Serialize;
use ts_rs::TS;

/// The error every command returns to the webview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    /// What kind of failure, for the UI to branch on.
    pub code: ErrorCode,
    /// What went wrong and how to fix it, for a person.
    pub message: String,
    /// The AADSTS code when Entra refused a request.
    pub aadsts: Option<u32>,
    /// Entra's correlation ID, for a support ticket.
    pub correlation_id: Option<String>,
    /// Microsoft Graph's `request-id` when Graph answered with the error, for a support ticket.
    pub request_id: Option<String>,
    /// The `client-request-id` Entra Desk sent with that Graph request.
    pub client_request_id: Option<String>,
    /// With `missing_scope`: the delegated scopes a new sign-in asks for ("Grant access").
    pub scopes_to_grant: Option<Vec<String>>,
    /// With `claims_required`: the claims request (JSON) of Graph's claims challenge, which
    /// "Sign in again" sends back (`step_up`). Not shown to the person. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub claims_challenge: Option<String>,
}

impl From<Error> for IpcError {
    fn from(err: Error) -> Self {
        let identity = err.identity();
        let graph = err.graph();
        IpcError {
            code: err.code(),
            message: err.message().to_owned(),
            aadsts: identity.and_then(|d| d.aadsts),
            correlation_id: identity.and_then(|d| d.correlation_id.clone()),
            request_id: graph.and_then(|g| g.request_id.clone()),
            client_request_id: graph.and_then(|g| g.client_request_id.clone()),
            scopes_to_grant: err.scopes_to_grant().map(<[String]>::to_vec),
            claims_challenge: err.claims_challenge().map(String::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_core::error::{GraphErrorDetails, IdentityErrorDetails};

    #[test]
    fn keeps_code_message_and_aadsts() {
        let err = Error::new(ErrorCode::Identity, "AADSTS700082: the refresh token expired. Fix: sign in again")
            .with_identity(IdentityErrorDetails {
                error: "invalid_grant".into(),
                aadsts: Some(700082),
                correlation_id: Some("c0ffee".into()),
                ..Default::default()
            });
        let ipc = IpcError::from(err);
        assert_eq!(ipc.code, ErrorCode::Identity);
        assert_eq!(ipc.aadsts, Some(700082));
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(json["code"], "identity");
        assert_eq!(json["correlationId"], "c0ffee");
    }

    #[test]
    fn keeps_graphs_request_ids() {
        let err = Error::new(ErrorCode::Graph, "Microsoft Graph refused GET /v1.0/applications with HTTP 403").with_graph(GraphErrorDetails {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            request_id: Some("r-1".into()),
            client_request_id: Some("c-1".into()),
        });
        let json = serde_json::to_value(IpcError::from(err)).unwrap();
        assert_eq!((json["code"].as_str(), json["requestId"].as_str(), json["clientRequestId"].as_str()), (Some("graph"), Some("r-1"), Some("c-1")));
        assert_eq!(json["scopesToGrant"], serde_json::Value::Null);
        assert!(json.get("claimsChallenge").is_none(), "absent unless there is one: {json}");
    }

    #[test]
    fn a_claims_challenge_travels_for_sign_in_again() {
        let claims = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
        let err = Error::new(ErrorCode::ClaimsRequired, "sign in again").with_claims_challenge(claims.into());
        let json = serde_json::to_value(IpcError::from(err)).unwrap();
        assert_eq!((json["code"].as_str(), json["claimsChallenge"].as_str()), (Some("claims_required"), Some(claims)));
        assert_eq!(json["scopesToGrant"], serde_json::Value::Null);
    }

    #[test]
    fn a_missing_scope_names_what_to_grant() {
        let err = Error::new(ErrorCode::MissingScope, "grant it").with_scopes_to_grant(vec!["GroupMember.Read.All".into()]);
        let json = serde_json::to_value(IpcError::from(err)).unwrap();
        assert_eq!((json["code"].as_str(), json["scopesToGrant"][0].as_str()), (Some("missing_scope"), Some("GroupMember.Read.All")));
    }
}
