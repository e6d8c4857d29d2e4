//! The middleware of the Graph router: counts every request in the stats,
//! then applies the tenant's faults (latency, 429, 503) as decided by
//! `faults`. The outer `$batch` request is counted and checked for an early
//! retry but never faulted; its items are, one by one.

use super::faults::{BatchItem, Decision};
use super::GraphRequest;
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// The calling app, read (unverified) from the bearer token: `azp` or `appid`.
fn client_of(request: &Request) -> String {
    use base64::Engine;
    let claims = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_whitespace().nth(1))
        .and_then(|t| t.split('.').nth(1))
        .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    claims
        .and_then(|c| c.get("azp").or_else(|| c.get("appid")).and_then(|v| v.as_str()).map(str::to_string))
        .unwrap_or_else(|| "anonymous".to_string())
}

/// The middleware of the Graph router: counts the request, then applies faults.
pub async fn layer(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let batch_item = request.extensions().get::<BatchItem>().is_some();
    let path = request.uri().path().strip_prefix("/v1.0").unwrap_or(request.uri().path()).to_string();
    state.stats.record(request.method().as_str(), &path);
    let client = client_of(&request);
    if path == "/$batch" {
        state.faults.early(&client, &state.stats);
        return next.run(request).await;
    }
    let latency = state.faults.settings().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let graph = GraphRequest::from_headers(request.headers());
    let (status, retry_after, body) = match state.faults.decide(&client, batch_item, &state.stats) {
        Decision::Pass => return next.run(request).await,
        Decision::Throttle(after) => (StatusCode::TOO_MANY_REQUESTS, after, throttled_body(&state, &graph)),
        Decision::Unavailable(after) => {
            let mut response = graph.error(&state, StatusCode::SERVICE_UNAVAILABLE, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after the time in the Retry-After header.");
            if let Ok(v) = HeaderValue::from_str(after.as_str()) {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            return response;
        }
    };
    let mut response = graph.json(status, body);
    if let Ok(v) = HeaderValue::from_str(retry_after.as_str()) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    response.into_response()
}

/// Graph's 429 body (concepts/throttling.md), with `client-request-id` too.
fn throttled_body(state: &Shared, graph: &GraphRequest) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "code": "TooManyRequests",
            "message": "Please retry again later.",
            "innerError": {
                "code": "429",
                "date": state.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "message": "Please retry after",
                "request-id": graph.request_id,
                "client-request-id": graph.client_request_id,
                "status": "429"
            }
        }
    })
}
