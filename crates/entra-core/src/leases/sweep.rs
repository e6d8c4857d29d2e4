//! The sweeper and the background maintenance run.
//!
//! A sweep revokes active leases whose expiry has passed (also those that expired while no
//! Entra Desk was running: the first sweep after start-up catches up), retries failed
//! revocations whose backoff is over, and refreshes access-token leases' tokens ahead of
//! their expiry. [`Leases::maintain`] is what the app runs at start-up and then periodically:
//! a sweep, plus a reconciliation on the first run of the process and every
//! [`super::RECONCILE_EVERY`].

use super::revoke::Why;
use super::rows;
use super::types::{LeaseKind, LeaseStatus, MaintenanceRun, SweepReport};
use super::{store_error, Leases, RECONCILE_EVERY};
use crate::Result;

const ACTOR: &str = "sweeper";

impl Leases {
    /// Revokes expired leases and retries failed revocations as `account_id`; see the module doc.
    pub async fn sweep(&self, account_id: &str) -> Result<SweepReport> {
        let mut report = SweepReport::default();
        let now = self.now();
        let due = self
            .store()
            .leases_with_status(&[LeaseStatus::Active.as_str(), LeaseStatus::RevokeFailed.as_str()])
            .await
            .map_err(store_error)?;
        let graph = self.graph(account_id)?;
        for row in due {
            let stored = rows::lease(row)?;
            let lease = stored.lease;
            if self.is_in_flight(&lease.id) {
                continue;
            }
            let expired = lease.expires_at <= now;
            let retry_due = lease.status == LeaseStatus::RevokeFailed && lease.next_attempt_at.is_none_or(|t| t <= now);
            if lease.status == LeaseStatus::RevokeFailed && !retry_due {
                report.failing += 1;
                continue;
            }
            if lease.status == LeaseStatus::Active && !expired {
                if lease.kind == LeaseKind::AccessToken && self.refresh_token_if_due(account_id, &lease).await {
                    report.tokens_refreshed += 1;
                }
                continue;
            }
            let was_failing = lease.status == LeaseStatus::RevokeFailed;
            let why = if expired { Why::Expired } else { Why::Asked };
            match self.revoke_lease(&graph, lease, why, ACTOR).await {
                Ok(_) if was_failing => report.recovered += 1,
                Ok(_) => report.expired += 1,
                Err(e) => {
                    tracing::warn!(error = %e, "a lease revocation failed; it will be retried");
                    report.failing += 1;
                }
            }
        }
        Ok(report)
    }

    /// One background maintenance run: a sweep, and a reconciliation when due. Never fails:
    /// what went wrong is in [`MaintenanceRun::error`], and the run is kept for the screen.
    pub async fn maintain(&self, account_id: Option<&str>) -> MaintenanceRun {
        let mut run = MaintenanceRun { at: self.now(), sweep: SweepReport::default(), reconcile: None, error: None };
        let Some(account_id) = account_id else {
            run.error = Some("Not signed in: expired leases are revoked once you sign in".into());
            self.save_run(&run, false).await;
            return run;
        };
        let due = match self.store().maintenance().await {
            Ok(Some((_, Some(at)))) => !self.has_reconciled() || self.now() - at >= RECONCILE_EVERY,
            _ => true,
        };
        let mut errors = Vec::new();
        // Sweep first: leases that expired meanwhile are ended as "expired" (not merely
        // "reconciled"), and reconciliation then sees the store as current as it can be.
        match self.sweep(account_id).await {
            Ok(report) => run.sweep = report,
            Err(e) => errors.push(format!("sweep: {}", e.message())),
        }
        if due {
            match self.reconcile(account_id).await {
                Ok(report) => {
                    errors.extend(report.errors.iter().cloned());
                    run.reconcile = Some(report);
                }
                Err(e) => errors.push(format!("reconciliation: {}", e.message())),
            }
        }
        if !errors.is_empty() {
            run.error = Some(errors.join("; "));
        }
        run.at = self.now();
        self.save_run(&run, run.reconcile.is_some()).await;
        run
    }

    async fn save_run(&self, run: &MaintenanceRun, reconciled: bool) {
        let Ok(json) = serde_json::to_string(run) else { return };
        if let Err(e) = self.store().set_maintenance(&json, reconciled.then_some(run.at)).await {
            tracing::warn!(error = %store_error(e), "could not record the lease maintenance run");
        }
    }
}
