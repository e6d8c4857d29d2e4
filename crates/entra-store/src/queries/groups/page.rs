//! The group cache's lists, one page at a time: the groups (by name or by direct member count,
//! searched through the index of [`super::search`]) and a group's members, direct or
//! transitive (through the nested groups a caller's walk found), searched and sorted in SQLite
//! so that only the page leaves it. Names sort case-insensitively (`NOCASE`: ASCII letters),
//! then by ID, so an order never depends on how rows were written.

use super::read::{group_row, GROUP_COLUMNS};
use super::search::Search;
use super::{GroupListing, GroupName, GroupOrder, MemberListing, MemberOrder, ObjectRecord, Window};
use crate::error::{Result, StoreError};
use rusqlite::{Connection, Row, ToSql};

/// The rows `window` asks for, as SQL's `LIMIT`/`OFFSET` values (`-1`: no limit).
fn limits(window: Window) -> Result<(i64, i64)> {
    let rows = match window.rows {
        Some(n) => i64::try_from(n).map_err(|_| StoreError::Invalid("page size out of range"))?,
        None => -1,
    };
    Ok((rows, i64::try_from(window.start).map_err(|_| StoreError::Invalid("page start out of range"))?))
}

fn direction(descending: bool) -> &'static str {
    if descending {
        "DESC"
    } else {
        "ASC"
    }
}

/// A page of groups and how many match in all. With a search: groups whose name or mail has
/// a word starting with each of its words, or whose ID matches.
pub fn group_page(conn: &Connection, search: Option<&str>, order: GroupOrder, descending: bool, window: Window) -> Result<(Vec<GroupListing>, u64)> {
    let dir = direction(descending);
    let order_sql = match order {
        GroupOrder::Name => format!("g.display_name COLLATE NOCASE {dir}, g.id {dir}"),
        GroupOrder::Members => format!("g.direct_members {dir}, g.display_name COLLATE NOCASE {dir}, g.id {dir}"),
    };
    let (rows, start) = limits(window)?;
    let columns = listing_columns();
    let search = search.and_then(Search::new);
    let Some(search) = search else {
        // The page's IDs from the order's index, then only their rows.
        let sql = format!(
            "SELECT {columns} FROM groups AS g WHERE g.id IN (SELECT g.id FROM groups AS g ORDER BY {order_sql} LIMIT ?1 OFFSET ?2) ORDER BY {order_sql}"
        );
        let items = conn.prepare_cached(&sql)?.query_and_then([rows, start], listing)?.collect::<Result<Vec<_>>>()?;
        let total: i64 = conn.prepare_cached("SELECT count(*) FROM groups")?.query_row([], |r| r.get(0))?;
        return Ok((items, total.max(0) as u64));
    };
    if order == GroupOrder::Name && search.words.is_some() {
        let out_of_order = super::search::groups_out_of_order(conn)?;
        if out_of_order <= super::search::OUT_OF_ORDER_MAX {
            return by_name_in_index_order(conn, &search, descending, window, out_of_order);
        }
    }
    let mut hits = vec![format!("SELECT g.id FROM groups AS g WHERE {}", search.id_sql("g.id"))];
    hits.extend(search.words_sql(" AND s.rowid < 0"));
    let hits = hits.join(" UNION ");
    let sql = format!(
        "SELECT {columns}, count(*) OVER () FROM ({hits}) AS h JOIN groups AS g ON g.id = h.id ORDER BY {order_sql} LIMIT :rows OFFSET :start"
    );
    let mut bound: Vec<(&str, &dyn ToSql)> = vec![(":rows", &rows), (":start", &start)];
    search.bind(&mut bound);
    let mut total = 0;
    let items = conn
        .prepare_cached(&sql)?
        .query_and_then(bound.as_slice(), |r| {
            total = r.get::<_, i64>(9)?.max(0) as u64;
            listing(r)
        })?
        .collect::<Result<Vec<_>>>()?;
    if items.is_empty() && start > 0 {
        let count = format!("SELECT count(*) FROM ({hits})");
        bound.retain(|(name, _)| *name != ":rows" && *name != ":start");
        total = conn.prepare_cached(&count)?.query_row(bound.as_slice(), |r| r.get::<_, i64>(0))?.max(0) as u64;
    }
    Ok((items, total))
}

/// A page of the groups matching a search (with words), by name: without sorting every match.
///
/// The index numbers groups in name order, but for the `out_of_order` rows added or renamed
/// since (see migration `0008_groups_in_order`). Matches read in row order therefore come by
/// name among those in order, so the page's groups are among the first `start + rows +
/// out_of_order` matches in row order (that many, because the out-of-order ones may be among
/// them), the matches out of order, and the groups whose ID matches: only those are sorted.
/// The total counts the matches in the index alone, plus the ID matches it does not hold.
fn by_name_in_index_order(conn: &Connection, search: &Search, descending: bool, window: Window, out_of_order: u64) -> Result<(Vec<GroupListing>, u64)> {
    let dir = direction(descending);
    let (rows, start) = limits(window)?;
    let reach = match window.rows {
        Some(n) => i64::try_from(window.start.saturating_add(n).saturating_add(out_of_order)).unwrap_or(i64::MAX),
        None => -1,
    };
    let columns = listing_columns();
    let matches = "SELECT rowid FROM search_text WHERE search_text MATCH :words AND rowid < 0";
    // The matches out of order: reading them means reading every match (as the count does);
    // right after a full sync there are none, and the query leaves the part out.
    let out_of_order_part = if out_of_order > 0 {
        format!("UNION SELECT r.id FROM search_rows AS r WHERE r.in_order = 0 AND r.fts_rowid < 0 AND r.fts_rowid IN ({matches})")
    } else {
        String::new()
    };
    let sql = format!(
        "WITH candidates (id) AS (
             SELECT r.id FROM ({matches} ORDER BY rowid {dir} LIMIT :reach) AS s JOIN search_rows AS r ON r.fts_rowid = s.rowid
             {out_of_order_part}
             UNION SELECT g.id FROM groups AS g WHERE {id})
         SELECT {columns} FROM candidates AS c JOIN groups AS g ON g.id = c.id
         ORDER BY g.display_name COLLATE NOCASE {dir}, g.id {dir} LIMIT :rows OFFSET :start",
        id = search.id_sql("g.id"),
    );
    let mut bound: Vec<(&str, &dyn ToSql)> = vec![(":rows", &rows), (":start", &start), (":reach", &reach)];
    search.bind(&mut bound);
    let items = conn.prepare_cached(&sql)?.query_and_then(bound.as_slice(), listing)?.collect::<Result<Vec<_>>>()?;
    let count = format!(
        "SELECT (SELECT count(*) FROM search_text WHERE search_text MATCH :words AND rowid < 0)
              + (SELECT count(*) FROM groups AS g WHERE {id}
                 AND NOT EXISTS (SELECT 1 FROM search_rows AS r WHERE r.id = g.id AND r.is_group = 1 AND r.fts_rowid IN ({matches})))",
        id = search.id_sql("g.id"),
    );
    bound.retain(|(name, _)| ![":rows", ":start", ":reach"].contains(name));
    let total: i64 = conn.prepare_cached(&count)?.query_row(bound.as_slice(), |r| r.get(0))?;
    Ok((items, total.max(0) as u64))
}

/// The columns [`listing`] reads, of the `groups` row `g`.
fn listing_columns() -> String {
    format!("{}, g.direct_members", GROUP_COLUMNS.split(", ").map(|c| format!("g.{c}")).collect::<Vec<_>>().join(", "))
}

fn listing(r: &Row<'_>) -> Result<GroupListing> {
    Ok(GroupListing { group: group_row(r)?, direct_members: r.get::<_, i64>(8)?.max(0) as u64 })
}

/// A page of the members of `walk`'s groups and how many there are in all.
///
/// `walk` is a group and the nested groups found under it, breadth-first, each with its depth
/// (0 for the asked group; just `[(group, 0)]` for its direct members). Each member is listed
/// once, at the depth of the first group of the walk that holds it plus one, with that group
/// as its `via`; `exclude` (the asked group, which a cycle leads back to) is left out. With a
/// search: members whose words or ID match. Orders: by depth then name, or by name.
pub fn member_page(
    conn: &Connection,
    walk: &[(String, u32)],
    exclude: &str,
    search: Option<&str>,
    order: MemberOrder,
    descending: bool,
    window: Window,
) -> Result<(Vec<MemberListing>, u64)> {
    let dir = direction(descending);
    let order_sql = match order {
        MemberOrder::Depth => format!("f.depth {dir}, name COLLATE NOCASE {dir}, f.id {dir}"),
        MemberOrder::Name => format!("name COLLATE NOCASE {dir}, f.id {dir}"),
    };
    let (rows, start) = limits(window)?;
    let walk_json = serde_json::to_string(walk).map_err(|_| StoreError::Invalid("a walk that is not encodable"))?;
    // One group: its members, each once by the primary key. More: the first group holding
    // each member (`min(ord)`: SQLite takes the bare columns from that row).
    let found = if walk.len() == 1 {
        "SELECT gm.member_id AS id, gm.member_type AS type, 1 AS depth, gm.group_id AS via
         FROM group_members AS gm WHERE gm.group_id = (SELECT value ->> 0 FROM json_each(:walk)) AND gm.member_id <> :exclude"
    } else {
        "SELECT gm.member_id AS id, gm.member_type AS type, min(w.ord), w.depth + 1 AS depth, w.group_id AS via
         FROM (SELECT value ->> 0 AS group_id, value ->> 1 AS depth, key AS ord FROM json_each(:walk)) AS w
         JOIN group_members AS gm ON gm.group_id = w.group_id
         WHERE gm.member_id <> :exclude GROUP BY gm.member_id"
    };
    let search = search.and_then(Search::new);
    let filter = match &search {
        None => String::new(),
        Some(s) => {
            let mut any = vec![s.id_sql("f.id")];
            // The member's rows in the index against the set of matching rows, read once.
            if s.words.is_some() {
                any.push(
                    "EXISTS (SELECT 1 FROM search_rows AS r WHERE r.id = f.id
                             AND r.fts_rowid IN (SELECT rowid FROM search_text WHERE search_text MATCH :words))"
                        .into(),
                );
            }
            format!("WHERE {}", any.join(" OR "))
        }
    };
    // Only what the order needs is read for every member (one name lookup each); the rest
    // (kind, sign-in name, the via group's name) only for the page's rows.
    let name = "CASE WHEN f.type = 'group' THEN (SELECT g.display_name FROM groups AS g WHERE g.id = f.id)
                     ELSE (SELECT n.display_name FROM directory_names AS n WHERE n.id = f.id) END";
    let body = format!("FROM ({found}) AS f {filter}");
    let sql = format!(
        "WITH page AS (SELECT f.id, f.type, f.depth, f.via, {name} AS name {body} ORDER BY {order_sql} LIMIT :rows OFFSET :start)
         SELECT f.id, CASE WHEN f.type = 'group' THEN 'group' ELSE coalesce(n.kind, f.type) END, f.name,
                CASE WHEN f.type <> 'group' THEN n.user_principal_name END, f.depth, f.via, vg.display_name
         FROM page AS f LEFT JOIN directory_names AS n ON n.id = f.id LEFT JOIN groups AS vg ON vg.id = f.via
         ORDER BY {order_sql}"
    );
    let mut bound: Vec<(&str, &dyn ToSql)> = vec![(":walk", &walk_json), (":exclude", &exclude), (":rows", &rows), (":start", &start)];
    if let Some(s) = &search {
        s.bind(&mut bound);
    }
    let items = conn
        .prepare_cached(&sql)?
        .query_and_then(bound.as_slice(), |r| -> Result<MemberListing> {
            let depth: i64 = r.get(4)?;
            Ok(MemberListing {
                member: ObjectRecord { id: r.get(0)?, kind: r.get(1)?, display_name: r.get(2)?, user_principal_name: r.get(3)? },
                depth: u32::try_from(depth).map_err(|_| StoreError::Invalid("a depth out of range"))?,
                via: GroupName { id: r.get(5)?, display_name: r.get(6)? },
            })
        })?
        .collect::<Result<Vec<_>>>()?;
    // The total: a page shorter than asked ends the list; otherwise count (no names read).
    let ended = window.rows.is_none_or(|n| (items.len() as u64) < n);
    let total = if ended && !(items.is_empty() && window.start > 0) {
        window.start + items.len() as u64
    } else {
        bound.retain(|(name, _)| *name != ":rows" && *name != ":start");
        conn.prepare_cached(&format!("SELECT count(*) {body}"))?.query_row(bound.as_slice(), |r| r.get::<_, i64>(0))?.max(0) as u64
    };
    Ok((items, total))
}
