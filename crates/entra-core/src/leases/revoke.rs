//! Renewing and revoking leases.
//!
//! A revocation records `revoking` before the Graph call and commits `revoked` (or `expired`,
//! when the sweeper ends an expired lease) after it. A failed revocation becomes
//! `revoke-failed` with the error and the time of the next attempt (exponential backoff); the
//! sweeper retries it until it succeeds, and the screen shows it as failing meanwhile.

use super::audit::{audit_for, local_actor, when};
use super::duration::{format_duration, parse_duration};
use super::owner::this_process;
use super::store::StoredLease;
use super::types::{AuditAction, Lease, LeaseKind, LeaseStatus};
use super::{fault, issue, tenant, Leases};
use crate::graph::{map_error, GraphClient};
use crate::{Error, Result};
use chrono::{DateTime, Duration, Utc};

/// The first retry of a failed revocation comes this long after it; each further one waits
/// twice as long, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
/// The longest wait between two revocation attempts.
pub const MAX_BACKOFF: Duration = Duration::hours(1);

/// When attempt `attempts + 1` is due after a failure at `now`.
pub(crate) fn next_attempt(now: DateTime<Utc>, attempts: u32) -> DateTime<Utc> {
    let factor = 1i32 << attempts.saturating_sub(1).min(12);
    now + (FIRST_BACKOFF * factor).min(MAX_BACKOFF)
}

/// Why a lease is being revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// Someone asked.
    Asked,
    /// It expired (the sweeper).
    Expired,
    /// Reconciliation found it must go.
    Reconciled,
}

/// Whether Graph says the credential is already gone (removing it again is then a success).
pub(crate) fn already_gone(err: &entra_graph::GraphError) -> bool {
    match err.status() {
        Some(404) => true,
        // An unknown keyId on removePassword is a 400 whose message names it ("No password
        // credential with keyId '…' exists on object '…'"; older wordings say "… found").
        Some(400) => err.to_string().to_ascii_lowercase().contains("no password credential"),
        _ => false,
    }
}

impl Leases {
    /// Extends a lease by `ttl` from now (default: its definition's TTL), never past its max TTL.
    /// Nothing changes in Entra: an app secret's `endDateTime` is already the max TTL.
    pub async fn renew(&self, lease_id: &str, ttl: Option<&str>) -> Result<Lease> {
        let stored = self.stored(lease_id).await?;
        let mut lease = stored.lease;
        if lease.status != LeaseStatus::Active {
            return Err(Error::invalid_input(format!(
                "Lease {} is {}, not active: only an active lease can be renewed; issue a new one",
                lease.id,
                lease.status.as_str()
            )));
        }
        let now = self.now();
        if lease.expires_at <= now {
            return Err(Error::invalid_input(format!(
                "Lease {} expired at {}: an expired lease cannot be renewed; issue a new one",
                lease.id,
                when(lease.expires_at)
            )));
        }
        let definition = self.definition(&lease.definition).await.ok();
        let max_ttl_secs = definition.as_ref().map(|d| d.max_ttl_secs).unwrap_or_else(|| (lease.max_expires_at - lease.issued_at).num_seconds().max(1) as u64);
        let ttl_secs = match ttl.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => parse_duration(text)?,
            None => definition.as_ref().map(|d| d.ttl_secs).unwrap_or(max_ttl_secs),
        };
        if ttl_secs > max_ttl_secs {
            return Err(Error::invalid_input(format!(
                "A TTL of {} is above the max TTL of '{}' ({}): ask for less. The lease was not changed",
                format_duration(ttl_secs),
                lease.definition,
                format_duration(max_ttl_secs)
            )));
        }
        if lease.expires_at >= lease.max_expires_at {
            return Err(Error::invalid_input(format!(
                "Lease {} already runs to its max TTL ({}): it cannot be renewed further; issue a new lease before then",
                lease.id,
                when(lease.max_expires_at)
            )));
        }
        let wanted = now + Duration::seconds(ttl_secs as i64);
        let capped = wanted > lease.max_expires_at;
        lease.expires_at = wanted.min(lease.max_expires_at);
        lease.renewed_at = Some(now);
        let detail = if capped {
            format!("renewed until {} (capped at the max TTL; {} was asked)", when(lease.expires_at), format_duration(ttl_secs))
        } else {
            format!("renewed until {} ({})", when(lease.expires_at), format_duration(ttl_secs))
        };
        let audit = audit_for(&lease, now, AuditAction::Renewed, &local_actor(), detail, None);
        // Over the version read above: a renewal, revocation or sweep that came between wins.
        if self.store().update_lease(&lease, None, stored.version, Some(&audit)).await?.is_none() {
            return Err(Error::invalid_input(format!("Lease {} changed while it was being renewed: look at it again", lease.id)));
        }
        Ok(lease)
    }

    /// Revokes a lease as `account_id`: removes the app secret, resets the user's password again
    /// and ends their sessions, or forgets the access token. A failure is recorded and retried.
    pub async fn revoke(&self, account_id: &str, lease_id: &str) -> Result<Lease> {
        let stored = self.stored(lease_id).await?;
        let lease = &stored.lease;
        match lease.status {
            LeaseStatus::Active | LeaseStatus::RevokeFailed | LeaseStatus::Revoking => {}
            LeaseStatus::Pending => {
                return Err(Error::invalid_input(format!(
                    "Lease {} is still being issued: wait a moment, or run a reconciliation if its process was stopped",
                    lease.id
                )))
            }
            status => {
                return Err(Error::invalid_input(format!("Lease {} is already {}: there is nothing left to revoke", lease.id, status.as_str())))
            }
        }
        self.ensure_home().await?;
        self.check_not_inherited(lease)?;
        let account = self.desk().account(Some(account_id))?;
        tenant::check(lease.tenant.as_ref(), &account, &format!("Lease {}", lease.id))?;
        let graph = self.graph(account_id)?;
        let actor = account.username.clone();
        self.revoke_lease(&graph, stored, Why::Asked, &actor).await
    }

    /// Revokes a stored lease (whatever its live status) and commits the result; see the module
    /// doc. Each write is over the version the one before it made.
    pub(crate) async fn revoke_lease(&self, graph: &GraphClient, stored: StoredLease, why: Why, actor: &str) -> Result<Lease> {
        let StoredLease { mut lease, mut version, .. } = stored;
        let _held = self.hold(&lease.id);
        if lease.status != LeaseStatus::Revoking {
            lease.status = LeaseStatus::Revoking;
            version = self.store().update_lease(&lease, Some(&this_process()), version, None).await?.ok_or_else(|| {
                Error::invalid_input(format!("Lease {} changed meanwhile (another Entra Desk is working on it): look at it again", lease.id))
            })?;
        }
        fault::point("lease.revoke.after_intent");

        let removed = self.remove_in_tenant(graph, &lease).await;
        let now = self.now();
        match removed {
            Ok(request_id) => {
                fault::point("lease.revoke.after_graph_remove");
                let expired = why == Why::Expired || lease.expires_at <= now;
                lease.status = if expired { LeaseStatus::Expired } else { LeaseStatus::Revoked };
                lease.ended_at = Some(now);
                lease.next_attempt_at = None;
                let (action, detail) = match (why, lease.kind) {
                    (Why::Expired, _) => (AuditAction::Expired, "expired: its credential was removed".to_string()),
                    (Why::Reconciled, _) => (AuditAction::Reconciled, "revoked by reconciliation".to_string()),
                    (Why::Asked, LeaseKind::AppSecret) => (AuditAction::Revoked, format!("removed the client secret (key {})", lease.key_id.as_deref().unwrap_or("?"))),
                    (Why::Asked, LeaseKind::UserPassword) => (AuditAction::Revoked, "set a new random password and revoked the user's sessions".to_string()),
                    (Why::Asked, LeaseKind::AccessToken) => (AuditAction::Revoked, "forgot the access token (it stays valid at Entra until it expires)".to_string()),
                };
                let detail = if lease.revoke_attempts > 0 { format!("{detail}, after {} failed attempt(s)", lease.revoke_attempts) } else { detail };
                let audit = audit_for(&lease, now, action, actor, detail, request_id);
                self.store().update_lease(&lease, None, version, Some(&audit)).await?;
                self.tokens().forget(&lease.id);
                Ok(lease)
            }
            Err(err) => {
                lease.status = LeaseStatus::RevokeFailed;
                lease.revoke_attempts += 1;
                lease.next_attempt_at = Some(next_attempt(now, lease.revoke_attempts));
                lease.last_error = Some(err.message().to_string());
                let request_id = err.graph().and_then(|g| g.request_id.clone());
                let detail = format!("revocation failed (attempt {}): {}", lease.revoke_attempts, err.message());
                let audit = audit_for(&lease, now, AuditAction::RevokeFailed, actor, detail, request_id);
                self.store().update_lease(&lease, None, version, Some(&audit)).await?;
                let next = lease.next_attempt_at.map(when).unwrap_or_default();
                let message = format!(
                    "Lease {} could not be revoked: {} Entra Desk retries it (next at {next}) and shows it as failing until it succeeds",
                    lease.id,
                    err.message()
                );
                Err(err.reworded(message))
            }
        }
    }

    /// Undoes the lease in the tenant; `Ok` with Graph's request-id when done (or already done).
    async fn remove_in_tenant(&self, graph: &GraphClient, lease: &Lease) -> Result<Option<String>> {
        match lease.kind {
            LeaseKind::AppSecret => {
                let Some(key_id) = lease.key_id.as_deref() else {
                    // Never committed with a key: reconciliation finds it by its marker.
                    return self.remove_by_marker(graph, lease).await;
                };
                match graph.remove_application_password(&lease.target, key_id).await {
                    Ok(receipt) => Ok(receipt.request_id),
                    Err(e) if already_gone(&e) => Ok(e.request_id().map(String::from)),
                    Err(e) => Err(map_error(e)),
                }
            }
            LeaseKind::UserPassword => {
                // A password nobody knows, then every refresh token issued before now stops working.
                let password = issue::random_password();
                graph.update_user_password(&lease.target, password.expose(), false).await.map_err(map_error)?;
                let receipt = graph.revoke_sign_in_sessions(&lease.target).await.map_err(map_error)?;
                Ok(receipt.request_id)
            }
            LeaseKind::AccessToken => {
                self.tokens().forget(&lease.id);
                Ok(None)
            }
        }
    }

    /// Removes every credential of `lease.target` that carries this lease's marker.
    async fn remove_by_marker(&self, graph: &GraphClient, lease: &Lease) -> Result<Option<String>> {
        let Some(marker) = lease.marker.as_deref() else { return Ok(None) };
        let app = match graph.application_credentials(&lease.target).await {
            Ok(app) => app,
            Err(e) if e.status() == Some(404) => return Ok(None),
            Err(e) => return Err(map_error(e)),
        };
        let mut request_id = None;
        for credential in app.password_credentials.iter().filter(|c| c.display_name.as_deref() == Some(marker)) {
            match graph.remove_application_password(&lease.target, &credential.key_id).await {
                Ok(receipt) => request_id = receipt.request_id,
                Err(e) if already_gone(&e) => {}
                Err(e) => return Err(map_error(e)),
            }
        }
        Ok(request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn failed_revocations_back_off_up_to_an_hour() {
        let t = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        assert_eq!(next_attempt(t, 1) - t, Duration::seconds(30));
        assert_eq!(next_attempt(t, 2) - t, Duration::seconds(60));
        assert_eq!(next_attempt(t, 3) - t, Duration::seconds(120));
        assert_eq!(next_attempt(t, 9) - t, Duration::hours(1));
        assert_eq!(next_attempt(t, 400) - t, Duration::hours(1));
    }
}
