//! The Leases screen's types. Every one is defined once in the core (`entra_core::leases`):
//! dynamic secrets with a TTL (app secrets, user passwords, app-only access tokens), their
//! definitions, the append-only audit log, reconciliation and the background maintenance runs.
//! The lease list and the audit log cross a page at a time (`LeasesQuery` / `AuditQuery` in,
//! the core's `ListPage` out).
//!
//! Defined here is only [`IssuedLease`], the wire form of a newly issued lease: the core keeps
//! the secret in a type without `Serialize`, and this is the one place it is let out, once,
//! because the admin asked to issue. `entractl lease issue --format json` prints this same
//! type, so a script reads what the screen shows. The client secret of an access-token
//! definition travels the other way only, as a separate argument of `leases_define`, and is
//! never sent back.

use serde::Serialize;
use ts_rs::TS;

pub use entra_core::leases::{
    AuditAction, AuditEntry, AuditFormat, AuditQuery, BindReport, DefineRequest, Definition, IssueRequest, Lease, LeaseCounts, LeaseKind,
    LeaseState, LeaseStatus, LeasesOverview, LeasesQuery, MaintenanceRun, ReconcileReport, Relocation, StoreCheck, StoreDescription,
    SweepReport, TenantBinding,
};
pub use entra_core::paging::ListPage;

/// A newly issued lease and its secret: `{lease, secret, secretExpiresAt, usableAfterMs, warning}`. Sent once,
/// because the admin asked to issue, to be shown and copied; Entra Desk never stores the secret.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IssuedLease {
    /// The lease.
    pub lease: Lease,
    /// The client secret, password or access token.
    pub secret: String,
    /// When the secret itself stops working, if not with the lease: an access token's own
    /// expiry (Entra honours a token until then, whatever becomes of the lease).
    pub secret_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// App-secret with `waitUntilUsable`: how long until a token could be obtained with it, ms.
    #[ts(type = "number | null")]
    pub usable_after_ms: Option<u64>,
    /// Set when the lease was issued but something after it did not work (e.g. the wait timed out).
    pub warning: Option<String>,
}

/// Redacted: the secret never reaches a log through `Debug`.
impl std::fmt::Debug for IssuedLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedLease")
            .field("lease", &self.lease)
            .field("secret", &"[redacted]")
            .field("secret_expires_at", &self.secret_expires_at)
            .field("usable_after_ms", &self.usable_after_ms)
            .field("warning", &self.warning)
            .finish()
    }
}

impl From<entra_core::leases::IssuedLease> for IssuedLease {
    /// The one place a lease's secret leaves its box: the admin asked to issue it, and sees it once.
    fn from(i: entra_core::leases::IssuedLease) -> Self {
        IssuedLease {
            secret: i.secret.expose().to_string(),
            lease: i.lease,
            secret_expires_at: i.secret_expires_at,
            usable_after_ms: i.usable_after_ms,
            warning: i.warning,
        }
    }
}

/// An access-token lease's current token, `{token, expiresAt}`: sent on an explicit "show
/// token" (and printed by `entractl lease token --format json`). `expiresAt` is the token's own
/// expiry, which may fall before or after the lease's.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeaseToken {
    /// The access token.
    pub token: String,
    /// When Entra stops honouring it.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Redacted: the token never reaches a log through `Debug`.
impl std::fmt::Debug for LeaseToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseToken").field("token", &"[redacted]").field("expires_at", &self.expires_at).finish()
    }
}

impl From<entra_core::leases::LeaseToken> for LeaseToken {
    /// The token leaves its box: the admin asked to see it.
    fn from(t: entra_core::leases::LeaseToken) -> Self {
        LeaseToken { token: t.token.expose().to_string(), expires_at: t.expires_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_core::secret::SecretString;

    fn issued() -> entra_core::leases::IssuedLease {
        let t = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let lease = Lease {
            id: "l-1".into(),
            definition: "d".into(),
            kind: LeaseKind::AppSecret,
            target: "obj".into(),
            tenant: None,
            status: LeaseStatus::Active,
            issued_at: t,
            expires_at: t + chrono::Duration::hours(1),
            max_expires_at: t + chrono::Duration::days(1),
            renewed_at: None,
            ended_at: None,
            key_id: Some("k".into()),
            hint: Some("abc".into()),
            marker: Some("entra-desk:s:l-1".into()),
            revoke_attempts: 0,
            next_attempt_at: None,
            last_error: None,
            note: None,
            issued_by: None,
        };
        entra_core::leases::IssuedLease {
            lease,
            secret: SecretString::new("abc8Q~very-secret"),
            secret_expires_at: None,
            usable_after_ms: Some(1500),
            warning: None,
        }
    }

    #[test]
    fn an_issued_lease_is_the_lease_and_its_secret_side_by_side_and_does_not_print_it() {
        let wire = IssuedLease::from(issued());
        let json = serde_json::to_value(&wire).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["lease", "secret", "secretExpiresAt", "usableAfterMs", "warning"]);
        assert_eq!(json["secret"], "abc8Q~very-secret");
        assert_eq!(json["lease"]["kind"], "appSecret");
        assert_eq!(json["lease"]["maxExpiresAt"], "2026-01-02T00:00:00Z");
        let printed = format!("{wire:?}");
        assert!(!printed.contains("very-secret") && printed.contains("[redacted]"), "{printed}");
    }

    #[test]
    fn a_lease_token_carries_its_own_expiry_and_does_not_print_itself() {
        let expires = chrono::DateTime::parse_from_rfc3339("2026-01-01T01:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let wire = LeaseToken::from(entra_core::leases::LeaseToken { token: SecretString::new("eyJ.secret-token.sig"), expires_at: expires });
        let json = serde_json::to_value(&wire).unwrap();
        assert_eq!(json, serde_json::json!({"token": "eyJ.secret-token.sig", "expiresAt": "2026-01-01T01:00:00Z"}));
        let printed = format!("{wire:?}");
        assert!(!printed.contains("secret-token") && printed.contains("01:00:00"), "{printed}");
    }

    #[test]
    fn a_define_request_from_the_webview_is_camel_case_and_carries_no_secret() {
        let request: DefineRequest = serde_json::from_value(serde_json::json!({
            "name": "ci-token", "kind": "accessToken", "target": "https://graph.microsoft.com/.default",
            "ttl": "15m", "maxTtl": "1h", "acknowledgePasswordReset": false, "clientId": "11111111-2222-3333-4444-555555555555",
            "clientSecret": "smuggled"
        }))
        .unwrap();
        assert_eq!((request.kind, request.max_ttl.as_str()), (LeaseKind::AccessToken, "1h"));
        assert!(request.client_secret.is_none(), "the secret is a separate argument, never part of the request");
    }
}
