//! [`RefreshSlot`]: one refresh of a cache at a time, and the cancel handle of the one running.
//! Shared by the services whose screens refresh a local cache from Graph (`apps`, `groups`).

use std::future::Future;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// See the module doc.
#[derive(Debug, Default)]
pub(crate) struct RefreshSlot {
    /// The refresh in progress, for [`RefreshSlot::cancel`].
    running: Mutex<Option<CancellationToken>>,
    /// One refresh at a time: a second waits, then runs (as a cheap delta, usually).
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl RefreshSlot {
    /// Waits for the refresh in progress, if any; the caller's turn lasts as long as the guard.
    pub(crate) async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.one_at_a_time.lock().await
    }

    /// Runs `work` (the caller holds its [`RefreshSlot::turn`]) with a child of `cancel`
    /// that [`RefreshSlot::cancel`] fires too.
    pub(crate) async fn run<T, F: Future<Output = T>>(&self, cancel: &CancellationToken, work: impl FnOnce(CancellationToken) -> F) -> T {
        let token = cancel.child_token();
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        let result = work(token).await;
        self.running.lock().unwrap_or_else(|p| p.into_inner()).take();
        result
    }

    /// Cancels the refresh in progress; returns whether there was one.
    pub(crate) fn cancel(&self) -> bool {
        match self.running.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}
