//! The audit log: read (newest first) and exported whole (oldest first) as JSON lines or CSV.
//! The store keeps it append-only; nothing here can change it.

use super::rows;
use super::types::{AuditEntry, AuditFormat};
use super::{store_error, Leases};
use crate::Result;

/// CSV's quoting (RFC 4180), with a leading `'` for cells a spreadsheet would run as a formula.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("seq,at,action,lease_id,definition,target,actor,detail,request_id\r\n");
    for e in entries {
        let cells = [
            e.seq.to_string(),
            e.at.to_rfc3339(),
            e.action.as_str().to_string(),
            e.lease_id.clone().unwrap_or_default(),
            e.definition.clone().unwrap_or_default(),
            e.target.clone().unwrap_or_default(),
            e.actor.clone(),
            e.detail.clone(),
            e.request_id.clone().unwrap_or_default(),
        ];
        out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

impl Leases {
    /// The newest `limit` audit lines (all when `None`), newest first.
    pub async fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>> {
        let rows = self.store().audit(limit).await.map_err(store_error)?;
        Ok(rows.into_iter().map(rows::audit_entry).collect())
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
    /// Writes the whole log (see [`Leases::export_audit`]) to a new file in `dir` (created if
    /// missing; owner-only, written atomically) and returns its path.
    pub async fn export_audit_file(&self, format: AuditFormat, dir: &std::path::Path) -> Result<std::path::PathBuf> {
        let body = self.export_audit(format).await?;
        let extension = match format {
            AuditFormat::Jsonl => "jsonl",
            AuditFormat::Csv => "csv",
        };
        let path = dir.join(format!("entra-leases-audit-{}.{extension}", self.now().format("%Y%m%d-%H%M%S")));
        crate::paths::write_atomic(&path, body.as_bytes())?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
