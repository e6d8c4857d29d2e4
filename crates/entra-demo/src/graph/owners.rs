//! Owners: `GET /{applications|servicePrincipals}/{id}/owners` (directoryObjects
//! tagged with `@odata.type`, `$select`, `$top` and skip-token paging) and
//! the objects `$expand=owners` embeds.

use super::resource::{check_id, RenderCtx, Resource};
use super::ctx::Ctx;
use super::paging::{self, ListCursor};
use super::query::{no_property, Query};
use super::GraphError;
use crate::inventory::{OwnerRef, ServicePrincipal};
use axum::response::Response;
use serde_json::{Map, Value};

const USER_PROPS: &[&str] = &[
    "id", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
    "preferredLanguage", "surname", "userPrincipalName",
];

/// `$select` on directoryObjects: any user or service principal property.
pub fn resolve_select(names: &[String]) -> Result<Vec<&'static str>, GraphError> {
    names
        .iter()
        .map(|n| {
            USER_PROPS
                .iter()
                .chain(ServicePrincipal::PROPS)
                .copied()
                .find(|p| p.eq_ignore_ascii_case(n))
                .ok_or_else(|| no_property(n, "microsoft.graph.directoryObject"))
        })
        .collect()
}

/// One owner as a directoryObject.
pub fn owner_json(owner: OwnerRef, select: Option<&[&'static str]>, r: &RenderCtx) -> Value {
    let (odata_type, full) = match owner {
        OwnerRef::User(i) => ("#microsoft.graph.user", super::me::user_json(&r.dir.users[i])),
        OwnerRef::Sp(i) => {
            let sp = &r.inv.sps[i];
            let map: Map<String, Value> = ServicePrincipal::PROPS.iter().map(|p| (p.to_string(), sp.prop(p, r))).collect();
            ("#microsoft.graph.servicePrincipal", Value::Object(map))
        }
    };
    let mut out = Map::new();
    out.insert("@odata.type".into(), odata_type.into());
    if let Value::Object(map) = full {
        for (k, v) in map {
            if select.is_none_or(|s| s.contains(&k.as_str())) {
                out.insert(k, v);
            }
        }
    }
    Value::Object(out)
}

pub fn list<R: Resource>(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    ctx.require(R::READ)?;
    check_id(id)?;
    let q = Query::parse(&ctx.query)?;
    if q.filter.is_some() || q.search.is_some() || q.orderby.is_some() || q.expand.is_some() {
        return Err(GraphError::bad_request("Request_UnsupportedQuery", "The owners collection supports $select, $top and paging only."));
    }
    let select = q.select.as_deref().map(resolve_select).transpose()?;
    let collection = format!("owners:{}", id.to_ascii_lowercase());
    let offset = match &q.skiptoken {
        None => 0,
        Some(token) => {
            let cursor: ListCursor = paging::decode_skip(&ctx.state, token)?;
            if cursor.c != collection || cursor.f != q.fingerprint() {
                return Err(paging::invalid_skip_token());
            }
            cursor.o
        }
    };
    let inv = ctx.state.inventory();
    let i = R::find(&inv, id).ok_or_else(|| GraphError::not_found(id))?;
    let owners = &R::all(&inv)[i].meta().owners;
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let end = (offset + q.page_size()).min(owners.len());
    let values: Vec<Value> = owners.get(offset..end).unwrap_or_default().iter().map(|o| owner_json(*o, select.as_deref(), &r)).collect();
    let mut body = Map::new();
    body.insert("@odata.context".into(), format!("{}/$metadata#directoryObjects", ctx.root()).into());
    if end < owners.len() {
        let token = paging::encode(&ctx.state, &ListCursor { c: collection, f: q.fingerprint(), o: end });
        body.insert("@odata.nextLink".into(), q.next_link(&format!("{}/{}/{id}/owners", ctx.root(), R::SET), "$skiptoken", &token).into());
    }
    body.insert("value".into(), Value::Array(values));
    Ok(ctx.graph.ok(Value::Object(body)))
}
