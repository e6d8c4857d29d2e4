//! Users' sign-in state that Graph writes change: a password set by
//! `PATCH /users/{id}` (`passwordProfile`), and the moments before which a
//! user's refresh tokens no longer count (`revokeSignInSessions`, password
//! resets).
//!
//! The directory's seeded passwords are public and fixed ([`crate::directory`]);
//! a password set through Graph replaces the seeded one for that user, and is
//! kept only as its SHA-256: a lease hands a reset password to its holder
//! once, and the tenant must not keep a readable copy. (SHA-256 is no password
//! hash; the demo tenant is no password store, and the only point is that the
//! value itself is not kept.) Like every Graph write, this lasts as long as the
//! tenant process.
//!
//! Revocation follows the table of Entra's refresh-token documentation
//! (refresh-tokens.md, "Token revocation"): an admin's password reset revokes
//! the user's password-based refresh tokens and session cookies, while tokens
//! held by a confidential client stay alive; revoking the user's sessions
//! revokes every refresh token and cookie. Access tokens already issued are
//! not revoked by either (they live until they expire, as in Entra without
//! continuous access evaluation).

use crate::directory::User;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// The outcome of checking a password typed into the sign-in form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Accepted,
    Wrong,
    /// Right, but set with `forceChangePasswordNextSignIn`: the user must choose a new one first.
    MustChange,
}

#[derive(Debug, Default, Clone)]
struct Account {
    /// SHA-256 of the password set through Graph; `None`: the directory's seeded one holds.
    password_sha256: Option<[u8; 32]>,
    force_change: bool,
    /// Refresh tokens issued at or before this through a public client are revoked.
    password_reset_at: Option<DateTime<Utc>>,
    /// Every refresh token issued at or before this is revoked.
    sessions_revoked_at: Option<DateTime<Utc>>,
}

/// The changed sign-in state of users, keyed by object id (lower case).
#[derive(Debug, Default)]
pub struct Accounts {
    accounts: Mutex<HashMap<String, Account>>,
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl Accounts {
    fn with<T>(&self, oid: &str, f: impl FnOnce(&mut Account) -> T) -> T {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        f(accounts.entry(oid.to_ascii_lowercase()).or_default())
    }

    fn get(&self, oid: &str) -> Option<Account> {
        self.accounts.lock().unwrap_or_else(|e| e.into_inner()).get(&oid.to_ascii_lowercase()).cloned()
    }

    /// An admin set the user's password at `now`: only it signs in from now on, and the
    /// user's password-based refresh tokens stop working.
    pub fn set_password(&self, oid: &str, password: &str, force_change: bool, now: DateTime<Utc>) {
        self.with(oid, |a| {
            a.password_sha256 = Some(sha256(password));
            a.force_change = force_change;
            a.password_reset_at = Some(now);
        });
    }

    /// Every refresh token issued to the user up to `now` stops working.
    pub fn revoke_sessions(&self, oid: &str, now: DateTime<Utc>) {
        self.with(oid, |a| a.sessions_revoked_at = Some(now));
    }

    /// Checks a password typed for `user`.
    pub fn check_password(&self, user: &User, given: &str) -> PasswordCheck {
        match self.get(&user.oid).and_then(|a| a.password_sha256.map(|h| (h, a.force_change))) {
            Some((hash, _)) if hash != sha256(given) => PasswordCheck::Wrong,
            Some((_, true)) => PasswordCheck::MustChange,
            Some((_, false)) => PasswordCheck::Accepted,
            None if user.password == given => PasswordCheck::Accepted,
            None => PasswordCheck::Wrong,
        }
    }

    /// If a refresh token issued to `oid` at `issued` (through a public client when
    /// `public_client`) has been revoked since, the time from which the user's tokens are
    /// valid again (Entra's "TokensValidFrom").
    pub fn revoked_since(&self, oid: &str, issued: DateTime<Utc>, public_client: bool) -> Option<DateTime<Utc>> {
        let account = self.get(oid)?;
        let reset = account.password_reset_at.filter(|_| public_client);
        [reset, account.sessions_revoked_at].into_iter().flatten().filter(|at| issued <= *at).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        let dir = crate::directory::Directory::new(1, Utc::now()).unwrap();
        dir.users[1].clone()
    }

    #[test]
    fn a_new_password_replaces_the_seeded_one_and_is_kept_as_a_hash() {
        let (accounts, user) = (Accounts::default(), user());
        assert_eq!(accounts.check_password(&user, crate::directory::DEMO_PASSWORD), PasswordCheck::Accepted);
        accounts.set_password(&user.oid.to_uppercase(), "N3w!password-for-adele", false, Utc::now());
        assert_eq!(accounts.check_password(&user, crate::directory::DEMO_PASSWORD), PasswordCheck::Wrong);
        assert_eq!(accounts.check_password(&user, "N3w!password-for-adele"), PasswordCheck::Accepted);
        assert!(!format!("{accounts:?}").contains("N3w!password"), "only the hash is kept");
        accounts.set_password(&user.oid, "Th1rd!password", true, Utc::now());
        assert_eq!(accounts.check_password(&user, "Th1rd!password"), PasswordCheck::MustChange);
    }

    #[test]
    fn revocations_cover_what_was_issued_before_them() {
        let accounts = Accounts::default();
        let t0 = Utc::now();
        let (before, after) = (t0 - chrono::Duration::seconds(1), t0 + chrono::Duration::seconds(1));
        assert_eq!(accounts.revoked_since("u", before, true), None);
        accounts.set_password("u", "Xx1!xxxxxx", false, t0);
        assert_eq!(accounts.revoked_since("u", before, true), Some(t0), "a public client's token");
        assert_eq!(accounts.revoked_since("u", before, false), None, "a confidential client's token survives a reset");
        assert_eq!(accounts.revoked_since("u", after, true), None);
        accounts.revoke_sessions("u", after);
        assert_eq!(accounts.revoked_since("u", before, false), Some(after), "revoking sessions ends them all");
        assert_eq!(accounts.revoked_since("u", after, true), Some(after));
        assert_eq!(accounts.revoked_since("u", after + chrono::Duration::seconds(1), true), None);
    }
}
