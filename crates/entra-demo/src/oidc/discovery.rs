//! OpenID Connect discovery (v2 and v1), the JWKS and MSAL's instance
//! discovery, shaped like Entra's documents (REFERENCE.md §2).

use crate::directory::Directory;
use crate::oidc::errors;
use crate::state::Shared;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::HashMap;

/// `Cache-Control: max-age=86400, private` and `Access-Control-Allow-Origin: *`, as Entra sends.
fn cacheable(value: serde_json::Value) -> Response {
    let mut response = Json(value).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=86400, private"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

/// Discovery of an unknown tenant: Entra answers 400 with `invalid_tenant`.
fn unknown_tenant(state: &Shared, tenant: &str, headers: &HeaderMap) -> Response {
    let ctx = state.error_ctx(headers);
    let mut body = errors::tenant_not_found(tenant).body(&ctx);
    body["error"] = "invalid_tenant".into();
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The `{tenant}` segment used in endpoint URLs: the path as asked for
/// common/organizations, else the tenant GUID (Entra resolves domains to the GUID).
fn endpoint_tenant<'a>(state: &'a Shared, tenant: &'a str) -> &'a str {
    if Directory::is_multi_tenant_alias(tenant) {
        tenant
    } else {
        &state.dir.tenant_id
    }
}

pub async fn openid_configuration_v2(State(state): State<Shared>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    if !state.dir.knows_tenant(&tenant) {
        return unknown_tenant(&state, &tenant, &headers);
    }
    let base = &state.base;
    let t = endpoint_tenant(&state, &tenant);
    let multi = Directory::is_multi_tenant_alias(&tenant);
    let issuer = if multi { format!("{base}/{{tenantid}}/v2.0") } else { state.issuer() };
    let mut document = serde_json::json!({
        "token_endpoint": format!("{base}/{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid",
            "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{base}/{t}/kerberos"),
        "tenant_region_scope": if multi { serde_json::Value::Null } else { "WW".into() },
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    });
    // Entra's published document lists no prompt values; a strict provider does (see DemoOptions::prompt_values).
    if let Some(values) = &state.prompt_values {
        document["prompt_values_supported"] = values.clone().into();
    }
    cacheable(document)
}

/// The v1 document (issuer `{base}/{tid}/` standing in for `https://sts.windows.net/{tid}/`).
pub async fn openid_configuration_v1(State(state): State<Shared>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    if !state.dir.knows_tenant(&tenant) {
        return unknown_tenant(&state, &tenant, &headers);
    }
    let base = &state.base;
    let t = endpoint_tenant(&state, &tenant);
    let tid = if Directory::is_multi_tenant_alias(&tenant) { "{tenantid}" } else { state.dir.tenant_id.as_str() };
    cacheable(serde_json::json!({
        "token_endpoint": format!("{base}/{t}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{t}/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": format!("{base}/{tid}/"),
        "microsoft_multi_refresh_token": true,
        "authorization_endpoint": format!("{base}/{t}/oauth2/authorize"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name",
            "family_name", "nickname"],
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    }))
}

/// The JWKS: the previous (if any), current and next signing keys.
pub async fn jwks(State(state): State<Shared>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    if !state.dir.knows_tenant(&tenant) {
        return unknown_tenant(&state, &tenant, &headers);
    }
    let keys = match state.published_keys().await {
        Ok(keys) => keys,
        Err(err) => {
            let ctx = state.error_ctx(&headers);
            return errors::server_error(&format!("{err:#}")).into_token_response(&ctx);
        }
    };
    let issuer = format!("{}/{{tenantid}}/v2.0", state.base);
    let keys: Vec<_> = keys
        .iter()
        .map(|k| {
            serde_json::json!({
                "kty": "RSA",
                "use": "sig",
                "kid": k.x5t,
                "x5t": k.x5t,
                "n": k.n,
                "e": k.e,
                "x5c": [STANDARD.encode(&k.cert_der)],
                "issuer": issuer,
            })
        })
        .collect();
    cacheable(serde_json::json!({ "keys": keys }))
}

/// MSAL's instance discovery (`/common/discovery/instance`), answered for our host.
pub async fn instance(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !state.dir.knows_tenant(&tenant) {
        return unknown_tenant(&state, &tenant, &headers);
    }
    // MSAL passes the authorize endpoint it will use; answer with its tenant's document.
    let asked_tenant = query
        .get("authorization_endpoint")
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.path_segments().and_then(|mut s| s.next().map(str::to_string)))
        .filter(|t| state.dir.knows_tenant(t))
        .unwrap_or_else(|| state.dir.tenant_id.clone());
    let host = state.base.split("://").nth(1).unwrap_or_default().to_string();
    cacheable(serde_json::json!({
        "tenant_discovery_endpoint": format!("{}/{asked_tenant}/v2.0/.well-known/openid-configuration", state.base),
        "api-version": "1.1",
        "metadata": [{ "preferred_network": host, "preferred_cache": host, "aliases": [host] }],
    }))
}
