//! `/{tenant}/oauth2/v2.0/authorize`, its sign-in form and its consent page.
//!
//! Validation order follows Entra: tenant, `client_id` and `redirect_uri`
//! problems are shown on an error page and never redirected (an unverified
//! redirect URI must not receive anything); once the redirect URI is known
//! good, every other problem is sent back to it as `error`/`error_description`.
//!
//! The form posts to `/{tenant}/login` with the original request in hidden
//! inputs, and that handler validates the request again from scratch: nothing
//! about a pending sign-in is kept on the server. Clients are the directory's
//! demo clients and the inventory's public clients (`oidc::clients`).
//!
//! After sign-in (the form, or the session cookie for `prompt=none`) comes
//! consent (`oidc::consent`): when the request names permissions the client
//! does not hold for the user, or asks `prompt=consent`, the consent page lists
//! them and posts to `/{tenant}/consent`, again with the request in hidden
//! inputs; that handler validates the request from scratch too, and knows the
//! user by the session cookie the sign-in set. Accept records the grant and
//! issues the code; Cancel redirects `access_denied` with `error_subcode=cancel`
//! and AADSTS65004. A user without an administrator role who meets an
//! admin-only permission sees "Need admin approval", whose one button returns
//! `access_denied`, `error_subcode=cancel` and AADSTS90094 (the `cancel`
//! subcode is what Entra was seen to send from that page; which AADSTS code it
//! carries is not documented, so the demo names the reason). `prompt=none`
//! with consent missing redirects `consent_required` AADSTS65001.
//!
//! A `claims` parameter asking for authentication contexts in the access token (after a
//! claims challenge, `oidc::claims`) travels with the code: its access token carries them. The
//! client capabilities it may declare (`xms_cc`, e.g. `cp1`) are taken and ignored.
//!
//! Redirect URI matching (REFERENCE.md §1): exact match (URL-normalised), or,
//! for registered `http://localhost` / `http://127.0.0.1` URIs, the same host
//! and case-sensitive path with any port. `localhost` and `127.0.0.1` are
//! different hosts.

use crate::accounts::PasswordCheck;
use crate::clock::entra_timestamp;
use crate::directory::{App, User};
use crate::oidc::claims;
use crate::oidc::clients;
use crate::oidc::consent::{self, Prompt, Verdict};
use crate::oidc::errors::{self, AadError, ErrorContext};
use crate::oidc::page::{self, PermissionLine, CONSENT_DECISION, CONSENT_ORG};
use crate::oidc::permissions;
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
    /// The client: a demo client of the directory or an inventory public client.
    app: App,
    client_id: String,
    redirect_uri: String,
    redirect: Url,
    mode: ResponseMode,
    state: Option<String>,
    scope: String,
    scopes: Delegated,
    nonce: Option<String>,
    challenge: Option<(String, String)>,
    prompt: Option<String>,
    login_hint: Option<String>,
    /// The authentication contexts its `claims` parameter asks for (`oidc::claims`).
    acrs: Vec<String>,
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

/// Removes a form's own field (the password, the consent decision) from the
/// request's parameters and returns its value.
fn take(params: &mut Vec<(String, String)>, name: &str) -> String {
    let value = params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    params.retain(|(k, _)| k != name);
    value
}

/// The client `client_id`: a demo client, or an inventory application (whose redirect URIs are
/// its public-client ones); AADSTS700016 for an unknown one or one without a service principal.
fn find_client(state: &Shared, client_id: &str, tenant: &str) -> Result<App, AadError> {
    if let Some(app) = state.dir.app(client_id) {
        return Ok(app.clone());
    }
    match clients::inventory_client(state, client_id) {
        Some(Ok(app)) => Ok(app),
        Some(Err(_)) | None => Err(errors::app_not_found(client_id, tenant)),
    }
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
    let app = find_client(state, client_id, tenant).map_err(Failure::Page)?;
    let redirect_uri =
        param(&params, "redirect_uri").ok_or_else(|| Failure::Page(errors::missing_parameter("redirect_uri")))?;
    let redirect =
        match_redirect(&app, redirect_uri).ok_or_else(|| Failure::Page(errors::redirect_uri_mismatch(redirect_uri, client_id)))?;

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
    let scopes = scopes::parse_delegated(scope).map_err(|e| fail(mode, e))?;
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
    let acrs = param(&params, "claims").map(claims::requested_acrs).transpose().map_err(|e| fail(mode, e))?.unwrap_or_default();
    let prompt = param(&params, "prompt").map(str::to_ascii_lowercase);
    if let (Some(prompt), Some(supported)) = (&prompt, &state.prompt_values) {
        if !supported.iter().any(|v| v.eq_ignore_ascii_case(prompt)) {
            return Err(fail(mode, errors::unsupported_prompt(prompt)));
        }
    }
    Ok(AuthRequest {
        client_id: app.app_id.clone(),
        app,
        redirect_uri: redirect_uri.to_string(),
        redirect,
        mode,
        state: state_param.clone(),
        scope: scope.to_string(),
        scopes,
        nonce: param(&params, "nonce").map(str::to_string),
        challenge,
        prompt,
        login_hint: param(&params, "login_hint").map(str::to_string),
        acrs,
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
            let mut fields = vec![("error".to_string(), error.error.to_string())];
            if let Some(subcode) = error.suberror {
                fields.push(("error_subcode".to_string(), subcode.to_string()));
            }
            fields.push(("error_description".to_string(), description));
            fields.push(("error_uri".to_string(), format!("{}/error?code={}", ctx.base, error.code)));
            if let Some(state) = state {
                fields.push(("state".to_string(), state));
            }
            respond(&redirect, mode, fields)
        }
    }
}

/// An error sent to the request's (validated) redirect URI.
fn redirect_error(req: &AuthRequest, error: AadError) -> Failure {
    Failure::Redirect { redirect: Box::new(req.redirect.clone()), mode: req.mode, state: req.state.clone(), error }
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
        acrs: req.acrs.clone(),
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
        let user = session_user(&state, headers);
        let hint_ok = |upn: &str| req.login_hint.as_deref().is_none_or(|h| h.eq_ignore_ascii_case(upn));
        return match user {
            Some(user) if hint_ok(&user.upn) => match consent::evaluate(&state, &req.app, &user.oid, &req.scopes, false) {
                Verdict::Granted => complete(&state, &req, &user.oid),
                // Nothing may be shown: the consent page would be an interaction.
                _ => failure_response(redirect_error(&req, errors::consent_required_silently(&req.client_id, &req.app.display_name)), &ctx),
            },
            _ => failure_response(redirect_error(&req, errors::login_required()), &ctx),
        };
    }
    // login, select_account, consent and no prompt all show the form: the demo
    // has no account picker (consent comes after the form).
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
    let mut response = after_sign_in(&state, &tenant, &req, user);
    let secure = if state.tls { "; Secure" } else { "" };
    if let Ok(cookie) = HeaderValue::from_str(&format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax{secure}")) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The signed-in user of the request's session cookie, if any.
fn session_user(state: &Shared, headers: &HeaderMap) -> Option<User> {
    let oid = state.store.session_user(&session_from(headers)?)?;
    state.dir.user_by_oid(&oid).cloned()
}

/// The user is known: the code, or first the consent page or "Need admin approval".
fn after_sign_in(state: &Shared, tenant: &str, req: &AuthRequest, user: &User) -> Response {
    let action = format!("/{tenant}/consent");
    match consent::evaluate(state, &req.app, &user.oid, &req.scopes, req.prompt.as_deref() == Some("consent")) {
        Verdict::Granted => complete(state, req, &user.oid),
        Verdict::Ask(prompt) => {
            let lines = lines(&prompt, &prompt.asked);
            Html(page::consent(&action, &req.fields, &req.app.display_name, &user.upn, &lines, prompt.admin)).into_response()
        }
        Verdict::NeedsAdmin(prompt) => {
            let admin_only: Vec<&'static str> = prompt.asked.iter().copied().filter(|p| permissions::find(p).is_some_and(|p| p.admin_only)).collect();
            let lines = lines(&prompt, &admin_only);
            Html(page::admin_approval(&action, &req.fields, &req.app.display_name, &user.upn, &lines)).into_response()
        }
    }
}

/// The page lines of `which` (permissions of `prompt`).
fn lines(prompt: &Prompt, which: &[&'static str]) -> Vec<PermissionLine<'static>> {
    which
        .iter()
        .filter_map(|value| permissions::find(value))
        .map(|p| PermissionLine { value: p.value, display: permissions::display(p, prompt.admin), new: prompt.new.contains(&p.value), admin_only: p.admin_only })
        .collect()
}

/// `POST /{tenant}/consent`: the consent page's (or "Need admin approval"'s) answer.
pub async fn consent(State(state): State<Shared>, Path(tenant): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let ctx = state.error_ctx(&headers);
    let mut params = parse_params(&body);
    let decision = take(&mut params, CONSENT_DECISION);
    let for_organization = take(&mut params, CONSENT_ORG) == "true";
    let req = match validate(&state, &tenant, params) {
        Ok(req) => req,
        Err(failure) => return failure_response(failure, &ctx),
    };
    // The user is the session's: the cookie is SameSite=Lax, so another site's form posting here
    // arrives without it and grants nothing.
    let Some(user) = session_user(&state, &headers) else {
        // The session ended meanwhile (signed out, revoked), or never came: sign in again.
        let hint = req.login_hint.clone().unwrap_or_default();
        return sign_in_form(&tenant, &req, &hint, None);
    };
    let declined = |error: AadError| failure_response(redirect_error(&req, error), &ctx);
    match decision.as_str() {
        "accept" => match consent::evaluate(&state, &req.app, &user.oid, &req.scopes, req.prompt.as_deref() == Some("consent")) {
            Verdict::Granted => complete(&state, &req, &user.oid),
            Verdict::Ask(prompt) => {
                consent::record(&state, &req.app, &user.oid, &prompt, for_organization);
                tracing::info!(organization = for_organization && prompt.admin, "consent granted");
                complete(&state, &req, &user.oid)
            }
            // Only reachable by a hand-made POST: the page never offers Accept here.
            Verdict::NeedsAdmin(_) => declined(errors::admin_consent_required(&req.app.display_name)),
        },
        "return" => declined(errors::admin_consent_required(&req.app.display_name)),
        // Cancel, and anything unexpected, grants nothing.
        _ => declined(errors::consent_declined()),
    }
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
