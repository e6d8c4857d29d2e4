//! The OS keychain: the only place refresh tokens and client secrets are stored.
//!
//! One keyring entry per secret, under one service name (`entra-desk` unless
//! the caller picks another, as tests do to stay apart). Entry names:
//! `refresh-token:<account id>` and `client-secret:<client id>@<tenant>`.
//! Calls block on the platform's IPC (Secret Service over D-Bus on Linux), so
//! async callers use [`AsyncKeychain`], which runs them on a blocking thread.
//! Every call is bounded in time ([`patience`]): a locked keychain that nobody can
//! unlock must give an error, not a process that waits forever.

use crate::secret::{ClientSecret, RefreshToken, SecretString};
use crate::{Error, ErrorCode, Result};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::Duration;

/// The default keyring service name.
pub const DEFAULT_SERVICE: &str = "entra-desk";

/// A handle on the keychain entries of one service name.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    /// Test seam: make writes fail as a full or locked keychain would (clones share it).
    /// A real Secret Service cannot be made to refuse writes while still serving reads on
    /// demand, so this is the one place a failure is simulated rather than provoked.
    fail_writes: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

fn keychain_error(action: &str, err: keyring::Error) -> Error {
    if let keyring::Error::BadEncoding(_) = err {
        // It carries the stored bytes (a secret that is not UTF-8): neither print nor keep it.
        return Error::new(
            ErrorCode::Keychain,
            format!("Cannot {action} in the OS keychain (the stored entry is not text): delete the Entra Desk entry in the keychain, then sign in again"),
        );
    }
    let fix = match &err {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            "make sure the OS keychain is running and unlocked (on Linux: a Secret Service such as gnome-keyring or KWallet in the desktop session)"
        }
        keyring::Error::TooLong(..) | keyring::Error::Invalid(..) | keyring::Error::BadEncoding(_) => {
            "report this as a bug in Entra Desk"
        }
        _ => "check the OS keychain, then try again",
    };
    Error::new(ErrorCode::Keychain, format!("Cannot {action} in the OS keychain ({err}): {fix}")).with_source(err)
}

/// How long one keychain call may take before it is given up.
///
/// A locked keychain answers a call by showing its unlock prompt on the desktop and waiting
/// for the user, who needs time to type a password. With no display no prompt can show:
/// gnome-keyring's prompter then fails to start and the call is never answered at all
/// (seen on CI runners and in containers, where the login keyring is locked), so a process
/// without a display gives up within seconds and says why.
fn patience() -> Duration {
    let display = ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
    if display {
        Duration::from_secs(120)
    } else {
        Duration::from_secs(10)
    }
}

/// Runs one keyring call on a thread of its own and waits for it at most `wait`.
///
/// The keyring crate has no way to cancel a call: one that never returns leaves its thread
/// blocked in the platform's IPC until the process ends. That costs a parked thread; waiting
/// for it would cost the whole command.
fn bounded<T: Send + 'static>(action: &str, wait: Duration, call: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let (tx, rx) = sync_channel(1);
    std::thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            let _ = tx.send(call());
        })
        .map_err(|e| Error::internal(format!("Cannot start a thread for the OS keychain ({e}): close other programs, then try again")))?;
    match rx.recv_timeout(wait) {
        Ok(answer) => answer,
        Err(RecvTimeoutError::Timeout) => Err(Error::new(
            ErrorCode::Keychain,
            format!(
                "Cannot {action} in the OS keychain: it did not answer within {} s. It is probably locked and waiting for its unlock prompt{}: \
                 unlock it (on Linux: log in to the desktop session, or unlock the login keyring with Seahorse or `gnome-keyring-daemon --unlock`), then try again",
                wait.as_secs(),
                if wait < Duration::from_secs(60) { ", which cannot show without a display" } else { "" },
            ),
        )),
        Err(RecvTimeoutError::Disconnected) => Err(Error::internal(format!("A keychain call ended without an answer while trying to {action}: try again"))),
    }
}

impl Keychain {
    /// Entries under `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Keychain { service: service.into(), fail_writes: Default::default() }
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs `call` on the entry `name`, bounded in time (see [`bounded`]).
    fn with_entry<T: Send + 'static>(
        &self,
        action: &'static str,
        name: &str,
        call: impl FnOnce(keyring::Entry) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (service, name) = (self.service.clone(), name.to_string());
        bounded(action, patience(), move || {
            let entry = keyring::Entry::new(&service, &name).map_err(|e| keychain_error("open an entry", e))?;
            call(entry)
        })
    }

    fn get(&self, name: &str) -> Result<Option<String>> {
        self.with_entry("read a secret", name, |entry| match entry.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error("read a secret", e)),
        })
    }

    fn set(&self, name: &str, value: &str) -> Result<()> {
        if self.fail_writes.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(keychain_error("store a secret", keyring::Error::NoStorageAccess("writes are failing (test seam)".into())));
        }
        let value = SecretString::new(value.to_string());
        self.with_entry("store a secret", name, move |entry| entry.set_password(value.expose()).map_err(|e| keychain_error("store a secret", e)))
    }

    /// Makes every later write through this handle and its clones fail (tests only: see the field).
    #[doc(hidden)]
    pub fn fail_writes_for_tests(&self, fail: bool) {
        self.fail_writes.store(fail, std::sync::atomic::Ordering::Relaxed);
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.with_entry("delete a secret", name, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error("delete a secret", e)),
        })
    }

    fn refresh_name(account_id: &str) -> String {
        format!("refresh-token:{account_id}")
    }

    fn secret_name(client_id: &str, tenant: &str) -> String {
        format!("client-secret:{client_id}@{tenant}")
    }

    /// The account's refresh token, if stored.
    pub fn refresh_token(&self, account_id: &str) -> Result<Option<RefreshToken>> {
        Ok(self.get(&Self::refresh_name(account_id))?.map(RefreshToken::new))
    }

    /// Stores (or replaces, after rotation) the account's refresh token.
    pub fn set_refresh_token(&self, account_id: &str, token: &RefreshToken) -> Result<()> {
        self.set(&Self::refresh_name(account_id), token.expose())
    }

    /// Deletes the account's refresh token; no error if there was none.
    pub fn delete_refresh_token(&self, account_id: &str) -> Result<()> {
        self.delete(&Self::refresh_name(account_id))
    }

    /// The client secret stored for an app in a tenant, if any.
    pub fn client_secret(&self, client_id: &str, tenant: &str) -> Result<Option<ClientSecret>> {
        Ok(self.get(&Self::secret_name(client_id, tenant))?.map(ClientSecret::new))
    }

    /// Stores an app's client secret.
    pub fn set_client_secret(&self, client_id: &str, tenant: &str, secret: &ClientSecret) -> Result<()> {
        self.set(&Self::secret_name(client_id, tenant), secret.expose())
    }

    /// Deletes an app's client secret; no error if there was none.
    pub fn delete_client_secret(&self, client_id: &str, tenant: &str) -> Result<()> {
        self.delete(&Self::secret_name(client_id, tenant))
    }

    fn store_key_name(store_id: &str) -> String {
        format!("lease-store-key:{store_id}")
    }

    /// This install's key of lease store `store_id` (see `leases::home`), if it holds one.
    pub fn lease_store_key(&self, store_id: &str) -> Result<Option<SecretString>> {
        Ok(self.get(&Self::store_key_name(store_id))?.map(SecretString::new))
    }

    /// Keeps this install's key of lease store `store_id`.
    pub fn set_lease_store_key(&self, store_id: &str, key: &SecretString) -> Result<()> {
        self.set(&Self::store_key_name(store_id), key.expose())
    }

    fn store_password_name(address: &str) -> String {
        format!("lease-store-password:{address}")
    }

    /// The password of a team lease store's database user, by the store's address
    /// (`user@host:port/database`), if one is kept.
    pub fn lease_store_password(&self, address: &str) -> Result<Option<SecretString>> {
        Ok(self.get(&Self::store_password_name(address))?.map(SecretString::new))
    }

    /// Keeps the password of a team lease store's database user.
    pub fn set_lease_store_password(&self, address: &str, password: &SecretString) -> Result<()> {
        self.set(&Self::store_password_name(address), password.expose())
    }

    /// Forgets a team lease store's password; no error if there was none.
    pub fn delete_lease_store_password(&self, address: &str) -> Result<()> {
        self.delete(&Self::store_password_name(address))
    }
}

/// The keychain for async code: the same entries, each call on a blocking thread.
///
/// The platform keychain blocks on IPC (D-Bus on Linux), which must not stall the
/// async runtime's threads; this is the one place that moves the calls off them.
#[derive(Debug, Clone)]
pub struct AsyncKeychain {
    keychain: Keychain,
}

impl AsyncKeychain {
    /// Wraps `keychain`.
    pub fn new(keychain: Keychain) -> Self {
        AsyncKeychain { keychain }
    }

    /// The blocking handle (for tests and synchronous callers).
    pub fn blocking(&self) -> &Keychain {
        &self.keychain
    }

    async fn run<T: Send + 'static>(&self, call: impl FnOnce(&Keychain) -> Result<T> + Send + 'static) -> Result<T> {
        let keychain = self.keychain.clone();
        tokio::task::spawn_blocking(move || call(&keychain))
            .await
            .map_err(|e| Error::internal(format!("A keychain task failed ({e}): try again; if it persists, restart Entra Desk")))?
    }

    /// The account's refresh token, if stored.
    pub async fn refresh_token(&self, account_id: &str) -> Result<Option<RefreshToken>> {
        let id = account_id.to_string();
        self.run(move |k| k.refresh_token(&id)).await
    }

    /// Stores (or replaces, after rotation) the account's refresh token.
    pub async fn set_refresh_token(&self, account_id: &str, token: &RefreshToken) -> Result<()> {
        let (id, token) = (account_id.to_string(), token.clone());
        self.run(move |k| k.set_refresh_token(&id, &token)).await
    }

    /// Deletes the account's refresh token; no error if there was none.
    pub async fn delete_refresh_token(&self, account_id: &str) -> Result<()> {
        let id = account_id.to_string();
        self.run(move |k| k.delete_refresh_token(&id)).await
    }

    /// The client secret stored for an app in a tenant, if any.
    pub async fn client_secret(&self, client_id: &str, tenant: &str) -> Result<Option<ClientSecret>> {
        let (client, tenant) = (client_id.to_string(), tenant.to_string());
        self.run(move |k| k.client_secret(&client, &tenant)).await
    }

    /// Stores an app's client secret.
    pub async fn set_client_secret(&self, client_id: &str, tenant: &str, secret: &ClientSecret) -> Result<()> {
        let (client, tenant, secret) = (client_id.to_string(), tenant.to_string(), secret.clone());
        self.run(move |k| k.set_client_secret(&client, &tenant, &secret)).await
    }

    /// This install's key of lease store `store_id`, if it holds one.
    pub async fn lease_store_key(&self, store_id: &str) -> Result<Option<SecretString>> {
        let id = store_id.to_string();
        self.run(move |k| k.lease_store_key(&id)).await
    }

    /// Keeps this install's key of lease store `store_id`.
    pub async fn set_lease_store_key(&self, store_id: &str, key: &SecretString) -> Result<()> {
        let (id, key) = (store_id.to_string(), key.clone());
        self.run(move |k| k.set_lease_store_key(&id, &key)).await
    }

    /// Deletes an app's client secret; no error if there was none.
    pub async fn delete_client_secret(&self, client_id: &str, tenant: &str) -> Result<()> {
        let (client, tenant) = (client_id.to_string(), tenant.to_string());
        self.run(move |k| k.delete_client_secret(&client, &tenant)).await
    }

    /// A team lease store's password (see [`Keychain::lease_store_password`]).
    pub async fn lease_store_password(&self, address: &str) -> Result<Option<SecretString>> {
        let address = address.to_string();
        self.run(move |k| k.lease_store_password(&address)).await
    }

    /// Keeps a team lease store's password.
    pub async fn set_lease_store_password(&self, address: &str, password: &SecretString) -> Result<()> {
        let (address, password) = (address.to_string(), password.clone());
        self.run(move |k| k.set_lease_store_password(&address, &password)).await
    }

    /// Forgets a team lease store's password.
    pub async fn delete_lease_store_password(&self, address: &str) -> Result<()> {
        let address = address.to_string();
        self.run(move |k| k.delete_lease_store_password(&address)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_that_never_answers_is_given_up_with_the_reason() {
        let started = std::time::Instant::now();
        let err = bounded("read a secret", Duration::from_millis(200), || -> Result<()> {
            std::thread::sleep(Duration::from_secs(30));
            Ok(())
        })
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
        assert_eq!(err.code(), ErrorCode::Keychain);
        assert!(err.to_string().contains("did not answer") && err.to_string().contains("locked"), "{err}");
        assert_eq!(bounded("read a secret", Duration::from_secs(5), || Ok(7)).unwrap(), 7, "an answer in time is passed on");
    }

    #[test]
    fn a_badly_encoded_entry_is_never_printed() {
        let err = keychain_error("read a secret", keyring::Error::BadEncoding(b"s3cr3t-\xff".to_vec()));
        for printed in [format!("{err:?}"), err.to_string()] {
            assert!(!printed.contains("s3cr3t") && !printed.contains("115, 51"), "{printed}");
        }
        assert_eq!(err.code(), ErrorCode::Keychain);
    }
}
