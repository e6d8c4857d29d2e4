//! The leases' background maintenance in the app: the loop itself — when it runs, which
//! account it acts as, the catch-up after a restart, the team store's leadership — is the
//! core's ([`entra_core::leases::maintenance::run_loop`]), started on the chosen store by
//! `entra_teamstore::host::LeasesHost`, shared with `entractl lease maintain`. This shell
//! feeds it the account and turns a team store's changes into [`LEASES_CHANGED`].
//!
//! Which account is signed in is the webview's knowledge (it signs in or resumes an account,
//! and signs out); the sign-in commands tell [`SignedInAccount`] so that the loop, which has
//! no window, knows it too.

pub use entra_core::leases::maintenance::SignedInAccount;

/// The event the Leases screen re-reads its overview on: a teammate (or this app) changed the
/// team store, or the app reconnected to it and may have missed changes.
pub const LEASES_CHANGED: &str = "leases-changed";
