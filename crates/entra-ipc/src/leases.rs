//! Types of the Leases screen: dynamic secrets with a TTL (app secrets, user
//! passwords, app-only access tokens), their definitions, the append-only
//! audit log, reconciliation and the background maintenance runs.
//! Core: `entra_core::leases`.
//!
//! Nothing here holds a secret except [`IssuedLease::secret`], sent once when
//! the admin explicitly issues a lease (redacted `Debug`). The client secret of
//! an access-token definition travels the other way only, as a separate
//! command argument, and is never sent back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a lease hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum LeaseKind {
    /// A client secret added to an app registration (`addPassword`), removed on revoke.
    AppSecret,
    /// A random password set on a real user (opt-in); revoke sets another and ends the user's sessions.
    UserPassword,
    /// An app-only access token for a scope, from a client secret kept in the keychain.
    AccessToken,
}

/// Where a lease is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum LeaseStatus {
    /// The intent is recorded; reconciliation decides whether the Graph call happened.
    Pending,
    /// Issued and not yet expired.
    Active,
    /// A revocation has started.
    Revoking,
    /// Revocation failed; retried with backoff until it succeeds.
    RevokeFailed,
    /// Revoked on request (or by reconciliation).
    Revoked,
    /// Expired and revoked by the sweeper.
    Expired,
    /// Nothing was created (the Graph call never happened or failed).
    Abandoned,
}

/// A dynamic secret: what to hand out, where, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Definition {
    /// Unique name.
    pub name: String,
    /// What a lease of it hands out.
    pub kind: LeaseKind,
    /// App-secret: the application's object ID; user-password: the user's object ID; access-token: the scope.
    pub target: String,
    /// The target's display name when known.
    pub target_name: Option<String>,
    /// Access-token only: the client (application) ID whose secret gets the token.
    pub client_id: Option<String>,
    /// The default lease TTL, seconds.
    #[ts(type = "number")]
    pub ttl_secs: u64,
    /// The longest a lease may live from its issue, renewals included, seconds.
    #[ts(type = "number")]
    pub max_ttl_secs: u64,
    /// The default TTL as a duration (`1h30m`).
    pub ttl: String,
    /// The max TTL as a duration.
    pub max_ttl: String,
    /// When it was defined, RFC 3339.
    pub created_at: String,
}

/// How to define a dynamic secret (durations as `15m`, `1h`, `7d`, `1h30m`). An access-token definition's
/// client secret is not part of it: it is a separate argument of `leases_define`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct DefineRequest {
    /// The name (letters, digits, `-`, `_`, `.`; 1–64 characters).
    pub name: String,
    /// The kind.
    pub kind: LeaseKind,
    /// Object ID (app-secret: application object; user-password: user) or scope (access-token).
    pub target: String,
    /// Default TTL.
    pub ttl: String,
    /// Max TTL (at least the TTL).
    pub max_ttl: String,
    /// User-password only: the admin ticked that leases reset a real account's password.
    pub acknowledge_password_reset: bool,
    /// Access-token only: the client ID.
    pub client_id: Option<String>,
}

/// A lease: its record, never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Lease {
    /// The lease ID (also in the credential's marker).
    pub id: String,
    /// The definition it was issued from.
    pub definition: String,
    /// Its kind.
    pub kind: LeaseKind,
    /// Object ID or scope.
    pub target: String,
    /// Its status.
    pub status: LeaseStatus,
    /// When it was issued, RFC 3339.
    pub issued_at: String,
    /// When it expires, RFC 3339 (renewals move it, never past `max_expires_at`).
    pub expires_at: String,
    /// Issue time + max TTL, RFC 3339 (an app secret's `endDateTime` in Entra).
    pub max_expires_at: String,
    /// The last renewal, RFC 3339.
    pub renewed_at: Option<String>,
    /// When it was revoked, expired or abandoned, RFC 3339.
    pub ended_at: Option<String>,
    /// App-secret: the credential's key ID.
    pub key_id: Option<String>,
    /// App-secret: the secret's first characters.
    pub hint: Option<String>,
    /// App-secret: the credential's display name (the marker `entra-desk:<store>:<lease>`).
    pub marker: Option<String>,
    /// Failed revocation attempts so far.
    pub revoke_attempts: u32,
    /// When the next revocation attempt is due (revoke-failed), RFC 3339.
    pub next_attempt_at: Option<String>,
    /// The last failure, in words.
    pub last_error: Option<String>,
    /// A remark, e.g. that reconciliation adopted it.
    pub note: Option<String>,
}

/// A newly issued lease and its secret. Sent to the webview once, because the admin asked to issue, to be shown
/// and copied; Entra Desk never stores the secret.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct IssuedLease {
    /// The lease.
    pub lease: Lease,
    /// The client secret, password or access token.
    pub secret: String,
    /// App-secret with `wait_until_usable`: how long until a token could be obtained with it, ms.
    #[ts(type = "number | null")]
    pub usable_after_ms: Option<u64>,
    /// Set when the lease was issued but something after it did not work (e.g. the wait timed out).
    pub warning: Option<String>,
}

/// How to issue a lease.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct IssueRequest {
    /// The definition's name.
    pub definition: String,
    /// The TTL (`null`: the definition's); refused above its max TTL.
    pub ttl: Option<String>,
    /// App-secret: wait until Entra accepts the new secret (it may take seconds to propagate).
    pub wait_until_usable: bool,
}

/// The kinds of audit lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    /// A definition was created.
    Defined,
    /// A definition was removed.
    Undefined,
    /// An intent was recorded (before the Graph call).
    Intent,
    /// A lease was issued.
    Issued,
    /// Issuing failed; nothing was created.
    IssueFailed,
    /// A lease was renewed.
    Renewed,
    /// A lease was revoked.
    Revoked,
    /// A revocation failed (it will be retried).
    RevokeFailed,
    /// A lease expired and its credential was removed.
    Expired,
    /// Reconciliation removed, adopted or closed something.
    Reconciled,
}

/// One line of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditEntry {
    /// Its position in the log (increasing).
    #[ts(type = "number")]
    pub seq: i64,
    /// When, RFC 3339.
    pub at: String,
    /// What happened.
    pub action: AuditAction,
    /// The lease, if any.
    pub lease_id: Option<String>,
    /// The definition, if any.
    pub definition: Option<String>,
    /// The target, if any.
    pub target: Option<String>,
    /// Who: the account's user name or client ID, or `sweeper` / `reconciliation`.
    pub actor: String,
    /// What happened, in words.
    pub detail: String,
    /// Graph's `request-id` of the call, when there was one.
    pub request_id: Option<String>,
}

/// Audit export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AuditFormat {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header.
    Csv,
}

/// What a reconciliation found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReconcileReport {
    /// App registrations whose credentials were listed.
    pub targets: u32,
    /// Credentials seen on them.
    pub credentials_seen: u32,
    /// Credentials not carrying this store's marker (left alone).
    pub foreign: u32,
    /// Credentials of ours removed.
    pub removed: u32,
    /// Credentials adopted (intent recorded, Graph call made, commit lost).
    pub adopted: u32,
    /// Intents closed because their Graph call never happened.
    pub abandoned: u32,
    /// Leases whose credential was already gone, closed.
    pub closed: u32,
    /// Problems that need another run, in words.
    pub errors: Vec<String>,
    /// Graph requests made.
    pub requests: u32,
    /// Wall time, ms.
    #[ts(type = "number")]
    pub duration_ms: u64,
}

/// What a sweep did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SweepReport {
    /// Expired leases whose credential was removed.
    pub expired: u32,
    /// Revocations retried after a failure that now succeeded.
    pub recovered: u32,
    /// Leases still failing to revoke.
    pub failing: u32,
    /// Access tokens refreshed ahead of their expiry.
    pub tokens_refreshed: u32,
}

/// One background maintenance run (sweep, and reconciliation when due).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MaintenanceRun {
    /// When it ended, RFC 3339.
    pub at: String,
    /// The sweep's result.
    pub sweep: SweepReport,
    /// The reconciliation's, when one ran.
    pub reconcile: Option<ReconcileReport>,
    /// Why it could not run or finish (e.g. not signed in, Graph unreachable).
    pub error: Option<String>,
}

/// The screen's whole state, from the local store only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LeasesOverview {
    /// This store's ID (the middle of every marker).
    pub store_id: String,
    /// Leases, newest first (final ones of the last 30 days included).
    pub leases: Vec<Lease>,
    /// Definitions by name.
    pub definitions: Vec<Definition>,
    /// The time the countdowns are relative to, RFC 3339 with milliseconds (the UI corrects for its own clock).
    pub now: String,
    /// The last maintenance run, if any.
    pub last_maintenance: Option<MaintenanceRun>,
}

// ---- from and to the core (`entra_core::leases`) --------------------------------------------

use crate::apps::rfc3339;
use entra_core::leases as core;
use entra_core::secret::SecretString;

impl From<core::LeaseKind> for LeaseKind {
    fn from(k: core::LeaseKind) -> Self {
        match k {
            core::LeaseKind::AppSecret => LeaseKind::AppSecret,
            core::LeaseKind::UserPassword => LeaseKind::UserPassword,
            core::LeaseKind::AccessToken => LeaseKind::AccessToken,
        }
    }
}

impl From<LeaseKind> for core::LeaseKind {
    fn from(k: LeaseKind) -> Self {
        match k {
            LeaseKind::AppSecret => core::LeaseKind::AppSecret,
            LeaseKind::UserPassword => core::LeaseKind::UserPassword,
            LeaseKind::AccessToken => core::LeaseKind::AccessToken,
        }
    }
}

impl From<core::LeaseStatus> for LeaseStatus {
    fn from(s: core::LeaseStatus) -> Self {
        match s {
            core::LeaseStatus::Pending => LeaseStatus::Pending,
            core::LeaseStatus::Active => LeaseStatus::Active,
            core::LeaseStatus::Revoking => LeaseStatus::Revoking,
            core::LeaseStatus::RevokeFailed => LeaseStatus::RevokeFailed,
            core::LeaseStatus::Revoked => LeaseStatus::Revoked,
            core::LeaseStatus::Expired => LeaseStatus::Expired,
            core::LeaseStatus::Abandoned => LeaseStatus::Abandoned,
        }
    }
}

impl From<core::Definition> for Definition {
    fn from(d: core::Definition) -> Self {
        Definition {
            ttl: core::format_duration(d.ttl_secs),
            max_ttl: core::format_duration(d.max_ttl_secs),
            name: d.name,
            kind: d.kind.into(),
            target: d.target,
            target_name: d.target_name,
            client_id: d.client_id,
            ttl_secs: d.ttl_secs,
            max_ttl_secs: d.max_ttl_secs,
            created_at: rfc3339(&d.created_at),
        }
    }
}

impl DefineRequest {
    /// The core's request, with the access-token client secret (a separate command argument) boxed as a secret.
    /// An empty secret counts as none.
    pub fn into_core(self, client_secret: Option<String>) -> core::DefineRequest {
        core::DefineRequest {
            name: self.name,
            kind: self.kind.into(),
            target: self.target,
            ttl: self.ttl,
            max_ttl: self.max_ttl,
            acknowledge_password_reset: self.acknowledge_password_reset,
            client_id: self.client_id.filter(|c| !c.trim().is_empty()),
            client_secret: client_secret.filter(|s| !s.is_empty()).map(SecretString::new),
        }
    }
}

impl From<core::Lease> for Lease {
    fn from(l: core::Lease) -> Self {
        Lease {
            id: l.id,
            definition: l.definition,
            kind: l.kind.into(),
            target: l.target,
            status: l.status.into(),
            issued_at: rfc3339(&l.issued_at),
            expires_at: rfc3339(&l.expires_at),
            max_expires_at: rfc3339(&l.max_expires_at),
            renewed_at: l.renewed_at.as_ref().map(rfc3339),
            ended_at: l.ended_at.as_ref().map(rfc3339),
            key_id: l.key_id,
            hint: l.hint,
            marker: l.marker,
            revoke_attempts: l.revoke_attempts,
            next_attempt_at: l.next_attempt_at.as_ref().map(rfc3339),
            last_error: l.last_error,
            note: l.note,
        }
    }
}

/// Redacted: the secret never reaches a log through `Debug`.
impl std::fmt::Debug for IssuedLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedLease")
            .field("lease", &self.lease)
            .field("secret", &"[redacted]")
            .field("usable_after_ms", &self.usable_after_ms)
            .field("warning", &self.warning)
            .finish()
    }
}

impl From<core::IssuedLease> for IssuedLease {
    /// The one place a lease's secret leaves its box: the admin asked to issue it, and sees it once.
    fn from(i: core::IssuedLease) -> Self {
        IssuedLease { secret: i.secret.expose().to_string(), lease: i.lease.into(), usable_after_ms: i.usable_after_ms, warning: i.warning }
    }
}

impl From<IssueRequest> for core::IssueRequest {
    fn from(r: IssueRequest) -> Self {
        core::IssueRequest { definition: r.definition, ttl: r.ttl.filter(|t| !t.trim().is_empty()), wait_until_usable: r.wait_until_usable }
    }
}

impl From<core::AuditAction> for AuditAction {
    fn from(a: core::AuditAction) -> Self {
        match a {
            core::AuditAction::Defined => AuditAction::Defined,
            core::AuditAction::Undefined => AuditAction::Undefined,
            core::AuditAction::Intent => AuditAction::Intent,
            core::AuditAction::Issued => AuditAction::Issued,
            core::AuditAction::IssueFailed => AuditAction::IssueFailed,
            core::AuditAction::Renewed => AuditAction::Renewed,
            core::AuditAction::Revoked => AuditAction::Revoked,
            core::AuditAction::RevokeFailed => AuditAction::RevokeFailed,
            core::AuditAction::Expired => AuditAction::Expired,
            core::AuditAction::Reconciled => AuditAction::Reconciled,
        }
    }
}

impl From<core::AuditEntry> for AuditEntry {
    fn from(e: core::AuditEntry) -> Self {
        AuditEntry {
            seq: e.seq,
            at: rfc3339(&e.at),
            action: e.action.into(),
            lease_id: e.lease_id,
            definition: e.definition,
            target: e.target,
            actor: e.actor,
            detail: e.detail,
            request_id: e.request_id,
        }
    }
}

impl From<AuditFormat> for core::AuditFormat {
    fn from(f: AuditFormat) -> Self {
        match f {
            AuditFormat::Jsonl => core::AuditFormat::Jsonl,
            AuditFormat::Csv => core::AuditFormat::Csv,
        }
    }
}

impl From<core::ReconcileReport> for ReconcileReport {
    fn from(r: core::ReconcileReport) -> Self {
        ReconcileReport {
            targets: r.targets,
            credentials_seen: r.credentials_seen,
            foreign: r.foreign,
            removed: r.removed,
            adopted: r.adopted,
            abandoned: r.abandoned,
            closed: r.closed,
            errors: r.errors,
            requests: r.requests,
            duration_ms: r.duration_ms,
        }
    }
}

impl From<core::SweepReport> for SweepReport {
    fn from(s: core::SweepReport) -> Self {
        SweepReport { expired: s.expired, recovered: s.recovered, failing: s.failing, tokens_refreshed: s.tokens_refreshed }
    }
}

impl From<core::MaintenanceRun> for MaintenanceRun {
    fn from(m: core::MaintenanceRun) -> Self {
        MaintenanceRun { at: rfc3339(&m.at), sweep: m.sweep.into(), reconcile: m.reconcile.map(ReconcileReport::from), error: m.error }
    }
}

impl From<core::LeasesOverview> for LeasesOverview {
    fn from(o: core::LeasesOverview) -> Self {
        LeasesOverview {
            store_id: o.store_id,
            leases: o.leases.into_iter().map(Lease::from).collect(),
            definitions: o.definitions.into_iter().map(Definition::from).collect(),
            // Milliseconds: the screen's countdowns are corrected by the difference to its own clock.
            now: o.now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            last_maintenance: o.last_maintenance.map(MaintenanceRun::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_statuses_and_actions_are_named_as_the_core_names_them() {
        for kind in [core::LeaseKind::AppSecret, core::LeaseKind::UserPassword, core::LeaseKind::AccessToken] {
            assert_eq!(serde_json::to_value(LeaseKind::from(kind)).unwrap(), kind.as_str());
            assert_eq!(core::LeaseKind::from(LeaseKind::from(kind)), kind);
        }
        for status in ["pending", "active", "revoking", "revoke-failed", "revoked", "expired", "abandoned"] {
            let core_status = core::LeaseStatus::parse(status).expect("the core knows it");
            assert_eq!(serde_json::to_value(LeaseStatus::from(core_status)).unwrap(), status);
        }
        for action in ["defined", "undefined", "intent", "issued", "issue-failed", "renewed", "revoked", "revoke-failed", "expired", "reconciled"] {
            let core_action = core::AuditAction::parse(action).expect("the core knows it");
            assert_eq!(serde_json::to_value(AuditAction::from(core_action)).unwrap(), action);
        }
    }

    #[test]
    fn a_define_request_takes_its_secret_apart_and_never_prints_it() {
        let request: DefineRequest = serde_json::from_value(serde_json::json!({
            "name": "ci-token", "kind": "access-token", "target": "https://graph.microsoft.com/.default",
            "ttl": "15m", "max_ttl": "1h", "acknowledge_password_reset": false, "client_id": "11111111-2222-3333-4444-555555555555"
        }))
        .unwrap();
        let core_request = request.clone().into_core(Some("abc8Q~very-secret".into()));
        assert_eq!(core_request.kind, core::LeaseKind::AccessToken);
        assert_eq!(core_request.client_secret.as_ref().map(|s| s.expose()), Some("abc8Q~very-secret"));
        assert!(!format!("{core_request:?}").contains("very-secret"));
        assert!(request.into_core(Some(String::new())).client_secret.is_none(), "an empty field is no secret");
    }

    #[test]
    fn an_issued_lease_does_not_print_its_secret() {
        let lease = Lease {
            id: "l-1".into(),
            definition: "d".into(),
            kind: LeaseKind::AppSecret,
            target: "obj".into(),
            status: LeaseStatus::Active,
            issued_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-01-01T01:00:00Z".into(),
            max_expires_at: "2026-01-02T00:00:00Z".into(),
            renewed_at: None,
            ended_at: None,
            key_id: Some("k".into()),
            hint: Some("abc".into()),
            marker: Some("entra-desk:s:l-1".into()),
            revoke_attempts: 0,
            next_attempt_at: None,
            last_error: None,
            note: None,
        };
        let issued = IssuedLease { lease, secret: "abc8Q~very-secret".into(), usable_after_ms: None, warning: None };
        let printed = format!("{issued:?}");
        assert!(!printed.contains("very-secret") && printed.contains("[redacted]"), "{printed}");
    }
}
