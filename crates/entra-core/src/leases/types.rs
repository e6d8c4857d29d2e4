//! What the Leases service takes and returns: the one definition of each lease type. The app's
//! screen (through entra-ipc's generated bindings, behind the `ts` feature), `entractl --format
//! json` and the lease store all use these. JSON is camelCase, keys and enum values alike
//! (`appSecret`, `revokeFailed`), as Graph writes it; the kebab-case names of
//! [`LeaseKind::as_str`] and its siblings belong to the command line and the SQLite columns
//! (text output, `--kind app-secret`, the CSV export), which keep the names they always had.
//!
//! Times are UTC; durations are whole seconds. Nothing here holds a secret except
//! [`IssuedLease::secret`], a [`SecretString`] (no `Serialize`, redacted `Debug`); the wire form
//! that lets it out, once, is entra-ipc's `IssuedLease`.

use crate::secret::SecretString;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a lease hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LeaseKind {
    /// A client secret added to an app registration (`addPassword`), removed on revoke.
    AppSecret,
    /// A random password set on a real user (opt-in); revoke sets another and ends the user's sessions.
    UserPassword,
    /// An app-only access token for a scope, from a client secret kept in the keychain.
    AccessToken,
}

impl LeaseKind {
    /// Every kind, in the order the command line and the screen offer them.
    pub const ALL: [LeaseKind; 3] = [LeaseKind::AppSecret, LeaseKind::UserPassword, LeaseKind::AccessToken];

    /// `app-secret`, `user-password` or `access-token`: the command line's and the store's name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseKind::AppSecret => "app-secret",
            LeaseKind::UserPassword => "user-password",
            LeaseKind::AccessToken => "access-token",
        }
    }

    /// The kind named `text` (as [`LeaseKind::as_str`] writes it).
    pub fn parse(text: &str) -> Option<LeaseKind> {
        LeaseKind::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

impl std::str::FromStr for LeaseKind {
    type Err = crate::Error;

    /// For `--kind`: the kebab-case name, or an error that lists them.
    fn from_str(text: &str) -> crate::Result<LeaseKind> {
        LeaseKind::parse(text).ok_or_else(|| {
            let names: Vec<&str> = LeaseKind::ALL.iter().map(|k| k.as_str()).collect();
            let shown: String = text.chars().take(40).collect();
            crate::Error::invalid_input(format!("'{shown}' is not a lease kind: give one of {}", names.join(", ")))
        })
    }
}

/// Where a lease is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LeaseStatus {
    /// The intent is recorded; the Graph call may or may not have happened (reconciliation decides).
    Pending,
    /// Issued and not yet expired.
    Active,
    /// A revocation has started (recorded before the Graph call).
    Revoking,
    /// Revocation failed; retried with backoff until it succeeds (see `last_error`, `next_attempt_at`).
    RevokeFailed,
    /// Revoked on request (or by reconciliation).
    Revoked,
    /// Expired and revoked by the sweeper.
    Expired,
    /// The Graph call never happened or failed: nothing was created.
    Abandoned,
}

impl LeaseStatus {
    /// Every status, in the order of a lease's life.
    pub const ALL: [LeaseStatus; 7] = [
        LeaseStatus::Pending,
        LeaseStatus::Active,
        LeaseStatus::Revoking,
        LeaseStatus::RevokeFailed,
        LeaseStatus::Revoked,
        LeaseStatus::Expired,
        LeaseStatus::Abandoned,
    ];

    /// The kebab-case name text output and the store use (`revoke-failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseStatus::Pending => "pending",
            LeaseStatus::Active => "active",
            LeaseStatus::Revoking => "revoking",
            LeaseStatus::RevokeFailed => "revoke-failed",
            LeaseStatus::Revoked => "revoked",
            LeaseStatus::Expired => "expired",
            LeaseStatus::Abandoned => "abandoned",
        }
    }

    /// The status named `text` (as [`LeaseStatus::as_str`] writes it).
    pub fn parse(text: &str) -> Option<LeaseStatus> {
        LeaseStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// True once nothing more will happen to the lease.
    pub fn is_final(self) -> bool {
        matches!(self, LeaseStatus::Revoked | LeaseStatus::Expired | LeaseStatus::Abandoned)
    }
}

/// The tenant a definition or a lease belongs to: every operation that acts in a tenant
/// (issue, revoke, sweep, reconcile, a token) is refused with an account of another one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TenantBinding {
    /// The tenant ID (a GUID for Entra; any provider's `tid`).
    pub tenant_id: String,
    /// The authority the defining account signed in with (e.g.
    /// `https://login.microsoftonline.com/<tenant>/v2.0`): its cloud must match too.
    pub authority: String,
}

/// A dynamic secret: what to hand out, where, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    /// Unique name (letters, digits, `-`, `_`, `.`; 1–64 characters).
    pub name: String,
    /// What a lease of it hands out.
    pub kind: LeaseKind,
    /// App-secret: the application's object ID; user-password: the user's object ID; access-token: the scope.
    pub target: String,
    /// The target's display name when known (app or user), for the screen.
    pub target_name: Option<String>,
    /// Access-token only: the client (application) ID whose secret (in the keychain) gets the token.
    pub client_id: Option<String>,
    /// The tenant it belongs to, recorded when it was defined; `None` for a definition written
    /// before definitions were bound to a tenant (unbound: see `Leases::bind`).
    pub tenant: Option<TenantBinding>,
    /// The default lease TTL, seconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub ttl_secs: u64,
    /// The longest a lease may live from its issue, renewals included, seconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max_ttl_secs: u64,
    /// When it was defined.
    pub created_at: DateTime<Utc>,
}

/// How to define a dynamic secret (durations as `15m`, `1h`, `7d`, `1h30m`: the admin's text,
/// read by the core alone). Over IPC the access-token client secret is not part of it but a
/// separate command argument, so the request itself never carries a secret.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DefineRequest {
    /// The name (see [`Definition::name`]).
    pub name: String,
    /// The kind.
    pub kind: LeaseKind,
    /// Object ID (app-secret: application object; user-password: user) or scope (access-token).
    pub target: String,
    /// Default TTL.
    pub ttl: String,
    /// Max TTL (at least the TTL).
    pub max_ttl: String,
    /// User-password only: the caller confirmed that leases reset a real account's password.
    #[serde(default)]
    pub acknowledge_password_reset: bool,
    /// Access-token only: the client ID.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Access-token only: its client secret (stored in the keychain, never in the database).
    #[serde(skip)]
    pub client_secret: Option<SecretString>,
}

/// A lease: its record (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    /// The lease ID (a UUID; also in the credential's marker).
    pub id: String,
    /// The definition it was issued from.
    pub definition: String,
    /// Its kind.
    pub kind: LeaseKind,
    /// Object ID or scope.
    pub target: String,
    /// The tenant its credential lives in (its definition's); `None` for a lease issued before
    /// leases were bound to a tenant (unbound: see `Leases::bind`).
    pub tenant: Option<TenantBinding>,
    /// Its status.
    pub status: LeaseStatus,
    /// When it was issued (the intent's time for a pending lease).
    pub issued_at: DateTime<Utc>,
    /// When it expires (renewals move it, never past `max_expires_at`).
    pub expires_at: DateTime<Utc>,
    /// Issue time + max TTL (an app secret's `endDateTime` in Entra).
    pub max_expires_at: DateTime<Utc>,
    /// The last renewal, if any.
    pub renewed_at: Option<DateTime<Utc>>,
    /// When it was revoked, expired or abandoned.
    pub ended_at: Option<DateTime<Utc>>,
    /// App-secret: the credential's key ID.
    pub key_id: Option<String>,
    /// App-secret: the secret's first characters, as Graph shows them.
    pub hint: Option<String>,
    /// App-secret: the credential's display name (the marker).
    pub marker: Option<String>,
    /// Failed revocation attempts so far.
    pub revoke_attempts: u32,
    /// When the next revocation attempt is due (revoke-failed).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, in words (revoke-failed; or why it was abandoned).
    pub last_error: Option<String>,
    /// A remark, e.g. "adopted by reconciliation: its secret was never shown".
    pub note: Option<String>,
    /// Who issued it: the Entra account's user name (`None` for a lease issued before this
    /// was recorded; its audit line still names the actor).
    pub issued_by: Option<String>,
}

/// A newly issued lease and its secret, to show once.
#[derive(Debug)]
pub struct IssuedLease {
    /// The lease.
    pub lease: Lease,
    /// The client secret, password or access token. Never stored.
    pub secret: SecretString,
    /// When the secret itself stops working, if that is its own and not the lease's: an access
    /// token's expiry as Entra issued it (about an hour, before or after the lease's end: revoking
    /// forgets a token, Entra still honours it until then). `None` for app secrets and passwords,
    /// which end with the lease.
    pub secret_expires_at: Option<DateTime<Utc>>,
    /// App-secret with `wait_until_usable`: how long until a token could be obtained with it, ms.
    pub usable_after_ms: Option<u64>,
    /// Set when the lease was issued but something after it did not work (e.g. the wait timed out).
    pub warning: Option<String>,
}

/// An access-token lease's current token and when Entra stops honouring it (its own expiry,
/// not the lease's).
#[derive(Debug, Clone)]
pub struct LeaseToken {
    /// The token. Never stored.
    pub token: SecretString,
    /// The token's own expiry, as the token endpoint gave it.
    pub expires_at: DateTime<Utc>,
}

/// How to issue a lease.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct IssueRequest {
    /// The definition's name.
    pub definition: String,
    /// The TTL as the admin wrote it (`null` or empty: the definition's); refused above its max TTL.
    #[serde(default)]
    pub ttl: Option<String>,
    /// App-secret: wait until Entra accepts the new secret (AADSTS7000215 while it propagates).
    #[serde(default)]
    pub wait_until_usable: bool,
}

/// One line of the append-only audit log, as written: [`AuditEntry`] adds its place in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditLine {
    /// When.
    pub at: DateTime<Utc>,
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
    /// What happened, in words (never a secret).
    pub detail: String,
    /// Graph's `request-id` of the call, when there was one.
    pub request_id: Option<String>,
}

/// A line of the audit log as read back: the line and its position, which the store assigns.
/// Serialised flat (`{seq, at, action, …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Its position in the log (increasing).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// The line.
    #[serde(flatten)]
    pub line: AuditLine,
    /// The database user that wrote it (a team store records `session_user`; `None` in a
    /// local store, which has no users). The line's `actor` is the Entra account.
    pub database_user: Option<String>,
}

/// The kinds of audit lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
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
    /// Unbound definitions and leases were bound to a tenant.
    Bound,
    /// The store was found moved or copied, and the admin said which.
    Relocated,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 12] = [
        AuditAction::Defined,
        AuditAction::Undefined,
        AuditAction::Intent,
        AuditAction::Issued,
        AuditAction::IssueFailed,
        AuditAction::Renewed,
        AuditAction::Revoked,
        AuditAction::RevokeFailed,
        AuditAction::Expired,
        AuditAction::Reconciled,
        AuditAction::Bound,
        AuditAction::Relocated,
    ];

    /// The kebab-case name text output, the CSV export and the store use (`issue-failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Defined => "defined",
            AuditAction::Undefined => "undefined",
            AuditAction::Intent => "intent",
            AuditAction::Issued => "issued",
            AuditAction::IssueFailed => "issue-failed",
            AuditAction::Renewed => "renewed",
            AuditAction::Revoked => "revoked",
            AuditAction::RevokeFailed => "revoke-failed",
            AuditAction::Expired => "expired",
            AuditAction::Reconciled => "reconciled",
            AuditAction::Bound => "bound",
            AuditAction::Relocated => "relocated",
        }
    }

    /// The action named `text` (as [`AuditAction::as_str`] writes it).
    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

// The three `alias`es below read the maintenance record a lease file kept before JSON turned
// camelCase (the store keeps the last run as JSON), so an existing file still shows it.

/// What a reconciliation found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    /// App registrations whose credentials were listed.
    pub targets: u32,
    /// Credentials seen on them.
    #[serde(alias = "credentials_seen")]
    pub credentials_seen: u32,
    /// Credentials not carrying this store's marker (left alone).
    pub foreign: u32,
    /// Credentials of ours removed (no committed lease, or the lease is over).
    pub removed: u32,
    /// Credentials adopted (intent recorded, Graph call made, commit lost).
    pub adopted: u32,
    /// Intents closed because their Graph call never happened.
    pub abandoned: u32,
    /// Leases whose credential was already gone, closed.
    pub closed: u32,
    /// Leases and definitions of other tenants (or unbound), left for an account of their own.
    #[serde(default)]
    pub other_tenants: u32,
    /// Problems that need another run (e.g. a target that could not be read), in words.
    pub errors: Vec<String>,
    /// Graph requests made.
    pub requests: u32,
    /// Wall time, ms.
    #[serde(alias = "duration_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_ms: u64,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    /// Expired leases whose credential was removed.
    pub expired: u32,
    /// Revocations retried after a failure that now succeeded.
    pub recovered: u32,
    /// Leases still failing to revoke.
    pub failing: u32,
    /// Access tokens refreshed ahead of their expiry.
    #[serde(alias = "tokens_refreshed")]
    pub tokens_refreshed: u32,
    /// Due leases of other tenants (or unbound), left for an account of their own tenant.
    #[serde(default)]
    pub other_tenants: u32,
}

/// The screen's state but its lists, from the store only: the leases and the audit log are
/// read a page at a time (`Leases::page`, `Leases::audit_page`), so this stays small however
/// many leases the store holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LeasesOverview {
    /// This store's ID (the middle of every marker).
    pub store_id: String,
    /// How many leases the store holds: in all, live, needing attention, unbound, live by definition.
    pub counts: super::counts::LeaseCounts,
    /// Definitions by name.
    pub definitions: Vec<Definition>,
    /// The store's time the countdowns are relative to (the screen corrects for its own clock).
    pub now: DateTime<Utc>,
    /// The last maintenance (sweep + reconciliation) run, if any.
    pub last_maintenance: Option<MaintenanceRun>,
    /// Set when the store is not where it was made (a moved or copied data folder): why, and
    /// what to do. Until the admin answers (`Leases::relocate`), nothing acts in a tenant.
    pub displaced: Option<String>,
    /// The store shown: this desktop's file, or the team's database.
    pub store: super::sharing::StoreDescription,
    /// The team store's maintenance leader, when someone holds it (`None` for a local store).
    pub leader: Option<super::sharing::LeaderInfo>,
}

/// One background maintenance run (the app and `entractl lease maintain` run one at start-up
/// and then periodically).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceRun {
    /// When it ended.
    pub at: DateTime<Utc>,
    /// The sweep's result.
    pub sweep: SweepReport,
    /// The reconciliation's, when one ran.
    pub reconcile: Option<ReconcileReport>,
    /// Why it could not run or finish (e.g. not signed in, Graph unreachable).
    pub error: Option<String>,
}

/// Audit export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AuditFormat {
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header.
    Csv,
}
