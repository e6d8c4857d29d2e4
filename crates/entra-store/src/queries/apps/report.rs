//! The Credential expiry report read a page at a time, searched, filtered and sorted in SQLite
//! ([`credential_order`], then [`credentials_at`] for a slice of it), and counted against any
//! time boundaries ([`report_ends`]).
//!
//! The report lists every credential with an end, certificate twins once
//! (`matching::listed_once`, the SQL twin of the core's `merge_twins`): a page is the listed
//! rows' keys plus their objects, and the core merges each object's twins as it always has,
//! so the rows a page shows are the rows the whole report holds.

use super::matching::{listed_once, Contains};
use super::read::objects_with_ids;
use super::{CredentialType, ObjectRow, ObjectType};
use crate::error::{Result, StoreError};
use crate::sql::{parse_ts, ts};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

/// Which ends a page keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EndFilter {
    /// Every credential (the default).
    #[default]
    Any,
    /// Ended at this time or before (expired).
    By(DateTime<Utc>),
    /// Ends after the first time and at the second or before (inside a window).
    Between(DateTime<Utc>, DateTime<Utc>),
}

/// Whose credentials a page keeps, by their owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerFilter {
    /// Objects whose owners are loaded and are none.
    Nobody,
    /// Objects with an owner whose name, user principal name or mail contains this.
    Matching(String),
}

/// What the rows of a report page must match. `Default`: every credential.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialFilter {
    /// The object's name or application ID, the credential's name or key ID contains this.
    pub search: Option<String>,
    /// Only client secrets, or only certificates.
    pub credential_type: Option<CredentialType>,
    /// Only app registrations' credentials, or only service principals'.
    pub object_type: Option<ObjectType>,
    /// By owner; objects whose owners are not loaded yet match no owner filter.
    pub owner: Option<OwnerFilter>,
    /// By end.
    pub ends: EndFilter,
}

/// The orders of the report. Ties (and the default) go by end, then the object's name, then key ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSort {
    /// End (the default): soonest first.
    End,
    /// The object's display name, case-insensitively.
    App,
    /// App registrations first.
    ObjectType,
    /// Certificates first.
    Kind,
    /// The credential's display name; none last.
    Name,
}

/// Which rows of the report, in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialQuery {
    /// What the rows match.
    pub filter: CredentialFilter,
    /// The order.
    pub sort: CredentialSort,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// A listed credential row: the one that stands for its twins (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialKey {
    /// The object it belongs to.
    pub object_id: String,
    /// Its key ID.
    pub key_id: String,
    /// Password or certificate.
    pub credential_type: CredentialType,
    /// Its end.
    pub end: DateTime<Utc>,
}

/// The rows of one slice of a [`credential_order`].
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialRows {
    /// The rows, in the order asked.
    pub keys: Vec<CredentialKey>,
    /// Their objects (each once), with every credential and the owners.
    pub objects: Vec<ObjectRow>,
}

/// Every report row matching `query`, in its order, as rowids of `credentials`: small to keep,
/// and valid while the cache's [`ChangeStamp`](super::ChangeStamp) stays the same. Its length
/// is the total; a page is a slice of it, read with [`credentials_at`].
///
/// The objects drive the join (`CROSS JOIN` fixes the order SQLite would otherwise pick: the
/// end index, then one random object lookup per row), so both sides are read from their
/// covering indexes of migration `0006_apps_listing`.
pub fn credential_order(conn: &Connection, query: &CredentialQuery) -> Result<Vec<i64>> {
    let (condition, args) = condition(&query.filter);
    let order = order_by(query.sort, query.descending);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.rowid FROM directory_objects o CROSS JOIN credentials c ON c.object_id = o.id
         WHERE {condition} ORDER BY {order}"
    ))?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The rows at these rowids (a slice of a [`credential_order`]), in that order, and their objects.
pub fn credentials_at(conn: &Connection, rowids: &[i64]) -> Result<CredentialRows> {
    let list = serde_json::Value::from(rowids).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT c.object_id, c.key_id, c.credential_type, c.end_date_time
         FROM json_each(?1) AS r CROSS JOIN credentials c ON c.rowid = r.value ORDER BY r.key",
    )?;
    let mut rows = stmt.query([list])?;
    let mut keys = Vec::new();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(2)?;
        let end: Option<String> = r.get(3)?;
        keys.push(CredentialKey {
            object_id: r.get(0)?,
            key_id: r.get(1)?,
            credential_type: CredentialType::parse(&kind).ok_or(decode("credential_type"))?,
            end: parse_ts(end.as_deref().ok_or(decode("end_date_time"))?, "credentials", "end_date_time")?,
        });
    }
    let mut ids: Vec<String> = Vec::new();
    for k in &keys {
        if !ids.contains(&k.object_id) {
            ids.push(k.object_id.clone());
        }
    }
    Ok(CredentialRows { objects: objects_with_ids(conn, &ids)?, keys })
}

/// The ends of every credential the report lists, sorted, to be counted against boundaries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportEnds {
    /// As stored: fixed-shape text whose order is time order, so no row is parsed.
    sorted: Vec<String>,
}

impl ReportEnds {
    /// How many credentials the report lists.
    pub fn len(&self) -> u64 {
        self.sorted.len() as u64
    }

    /// The report lists none.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// How many end at `time` or before.
    pub fn by(&self, time: DateTime<Utc>) -> u64 {
        let t = ts(&time);
        self.sorted.partition_point(|e| e.as_str() <= t.as_str()) as u64
    }

    /// How many end before `time`.
    pub fn before(&self, time: DateTime<Utc>) -> u64 {
        let t = ts(&time);
        self.sorted.partition_point(|e| e.as_str() < t.as_str()) as u64
    }
}

/// The ends of every credential the report lists (twins once), for its window counts and chart.
pub fn report_ends(conn: &Connection) -> Result<ReportEnds> {
    // `+`: a scan of the covering `credentials_by_object`, sorted here, rather than the end
    // index in order with a row lookup for each of its entries (three times slower).
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.end_date_time FROM credentials c WHERE +c.end_date_time IS NOT NULL AND {}",
        listed_once("c")
    ))?;
    let mut sorted = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    sorted.sort_unstable();
    Ok(ReportEnds { sorted })
}

/// The `WHERE` condition on `credentials c JOIN directory_objects o` and its arguments.
fn condition(filter: &CredentialFilter) -> (String, Vec<Value>) {
    let mut parts = vec!["c.end_date_time IS NOT NULL".to_string(), listed_once("c")];
    let mut args = Vec::new();
    if let Some(kind) = filter.credential_type {
        parts.push("c.credential_type = ?".into());
        args.push(Value::Text(kind.as_str().into()));
    }
    if let Some(kind) = filter.object_type {
        parts.push("o.object_type = ?".into());
        args.push(Value::Text(kind.as_str().into()));
    }
    match filter.ends {
        EndFilter::Any => {}
        EndFilter::By(t) => {
            parts.push("c.end_date_time <= ?".into());
            args.push(Value::Text(ts(&t)));
        }
        EndFilter::Between(after, until) => {
            parts.push("c.end_date_time > ? AND c.end_date_time <= ?".into());
            args.extend([Value::Text(ts(&after)), Value::Text(ts(&until))]);
        }
    }
    match &filter.owner {
        None => {}
        Some(OwnerFilter::Nobody) => parts.push(
            "o.owners_loaded_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM owners w WHERE w.object_id = o.id)".into(),
        ),
        Some(OwnerFilter::Matching(text)) => {
            let contains = Contains::new(text.trim());
            parts.push(format!(
                "EXISTS (SELECT 1 FROM owners w WHERE w.object_id = o.id AND ({} OR {} OR {}))",
                contains.on("w.display_name"),
                contains.on("w.user_principal_name"),
                contains.on("w.mail")
            ));
            args.extend(std::iter::repeat_n(Value::Text(contains.pattern), 3));
        }
    }
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let contains = Contains::new(text);
        let columns = ["o.display_name", "o.app_id", "c.display_name", "c.key_id"];
        parts.push(format!("({})", columns.map(|c| contains.on(c)).join(" OR ")));
        args.extend(std::iter::repeat_n(Value::Text(contains.pattern), 4));
    }
    (parts.join(" AND "), args)
}

/// The `ORDER BY` of `sort`: its key, then the report's own order (end, object name, key ID).
fn order_by(sort: CredentialSort, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    // As the whole report sorts (`entra_core::credentials::expiry`): names as bytes, none as "".
    let report = format!("c.end_date_time {dir}, coalesce(o.display_name, '') {dir}, c.key_id {dir}, c.object_id {dir}");
    match sort {
        CredentialSort::End => report,
        CredentialSort::App => format!("coalesce(o.display_name, '') COLLATE NOCASE {dir}, {report}"),
        CredentialSort::ObjectType => format!("o.object_type = 'servicePrincipal' {dir}, {report}"),
        CredentialSort::Kind => format!("c.credential_type {dir}, {report}"),
        CredentialSort::Name => format!("c.display_name IS NULL, c.display_name COLLATE NOCASE {dir}, {report}"),
    }
}

fn decode(column: &'static str) -> StoreError {
    StoreError::Decode { table: "credentials", column }
}
