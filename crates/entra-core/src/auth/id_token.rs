//! Verifying the ID token of an interactive sign-in.
//!
//! The ID token says who signed in; it is believed only after checking the
//! signature against the provider's JWKS (asymmetric algorithms only, never
//! `none` or HMAC), the issuer, the audience (our client ID), the expiry and
//! the nonce we put in the authorize request. Entra's multi-tenant discovery
//! documents give the issuer as a `{tenantid}` template: it is filled with the
//! token's own `tid` and then compared exactly, as Microsoft's validation
//! guidance says.

use crate::{Error, ErrorCode, Result};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The claims of a verified ID token that the core uses.
#[derive(Debug, Clone, Deserialize)]
pub struct IdTokenClaims {
    /// Issuer.
    pub iss: String,
    /// Subject (pairwise per app in Entra).
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// The nonce echoed from the authorize request.
    #[serde(default)]
    pub nonce: Option<String>,
    /// Entra: the user's immutable object ID.
    #[serde(default)]
    pub oid: Option<String>,
    /// Entra: the tenant ID.
    #[serde(default)]
    pub tid: Option<String>,
    /// The sign-in name (needs the `profile` scope).
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail, on some providers.
    #[serde(default)]
    pub email: Option<String>,
}

fn invalid(reason: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::Identity,
        format!("The identity provider's ID token failed verification ({reason}): check the authority and client ID settings, then sign in again"),
    )
}

/// The algorithms accepted for ID tokens: asymmetric only.
const ALLOWED: &[Algorithm] = &[
    Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256, Algorithm::PS384, Algorithm::PS512,
    Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA,
];

/// Verifies `token` and returns its claims. `issuer` may contain `{tenantid}`.
pub fn verify(token: &str, keys: &JwkSet, issuer: &str, client_id: &str, nonce: &str) -> Result<IdTokenClaims> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(format!("not a JWT: {e}")))?;
    if !ALLOWED.contains(&header.alg) {
        return Err(invalid(format!("algorithm {:?} is not accepted", header.alg)));
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid).ok_or_else(|| invalid(format!("no signing key with kid {kid} in the provider's JWKS")))?,
        None if keys.keys.len() == 1 => &keys.keys[0],
        None => return Err(invalid("the token names no key (kid) and the provider has several")),
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| invalid(format!("unusable signing key: {e}")))?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 120;
    // The issuer is compared below, after filling Entra's {tenantid} template.
    validation.iss = None;
    let data = jsonwebtoken::decode::<IdTokenClaims>(token, &key, &validation).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => invalid("it has expired; check this computer's clock"),
        jsonwebtoken::errors::ErrorKind::InvalidAudience => invalid(format!("it was not issued to client ID {client_id}")),
        jsonwebtoken::errors::ErrorKind::InvalidSignature => invalid("bad signature"),
        _ => invalid(e),
    })?;
    let claims = data.claims;
    let expected_issuer = match &claims.tid {
        Some(tid) => crate::config::replace_tenant_placeholder(issuer, tid),
        None => issuer.to_string(),
    };
    if claims.iss != expected_issuer {
        return Err(invalid(format!("issuer {} is not the expected {expected_issuer}", claims.iss)));
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(invalid("the nonce does not match this sign-in (a replayed token?)"));
    }
    Ok(claims)
}
