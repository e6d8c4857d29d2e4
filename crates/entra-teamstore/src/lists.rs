//! The team store's paged reads: a page of leases or audit lines and how many the query keeps,
//! searched, filtered and sorted in SQL in the words of entra-core's `leases::lists` — the same
//! pages as the SQLite adapter's (text compared in byte order, `COLLATE "C"`, as SQLite does; ties
//! by lease ID in the order's direction; an issuer-less lease last either way) — and the lease
//! counts. The count and the page are read in
//! one snapshot (REPEATABLE READ), so a member writing meanwhile cannot make them disagree.

use crate::address::TeamStoreAddress;
use crate::audit::{entry, ENTRY_COLUMNS};
use crate::errors::query_error;
use crate::leases::{query_leases, refs, Param, LEASE_COLUMNS};
use entra_core::leases::store::StoredLease;
use entra_core::leases::{contains_pattern, AuditEntry, AuditQuery, LeaseCounts, LeaseOrder, LeaseState, LeaseStatus, LeasesQuery};
use entra_core::paging::{ListPage, ListQuery};
use entra_core::Result;
use tokio_postgres::GenericClient;

/// A `WHERE` clause being built, with its numbered parameters (`$1`, `$2`, …).
#[derive(Default)]
struct Filter {
    clauses: Vec<String>,
    values: Vec<Param>,
}

impl Filter {
    /// Binds `value` and returns its placeholder.
    fn bind(&mut self, value: Param) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// `column = ANY(…)` over `statuses`.
    fn statuses(&mut self, column: &str, statuses: &[LeaseStatus]) {
        let names: Vec<String> = statuses.iter().map(|s| s.as_str().to_string()).collect();
        let p = self.bind(Box::new(names));
        self.clauses.push(format!("{column} = ANY({p})"));
    }

    /// `lower(column) = lower(value)`, or `column = value` when not `folded`.
    fn equals(&mut self, column: &str, value: &str, folded: bool) {
        let p = self.bind(Box::new(value.to_string()));
        self.clauses.push(if folded { format!("lower({column}) = lower({p})") } else { format!("{column} = {p}") });
    }

    /// Case-insensitive "contains" of the search text in any of `columns` (or the `extra` SQL,
    /// where `{}` stands for the pattern's placeholder): `ILIKE`, which folds every letter.
    fn search(&mut self, text: &str, columns: &[&str], extra: Option<&str>) {
        let p = self.bind(Box::new(contains_pattern(text)));
        let mut any: Vec<String> = columns.iter().map(|c| format!("{c} ILIKE {p} ESCAPE '\\'")).collect();
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

    /// `LIMIT $n OFFSET $m` for `list`, bound after the filter's parameters.
    fn window(&mut self, list: &ListQuery) -> String {
        let limit = self.bind(Box::new(i64::from(list.rows())));
        let offset = self.bind(Box::new(i64::try_from(list.start).unwrap_or(i64::MAX)));
        format!("LIMIT {limit} OFFSET {offset}")
    }
}

async fn count<C: GenericClient>(c: &C, at: &TeamStoreAddress, sql: &str, values: &[Param]) -> Result<u64> {
    let row = c.query_one(sql, &refs(values)).await.map_err(|e| query_error(e, at))?;
    let n: i64 = row.try_get(0).map_err(|e| query_error(e, at))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A page of the leases `q` keeps, in `order` (checked by the caller: [`LeasesQuery::order`]).
pub(crate) async fn lease_page<C: GenericClient>(
    c: &C,
    at: &TeamStoreAddress,
    q: &LeasesQuery,
    (order, descending): (LeaseOrder, bool),
) -> Result<ListPage<StoredLease>> {
    let mut f = Filter::default();
    if let Some(statuses) = q.state.statuses() {
        f.statuses("status", &statuses);
    }
    if let Some(issuer) = q.issuer() {
        f.equals("issued_by", issuer, true);
    }
    if let Some(definition) = q.definition_name() {
        f.equals("definition", definition, false);
    }
    if let Some(text) = q.list.search_text() {
        // The target's name lives with the definitions (the screen shows it in the target's cell).
        let named = "target IN (SELECT target FROM lease_definitions WHERE target_name ILIKE {} ESCAPE '\\')";
        f.search(text, &["id", "definition", "target", "key_id", "issued_by"], Some(named));
    }
    let total = count(c, at, &format!("SELECT count(*) FROM leases {}", f.sql()), &f.values).await?;
    if q.list.start >= total {
        return Ok(q.list.page(Vec::new(), total));
    }
    let (key, nulls) = match order {
        LeaseOrder::Issued => ("issued_at", ""),
        LeaseOrder::Expires => ("expires_at", ""),
        LeaseOrder::Definition => ("definition COLLATE \"C\"", ""),
        LeaseOrder::IssuedBy => ("lower(issued_by) COLLATE \"C\"", " NULLS LAST"),
    };
    let direction = if descending { "DESC" } else { "ASC" };
    let filter = f.sql();
    let window = f.window(&q.list);
    let sql = format!("SELECT {LEASE_COLUMNS} FROM leases {filter} ORDER BY {key} {direction}{nulls}, id COLLATE \"C\" {direction} {window}");
    Ok(q.list.page(query_leases(c, at, &sql, &refs(&f.values)).await?, total))
}

/// A page of the audit lines `q` keeps, newest first when `newest_first` (checked by the caller:
/// [`AuditQuery::newest_first`]).
pub(crate) async fn audit_page<C: GenericClient>(c: &C, at: &TeamStoreAddress, q: &AuditQuery, newest_first: bool) -> Result<ListPage<AuditEntry>> {
    let mut f = Filter::default();
    if let Some(lease) = q.lease() {
        f.equals("lease_id", lease, false);
    }
    if let Some(action) = q.action {
        f.equals("action", action.as_str(), false);
    }
    if let Some(text) = q.list.search_text() {
        f.search(text, &["detail", "actor", "lease_id", "definition", "target", "request_id"], None);
    }
    let total = count(c, at, &format!("SELECT count(*) FROM audit_log {}", f.sql()), &f.values).await?;
    if q.list.start >= total {
        return Ok(q.list.page(Vec::new(), total));
    }
    let direction = if newest_first { "DESC" } else { "ASC" };
    let filter = f.sql();
    let window = f.window(&q.list);
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log {filter} ORDER BY seq {direction} {window}");
    let rows = c.query(&sql, &refs(&f.values)).await.map_err(|e| query_error(e, at))?;
    Ok(q.list.page(rows.iter().map(entry).collect::<Result<Vec<_>>>()?, total))
}

/// The counts beside the page, in one pass over the leases and one over the live ones.
pub(crate) async fn lease_counts<C: GenericClient>(c: &C, at: &TeamStoreAddress) -> Result<LeaseCounts> {
    let sql = |e| query_error(e, at);
    let attention: Vec<&str> = [LeaseStatus::Pending, LeaseStatus::RevokeFailed].iter().map(|s| s.as_str()).collect();
    let row = c
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY($1)), count(*) FILTER (WHERE tenant_id IS NULL OR authority IS NULL) FROM leases",
            &[&attention],
        )
        .await
        .map_err(sql)?;
    let number = |i: usize| -> Result<u64> { Ok(u64::try_from(row.try_get::<_, i64>(i).map_err(sql)?).unwrap_or(0)) };
    let (total, attention, unbound) = (number(0)?, number(1)?, number(2)?);
    let live: Vec<&str> = LeaseState::Live.statuses().unwrap_or_default().iter().map(|s| s.as_str()).collect();
    let rows = c.query("SELECT definition, count(*) FROM leases WHERE status = ANY($1) GROUP BY definition", &[&live]).await.map_err(sql)?;
    let mut live_by_definition = std::collections::BTreeMap::new();
    for r in &rows {
        let (name, n): (String, i64) = (r.try_get(0).map_err(sql)?, r.try_get(1).map_err(sql)?);
        live_by_definition.insert(name, u64::try_from(n).unwrap_or(0));
    }
    Ok(LeaseCounts { total, live: live_by_definition.values().sum(), attention, unbound, live_by_definition })
}
