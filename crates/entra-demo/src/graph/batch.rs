//! `POST /v1.0/$batch`: JSON batching (concepts/json-batching.md).
//!
//! Up to 20 requests `{id, method, url (relative), headers?, body?, dependsOn?}`,
//! each run through this same Graph router with the outer `Authorization`
//! (so each item is authenticated, counted and faulted on its own: a
//! throttled item is `status: 429` with its own `Retry-After` inside a 200
//! batch). Answers `{responses:[{id,status,headers,body}]}` in request order.
//! While Graph's throttling model is on, each item is charged as its own request and
//! carries its own `x-ms-resource-unit` (and 429 headers) in `headers` (see `throttling`).
//! Without `dependsOn` the items run concurrently; with it they run in order
//! and a dependent of a failed (non-2xx) item gets 424 Failed Dependency.
//! Malformed batches (more than 20 requests, duplicate ids, a `dependsOn`
//! naming no earlier request, a body without `Content-Type`) answer 400.

use super::faults::BatchItem;
use super::{GraphError, GraphRequest};
use crate::state::Shared;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};
use tower::ServiceExt;

pub const MAX_REQUESTS: usize = 20;

struct Item {
    id: String,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    depends_on: Vec<String>,
}

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::bad_request("BadRequest", message)
}

fn parse(body: &[u8]) -> Result<Vec<Item>, GraphError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| bad("Invalid batch payload format: the body must be JSON {\"requests\":[…]}."))?;
    let requests = value.get("requests").and_then(Value::as_array).ok_or_else(|| bad("Invalid batch payload format: 'requests' is missing."))?;
    if requests.is_empty() {
        return Err(bad("Invalid batch payload format: 'requests' is empty."));
    }
    if requests.len() > MAX_REQUESTS {
        return Err(bad(format!("Number of batch requests ({}) exceeds the maximum of {MAX_REQUESTS}.", requests.len())));
    }
    let mut items: Vec<Item> = Vec::new();
    for r in requests {
        let id = match r.get("id") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(bad("Invalid batch payload format: every request needs an 'id'.")),
        };
        if items.iter().any(|i| i.id == id) {
            return Err(bad(format!("Batch request contains duplicate request id '{id}'.")));
        }
        let method = r
            .get("method")
            .and_then(Value::as_str)
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .ok_or_else(|| bad(format!("Invalid batch payload format: request '{id}' needs a 'method'.")))?;
        let url = r.get("url").and_then(Value::as_str).ok_or_else(|| bad(format!("Invalid batch payload format: request '{id}' needs a 'url'.")))?;
        if url.contains("://") {
            return Err(bad(format!("Request '{id}': the url must be relative to the version, as in /applications.")));
        }
        let headers: Vec<(String, String)> = r
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))).collect())
            .unwrap_or_default();
        let body = r.get("body").filter(|b| !b.is_null()).cloned();
        if body.is_some() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            return Err(bad(format!("Write request id : {id} does not contain Content-Type header or body.")));
        }
        let depends_on: Vec<String> = r
            .get("dependsOn")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|d| d.as_str().map(str::to_string).unwrap_or_else(|| d.to_string())).collect())
            .unwrap_or_default();
        if let Some(missing) = depends_on.iter().find(|d| !items.iter().any(|i| &i.id == *d)) {
            return Err(bad(format!("Request '{id}' depends on '{missing}', which is not an earlier request of the batch.")));
        }
        items.push(Item { id, method, url: url.to_string(), headers, body, depends_on });
    }
    Ok(items)
}

/// Runs one item through the Graph router; answers `{id,status,headers,body?}`.
async fn run(state: Shared, outer: HeaderMap, item: &Item) -> Value {
    let path = format!("/{}", item.url.trim_start_matches('/'));
    let mut builder = Request::builder().method(item.method.clone()).uri(&path);
    for (k, v) in &item.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            builder = builder.header(k, v);
        }
    }
    if let Some(auth) = outer.get(header::AUTHORIZATION) {
        builder = builder.header(header::AUTHORIZATION, auth.clone());
    }
    let body = item.body.as_ref().map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    let Ok(mut request) = builder.body(body) else {
        return json!({"id": item.id, "status": 400, "headers": {}, "body": {"error": {"code": "BadRequest", "message": "Invalid request in batch."}}});
    };
    request.extensions_mut().insert(BatchItem);
    let response = if path.trim_start_matches('/').starts_with("$batch") {
        let graph = GraphRequest::from_headers(request.headers());
        graph.error(&state, StatusCode::BAD_REQUEST, "BadRequest", "Nested batch requests are not supported.")
    } else {
        let router = super::router(state.clone()).with_state(state.clone());
        match router.oneshot(request).await {
            Ok(r) => r,
            Err(never) => match never {},
        }
    };
    to_json(&item.id, response).await
}

async fn to_json(id: &str, response: Response) -> Value {
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for (k, v) in response.headers() {
        if let Ok(v) = v.to_str() {
            headers.insert(canonical(k.as_str()), v.into());
        }
    }
    let json_body = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("json"));
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024).await.unwrap_or_default();
    let mut out = json!({"id": id, "status": status, "headers": headers});
    if !bytes.is_empty() {
        out["body"] = if json_body {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            String::from_utf8_lossy(&bytes).into_owned().into()
        };
    }
    out
}

/// `retry-after` → `Retry-After`, as Graph writes item headers; its own `x-ms-…` headers stay
/// in lower case (`x-ms-resource-unit`, as in json-batching.md's sample).
fn canonical(name: &str) -> String {
    match name {
        "odata-version" => "OData-Version".into(),
        _ if name.starts_with("x-ms-") => name.into(),
        _ => name
            .split('-')
            .map(|p| {
                let mut c = p.chars();
                c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

fn failed_dependency(state: &Shared, item: &Item, failed: &str) -> Value {
    let graph = GraphRequest::from_headers(&HeaderMap::new());
    json!({
        "id": item.id,
        "status": 424,
        "headers": {"Content-Type": "application/json"},
        "body": {"error": {
            "code": "FailedDependency",
            "message": format!("The request depends on request '{failed}', which failed."),
            "innerError": {"date": state.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string(), "request-id": graph.request_id, "client-request-id": graph.client_request_id}
        }}
    })
}

pub async fn batch(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let graph = GraphRequest::from_headers(&headers);
    let items = match parse(&body) {
        Ok(items) => items,
        Err(e) => return graph.fail(&state, e),
    };
    let mut responses: Vec<Value> = Vec::with_capacity(items.len());
    if items.iter().all(|i| i.depends_on.is_empty()) {
        let items = std::sync::Arc::new(items);
        let mut set = tokio::task::JoinSet::new();
        for k in 0..items.len() {
            let (state, headers, items) = (state.clone(), headers.clone(), items.clone());
            set.spawn(async move { (k, run(state, headers, &items[k]).await) });
        }
        let mut done: Vec<(usize, Value)> = Vec::new();
        while let Some(Ok(pair)) = set.join_next().await {
            done.push(pair);
        }
        done.sort_by_key(|(k, _)| *k);
        responses.extend(done.into_iter().map(|(_, v)| v));
    } else {
        for item in &items {
            let failed = item.depends_on.iter().find(|d| {
                responses.iter().any(|r| r["id"] == d.as_str() && !(200..300).contains(&r["status"].as_u64().unwrap_or(0)))
            });
            let answer = match failed {
                Some(f) => failed_dependency(&state, item, f),
                None => run(state.clone(), headers.clone(), item).await,
            };
            responses.push(answer);
        }
    }
    graph.ok(json!({ "responses": responses }))
}
