//! The sign-in screen's types (and the shell's around every screen), as defined once in the
//! core: the status the first screen shows, where to sign in and how far it has got, accounts,
//! the signed-in user and the UI preferences remembered between runs, and the set-up assistant's
//! registration. None holds a token.

pub use entra_core::accounts::{Account, AccountKind, AppCredentialRef};
pub use entra_core::preferences::{Preferences, Screen};
pub use entra_core::signin::{DefaultTenant, SignInStatus, SignInTarget, SignedInUser};
pub use entra_core::setup::{Registered, Registration, Removed, SetupProgress, SetupSource};
pub use entra_core::SignInProgress;
