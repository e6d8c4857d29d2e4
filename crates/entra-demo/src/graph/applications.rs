//! `/v1.0/applications`: list, get (also by `applications(appId='…')`),
//! `$count`, delta, owners, addPassword/removePassword, update (`app_update`,
//! also by `(appId='…')`) and delete (soft, into
//! deleted items; `DELETE /directory/deletedItems/{id}` purges an application
//! or a service principal). The routes both collections share are served by the
//! generic `handlers`; this module has delete/purge and the `(appId='…')`
//! alternate-key dispatch, and the work is in `collection`, `owners`,
//! `credentials` and `delta`; creating one is `app_create`, changing one `app_update`.
//!
//! Deleting an application also deletes its service principal (both go to
//! deleted items and leave their groups), as Entra does for an app registration in
//! its home tenant; purging the application leaves the service principal in deleted
//! items. Deletes need the permission and, for a delegated caller, a directory role
//! or ownership (`credentials::authorize_write`).

use super::credentials::{self, key_json, password_json};
use super::ctx::Ctx;
use super::dates::graph_date;
use super::filter::{Field, FilterSpec};
use super::resource::{check_id, RenderCtx, Resource};
use super::{collection, owners, GraphError};
use crate::inventory::{Application, Inventory, Meta, Removal, ServicePrincipal as ServicePrincipals};
use crate::state::Shared;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::Method;
use axum::response::Response;
use serde_json::{json, Value};

impl Resource for Application {
    const SET: &'static str = "applications";
    const ODATA_TYPE: &'static str = "microsoft.graph.application";
    const RESOURCE: &'static str = "Application";
    const PROPS: &'static [&'static str] = &[
        "id", "deletedDateTime", "appId", "applicationTemplateId", "disabledByMicrosoftStatus", "createdDateTime",
        "displayName", "description", "groupMembershipClaims", "identifierUris", "isDeviceOnlyAuthSupported",
        "isFallbackPublicClient", "nativeAuthenticationApisEnabled", "notes", "publisherDomain",
        "serviceManagementReference", "signInAudience", "tags", "tokenEncryptionKeyId", "uniqueName", "samlMetadataUrl",
        "defaultRedirectUri", "certification", "optionalClaims", "requestSignatureVerification", "addIns", "api",
        "appRoles", "info", "keyCredentials", "parentalControlSettings", "passwordCredentials", "publicClient",
        "requiredResourceAccess", "verifiedPublisher", "web", "spa",
    ];
    const FILTERS: &'static [FilterSpec] = &[
        ("id", &["eq", "ne", "in"]),
        ("appId", &["eq", "in"]),
        ("displayName", &["eq", "ne", "ge", "le", "in", "startswith", "null"]),
        ("createdDateTime", &["eq", "ne", "ge", "le", "in", "null"]),
        ("signInAudience", &["eq", "ne"]),
        ("publisherDomain", &["eq", "ne", "in", "startswith"]),
        ("identifierUris", &["any"]),
        ("tags", &["any"]),
    ];
    const ORDERBY: &'static [&'static str] = &["displayName", "createdDateTime"];
    const SEARCH: &'static [&'static str] = &["displayName"];

    fn all(inv: &Inventory) -> &[Self] {
        &inv.apps
    }
    fn find(inv: &Inventory, id: &str) -> Option<usize> {
        inv.app(id)
    }
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "id" => Field::Str(Some(&self.meta.id)),
            "appId" => Field::Str(Some(&self.app_id)),
            "displayName" => Field::Str(Some(&self.display_name)),
            "createdDateTime" => Field::Date(self.meta.created),
            "signInAudience" => Field::Str(Some(self.sign_in_audience)),
            "publisherDomain" => Field::Str(Some(crate::directory::DOMAIN)),
            "identifierUris" => Field::List(self.identifier_uris.iter().map(String::as_str).collect()),
            "tags" => Field::List(self.tags.iter().map(String::as_str).collect()),
            _ => Field::Str(None),
        }
    }
    fn prop(&self, name: &str, r: &RenderCtx) -> Value {
        match name {
            "id" => self.meta.id.clone().into(),
            "appId" => self.app_id.clone().into(),
            "createdDateTime" => graph_date(self.meta.created).into(),
            "displayName" => self.display_name.clone().into(),
            "identifierUris" => json!(self.identifier_uris),
            "isFallbackPublicClient" => self.is_fallback_public_client.into(),
            "notes" => json!(self.notes),
            "publisherDomain" => crate::directory::DOMAIN.into(),
            "signInAudience" => self.sign_in_audience.into(),
            "tags" => json!(self.tags),
            "addIns" | "appRoles" => json!([]),
            "api" => json!({
                "acceptMappedClaims": null, "knownClientApplications": [], "requestedAccessTokenVersion": 2,
                "oauth2PermissionScopes": [], "preAuthorizedApplications": []
            }),
            "info" => json!({"logoUrl": null, "marketingUrl": null, "privacyStatementUrl": null, "supportUrl": null, "termsOfServiceUrl": null}),
            "keyCredentials" => self.keys.iter().map(|k| key_json(k, r.with_key)).collect(),
            "passwordCredentials" => self.passwords.iter().map(password_json).collect(),
            "parentalControlSettings" => json!({"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"}),
            "publicClient" => json!({"redirectUris": self.redirects.public_client}),
            "spa" => json!({"redirectUris": self.redirects.spa}),
            "web" => json!({
                "homePageUrl": null, "logoutUrl": null, "redirectUris": self.redirects.web,
                "implicitGrantSettings": {"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false},
                "redirectUriSettings": self.redirects.web.iter().map(|u| json!({"uri": u, "index": null})).collect::<Vec<_>>()
            }),
            "requiredResourceAccess" => self
                .required_resource_access
                .iter()
                .map(|(res, access)| json!({"resourceAppId": res, "resourceAccess": access.iter().map(|(id, t)| json!({"id": id, "type": t})).collect::<Vec<_>>()}))
                .collect(),
            "verifiedPublisher" => json!({"displayName": null, "verifiedPublisherId": null, "addedDateTime": null}),
            _ => Value::Null,
        }
    }
}

pub async fn delete(ctx: Ctx, Path(id): Path<String>) -> Response {
    remove(&ctx, &id, Removal::Changed).unwrap_or_else(|e| ctx.fail(e))
}
/// `DELETE /directory/deletedItems/{id}`: purge a soft-deleted application.
pub async fn purge(ctx: Ctx, Path(id): Path<String>) -> Response {
    remove(&ctx, &id, Removal::Deleted).unwrap_or_else(|e| ctx.fail(e))
}

fn remove(ctx: &Ctx, id: &str, how: Removal) -> Result<Response, GraphError> {
    check_id(id)?;
    let now = ctx.state.clock.now();
    let mut inv = ctx.state.inventory_mut();
    if how == Removal::Changed {
        let i = inv.app(id).ok_or_else(|| GraphError::not_found(id))?;
        credentials::authorize_write(ctx, &inv, &inv.apps[i].meta)?;
        // Its service principal goes with it, as in Entra.
        inv.remove_app(i, now);
        return Ok(ctx.graph.no_content());
    }
    // Purging: an application or a service principal in deleted items.
    let in_deleted_items = |m: &Meta| m.removed.is_some_and(|(r, _)| r == Removal::Changed);
    let app = inv.app_any(id).filter(|&i| in_deleted_items(&inv.apps[i].meta));
    let sp = inv.sp_any(id).filter(|&i| in_deleted_items(&inv.sps[i].meta));
    match (app, sp) {
        (Some(i), _) => credentials::authorize_write(ctx, &inv, &inv.apps[i].meta)?,
        (None, Some(i)) => credentials::authorize_write(ctx, &inv, &inv.sps[i].meta)?,
        (None, None) => return Err(GraphError::not_found(id)),
    }
    let seq = inv.next_seq();
    let meta = match (app, sp) {
        (Some(i), _) => &mut inv.apps[i].meta,
        (None, Some(i)) => &mut inv.sps[i].meta,
        (None, None) => return Err(GraphError::not_found(id)),
    };
    meta.removed = Some((Removal::Deleted, now));
    meta.changed = seq;
    Ok(ctx.graph.no_content())
}

/// `applications(appId='…')` or `servicePrincipals(appId='…')` → (set, appId).
fn parse_alternate(key: &str) -> Option<(&'static str, String)> {
    let (set, rest) = key.split_once('(')?;
    let set = ["applications", "servicePrincipals"].into_iter().find(|s| s.eq_ignore_ascii_case(set))?;
    let value = rest.strip_suffix(')')?;
    let (name, value) = value.split_once('=')?;
    if !name.trim().eq_ignore_ascii_case("appId") {
        return None;
    }
    Some((set, value.trim().trim_matches(|c| c == '\'' || c == '"').to_string()))
}

/// Resolves the alternate key to the object id.
fn resolve(ctx: &Ctx, set: &str, app_id: &str) -> Result<String, GraphError> {
    let inv = ctx.state.inventory();
    let found = if set == "applications" {
        inv.app_by_app_id(app_id).map(|i| inv.apps[i].meta.id.clone())
    } else {
        inv.sp_by_app_id(app_id).map(|i| inv.sps[i].meta.id.clone())
    };
    found.ok_or_else(|| GraphError::not_found(app_id))
}

async fn dispatch(state: Shared, method: Method, uri: Uri, headers: HeaderMap, key: String, action: Option<String>, body: Bytes) -> Response {
    let path = format!("/{key}{}", action.as_deref().map(|a| format!("/{a}")).unwrap_or_default());
    let Some((set, app_id)) = parse_alternate(&key) else {
        return super::unknown(&state, method.as_str(), &path, &headers);
    };
    let ctx = match Ctx::build(state, headers, uri.query().unwrap_or_default()).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    let id = match resolve(&ctx, set, &app_id) {
        Ok(id) => id,
        Err(e) => return ctx.fail(e),
    };
    let apps = set == "applications";
    let result = match (method.as_str(), action.as_deref()) {
        ("GET", None) if apps => collection::get::<Application>(&ctx, &id),
        ("GET", None) => collection::get::<ServicePrincipals>(&ctx, &id),
        ("DELETE", None) if apps => remove(&ctx, &id, Removal::Changed),
        ("DELETE", None) => super::sp_writes::remove(&ctx, &id),
        ("PATCH", None) if apps => super::app_update::update(&ctx, &id, &body),
        ("GET", Some("owners")) if apps => owners::list::<Application>(&ctx, &id),
        ("GET", Some("owners")) => owners::list::<ServicePrincipals>(&ctx, &id),
        ("POST", Some("addPassword")) if apps => credentials::add_password::<Application>(&ctx, &id, &body),
        ("POST", Some("addPassword")) => credentials::add_password::<ServicePrincipals>(&ctx, &id, &body),
        ("POST", Some("removePassword")) if apps => credentials::remove_password::<Application>(&ctx, &id, &body),
        ("POST", Some("removePassword")) => credentials::remove_password::<ServicePrincipals>(&ctx, &id, &body),
        _ => return super::unknown(&ctx.state, method.as_str(), &path, &ctx.headers),
    };
    result.unwrap_or_else(|e| ctx.fail(e))
}

pub async fn alternate_get(State(state): State<Shared>, uri: Uri, headers: HeaderMap, Path(key): Path<String>) -> Response {
    dispatch(state, Method::GET, uri, headers, key, None, Bytes::new()).await
}
pub async fn alternate_delete(State(state): State<Shared>, uri: Uri, headers: HeaderMap, Path(key): Path<String>) -> Response {
    dispatch(state, Method::DELETE, uri, headers, key, None, Bytes::new()).await
}
pub async fn alternate_patch(State(state): State<Shared>, uri: Uri, headers: HeaderMap, Path(key): Path<String>, body: Bytes) -> Response {
    dispatch(state, Method::PATCH, uri, headers, key, None, body).await
}
pub async fn alternate_get_action(State(state): State<Shared>, uri: Uri, headers: HeaderMap, Path((key, action)): Path<(String, String)>) -> Response {
    dispatch(state, Method::GET, uri, headers, key, Some(action), Bytes::new()).await
}
pub async fn alternate_post_action(
    State(state): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    Path((key, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    dispatch(state, Method::POST, uri, headers, key, Some(action), body).await
}
