//! The one error shape every command returns: a stable `code` and a human
//! `message` that names the fix, plus the identity provider's details when
//! there are any (the AADSTS code and the IDs a support ticket asks for).

use entra_core::{Error, ErrorCode};
use serde::Serialize;
use ts_rs::TS;

/// A stable error code the UI may act on. Mirrors `entra_core::ErrorCode`;
/// add a variant only when the UI handles it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IpcErrorCode {
    Config,
    InvalidInput,
    Keychain,
    Network,
    Identity,
    SignInCancelled,
    SignInTimeout,
    NotSignedIn,
    Graph,
    Storage,
    Internal,
}

impl From<ErrorCode> for IpcErrorCode {
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::Config => IpcErrorCode::Config,
            ErrorCode::InvalidInput => IpcErrorCode::InvalidInput,
            ErrorCode::Keychain => IpcErrorCode::Keychain,
            ErrorCode::Network => IpcErrorCode::Network,
            ErrorCode::Identity => IpcErrorCode::Identity,
            ErrorCode::SignInCancelled => IpcErrorCode::SignInCancelled,
            ErrorCode::SignInTimeout => IpcErrorCode::SignInTimeout,
            ErrorCode::NotSignedIn => IpcErrorCode::NotSignedIn,
            ErrorCode::Graph => IpcErrorCode::Graph,
            ErrorCode::Storage => IpcErrorCode::Storage,
            // `ErrorCode` is non-exhaustive: a code the UI does not know yet is shown as internal.
            _ => IpcErrorCode::Internal,
        }
    }
}

/// The error every command returns to the webview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    /// What kind of failure, for the UI to branch on.
    pub code: IpcErrorCode,
    /// What went wrong and how to fix it, for a person.
    pub message: String,
    /// The AADSTS code when Entra refused a request.
    pub aadsts: Option<u32>,
    /// Entra's correlation ID, for a support ticket.
    pub correlation_id: Option<String>,
}

impl From<Error> for IpcError {
    fn from(err: Error) -> Self {
        let identity = err.identity();
        IpcError {
            code: err.code().into(),
            message: err.message().to_owned(),
            aadsts: identity.and_then(|d| d.aadsts),
            correlation_id: identity.and_then(|d| d.correlation_id.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_core::error::IdentityErrorDetails;

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
        assert_eq!(ipc.code, IpcErrorCode::Identity);
        assert_eq!(ipc.aadsts, Some(700082));
        let json = serde_json::to_value(&ipc).unwrap();
        assert_eq!(json["code"], "identity");
        assert_eq!(json["correlation_id"], "c0ffee");
    }
}
