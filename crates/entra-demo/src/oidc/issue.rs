//! Minting the JWTs: v2 access tokens (delegated and app-only) and ID
//! tokens, RS256-signed by the current key with header `{typ, alg, kid}` (v2
//! tokens carry no `x5t`).

use crate::directory::{App, User};
use crate::keys::RsaMaterial;
use crate::oidc::scopes::{Delegated, GRAPH_APP_ID};
use crate::state::AppState;
use crate::store::random_token;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::Duration;
use jsonwebtoken::{Algorithm, Header};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// How the client authenticated: `azpacr` "0" public, "1" secret, "2" certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    Public,
    Secret,
    Certificate,
}

impl ClientAuth {
    fn azpacr(self) -> &'static str {
        match self {
            ClientAuth::Public => "0",
            ClientAuth::Secret => "1",
            ClientAuth::Certificate => "2",
        }
    }
}

pub fn sign(key: &RsaMaterial, claims: &Value) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("JWT".to_string());
    header.kid = Some(key.x5t.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.encoding)?)
}

/// Pairwise `sub`: stable per (tenant, user, app), as Entra's is.
fn pairwise_sub(tid: &str, oid: &str, app_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{tid}/{oid}/{app_id}").as_bytes()))
}

/// Opaque filler for `aio` / `rh` / `uti`: values clients must not interpret.
fn opaque(bytes: usize) -> String {
    random_token(bytes)
}

pub struct DelegatedTokens {
    pub access_token: String,
    pub id_token: Option<String>,
    pub expires_in: i64,
    pub scope: String,
}

/// Access token for Graph (+ ID token when `openid` was asked) for `user` via `app`, carrying the
/// Graph permissions `graph` (what the client holds for the user: `oidc::consent`) and, when the
/// sign-in asked for them (`oidc::claims`), the authentication contexts `acrs`.
#[allow(clippy::too_many_arguments)]
pub fn delegated(
    state: &AppState,
    key: &RsaMaterial,
    app: &App,
    user: &User,
    scopes: &Delegated,
    graph: &[&str],
    nonce: Option<&str>,
    acrs: &[String],
    auth: ClientAuth,
) -> anyhow::Result<DelegatedTokens> {
    let now = state.clock.now();
    let iat = now.timestamp();
    let exp = (now + Duration::seconds(state.access_token_lifetime)).timestamp();
    let tid = &state.dir.tenant_id;
    let issuer = state.issuer();
    let scp = scopes.scp(graph);
    let sub = pairwise_sub(tid, &user.oid, &app.app_id);
    let mut access = json!({
        "aud": GRAPH_APP_ID,
        "iss": issuer,
        "iat": iat,
        "nbf": iat,
        "exp": exp,
        "aio": STANDARD.encode(opaque(48)),
        "azp": app.app_id,
        "azpacr": auth.azpacr(),
        "name": user.display_name,
        "oid": user.oid,
        "preferred_username": user.upn,
        "rh": format!("1.A{}.", opaque(24)),
        "scp": scp,
        "sub": sub,
        "tid": tid,
        "uti": opaque(16),
        "ver": "2.0",
    });
    if !acrs.is_empty() {
        access["acrs"] = acrs.into();
    }
    let access_token = sign(key, &access)?;

    let id_token = if scopes.openid {
        let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16]);
        let mut claims = json!({
            "aud": app.app_id,
            "iss": issuer,
            "iat": iat,
            "nbf": iat,
            "exp": (now + Duration::hours(1)).timestamp(),
            "aio": STANDARD.encode(opaque(48)),
            "at_hash": at_hash,
            "name": user.display_name,
            "oid": user.oid,
            "preferred_username": user.upn,
            "rh": format!("1.A{}.", opaque(24)),
            "sub": sub,
            "tid": tid,
            "uti": opaque(16),
            "ver": "2.0",
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = nonce.into();
        }
        if scopes.email {
            claims["email"] = user.mail.clone().into();
        }
        Some(sign(key, &claims)?)
    } else {
        None
    };
    Ok(DelegatedTokens { access_token, id_token, expires_in: state.access_token_lifetime, scope: scp })
}

/// App-only access token for `resource`: `roles` (Graph's app roles; none for a database) +
/// `idtyp: app`, no user claims. A database token's `aud` is its resource URI, as Azure's
/// are (Azure Database for PostgreSQL checks it; Graph's is Graph's app ID).
pub fn app_only(state: &AppState, key: &RsaMaterial, app: &App, auth: ClientAuth, resource: super::scopes::Resource) -> anyhow::Result<String> {
    let now = state.clock.now();
    let iat = now.timestamp();
    let (aud, roles) = match resource {
        super::scopes::Resource::Graph => (GRAPH_APP_ID, app.app_roles.clone()),
        super::scopes::Resource::OssRdbms => (super::scopes::OSSRDBMS_RESOURCE, Vec::new()),
    };
    let claims = json!({
        "aud": aud,
        "iss": state.issuer(),
        "iat": iat,
        "nbf": iat,
        "exp": (now + Duration::seconds(state.access_token_lifetime)).timestamp(),
        "aio": STANDARD.encode(opaque(48)),
        "app_displayname": app.display_name,
        "azp": app.app_id,
        "azpacr": auth.azpacr(),
        "idtyp": "app",
        "oid": app.sp_object_id,
        "rh": format!("1.A{}.", opaque(24)),
        "roles": roles,
        "sub": app.sp_object_id,
        "tid": state.dir.tenant_id,
        "uti": opaque(16),
        "ver": "2.0",
    });
    sign(key, &claims)
}

/// MSAL's `client_info`: base64url of `{"uid": oid, "utid": tid}`.
pub fn client_info(oid: &str, tid: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!({ "uid": oid, "utid": tid }).to_string())
}
