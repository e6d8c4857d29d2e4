//! `PATCH /v1.0/applications/{id}` (also `applications(appId='…')`): updating an app
//! registration, as Graph's "Update application" documents it and as a set-up assistant does
//! to bring its own registration up to date (adding permissions, a redirect URI, public client
//! flows).
//!
//! - Body: any of the properties `POST /applications` takes (`app_create`), parsed and
//!   checked by the same code: `displayName`, `signInAudience`, `publicClient`/`spa`/`web`
//!   `{redirectUris}`, `isFallbackPublicClient`, `requiredResourceAccess`, `identifierUris`,
//!   `tags`, `notes`. Graph's update is partial: a property the body leaves out keeps its
//!   value, one it names is replaced whole (a collection such as `requiredResourceAccess` or
//!   `tags` by the one sent: to add a permission, send the old ones with it). `null` clears
//!   a collection or `notes` and turns `isFallbackPublicClient` off; `displayName: null` is
//!   400 "A value is required for property 'displayName' …" and `signInAudience: null` 400
//!   "Invalid value …". Other properties answer 400 as not emulated (`passwordCredentials`
//!   among them: Graph changes secrets only through addPassword/removePassword), unknown
//!   names OData's 400; an empty or non-object body is 400 as for a create.
//! - Checks as for a create, against the tenant: permission ids must be those Graph's service
//!   principal publishes, with the right `type`; an `identifierUris` value may not be another
//!   application's.
//! - Answer: 204 No Content, no body. The change takes the next sequence number, so the
//!   application shows in `/applications/delta` (and its sign-in sees the new redirect URIs
//!   and permissions at once: `oidc::clients` reads the inventory). An empty body `{}` changes
//!   nothing and answers 204. The service principal keeps its own name and settings, as
//!   Graph's service principal is a separate object updated by a PATCH of its own (not
//!   emulated).
//! - Who may: as for every write to an application (`credentials::authorize_write`): app-only
//!   `Application.ReadWrite.All`, an `Application.ReadWrite.OwnedBy` app that owns it, or a
//!   delegated caller with the permission who holds a directory role or owns it; else 403
//!   `Authorization_RequestDenied`. An unknown or deleted application is 404
//!   `Request_ResourceNotFound` before that.

use super::app_create::{check_identifier_uris, check_permissions, object_body, required, Changes};
use super::credentials::authorize_write;
use super::ctx::Ctx;
use super::resource::check_id;
use super::GraphError;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;

pub async fn patch_application(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    update(&ctx, &id, &body).unwrap_or_else(|e| ctx.fail(e))
}

/// `PATCH /applications/{id}` (also reached through `applications(appId='…')`).
pub fn update(ctx: &Ctx, id: &str, body: &[u8]) -> Result<Response, GraphError> {
    check_id(id)?;
    let changes = Changes::parse(&object_body(body)?)?;
    if changes.display_name == Some(None) {
        return Err(required("displayName", "Application"));
    }
    if changes.sign_in_audience == Some(None) {
        return Err(GraphError::bad_request("Request_BadRequest", "Invalid value specified for property 'signInAudience' of resource 'Application'."));
    }
    let mut inv = ctx.state.inventory_mut();
    let i = inv.app(id).ok_or_else(|| GraphError::not_found(id))?;
    authorize_write(ctx, &inv, &inv.apps[i].meta)?;
    if let Some(access) = &changes.required_resource_access {
        check_permissions(&inv, access)?;
    }
    if let Some(uris) = &changes.identifier_uris {
        check_identifier_uris(&inv, uris, Some(i))?;
    }
    if changes.is_empty() {
        return Ok(ctx.graph.no_content());
    }
    let seq = inv.next_seq();
    let app = &mut inv.apps[i];
    let Changes { display_name, sign_in_audience, public_client, spa, web, is_fallback_public_client, required_resource_access, identifier_uris, tags, notes } =
        changes;
    if let Some(Some(name)) = display_name {
        app.display_name = name;
    }
    if let Some(Some(audience)) = sign_in_audience {
        app.sign_in_audience = audience;
    }
    let set = |target: &mut Vec<String>, value: Option<Vec<String>>| {
        if let Some(value) = value {
            *target = value;
        }
    };
    set(&mut app.redirects.public_client, public_client);
    set(&mut app.redirects.spa, spa);
    set(&mut app.redirects.web, web);
    set(&mut app.identifier_uris, identifier_uris);
    set(&mut app.tags, tags);
    if let Some(fallback) = is_fallback_public_client {
        app.is_fallback_public_client = fallback;
    }
    if let Some(access) = required_resource_access {
        app.required_resource_access = access;
    }
    if let Some(notes) = notes {
        app.notes = notes;
    }
    app.meta.changed = seq;
    tracing::info!(application = %app.meta.id, "application updated through Graph");
    Ok(ctx.graph.no_content())
}
