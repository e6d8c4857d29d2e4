//! The Microsoft Graph v1.0 side of the emulator, mounted at `/v1.0`.
//!
//! This module owns the router, Graph's response headers and its error
//! envelope; each resource lives in its own module (`me`, `organization`;
//! later `applications`, `groups`, …) and authenticates through [`auth`].

mod auth;
mod me;
mod organization;
mod userinfo;

pub use userinfo::userinfo;

use crate::state::Shared;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/me", get(me::get_me))
        .route("/organization", get(organization::list))
        .fallback(unknown_route)
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
        let mut response = axum::Json(body).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"),
        );
        self.decorate(response)
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
    let graph = GraphRequest::from_headers(request.headers());
    let path = request.uri().path();
    let segment = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    graph.error(
        &state,
        StatusCode::BAD_REQUEST,
        "BadRequest",
        &format!(
            "Resource not found for the segment '{segment}'. (The demo tenant serves GET /v1.0/me and GET /v1.0/organization; {} {path} is not emulated.)",
            request.method()
        ),
    )
}
