//! Exports of the expiry report: CSV (RFC 4180), JSON (the fields of `entractl expiry
//! --format json`), and "who to notify" (JSON: expired and expiring credentials grouped by
//! owner, with the owner's mail and UPN).
//!
//! CSV cells of tenant-controlled text that start with `=`, `+`, `-`, `@`, tab or CR get a
//! leading `'`, so a spreadsheet shows a display name rather than running it as a formula.
//! Files are written atomically; nothing secret is in them (metadata only).

use super::expiry::{ExpiringCredential, ExpiryReport, ExpiryStatus};
use crate::apps::Owner;
use crate::csv::{cell, text_cell};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    /// CSV, one credential a line.
    Csv,
    /// JSON array, the fields of `entractl expiry --format json`.
    Json,
    /// Expired and expiring credentials grouped by owner (JSON).
    Notify,
}

/// Where an export went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    /// The file.
    pub path: PathBuf,
    /// Credentials in it.
    pub count: u32,
}

/// The CSV columns, in order.
pub const CSV_HEADER: &[&str] = &[
    "object_id", "app_id", "display_name", "object_type", "credential_type", "key_id", "credential_name", "usage", "start",
    "end", "days_left", "status", "window", "owners",
];

fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An owner as one line of text: `Name <mail or UPN>`.
pub fn owner_label(o: &Owner) -> String {
    let name = o.display_name.as_deref().unwrap_or(&o.id);
    match o.mail.as_deref().or(o.user_principal_name.as_deref()) {
        Some(address) => format!("{name} <{address}>"),
        None => name.to_string(),
    }
}

/// The report as CSV: a header row, then one line per credential (CRLF line ends, as RFC 4180 says).
pub fn to_csv(rows: &[ExpiringCredential]) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for r in rows {
        let owners = r.owners.as_ref().map(|o| o.iter().map(owner_label).collect::<Vec<_>>().join("; ")).unwrap_or_default();
        let line = [
            cell(&r.object_id),
            cell(&r.app_id),
            text_cell(&r.display_name),
            r.object_type.as_str().to_string(),
            r.credential_type.as_str().to_string(),
            cell(&r.key_id),
            text_cell(r.credential_name.as_deref().unwrap_or("")),
            cell(r.usage.as_deref().unwrap_or("")),
            r.start.as_ref().map(rfc3339).unwrap_or_default(),
            rfc3339(&r.end),
            r.days_left.to_string(),
            r.status.as_str().to_string(),
            r.window.map(|w| w.to_string()).unwrap_or_default(),
            text_cell(&owners),
        ];
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One group of the "who to notify" export.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NotifyGroup {
    /// The owner's object ID; `None` for the "no owner" and "owners not loaded" groups.
    pub owner_id: Option<String>,
    /// The owner's name, or `no owner` / `owners not loaded (refresh the list)`.
    pub display_name: String,
    /// `user`, `servicePrincipal`, `group`…
    pub owner_type: Option<String>,
    /// Mail address.
    pub mail: Option<String>,
    /// User principal name.
    pub user_principal_name: Option<String>,
    /// Their expired and expiring credentials, soonest end first (without the owners list).
    pub credentials: Vec<ExpiringCredential>,
}

/// Expired and expiring credentials grouped by owner; objects without owners in a group of their own.
pub fn notify_groups(rows: &[ExpiringCredential]) -> Vec<NotifyGroup> {
    let mut by_owner: BTreeMap<String, NotifyGroup> = BTreeMap::new();
    let (mut no_owner, mut unknown) = (Vec::new(), Vec::new());
    for r in rows.iter().filter(|r| r.status != ExpiryStatus::Ok) {
        let bare = ExpiringCredential { owners: None, ..r.clone() };
        match &r.owners {
            None => unknown.push(bare),
            Some(owners) if owners.is_empty() => no_owner.push(bare),
            Some(owners) => {
                for o in owners {
                    let group = by_owner.entry(o.id.clone()).or_insert_with(|| NotifyGroup {
                        owner_id: Some(o.id.clone()),
                        display_name: o.display_name.clone().unwrap_or_else(|| o.id.clone()),
                        owner_type: Some(o.owner_type.clone()),
                        mail: o.mail.clone(),
                        user_principal_name: o.user_principal_name.clone(),
                        credentials: Vec::new(),
                    });
                    group.credentials.push(bare.clone());
                }
            }
        }
    }
    let mut groups: Vec<NotifyGroup> = by_owner.into_values().collect();
    groups.sort_by(|a, b| a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()).then_with(|| a.owner_id.cmp(&b.owner_id)));
    for (name, credentials) in [("no owner", no_owner), ("owners not loaded (refresh the list)", unknown)] {
        if !credentials.is_empty() {
            groups.push(NotifyGroup { owner_id: None, display_name: name.into(), owner_type: None, mail: None, user_principal_name: None, credentials });
        }
    }
    groups
}

/// The export's file name: `entra-credentials-YYYYMMDD-HHMMSS.csv` (or `entra-notify-….json`).
pub fn file_name(format: ExportFormat, now: DateTime<Utc>) -> String {
    let stamp = now.format("%Y%m%d-%H%M%S");
    match format {
        ExportFormat::Csv => format!("entra-credentials-{stamp}.csv"),
        ExportFormat::Json => format!("entra-credentials-{stamp}.json"),
        ExportFormat::Notify => format!("entra-notify-{stamp}.json"),
    }
}

/// The folder exports go to: the user's Downloads folder, else `<data dir>/exports`.
pub fn default_dir(data_dir: &Path) -> PathBuf {
    dirs::download_dir().filter(|d| d.is_dir()).unwrap_or_else(|| data_dir.join("exports"))
}

/// Writes the report in `format` to `path`, a file the admin chose (a save dialog): owner-only,
/// atomically, the folder left as it is. Returns the file and how many credentials it holds.
pub fn write_to(report: &ExpiryReport, format: ExportFormat, path: &Path) -> Result<ExportResult> {
    let (body, count) = match format {
        ExportFormat::Csv => (to_csv(&report.rows), report.rows.len()),
        ExportFormat::Json => (pretty(&report.rows)?, report.rows.len()),
        ExportFormat::Notify => {
            let groups = notify_groups(&report.rows);
            let count = report.rows.iter().filter(|r| r.status != ExpiryStatus::Ok).count();
            (pretty(&groups)?, count)
        }
    };
    crate::paths::write_export(path, body.as_bytes())?;
    Ok(ExportResult { path: path.to_path_buf(), count: count as u32 })
}

fn pretty<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::internal(format!("Cannot write the export as JSON: {e}")))
}
