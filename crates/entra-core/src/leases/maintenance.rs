//! The leases' background maintenance, shared by the app and `entractl lease maintain`.
//!
//! - [`Leases::maintain`] is one run: a sweep (expired leases revoked, failed revocations
//!   retried, access tokens refreshed), plus a reconciliation on the first run of the process
//!   and every [`super::RECONCILE_EVERY`]. It never fails: what went wrong is in the run, and
//!   the run is recorded for the screen's "last maintenance" line.
//! - [`run_loop`] repeats it: at once when an account is signed in (the sweeper catches up
//!   with what expired while nothing ran), then every [`INTERVAL`], until cancelled.
//! - Maintenance needs the store's leadership: every process of a desktop's own store has it,
//!   one member at a time of a team store (see `store::shared`), renewed every
//!   [`LEADER_HEARTBEAT`] and checked by every write it makes ([`Leases::fenced`]).
//! - [`SignedInAccount`] tells the loop which account to act as. In the app only the webview
//!   knows who is signed in (it signs in, resumes an account, signs out), so the sign-in
//!   commands feed it; `entractl` feeds it the account its sign-in options chose.

use super::store::Leadership;
use super::types::{MaintenanceRun, SweepReport};
use super::{Leases, RECONCILE_EVERY};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How often maintenance runs after the first run.
pub const INTERVAL: Duration = Duration::from_secs(60);

impl Leases {
    /// One background maintenance run: a sweep, and a reconciliation when due. See the module doc.
    pub async fn maintain(&self, account_id: Option<&str>) -> MaintenanceRun {
        let mut run = MaintenanceRun { at: self.now(), sweep: SweepReport::default(), reconcile: None, error: None };
        let Some(account_id) = account_id else {
            run.error = Some("Not signed in: expired leases are revoked once you sign in".into());
            self.save_run(&run, false).await;
            return run;
        };
        let due = match self.store().maintenance().await {
            Ok(record) => match record.reconciled_at {
                Some(at) => !self.has_reconciled() || self.now() - at >= RECONCILE_EVERY,
                None => true,
            },
            Err(_) => true,
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
        if let Err(e) = self.store().set_maintenance(run, reconciled.then_some(run.at)).await {
            tracing::warn!(error = %e, "could not record the lease maintenance run");
        }
    }
}

/// The account maintenance acts as: `None` while nobody is signed in. Cheap to share; the
/// loop watches it through [`SignedInAccount::subscribe`].
pub struct SignedInAccount(watch::Sender<Option<String>>);

impl Default for SignedInAccount {
    fn default() -> Self {
        SignedInAccount(watch::channel(None).0)
    }
}

impl SignedInAccount {
    /// `account_id` signed in (or was resumed): maintenance runs for it, once now.
    pub fn signed_in(&self, account_id: &str) {
        self.0.send_replace(Some(account_id.to_string()));
    }

    /// `account_id` signed out: maintenance stops using it (another account signed in since is kept).
    pub fn signed_out(&self, account_id: &str) {
        self.0.send_if_modified(|current| {
            if current.as_deref() == Some(account_id) {
                *current = None;
                true
            } else {
                false
            }
        });
    }

    /// What [`run_loop`] watches.
    pub fn subscribe(&self) -> watch::Receiver<Option<String>> {
        self.0.subscribe()
    }
}

/// How long a team store's maintenance term lasts unless its leader renews it: a leader that
/// stops (killed, suspended, cut off) is replaced within this plus one [`LEADER_HEARTBEAT`].
pub const LEADER_TERM: Duration = Duration::from_secs(20);

/// How often a leader renews its term, and a member that does not lead tries to take it.
pub const LEADER_HEARTBEAT: Duration = Duration::from_secs(5);

/// Runs [`Leases::maintain`] until `cancel`: nothing before the first account is signed in;
/// then at once, and every `every` after (a late run is not made up in a burst). A new sign-in
/// runs at once and restarts the period; after a sign-out the runs go on without an account,
/// so the screen says why nothing was revoked. If the account's sender goes away, the last
/// account stays. `on_run` sees each run (the CLI prints it; the app only logs).
///
/// A run needs the store's maintenance leadership ([`super::LeaseStore::lead`]): a store of
/// one desktop grants it to every process, a team store to one member at a time, who renews
/// it every [`LEADER_HEARTBEAT`] (during a run too) and writes through the fenced store. A
/// member that does not lead tries again on every heartbeat and runs as soon as it leads.
///
/// Cancellation is honoured between runs: a run in progress finishes, so what it did in the
/// tenant is also recorded in the store (a run cut short would leave `revoking` records for
/// the next reconciliation to settle). A leader resigns when cancelled.
pub async fn run_loop(
    leases: Leases,
    mut account: watch::Receiver<Option<String>>,
    every: Duration,
    cancel: CancellationToken,
    mut on_run: impl FnMut(&MaintenanceRun) + Send,
) {
    // Nothing to do before the first sign-in: a run without an account would only say so.
    while account.borrow_and_update().is_none() {
        tokio::select! {
            _ = cancel.cancelled() => return,
            changed = account.changed() => {
                if changed.is_err() {
                    // Nobody is signed in and nobody ever will be.
                    return;
                }
            }
        }
    }
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut heartbeat = tokio::time::interval(LEADER_HEARTBEAT);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut leading = Held::default();
    let mut watching = true;
    loop {
        let mut due = false;
        tokio::select! {
            // Cancellation first: a tick that is due at the same moment does not start a run.
            biased;
            _ = cancel.cancelled() => break,
            _ = ticks.tick() => due = true,
            _ = heartbeat.tick() => {}
            changed = account.changed(), if watching => {
                if changed.is_err() {
                    watching = false;
                    continue;
                }
                // A sign-out waits for the next tick; a new sign-in runs now and restarts the period.
                if account.borrow().is_none() {
                    continue;
                }
                ticks.reset();
                due = true;
            }
        }
        let current = account.borrow_and_update().clone();
        let was_leading = leading.term.is_some();
        leases.keep_leading(&mut leading, current.as_deref()).await;
        let Some(leadership) = leading.term.clone() else { continue };
        // A member that just took over runs at once: the previous leader may have stopped mid-run.
        if !due && was_leading {
            continue;
        }
        let run = leases.maintain_leading(&leadership, current.as_deref()).await;
        match &run.error {
            Some(error) => tracing::info!(account = ?current, "lease maintenance did not finish: {error}"),
            None => tracing::debug!(account = ?current, expired = run.sweep.expired, failing = run.sweep.failing, "lease maintenance ran"),
        }
        on_run(&run);
    }
    if let Some(leadership) = leading.term.or(leading.stepping_down) {
        if let Err(e) = leases.store().resign(&leadership).await {
            tracing::info!(error = %e, "could not give up the lease maintenance leadership; it ends with its term");
        }
    }
}

/// What [`run_loop`] holds of the leadership.
#[derive(Debug, Default)]
struct Held {
    /// The term this member holds.
    term: Option<Leadership>,
    /// A term to end before leading again (its connection was lost while it held it).
    stepping_down: Option<Leadership>,
}

impl Leases {
    /// One maintenance run now, as [`run_loop`] would make it: with the store's leadership
    /// (taken for the run, and given up after it). A team store another member maintains
    /// refuses with `not_leader`, naming it: two maintainers would spend the Graph budget twice.
    pub async fn maintain_once(&self, account_id: Option<&str>) -> crate::Result<MaintenanceRun> {
        let mut held = Held::default();
        self.keep_leading(&mut held, account_id).await;
        let Some(leadership) = held.term else {
            let leader = self.store().leader().await.ok().flatten();
            let who = leader.map(|l| format!("{} (until {})", l.member, l.until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
            return Err(crate::Error::new(
                crate::ErrorCode::NotLeader,
                format!(
                    "Another member maintains this team store ({}): nothing was done. Its maintenance covers every lease; \
                     run this again when it has stopped",
                    who.unwrap_or_else(|| "it could not be read".into())
                ),
            ));
        };
        let run = self.maintain_leading(&leadership, account_id).await;
        if let Err(e) = self.store().resign(&leadership).await {
            tracing::info!(error = %e, "could not give up the lease maintenance leadership; it ends with its term");
        }
        Ok(run)
    }

    /// This process's name as a maintenance member: `user@host:pid` (the account's user name
    /// when one is signed in), unique per process and readable on the screen.
    fn member_name(&self, account_id: Option<&str>) -> String {
        let user = account_id.and_then(|id| self.desk().account(Some(id)).ok()).map(|a| a.username);
        let host = super::owner::host_name();
        match user {
            Some(user) => format!("{user}@{host}:{}", std::process::id()),
            None => format!("{host}:{}", std::process::id()),
        }
    }

    /// Takes or renews the leadership (see [`run_loop`]) into `held`: no term while another
    /// member holds it or the store cannot be reached. A member whose name changed (another
    /// account signed in) gives the old term up first. A leader that lost its connection steps
    /// down: whatever it was doing may not have been written, and a member with a working
    /// connection should take over rather than wait for the term to run out. So its term is
    /// ended (resigned) as soon as the store answers again, before it may lead again — then
    /// in a new term, which fences off anything still running under the old one.
    async fn keep_leading(&self, held: &mut Held, account_id: Option<&str>) {
        let member = self.member_name(account_id);
        if let Some(old) = held.term.take_if(|l| l.member != member) {
            let _ = self.store().resign(&old).await;
        }
        if let Some(old) = held.stepping_down.clone() {
            if self.store().resign(&old).await.is_err() {
                return;
            }
            held.stepping_down = None;
        }
        match self.store().lead(&member, LEADER_TERM).await {
            Ok(term) => held.term = term,
            Err(e) => {
                held.stepping_down = held.term.take().or(held.stepping_down.take());
                tracing::info!(error = %e, "cannot take the lease maintenance leadership; trying again");
            }
        }
    }

    /// One run as the leader: through the fenced store, renewing the term while it works.
    async fn maintain_leading(&self, leadership: &Leadership, account_id: Option<&str>) -> MaintenanceRun {
        let fenced = self.fenced(leadership);
        let done = CancellationToken::new();
        let renew = async {
            loop {
                tokio::select! {
                    _ = done.cancelled() => break,
                    _ = tokio::time::sleep(LEADER_HEARTBEAT) => {
                        if !matches!(self.store().lead(&leadership.member, LEADER_TERM).await, Ok(Some(ref l)) if l.term == leadership.term) {
                            // Lost: the fenced writes now fail, so the run ends without harm.
                            tracing::info!("lost the lease maintenance leadership during a run");
                            break;
                        }
                    }
                }
            }
        };
        let work = async {
            let run = fenced.maintain(account_id).await;
            done.cancel();
            run
        };
        tokio::join!(work, renew).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_out_forgets_only_the_account_that_signed_out() {
        let signed_in = SignedInAccount::default();
        let watcher = signed_in.subscribe();
        signed_in.signed_in("a");
        signed_in.signed_out("b");
        assert_eq!(watcher.borrow().as_deref(), Some("a"));
        signed_in.signed_out("a");
        assert_eq!(*watcher.borrow(), None);
    }
}
