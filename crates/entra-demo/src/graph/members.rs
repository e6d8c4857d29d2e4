//! Membership reads, all collections of directoryObjects (each item tagged
//! with `@odata.type`): `GET /groups/{id}/members`, `/groups/{id}/transitiveMembers`,
//! `/users/{id}/memberOf`, `/users/{id}/transitiveMemberOf`, and
//! `POST /directoryObjects/getByIds`.
//!
//! They take `$select` (any property of a user, group, service principal or
//! device; an unknown one is 400 on `microsoft.graph.directoryObject`),
//! `$top` (1–999, default 100), skip-token paging and `$count=true` with
//! `ConsistencyLevel: eventual`. `$filter`, `$search`, `$orderby` and casts
//! are not emulated on these (400 `Request_UnsupportedQuery` saying so).
//! Transitive lists walk breadth first and name each object once, so the
//! seeded cycle ends; a group is not listed as its own transitive member.
//! Order: direct members in the order they were added, then each level.

use super::ctx::{Ctx, READ_GROUPS, READ_USERS};
use super::paging::{self, ListCursor};
use super::query::{no_property, Query};
use super::resource::{check_id, RenderCtx, Resource};
use super::GraphError;
use crate::inventory::{Application, Group, Inventory, Member, Person, ServicePrincipal};
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use serde_json::{Map, Value};

/// Device properties (api/resources/device.md, the common ones).
const DEVICE_PROPS: &[&str] = &[
    "id", "deletedDateTime", "accountEnabled", "approximateLastSignInDateTime", "deviceId", "displayName", "isCompliant",
    "isManaged", "operatingSystem", "operatingSystemVersion", "trustType",
];

/// Most ids `getByIds` takes in one request.
pub const MAX_IDS: usize = 1000;

/// `$select` on directoryObjects: any property of any member type.
fn resolve_select(names: &[String]) -> Result<Vec<&'static str>, GraphError> {
    let all = || Person::PROPS.iter().chain(Group::PROPS).chain(ServicePrincipal::PROPS).chain(DEVICE_PROPS).chain(Application::PROPS);
    names.iter().map(|n| all().copied().find(|p| p.eq_ignore_ascii_case(n)).ok_or_else(|| no_property(n, "microsoft.graph.directoryObject"))).collect()
}

fn props<R: Resource>(o: &R, select: Option<&[&'static str]>, r: &RenderCtx, out: &mut Map<String, Value>) {
    for p in R::PROPS {
        if select.is_none_or(|s| s.contains(p)) {
            out.insert(p.to_string(), o.prop(p, r));
        }
    }
}

/// One member as a directoryObject: `@odata.type` and its (selected) properties.
pub fn object_json(m: Member, select: Option<&[&'static str]>, r: &RenderCtx) -> Value {
    let mut out = Map::new();
    out.insert("@odata.type".into(), m.odata_type().into());
    let inv = r.inv;
    match m {
        Member::User(i) => props(&inv.people[i as usize], select, r, &mut out),
        Member::Group(i) => props(&inv.groups[i as usize], select, r, &mut out),
        Member::Sp(i) => props(&inv.sps[i as usize], select, r, &mut out),
        Member::Device(i) => {
            let d = &inv.devices[i as usize];
            for p in DEVICE_PROPS.iter().filter(|p| select.is_none_or(|s| s.contains(p))) {
                let v: Value = match *p {
                    "id" => d.meta.id.clone().into(),
                    "accountEnabled" | "isCompliant" | "isManaged" => true.into(),
                    "deviceId" => d.device_id.clone().into(),
                    "displayName" => d.display_name.clone().into(),
                    "operatingSystem" => d.operating_system.into(),
                    "operatingSystemVersion" => "10.0".into(),
                    "trustType" => "AzureAd".into(),
                    _ => Value::Null,
                };
                out.insert(p.to_string(), v);
            }
        }
    }
    Value::Object(out)
}

/// Lists `objects(inventory)` as a paged directoryObject collection.
fn list(ctx: &Ctx, key: &str, path: &str, objects: impl FnOnce(&Inventory) -> Result<Vec<Member>, GraphError>) -> Result<Response, GraphError> {
    let q = Query::parse(&ctx.query)?;
    if q.filter.is_some() || q.search.is_some() || q.orderby.is_some() || q.expand.is_some() {
        return Err(GraphError::bad_request(
            "Request_UnsupportedQuery",
            "The demo tenant supports $select, $top, $count and paging on membership lists ($filter, $search, $orderby and $expand are not emulated here).",
        ));
    }
    let select = q.select.as_deref().map(resolve_select).transpose()?;
    let offset = match &q.skiptoken {
        None => 0,
        Some(token) => {
            let cursor: ListCursor = paging::decode_skip(&ctx.state, token)?;
            if cursor.c != key || cursor.f != q.fingerprint() {
                return Err(paging::invalid_skip_token());
            }
            cursor.o
        }
    };
    let inv = ctx.state.inventory();
    let all = objects(&inv)?;
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let end = (offset + q.page_size()).min(all.len());
    let values: Vec<Value> = all.get(offset..end).unwrap_or_default().iter().map(|m| object_json(*m, select.as_deref(), &r)).collect();
    let mut body = Map::new();
    let sel = select.as_ref().map(|s| format!("({})", s.join(","))).unwrap_or_default();
    body.insert("@odata.context".into(), format!("{}/$metadata#directoryObjects{sel}", ctx.root()).into());
    if ctx.eventual() && q.count && q.skiptoken.is_none() {
        body.insert("@odata.count".into(), all.len().into());
    }
    if end < all.len() {
        let token = paging::encode(&ctx.state, &ListCursor { c: key.to_string(), f: q.fingerprint(), o: end });
        body.insert("@odata.nextLink".into(), q.next_link(&format!("{}{path}", ctx.root()), "$skiptoken", &token).into());
    }
    body.insert("value".into(), Value::Array(values));
    Ok(ctx.graph.ok(Value::Object(body)))
}

fn group_members(ctx: &Ctx, id: &str, transitive: bool) -> Result<Response, GraphError> {
    ctx.require(READ_GROUPS)?;
    check_id(id)?;
    let (name, lower) = (if transitive { "transitiveMembers" } else { "members" }, id.to_ascii_lowercase());
    list(ctx, &format!("{name}:{lower}"), &format!("/groups/{id}/{name}"), |inv| {
        let g = inv.group(id).ok_or_else(|| GraphError::not_found(id))?;
        Ok(if transitive { inv.transitive_members(g).into_iter().map(|(m, _)| m).collect() } else { inv.groups[g].members.clone() })
    })
}

fn member_of(ctx: &Ctx, id: &str, transitive: bool) -> Result<Response, GraphError> {
    ctx.require(READ_USERS)?;
    check_id(id)?;
    let (name, lower) = (if transitive { "transitiveMemberOf" } else { "memberOf" }, id.to_ascii_lowercase());
    list(ctx, &format!("{name}:{lower}"), &format!("/users/{id}/{name}"), |inv| {
        let u = inv.person(id).ok_or_else(|| GraphError::not_found(id))?;
        let me = Member::User(u as u32);
        let groups = if transitive { inv.transitive_member_of(me) } else { inv.parents.of(me).to_vec() };
        Ok(groups.into_iter().map(Member::Group).collect())
    })
}

fn get_by_ids(ctx: &Ctx, body: &[u8]) -> Result<Response, GraphError> {
    ctx.require(READ_USERS)?;
    let bad = |m: &str| GraphError::bad_request("Request_BadRequest", m.to_string());
    let body: Value = serde_json::from_slice(body).map_err(|_| bad("Invalid request body: JSON {\"ids\":[…],\"types\":[…]} expected."))?;
    let ids = body.get("ids").and_then(Value::as_array).ok_or_else(|| bad("The 'ids' parameter is required."))?;
    if ids.len() > MAX_IDS {
        return Err(bad(&format!("Too many ids: at most {MAX_IDS} per request.")));
    }
    const TYPES: &[&str] = &["user", "group", "servicePrincipal", "device", "application", "directoryObject"];
    let types: Option<Vec<&'static str>> = match body.get("types") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|t| {
                    let t = t.as_str().unwrap_or_default().trim_start_matches("microsoft.graph.");
                    TYPES.iter().copied().find(|k| k.eq_ignore_ascii_case(t)).ok_or_else(|| bad(&format!("Invalid type '{t}' in 'types'.")))
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => return Err(bad("'types' must be an array of type names.")),
    };
    let wanted = |t: &str| types.as_ref().is_none_or(|list| list.contains(&t) || list.contains(&"directoryObject"));
    let inv = ctx.state.inventory();
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let mut values = Vec::new();
    // Graph does not promise an order; the demo answers in the order asked, unknown ids left out.
    for id in ids.iter().filter_map(Value::as_str) {
        if let Some(m) = inv.object(id) {
            let kind = match m {
                Member::User(_) => "user",
                Member::Group(_) => "group",
                Member::Sp(_) => "servicePrincipal",
                Member::Device(_) => "device",
            };
            if wanted(kind) {
                values.push(object_json(m, None, &r));
            }
        } else if let Some(a) = inv.app(id).filter(|_| wanted("application")) {
            let mut out = Map::new();
            out.insert("@odata.type".into(), "#microsoft.graph.application".into());
            props(&inv.apps[a], None, &r, &mut out);
            values.push(Value::Object(out));
        }
    }
    let mut out = Map::new();
    out.insert("@odata.context".into(), format!("{}/$metadata#directoryObjects", ctx.root()).into());
    out.insert("value".into(), Value::Array(values));
    Ok(ctx.graph.ok(Value::Object(out)))
}

pub async fn members(ctx: Ctx, Path(id): Path<String>) -> Response {
    group_members(&ctx, &id, false).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn transitive_members(ctx: Ctx, Path(id): Path<String>) -> Response {
    group_members(&ctx, &id, true).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn user_member_of(ctx: Ctx, Path(id): Path<String>) -> Response {
    member_of(&ctx, &id, false).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn user_transitive_member_of(ctx: Ctx, Path(id): Path<String>) -> Response {
    member_of(&ctx, &id, true).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn directory_objects_by_ids(ctx: Ctx, body: Bytes) -> Response {
    get_by_ids(&ctx, &body).unwrap_or_else(|e| ctx.fail(e))
}
