//! passwordCredential and keyCredential JSON, and `addPassword` /
//! `removePassword` on applications and service principals.
//!
//! - addPassword: body `{"passwordCredential":{"displayName"?,"startDateTime"?,
//!   "endDateTime"?}}` (the whole body may be `{}`) → 200 with
//!   `@odata.context …#microsoft.graph.passwordCredential`, a new `keyId`, the
//!   `secretText` (Entra's 40-character `xxx8Q~…` form, from the OS RNG) and
//!   `hint` = its first three characters; start defaults to now and end to
//!   start + 2 years. The secret is never stored, only its SHA-256 and the time
//!   it starts to work at the token endpoint (now + the propagation delay; see
//!   `oidc::clients`): lists return `secretText: null`.
//! - removePassword: `{"keyId":"…"}` → 204; an unknown keyId → 400
//!   `Request_BadRequest` (see the crate's Choices).
//! - Writes need `Application.ReadWrite.All` (or `Directory.ReadWrite.All`,
//!   `Directory.AccessAsUser.All`), or `Application.ReadWrite.OwnedBy` when the
//!   calling app's service principal owns the object; a delegated caller must
//!   also hold a directory role or own the object ([`authorize_write`], which
//!   deletes use too).

use super::dates::graph_date;
use super::resource::{check_id, Resource};
use super::ctx::{Ctx, WRITE_APPS};
use super::GraphError;
use crate::inventory::{Application, Inventory, KeyCred, Meta, OwnerRef, PasswordCred, SecretCheck, ServicePrincipal};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub fn password_json(p: &PasswordCred) -> Value {
    json!({
        "customKeyIdentifier": p.custom_key_identifier,
        "displayName": p.display_name,
        "endDateTime": graph_date(p.end),
        "hint": if p.hint.is_empty() { Value::Null } else { p.hint.clone().into() },
        "keyId": p.key_id,
        "secretText": null,
        "startDateTime": graph_date(p.start),
    })
}

pub fn key_json(k: &KeyCred, with_key: bool) -> Value {
    let mut v = json!({
        "customKeyIdentifier": k.custom_key_identifier,
        "displayName": k.display_name,
        "endDateTime": graph_date(k.end),
        "keyId": k.key_id,
        "startDateTime": graph_date(k.start),
        "type": "AsymmetricX509Cert",
        "usage": k.usage,
        "key": null,
    });
    if with_key {
        v["key"] = json!(k.key);
    }
    v
}

/// Objects with password credentials.
pub trait Credentialed: Resource {
    fn all_mut(inv: &mut Inventory) -> &mut [Self];
    fn passwords(&self) -> &[PasswordCred];
    fn passwords_mut(&mut self) -> &mut Vec<PasswordCred>;
    fn meta_mut(&mut self) -> &mut Meta;
}

impl Credentialed for Application {
    fn all_mut(inv: &mut Inventory) -> &mut [Self] {
        &mut inv.apps
    }
    fn passwords(&self) -> &[PasswordCred] {
        &self.passwords
    }
    fn passwords_mut(&mut self) -> &mut Vec<PasswordCred> {
        &mut self.passwords
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
}

impl Credentialed for ServicePrincipal {
    fn all_mut(inv: &mut Inventory) -> &mut [Self] {
        &mut inv.sps
    }
    fn passwords(&self) -> &[PasswordCred] {
        &self.passwords
    }
    fn passwords_mut(&mut self) -> &mut Vec<PasswordCred> {
        &mut self.passwords
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
}

/// 403 unless the caller may change this application or service principal (addPassword,
/// removePassword, delete): the one check every application and service-principal write makes.
///
/// - App-only: `Application.ReadWrite.All` (or `Directory.ReadWrite.All`) on any object;
///   `Application.ReadWrite.OwnedBy` on objects whose owners include the calling app's
///   service principal.
/// - Delegated: the permission (`Application.ReadWrite.All`, `Directory.ReadWrite.All` or
///   `Directory.AccessAsUser.All`) only lets the app do what the signed-in user may do, so the
///   user must also hold a directory role that manages applications ([`Ctx::signed_in_admin`])
///   or be an owner of the object; otherwise Entra answers 403 `Authorization_RequestDenied`.
pub fn authorize_write(ctx: &Ctx, inv: &Inventory, meta: &Meta) -> Result<(), GraphError> {
    let owns = meta.owners.iter().any(|o| match o {
        OwnerRef::User(i) => ctx.caller.user_oid.as_deref().is_some_and(|u| ctx.state.dir.users.get(*i).is_some_and(|user| user.oid.eq_ignore_ascii_case(u))),
        OwnerRef::Sp(i) => ctx.caller.sp_oid.as_deref().is_some_and(|s| inv.sps.get(*i).is_some_and(|sp| sp.meta.id.eq_ignore_ascii_case(s))),
    });
    let delegated = ctx.caller.user_oid.is_some();
    let allowed = if ctx.caller.has_any(WRITE_APPS) {
        !delegated || ctx.signed_in_admin() || owns
    } else {
        ctx.caller.has_any(&["Application.ReadWrite.OwnedBy"]) && owns
    };
    if allowed {
        Ok(())
    } else {
        Err(GraphError::denied())
    }
}

pub(super) fn bad_json() -> GraphError {
    GraphError::bad_request(
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    )
}

fn date(v: &Value, name: &str) -> Result<Option<DateTime<Utc>>, GraphError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| GraphError::bad_request("BadRequest", format!("Cannot convert the literal '{s}' to the expected type 'Edm.DateTimeOffset'."))),
        Some(_) => Err(bad_json()),
    }
}

/// Entra's client-secret form: three characters, `8Q~`, 34 more.
fn new_secret() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~";
    let mut rng = rand::thread_rng();
    let mut pick = |n: usize| -> String { (0..n).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect() };
    format!("{}8Q~{}", pick(3), pick(34))
}

pub(super) fn parse_body(body: &[u8]) -> Result<Value, GraphError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice::<Value>(body).ok().filter(Value::is_object).ok_or_else(bad_json)
}

pub fn add_password<R: Credentialed>(ctx: &Ctx, id: &str, body: &[u8]) -> Result<Response, GraphError> {
    check_id(id)?;
    let body = parse_body(body)?;
    let cred = match body.get("passwordCredential") {
        None | Some(Value::Null) => json!({}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(bad_json()),
    };
    let now = ctx.state.clock.now();
    let start = date(&cred, "startDateTime")?.unwrap_or(now);
    let end = date(&cred, "endDateTime")?.unwrap_or(start + Duration::days(730));
    if end <= start {
        return Err(GraphError::bad_request("Request_BadRequest", "The passwordCredential's endDateTime must be later than its startDateTime."));
    }
    let display_name = cred.get("displayName").and_then(Value::as_str).map(str::to_string);
    let secret = new_secret();
    // A delay past the end of time means "never", not a panic.
    let usable_from = Duration::from_std(ctx.state.secret_propagation()).ok().and_then(|d| now.checked_add_signed(d)).unwrap_or(DateTime::<Utc>::MAX_UTC);
    let created = PasswordCred {
        key_id: uuid::Uuid::new_v4().to_string(),
        display_name,
        hint: secret.chars().take(3).collect(),
        start,
        end,
        custom_key_identifier: None,
        secret: Some(SecretCheck { sha256: Sha256::digest(secret.as_bytes()).into(), usable_from }),
    };
    {
        let mut inv = ctx.state.inventory_mut();
        let i = R::find(&inv, id).ok_or_else(|| GraphError::not_found(id))?;
        authorize_write(ctx, &inv, R::all(&inv)[i].meta())?;
        let seq = inv.next_seq();
        let object = &mut R::all_mut(&mut inv)[i];
        object.passwords_mut().push(created.clone());
        object.meta_mut().changed = seq;
    }
    let mut out = password_json(&created);
    out["secretText"] = secret.into();
    out["@odata.context"] = format!("{}/$metadata#microsoft.graph.passwordCredential", ctx.root()).into();
    Ok(ctx.graph.ok(out))
}

pub fn remove_password<R: Credentialed>(ctx: &Ctx, id: &str, body: &[u8]) -> Result<Response, GraphError> {
    check_id(id)?;
    let body = parse_body(body)?;
    let key_id = match body.get("keyId").and_then(Value::as_str) {
        Some(k) if uuid::Uuid::parse_str(k).is_ok() => k.to_string(),
        Some(k) => return Err(GraphError::bad_request("BadRequest", format!("Cannot convert the literal '{k}' to the expected type 'Edm.Guid'."))),
        None => return Err(GraphError::bad_request("BadRequest", "The keyId parameter is missing: send {\"keyId\":\"<guid>\"}.")),
    };
    let mut inv = ctx.state.inventory_mut();
    let i = R::find(&inv, id).ok_or_else(|| GraphError::not_found(id))?;
    authorize_write(ctx, &inv, R::all(&inv)[i].meta())?;
    let Some(k) = R::all(&inv)[i].passwords().iter().position(|p| p.key_id.eq_ignore_ascii_case(&key_id)) else {
        return Err(GraphError::bad_request("Request_BadRequest", format!("No password credential with keyId '{key_id}' exists on object '{id}'.")));
    };
    let seq = inv.next_seq();
    let object = &mut R::all_mut(&mut inv)[i];
    object.passwords_mut().remove(k);
    object.meta_mut().changed = seq;
    Ok(ctx.graph.no_content())
}
