//! The leases' background maintenance: once an account is signed in, and then
//! every [`INTERVAL`], `Leases::maintain` sweeps expired leases, retries failed
//! revocations and reconciles when due (the core decides; it also stores the
//! run for the screen's "last maintenance" line).
//!
//! Which account is signed in is the webview's knowledge (it signs in or
//! resumes an account, and signs out); the sign-in commands tell
//! [`SignedInAccount`] so that this task, which has no window, knows it too.
//! A new sign-in runs maintenance at once; while nobody is signed in the runs
//! go on with no account, so the screen says why nothing was revoked.

use entra_core::leases::Leases;
use std::time::Duration;
use tokio::sync::watch;

/// How often maintenance runs after the first one.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// The account the webview is signed in as, shared with the maintenance task.
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

    fn subscribe(&self) -> watch::Receiver<Option<String>> {
        self.0.subscribe()
    }
}

/// Starts the maintenance task on Tauri's runtime. It ends with the app.
pub fn start(leases: Leases, account: &SignedInAccount) {
    let mut account = account.subscribe();
    tauri::async_runtime::spawn(async move {
        // Nothing to do before the first sign-in: a run without an account would only say so.
        while account.borrow_and_update().is_none() {
            if account.changed().await.is_err() {
                return;
            }
        }
        let mut every = tokio::time::interval(INTERVAL);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                changed = account.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    // A sign-out waits for the next tick; a new sign-in runs now and restarts the interval.
                    if account.borrow().is_none() {
                        continue;
                    }
                    every.reset();
                }
            }
            let current = account.borrow_and_update().clone();
            let run = leases.maintain(current.as_deref()).await;
            match &run.error {
                Some(error) => tracing::info!(account = ?current, "lease maintenance did not finish: {error}"),
                None => tracing::debug!(account = ?current, expired = run.sweep.expired, failing = run.sweep.failing, "lease maintenance ran"),
            }
        }
    });
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
