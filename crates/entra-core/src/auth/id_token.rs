//! Verifying the ID token of an interactive sign-in.
//!
//! The ID token says who signed in; it is believed only after checking the
//! signature against the provider's JWKS (asymmetric algorithms only, never
//! `none` or HMAC), the issuer, the audience (our client ID), the expiry and
//! the nonce we put in the authorize request; `nbf` and `iat` with the same clock skew as
//! the expiry; and, for a token with several audiences, `azp` (OIDC Core §3.1.3.7). Entra's multi-tenant discovery
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
    /// Not before (seconds since the epoch).
    #[serde(default)]
    pub nbf: Option<i64>,
    /// Issued at (seconds since the epoch).
    #[serde(default)]
    pub iat: Option<i64>,
    /// The audience: one client ID, or several.
    #[serde(default)]
    pub aud: Audience,
    /// The authorized party: the client the token was issued to.
    #[serde(default)]
    pub azp: Option<String>,
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

/// The `aud` claim: a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// Absent (the signature check refuses such a token before this is read).
    #[default]
    None,
    /// One audience.
    One(String),
    /// Several audiences.
    Many(Vec<String>),
}

impl Audience {
    fn count(&self) -> usize {
        match self {
            Audience::None => 0,
            Audience::One(_) => 1,
            Audience::Many(v) => v.len(),
        }
    }
}

/// The clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
pub const CLOCK_SKEW_SECS: i64 = 120;

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
pub fn verify(token: &str, keys: &JwkSet, issuer: &str, client_id: &str, nonce: &str, now: chrono::DateTime<chrono::Utc>) -> Result<IdTokenClaims> {
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
    // The times are checked below against the caller's clock (the app's, which tests move).
    validation.validate_exp = false;
    validation.validate_nbf = false;
    // The issuer is compared below, after filling Entra's {tenantid} template.
    validation.iss = None;
    let data = jsonwebtoken::decode::<IdTokenClaims>(token, &key, &validation).map_err(|e| match e.kind() {
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
    let now = now.timestamp();
    if claims.exp.saturating_add(CLOCK_SKEW_SECS) < now {
        return Err(invalid("it has expired; check this computer's clock"));
    }
    if claims.nbf.is_some_and(|nbf| nbf > now.saturating_add(CLOCK_SKEW_SECS)) {
        return Err(invalid("it is not valid yet (nbf); check this computer's clock"));
    }
    if claims.iat.is_some_and(|iat| iat > now.saturating_add(CLOCK_SKEW_SECS)) {
        return Err(invalid("it was issued in the future (iat); check this computer's clock"));
    }
    match claims.azp.as_deref() {
        Some(azp) if azp != client_id => return Err(invalid(format!("it was issued to another client (azp {azp}), not {client_id}"))),
        None if claims.aud.count() > 1 => return Err(invalid("it has several audiences but no authorized party (azp)")),
        _ => {}
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(invalid("the nonce does not match this sign-in (a replayed token?)"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::{json, Value};

    const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
    const ISSUER: &str = "https://login.example.com/tid/v2.0";

    struct Signer {
        key: EncodingKey,
        jwks: JwkSet,
    }

    fn signer() -> Signer {
        let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
        let b64 = |b: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let jwks = serde_json::from_value(json!({"keys": [{
            "kty": "RSA", "use": "sig", "kid": "k1", "alg": "RS256",
            "n": b64(rsa.n().to_vec()), "e": b64(rsa.e().to_vec()),
        }]}))
        .unwrap();
        let key = EncodingKey::from_rsa_pem(&rsa.private_key_to_pem().unwrap()).unwrap();
        Signer { key, jwks }
    }

    fn claims(edit: impl FnOnce(&mut Value)) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut c = json!({"iss": ISSUER, "sub": "s", "aud": CLIENT, "exp": now + 3600, "iat": now, "nbf": now, "nonce": "n1"});
        edit(&mut c);
        c
    }

    fn sign(s: &Signer, c: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("k1".into());
        encode(&header, c, &s.key).unwrap()
    }

    fn check(s: &Signer, c: Value) -> Result<IdTokenClaims> {
        verify(&sign(s, &c), &s.jwks, ISSUER, CLIENT, "n1", chrono::Utc::now())
    }

    #[test]
    fn a_good_token_passes() {
        let s = signer();
        let c = check(&s, claims(|_| {})).unwrap();
        assert_eq!(c.sub, "s");
    }

    #[test]
    fn nbf_and_iat_in_the_future_fail_beyond_the_skew_only() {
        let s = signer();
        let now = chrono::Utc::now().timestamp();
        let err = check(&s, claims(|c| c["nbf"] = json!(now + 600))).unwrap_err();
        assert!(err.message().contains("nbf"), "{}", err.message());
        let err = check(&s, claims(|c| c["iat"] = json!(now + 600))).unwrap_err();
        assert!(err.message().contains("iat"), "{}", err.message());
        // Within the skew: a clock a minute ahead of ours is fine.
        check(&s, claims(|c| {
            c["nbf"] = json!(now + 60);
            c["iat"] = json!(now + 60);
        }))
        .unwrap();
    }

    #[test]
    fn azp_must_name_us_and_is_required_with_several_audiences() {
        let s = signer();
        let err = check(&s, claims(|c| c["azp"] = json!("other-client"))).unwrap_err();
        assert!(err.message().contains("azp other-client"), "{}", err.message());
        let err = check(&s, claims(|c| c["aud"] = json!([CLIENT, "api://other"]))).unwrap_err();
        assert!(err.message().contains("azp"), "{}", err.message());
        check(&s, claims(|c| {
            c["aud"] = json!([CLIENT, "api://other"]);
            c["azp"] = json!(CLIENT);
        }))
        .unwrap();
        check(&s, claims(|c| c["azp"] = json!(CLIENT))).unwrap();
    }

    #[test]
    fn times_are_judged_by_the_given_clock() {
        let s = signer();
        let token = sign(&s, &claims(|_| {}));
        let later = chrono::Utc::now() + chrono::Duration::hours(2);
        let err = verify(&token, &s.jwks, ISSUER, CLIENT, "n1", later).unwrap_err();
        assert!(err.message().contains("expired"), "{}", err.message());
        let earlier = chrono::Utc::now() - chrono::Duration::hours(2);
        assert!(verify(&token, &s.jwks, ISSUER, CLIENT, "n1", earlier).unwrap_err().message().contains("nbf"));
    }

    #[test]
    fn wrong_nonce_and_issuer_fail() {
        let s = signer();
        assert!(check(&s, claims(|c| c["nonce"] = json!("other"))).unwrap_err().message().contains("nonce"));
        assert!(check(&s, claims(|c| c["iss"] = json!("https://evil.example/v2.0"))).unwrap_err().message().contains("issuer"));
    }
}
