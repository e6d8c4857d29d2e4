//! The App registrations list read a page at a time, searched, filtered and sorted in SQLite,
//! so a screen holds a page of a 50,000-object cache, never all of it.
//!
//! Two steps: the order — every matching object's rowid, in order ([`object_order`]: one pass
//! over the index `directory_objects_listing` of migration `0006_apps_listing`, which covers
//! every column a filter or sort reads and is itself the name order) — then the objects of one
//! slice of it with their credentials and owners ([`objects_at`](super::objects_at)). The caller keeps the order
//! while the cache's [`ChangeStamp`](super::ChangeStamp) holds, so scrolling reads a page, not
//! the list again; its length is the total the screen shows.
//!
//! Sorts mirror what the screen did in memory: ties in name order, blanks (no date, no
//! audience, no credential) last in either direction, and a descending sort is the ascending
//! one reversed. Credential counts count certificate twins once (`matching::listed_once`).

use super::matching::{listed_once, Contains};
use super::ObjectType;
use crate::error::Result;
use crate::sql::ts;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

/// What the rows of an apps page must match. `Default`: every object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectFilter {
    /// Display name or application (client) ID contains this, case-insensitively.
    pub search: Option<String>,
    /// Only app registrations, or only service principals.
    pub object_type: Option<ObjectType>,
    /// Only this `signInAudience`.
    pub audience: Option<String>,
    /// Only objects with a credential ended at this time or before ("has expired credentials").
    pub expired_by: Option<DateTime<Utc>>,
    /// Only objects whose owners are loaded and are none.
    pub no_owner: bool,
}

/// The orders of the apps list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectSort {
    /// Display name, case-insensitively (the default).
    Name,
    /// App registrations first.
    Type,
    /// Application (client) ID.
    AppId,
    /// `signInAudience`; none last.
    Audience,
    /// Created; service principals (no date) last.
    Created,
    /// Credentials, twins once.
    Credentials,
    /// The earliest end after `now` among the credentials; none last.
    NextExpiry,
}

/// Which objects, in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectQuery {
    /// What the rows match.
    pub filter: ObjectFilter,
    /// The order.
    pub sort: ObjectSort,
    /// Descending instead of ascending.
    pub descending: bool,
    /// The time "expired" and "next expiry" are judged at.
    pub now: DateTime<Utc>,
}

/// Every object matching `query`, in its order, as rowids: small to keep (8 bytes a row), and
/// valid while the cache's [`ChangeStamp`](super::ChangeStamp) stays the same. Its length is the
/// list's total; a page is a slice of it, read with [`objects_at`](super::objects_at).
pub fn object_order(conn: &Connection, query: &ObjectQuery) -> Result<Vec<i64>> {
    let (condition, mut args) = condition(&query.filter);
    let (order, order_args) = order_by(query.sort, query.descending, query.now);
    args.extend(order_args);
    let mut stmt =
        conn.prepare_cached(&format!("SELECT o.rowid FROM directory_objects o WHERE {condition} ORDER BY {order}"))?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many objects the cache holds (both kinds).
pub fn count_objects(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.prepare_cached("SELECT count(*) FROM directory_objects")?.query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// The `WHERE` condition on `directory_objects o` and its arguments, in order.
fn condition(filter: &ObjectFilter) -> (String, Vec<Value>) {
    let mut parts = vec!["1".to_string()];
    let mut args = Vec::new();
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let contains = Contains::new(text);
        parts.push(format!("({} OR {})", contains.on("o.display_name"), contains.on("o.app_id")));
        args.extend([Value::Text(contains.pattern.clone()), Value::Text(contains.pattern)]);
    }
    if let Some(kind) = filter.object_type {
        // `+`: not through `directory_objects_by_type`, whose rows would then need a sort; the
        // listing index is already in name order.
        parts.push("+o.object_type = ?".into());
        args.push(Value::Text(kind.as_str().into()));
    }
    if let Some(audience) = &filter.audience {
        parts.push("o.sign_in_audience = ?".into());
        args.push(Value::Text(audience.clone()));
    }
    if let Some(by) = &filter.expired_by {
        // One range of the end index into a set, rather than a lookup per object (4x faster).
        parts.push("o.id IN (SELECT c.object_id FROM credentials c WHERE c.end_date_time <= ?)".into());
        args.push(Value::Text(ts(by)));
    }
    if filter.no_owner {
        // A set of the owned objects rather than a lookup per object (owners.object_id is never NULL).
        parts.push("o.owners_loaded_at IS NOT NULL AND o.id NOT IN (SELECT w.object_id FROM owners w)".into());
    }
    (parts.join(" AND "), args)
}

/// The `ORDER BY` of `sort` and its arguments. The name order is the index
/// `directory_objects_by_name`'s, so the default order walks it instead of sorting.
fn order_by(sort: ObjectSort, descending: bool, now: DateTime<Utc>) -> (String, Vec<Value>) {
    let dir = if descending { "DESC" } else { "ASC" };
    let by_name = format!("o.display_name COLLATE NOCASE {dir}, o.id {dir}");
    // A key whose blanks go last either way: coalesced to a value past every other, by direction.
    let blanks_last = |key: &str, past_all_asc: &str, past_all_desc: &str| {
        let blank = if descending { past_all_desc } else { past_all_asc };
        format!("coalesce({key}, {blank}) {dir}, {by_name}")
    };
    match sort {
        ObjectSort::Name => (by_name, vec![]),
        ObjectSort::Type => (format!("o.object_type = 'servicePrincipal' {dir}, {by_name}"), vec![]),
        ObjectSort::AppId => (format!("o.app_id COLLATE NOCASE {dir}, {by_name}"), vec![]),
        ObjectSort::Audience => (format!("o.sign_in_audience IS NULL, o.sign_in_audience {dir}, {by_name}"), vec![]),
        ObjectSort::Created => (format!("o.created IS NULL, o.created {dir}, {by_name}"), vec![]),
        ObjectSort::Credentials => {
            let count = format!("(SELECT count(*) FROM credentials c WHERE c.object_id = o.id AND {})", listed_once("c"));
            (format!("{count} {dir}, {by_name}"), vec![])
        }
        ObjectSort::NextExpiry => {
            // Times are fixed-width text: '~' sorts after every one of them, '' before.
            let next = "(SELECT min(c.end_date_time) FROM credentials c WHERE c.object_id = o.id AND c.end_date_time > ?)";
            (blanks_last(next, "'~'", "''"), vec![Value::Text(ts(&now))])
        }
    }
}
