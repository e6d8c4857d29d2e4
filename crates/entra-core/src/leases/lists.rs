//! The lease list and the audit log a page at a time: what the screen asks ([`LeasesQuery`],
//! [`AuditQuery`]: the shared [`ListQuery`] and each list's own filters) and the orders each
//! accepts (the counts the screen shows beside its page are `counts`'). Searching,
//! filtering, sorting and counting run in the store, in SQL (both adapters); the words here are
//! the one definition both read, so the two cannot disagree on what a key or a filter means.
//!
//! The search is case-insensitive "contains" ([`contains_pattern`]: `LIKE` in SQLite, `ILIKE` in
//! PostgreSQL), and "Mine" a case-insensitive match of the user name (`lower()` of both sides):
//! SQLite folds ASCII letters only, PostgreSQL every letter; each folds the text and the column
//! alike. A search reads every row it could match (no index finds text inside a value); the
//! orders and the other filters are the indexes'.

use super::types::{AuditAction, LeaseStatus};
use crate::paging::ListQuery;
use crate::Result;
use serde::{Deserialize, Serialize};

/// Which leases by where they are in their life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LeaseState {
    /// Every lease.
    #[default]
    All,
    /// Leases something may still happen to: pending, active, revoking, revoke-failed.
    Live,
    /// Leases that are over: revoked, expired, abandoned.
    Ended,
}

impl LeaseState {
    /// The statuses this state keeps (`None`: every status).
    pub fn statuses(self) -> Option<Vec<LeaseStatus>> {
        match self {
            LeaseState::All => None,
            LeaseState::Live => Some(LeaseStatus::ALL.into_iter().filter(|s| !s.is_final()).collect()),
            LeaseState::Ended => Some(LeaseStatus::ALL.into_iter().filter(|s| s.is_final()).collect()),
        }
    }
}

/// A page of the lease list: `{search, sort, descending, start, limit, state, issuedBy,
/// definition}`, every field optional but `state` (`{}` is the first page, newest first).
///
/// The search looks in the lease's ID, definition, target, key ID and issuer, and in the
/// target's name as its definitions know it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct LeasesQuery {
    /// Search text, sort ([`LEASE_SORT_KEYS`]), start and rows.
    #[serde(flatten)]
    pub list: ListQuery,
    /// Live, ended or every lease.
    pub state: LeaseState,
    /// Only leases this account issued (its user name, compared case-insensitively): "Mine".
    #[cfg_attr(feature = "ts", ts(optional))]
    pub issued_by: Option<String>,
    /// Only leases of this definition (its exact name).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub definition: Option<String>,
}

/// The sort keys of the lease list: `issued` (the default, newest first when no key is given),
/// `expires`, `definition`, `issuedBy` (leases without an issuer last either way).
pub const LEASE_SORT_KEYS: [&str; 4] = ["issued", "expires", "definition", "issuedBy"];

/// The order of a lease page (ties broken by lease ID in the same direction, so pages never
/// overlap and one index serves both directions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseOrder {
    /// By issue time.
    Issued,
    /// By expiry.
    Expires,
    /// By definition name.
    Definition,
    /// By issuer, case-insensitively; leases without one last.
    IssuedBy,
}

impl LeasesQuery {
    /// The order asked for and whether it is descending: no key is newest first; an unknown
    /// key is `invalid_input` naming the accepted ones.
    pub fn order(&self) -> Result<(LeaseOrder, bool)> {
        if self.list.sort.as_deref().is_none_or(str::is_empty) {
            return Ok((LeaseOrder::Issued, true));
        }
        let order = match self.list.sort_key(&LEASE_SORT_KEYS)? {
            "expires" => LeaseOrder::Expires,
            "definition" => LeaseOrder::Definition,
            "issuedBy" => LeaseOrder::IssuedBy,
            _ => LeaseOrder::Issued,
        };
        Ok((order, self.list.descending))
    }

    /// The "Mine" filter's user name, trimmed; `None` when absent or blank.
    pub fn issuer(&self) -> Option<&str> {
        self.issued_by.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// The definition filter, trimmed; `None` when absent or blank.
    pub fn definition_name(&self) -> Option<&str> {
        self.definition.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// A page of the audit log: `{search, sort, descending, start, limit, leaseId, action}`, every
/// field optional (`{}` is the first page, newest first).
///
/// The search looks in the line's detail, actor, lease ID, definition, target and request-id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct AuditQuery {
    /// Search text, sort ([`AUDIT_SORT_KEYS`]), start and rows.
    #[serde(flatten)]
    pub list: ListQuery,
    /// Only the lines of this lease (its exact ID).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub lease_id: Option<String>,
    /// Only lines of this action.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub action: Option<AuditAction>,
}

/// The sort key of the audit log: `seq`, its position (no key: newest first).
pub const AUDIT_SORT_KEYS: [&str; 1] = ["seq"];

impl AuditQuery {
    /// Whether the page runs newest first: with no key, yes; `seq` follows `descending`; an
    /// unknown key is `invalid_input`.
    pub fn newest_first(&self) -> Result<bool> {
        if self.list.sort.as_deref().is_none_or(str::is_empty) {
            return Ok(true);
        }
        self.list.sort_key(&AUDIT_SORT_KEYS)?;
        Ok(self.list.descending)
    }

    /// The lease filter, trimmed; `None` when absent or blank.
    pub fn lease(&self) -> Option<&str> {
        self.lease_id.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// `text` as a `LIKE` pattern for "contains": `%`, `_` and `\` in it match themselves (the
/// adapters write `ESCAPE '\'`), so a search for `50%` is not a wildcard.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 4);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn a_lease_query_reads_from_the_screens_json_and_sorts_newest_first_by_default() {
        let q: LeasesQuery = serde_json::from_str(r#"{"search": " Ada ", "start": 200, "limit": 50, "state": "live", "issuedBy": "ADA@contoso.test"}"#).unwrap();
        assert_eq!((q.list.start, q.list.rows(), q.state), (200, 50, LeaseState::Live));
        assert_eq!((q.list.search_text(), q.issuer()), (Some("Ada"), Some("ADA@contoso.test")));
        assert_eq!(q.order().unwrap(), (LeaseOrder::Issued, true));
        let q: LeasesQuery = serde_json::from_str(r#"{"sort": "issuedBy", "descending": false, "definition": "  "}"#).unwrap();
        assert_eq!((q.order().unwrap(), q.definition_name()), ((LeaseOrder::IssuedBy, false), None));
        let q: LeasesQuery = serde_json::from_str(r#"{"sort": "owner"}"#).unwrap();
        let e = q.order().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.message().contains("issued, expires, definition, issuedBy"), "{}", e.message());
        assert_eq!(serde_json::from_str::<LeasesQuery>("{}").unwrap(), LeasesQuery::default());
    }

    #[test]
    fn an_audit_query_filters_by_lease_and_action_and_runs_newest_first_unless_sorted() {
        let q: AuditQuery = serde_json::from_str(r#"{"leaseId": " l-1 ", "action": "revokeFailed"}"#).unwrap();
        assert_eq!((q.lease(), q.action, q.newest_first().unwrap()), (Some("l-1"), Some(AuditAction::RevokeFailed), true));
        let q: AuditQuery = serde_json::from_str(r#"{"sort": "seq"}"#).unwrap();
        assert!(!q.newest_first().unwrap(), "seq ascending: oldest first");
        let q: AuditQuery = serde_json::from_str(r#"{"sort": "at"}"#).unwrap();
        assert_eq!(q.newest_first().unwrap_err().code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn a_search_is_a_contains_pattern_with_its_wildcards_escaped() {
        assert_eq!(contains_pattern("Ada"), "%Ada%");
        assert_eq!(contains_pattern(r"50%_a\b"), r"%50\%\_a\\b%");
    }

    #[test]
    fn live_and_ended_split_the_statuses() {
        let (live, ended) = (LeaseState::Live.statuses().unwrap(), LeaseState::Ended.statuses().unwrap());
        assert_eq!(live.len() + ended.len(), LeaseStatus::ALL.len());
        assert!(live.contains(&LeaseStatus::RevokeFailed) && ended.contains(&LeaseStatus::Abandoned));
        assert_eq!(LeaseState::All.statuses(), None);
    }
}
