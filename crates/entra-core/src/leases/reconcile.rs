//! Reconciliation: the tenant's credentials against the lease store.
//!
//! For each application that an app-secret lease or definition of the account's tenant targets,
//! the credentials are listed once. A credential whose marker names **this** store is ours;
//! anything else (people's secrets, other tools', another Entra Desk store's) is counted as
//! foreign and left alone. For ours, by the lease its marker names:
//! - no lease at all (the store lost it) → removed;
//! - `pending` whose process is gone (intent recorded, Graph call made, commit lost) → adopted
//!   (active, with a note that its secret was never shown), or ended at once if already expired;
//! - `active` / `revoke-failed` past its expiry → revoked as the sweeper would;
//!   `revoking` whose process is gone, or final → removed, and the lease committed;
//! - `active` and current → kept.
//!
//! Then the leases that no credential answered for: a dead `pending` intent is closed
//! (`abandoned`: its call never happened); `revoking` is committed (the removal happened);
//! `active` is closed as removed outside Entra Desk — unless it is younger than
//! [`REPLICATION_GRACE`]: Entra may not list a new credential yet. Intents of a live process are
//! skipped (see `owner::Owner`). User-password intents cannot be seen in the tenant: a dead one
//! is settled by resetting the password again and ending the user's sessions, since nobody was
//! ever shown the password it may have set.
//!
//! # Racing issue, renew and revoke
//! Reconciliation runs beside the app's Issue button, `entractl`, and other processes' sweeps.
//! So the order of reads is what makes it safe:
//! - a credential is judged by its lease **read after the listing** that showed it: issue writes
//!   its intent before `addPassword`, so a credential in the listing has its row by then, and a
//!   lease issued meanwhile is never taken for "no lease at all";
//! - a missing credential is judged by the lease **read before the listing**: a lease issued
//!   after the listing is not in that read, so it is never taken for "removed outside";
//! - before removing the credential of a lease that is not final, its row is claimed (moved to
//!   `revoking`, owned by this process) over the row version read, so a renewal or a revocation
//!   that came between wins and the credential stays; every other write is over a row version.

use super::audit::audit_for;
use super::marker::lease_id_of;
use super::owner::{self, this_process, Owner};
use super::revoke::{already_gone, Why};
use super::store::StoredLease;
use super::types::{AuditAction, AuditLine, Lease, LeaseKind, LeaseStatus, ReconcileReport};
use super::{tenant, InFlight, Leases, INTENT_GRACE};
use crate::accounts::Account;
use crate::graph::{map_error, GraphClient};
use crate::{ErrorCode, Result};
use futures::StreamExt;
use std::collections::{BTreeSet, HashSet};
use std::time::Instant;

const ACTOR: &str = "reconciliation";

/// How young an active lease may be and still not be listed by Entra without being "removed
/// outside": Entra's directory replicates a new credential to every replica within seconds,
/// rarely minutes; five minutes covers the rare case, and a lease removed outside in its first
/// five minutes is still closed by the next reconciliation.
pub const REPLICATION_GRACE: chrono::Duration = chrono::Duration::minutes(5);

/// How many removals reconciliation sends at once (the Graph client's own fan-out).
const REMOVALS_IN_FLIGHT: usize = 8;

impl Leases {
    /// Reconciles the tenant of `account_id` with the store; see the module doc.
    pub async fn reconcile(&self, account_id: &str) -> Result<ReconcileReport> {
        let started = Instant::now();
        self.ensure_home().await?;
        let account = self.desk().account(Some(account_id))?;
        let graph = self.graph(account_id)?;
        // The account's client is shared with its other operations: count from here.
        let sent_before = graph.request_count();
        let store_id = self.store_id().await?;
        let mut report = ReconcileReport::default();
        // Read before any listing: see "Racing issue, renew and revoke".
        let all: Vec<StoredLease> = self.store().leases().await?;
        // A copy's inherited leases are the original store's: their markers name its ID, and
        // they are neither "missing" here nor ours to end.
        let all: Vec<StoredLease> = all.into_iter().filter(|s| !self.inherited(&s.lease)).collect();
        let (ours, others): (Vec<StoredLease>, Vec<StoredLease>) = all.into_iter().partition(|s| tenant::is_accounts(s.lease.tenant.as_ref(), &account));
        report.other_tenants += others.iter().filter(|s| !s.lease.status.is_final()).count() as u32;

        let mut targets: BTreeSet<String> = ours.iter().filter(|s| s.lease.kind == LeaseKind::AppSecret).map(|s| s.lease.target.clone()).collect();
        for d in self.definitions().await? {
            if d.kind != LeaseKind::AppSecret {
                continue;
            }
            if tenant::is_accounts(d.tenant.as_ref(), &account) {
                targets.insert(d.target);
            } else {
                report.other_tenants += 1;
            }
        }
        for target in &targets {
            let before: Vec<&StoredLease> = ours.iter().filter(|s| s.lease.kind == LeaseKind::AppSecret && &s.lease.target == target).collect();
            if let Err(e) = self.reconcile_target(&graph, &account, target, &store_id, &before, &mut report).await {
                report.errors.push(format!("{target}: {}", e.message()));
            }
        }
        for stored in ours.iter().filter(|s| s.lease.kind != LeaseKind::AppSecret) {
            self.reconcile_off_tenant(&graph, stored, &mut report).await;
        }
        self.mark_reconciled();
        report.requests = u32::try_from(graph.request_count().saturating_sub(sent_before)).unwrap_or(u32::MAX);
        report.duration_ms = started.elapsed().as_millis() as u64;
        let detail = format!(
            "reconciled {} application(s) of tenant {}: {} credential(s), {} foreign left alone, {} removed, {} adopted, {} intent(s) closed, {} lease(s) closed",
            report.targets, account.tenant_id, report.credentials_seen, report.foreign, report.removed, report.adopted, report.abandoned, report.closed
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

    /// Moves a lease whose credential is about to be removed to `revoking`, owned by this
    /// process, over the version read: `None` when it changed meanwhile (then it is left alone).
    async fn claim(&self, stored: &StoredLease) -> Result<Option<(StoredLease, InFlight)>> {
        let held = self.hold(&stored.lease.id);
        let mut lease = stored.lease.clone();
        lease.status = LeaseStatus::Revoking;
        let owner = this_process();
        Ok(self
            .store()
            .update_lease(&lease, Some(&owner), stored.version, None)
            .await?
            .map(|version| (StoredLease { lease, owner: Some(owner), version }, held)))
    }

    async fn reconcile_target(
        &self,
        graph: &GraphClient,
        account: &Account,
        target: &str,
        store_id: &str,
        before: &[&StoredLease],
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
        // (key ID, lease ID, the lease as claimed, if it has one; the claim's hold)
        let mut removals: Vec<(String, String, Option<StoredLease>, Option<InFlight>)> = Vec::new();
        for credential in &credentials {
            report.credentials_seen += 1;
            let Some(lease_id) = lease_id_of(credential.display_name.as_deref(), store_id) else {
                report.foreign += 1;
                continue;
            };
            seen.insert(lease_id.to_string());
            // Read after the listing (see the module doc).
            let stored = self.store().lease(lease_id).await?;
            let Some(stored) = stored else {
                removals.push((credential.key_id.clone(), lease_id.to_string(), None, None));
                continue;
            };
            if !tenant::is_accounts(stored.lease.tenant.as_ref(), account) {
                // Made here by this store, but its record names no tenant or another: binding
                // decides, not reconciliation.
                report.other_tenants += 1;
                continue;
            }
            let lease = &stored.lease;
            let expired = lease.expires_at <= now;
            match lease.status {
                LeaseStatus::Pending if !self.may_decide(&stored) => {}
                LeaseStatus::Pending if !expired => {
                    self.adopt(&stored, &credential.key_id, credential.hint.clone()).await?;
                    report.adopted += 1;
                }
                LeaseStatus::Revoking if !self.may_decide(&stored) => {}
                LeaseStatus::Active | LeaseStatus::RevokeFailed if !expired => {}
                LeaseStatus::Active | LeaseStatus::RevokeFailed => {
                    if self.is_in_flight(&lease.id) {
                        continue;
                    }
                    // As the sweeper would: claimed over its version, removed, committed.
                    match self.revoke_lease(graph, stored.clone(), Why::Expired, ACTOR).await {
                        Ok(_) => report.removed += 1,
                        Err(e) if e.code() == ErrorCode::InvalidInput => {} // changed meanwhile: its writer decides
                        Err(e) => report.errors.push(format!("lease {}: {}", lease.id, e.message())),
                    }
                }
                s if s.is_final() => removals.push((credential.key_id.clone(), lease_id.to_string(), Some(stored), None)),
                _ => {
                    if let Some((claimed, held)) = self.claim(&stored).await? {
                        removals.push((credential.key_id.clone(), lease_id.to_string(), Some(claimed), Some(held)));
                    }
                }
            }
        }
        // Ours and over (or unknown to the store): remove them, several at a time (the Graph
        // client's gate still honours any Retry-After), then record each result in order.
        // Each future owns what it uses: a stream of futures borrowing from this frame makes the
        // whole maintenance future not `Send` (a higher-ranked lifetime the compiler cannot prove).
        let calls: Vec<_> = removals
            .iter()
            .map(|(key_id, _, _, _)| {
                let (graph, target, key_id) = (graph.clone(), target.to_string(), key_id.clone());
                async move { graph.remove_application_password(&target, &key_id).await }
            })
            .collect();
        let results: Vec<_> = futures::stream::iter(calls).buffered(REMOVALS_IN_FLIGHT).collect().await;
        for ((key_id, lease_id, lease, _held), result) in removals.iter().zip(results) {
            match result {
                Ok(_) => report.removed += 1,
                Err(e) if already_gone(&e) => report.removed += 1,
                Err(e) => {
                    // A claimed lease stays `revoking`, owned by this process: the next run (or
                    // the sweeper's revocation) finishes it.
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
        // Leases on this target, as read before the listing, that no credential answered for.
        for stored in before.iter().filter(|s| !seen.contains(&s.lease.id)) {
            let lease = &stored.lease;
            let (status, detail, counter) = match lease.status {
                LeaseStatus::Pending if self.may_decide(stored) => {
                    (LeaseStatus::Abandoned, "closed the intent: its addPassword never happened".to_string(), &mut report.abandoned)
                }
                LeaseStatus::Revoking if self.may_decide(stored) => {
                    let s = if lease.expires_at <= now { LeaseStatus::Expired } else { LeaseStatus::Revoked };
                    (s, "the credential is gone: the interrupted revocation is committed".to_string(), &mut report.closed)
                }
                // Entra may not list a credential added a moment ago (replication): not yet.
                LeaseStatus::Active | LeaseStatus::RevokeFailed if now - lease.issued_at < REPLICATION_GRACE => continue,
                LeaseStatus::Active | LeaseStatus::RevokeFailed if !self.is_in_flight(&lease.id) => {
                    (LeaseStatus::Revoked, "the credential is gone from the application: removed outside Entra Desk".to_string(), &mut report.closed)
                }
                _ => continue,
            };
            // Over the version read before the listing: a lease that moved since is not judged.
            if self.finish(stored, status, detail).await? {
                *counter += 1;
            }
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
    async fn close(&self, stored: &StoredLease, key_id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool> {
        let status = match stored.lease.status {
            s if s.is_final() => {
                let audit = audit_for(&stored.lease, now, AuditAction::Reconciled, ACTOR, format!("removed credential {key_id}, left behind by a {} lease", s.as_str()), None);
                return self.store().append_audit(&audit).await.map(|_| true);
            }
            _ if stored.lease.expires_at <= now => LeaseStatus::Expired,
            _ => LeaseStatus::Revoked,
        };
        self.finish(stored, status, format!("removed credential {key_id}")).await
    }

    /// Moves a lease to a final status with an audit line; false (nothing written) if it moved
    /// meanwhile.
    async fn finish(&self, stored: &StoredLease, status: LeaseStatus, detail: String) -> Result<bool> {
        let mut lease: Lease = stored.lease.clone();
        lease.status = status;
        lease.ended_at = Some(self.now());
        lease.next_attempt_at = None;
        if status == LeaseStatus::Abandoned {
            lease.note = Some(detail.clone());
        }
        let action = if status == LeaseStatus::Expired { AuditAction::Expired } else { AuditAction::Reconciled };
        let audit = audit_for(&lease, self.now(), action, ACTOR, detail, None);
        let written = self.store().update_lease(&lease, None, stored.version, Some(&audit)).await?.is_some();
        if written {
            self.tokens().forget(&lease.id);
        }
        Ok(written)
    }
}
