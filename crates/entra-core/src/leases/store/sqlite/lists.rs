//! The SQLite adapter's paged reads: a page of leases or audit lines and how many the query keeps,
//! searched, filtered and sorted in SQL (the words are `leases::lists`'), and the lease counts.
//! Each runs inside the caller's read transaction, so the count and the page see one state.
//!
//! Filters are `WHERE` clauses only for what the query names, so SQLite can use an index for
//! each, and the orders are the indexes' (migration `0007_lease_lists`: by issue time, expiry,
//! definition, issuer; audit lines by action): a page walks an index to its start instead of
//! sorting every lease. Values are bound, never written into the SQL.

use super::audit::{entry, ENTRY_COLUMNS};
use super::{query_leases, StoredLease, LEASE_COLUMNS};
use crate::leases::counts::LeaseCounts;
use crate::leases::lists::{contains_pattern, AuditQuery, LeaseOrder, LeaseState, LeasesQuery};
use crate::leases::types::{AuditEntry, LeaseStatus};
use crate::paging::{ListPage, ListQuery};
use crate::Result;
use entra_store::rusqlite::types::Value;
use entra_store::rusqlite::{self, params_from_iter, Connection};

/// A `WHERE` clause being built, with its numbered parameters (`?1`, `?2`, …).
#[derive(Default)]
struct Filter {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Filter {
    /// Binds `value` and returns its placeholder.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("?{}", self.values.len())
    }

    /// `column IN (…)` over `statuses`.
    fn statuses(&mut self, column: &str, statuses: &[LeaseStatus]) {
        let marks: Vec<String> = statuses.iter().map(|s| self.bind(s.as_str().to_string())).collect();
        self.clauses.push(format!("{column} IN ({})", marks.join(", ")));
    }

    /// Case-insensitive "contains" of the search text in any of `columns` (or the `extra` SQL,
    /// where `{}` stands for the pattern's placeholder): `LIKE`, which folds ASCII letters.
    fn search(&mut self, text: &str, columns: &[&str], extra: Option<&str>) {
        let p = self.bind(contains_pattern(text));
        let mut any: Vec<String> = columns.iter().map(|c| format!("{c} LIKE {p} ESCAPE '\\'")).collect();
        any.extend(extra.map(|e| e.replace("{}", &p)));
        self.clauses.push(format!("({})", any.join(" OR ")));
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// `LIMIT ?n OFFSET ?m` for `list`, bound after the filter's parameters.
    fn window(&mut self, list: &ListQuery) -> String {
        let limit = self.bind(i64::from(list.rows()));
        let offset = self.bind(i64::try_from(list.start).unwrap_or(i64::MAX));
        format!("LIMIT {limit} OFFSET {offset}")
    }
}

fn count(c: &Connection, sql: &str, values: &[Value]) -> entra_store::Result<u64> {
    let n: i64 = c.query_row(sql, params_from_iter(values.iter()), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A page of the leases `q` keeps, in `order` (checked by the caller: [`LeasesQuery::order`]).
pub(super) fn lease_page(c: &Connection, q: &LeasesQuery, (order, descending): (LeaseOrder, bool)) -> entra_store::Result<Result<ListPage<StoredLease>>> {
    let mut f = Filter::default();
    if let Some(statuses) = q.state.statuses() {
        f.statuses("status", &statuses);
    }
    if let Some(issuer) = q.issuer() {
        let p = f.bind(issuer.to_string());
        f.clauses.push(format!("lower(issued_by) = lower({p})"));
    }
    if let Some(definition) = q.definition_name() {
        let p = f.bind(definition.to_string());
        f.clauses.push(format!("definition = {p}"));
    }
    if let Some(text) = q.list.search_text() {
        // The target's name lives with the definitions (the screen shows it in the target's cell).
        let named = "target IN (SELECT target FROM lease_definitions WHERE target_name LIKE {} ESCAPE '\\')";
        f.search(text, &["id", "definition", "target", "key_id", "issued_by"], Some(named));
    }
    let total = count(c, &format!("SELECT count(*) FROM leases {}", f.sql()), &f.values)?;
    if q.list.start >= total {
        return Ok(Ok(q.list.page(Vec::new(), total)));
    }
    let (key, nulls) = match order {
        LeaseOrder::Issued => ("issued_at", ""),
        LeaseOrder::Expires => ("expires_at", ""),
        LeaseOrder::Definition => ("definition", ""),
        LeaseOrder::IssuedBy => ("lower(issued_by)", " NULLS LAST"),
    };
    let direction = if descending { "DESC" } else { "ASC" };
    let filter = f.sql();
    let window = f.window(&q.list);
    // The ID breaks ties in the order's own direction, so an index of `(key, id)` serves either (0007).
    let sql = format!("SELECT {LEASE_COLUMNS} FROM leases {filter} ORDER BY {key} {direction}{nulls}, id {direction} {window}");
    Ok(query_leases(c, &sql, params_from_iter(f.values.iter()))?.map(|items| q.list.page(items, total)))
}

/// A page of the audit lines `q` keeps, newest first when `newest_first` (checked by the caller:
/// [`AuditQuery::newest_first`]).
pub(super) fn audit_page(c: &Connection, q: &AuditQuery, newest_first: bool) -> entra_store::Result<Result<ListPage<AuditEntry>>> {
    let mut f = Filter::default();
    if let Some(lease) = q.lease() {
        let p = f.bind(lease.to_string());
        f.clauses.push(format!("lease_id = {p}"));
    }
    if let Some(action) = q.action {
        let p = f.bind(action.as_str().to_string());
        f.clauses.push(format!("action = {p}"));
    }
    if let Some(text) = q.list.search_text() {
        f.search(text, &["detail", "actor", "lease_id", "definition", "target", "request_id"], None);
    }
    let total = count(c, &format!("SELECT count(*) FROM audit_log {}", f.sql()), &f.values)?;
    if q.list.start >= total {
        return Ok(Ok(q.list.page(Vec::new(), total)));
    }
    let direction = if newest_first { "DESC" } else { "ASC" };
    let filter = f.sql();
    let window = f.window(&q.list);
    let mut stmt = c.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM audit_log {filter} ORDER BY seq {direction} {window}"))?;
    let rows = stmt.query_map(params_from_iter(f.values.iter()), entry)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.into_iter().collect::<Result<Vec<_>>>().map(|items| q.list.page(items, total)))
}

/// The counts beside the page, each from an index (live and attention by `leases_by_status`,
/// unbound by `leases_unbound`), none reading every lease's row.
pub(super) fn lease_counts(c: &Connection) -> entra_store::Result<LeaseCounts> {
    let total = count(c, "SELECT count(*) FROM leases", &[])?;
    let mut f = Filter::default();
    f.statuses("status", &[LeaseStatus::Pending, LeaseStatus::RevokeFailed]);
    let attention = count(c, &format!("SELECT count(*) FROM leases {}", f.sql()), &f.values)?;
    // Written as `leases_unbound`'s condition, so SQLite counts that (small) partial index.
    let unbound = count(c, "SELECT count(*) FROM leases WHERE tenant_id IS NULL OR authority IS NULL", &[])?;
    let mut f = Filter::default();
    f.statuses("status", &LeaseState::Live.statuses().unwrap_or_default());
    let mut stmt = c.prepare(&format!("SELECT definition, count(*) FROM leases {} GROUP BY definition", f.sql()))?;
    let live_by_definition = stmt
        .query_map(params_from_iter(f.values.iter()), |r| Ok((r.get::<_, String>(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0))))?
        .collect::<rusqlite::Result<std::collections::BTreeMap<_, _>>>()?;
    Ok(LeaseCounts { total, live: live_by_definition.values().sum(), attention, unbound, live_by_definition })
}
