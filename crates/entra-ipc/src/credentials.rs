//! Types of the Credential expiry screen: every client secret and certificate
//! of app registrations and service principals with its status against the
//! expiry windows, exports, rotation, and what crossed a window since the last
//! run. Core: `entra_core::credentials`.

use crate::apps::{ObjectType, OwnerSummary};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A credential's state against the windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryStatus {
    /// Its end date has passed.
    Expired,
    /// It ends within the widest window.
    Expiring,
    /// It ends later.
    Ok,
}

/// One client secret or certificate (a certificate present as `Sign` and `Verify` is one row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CredentialRow {
    /// The owning object's ID.
    pub object_id: String,
    /// Its application (client) ID.
    pub app_id: String,
    /// Its display name.
    pub display_name: String,
    /// App registration or service principal.
    pub object_type: ObjectType,
    /// `password` (client secret) or `certificate`.
    pub credential_type: String,
    /// The key ID.
    pub key_id: String,
    /// The credential's own display name.
    pub credential_name: Option<String>,
    /// Starts, RFC 3339.
    pub start: Option<String>,
    /// Ends, RFC 3339.
    pub end: String,
    /// Whole days left (negative once expired).
    #[ts(type = "number")]
    pub days_left: i64,
    /// Expired, expiring or ok.
    pub status: ExpiryStatus,
    /// The smallest window (days) it falls in, if any.
    pub window: Option<u32>,
    /// `Sign`, `Verify` or `Sign+Verify`.
    pub usage: Option<String>,
    /// The object's owners (empty when it has none; `null` while they load).
    pub owners: Option<Vec<OwnerSummary>>,
}

/// The credentials and the windows they were judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExpiryReport {
    /// Every credential, soonest end first.
    pub rows: Vec<CredentialRow>,
    /// The windows in days, ascending (default 7, 30, 90).
    pub windows: Vec<u32>,
    /// When the inventory was last synced, RFC 3339.
    pub as_of: Option<String>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// CSV, one credential a line.
    Csv,
    /// JSON, the same fields as `entractl expiry --format json`.
    Json,
    /// "Who to notify": expiring and expired credentials grouped by owner, with mail/UPN (JSON).
    Notify,
}

/// Where an export was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportResult {
    /// The file's path.
    pub path: String,
    /// Credentials in it.
    pub count: u32,
}

/// A rotation's new secret. Sent to the webview once, on the user's request, to be shown and copied.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct RotatedSecret {
    /// The new credential's key ID.
    pub key_id: String,
    /// The new secret's value: shown once, never stored by Entra Desk.
    pub secret_text: String,
    /// When it ends, RFC 3339.
    pub end: String,
    /// Its hint (first characters), as Graph will show it.
    pub hint: Option<String>,
    /// Set when the secret was created but the local cache could not be updated: show it, and refresh.
    pub warning: Option<String>,
}

/// A credential that crossed into a window (or expired) since the last run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Crossing {
    /// The credential.
    pub credential: CredentialRow,
    /// The window it is in now, in days (0 for expired).
    pub now_in: u32,
}

// ---- from the core (`entra_core::credentials`) -----------------------------------------------

use crate::apps::{owners, rfc3339};
use entra_core::credentials as core;

impl From<core::ExpiryStatus> for ExpiryStatus {
    fn from(s: core::ExpiryStatus) -> Self {
        match s {
            core::ExpiryStatus::Expired => ExpiryStatus::Expired,
            core::ExpiryStatus::Expiring => ExpiryStatus::Expiring,
            core::ExpiryStatus::Ok => ExpiryStatus::Ok,
        }
    }
}

impl From<core::ExpiringCredential> for CredentialRow {
    fn from(c: core::ExpiringCredential) -> Self {
        CredentialRow {
            owners: owners(&c.owners),
            object_id: c.object_id,
            app_id: c.app_id,
            display_name: c.display_name,
            object_type: c.object_type.into(),
            credential_type: c.credential_type.as_str().to_string(),
            key_id: c.key_id,
            credential_name: c.credential_name,
            start: c.start.as_ref().map(rfc3339),
            end: rfc3339(&c.end),
            days_left: c.days_left,
            status: c.status.into(),
            window: c.window,
            usage: c.usage,
        }
    }
}

impl From<core::ExpiryReport> for ExpiryReport {
    fn from(r: core::ExpiryReport) -> Self {
        ExpiryReport { rows: r.rows.into_iter().map(CredentialRow::from).collect(), windows: r.windows, as_of: r.as_of.as_ref().map(rfc3339) }
    }
}

impl From<ExportFormat> for core::ExportFormat {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Csv => core::ExportFormat::Csv,
            ExportFormat::Json => core::ExportFormat::Json,
            ExportFormat::Notify => core::ExportFormat::Notify,
        }
    }
}

impl From<core::ExportResult> for ExportResult {
    fn from(r: core::ExportResult) -> Self {
        ExportResult { path: r.path.to_string_lossy().into_owned(), count: r.count }
    }
}

/// Redacted: the secret never reaches a log through `Debug` (commands log their errors, not their results, but a
/// careless `{:?}` must not leak it either).
impl std::fmt::Debug for RotatedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatedSecret")
            .field("key_id", &self.key_id)
            .field("secret_text", &"[redacted]")
            .field("end", &self.end)
            .field("hint", &self.hint)
            .field("warning", &self.warning)
            .finish()
    }
}

impl From<core::RotatedSecret> for RotatedSecret {
    /// The one place the new secret leaves its box: the user asked to see it, once.
    fn from(r: core::RotatedSecret) -> Self {
        RotatedSecret { secret_text: r.secret.expose().to_string(), key_id: r.key_id, end: rfc3339(&r.end), hint: r.hint, warning: r.warning }
    }
}

impl From<core::Crossing> for Crossing {
    fn from(c: core::Crossing) -> Self {
        Crossing { now_in: c.now_in, credential: c.credential.into() }
    }
}
