//! `GET /groups/delta`: Graph's delta query over groups and their members
//! (concepts/delta-query-groups.md, api/group-delta.md, REFERENCE §5).
//!
//! - The first call takes `$select` (group properties and `members`); without
//!   `$select` every default property and `members` come back (the docs'
//!   Response 1 shows `members@delta` for a plain `GET /groups/delta`).
//!   `$top` is ignored (the server picks the page size); `$filter`, `$search`,
//!   `$orderby` and `$expand` answer 400.
//! - A page holds at most [`GROUPS_PAGE`] groups and about [`REFS_PAGE`]
//!   `members@delta` entries: a bigger group is cut into slices, the same
//!   group id coming back at the start of the next page with the next slice
//!   (and its properties again). Clients merge them.
//! - The initial round lists every live group with its members as of the
//!   round's start, sorted by id (so a large group's slices stay consistent
//!   even when it changes mid-round; such changes come in the next round).
//!   From a delta link: only the groups changed since, each with the *net*
//!   member changes since the link's position (`{"@odata.type","id"}` added,
//!   `… "@removed":{"reason":"deleted"}` removed); deleted groups as
//!   `{"id","@removed":{"reason":"changed"|"deleted"}}`. A few changes fit in
//!   one page. A group that changes again during a round may come back in the
//!   next one too (a replay: clients apply idempotently, as Graph asks).
//! - `$deltatoken=latest` answers an empty page with a delta link for now.
//!
//! **What a link encodes** (signed with the tenant's key, see `paging`):
//! `{c:"groups", s: the selected properties, m: members selected, since: the
//! sequence position the changes are counted from (none in the initial round),
//! upto: the position this round reports up to, from/skip: the group id the
//! next page starts at and how many of its member entries were already sent,
//! t: when the delta link was issued}`. nextLinks carry `$skiptoken`, delta
//! links `$deltatoken`; both must be requested as given (options sent with a
//! token are ignored: they live in the token).
//!
//! **Expiry.** A delta link issued more than 7 days ago on the emulator clock,
//! or any while the `expire_delta_tokens` fault is on, answers 410 Gone with
//! `syncStateNotFound` and `Location: {root}/groups/delta?[$select=…&]$deltatoken=`
//! (the round's URL with an empty token; the `$select` is kept so the new
//! round has the same shape). An empty `$deltatoken` starts a new round.

use super::collection::{render, resolve_select};
use super::ctx::{Ctx, READ_GROUPS};
use super::delta::{expired, gone};
use super::paging;
use super::query::Query;
use super::resource::RenderCtx;
use super::GraphError;
use crate::inventory::{Group, Member};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Groups per delta page.
pub const GROUPS_PAGE: usize = 200;
/// `members@delta` entries per delta page (about: one group's slice ends the page).
pub const REFS_PAGE: usize = 500;

const SET: &str = "groups";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cursor {
    c: String,
    s: Option<Vec<String>>,
    m: bool,
    since: Option<u64>,
    upto: u64,
    from: Option<String>,
    skip: usize,
    t: i64,
}

/// `$select` → (group properties or all, members wanted?).
fn parse_select(names: Option<&[String]>) -> Result<(Option<Vec<String>>, bool), GraphError> {
    let Some(names) = names else { return Ok((None, true)) };
    let members = names.iter().any(|n| n.eq_ignore_ascii_case("members"));
    let props: Vec<String> = names.iter().filter(|n| !n.eq_ignore_ascii_case("members")).cloned().collect();
    let props = resolve_select::<Group>(&props)?.iter().map(|p| p.to_string()).collect();
    Ok((Some(props), members))
}

fn invalid() -> GraphError {
    GraphError::bad_request("Request_BadRequest", "The delta token is invalid and cannot be used: start a new delta round.")
}

fn run(ctx: &Ctx) -> Result<Response, GraphError> {
    ctx.require(READ_GROUPS)?;
    let q = Query::parse(&ctx.query)?;
    if q.filter.is_some() || q.search.is_some() || q.orderby.is_some() || q.expand.is_some() {
        return Err(GraphError::bad_request(
            "Request_UnsupportedQuery",
            "The demo tenant's groups/delta supports $select only (with members); $filter, $search, $orderby and $expand are not emulated.",
        ));
    }
    let now = ctx.state.clock.now().timestamp();
    let current = ctx.state.inventory().seq;
    let cursor = if let Some(token) = &q.skiptoken {
        let cursor: Cursor = paging::decode_skip(&ctx.state, token)?;
        if cursor.c != SET {
            return Err(paging::invalid_skip_token());
        }
        cursor
    } else if let Some(token) = q.deltatoken.as_ref().filter(|t| !t.is_empty()) {
        if token.eq_ignore_ascii_case("latest") {
            let (s, m) = parse_select(q.select.as_deref())?;
            let link = Cursor { c: SET.into(), s, m, since: Some(current), upto: current, from: None, skip: 0, t: now };
            return Ok(page(ctx, &link, Vec::new(), None));
        }
        let cursor: Cursor = paging::decode(&ctx.state, token).filter(|c: &Cursor| c.c == SET && c.since.is_some()).ok_or_else(invalid)?;
        if expired(ctx, cursor.t) {
            let select = cursor.s.as_ref().map(|s| {
                let mut names = s.clone();
                if cursor.m {
                    names.push("members".into());
                }
                format!("$select={}&", names.join(","))
            });
            return Ok(gone(ctx, &format!("{}/{SET}/delta?{}$deltatoken=", ctx.root(), select.unwrap_or_default())));
        }
        Cursor { upto: current, from: None, skip: 0, t: now, ..cursor }
    } else {
        let (s, m) = parse_select(q.select.as_deref())?;
        Cursor { c: SET.into(), s, m, since: None, upto: current, from: None, skip: 0, t: now }
    };
    let select: Option<Vec<&'static str>> = match &cursor.s {
        Some(names) => Some(resolve_select::<Group>(names).map_err(|_| invalid())?),
        None => None,
    };

    let inv = ctx.state.inventory();
    let r = RenderCtx { inv: &inv, dir: &ctx.state.dir, with_key: false };
    let groups = &inv.groups;
    let start = cursor.from.as_deref().map(|id| groups.partition_point(|g| g.meta.id.as_str() < id)).unwrap_or(0);
    let mut values: Vec<Value> = Vec::new();
    let mut refs = 0;
    let mut next: Option<(String, usize)> = None;
    for (gi, g) in groups.iter().enumerate().skip(start) {
        let wanted = match cursor.since {
            None => g.meta.removed.is_none(),
            Some(since) => g.meta.changed > since,
        };
        if !wanted {
            continue;
        }
        if values.len() == GROUPS_PAGE {
            next = Some((g.meta.id.clone(), 0));
            break;
        }
        if let Some((how, _)) = g.meta.removed {
            values.push(json!({"id": g.meta.id, "@removed": {"reason": how.reason()}}));
            continue;
        }
        let skip = if cursor.from.as_deref() == Some(g.meta.id.as_str()) { cursor.skip } else { 0 };
        let entries: Vec<(Member, bool)> = match (cursor.m, cursor.since) {
            (false, _) => Vec::new(),
            (true, None) => inv.members_at(gi, cursor.upto).into_iter().map(|m| (m, true)).collect(),
            (true, Some(since)) => g.changes(since, cursor.upto),
        };
        let left = entries.len().saturating_sub(skip);
        if left > 0 && refs == REFS_PAGE {
            next = Some((g.meta.id.clone(), skip));
            break;
        }
        let take = left.min(REFS_PAGE - refs);
        let mut v = render(g, select.as_deref(), None, &r);
        v["id"] = g.meta.id.clone().into();
        if take > 0 {
            let slice: Vec<Value> = entries[skip..skip + take]
                .iter()
                .map(|(m, added)| {
                    let mut e = json!({"@odata.type": m.odata_type(), "id": inv.member_id(*m)});
                    if !added {
                        e["@removed"] = json!({"reason": "deleted"});
                    }
                    e
                })
                .collect();
            v["members@delta"] = Value::Array(slice);
        }
        values.push(v);
        refs += take;
        if skip + take < entries.len() {
            next = Some((g.meta.id.clone(), skip + take));
            break;
        }
    }
    drop(inv);
    let next = next.map(|(from, skip)| Cursor { from: Some(from), skip, ..cursor.clone() });
    let link = Cursor { since: Some(cursor.upto), from: None, skip: 0, t: now, ..cursor };
    Ok(page(ctx, &link, values, next.as_ref()))
}

fn page(ctx: &Ctx, delta_link: &Cursor, values: Vec<Value>, next: Option<&Cursor>) -> Response {
    let sel = delta_link.s.as_ref().map(|s| format!("({})", s.join(","))).unwrap_or_default();
    let base = format!("{}/{SET}/delta", ctx.root());
    let mut body = Map::new();
    body.insert("@odata.context".into(), format!("{}/$metadata#{SET}{sel}", ctx.root()).into());
    match next {
        Some(cursor) => body.insert("@odata.nextLink".into(), format!("{base}?$skiptoken={}", paging::encode(&ctx.state, cursor)).into()),
        None => body.insert("@odata.deltaLink".into(), format!("{base}?$deltatoken={}", paging::encode(&ctx.state, delta_link)).into()),
    };
    body.insert("value".into(), Value::Array(values));
    ctx.graph.ok(Value::Object(body))
}

pub async fn delta(ctx: Ctx) -> Response {
    run(&ctx).unwrap_or_else(|e| ctx.fail(e))
}
