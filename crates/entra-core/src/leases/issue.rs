//! Issuing a lease: the intent is recorded durably first (a `pending` lease: ID, target,
//! kind, planned expiry), then Graph is called, then the result is committed. A crash between
//! any two steps leaves a record reconciliation can finish (see `reconcile`).
//!
//! The secret is returned once and never stored: only an app secret's key ID and hint are.

use super::audit::{audit_for, when};
use super::duration::{format_duration, parse_duration};
use super::marker::marker;
use super::owner::this_process;
use super::types::{AuditAction, IssueRequest, IssuedLease, Lease, LeaseKind, LeaseStatus};
use super::{fault, tenant, Leases};
use crate::graph::map_error;
use crate::secret::SecretString;
use crate::{Error, Result};
use chrono::Duration;
use rand::seq::SliceRandom;
use rand::Rng;

/// A random password for a user-password lease: 64 characters from the four classes Entra's
/// complexity rule counts (at least one of each), from the OS's CSPRNG.
pub(crate) fn random_password() -> SecretString {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"!#%+-.:=?@_~";
    let mut rng = rand::rngs::OsRng;
    let all: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].concat();
    let mut chars: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].iter().map(|class| class[rng.gen_range(0..class.len())]).collect();
    while chars.len() < 64 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    SecretString::new(String::from_utf8(chars).unwrap_or_default())
}

/// Whether a failed Graph write certainly changed nothing. A 4xx answer means Graph refused
/// it; a transport error or a 5xx may have come after the write was made, so the intent stays
/// `pending` for reconciliation to settle.
fn certainly_not_made(err: &entra_graph::GraphError) -> bool {
    matches!(err.status(), Some(400..=499))
}

impl Leases {
    /// Issues a lease of `request.definition` as `account_id` and returns its secret, once.
    pub async fn issue(&self, account_id: &str, request: IssueRequest) -> Result<IssuedLease> {
        let definition = self.definition(&request.definition).await?;
        let ttl_secs = match request.ttl.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => parse_duration(text)?,
            None => definition.ttl_secs,
        };
        if ttl_secs > definition.max_ttl_secs {
            return Err(Error::invalid_input(format!(
                "A TTL of {} is above the max TTL of '{}' ({}): ask for {} or less. Nothing was issued",
                format_duration(ttl_secs),
                definition.name,
                format_duration(definition.max_ttl_secs),
                format_duration(definition.max_ttl_secs)
            )));
        }
        // Before anything is written: the store is where it was made, and the definition's
        // tenant is the account's.
        self.ensure_home().await?;
        let account = self.desk().account(Some(account_id))?;
        tenant::check(definition.tenant.as_ref(), &account, &format!("The dynamic secret '{}'", definition.name))?;
        let graph = self.graph(account_id)?;
        let actor = account.username.clone();
        let store_id = self.store_id().await?;
        let now = self.now();
        let id = uuid::Uuid::new_v4().hyphenated().to_string();
        let expires_at = now + Duration::seconds(ttl_secs as i64);
        let max_expires_at = now + Duration::seconds(definition.max_ttl_secs as i64);
        let mut lease = Lease {
            id: id.clone(),
            definition: definition.name.clone(),
            kind: definition.kind,
            target: definition.target.clone(),
            tenant: definition.tenant.clone(),
            status: LeaseStatus::Pending,
            issued_at: now,
            expires_at,
            max_expires_at,
            renewed_at: None,
            ended_at: None,
            key_id: None,
            hint: None,
            marker: (definition.kind == LeaseKind::AppSecret).then(|| marker(&store_id, &id)),
            revoke_attempts: 0,
            next_attempt_at: None,
            last_error: None,
            note: None,
            issued_by: Some(actor.clone()),
        };
        let _held = self.hold(&id);
        let what = match definition.kind {
            LeaseKind::AppSecret => "addPassword",
            LeaseKind::UserPassword => "reset the password",
            LeaseKind::AccessToken => "get a token",
        };
        let intent = audit_for(&lease, now, AuditAction::Intent, &actor, format!("about to {what} (valid until {})", when(max_expires_at)), None);
        // Every later write of this lease is over the version this one made: one that finds a
        // newer version (another process closed the intent meanwhile) writes nothing.
        let version = self.store().insert_lease(&lease, Some(&this_process()), &intent).await?;
        fault::point("lease.after_intent");

        // The Graph (or token) call.
        let mut secret_expires_at = None;
        let made = match definition.kind {
            LeaseKind::AppSecret => graph
                .add_application_password(&lease.target, lease.marker.as_deref().unwrap_or_default(), Some(max_expires_at))
                .await
                .map(|added| {
                    lease.key_id = Some(added.credential.key_id.clone());
                    lease.hint = added.credential.hint.clone();
                    (SecretString::new(added.secret_text.expose()), added.request_id.clone())
                }),
            LeaseKind::UserPassword => {
                let password = random_password();
                graph.update_user_password(&lease.target, password.expose(), false).await.map(|r| (password, r.request_id))
            }
            LeaseKind::AccessToken => match self.fetch_token(&account, &definition, &lease).await {
                Ok(fetched) => {
                    secret_expires_at = Some(fetched.expires_at);
                    Ok((fetched.token, None))
                }
                Err(e) => return self.abandon(lease, version, &actor, e).await,
            },
        };
        let (secret, request_id) = match made {
            Ok(made) => made,
            Err(e) if certainly_not_made(&e) => {
                let needs: &[crate::permissions::Need] = match definition.kind {
                    LeaseKind::AppSecret => &[crate::permissions::WRITE_APP_SECRETS],
                    LeaseKind::UserPassword => &[crate::permissions::WRITE_USER_PASSWORDS],
                    LeaseKind::AccessToken => &[],
                };
                let err = match self.desk().explained::<()>(account_id, needs, Err(map_error(e))).await {
                    Err(err) => err,
                    Ok(()) => Error::internal("an explained error turned into a success"),
                };
                return self.abandon(lease, version, &actor, err).await;
            }
            Err(e) => {
                let err = map_error(e);
                lease.last_error = Some(err.message().to_string());
                lease.note = Some("Graph's answer was lost: reconciliation will find out whether it was made".into());
                // Still pending: reconciliation decides (adopt, or close the intent).
                // Owned by this process: once it is no longer in flight, this process's reconciliation
                // settles it at once; another process's waits for ours to end (or the grace period).
                let _ = self.store().update_lease(&lease, Some(&this_process()), version, None).await;
                return Err(err);
            }
        };
        fault::point("lease.after_graph_add");

        lease.status = LeaseStatus::Active;
        let detail = match lease.kind {
            LeaseKind::AppSecret => format!(
                "issued a client secret (key {}) until {}; Entra ends it at {}",
                lease.key_id.as_deref().unwrap_or("?"),
                when(lease.expires_at),
                when(lease.max_expires_at)
            ),
            LeaseKind::UserPassword => format!("reset the password until {}", when(lease.expires_at)),
            LeaseKind::AccessToken => format!(
                "issued an access token for {}: the lease until {}, the token itself valid at Entra until {}",
                lease.target,
                when(lease.expires_at),
                secret_expires_at.map(when).unwrap_or_else(|| "?".into())
            ),
        };
        let issued = audit_for(&lease, self.now(), AuditAction::Issued, &actor, detail, request_id);
        let committed = self.store().update_lease(&lease, None, version, Some(&issued)).await;
        let mut warning = match committed {
            Ok(Some(_)) => None,
            Ok(None) => Some("Another Entra Desk closed this lease's intent while it was being issued: reconciliation will remove the credential; issue a new lease".to_string()),
            Err(e) => Some(format!("The secret was created but the lease could not be recorded ({}): reconciliation will adopt it", e.message())),
        };
        fault::point("lease.after_commit");

        let mut usable_after_ms = None;
        if request.wait_until_usable && lease.kind == LeaseKind::AppSecret && warning.is_none() {
            match self.wait_until_usable(account_id, &lease.target, &secret).await {
                Ok(ms) => usable_after_ms = Some(ms),
                Err(e) => warning = Some(e.message().to_string()),
            }
        }
        Ok(IssuedLease { lease, secret, secret_expires_at, usable_after_ms, warning })
    }

    /// Closes an intent whose call certainly made nothing, and returns the call's error.
    async fn abandon(&self, mut lease: Lease, version: u64, actor: &str, err: Error) -> Result<IssuedLease> {
        lease.status = LeaseStatus::Abandoned;
        lease.ended_at = Some(self.now());
        lease.last_error = Some(err.message().to_string());
        let request_id = err.graph().and_then(|g| g.request_id.clone());
        let audit = audit_for(&lease, self.now(), AuditAction::IssueFailed, actor, format!("nothing was issued: {}", err.message()), request_id);
        if let Err(e) = self.store().update_lease(&lease, None, version, Some(&audit)).await {
            tracing::warn!(error = %e, "could not close an abandoned intent; reconciliation will");
        }
        let message = format!("{} Nothing was issued", err.message());
        Err(err.reworded(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_random_and_complex() {
        let a = random_password();
        let b = random_password();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 64);
        let s = a.expose();
        assert!(s.chars().any(|c| c.is_ascii_lowercase()));
        assert!(s.chars().any(|c| c.is_ascii_uppercase()));
        assert!(s.chars().any(|c| c.is_ascii_digit()));
        assert!(s.chars().any(|c| !c.is_ascii_alphanumeric()));
    }
}
