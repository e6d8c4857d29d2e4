//! The Microsoft Graph v1.0 side of the emulator, mounted at `/v1.0`.
//!
//! This module owns the router, Graph's response headers and its error
//! envelope; each resource lives in its own module and authenticates through
//! [`auth`] (the [`ctx::Ctx`] extractor does it for the newer ones).
//!
//! - `me`, `organization`, `userinfo`: the signed-in user and the tenant.
//! - `applications`, `service_principals`: the two directory collections
//!   (each a `resource::Resource`), routed through the generic `handlers` to
//!   the shared list machinery in `collection` (with `query`, `filter` and
//!   `paging`), their `owners` and `credentials` (add/removePassword, and the
//!   one write check `credentials::authorize_write`), and `delta`; `dates` has
//!   Graph's date-time form. Registering an app: `app_create` (`POST
//!   /applications`), `app_update` (`PATCH /applications/{id}`, with the same
//!   parsing) and `sp_writes` (`POST /servicePrincipals`, `DELETE
//!   /servicePrincipals/{id}`).
//! - `groups`, `users`: `/groups` and `/users` as resources of the same
//!   machinery, with `POST /groups` and `DELETE /groups/{id}`; `user_writes`
//!   (`PATCH /users/{id}` `passwordProfile`, `revokeSignInSessions`); `members`
//!   (members, transitiveMembers, memberOf, transitiveMemberOf, getByIds),
//!   `membership` (`members/$ref` add and remove) and `groups_delta`
//!   (`/groups/delta` with `members@delta`; `/users/delta` is `delta`).
//! - `batch`: JSON batching through this same router.
//! - `functions`: the long spellings of bound functions and actions
//!   (`microsoft.graph.delta()`, …), rewritten to the short form before routing.
//! - `faults`, `stats`: fault injection and request counts, applied to every
//!   request by `middleware` (the `/_emulator` control routes are in `emulator`,
//!   behind the per-run secret of `emulator_token`); `throttling`: Graph's
//!   resource-unit buckets per app, their costs and headers, charged by `middleware`;
//!   `conditional_access`: the claims challenge for a token without the authentication
//!   context a Conditional Access requirement (a fault setting) wants, also applied by `middleware`.

mod app_create;
mod app_update;
mod applications;
mod auth;
mod batch;
mod collection;
pub mod conditional_access;
mod credentials;
mod ctx;
mod dates;
mod delta;
pub mod emulator;
pub mod emulator_token;
pub mod faults;
mod filter;
mod functions;
mod groups;
mod groups_delta;
mod handlers;
mod me;
mod members;
mod membership;
mod middleware;
mod organization;
mod owners;
mod paging;
mod query;
mod resource;
mod service_principals;
mod sp_writes;
pub mod stats;
pub mod throttling;
mod user_writes;
mod userinfo;
mod users;

pub use userinfo::userinfo;

use crate::state::Shared;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;

/// The Graph router: every request's path first has its function or action
/// segment put in the short form ([`functions`]), then is routed by [`routes`].
/// The rewrite must wrap the routes: a `Router::layer` runs after routing.
pub fn router(state: Shared) -> Router<Shared> {
    let routes = routes(state.clone()).with_state(state);
    Router::new().fallback_service(tower::ServiceBuilder::new().map_request(functions::normalise).service(routes))
}

fn routes(state: Shared) -> Router<Shared> {
    use crate::inventory::{Application as App, Group, Person, ServicePrincipal as Sp};
    use applications as apps;
    use handlers as h;
    Router::new()
        .route("/me", get(me::get_me))
        .route("/organization", get(organization::list))
        .route("/applications", get(h::list::<App>).post(app_create::post_application))
        .route("/applications/$count", get(h::count::<App>))
        .route("/applications/delta", get(h::delta::<App>))
        .route("/applications/{id}", get(h::get::<App>).delete(apps::delete).patch(app_update::patch_application))
        .route("/applications/{id}/owners", get(h::owners::<App>))
        .route("/applications/{id}/addPassword", post(h::add_password::<App>))
        .route("/applications/{id}/removePassword", post(h::remove_password::<App>))
        .route("/servicePrincipals", get(h::list::<Sp>).post(sp_writes::post_service_principal))
        .route("/servicePrincipals/$count", get(h::count::<Sp>))
        .route("/servicePrincipals/delta", get(h::delta::<Sp>))
        .route("/servicePrincipals/{id}", get(h::get::<Sp>).delete(sp_writes::delete_service_principal))
        .route("/servicePrincipals/{id}/owners", get(h::owners::<Sp>))
        .route("/servicePrincipals/{id}/addPassword", post(h::add_password::<Sp>))
        .route("/servicePrincipals/{id}/removePassword", post(h::remove_password::<Sp>))
        .route("/directory/deletedItems/{id}", delete(apps::purge))
        .route("/groups", get(h::list::<Group>).post(groups::post_group))
        .route("/groups/$count", get(h::count::<Group>))
        .route("/groups/delta", get(groups_delta::delta))
        .route("/groups/{id}", get(h::get::<Group>).delete(groups::delete_group))
        .route("/groups/{id}/members", get(members::members))
        .route("/groups/{id}/members/$ref", post(membership::add_ref))
        .route("/groups/{id}/members/{member}/$ref", delete(membership::remove_ref))
        .route("/groups/{id}/transitiveMembers", get(members::transitive_members))
        .route("/users", get(h::list::<Person>))
        .route("/users/$count", get(h::count::<Person>))
        .route("/users/delta", get(h::delta::<Person>))
        .route("/users/{id}", get(h::get::<Person>).patch(user_writes::patch_user))
        .route("/users/{id}/revokeSignInSessions", post(user_writes::revoke_sign_in_sessions))
        .route("/users/{id}/memberOf", get(members::user_member_of))
        .route("/users/{id}/transitiveMemberOf", get(members::user_transitive_member_of))
        .route("/directoryObjects/getByIds", post(members::directory_objects_by_ids))
        .route("/{key}", get(apps::alternate_get).delete(apps::alternate_delete).patch(apps::alternate_patch))
        .route("/{key}/{action}", get(apps::alternate_get_action).post(apps::alternate_post_action))
        .route("/$batch", post(batch::batch))
        .fallback(unknown_route)
        .layer(axum::middleware::from_fn_with_state(state, middleware::layer))
}

/// A Graph error before it becomes a response: status, code, message.
#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }
    pub fn denied() -> Self {
        Self::new(StatusCode::FORBIDDEN, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    }
}

/// Per-request ids Graph reports: `request-id` (new) and `client-request-id`
/// (the client's, echoed, or a new one).
#[derive(Debug, Clone)]
pub struct GraphRequest {
    pub request_id: String,
    pub client_request_id: String,
}

impl GraphRequest {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128)
            .map(str::to_string)
            .unwrap_or_else(|| request_id.clone());
        Self { request_id, client_request_id }
    }

    fn decorate(&self, mut response: Response) -> Response {
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            headers.insert("request-id", v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.client_request_id) {
            headers.insert("client-request-id", v);
        }
        headers.insert("odata-version", HeaderValue::from_static("4.0"));
        headers.insert(
            "x-ms-ags-diagnostic",
            HeaderValue::from_static(r#"{"ServerInfo":{"DataCenter":"Local","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"entra-demo"}}"#),
        );
        response
    }

    /// A 200 JSON response with Graph's headers.
    pub fn ok(&self, body: serde_json::Value) -> Response {
        self.json(StatusCode::OK, body)
    }

    /// A JSON response with Graph's headers.
    pub fn json(&self, status: StatusCode, body: serde_json::Value) -> Response {
        let mut response = (status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"),
        );
        self.decorate(response)
    }

    /// 204 No Content with Graph's headers.
    pub fn no_content(&self) -> Response {
        self.decorate(StatusCode::NO_CONTENT.into_response())
    }

    /// A `text/plain` body (the `/$count` segment).
    pub fn text(&self, body: String) -> Response {
        let mut response = body.into_response();
        response.headers_mut().insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        self.decorate(response)
    }

    pub fn fail(&self, state: &Shared, err: GraphError) -> Response {
        self.error(state, err.status, err.code, &err.message)
    }

    /// Graph's error envelope: `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`.
    pub fn error(&self, state: &Shared, status: StatusCode, code: &str, message: &str) -> Response {
        let body = serde_json::json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": state.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": self.request_id,
                    "client-request-id": self.client_request_id,
                }
            }
        });
        self.decorate((status, axum::Json(body)).into_response())
    }
}

/// An unknown Graph path: 400 `BadRequest` naming the segment, as Graph does.
async fn unknown_route(axum::extract::State(state): axum::extract::State<Shared>, request: Request) -> Response {
    unknown(&state, request.method().as_str(), request.uri().path(), request.headers())
}

pub(crate) fn unknown(state: &Shared, method: &str, path: &str, headers: &HeaderMap) -> Response {
    let graph = GraphRequest::from_headers(headers);
    let segment = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    graph.error(
        state,
        StatusCode::BAD_REQUEST,
        "BadRequest",
        &format!(
            "Resource not found for the segment '{segment}'. (The demo tenant serves /me, /organization, /applications (with POST, PATCH and DELETE) and /servicePrincipals (with POST and DELETE), /groups (with members, transitiveMembers, members/$ref and delta), /users (with memberOf, transitiveMemberOf, delta, PATCH of passwordProfile and revokeSignInSessions), /directoryObjects/getByIds and /$batch; {method} {path} is not emulated.)"
        ),
    )
}
