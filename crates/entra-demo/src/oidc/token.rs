//! `POST /{tenant}/oauth2/v2.0/token`: the `authorization_code`,
//! `refresh_token` and `client_credentials` grants, client authentication
//! (none for public clients; `client_secret` in the body or HTTP Basic;
//! `private_key_jwt` assertions with either `RS256` + `x5t` or `PS256` +
//! `x5t#S256`), and Entra's success and error bodies. Clients are the
//! directory's demo clients and, through `clients`, any inventory application
//! (a public one redeems codes and refresh tokens without a credential);
//! refresh tokens revoked by a password reset or `revokeSignInSessions` answer
//! AADSTS50173. A delegated token carries every Graph permission consented to
//! the client for the user, and a request naming one that is not consented
//! answers AADSTS65001 `consent_required` (`oidc::consent`).

use crate::directory::App;
use crate::oidc::clients;
use crate::oidc::consent;
use crate::oidc::errors::{self, no_store, AadError};
use crate::oidc::issue::{self, ClientAuth};
use crate::oidc::scopes::{self, Delegated};
use crate::state::Shared;
use crate::store::{CodeLookup, RefreshGrant, CODE_LIFETIME, REFRESH_LIFETIME};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{Algorithm, Validation};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock skew allowed on client assertions.
const ASSERTION_SKEW: i64 = 300;

/// A client credential presented at the token endpoint.
enum Credential {
    None,
    Secret(String),
    Assertion { kind: Option<String>, jwt: String },
}

struct Request {
    form: HashMap<String, String>,
    client_id: String,
    credential: Credential,
}

impl Request {
    fn get(&self, name: &str) -> Option<&str> {
        self.form.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, AadError> {
        self.get(name).ok_or_else(|| errors::missing_parameter(name))
    }
}

pub async fn token(State(state): State<Shared>, Path(tenant): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let ctx = state.error_ctx(&headers);
    match handle(&state, &tenant, &headers, &body).await {
        Ok(body) => {
            let mut response = Json(body).into_response();
            no_store(response.headers_mut());
            response
        }
        Err(error) => {
            tracing::info!(code = error.code, "token request refused");
            error.into_token_response(&ctx)
        }
    }
}

/// HTTP Basic client authentication (RFC 6749 §2.3.1: both parts form-urlencoded).
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

async fn handle(state: &Shared, tenant: &str, headers: &HeaderMap, body: &[u8]) -> Result<serde_json::Value, AadError> {
    if !state.dir.knows_tenant(tenant) {
        return Err(errors::tenant_not_found(tenant));
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| errors::malformed("The body is not application/x-www-form-urlencoded."))?;
    let mut form = HashMap::new();
    for (k, v) in pairs {
        form.entry(k).or_insert(v);
    }
    let grant_type = form.get("grant_type").cloned().filter(|g| !g.is_empty()).ok_or_else(|| errors::missing_parameter("grant_type"))?;

    let basic = basic_auth(headers);
    let client_id = form
        .get("client_id")
        .cloned()
        .filter(|c| !c.is_empty())
        .or_else(|| basic.as_ref().map(|(id, _)| id.clone()))
        .ok_or_else(|| errors::missing_parameter("client_id"))?;
    let credential = if let Some(secret) = form.get("client_secret").filter(|s| !s.is_empty()) {
        Credential::Secret(secret.clone())
    } else if let Some((_, secret)) = basic {
        Credential::Secret(secret)
    } else if let Some(jwt) = form.get("client_assertion").filter(|s| !s.is_empty()) {
        Credential::Assertion { kind: form.get("client_assertion_type").cloned(), jwt: jwt.clone() }
    } else {
        Credential::None
    };
    let req = Request { form, client_id, credential };

    match grant_type.as_str() {
        "authorization_code" | "refresh_token" | "client_credentials" => {}
        other => return Err(errors::unsupported_grant_type(other)),
    }
    let app: Cow<'_, App> = match state.dir.app(&req.client_id) {
        Some(app) => Cow::Borrowed(app),
        None => {
            let mut app = clients::inventory_client(state, &req.client_id).ok_or_else(|| errors::app_not_found(&req.client_id, tenant))??;
            // An inventory public client that authenticates anyway, or asks for an app-only
            // token, is judged as a confidential client (see `oidc::clients`).
            app.public &= grant_type != "client_credentials" && matches!(req.credential, Credential::None);
            Cow::Owned(app)
        }
    };
    let app = app.as_ref();

    match grant_type.as_str() {
        "authorization_code" => {
            reject_browser_origin(headers)?;
            let auth = authenticate(state, tenant, app, &req)?;
            authorization_code(state, app, &req, auth).await
        }
        "refresh_token" => {
            reject_browser_origin(headers)?;
            let auth = authenticate(state, tenant, app, &req)?;
            refresh_token(state, app, &req, auth).await
        }
        _ => {
            let scope = req.require("scope")?;
            let resource = scopes::parse_client_credentials(scope, tenant)?;
            let auth = authenticate(state, tenant, app, &req)?;
            let key = state.signing_key().await.map_err(|e| errors::server_error(&format!("{e:#}")))?;
            let access_token = issue::app_only(state, &key, app, auth, resource).map_err(|e| errors::server_error(&format!("{e:#}")))?;
            Ok(serde_json::json!({
                "token_type": "Bearer",
                "expires_in": state.access_token_lifetime,
                "ext_expires_in": state.access_token_lifetime,
                "access_token": access_token,
            }))
        }
    }
}

/// Redemption from a browser context (an `Origin` header) is refused for
/// non-SPA redirect URIs: AADSTS9002326 (observed).
fn reject_browser_origin(headers: &HeaderMap) -> Result<(), AadError> {
    if headers.contains_key(header::ORIGIN) {
        return Err(AadError::new(
            "invalid_request",
            9002326,
            "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
        ));
    }
    Ok(())
}

/// Checks the client's credential; public clients must present none.
fn authenticate(state: &Shared, tenant: &str, app: &App, req: &Request) -> Result<ClientAuth, AadError> {
    if app.public {
        return match req.credential {
            Credential::None => Ok(ClientAuth::Public),
            _ => Err(errors::public_client_sent_secret()),
        };
    }
    match &req.credential {
        Credential::None => Err(errors::credential_missing()),
        Credential::Secret(given) => {
            clients::check_secret(state, app, given)?;
            Ok(ClientAuth::Secret)
        }
        Credential::Assertion { kind, jwt } => {
            if kind.as_deref() != Some(JWT_BEARER) {
                return Err(AadError::new(
                    "invalid_request",
                    900144,
                    format!("The request body must contain the following parameter: 'client_assertion_type' with the value '{JWT_BEARER}'."),
                ));
            }
            verify_assertion(state, tenant, app, jwt)?;
            Ok(ClientAuth::Certificate)
        }
    }
}

/// A base64 or base64url thumbprint, padded or not, as unpadded base64url.
fn normalise_thumbprint(given: &str) -> String {
    given.trim_end_matches('=').replace('+', "-").replace('/', "_")
}

/// Verifies a `private_key_jwt` client assertion against the app's certificates.
fn verify_assertion(state: &Shared, tenant: &str, app: &App, jwt: &str) -> Result<(), AadError> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| errors::assertion_malformed(&e.to_string()))?;
    if !matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512
    ) {
        return Err(errors::assertion_malformed("The signing algorithm must be RS256 or PS256."));
    }
    if header.x5t_s256.is_none() && header.x5t.is_none() {
        return Err(errors::assertion_malformed("The header has neither 'x5t' nor 'x5t#S256'."));
    }
    // Thumbprints are compared as bytes, whatever base64 flavour carries them: MSAL Python pads
    // them, and the Azure SDK for Rust (azure_identity's ClientCertificateCredential) uses the
    // standard alphabet with padding. Entra accepts both, so the demo tenant does too.
    let same = |given: &Option<String>, ours: &str| given.as_deref().is_some_and(|g| normalise_thumbprint(g) == ours);
    let cert = app
        .certificates
        .iter()
        .find(|c| same(&header.x5t_s256, &c.x5t_s256) || same(&header.x5t, &c.x5t))
    .ok_or_else(|| errors::assertion_cert_unknown(&app.app_id))?;

    let mut validation = Validation::new(header.alg);
    // Time and audience are checked below against the emulator clock and Entra's rules.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<serde_json::Value>(jwt, &cert.decoding, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => errors::assertion_signature(),
            _ => errors::assertion_malformed(&e.to_string()),
        })?
        .claims;

    let base = &state.base;
    let accepted = [
        format!("{base}/{}/oauth2/v2.0/token", state.dir.tenant_id),
        format!("{base}/{}/oauth2/v2.0/token", crate::directory::DOMAIN),
        format!("{base}/{tenant}/oauth2/v2.0/token"),
    ];
    let auds: Vec<String> = match &claims["aud"] {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    if !auds.iter().any(|aud| accepted.iter().any(|ok| ok.eq_ignore_ascii_case(aud))) {
        return Err(errors::assertion_audience(&auds.join(" ")));
    }
    let is_client = |claim: &str| claims[claim].as_str().is_some_and(|v| v.eq_ignore_ascii_case(&app.app_id));
    if !is_client("iss") || !is_client("sub") {
        return Err(errors::assertion_issuer());
    }
    let now = state.clock.now().timestamp();
    // NumericDate may have a fraction (RFC 7519 §2); MSAL Python sends floats.
    let exp = claims["exp"].as_f64().ok_or_else(|| errors::assertion_malformed("The 'exp' claim is missing."))? as i64;
    if now > exp + ASSERTION_SKEW {
        return Err(errors::assertion_time());
    }
    if let Some(nbf) = claims["nbf"].as_f64().map(|n| n as i64) {
        if nbf > now + ASSERTION_SKEW {
            return Err(errors::assertion_time());
        }
    }
    Ok(())
}

fn pkce_ok(challenge: &(String, String), verifier: &str) -> bool {
    let (challenge, method) = challenge;
    if method == "S256" {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == *challenge
    } else {
        verifier == challenge
    }
}

async fn authorization_code(state: &Shared, app: &App, req: &Request, auth: ClientAuth) -> Result<serde_json::Value, AadError> {
    let code_value = req.require("code")?;
    let redirect_uri = req.require("redirect_uri")?;
    let code = match state.store.take_code(code_value) {
        CodeLookup::Unknown => return Err(errors::code_invalid()),
        CodeLookup::AlreadyRedeemed => return Err(errors::code_redeemed()),
        CodeLookup::Found(code) => *code,
    };
    if state.clock.now() > code.issued + CODE_LIFETIME {
        return Err(errors::code_expired());
    }
    if !code.client_id.eq_ignore_ascii_case(&app.app_id) {
        return Err(errors::code_client_mismatch());
    }
    if code.redirect_uri != redirect_uri {
        return Err(errors::redirect_uri_differs(redirect_uri, &code.redirect_uri));
    }
    if let Some(challenge) = &code.challenge {
        match req.get("code_verifier") {
            Some(verifier) if pkce_ok(challenge, verifier) => {}
            _ => return Err(errors::pkce_mismatch()),
        }
    }
    let at_authorize = crate::oidc::authorize::code_scope(&code)?;
    let scopes = merge_scopes(req, &at_authorize)?;
    let user = state.dir.user_by_oid(&code.user_oid).ok_or_else(errors::code_invalid)?;
    let user = user.clone();
    let graph = consent::token_permissions(state, app, &user.oid, &scopes)?;
    let issued = Issued { nonce: code.nonce.as_deref(), acrs: &code.acrs, grant_acrs: &code.acrs };
    delegated_response(state, app, &user, &scopes, &graph, &at_authorize, issued, auth, req).await
}

/// The scope of a redemption: the token request's `scope` when given (one
/// resource plus OIDC scopes), else the authorize request's; OIDC scopes
/// consented at /authorize carry over.
fn merge_scopes(req: &Request, original: &Delegated) -> Result<Delegated, AadError> {
    let mut scopes = match req.get("scope") {
        Some(scope) => scopes::parse_delegated(scope)?,
        None => original.clone(),
    };
    scopes.openid |= original.openid;
    scopes.profile |= original.profile;
    scopes.email |= original.email;
    scopes.offline_access |= original.offline_access;
    Ok(scopes)
}

async fn refresh_token(state: &Shared, app: &App, req: &Request, auth: ClientAuth) -> Result<serde_json::Value, AadError> {
    let token = req.require("refresh_token")?;
    let grant = state.store.refresh_grant(token).ok_or_else(errors::refresh_token_invalid)?;
    if !grant.client_id.eq_ignore_ascii_case(&app.app_id) {
        return Err(errors::code_client_mismatch());
    }
    if state.clock.now() > grant.expires {
        return Err(errors::refresh_token_expired(grant.issued));
    }
    // A password reset revokes what public clients hold; revoked sessions revoke everything.
    if let Some(valid_from) = state.accounts.revoked_since(&grant.user_oid, grant.issued, app.public) {
        return Err(errors::grant_revoked(grant.issued, valid_from));
    }
    let original = scopes::parse_delegated(&grant.scope)?;
    let mut scopes = merge_scopes(req, &original)?;
    let user = state.dir.user_by_oid(&grant.user_oid).ok_or_else(errors::refresh_token_invalid)?.clone();
    // The refresh token may mint tokens for whatever the client holds for the user now; a scope
    // it does not hold needs the user at /authorize again (AADSTS65001).
    let graph = consent::token_permissions(state, app, &user.oid, &scopes)?;
    // A refresh always yields a new refresh token.
    scopes.offline_access = true;
    // `claims` may ask again for the authentication contexts the grant's sign-in met; asking for
    // another one needs the person at /authorize. Declared client capabilities (`xms_cc`) are
    // taken and ignored, as at /authorize (`oidc::claims`).
    let asked = req.get("claims").map(crate::oidc::claims::requested_acrs).transpose()?.unwrap_or_default();
    if asked.iter().any(|a| !grant.acrs.contains(a)) {
        return Err(errors::step_up_required(scopes::GRAPH_APP_ID));
    }
    let issued = Issued { nonce: None, acrs: &asked, grant_acrs: &grant.acrs };
    delegated_response(state, app, &user, &scopes, &graph, &original, issued, auth, req).await
}

/// What a redemption carries into its tokens besides the scopes: the ID token's `nonce`, the
/// access token's `acrs` (the authentication contexts asked for in `claims`, at `/authorize` for a
/// code, at the token endpoint for a refresh) and those the refresh grant remembers.
#[derive(Clone, Copy)]
struct Issued<'a> {
    nonce: Option<&'a str>,
    acrs: &'a [String],
    grant_acrs: &'a [String],
}

#[allow(clippy::too_many_arguments)]
async fn delegated_response(
    state: &Shared,
    app: &App,
    user: &crate::directory::User,
    scopes: &Delegated,
    graph: &[&str],
    grant_scopes: &Delegated,
    issued: Issued<'_>,
    auth: ClientAuth,
    req: &Request,
) -> Result<serde_json::Value, AadError> {
    let key = state.signing_key().await.map_err(|e| errors::server_error(&format!("{e:#}")))?;
    let tokens = issue::delegated(state, &key, app, user, scopes, graph, issued.nonce, issued.acrs, auth).map_err(|e| errors::server_error(&format!("{e:#}")))?;
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "scope": tokens.scope,
        "expires_in": tokens.expires_in,
        "ext_expires_in": tokens.expires_in,
        "access_token": tokens.access_token,
    });
    if scopes.offline_access {
        let now = state.clock.now();
        let refresh = state.store.issue_refresh_token(RefreshGrant {
            client_id: app.app_id.clone(),
            user_oid: user.oid.clone(),
            scope: grant_scopes.to_scope_string(),
            issued: now,
            expires: now + REFRESH_LIFETIME,
            acrs: issued.grant_acrs.to_vec(),
        });
        body["refresh_token"] = refresh.into();
    }
    if let Some(id_token) = tokens.id_token {
        body["id_token"] = id_token.into();
    }
    if req.get("client_info") == Some("1") {
        body["client_info"] = issue::client_info(&user.oid, &state.dir.tenant_id).into();
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::normalise_thumbprint;

    #[test]
    fn thumbprints_match_in_every_base64_flavour() {
        // The same 20 bytes as base64url (unpadded, what the demo publishes), base64url padded
        // (MSAL Python) and standard base64 padded (azure_identity).
        let ours = "-_8AAQIDBAUGBwgJCgsMDQ4PEBE";
        assert_eq!(normalise_thumbprint(ours), ours);
        assert_eq!(normalise_thumbprint("-_8AAQIDBAUGBwgJCgsMDQ4PEBE="), ours);
        assert_eq!(normalise_thumbprint("+/8AAQIDBAUGBwgJCgsMDQ4PEBE="), ours);
        assert_ne!(normalise_thumbprint("+/8AAQIDBAUGBwgJCgsMDQ4PEBF="), ours);
    }
}
