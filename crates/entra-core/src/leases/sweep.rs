//! The sweeper: revokes active leases whose expiry has passed (also those that expired while
//! no Entra Desk was running: the first sweep after start-up catches up), retries failed
//! revocations whose backoff is over, and refreshes access-token leases' tokens ahead of
//! their expiry. The background maintenance (`maintenance`) runs it periodically. It acts only
//! on the leases of the account's tenant.

use super::revoke::Why;
use super::types::{LeaseKind, LeaseStatus, SweepReport};
use super::{tenant, Leases};
use crate::Result;

const ACTOR: &str = "sweeper";

impl Leases {
    /// Revokes expired leases and retries failed revocations as `account_id`; see the module doc.
    pub async fn sweep(&self, account_id: &str) -> Result<SweepReport> {
        self.ensure_home().await?;
        let mut report = SweepReport::default();
        let now = self.now();
        let due = self.store().leases_with_status(&[LeaseStatus::Active, LeaseStatus::RevokeFailed]).await?;
        let account = self.desk().account(Some(account_id))?;
        let graph = self.graph(account_id)?;
        for stored in due {
            let lease = &stored.lease;
            if self.is_in_flight(&lease.id) || self.inherited(lease) {
                continue;
            }
            // Another tenant's lease (or an unbound one) is left for an account of its own: in
            // this tenant its credential cannot be removed, and "not found" would prove nothing.
            if !tenant::is_accounts(lease.tenant.as_ref(), &account) {
                report.other_tenants += 1;
                continue;
            }
            let expired = lease.expires_at <= now;
            let retry_due = lease.status == LeaseStatus::RevokeFailed && lease.next_attempt_at.is_none_or(|t| t <= now);
            if lease.status == LeaseStatus::RevokeFailed && !retry_due {
                report.failing += 1;
                continue;
            }
            if lease.status == LeaseStatus::Active && !expired {
                if lease.kind == LeaseKind::AccessToken && self.refresh_token_if_due(&account, lease).await {
                    report.tokens_refreshed += 1;
                }
                continue;
            }
            let was_failing = lease.status == LeaseStatus::RevokeFailed;
            let why = if expired { Why::Expired } else { Why::Asked };
            match self.revoke_lease(&graph, stored, why, ACTOR).await {
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
}
