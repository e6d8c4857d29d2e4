//! `/{tenant}/oauth2/v2.0/authorize` and its sign-in form.
//!
//! Validation order follows Entra: tenant, `client_id` and `redirect_uri`
//! problems are shown on an error page and never redirected (an unverified
//! redirect URI must not receive anything); once the redirect URI is known
//! good, every other problem is sent back to it as `error`/`error_description`.
//!
//! The form posts to `/{tenant}/login` with the original request in hidden
//! inputs, and that handler validates the request again from scratch: nothing
//! about a pending sign-in is kept on the server.
//!
//! Redirect URI matching (REFERENCE.md §1): exact match (URL-normalised), or,
//! for registered `http://localhost` / `http://127.0.0.1` URIs, the same host
//! and case-sensitive path with any port. `localhost` and `127.0.0.1` are
//! different hosts.

use crate::accounts::PasswordCheck;
use crate::clock::entra_timestamp;
use crate::directory::App;
use crate::oidc::errors::{self, AadError, ErrorContext};
use crate::oidc::page;
use crate::oidc::scopes::{self, Delegated};
use crate::state::Shared;
use crate::store::AuthCode;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use url::Url;

/// The session cookie (Entra's is also called ESTSAUTH).
const SESSION_COOKIE: &str = "ESTSAUTH";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// A validated authorization request.
#[derive(Debug)]
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    redirect: Url,
    mode: ResponseMode,
    state: Option<String>,
    scope: String,
    nonce: Option<String>,
    challenge: Option<(String, String)>,
    prompt: Option<String>,
    login_hint: Option<String>,
    /// The request's parameters, re-sent by the sign-in form.
    fields: Vec<(String, String)>,
}

enum Failure {
    /// Shown on an error page (HTTP 400).
    Page(AadError),
    /// Sent to the (validated) redirect URI.
    Redirect { redirect: Box<Url>, mode: ResponseMode, state: Option<String>, error: AadError },
}

fn parse_params(raw: &[u8]) -> Vec<(String, String)> {
    // A malformed query decodes to nothing, which then reports the first missing parameter.
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

fn is_loopback_registration(url: &Url) -> bool {
    url.scheme() == "http" && matches!(url.host_str(), Some("localhost") | Some("127.0.0.1"))
}

/// The registered redirect URI `given` matches, as a parsed URL.
fn match_redirect(app: &App, given: &str) -> Option<Url> {
    let url = Url::parse(given).ok()?;
    if url.fragment().is_some() {
        return None;
    }
    app.redirect_uris.iter().filter_map(|r| Url::parse(r).ok()).find_map(|registered| {
        let exact = registered == url;
        let loopback = is_loopback_registration(&registered)
            && url.scheme() == "http"
            && registered.host_str() == url.host_str()
            && registered.path() == url.path()
            && registered.query() == url.query();
        (exact || loopback).then(|| url.clone())
    })
}

fn validate(state: &Shared, tenant: &str, params: Vec<(String, String)>) -> Result<AuthRequest, Failure> {
    if !state.dir.knows_tenant(tenant) {
        return Err(Failure::Page(errors::tenant_not_found(tenant)));
    }
    let client_id = param(&params, "client_id").ok_or_else(|| Failure::Page(errors::missing_parameter("client_id")))?;
    let app = state.dir.app(client_id).ok_or_else(|| Failure::Page(errors::app_not_found(client_id, tenant)))?;
    let redirect_uri =
        param(&params, "redirect_uri").ok_or_else(|| Failure::Page(errors::missing_parameter("redirect_uri")))?;
    let redirect =
        match_redirect(app, redirect_uri).ok_or_else(|| Failure::Page(errors::redirect_uri_mismatch(redirect_uri, client_id)))?;

    let state_param = param(&params, "state").map(str::to_string);
    let fail = |mode: ResponseMode, error: AadError| Failure::Redirect {
        redirect: Box::new(redirect.clone()),
        mode,
        state: state_param.clone(),
        error,
    };
    let mode = match param(&params, "response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(other) => return Err(fail(ResponseMode::Query, errors::invalid_response_mode(other))),
    };
    match param(&params, "response_type") {
        None => return Err(fail(mode, errors::missing_parameter("response_type"))),
        Some("code") => {}
        Some(other) => return Err(fail(mode, errors::unsupported_response_type(other))),
    }
    let scope = param(&params, "scope").ok_or_else(|| fail(mode, errors::missing_parameter("scope")))?;
    scopes::parse_delegated(scope).map_err(|e| fail(mode, e))?;
    let challenge = match param(&params, "code_challenge") {
        None => None,
        Some(challenge) => {
            // RFC 7636: method omitted means plain.
            let method = param(&params, "code_challenge_method").unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(fail(mode, errors::invalid_code_challenge_method(method)));
            }
            if !(43..=128).contains(&challenge.len()) {
                return Err(fail(mode, errors::invalid_code_challenge()));
            }
            Some((challenge.to_string(), method.to_string()))
        }
    };
    let prompt = param(&params, "prompt").map(str::to_ascii_lowercase);
    if let (Some(prompt), Some(supported)) = (&prompt, &state.prompt_values) {
        if !supported.iter().any(|v| v.eq_ignore_ascii_case(prompt)) {
            return Err(fail(mode, errors::unsupported_prompt(prompt)));
        }
    }
    Ok(AuthRequest {
        client_id: app.app_id.clone(),
        redirect_uri: redirect_uri.to_string(),
        redirect,
        mode,
        state: state_param.clone(),
        scope: scope.to_string(),
        nonce: param(&params, "nonce").map(str::to_string),
        challenge,
        prompt,
        login_hint: param(&params, "login_hint").map(str::to_string),
        fields: params,
    })
}

/// Sends `fields` to the redirect URI in the requested response mode.
fn respond(redirect: &Url, mode: ResponseMode, fields: Vec<(String, String)>) -> Response {
    // `Url` serialises an empty path as "/", which is Entra's trailing-slash behaviour.
    let mut url = redirect.clone();
    match mode {
        ResponseMode::Query => {
            url.query_pairs_mut().extend_pairs(fields.iter());
        }
        ResponseMode::Fragment => {
            let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish();
            url.set_fragment(Some(&encoded));
        }
        ResponseMode::FormPost => {
            return Html(page::form_post(url.as_str(), &fields)).into_response();
        }
    }
    redirect_to(url.as_str())
}

fn redirect_to(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn failure_response(failure: Failure, ctx: &ErrorContext) -> Response {
    match failure {
        Failure::Page(error) => {
            let html = page::error(&error, &ctx.trace_id, &ctx.correlation_id, &entra_timestamp(ctx.now));
            (StatusCode::BAD_REQUEST, Html(html)).into_response()
        }
        Failure::Redirect { redirect, mode, state, error } => {
            let description = format!(
                "{}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                error.text(),
                ctx.trace_id,
                ctx.correlation_id,
                entra_timestamp(ctx.now)
            );
            let mut fields = vec![
                ("error".to_string(), error.error.to_string()),
                ("error_description".to_string(), description),
                ("error_uri".to_string(), format!("{}/error?code={}", ctx.base, error.code)),
            ];
            if let Some(state) = state {
                fields.push(("state".to_string(), state));
            }
            respond(&redirect, mode, fields)
        }
    }
}

fn session_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// Issues a code for `user_oid` and sends it to the client.
fn complete(state: &Shared, req: &AuthRequest, user_oid: &str) -> Response {
    let code = state.store.insert_code(AuthCode {
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        scope: req.scope.clone(),
        user_oid: user_oid.to_string(),
        nonce: req.nonce.clone(),
        challenge: req.challenge.clone(),
        issued: state.clock.now(),
        redeemed: false,
    });
    let mut fields = vec![("code".to_string(), code)];
    if let Some(s) = &req.state {
        fields.push(("state".to_string(), s.clone()));
    }
    fields.push(("session_state".to_string(), uuid::Uuid::new_v4().to_string()));
    respond(&req.redirect, req.mode, fields)
}

fn tenant_display() -> String {
    format!("{} ({})", crate::directory::TENANT_NAME, crate::directory::DOMAIN)
}

fn sign_in_form(tenant: &str, req: &AuthRequest, login: &str, error: Option<&AadError>) -> Response {
    let action = format!("/{tenant}/login");
    Html(page::sign_in(&action, &req.fields, login, &tenant_display(), error)).into_response()
}

fn handle_authorize(state: Shared, tenant: String, params: Vec<(String, String)>, headers: &HeaderMap) -> Response {
    let ctx = state.error_ctx(headers);
    let req = match validate(&state, &tenant, params) {
        Ok(req) => req,
        Err(failure) => return failure_response(failure, &ctx),
    };
    if req.prompt.as_deref() == Some("none") {
        let user = session_from(headers)
            .and_then(|id| state.store.session_user(&id))
            .and_then(|oid| state.dir.user_by_oid(&oid).cloned());
        let hint_ok = |upn: &str| req.login_hint.as_deref().is_none_or(|h| h.eq_ignore_ascii_case(upn));
        return match user {
            Some(user) if hint_ok(&user.upn) => complete(&state, &req, &user.oid),
            _ => failure_response(
                Failure::Redirect {
                    redirect: Box::new(req.redirect.clone()),
                    mode: req.mode,
                    state: req.state.clone(),
                    error: errors::login_required(),
                },
                &ctx,
            ),
        };
    }
    // login, select_account, consent and no prompt all show the form: the demo
    // has no account picker or consent screen (all permissions are admin-consented).
    let hint = req.login_hint.clone().unwrap_or_default();
    sign_in_form(&tenant, &req, &hint, None)
}

/// `GET /{tenant}/oauth2/v2.0/authorize`.
pub async fn authorize(State(state): State<Shared>, Path(tenant): Path<String>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let params = parse_params(query.unwrap_or_default().as_bytes());
    handle_authorize(state, tenant, params, &headers)
}

/// `POST /{tenant}/oauth2/v2.0/authorize` (form-encoded parameters, which Entra also accepts).
pub async fn authorize_post(State(state): State<Shared>, Path(tenant): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    handle_authorize(state, tenant, parse_params(&body), &headers)
}

/// `POST /{tenant}/login`: the sign-in form's submission.
pub async fn login(State(state): State<Shared>, Path(tenant): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let ctx = state.error_ctx(&headers);
    let mut params = parse_params(&body);
    let take = |params: &mut Vec<(String, String)>, name: &str| -> String {
        let value = params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        params.retain(|(k, _)| k != name);
        value
    };
    let login = take(&mut params, "login");
    let password = take(&mut params, "passwd");
    let req = match validate(&state, &tenant, params) {
        Ok(req) => req,
        Err(failure) => return failure_response(failure, &ctx),
    };
    let Some(user) = state.dir.user_by_upn(&login) else {
        tracing::info!("sign-in failed: unknown user");
        return sign_in_form(&tenant, &req, &login, Some(&errors::user_not_found(&state.dir.tenant_id)));
    };
    match state.accounts.check_password(user, &password) {
        PasswordCheck::Accepted => {}
        PasswordCheck::Wrong => {
            tracing::info!("sign-in failed: wrong password");
            return sign_in_form(&tenant, &req, &login, Some(&errors::bad_password()));
        }
        PasswordCheck::MustChange => {
            tracing::info!("sign-in refused: the password must be changed first");
            return sign_in_form(&tenant, &req, &login, Some(&errors::password_must_change()));
        }
    }
    let session = state.store.new_session(&user.oid);
    let mut response = complete(&state, &req, &user.oid);
    let secure = if state.tls { "; Secure" } else { "" };
    if let Ok(cookie) = HeaderValue::from_str(&format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax{secure}")) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /{tenant}/oauth2/v2.0/logout`: ends the session; redirects to a loopback
/// `post_logout_redirect_uri` if given.
pub async fn logout(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(id) = session_from(&headers) {
        state.store.end_session(&id);
    }
    let target = query
        .get("post_logout_redirect_uri")
        .and_then(|u| Url::parse(u).ok())
        .filter(|u| matches!(u.host_str(), Some("localhost") | Some("127.0.0.1")));
    let mut response = match target {
        Some(url) => redirect_to(url.as_str()),
        None => Html(page::info("You signed out of your account", "It's a good idea to close all browser windows.")).into_response(),
    };
    if let Ok(cookie) = HeaderValue::from_str(&format!("{SESSION_COOKIE}=; Path=/; Max-Age=0")) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /error?code=N`: where `error_uri` points.
pub async fn error_lookup(Query(query): Query<HashMap<String, String>>) -> Response {
    let code = query.get("code").map(String::as_str).unwrap_or("unknown");
    Html(page::info(
        &format!("Error AADSTS{code}"),
        "The demo tenant explains every error in the response's error_description, which also names the fix.",
    ))
    .into_response()
}

/// Parsed scope of a code, for the token endpoint.
pub fn code_scope(code: &AuthCode) -> Result<Delegated, AadError> {
    scopes::parse_delegated(&code.scope)
}
