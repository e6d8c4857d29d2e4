//! The middleware of the Graph router: counts every request in the stats,
//! judges at arrival (before any injected latency) whether it is an early
//! retry, answers a claims challenge when the tenant requires an authentication
//! context the token lacks (`conditional_access`), then applies the tenant's
//! faults (latency, 429, 503, a lost answer: the request carried out and
//! answered 504) as decided by `faults` (only to the
//! requests `only_paths`/`only_methods` select), and records the client's
//! stay-away deadline when a 429/503 is delivered. The outer `$batch` request is
//! counted and judged but never faulted; its items are, one by one, and their
//! 429/503s count as delivered when the outer `$batch` answer is (see `faults`).
//!
//! Graph's throttling model (`throttling`), when on, charges each request that the
//! random faults let through (a random 429/503 did nothing, so it costs nothing),
//! after its latency and before a lost answer is taken (a lost answer was carried
//! out, so it is paid). A refused request is answered 429 and delivered like a random
//! one. Every answer of a request (faulted or not) carries its `x-ms-resource-unit`;
//! the outer `$batch` carries only `x-ms-throttle-limit-percentage`, when past 80 %.

use super::conditional_access;
use super::faults::{batch_retry_after, BatchItem, Caller, Decision};
use super::throttling::{self, Verdict};
use super::GraphRequest;
use crate::state::Shared;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

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

/// Who sent the request: its client app and, over HTTP/1 (one request at a time per
/// connection), its connection. HTTP/2 streams share a connection while in flight together,
/// so theirs is not told apart.
fn caller_of(request: &Request) -> Caller {
    let http1 = request.version() <= axum::http::Version::HTTP_11;
    let connection = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0).filter(|_| http1);
    Caller { client: client_of(request), connection }
}

/// The middleware of the Graph router: counts the request, applies faults, then charges it to
/// the throttling model (when on).
pub async fn layer(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let batch_item = request.extensions().get::<BatchItem>().is_some();
    let path = request.uri().path().strip_prefix("/v1.0").unwrap_or(request.uri().path()).to_string();
    state.stats.record(request.method().as_str(), &path);
    let caller = caller_of(&request);
    let client = caller.client.clone();
    // Judged at arrival, before the injected latency: a request that arrived before a 429 was
    // delivered is not early, however long it then waits here. Batch items arrive with their batch.
    let early = !batch_item && state.faults.early(&caller, &state.stats);
    // Conditional Access before any fault: a token without the required authentication context
    // is refused whatever the service's state (`conditional_access`).
    let settings = state.faults.settings();
    if let Some(context) = settings.require_auth_context.as_deref().filter(|_| settings.applies_to(request.method().as_str(), &path)) {
        if let Some(challenge) = conditional_access::check(&state, request.headers(), context).await {
            return challenge;
        }
    }
    if path == "/$batch" {
        let mut response = next.run(request).await;
        if let Some(used) = state.throttling.used(&client, Instant::now()) {
            throttling::decorate(response.headers_mut(), None, used);
        }
        return delivered_batch(&state, &caller, response).await;
    }
    let method = request.method().as_str().to_string();
    let cost = throttling::cost(&method, &path, request.uri().query());
    let latency = if settings.applies_to(&method, &path) { settings.latency_ms } else { 0 };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let graph = GraphRequest::from_headers(request.headers());
    let (mut response, retry_after) = match state.faults.decide(&method, &path, early, &state.stats) {
        Decision::Pass => {
            let used = match state.throttling.charge(&client, cost, Instant::now()) {
                Verdict::Off => None,
                Verdict::Paid { used, units } => {
                    state.stats.charged(units, cost.write_units);
                    Some(used)
                }
                Verdict::Refused { used, retry_after, limit } => {
                    state.stats.throttled_by_limit();
                    let mut response = graph.json(StatusCode::TOO_MANY_REQUESTS, throttled_body(&state, &graph));
                    throttling::refused(response.headers_mut(), limit, &client, &state.dir.tenant_id);
                    throttling::decorate(response.headers_mut(), Some(cost.resource_units), used);
                    return deliver(&state, &caller, batch_item, response, &retry_after.to_string());
                }
            };
            let mut response = if state.faults.take_lost_answer(&method, &path, &state.stats) {
                // Carried out in full (the handler has made its change when it returns), then the
                // answer is thrown away, as by a gateway that timed out waiting for it.
                drop(next.run(request).await);
                lost_answer(&state, &graph)
            } else {
                next.run(request).await
            };
            if let Some(used) = used {
                throttling::decorate(response.headers_mut(), Some(cost.resource_units), used);
            }
            return response;
        }
        Decision::Throttle(after) => (graph.json(StatusCode::TOO_MANY_REQUESTS, throttled_body(&state, &graph)), after),
        Decision::Unavailable(after) => {
            let response = graph.error(&state, StatusCode::SERVICE_UNAVAILABLE, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after the time in the Retry-After header.");
            (response, after)
        }
    };
    if let Some(used) = state.throttling.used(&client, Instant::now()) {
        throttling::decorate(response.headers_mut(), Some(cost.resource_units), used);
    }
    deliver(&state, &caller, batch_item, response, retry_after.as_str())
}

/// Sends a 429/503 with `Retry-After: retry_after` (seconds): delivered now (the latency is
/// over), so the client must stay away until it has passed; a batch item's answer is
/// delivered with its batch (`delivered_batch`).
fn deliver(state: &Shared, caller: &Caller, batch_item: bool, mut response: Response, retry_after: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(retry_after) {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    if !batch_item {
        state.faults.delivered(caller, retry_after.parse().unwrap_or(0.0));
    }
    response
}

/// The outer `$batch` answer is delivered now: its items' 429/503s start the client's
/// stay-away period (the largest of their `Retry-After`s).
async fn delivered_batch(state: &Shared, caller: &Caller, response: Response) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(after) = batch_retry_after(&bytes) {
        state.faults.delivered(caller, after);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// A 504 in Graph's error envelope, with the code and (empty) message Graph is observed to
/// send with it (see `faults`, "Lost answers").
fn lost_answer(state: &Shared, graph: &GraphRequest) -> Response {
    graph.error(state, StatusCode::GATEWAY_TIMEOUT, "UnknownError", "")
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
