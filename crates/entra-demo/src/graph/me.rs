//! `GET /v1.0/me`: the signed-in user's default properties. Needs a
//! delegated token; app-only tokens get Graph's 400 `BadRequest`.

use super::auth::authenticate;
use super::GraphRequest;
use crate::directory::User;
use crate::state::Shared;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// Permissions that allow reading the signed-in user.
const READ_ME: &[&str] = &["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];

/// A user's default Graph properties.
pub fn user_json(user: &User) -> serde_json::Value {
    serde_json::json!({
        "businessPhones": user.business_phones,
        "displayName": user.display_name,
        "givenName": user.given_name,
        "jobTitle": user.job_title,
        "mail": user.mail,
        "mobilePhone": user.mobile_phone,
        "officeLocation": user.office_location,
        "preferredLanguage": user.preferred_language,
        "surname": user.surname,
        "userPrincipalName": user.upn,
        "id": user.oid,
    })
}

pub async fn get_me(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let graph = GraphRequest::from_headers(&headers);
    let caller = match authenticate(&state, &graph, &headers).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let Some(oid) = caller.user_oid.as_deref() else {
        return graph.error(&state, StatusCode::BAD_REQUEST, "BadRequest", "/me request is only valid with delegated authentication flow.");
    };
    if !caller.has_any(READ_ME) {
        return graph.error(&state, StatusCode::FORBIDDEN, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    }
    let Some(user) = state.dir.user_by_oid(oid) else {
        return graph.error(
            &state,
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!("Resource '{oid}' does not exist or one of its queried reference-property objects are not present."),
        );
    };
    let mut body = user_json(user);
    body["@odata.context"] = format!("{}/v1.0/$metadata#users/$entity", state.base).into();
    graph.ok(body)
}
