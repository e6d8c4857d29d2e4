//! What kind of token this is: v1 or v2, access or ID token, delegated
//! (a user is present) or app-only, and whether it is a Microsoft Graph
//! token whose signature nobody but Graph can check.

use crate::decode::Decoded;
use serde::Serialize;
use serde_json::Value;

/// The Entra token format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum TokenVersion {
    /// `ver: "1.0"`, issuer `https://sts.windows.net/{tid}/`.
    V1,
    /// `ver: "2.0"`, issuer `https://login.microsoftonline.com/{tid}/v2.0`.
    V2,
    /// No recognisable `ver` or issuer.
    Unknown,
}

/// Access token or ID token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum TokenUse {
    /// Meant for an API (has `scp`/`roles`, or `appid`/`azp`).
    Access,
    /// Meant for the client that signed the user in (has `nonce`, `at_hash`, or `aud` equals the client).
    Id,
    /// Cannot tell.
    Unknown,
}

/// Who the token acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Actor {
    /// A user signed in; the app acts on their behalf (`scp` present).
    Delegated,
    /// The app acts as itself (client credentials; `idtyp: app` or `roles` without `scp`).
    AppOnly,
    /// Cannot tell.
    Unknown,
}

/// The classification shown at the top of the inspector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TokenKind {
    /// v1 or v2.
    pub version: TokenVersion,
    /// Access or ID token.
    pub token_use: TokenUse,
    /// Delegated or app-only.
    pub actor: Actor,
    /// The header carries a `nonce`: a Microsoft Graph (or other Microsoft first-party) access token.
    pub graph_nonce: bool,
    /// A one-line summary: "v1 access token, app-only (Microsoft Graph)".
    pub summary: String,
}

/// Classifies a decoded token.
pub fn classify(d: &Decoded) -> TokenKind {
    let p = &d.payload;
    let ver = d.claim_str("ver");
    let iss = d.claim_str("iss").unwrap_or("");
    let version = match ver {
        Some("1.0") => TokenVersion::V1,
        Some("2.0") => TokenVersion::V2,
        _ if iss.starts_with("https://sts.windows.net/") => TokenVersion::V1,
        _ if iss.ends_with("/v2.0") => TokenVersion::V2,
        _ => TokenVersion::Unknown,
    };
    let has = |k: &str| p.get(k).is_some_and(|v| !v.is_null());
    let token_use = if has("scp") || has("roles") && !has("nonce") || has("appid") || has("azp") || has("idtyp") {
        TokenUse::Access
    } else if has("nonce") || has("at_hash") || has("c_hash") || (has("aud") && has("sub") && !has("scp")) {
        TokenUse::Id
    } else {
        TokenUse::Unknown
    };
    let actor = if has("scp") || p.get("idtyp").and_then(Value::as_str) == Some("user") {
        Actor::Delegated
    } else if p.get("idtyp").and_then(Value::as_str) == Some("app")
        || (has("roles") && token_use == TokenUse::Access)
        || (token_use == TokenUse::Access && has("oid") && p.get("oid") == p.get("sub"))
    {
        Actor::AppOnly
    } else if token_use == TokenUse::Id || has("upn") || has("preferred_username") || has("name") {
        Actor::Delegated
    } else {
        Actor::Unknown
    };
    let graph_nonce = d.header.contains_key("nonce");
    let mut summary = match version {
        TokenVersion::V1 => "v1".to_string(),
        TokenVersion::V2 => "v2".to_string(),
        TokenVersion::Unknown => "unknown-version".to_string(),
    };
    summary.push_str(match token_use {
        TokenUse::Access => " access token",
        TokenUse::Id => " ID token",
        TokenUse::Unknown => " token",
    });
    summary.push_str(match actor {
        Actor::Delegated => ", delegated (a user is signed in)",
        Actor::AppOnly => ", app-only (no user)",
        Actor::Unknown => "",
    });
    if graph_nonce {
        summary.push_str(", Microsoft Graph format (header nonce)");
    }
    TokenKind { version, token_use, actor, graph_nonce, summary }
}
