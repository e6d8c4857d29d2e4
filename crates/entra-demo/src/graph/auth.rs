//! Bearer-token authentication for Graph: signature against the tenant's
//! published keys, issuer, audience (`00000003-0000-0000-c000-000000000000` or
//! `https://graph.microsoft.com`) and lifetime on the emulator clock.
//! Failures answer 401 `InvalidAuthenticationToken` with Graph's messages and
//! a `WWW-Authenticate` challenge.

use super::GraphRequest;
use crate::oidc::scopes::{GRAPH_APP_ID, GRAPH_RESOURCE};
use crate::state::Shared;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use jsonwebtoken::{Algorithm, Validation};

/// Who is calling Graph.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The signed-in user's object id, for delegated tokens.
    pub user_oid: Option<String>,
    /// Delegated permissions (`scp`) or application permissions (`roles`).
    pub permissions: Vec<String>,
    /// The token's `sub` (pairwise per app for users).
    pub sub: Option<String>,
    /// The calling app's object: the service principal's object id (app-only
    /// `oid`), used for `Application.ReadWrite.OwnedBy` owner checks.
    pub sp_oid: Option<String>,
    /// The Conditional Access authentication contexts the token's `acrs` claim says were met
    /// (`conditional_access`).
    pub acrs: Vec<String>,
}

impl Caller {
    pub fn has_any(&self, wanted: &[&str]) -> bool {
        self.permissions.iter().any(|p| wanted.iter().any(|w| p.eq_ignore_ascii_case(w)))
    }
}

pub async fn authenticate(state: &Shared, graph: &GraphRequest, headers: &HeaderMap) -> Result<Caller, Response> {
    let unauthorized = |message: &str| {
        let mut response = graph.error(state, StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message);
        let challenge = format!(
            "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\"",
            state.base
        );
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        response
    };
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Err(unauthorized("Access token is empty."));
    };
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => token.trim(),
        _ => return Err(unauthorized("Access token is empty.")),
    };
    let Ok(header) = jsonwebtoken::decode_header(token) else {
        return Err(unauthorized("IDX14100: JWT is not well formed, there are no dots (.)."));
    };
    let keys = state.published_keys().await.map_err(|_| unauthorized("Signing keys are unavailable."))?;
    let Some(key) = header.kid.as_deref().and_then(|kid| keys.iter().find(|k| k.x5t == kid)) else {
        return Err(unauthorized("Invalid signature: the token's signing key is not published by this tenant."));
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_audience(&[GRAPH_APP_ID, GRAPH_RESOURCE, "https://graph.microsoft.com/"]);
    validation.set_issuer(&[state.issuer()]);
    validation.required_spec_claims.clear();
    let claims = match jsonwebtoken::decode::<serde_json::Value>(token, &key.decoding, &validation) {
        Ok(data) => data.claims,
        Err(err) => {
            use jsonwebtoken::errors::ErrorKind;
            let message = match err.kind() {
                ErrorKind::InvalidAudience => "Invalid audience.",
                ErrorKind::InvalidIssuer => "Invalid issuer.",
                ErrorKind::InvalidSignature => "Invalid signature.",
                _ => "IDX14100: JWT is not well formed.",
            };
            return Err(unauthorized(message));
        }
    };
    let now = state.clock.now().timestamp();
    match claims["exp"].as_f64().map(|e| e as i64) {
        Some(exp) if exp > now => {}
        _ => return Err(unauthorized("Lifetime validation failed, the token is expired.")),
    }
    if claims["nbf"].as_f64().is_some_and(|nbf| nbf as i64 > now + 300) {
        return Err(unauthorized("Lifetime validation failed, the token is not yet valid."));
    }
    let app_only = claims["idtyp"].as_str() == Some("app") || claims.get("scp").is_none();
    let permissions = if app_only {
        claims["roles"].as_array().map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_string)).collect()).unwrap_or_default()
    } else {
        claims["scp"].as_str().unwrap_or_default().split_whitespace().map(str::to_string).collect()
    };
    Ok(Caller {
        user_oid: if app_only { None } else { claims["oid"].as_str().map(str::to_string) },
        permissions,
        sub: claims["sub"].as_str().map(str::to_string),
        sp_oid: if app_only { claims["oid"].as_str().map(str::to_string) } else { None },
        acrs: match &claims["acrs"] {
            serde_json::Value::Array(values) => values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            serde_json::Value::String(value) => vec![value.clone()],
            _ => Vec::new(),
        },
    })
}
