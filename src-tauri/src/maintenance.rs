//! Starts the leases' background maintenance on Tauri's runtime. The loop itself — when it
//! runs, which account it acts as, the catch-up after a restart — is the core's
//! ([`entra_core::leases::maintenance::run_loop`]), shared with `entractl lease maintain`;
//! this shell only spawns it and feeds it the account.
//!
//! Which account is signed in is the webview's knowledge (it signs in or resumes an account,
//! and signs out); the sign-in commands tell [`SignedInAccount`] so that the loop, which has
//! no window, knows it too.

pub use entra_core::leases::maintenance::SignedInAccount;
use entra_core::leases::maintenance::{run_loop, INTERVAL};
use entra_core::leases::Leases;
use tokio_util::sync::CancellationToken;

/// Starts the maintenance loop. It is never cancelled: it ends with the app's runtime, and a
/// run the exit cuts short leaves only what a crash would, which the next reconciliation settles.
pub fn start(leases: Leases, account: &SignedInAccount) {
    let account = account.subscribe();
    tauri::async_runtime::spawn(run_loop(leases, account, INTERVAL, CancellationToken::new(), |_| {}));
}
