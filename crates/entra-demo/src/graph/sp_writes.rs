//! `POST /v1.0/servicePrincipals` and `DELETE /v1.0/servicePrincipals/{id}` (also
//! `servicePrincipals(appId='…')`): the second step of registering an app, and undoing it.
//!
//! - Create: body `{"appId": "…"}` (other service-principal properties answer 400 as not
//!   emulated, `null` and OData annotations aside). It makes the service principal of an
//!   application of this tenant, named and configured after it (the shape every service
//!   principal of the inventory has), and answers 201 with it, `@odata.context
//!   …#servicePrincipals/$entity` and a `Location`. Errors as Entra answers them: no
//!   `appId` → 400 "A value is required for property 'appId' …"; a service principal for
//!   that appId already → 409 `Request_MultipleObjectsWithSameKeyValue` "The service
//!   principal cannot be created, updated, or restored because the service principal name
//!   {appId} is already in use." (Microsoft Graph's own appId included); no application
//!   with that appId in the tenant → 400 `Request_BadRequest` "The appId '{appId}' of the
//!   service principal does not reference a valid application object." (Multi-tenant
//!   applications of other tenants are not emulated: there are none.)
//! - Who may: the create permissions of `app_create` and, like any change to the
//!   application, the right to change that application (`credentials::authorize_write`:
//!   app-only `Application.ReadWrite.All`, an `Application.ReadWrite.OwnedBy` app that owns
//!   it, or a delegated caller who holds a directory role or owns it). The creator becomes
//!   an owner of the service principal; Microsoft documents this for
//!   `Application.ReadWrite.OwnedBy` ("apps that this app creates or owns") and the demo
//!   does the same for every caller.
//! - Delete: 204; the service principal goes to deleted items (restorable in Entra;
//!   `DELETE /directory/deletedItems/{id}` purges it) and leaves its groups; the
//!   application stays. Same rights as any write to it (`credentials::authorize_write`).
//!   Microsoft's first-party service principals may be deleted too, as in Entra.

use super::app_create::{check_other_property, created, creator, object_body, required};
use super::credentials::authorize_write;
use super::ctx::{Ctx, CREATE_APPS};
use super::resource::{check_id, RenderCtx, Resource};
use super::GraphError;
use crate::inventory::ServicePrincipal;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

pub async fn post_service_principal(ctx: Ctx, body: Bytes) -> Response {
    create(&ctx, &body).unwrap_or_else(|e| ctx.fail(e))
}

pub async fn delete_service_principal(ctx: Ctx, Path(id): Path<String>) -> Response {
    remove(&ctx, &id).unwrap_or_else(|e| ctx.fail(e))
}

fn no_application(app_id: &str) -> GraphError {
    GraphError::bad_request("Request_BadRequest", format!("The appId '{app_id}' of the service principal does not reference a valid application object."))
}

fn create(ctx: &Ctx, body: &[u8]) -> Result<Response, GraphError> {
    ctx.require(CREATE_APPS)?;
    let body = object_body(body)?;
    let mut app_id = None;
    for (key, value) in &body {
        match (key.as_str(), value) {
            ("appId", Value::String(s)) => app_id = Some(s.trim().to_string()),
            ("appId", Value::Null) => {}
            ("appId", _) => return Err(no_application(&value.to_string())),
            (other, value) => check_other_property::<ServicePrincipal>(other, value, &["appId"])?,
        }
    }
    let app_id = app_id.filter(|a| !a.is_empty()).ok_or_else(|| required("appId", "ServicePrincipal"))?;
    let now = ctx.state.clock.now();
    let mut inv = ctx.state.inventory_mut();
    if inv.sp_by_app_id(&app_id).is_some() {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            format!("The service principal cannot be created, updated, or restored because the service principal name {app_id} is already in use."),
        ));
    }
    let app = inv.app_by_app_id(&app_id).ok_or_else(|| no_application(&app_id))?;
    authorize_write(ctx, &inv, &inv.apps[app].meta)?;
    let id = uuid::Uuid::new_v4().to_string();
    let owners = creator(ctx, &inv);
    let sp = inv.service_principal_for(app, id.clone(), now, &ctx.state.dir.tenant_id, owners);
    let i = inv.insert_sp(sp);
    tracing::info!(service_principal = %id, "service principal created through Graph");
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let body = super::collection::render(&inv.sps[i], None, None, &r);
    drop(inv);
    Ok(created(ctx, ServicePrincipal::SET, &id, body))
}

/// `DELETE /servicePrincipals/{id}` (also reached through `servicePrincipals(appId='…')`).
pub fn remove(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    check_id(id)?;
    let now = ctx.state.clock.now();
    let mut inv = ctx.state.inventory_mut();
    let i = inv.sp(id).ok_or_else(|| GraphError::not_found(id))?;
    authorize_write(ctx, &inv, &inv.sps[i].meta)?;
    inv.remove_sp(i, now);
    Ok(ctx.graph.no_content())
}
