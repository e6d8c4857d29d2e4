//! The list machinery shared by `/applications` and `/servicePrincipals`:
//! a [`Resource`] (in `resource`) describes its properties, filters and sort keys; `list`,
//! `get` and `count` apply `$select`, `$filter`, `$search`, `$orderby`,
//! `$count`, `$expand=owners`, `$top` and skip-token paging with Graph's
//! ConsistencyLevel rules (REFERENCE §5):
//! - `$search` needs `ConsistencyLevel: eventual`; `$count`, `ne`/`not`/
//!   `endsWith` and `$orderby` need it **and** `$count=true`;
//! - `?$count=true` without the header is ignored (no `@odata.count`);
//! - `$expand=owners` caps the page at 100 and each object's owners at 20, and
//!   is refused with the advanced-query parameters.

use super::ctx::Ctx;
use super::filter::{self, Expr, Field};
use super::owners;
use super::paging::{self, ListCursor};
use super::query::{no_property, search_needs_header, Query, Search};
use super::resource::{check_id, RenderCtx, Resource};
use super::GraphError;
use crate::inventory::Inventory;
use axum::response::Response;
use serde_json::{Map, Value};

/// Page cap and per-object owner cap with `$expand` (Graph known issue 13635).
pub const EXPAND_PAGE: usize = 100;
pub const EXPAND_OWNERS: usize = 20;

/// A validated query.
pub struct Plan {
    pub select: Option<Vec<&'static str>>,
    filter: Option<Expr>,
    search: Option<Search>,
    order: Option<(&'static str, bool)>,
    pub expand: Option<Option<Vec<&'static str>>>,
    emit_count: bool,
    pub size: usize,
}

pub fn resolve_select<R: Resource>(names: &[String]) -> Result<Vec<&'static str>, GraphError> {
    names
        .iter()
        .map(|n| R::PROPS.iter().copied().find(|p| p.eq_ignore_ascii_case(n)).ok_or_else(|| no_property(n, R::ODATA_TYPE)))
        .collect()
}

/// `owners` or `owners($select=a,b)`.
fn parse_expand<R: Resource>(raw: &str) -> Result<Option<Vec<&'static str>>, GraphError> {
    let raw = raw.trim();
    let (nav, inner) = match raw.split_once('(') {
        Some((nav, rest)) => (nav.trim(), Some(rest.trim_end_matches(')'))),
        None => (raw, None),
    };
    if !nav.eq_ignore_ascii_case("owners") {
        return Err(no_property(nav, R::ODATA_TYPE));
    }
    match inner {
        None | Some("") => Ok(None),
        Some(inner) => {
            let select = inner
                .split_once('=')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case("$select"))
                .map(|(_, v)| v)
                .ok_or_else(|| GraphError::bad_request("BadRequest", format!("Only $select is supported inside $expand, not '{inner}'.")))?;
            let names: Vec<String> = select.split(',').map(|s| s.trim().to_string()).collect();
            owners::resolve_select(&names).map(Some)
        }
    }
}

pub fn plan<R: Resource>(q: &Query, eventual: bool) -> Result<Plan, GraphError> {
    let advanced = eventual && q.count;
    let select = q.select.as_deref().map(resolve_select::<R>).transpose()?;
    let search = match &q.search {
        None => None,
        Some(_) if !eventual => return Err(search_needs_header()),
        Some(raw) => {
            let s = Search::parse(raw)?;
            for (prop, _) in &s.clauses {
                if !R::SEARCH.iter().any(|p| p.eq_ignore_ascii_case(prop)) {
                    return Err(GraphError::bad_request("Request_UnsupportedQuery", format!("Unsupported property '{prop}' in $search: {} supports {}.", R::SET, R::SEARCH.join(", "))));
                }
            }
            Some(s)
        }
    };
    let filter = match &q.filter {
        None => None,
        Some(raw) => {
            let mut e = filter::parse(raw)?;
            filter::check(&mut e, R::FILTERS, R::RESOURCE, R::ODATA_TYPE, advanced)?;
            Some(e)
        }
    };
    let order = match &q.orderby {
        None => None,
        Some(raw) => {
            let mut words = raw.split_whitespace();
            let prop = words.next().unwrap_or_default();
            let desc = match words.next().map(|w| w.to_ascii_lowercase()) {
                None => false,
                Some(w) if w == "asc" => false,
                Some(w) if w == "desc" => true,
                Some(w) => return Err(GraphError::bad_request("BadRequest", format!("Syntax error: '{w}' is not a sort direction in '{raw}'."))),
            };
            let unsupported = || GraphError::bad_request("Request_UnsupportedQuery", "Sorting not supported for current query.");
            let Some(name) = R::ORDERBY.iter().copied().find(|p| p.eq_ignore_ascii_case(prop)) else {
                return Err(if R::PROPS.iter().any(|p| p.eq_ignore_ascii_case(prop)) { unsupported() } else { no_property(prop, R::ODATA_TYPE) });
            };
            if !advanced {
                return Err(unsupported());
            }
            Some((name, desc))
        }
    };
    let expand = q.expand.as_deref().map(parse_expand::<R>).transpose()?;
    if expand.is_some() && eventual && (q.count || search.is_some()) {
        return Err(GraphError::bad_request("Request_UnsupportedQuery", "The $expand query option is not supported with advanced queries (ConsistencyLevel: eventual with $count or $search)."));
    }
    let mut size = q.page_size();
    if expand.is_some() {
        size = size.min(EXPAND_PAGE);
    }
    Ok(Plan { select, filter, search, order, expand, emit_count: eventual && q.count, size })
}

/// Indices of the live objects the plan selects, in order.
fn matching<R: Resource>(inv: &Inventory, plan: &Plan) -> Vec<usize> {
    let all = R::all(inv);
    let mut out: Vec<usize> = (0..all.len())
        .filter(|&i| {
            let o = &all[i];
            if o.meta().removed.is_some() {
                return false;
            }
            if let Some(f) = &plan.filter {
                if !filter::eval(f, &|p| o.field(p)) {
                    return false;
                }
            }
            if let Some(s) = &plan.search {
                let hit = |(prop, words): &(String, Vec<String>)| match o.field(prop) {
                    Field::Str(Some(text)) => Search::clause_matches(words, text),
                    _ => false,
                };
                let ok = if s.any_of { s.clauses.iter().any(hit) } else { s.clauses.iter().all(hit) };
                if !ok {
                    return false;
                }
            }
            true
        })
        .collect();
    if let Some((prop, desc)) = plan.order {
        let key = |i: &usize| -> String {
            match all[*i].field(prop) {
                Field::Str(s) => s.unwrap_or_default().to_lowercase(),
                Field::Date(d) => d.to_rfc3339(),
                _ => String::new(),
            }
        };
        out.sort_by_cached_key(key);
        if desc {
            out.reverse();
        }
    }
    out
}

/// One object as JSON: the selected (or default) properties, plus owners when expanded.
pub fn render<R: Resource>(o: &R, plan_select: Option<&[&'static str]>, expand: Option<&Option<Vec<&'static str>>>, r: &RenderCtx) -> Value {
    let mut map = Map::new();
    for p in R::PROPS {
        if plan_select.is_none_or(|s| s.contains(p)) {
            map.insert(p.to_string(), o.prop(p, r));
        }
    }
    if let Some(select) = expand {
        let owners = &o.meta().owners;
        let values = owners.iter().take(EXPAND_OWNERS).map(|w| owners::owner_json(*w, select.as_deref(), r)).collect();
        map.insert("owners".into(), Value::Array(values));
    }
    Value::Object(map)
}

fn context<R: Resource>(root: &str, select: Option<&[&'static str]>, entity: bool) -> String {
    let sel = select.map(|s| format!("({})", s.join(","))).unwrap_or_default();
    format!("{root}/$metadata#{}{sel}{}", R::SET, if entity { "/$entity" } else { "" })
}

pub fn list<R: Resource>(ctx: &Ctx) -> Result<Response, GraphError> {
    ctx.require(R::READ)?;
    let q = Query::parse(&ctx.query)?;
    let plan = plan::<R>(&q, ctx.eventual())?;
    let offset = match &q.skiptoken {
        None => 0,
        Some(token) => {
            let cursor: ListCursor = paging::decode_skip(&ctx.state, token)?;
            if cursor.c != R::SET || cursor.f != q.fingerprint() {
                return Err(paging::invalid_skip_token());
            }
            cursor.o
        }
    };
    let inv = ctx.state.inventory();
    let idx = matching::<R>(&inv, &plan);
    let with_key = plan.select.as_ref().is_some_and(|s| s.contains(&"keyCredentials"));
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key };
    let all = R::all(&inv);
    let end = (offset + plan.size).min(idx.len());
    let values: Vec<Value> = idx.get(offset..end).unwrap_or_default().iter().map(|&i| render(&all[i], plan.select.as_deref(), plan.expand.as_ref(), &r)).collect();
    let mut body = Map::new();
    body.insert("@odata.context".into(), context::<R>(&ctx.root(), plan.select.as_deref(), false).into());
    if plan.emit_count && q.skiptoken.is_none() {
        body.insert("@odata.count".into(), idx.len().into());
    }
    if end < idx.len() {
        let token = paging::encode(&ctx.state, &ListCursor { c: R::SET.to_string(), f: q.fingerprint(), o: end });
        body.insert("@odata.nextLink".into(), q.next_link(&format!("{}/{}", ctx.root(), R::SET), "$skiptoken", &token).into());
    }
    body.insert("value".into(), Value::Array(values));
    Ok(ctx.graph.ok(Value::Object(body)))
}

pub fn get<R: Resource>(ctx: &Ctx, id: &str) -> Result<Response, GraphError> {
    ctx.require(R::READ)?;
    check_id(id)?;
    let q = Query::parse(&ctx.query)?;
    let select = q.select.as_deref().map(resolve_select::<R>).transpose()?;
    let expand = q.expand.as_deref().map(parse_expand::<R>).transpose()?;
    let inv = ctx.state.inventory();
    let i = R::find(&inv, id).ok_or_else(|| GraphError::not_found(id))?;
    let with_key = select.as_ref().is_some_and(|s| s.contains(&"keyCredentials"));
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key };
    let mut body = render(&R::all(&inv)[i], select.as_deref(), expand.as_ref(), &r);
    body["@odata.context"] = context::<R>(&ctx.root(), select.as_deref(), true).into();
    Ok(ctx.graph.ok(body))
}

/// `/{set}/$count`: `text/plain`, needs `ConsistencyLevel: eventual`.
pub fn count<R: Resource>(ctx: &Ctx) -> Result<Response, GraphError> {
    ctx.require(R::READ)?;
    if !ctx.eventual() {
        return Err(GraphError::bad_request("Request_BadRequest", "$count is not currently supported."));
    }
    let mut q = Query::parse(&ctx.query)?;
    q.count = true;
    let plan = plan::<R>(&q, true)?;
    let inv = ctx.state.inventory();
    Ok(ctx.graph.text(matching::<R>(&inv, &plan).len().to_string()))
}
