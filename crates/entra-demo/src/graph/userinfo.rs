//! `GET /oidc/userinfo`: the OIDC UserInfo endpoint that Entra's discovery
//! document points at (Graph's `https://graph.microsoft.com/oidc/userinfo`).
//! Served at the emulator's root, like the real one is outside `/v1.0`.

use super::auth::authenticate;
use super::GraphRequest;
use crate::state::Shared;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

pub async fn userinfo(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let graph = GraphRequest::from_headers(&headers);
    let caller = match authenticate(&state, &graph, &headers).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let user = caller.user_oid.as_deref().and_then(|oid| state.dir.user_by_oid(oid));
    let (Some(user), Some(sub)) = (user, caller.sub) else {
        return graph.error(&state, StatusCode::BAD_REQUEST, "BadRequest", "The userinfo endpoint needs a delegated token.");
    };
    graph.ok(serde_json::json!({
        "sub": sub,
        "name": user.display_name,
        "family_name": user.surname,
        "given_name": user.given_name,
        "email": user.mail,
    }))
}
