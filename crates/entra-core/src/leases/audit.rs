//! The audit log: its lines as the service writes them (who, what, in words, with Graph's
//! request-id), read back (newest first, or a page at a time) and exported whole (oldest first)
//! as JSON lines or CSV. The store keeps it append-only and hash-chained; nothing here can change
//! a line once written, and [`Leases::verify_audit`] checks that nothing else did (`store::chain`).

use super::lists::AuditQuery;
use super::store::chain::{self, AuditVerification};
use super::types::{AuditAction, AuditEntry, AuditFormat, AuditLine, Lease};
use super::Leases;
use crate::csv::text_cell;
use crate::paging::ListPage;
use crate::Result;
use chrono::{DateTime, Utc};

/// An audit line about `lease`.
pub(crate) fn audit_for(lease: &Lease, at: DateTime<Utc>, action: AuditAction, actor: &str, detail: String, request_id: Option<String>) -> AuditLine {
    AuditLine {
        at,
        action,
        lease_id: Some(lease.id.clone()),
        definition: Some(lease.definition.clone()),
        target: Some(lease.target.clone()),
        actor: actor.to_string(),
        detail,
        request_id,
    }
}

/// A time as the audit log's details write it: RFC 3339 to the second, UTC.
pub(crate) fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Who the audit log names for an action that needs no account (renewing, removing a
/// definition): the operating-system user, as `local:<name>`.
pub(crate) fn local_actor() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_default();
    if user.trim().is_empty() {
        "local".to_string()
    } else {
        format!("local:{}", user.trim())
    }
}

fn csv(entries: &[AuditEntry]) -> String {
    // The header and the action names are the CSV's own (snake_case, kebab-case), as they have
    // always been: spreadsheets and scripts built on the export keep working.
    // `database_user` came last, after the team store: a column added at the end breaks no reader.
    let mut out = String::from("seq,at,action,lease_id,definition,target,actor,detail,request_id,database_user\r\n");
    for AuditEntry { seq, line: e, database_user } in entries {
        let cells = [
            seq.to_string(),
            e.at.to_rfc3339(),
            e.action.as_str().to_string(),
            e.lease_id.clone().unwrap_or_default(),
            e.definition.clone().unwrap_or_default(),
            e.target.clone().unwrap_or_default(),
            e.actor.clone(),
            e.detail.clone(),
            e.request_id.clone().unwrap_or_default(),
            database_user.clone().unwrap_or_default(),
        ];
        out.push_str(&cells.iter().map(|c| text_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

impl Leases {
    /// The newest `limit` audit lines (all when `None`), newest first (`entractl lease audit`;
    /// the screen reads [`Leases::audit_page`]s).
    pub async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>> {
        self.store().audit(limit).await
    }

    /// One page of the audit lines `query` keeps (search, lease, action; newest first unless
    /// sorted by `seq`), and how many it keeps in all.
    pub async fn audit_page(&self, query: &AuditQuery) -> Result<ListPage<AuditEntry>> {
        self.store().audit_page(query).await
    }

    /// Checks the audit log's hash chain, the whole log, with the core's one verifier (whatever
    /// the store): lines checked, legacy lines, the head to write down, and the first break.
    /// A broken chain is a result, not an error: the caller decides what to say.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        Ok(chain::verify(&self.store().audit_chain().await?))
    }

    /// The whole log, oldest first, as JSON lines or CSV.
    pub async fn export_audit(&self, format: AuditFormat) -> Result<String> {
        let mut entries = self.audit(None).await?;
        entries.reverse();
        Ok(match format {
            AuditFormat::Csv => csv(&entries),
            AuditFormat::Jsonl => entries.iter().filter_map(|e| serde_json::to_string(e).ok()).map(|l| l + "\n").collect(),
        })
    }
}

impl Leases {
    /// The name an export of the log gets: `entra-leases-audit-YYYYMMDD-HHMMSS.csv` (or `.jsonl`).
    pub fn audit_file_name(&self, format: AuditFormat) -> String {
        let extension = match format {
            AuditFormat::Jsonl => "jsonl",
            AuditFormat::Csv => "csv",
        };
        format!("entra-leases-audit-{}.{extension}", self.now().format("%Y%m%d-%H%M%S"))
    }

    /// Writes the whole log to `path`, a file the admin chose (a save dialog): owner-only,
    /// atomically, the folder left as it is ([`crate::paths::write_export`]).
    pub async fn export_audit_to(&self, format: AuditFormat, path: &std::path::Path) -> Result<()> {
        let body = self.export_audit(format).await?;
        crate::paths::write_export(path, body.as_bytes())
    }
}
