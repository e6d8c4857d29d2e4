//! `/_emulator/<token>`: the control routes of a running tenant (not Graph, never faulted),
//! behind this run's secret (`emulator_token`, which says why). A request under `/_emulator`
//! without the right token answers 404, changes nothing and echoes nothing (its path holds a
//! token, right or wrong). The address clients are given, `DemoInfo::emulator`, ends with the
//! token, so they write `{emulator}/faults`.
//!
//! Under `{emulator}`:
//! - `GET {emulator}/faults` → the current [`Faults`]; `POST` with a partial JSON body
//!   (`{"throttle_fraction":0.2,"retry_after":"1.5",…}`) changes them and answers the new
//!   settings (400 `{"error":…}` for a bad value); `{"expire_delta_tokens":true}` makes every
//!   delta link answer 410 Gone; `{"only_paths":["removePassword"],"throttle_fraction":0.5}`
//!   throttles only the requests whose path contains `removePassword` (`only_methods`
//!   likewise); `{"lose_answers":1,"only_paths":["addPassword"]}` carries out the next
//!   addPassword and answers 504 instead of its result; `{"require_auth_context":"c1"}` makes
//!   Graph answer a person's token without that authentication context 401 with a claims
//!   challenge (`conditional_access`; `null` lifts it). Beside the faults, the same
//!   JSON carries Graph's throttling model (`throttling`): `"graph_throttling": true|false`
//!   and `"graph_throttling_limit": n|null` (resource units per 10 s per app; `null`: by
//!   tenant size); changing either refills the model's buckets.
//! - `GET {emulator}/stats` → `{total, requests:{"GET /v1.0/applications":n,…}, throttled,
//!   unavailable, early_retries, lost_answers, resource_units, write_units,
//!   throttled_by_limit}`; `POST {emulator}/stats/reset` zeroes them.

use super::faults::{Faults, FaultsPatch};
use super::throttling;
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

/// The prefix of every control route; the token is the next segment.
pub const PREFIX: &str = "/_emulator";

pub fn router(state: Shared) -> Router<Shared> {
    Router::new()
        .route("/_emulator/{token}/faults", get(get_faults).post(set_faults))
        .route("/_emulator/{token}/stats", get(stats))
        .route("/_emulator/{token}/stats/reset", post(reset))
        // `route_layer`: only requests that matched a route above reach the guard; anything
        // else under `/_emulator` falls to the server's catch-all, which answers the same 404.
        .route_layer(axum::middleware::from_fn_with_state(state, guard))
}

/// Lets a request through only with this run's token as the segment after `/_emulator`.
async fn guard(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let token = request.uri().path().strip_prefix("/_emulator/").and_then(|rest| rest.split('/').next()).unwrap_or_default();
    if state.emulator_token.matches(token) {
        next.run(request).await
    } else {
        not_found()
    }
}

/// The answer to any request under `/_emulator` that is not a control route with the right
/// token. It does not echo the path: the path holds a token (right or wrong).
pub fn not_found() -> Response {
    let body = serde_json::json!({
        "error": "not_found",
        "error_description": "No such emulator route. The control routes are under the `emulator` address the demo tenant published at start (its DemoInfo): it carries this run's token.",
    });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// What `GET`/`POST {emulator}/faults` answer: the random faults and the throttling model.
#[derive(serde::Serialize)]
struct FaultsView {
    #[serde(flatten)]
    faults: Faults,
    #[serde(flatten)]
    throttling: throttling::Settings,
}

async fn get_faults(State(state): State<Shared>) -> Json<FaultsView> {
    Json(FaultsView { faults: state.faults.settings(), throttling: state.throttling.settings() })
}

async fn set_faults(State(state): State<Shared>, body: Bytes) -> Response {
    let bad = |m: String| (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": m }))).into_response();
    let patch: FaultsPatch = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return bad(format!("invalid faults: {e}")),
    };
    let throttling = patch.throttling(state.throttling.settings());
    let faults = state.faults.settings().apply(patch);
    if let Err(m) = faults.validate().and_then(|()| throttling.validate()) {
        return bad(m);
    }
    state.faults.set(faults.clone());
    state.throttling.set(throttling);
    Json(FaultsView { faults, throttling }).into_response()
}

async fn stats(State(state): State<Shared>) -> Response {
    Json(state.stats.snapshot()).into_response()
}

async fn reset(State(state): State<Shared>) -> Response {
    state.stats.reset();
    Json(state.stats.snapshot()).into_response()
}
