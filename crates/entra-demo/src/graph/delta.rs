//! `GET /{applications|servicePrincipals}/delta`: Graph's delta query.
//!
//! The first call (with `$select`, if any) starts a round over every live
//! object; pages of [`DELTA_PAGE`] carry `@odata.nextLink` (`$skiptoken`) and
//! the last one `@odata.deltaLink` (`$deltatoken`). Calling the deltaLink
//! returns only objects changed since (a change is anything that took a
//! sequence number: create, update, addPassword, removePassword, delete), deleted ones as
//! `{"id","@removed":{"reason":"changed"|"deleted"}}`, and a new deltaLink.
//! Options are encoded in the tokens; `$top` is ignored (the server picks the
//! page size, as Graph does); `$deltatoken=latest` answers just a deltaLink.
//! A delta token older than 7 days (emulator clock), or any delta token while
//! the `expire_delta_tokens` fault is on, answers 410 Gone with a `Location`
//! to start over; a token that does not verify answers 400; an empty
//! `$deltatoken` (what that `Location` may carry) starts a new round.
//! `/users/delta` is served here too; `/groups/delta` (members) is `groups_delta`.

use super::collection::{render, resolve_select};
use super::resource::{RenderCtx, Resource};
use super::ctx::Ctx;
use super::paging;
use super::query::Query;
use super::GraphError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Objects per delta page.
pub const DELTA_PAGE: usize = 200;
/// Delta tokens of directory objects last 7 days.
const DELTA_TOKEN_DAYS: i64 = 7;

#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    /// The collection.
    c: String,
    /// `$select` of the first call.
    s: Option<Vec<String>>,
    /// Changes after this sequence number; `None` = the initial round.
    since: Option<u64>,
    /// Changes up to this one belong to this round.
    upto: u64,
    /// Last id returned (next page starts after it).
    after: Option<String>,
    /// Issued at (emulator clock, unix seconds).
    t: i64,
}

/// Has this delta token expired: older than 7 days on the emulator clock, or
/// the `expire_delta_tokens` fault is on?
pub fn expired(ctx: &Ctx, issued_at: i64) -> bool {
    ctx.state.faults.settings().expire_delta_tokens || ctx.state.clock.now().timestamp() - issued_at > DELTA_TOKEN_DAYS * 86_400
}

/// 410 Gone, `syncStateNotFound`, with a `Location` to start a new round.
pub fn gone(ctx: &Ctx, location: &str) -> Response {
    let mut response = ctx.graph.error(
        &ctx.state,
        StatusCode::GONE,
        "syncStateNotFound",
        "The delta token has expired (delta tokens of directory objects last 7 days). Start a new round with the link in the Location header.",
    );
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

pub fn delta<R: Resource>(ctx: &Ctx) -> Result<Response, GraphError> {
    ctx.require(R::READ)?;
    let q = Query::parse(&ctx.query)?;
    if q.filter.is_some() || q.search.is_some() || q.orderby.is_some() || q.expand.is_some() {
        return Err(GraphError::bad_request("Request_UnsupportedQuery", "The delta function supports $select only (and the tokens of its links)."));
    }
    let now = ctx.state.clock.now().timestamp();
    let current_seq = ctx.state.inventory().seq;
    let invalid = || GraphError::bad_request("Request_BadRequest", "The delta token is invalid and cannot be used: start a new delta round.");
    let cursor = if let Some(token) = &q.skiptoken {
        let cursor: Cursor = paging::decode_skip(&ctx.state, token)?;
        if cursor.c != R::SET {
            return Err(paging::invalid_skip_token());
        }
        cursor
    } else if let Some(token) = q.deltatoken.as_ref().filter(|t| !t.is_empty()) {
        if token.eq_ignore_ascii_case("latest") {
            let select = q.select.as_deref().map(resolve_select::<R>).transpose()?;
            let link = Cursor { c: R::SET.into(), s: select.map(|s| s.iter().map(|p| p.to_string()).collect()), since: Some(current_seq), upto: current_seq, after: None, t: now };
            return Ok(page::<R>(ctx, &link, Vec::new(), None));
        }
        let cursor: Cursor = paging::decode(&ctx.state, token).ok_or_else(invalid)?;
        if cursor.c != R::SET || cursor.since.is_none() {
            return Err(invalid());
        }
        if expired(ctx, cursor.t) {
            let empty = if R::GONE_WITH_EMPTY_TOKEN { "?$deltatoken=" } else { "" };
            return Ok(gone(ctx, &format!("{}/{}/delta{empty}", ctx.root(), R::SET)));
        }
        Cursor { upto: current_seq, after: None, t: now, ..cursor }
    } else {
        let select = q.select.as_deref().map(resolve_select::<R>).transpose()?;
        Cursor { c: R::SET.into(), s: select.map(|s| s.iter().map(|p| p.to_string()).collect()), since: None, upto: current_seq, after: None, t: now }
    };
    let select: Option<Vec<&'static str>> = match &cursor.s {
        Some(names) => Some(resolve_select::<R>(names).map_err(|_| invalid())?),
        None => None,
    };
    let inv = ctx.state.inventory();
    let all = R::all(&inv);
    let start = match &cursor.after {
        Some(after) => all.partition_point(|o| o.meta().id.as_str() <= after.as_str()),
        None => 0,
    };
    let wanted = |o: &R| match cursor.since {
        None => o.meta().removed.is_none(),
        Some(since) => o.meta().changed > since && o.meta().changed <= cursor.upto,
    };
    let mut picked = Vec::new();
    let mut more = false;
    for o in &all[start..] {
        if wanted(o) {
            if picked.len() == DELTA_PAGE {
                more = true;
                break;
            }
            picked.push(o);
        }
    }
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let values: Vec<Value> = picked
        .iter()
        .map(|o| match o.meta().removed {
            Some((how, _)) => serde_json::json!({"id": o.meta().id, "@removed": {"reason": how.reason()}}),
            None => {
                let mut v = render(*o, select.as_deref(), None, &r);
                v["id"] = o.meta().id.clone().into();
                v
            }
        })
        .collect();
    let next = if more {
        Some(Cursor { after: picked.last().map(|o| o.meta().id.clone()), c: cursor.c.clone(), s: cursor.s.clone(), ..cursor })
    } else {
        None
    };
    let link = Cursor { c: R::SET.into(), s: cursor.s.clone(), since: Some(cursor.upto), upto: cursor.upto, after: None, t: now };
    drop(inv);
    Ok(page::<R>(ctx, &link, values, next.as_ref()))
}

fn page<R: Resource>(ctx: &Ctx, delta_link: &Cursor, values: Vec<Value>, next: Option<&Cursor>) -> Response {
    let sel = delta_link.s.as_ref().map(|s| format!("({})", s.join(","))).unwrap_or_default();
    let base = format!("{}/{}/delta", ctx.root(), R::SET);
    let mut body = Map::new();
    body.insert("@odata.context".into(), format!("{}/$metadata#{}{sel}", ctx.root(), R::SET).into());
    match next {
        Some(cursor) => body.insert("@odata.nextLink".into(), format!("{base}?$skiptoken={}", paging::encode(&ctx.state, cursor)).into()),
        None => body.insert("@odata.deltaLink".into(), format!("{base}?$deltatoken={}", paging::encode(&ctx.state, delta_link)).into()),
    };
    body.insert("value".into(), Value::Array(values));
    ctx.graph.ok(Value::Object(body))
}
