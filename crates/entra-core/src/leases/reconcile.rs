//! Reconciliation: the tenant's credentials against the lease store.
//!
//! For each application that an app-secret lease or definition targets, the credentials are
//! listed once. A credential whose marker names **this** store is ours; anything else (people's
//! secrets, other tools', another Entra Desk store's) is counted as foreign and left alone.
//! For ours, by the lease its marker names:
//! - no lease at all (the store lost it) → removed;
//! - `pending` whose process is gone (intent recorded, Graph call made, commit lost) → adopted
//!   (active, with a note that its secret was never shown), or ended at once if already expired;
//! - `active` / `revoke-failed` past its expiry, `revoking`, or final → removed, and the lease
//!   committed as revoked or expired;
//! - `active` and current → kept.
//!
//! Then the leases that no credential answered for: a dead `pending` intent is closed
//! (`abandoned`: its call never happened); `revoking` is committed (the removal happened);
//! `active` is closed as removed outside Entra Desk. Intents of a live process are skipped
//! (see `owner::Owner`). User-password intents cannot be seen in the tenant: a dead one is
//! settled by resetting the password again and ending the user's sessions, since nobody was
//! ever shown the password it may have set.

use super::audit::audit_for;
use super::marker::lease_id_of;
use super::owner::{self, Owner};
use super::revoke::{already_gone, Why};
use super::store::StoredLease;
use super::types::{AuditAction, AuditLine, Lease, LeaseKind, LeaseStatus, ReconcileReport};
use super::{Leases, INTENT_GRACE};
use crate::graph::{map_error, GraphClient};
use crate::Result;
use std::collections::{BTreeSet, HashMap, HashSet};
use futures::StreamExt;
use std::time::Instant;

const ACTOR: &str = "reconciliation";

/// How many removals reconciliation sends at once (the Graph client's own fan-out).
const REMOVALS_IN_FLIGHT: usize = 8;

impl Leases {
    /// Reconciles the tenant with the store as `account_id`; see the module doc.
    pub async fn reconcile(&self, account_id: &str) -> Result<ReconcileReport> {
        let started = Instant::now();
        let graph = self.graph(account_id)?;
        let store_id = self.store_id().await?;
        let mut report = ReconcileReport::default();
        let all: Vec<StoredLease> = self.store().leases().await?;
        let by_id: HashMap<String, StoredLease> = all.iter().map(|s| (s.lease.id.clone(), s.clone())).collect();

        let mut targets: BTreeSet<String> = all.iter().filter(|s| s.lease.kind == LeaseKind::AppSecret).map(|s| s.lease.target.clone()).collect();
        for d in self.definitions().await? {
            if d.kind == LeaseKind::AppSecret {
                targets.insert(d.target);
            }
        }
        for target in &targets {
            if let Err(e) = self.reconcile_target(&graph, target, &store_id, &by_id, &mut report).await {
                report.errors.push(format!("{target}: {}", e.message()));
            }
        }
        for stored in all.iter().filter(|s| s.lease.kind != LeaseKind::AppSecret) {
            self.reconcile_off_tenant(&graph, stored, &mut report).await;
        }
        self.mark_reconciled();
        report.requests = u32::try_from(graph.request_count()).unwrap_or(u32::MAX);
        report.duration_ms = started.elapsed().as_millis() as u64;
        let detail = format!(
            "reconciled {} application(s): {} credential(s), {} foreign left alone, {} removed, {} adopted, {} intent(s) closed, {} lease(s) closed",
            report.targets, report.credentials_seen, report.foreign, report.removed, report.adopted, report.abandoned, report.closed
        );
        if report.removed + report.adopted + report.abandoned + report.closed > 0 || !report.errors.is_empty() {
            let audit = AuditLine {
                at: self.now(),
                action: AuditAction::Reconciled,
                lease_id: None,
                definition: None,
                target: None,
                actor: ACTOR.to_string(),
                detail,
                request_id: None,
            };
            self.store().append_audit(&audit).await?;
        }
        Ok(report)
    }

    /// Whether an unfinished record (pending or revoking) may be decided now.
    fn may_decide(&self, stored: &StoredLease) -> bool {
        if self.is_in_flight(&stored.lease.id) {
            return false;
        }
        match owner::owner(stored.owner.as_deref()) {
            Owner::ThisProcess | Owner::Gone => true,
            Owner::MaybeAlive => self.now() - stored.lease.issued_at.max(stored.lease.renewed_at.unwrap_or(stored.lease.issued_at)) > INTENT_GRACE,
        }
    }

    async fn reconcile_target(
        &self,
        graph: &GraphClient,
        target: &str,
        store_id: &str,
        by_id: &HashMap<String, StoredLease>,
        report: &mut ReconcileReport,
    ) -> Result<()> {
        let app = match graph.application_credentials(target).await {
            Ok(app) => Some(app),
            Err(e) if e.status() == Some(404) => None,
            Err(e) => return Err(map_error(e)),
        };
        report.targets += 1;
        let credentials = app.map(|a| a.password_credentials).unwrap_or_default();
        let now = self.now();
        let mut seen: HashSet<String> = HashSet::new();
        let mut removals: Vec<(String, String, Option<&StoredLease>)> = Vec::new();
        for credential in &credentials {
            report.credentials_seen += 1;
            let Some(lease_id) = lease_id_of(credential.display_name.as_deref(), store_id) else {
                report.foreign += 1;
                continue;
            };
            seen.insert(lease_id.to_string());
            let stored = by_id.get(lease_id);
            let decision = match stored.map(|s| (s, s.lease.status)) {
                None => Some(None),
                Some((s, LeaseStatus::Pending)) if self.may_decide(s) => {
                    if s.lease.expires_at > now {
                        self.adopt(s, &credential.key_id, credential.hint.clone()).await?;
                        report.adopted += 1;
                        None
                    } else {
                        Some(Some(s))
                    }
                }
                Some((_, LeaseStatus::Pending)) => None,
                Some((s, LeaseStatus::Revoking)) if !self.may_decide(s) => None,
                Some((s, LeaseStatus::Active | LeaseStatus::RevokeFailed)) if s.lease.expires_at > now => None,
                Some((s, _)) => Some(Some(s)),
            };
            if let Some(lease) = decision {
                removals.push((credential.key_id.clone(), lease_id.to_string(), lease));
            }
        }
        // Ours and over (or unknown to the store): remove them, several at a time (the Graph
        // client's gate still honours any Retry-After), then record each result in order.
        // Each future owns what it uses: a stream of futures borrowing from this frame makes the
        // whole maintenance future not `Send` (a higher-ranked lifetime the compiler cannot prove).
        let calls: Vec<_> = removals
            .iter()
            .map(|(key_id, _, _)| {
                let (graph, target, key_id) = (graph.clone(), target.to_string(), key_id.clone());
                async move { graph.remove_application_password(&target, &key_id).await }
            })
            .collect();
        let results: Vec<_> = futures::stream::iter(calls).buffered(REMOVALS_IN_FLIGHT).collect().await;
        for ((key_id, lease_id, lease), result) in removals.iter().zip(results) {
            match result {
                Ok(_) => report.removed += 1,
                Err(e) if already_gone(&e) => report.removed += 1,
                Err(e) => {
                    report.errors.push(format!("could not remove credential {key_id} from {target}: {}", map_error(e).message()));
                    continue;
                }
            }
            if let Some(stored) = lease {
                self.close(stored, key_id, now).await?;
            } else {
                let audit = AuditLine {
                    at: now,
                    action: AuditAction::Reconciled,
                    lease_id: Some(lease_id.clone()),
                    definition: None,
                    target: Some(target.to_string()),
                    actor: ACTOR.to_string(),
                    detail: format!("removed credential {key_id} that carries this store's marker but has no lease"),
                    request_id: None,
                };
                self.store().append_audit(&audit).await?;
            }
        }
        // Leases on this target that no credential answered for.
        for stored in by_id.values().filter(|s| s.lease.kind == LeaseKind::AppSecret && s.lease.target == target && !seen.contains(&s.lease.id)) {
            let lease = &stored.lease;
            let (status, detail, counter) = match lease.status {
                LeaseStatus::Pending if self.may_decide(stored) => {
                    (LeaseStatus::Abandoned, "closed the intent: its addPassword never happened".to_string(), &mut report.abandoned)
                }
                LeaseStatus::Revoking if self.may_decide(stored) => {
                    let s = if lease.expires_at <= now { LeaseStatus::Expired } else { LeaseStatus::Revoked };
                    (s, "the credential is gone: the interrupted revocation is committed".to_string(), &mut report.closed)
                }
                LeaseStatus::Active | LeaseStatus::RevokeFailed => {
                    (LeaseStatus::Revoked, "the credential is gone from the application: removed outside Entra Desk".to_string(), &mut report.closed)
                }
                _ => continue,
            };
            *counter += 1;
            self.finish(stored, status, detail).await?;
        }
        Ok(())
    }

    /// Leases whose kind leaves no mark in the tenant (user passwords, access tokens).
    async fn reconcile_off_tenant(&self, graph: &GraphClient, stored: &StoredLease, report: &mut ReconcileReport) {
        let lease = &stored.lease;
        let unfinished = matches!(lease.status, LeaseStatus::Pending | LeaseStatus::Revoking);
        if !unfinished || !self.may_decide(stored) {
            return;
        }
        match (lease.kind, lease.status) {
            (LeaseKind::AccessToken, LeaseStatus::Pending) => {
                report.abandoned += 1;
                let _ = self.finish(stored, LeaseStatus::Abandoned, "closed the intent: the token was never handed out".into()).await;
            }
            (LeaseKind::UserPassword, LeaseStatus::Pending) => {
                // The password may or may not have been set; nobody saw it. Settle it the safe way.
                match self.revoke_lease(graph, stored.clone(), Why::Reconciled, ACTOR).await {
                    Ok(_) => report.abandoned += 1,
                    Err(e) => report.errors.push(format!("user {}: {}", lease.target, e.message())),
                }
            }
            _ => match self.revoke_lease(graph, stored.clone(), Why::Reconciled, ACTOR).await {
                Ok(_) => report.closed += 1,
                Err(e) => report.errors.push(format!("{} {}: {}", lease.kind.as_str(), lease.target, e.message())),
            },
        }
    }

    async fn adopt(&self, stored: &StoredLease, key_id: &str, hint: Option<String>) -> Result<()> {
        let mut lease = stored.lease.clone();
        lease.status = LeaseStatus::Active;
        lease.key_id = Some(key_id.to_string());
        lease.hint = hint;
        lease.last_error = None;
        lease.note = Some("adopted by reconciliation after an interrupted issue: its secret was never shown; revoke it or let it expire".into());
        let audit = audit_for(&lease, self.now(), AuditAction::Reconciled, ACTOR, format!("adopted credential {key_id}: its intent was recorded"), None);
        // Over the version read at the start: a process that moved it meanwhile wins.
        self.store().update_lease(&lease, None, stored.version, Some(&audit)).await?;
        Ok(())
    }

    /// Commits a lease whose credential reconciliation just removed.
    async fn close(&self, stored: &StoredLease, key_id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let status = match stored.lease.status {
            s if s.is_final() => {
                let audit = audit_for(&stored.lease, now, AuditAction::Reconciled, ACTOR, format!("removed credential {key_id}, left behind by a {} lease", s.as_str()), None);
                return self.store().append_audit(&audit).await;
            }
            _ if stored.lease.expires_at <= now => LeaseStatus::Expired,
            _ => LeaseStatus::Revoked,
        };
        self.finish(stored, status, format!("removed credential {key_id}")).await
    }

    /// Moves a lease to a final status with an audit line (nothing if it moved meanwhile).
    async fn finish(&self, stored: &StoredLease, status: LeaseStatus, detail: String) -> Result<()> {
        let mut lease: Lease = stored.lease.clone();
        lease.status = status;
        lease.ended_at = Some(self.now());
        lease.next_attempt_at = None;
        if status == LeaseStatus::Abandoned {
            lease.note = Some(detail.clone());
        }
        self.tokens().forget(&lease.id);
        let action = if status == LeaseStatus::Expired { AuditAction::Expired } else { AuditAction::Reconciled };
        let audit = audit_for(&lease, self.now(), action, ACTOR, detail, None);
        self.store().update_lease(&lease, None, stored.version, Some(&audit)).await?;
        Ok(())
    }
}
