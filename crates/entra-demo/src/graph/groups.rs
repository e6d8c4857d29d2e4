//! `/v1.0/groups` as a [`Resource`] (list, get, `$count` through the shared
//! `collection` machinery) and the group writes `POST /groups` and
//! `DELETE /groups/{id}`. Members are in `members`, membership writes in
//! `membership`, delta in `groups_delta`.
//!
//! `POST /groups` validates like Graph: `displayName`, `mailEnabled`,
//! `mailNickname` and `securityEnabled` are required (400
//! `Request_BadRequest` "A value is required for property '…' of resource
//! 'Group'."); `members@odata.bind` is honoured. A deleted Microsoft 365 group
//! goes to deleted items (delta: `@removed.reason` "changed"); any other group
//! is deleted for good ("deleted"), as in Entra.

use super::ctx::{Ctx, READ_GROUPS, WRITE_GROUPS};
use super::dates::graph_date;
use super::filter::{Field, FilterSpec};
use super::resource::{check_id, RenderCtx, Resource};
use super::GraphError;
use crate::inventory::{Group, Inventory, Member, Meta};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

impl Resource for Group {
    const SET: &'static str = "groups";
    const ODATA_TYPE: &'static str = "microsoft.graph.group";
    const RESOURCE: &'static str = "Group";
    const PROPS: &'static [&'static str] = &[
        "id", "deletedDateTime", "classification", "createdDateTime", "creationOptions", "description", "displayName",
        "expirationDateTime", "groupTypes", "isAssignableToRole", "mail", "mailEnabled", "mailNickname", "membershipRule",
        "membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
        "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "preferredDataLocation",
        "preferredLanguage", "proxyAddresses", "renewedDateTime", "resourceBehaviorOptions", "resourceProvisioningOptions",
        "securityEnabled", "securityIdentifier", "theme", "visibility", "onPremisesProvisioningErrors", "serviceProvisioningErrors",
    ];
    const FILTERS: &'static [FilterSpec] = &[
        ("id", &["eq", "ne", "in"]),
        ("displayName", &["eq", "ne", "ge", "le", "in", "startswith", "endswith", "null"]),
        ("mail", &["eq", "ne", "in", "startswith", "endswith", "null"]),
        ("mailNickname", &["eq", "ne", "in", "startswith", "endswith"]),
        ("mailEnabled", &["eq", "ne"]),
        ("securityEnabled", &["eq", "ne", "in"]),
        ("membershipRule", &["eq", "ne", "null"]),
        ("groupTypes", &["any"]),
        ("createdDateTime", &["eq", "ne", "ge", "le", "in", "null"]),
    ];
    const ORDERBY: &'static [&'static str] = &["displayName", "createdDateTime"];
    const SEARCH: &'static [&'static str] = &["displayName", "description", "mail", "mailNickname"];
    const READ: &'static [&'static str] = READ_GROUPS;
    const GONE_WITH_EMPTY_TOKEN: bool = true;

    fn all(inv: &Inventory) -> &[Self] {
        &inv.groups
    }
    fn find(inv: &Inventory, id: &str) -> Option<usize> {
        inv.group(id)
    }
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "id" => Field::Str(Some(&self.meta.id)),
            "displayName" => Field::Str(Some(&self.display_name)),
            "description" => Field::Str(self.description.as_deref()),
            "mail" => Field::Str(self.mail.as_deref()),
            "mailNickname" => Field::Str(Some(&self.mail_nickname)),
            "mailEnabled" => Field::Bool(self.mail_enabled),
            "securityEnabled" => Field::Bool(self.security_enabled),
            "membershipRule" => Field::Str(self.membership_rule.as_deref()),
            "groupTypes" => Field::List(self.group_types.iter().map(String::as_str).collect()),
            "createdDateTime" => Field::Date(self.meta.created),
            _ => Field::Str(None),
        }
    }
    fn prop(&self, name: &str, _r: &RenderCtx) -> Value {
        match name {
            "id" => self.meta.id.clone().into(),
            "deletedDateTime" => self.meta.removed.map(|(_, at)| graph_date(at)).into(),
            "createdDateTime" | "renewedDateTime" => graph_date(self.meta.created).into(),
            "creationOptions" | "resourceBehaviorOptions" | "resourceProvisioningOptions" | "onPremisesProvisioningErrors"
            | "serviceProvisioningErrors" => json!([]),
            "description" => json!(self.description),
            "displayName" => self.display_name.clone().into(),
            "groupTypes" => json!(self.group_types),
            "isAssignableToRole" => Value::Null,
            "mail" => json!(self.mail),
            "mailEnabled" => self.mail_enabled.into(),
            "mailNickname" => self.mail_nickname.clone().into(),
            "membershipRule" => json!(self.membership_rule),
            "membershipRuleProcessingState" => json!(self.membership_rule.as_ref().map(|_| "On")),
            "proxyAddresses" => match &self.mail {
                Some(mail) => json!([format!("SMTP:{mail}")]),
                None => json!([]),
            },
            "securityEnabled" => self.security_enabled.into(),
            "securityIdentifier" => security_identifier(&self.meta.id).into(),
            "visibility" => json!(self.visibility),
            _ => Value::Null,
        }
    }
}

/// A stable `S-1-12-1-…` SID derived from the object id, as Entra forms them.
fn security_identifier(id: &str) -> String {
    let bytes = uuid::Uuid::parse_str(id).map(|u| *u.as_bytes()).unwrap_or_default();
    let part = |k: usize| u32::from_le_bytes([bytes[k], bytes[k + 1], bytes[k + 2], bytes[k + 3]]);
    format!("S-1-12-1-{}-{}-{}-{}", part(0), part(4), part(8), part(12))
}

fn required(field: &str) -> GraphError {
    GraphError::bad_request("Request_BadRequest", format!("A value is required for property '{field}' of resource 'Group'."))
}

fn invalid(field: &str) -> GraphError {
    GraphError::bad_request("Request_BadRequest", format!("Invalid value specified for property '{field}' of resource 'Group'."))
}

/// The object id at the end of an `@odata.id`/`@odata.bind` URL (or a bare id).
pub fn id_of_reference(url: &str) -> Option<String> {
    let last = url.trim().trim_end_matches('/').rsplit('/').next()?;
    let last = last.trim_end_matches(')').rsplit('(').next()?.trim_matches('\'');
    uuid::Uuid::parse_str(last).ok().map(|u| u.to_string())
}

fn create(ctx: &Ctx, body: &[u8]) -> Result<Response, GraphError> {
    ctx.require(WRITE_GROUPS)?;
    let body: Value = serde_json::from_slice(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| GraphError::bad_request("BadRequest", "Empty Payload. JSON content expected."))?;
    let text = |field: &str| -> Result<String, GraphError> {
        match body.get(field) {
            None | Some(Value::Null) => Err(required(field)),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(_) => Err(invalid(field)),
        }
    };
    let flag = |field: &str| -> Result<bool, GraphError> {
        match body.get(field) {
            None | Some(Value::Null) => Err(required(field)),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(invalid(field)),
        }
    };
    let display_name = text("displayName")?;
    let mail_enabled = flag("mailEnabled")?;
    let mail_nickname = text("mailNickname")?;
    let security_enabled = flag("securityEnabled")?;
    if mail_nickname.len() > 64 || mail_nickname.chars().any(|c| c.is_whitespace() || "@()\\[]\";:<>,".contains(c)) {
        return Err(invalid("mailNickname"));
    }
    let group_types: Vec<String> = match body.get("groupTypes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(|t| t.as_str().map(str::to_string).ok_or_else(|| invalid("groupTypes"))).collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("groupTypes")),
    };
    let description = match body.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("description")),
    };
    let binds: Vec<String> = match body.get("members@odata.bind") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(|v| v.as_str().and_then(id_of_reference).ok_or_else(|| invalid("members@odata.bind"))).collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("members@odata.bind")),
    };
    let mut inv = ctx.state.inventory_mut();
    let mut members: Vec<Member> = Vec::new();
    for id in &binds {
        let m = inv.object(id).ok_or_else(|| GraphError::not_found(id))?;
        if !members.contains(&m) {
            members.push(m);
        }
    }
    let unified = group_types.iter().any(|t| t.eq_ignore_ascii_case("Unified"));
    let group = Group {
        meta: Meta { id: uuid::Uuid::new_v4().to_string(), created: ctx.state.clock.now(), changed: 0, removed: None, owners: Vec::new() },
        display_name,
        description,
        mail: mail_enabled.then(|| format!("{mail_nickname}@{}", crate::directory::DOMAIN)),
        mail_nickname,
        mail_enabled,
        security_enabled,
        visibility: unified.then_some("Public"),
        group_types,
        membership_rule: body.get("membershipRule").and_then(Value::as_str).map(str::to_string),
        members,
        log: Vec::new(),
        created_seq: 0,
    };
    let i = inv.insert_group(group);
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let mut out = super::collection::render(&inv.groups[i], None, None, &r);
    out["@odata.context"] = format!("{}/$metadata#groups/$entity", ctx.root()).into();
    Ok(ctx.graph.json(StatusCode::CREATED, out))
}

fn delete(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    ctx.require(WRITE_GROUPS)?;
    check_id(id)?;
    let now = ctx.state.clock.now();
    ctx.state.inventory_mut().delete_group(id, now).ok_or_else(|| GraphError::not_found(id))?;
    Ok(ctx.graph.no_content())
}

pub async fn post_group(ctx: Ctx, body: Bytes) -> Response {
    create(&ctx, &body).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn delete_group(ctx: Ctx, Path(id): Path<String>) -> Response {
    delete(&ctx, &id).unwrap_or_else(|e| ctx.fail(e))
}
