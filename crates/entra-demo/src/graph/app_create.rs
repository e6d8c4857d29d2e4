//! `POST /v1.0/applications`: registering an application, as a set-up assistant
//! (`m365 setup`, PnP's registration command, ours) does. Its parsing of the properties
//! ([`Changes`]) and its checks against the tenant are shared with `PATCH
//! /applications/{id}` (`app_update`).
//!
//! - Body: `displayName` (required), `signInAudience` (default `AzureADMyOrg`; one of
//!   Graph's four values), `publicClient`/`spa`/`web` `{redirectUris}`,
//!   `isFallbackPublicClient`, `requiredResourceAccess`
//!   (`[{resourceAppId, resourceAccess:[{id, type:"Scope"|"Role"}]}]`), `identifierUris`,
//!   `tags`, `notes`. Other properties of an application answer 400 saying they are not
//!   emulated (rather than being dropped silently); `null` for any of them is accepted, and
//!   OData annotations (`@odata.type`) are ignored. A name that is no property of an
//!   application answers OData's 400 "The property '…' does not exist on type …".
//! - Validation as Entra does it: a missing `displayName` is 400 `Request_BadRequest`
//!   "A value is required for property 'displayName' of resource 'Application'."; a
//!   redirect URI must be absolute, at most 256 characters, and `http` only for
//!   `localhost`/`127.0.0.1` (REFERENCE §1); an `identifierUris` value already used by
//!   another application is refused. A `requiredResourceAccess` entry for a resource whose
//!   service principal publishes its permissions (Microsoft Graph) must name one of them
//!   with the right `type` (a delegated id as `Scope`, an application one as `Role`), else
//!   400 `Request_BadRequest` "Property requiredResourceAccess.resourceAccess is invalid."
//!   (the text Entra answers); ids for other resources are kept as sent, as Graph cannot
//!   check them either.
//! - Answer: 201 with the whole application (the shape of `GET /applications/{id}`, with
//!   `@odata.context …#applications/$entity`) and a `Location` header. Graph's `Location`
//!   names an internal `directoryObjects/{id}/Microsoft.DirectoryServices.Application` URL;
//!   the demo's is `{graph}/applications/{id}`, which it serves.
//! - Who may: delegated `Application.ReadWrite.All` (or `Directory.ReadWrite.All`,
//!   `Directory.AccessAsUser.All`), application `Application.ReadWrite.All` or
//!   `Application.ReadWrite.OwnedBy`; else 403 `Authorization_RequestDenied`. Any member
//!   may register applications: the demo tenant keeps Entra's default "Users can register
//!   applications: Yes", so no directory role is asked for (a tenant that turns it off
//!   wants Application Developer or an application administrator role; not emulated).
//! - The creator becomes an owner, as in Entra: the signed-in user, or for an app-only
//!   caller its service principal (which is what lets an `Application.ReadWrite.OwnedBy`
//!   app manage what it created). The new application shows in lists, `$count`, delta
//!   and `$filter=tags/any(t:t eq '…')` at once (the demo has no replication delay).

use super::credentials::bad_json;
use super::ctx::{Ctx, CREATE_APPS};
use super::resource::{RenderCtx, Resource};
use super::GraphError;
use crate::inventory::{Application, Inventory, Meta, OwnerRef, Redirects, ResourceAccess};
use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The sign-in audiences Graph accepts.
const AUDIENCES: &[&str] = &["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"];
/// Longest redirect URI Entra accepts (REFERENCE §1).
const MAX_URI: usize = 256;
/// Properties `POST /applications` stores.
const SUPPORTED: &[&str] =
    &["displayName", "signInAudience", "publicClient", "spa", "web", "isFallbackPublicClient", "requiredResourceAccess", "identifierUris", "tags", "notes"];

pub async fn post_application(ctx: Ctx, body: Bytes) -> Response {
    create(&ctx, &body).unwrap_or_else(|e| ctx.fail(e))
}

/// The request body as a JSON object (400 as Graph answers otherwise).
pub(super) fn object_body(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(GraphError::bad_request("BadRequest", "Empty Payload. JSON content expected."));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad_json()),
    }
}

/// Refuses a property the create does not store: OData's error for a name that is no property
/// of the type, "not emulated" for one that is (unless it is `null`, which changes nothing).
pub(super) fn check_other_property<R: Resource>(key: &str, value: &Value, supported: &[&str]) -> Result<(), GraphError> {
    if key.starts_with("@odata.") || supported.contains(&key) {
        return Ok(());
    }
    if !R::PROPS.contains(&key) {
        return Err(GraphError::bad_request(
            "BadRequest",
            format!("The property '{key}' does not exist on type '{}'. Make sure to only use property names that are defined by the type.", R::ODATA_TYPE),
        ));
    }
    if value.is_null() {
        return Ok(());
    }
    Err(GraphError::bad_request(
        "Request_BadRequest",
        format!("Setting the property '{key}' of resource '{}' is not emulated by the demo tenant: only {} are.", R::RESOURCE, supported.join(", ")),
    ))
}

pub(super) fn required(field: &str, resource: &str) -> GraphError {
    GraphError::bad_request("Request_BadRequest", format!("A value is required for property '{field}' of resource '{resource}'."))
}

fn invalid(field: &str) -> GraphError {
    GraphError::bad_request("Request_BadRequest", format!("Invalid value specified for property '{field}' of resource 'Application'."))
}

/// The application properties a body sets, validated on their own (the permission ids are
/// checked against the tenant in [`check_permissions`]): what `POST /applications` creates from
/// and `PATCH /applications/{id}` (`app_update`) changes. `None`: not in the body. A collection
/// or platform sent as `null` is empty, `isFallbackPublicClient: null` is false; `Some(None)`
/// is a `null` where the property is a single value (each write decides what that means).
#[derive(Debug, Default)]
pub(super) struct Changes {
    pub display_name: Option<Option<String>>,
    pub sign_in_audience: Option<Option<&'static str>>,
    pub public_client: Option<Vec<String>>,
    pub spa: Option<Vec<String>>,
    pub web: Option<Vec<String>>,
    pub is_fallback_public_client: Option<bool>,
    pub required_resource_access: Option<ResourceAccess>,
    pub identifier_uris: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub notes: Option<Option<String>>,
}

/// What `POST /applications` makes: [`Changes`] with Graph's defaults.
#[derive(Debug, Default)]
struct NewApplication {
    display_name: String,
    sign_in_audience: &'static str,
    redirects: Redirects,
    is_fallback_public_client: bool,
    required_resource_access: ResourceAccess,
    identifier_uris: Vec<String>,
    tags: Vec<String>,
    notes: Option<String>,
}

fn strings(value: &Value, field: &str) -> Result<Vec<String>, GraphError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.iter().map(|v| v.as_str().map(str::to_string).ok_or_else(|| invalid(field))).collect(),
        _ => Err(invalid(field)),
    }
}

fn guid(value: Option<&Value>, field: &str) -> Result<String, GraphError> {
    value.and_then(Value::as_str).and_then(|s| uuid::Uuid::parse_str(s).ok()).map(|u| u.to_string()).ok_or_else(|| invalid(field))
}

/// A redirect URI Entra would register: absolute, short enough, `http` only on loopback.
fn redirect_ok(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else { return false };
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1"));
    uri.len() <= MAX_URI && (url.scheme() != "http" || loopback) && !uri.contains('*')
}

/// `{platform: {redirectUris: [...]}}`; the platform's other settings are not emulated.
fn platform_uris(value: &Value, platform: &str) -> Result<Vec<String>, GraphError> {
    let field = format!("{platform}.redirectUris");
    let uris = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Object(settings) => {
            let mut uris = Vec::new();
            for (key, v) in settings {
                match key.as_str() {
                    "redirectUris" => uris = strings(v, &field)?,
                    k if k.starts_with("@odata.") || v.is_null() => {}
                    other => {
                        return Err(GraphError::bad_request(
                            "Request_BadRequest",
                            format!("Setting '{platform}.{other}' is not emulated by the demo tenant: only {platform}.redirectUris is."),
                        ))
                    }
                }
            }
            uris
        }
        _ => return Err(invalid(platform)),
    };
    if !uris.iter().all(|u| redirect_ok(u)) {
        return Err(invalid(&field));
    }
    Ok(uris)
}

fn resource_access(value: &Value) -> Result<ResourceAccess, GraphError> {
    const FIELD: &str = "requiredResourceAccess";
    let Value::Array(items) = value else {
        return if value.is_null() { Ok(Vec::new()) } else { Err(invalid(FIELD)) };
    };
    items
        .iter()
        .map(|item| {
            let resource = guid(item.get("resourceAppId"), FIELD)?;
            let access = match item.get("resourceAccess") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(access)) => access
                    .iter()
                    .map(|a| {
                        let id = guid(a.get("id"), FIELD)?;
                        let kind = match a.get("type").and_then(Value::as_str) {
                            Some(t) if t.eq_ignore_ascii_case("Scope") => "Scope",
                            Some(t) if t.eq_ignore_ascii_case("Role") => "Role",
                            _ => return Err(invalid(FIELD)),
                        };
                        Ok((Cow::Owned(id), kind))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(invalid(FIELD)),
            };
            Ok((Cow::Owned(resource), access))
        })
        .collect()
}

impl Changes {
    /// The properties `body` sets, each checked as Entra checks it; any other property is
    /// refused ([`check_other_property`]).
    pub fn parse(body: &Map<String, Value>) -> Result<Self, GraphError> {
        let mut c = Changes::default();
        for (key, value) in body {
            match key.as_str() {
                "displayName" => match value {
                    Value::String(s) if !s.trim().is_empty() => c.display_name = Some(Some(s.clone())),
                    Value::Null => c.display_name = Some(None),
                    _ => return Err(invalid("displayName")),
                },
                "signInAudience" => match value {
                    Value::Null => c.sign_in_audience = Some(None),
                    Value::String(s) => c.sign_in_audience = Some(Some(AUDIENCES.iter().copied().find(|a| a == s).ok_or_else(|| invalid("signInAudience"))?)),
                    _ => return Err(invalid("signInAudience")),
                },
                "publicClient" => c.public_client = Some(platform_uris(value, "publicClient")?),
                "spa" => c.spa = Some(platform_uris(value, "spa")?),
                "web" => c.web = Some(platform_uris(value, "web")?),
                "isFallbackPublicClient" => match value {
                    Value::Bool(b) => c.is_fallback_public_client = Some(*b),
                    Value::Null => c.is_fallback_public_client = Some(false),
                    _ => return Err(invalid("isFallbackPublicClient")),
                },
                "requiredResourceAccess" => c.required_resource_access = Some(resource_access(value)?),
                "identifierUris" => {
                    let uris = strings(value, "identifierUris")?;
                    if !uris.iter().all(|u| u.len() <= MAX_URI && url::Url::parse(u).is_ok()) {
                        return Err(invalid("identifierUris"));
                    }
                    c.identifier_uris = Some(uris);
                }
                "tags" => c.tags = Some(strings(value, "tags")?),
                "notes" => match value {
                    Value::String(s) => c.notes = Some(Some(s.clone())),
                    Value::Null => c.notes = Some(None),
                    _ => return Err(invalid("notes")),
                },
                other => check_other_property::<Application>(other, value, SUPPORTED)?,
            }
        }
        Ok(c)
    }

    /// Whether the body set nothing.
    pub fn is_empty(&self) -> bool {
        let Changes { display_name, sign_in_audience, public_client, spa, web, is_fallback_public_client, required_resource_access, identifier_uris, tags, notes } =
            self;
        display_name.is_none()
            && sign_in_audience.is_none()
            && public_client.is_none()
            && spa.is_none()
            && web.is_none()
            && is_fallback_public_client.is_none()
            && required_resource_access.is_none()
            && identifier_uris.is_none()
            && tags.is_none()
            && notes.is_none()
    }
}

impl NewApplication {
    /// A new application: `displayName` is required; the others default as Graph's do (a
    /// `null` is the default).
    fn parse(body: &Map<String, Value>) -> Result<Self, GraphError> {
        let c = Changes::parse(body)?;
        Ok(NewApplication {
            display_name: c.display_name.flatten().ok_or_else(|| required("displayName", "Application"))?,
            sign_in_audience: c.sign_in_audience.flatten().unwrap_or("AzureADMyOrg"),
            redirects: Redirects { public_client: c.public_client.unwrap_or_default(), spa: c.spa.unwrap_or_default(), web: c.web.unwrap_or_default() },
            is_fallback_public_client: c.is_fallback_public_client.unwrap_or(false),
            required_resource_access: c.required_resource_access.unwrap_or_default(),
            identifier_uris: c.identifier_uris.unwrap_or_default(),
            tags: c.tags.unwrap_or_default(),
            notes: c.notes.flatten(),
        })
    }
}

/// Permission ids for a resource that publishes its permissions in this tenant must be its own.
pub(super) fn check_permissions(inv: &Inventory, access: &ResourceAccess) -> Result<(), GraphError> {
    for (resource, wanted) in access {
        let Some(sp) = inv.sp_by_app_id(resource).map(|i| &inv.sps[i]) else { continue };
        if sp.scopes.is_empty() && sp.app_roles.is_empty() {
            continue;
        }
        let known = |(id, kind): &(Cow<'static, str>, &str)| match *kind {
            "Scope" => sp.scopes.iter().any(|p| p.id.eq_ignore_ascii_case(id)),
            _ => sp.app_roles.iter().any(|p| p.id.eq_ignore_ascii_case(id)),
        };
        if !wanted.iter().all(known) {
            return Err(GraphError::bad_request("Request_BadRequest", "Property requiredResourceAccess.resourceAccess is invalid."));
        }
    }
    Ok(())
}

/// An application ID URI must be unique in the tenant: 400 if another live application than
/// `except` (the one being changed) has one of `uris`.
pub(super) fn check_identifier_uris(inv: &Inventory, uris: &[String], except: Option<usize>) -> Result<(), GraphError> {
    let used_elsewhere = |u: &String| {
        inv.apps.iter().enumerate().any(|(i, a)| Some(i) != except && a.meta.removed.is_none() && a.identifier_uris.iter().any(|x| x.eq_ignore_ascii_case(u)))
    };
    match uris.iter().find(|u| used_elsewhere(u)) {
        Some(taken) => Err(GraphError::bad_request(
            "Request_BadRequest",
            format!("Another object with the same value for property identifierUris already exists: '{taken}'."),
        )),
        None => Ok(()),
    }
}

/// The caller as an owner of what it creates: the signed-in user, or the calling app's
/// service principal.
pub(super) fn creator(ctx: &Ctx, inv: &Inventory) -> Vec<OwnerRef> {
    let user = ctx.caller.user_oid.as_deref().and_then(|oid| inv.user_index.get(oid).or_else(|| inv.user_index.get(&oid.to_ascii_lowercase()))).map(|i| OwnerRef::User(*i));
    let sp = ctx.caller.sp_oid.as_deref().and_then(|oid| inv.sp(oid)).map(OwnerRef::Sp);
    user.or(sp).into_iter().collect()
}

/// A 201 with the new object, its `@odata.context` and a `Location`.
pub(super) fn created(ctx: &Ctx, set: &str, id: &str, mut body: Value) -> Response {
    body["@odata.context"] = format!("{}/$metadata#{set}/$entity", ctx.root()).into();
    let mut response = ctx.graph.json(StatusCode::CREATED, body);
    if let Ok(location) = HeaderValue::from_str(&format!("{}/{set}/{id}", ctx.root())) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn create(ctx: &Ctx, body: &[u8]) -> Result<Response, GraphError> {
    ctx.require(CREATE_APPS)?;
    let new = NewApplication::parse(&object_body(body)?)?;
    let now = ctx.state.clock.now();
    let mut inv = ctx.state.inventory_mut();
    check_permissions(&inv, &new.required_resource_access)?;
    check_identifier_uris(&inv, &new.identifier_uris, None)?;
    let id = uuid::Uuid::new_v4().to_string();
    let app = Application {
        meta: Meta { id: id.clone(), created: now, changed: 0, removed: None, owners: creator(ctx, &inv) },
        app_id: uuid::Uuid::new_v4().to_string(),
        display_name: new.display_name,
        sign_in_audience: new.sign_in_audience,
        identifier_uris: new.identifier_uris,
        redirects: new.redirects,
        is_fallback_public_client: new.is_fallback_public_client,
        required_resource_access: new.required_resource_access,
        passwords: Vec::new(),
        keys: Vec::new(),
        tags: new.tags,
        notes: new.notes,
    };
    let i = inv.insert_app(app);
    tracing::info!(application = %id, "application registered through Graph");
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let body = super::collection::render(&inv.apps[i], None, None, &r);
    drop(inv);
    Ok(created(ctx, Application::SET, &id, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<NewApplication, GraphError> {
        NewApplication::parse(v.as_object().unwrap())
    }

    #[test]
    fn what_m365_setup_sends_is_accepted() {
        let app = parse(json!({
            "@odata.type": "#microsoft.graph.application",
            "displayName": "Entra Desk",
            "signInAudience": "AzureADMyOrg",
            "isFallbackPublicClient": true,
            "publicClient": {"redirectUris": ["http://localhost", "https://localhost", "https://login.microsoftonline.com/common/oauth2/nativeclient", "ms-appx-web://Microsoft.AAD.BrokerPlugin/x"]},
            "requiredResourceAccess": [{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": [{"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"}]}],
            "tags": ["entra-desk"],
            "description": null,
        }))
        .unwrap();
        assert_eq!(app.display_name, "Entra Desk");
        assert!(app.is_fallback_public_client);
        assert_eq!(app.redirects.public_client.len(), 4);
        assert_eq!(app.required_resource_access[0].1, vec![(Cow::Borrowed("e1fe6dd8-ba31-4d61-89e7-88639da4683d"), "Scope")]);
        assert_eq!(parse(json!({"displayName": "x"})).unwrap().sign_in_audience, "AzureADMyOrg");
    }

    #[test]
    fn an_update_sees_what_the_body_names_and_its_nulls() {
        let c = |v: Value| Changes::parse(v.as_object().unwrap()).unwrap();
        assert!(c(json!({"@odata.type": "#microsoft.graph.application", "description": null})).is_empty());
        let named = c(json!({"notes": null, "tags": null, "isFallbackPublicClient": null, "displayName": null, "publicClient": {"redirectUris": ["http://localhost"]}}));
        assert_eq!((named.notes, named.tags, named.is_fallback_public_client, named.display_name), (Some(None), Some(vec![]), Some(false), Some(None)));
        assert_eq!(named.public_client, Some(vec!["http://localhost".to_string()]));
        assert!(named.required_resource_access.is_none() && named.sign_in_audience.is_none() && named.spa.is_none());
        let created = NewApplication::parse(json!({"displayName": "x", "notes": null, "signInAudience": null}).as_object().unwrap()).unwrap();
        assert_eq!((created.notes, created.sign_in_audience), (None, "AzureADMyOrg"), "a create takes null as the default");
    }

    #[test]
    fn bad_bodies_answer_like_graph() {
        let code = |v: Value| parse(v).unwrap_err();
        assert_eq!(code(json!({})).message, "A value is required for property 'displayName' of resource 'Application'.");
        assert_eq!(code(json!({"displayName": "  "})).code, "Request_BadRequest");
        assert_eq!(code(json!({"displayName": "x", "signInAudience": "Everyone"})).code, "Request_BadRequest");
        assert_eq!(code(json!({"displayName": "x", "web": {"redirectUris": ["http://example.com/cb"]}})).code, "Request_BadRequest");
        assert_eq!(code(json!({"displayName": "x", "spa": {"redirectUris": ["not a uri"]}})).code, "Request_BadRequest");
        assert_eq!(code(json!({"displayName": "x", "requiredResourceAccess": [{"resourceAppId": "graph"}]})).code, "Request_BadRequest");
        assert_eq!(code(json!({"displayName": "x", "requiredResourceAccess": [{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": [{"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Both"}]}]})).code, "Request_BadRequest");
        assert_eq!(code(json!({"displayName": "x", "colour": "blue"})).code, "BadRequest");
        assert!(code(json!({"displayName": "x", "appRoles": [{}]})).message.contains("not emulated"));
        assert!(code(json!({"displayName": "x", "web": {"homePageUrl": "https://x"}})).message.contains("not emulated"));
        assert!(object_body(b"  ").is_err() && object_body(b"[1]").is_err() && object_body(b"{").is_err());
        assert!(redirect_ok("http://127.0.0.1:8400/") && redirect_ok("msal1234://auth") && !redirect_ok(&format!("https://x/{}", "a".repeat(260))));
    }
}
