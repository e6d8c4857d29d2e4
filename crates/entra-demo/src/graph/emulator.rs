//! `/_emulator`: the control routes of a running tenant (not Graph, never
//! faulted, no authentication: the tenant listens on loopback).
//!
//! - `GET /_emulator/faults` → the current [`Faults`]; `POST` with a partial
//!   JSON body (`{"throttle_fraction":0.2,"retry_after":"1.5",…}`) changes them
//!   and answers the new settings (400 `{"error":…}` for a bad value);
//!   `{"expire_delta_tokens":true}` makes every delta link answer 410 Gone;
//!   `{"only_paths":["removePassword"],"throttle_fraction":0.5}` throttles only
//!   the requests whose path contains `removePassword` (`only_methods` likewise).
//! - `GET /_emulator/stats` → `{total, requests:{"GET /v1.0/applications":n,…},
//!   throttled, unavailable, early_retries}`; `POST /_emulator/stats/reset` zeroes them.

use super::faults::{Faults, FaultsPatch};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/_emulator/faults", get(get_faults).post(set_faults))
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/stats/reset", post(reset))
}

async fn get_faults(State(state): State<Shared>) -> Json<Faults> {
    Json(state.faults.settings())
}

async fn set_faults(State(state): State<Shared>, body: Bytes) -> Response {
    let bad = |m: String| (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": m }))).into_response();
    let patch: FaultsPatch = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return bad(format!("invalid faults: {e}")),
    };
    let faults = state.faults.settings().apply(patch);
    if let Err(m) = faults.validate() {
        return bad(m);
    }
    state.faults.set(faults.clone());
    Json(faults).into_response()
}

async fn stats(State(state): State<Shared>) -> Response {
    Json(state.stats.snapshot()).into_response()
}

async fn reset(State(state): State<Shared>) -> Response {
    state.stats.reset();
    Json(state.stats.snapshot()).into_response()
}
