//! The OS keychain: the only place refresh tokens and client secrets are stored.
//!
//! One keyring entry per secret, under one service name (`entra-desk` unless
//! the caller picks another, as tests do to stay apart). Entry names:
//! `refresh-token:<account id>` and `client-secret:<client id>@<tenant>`.
//! Calls block on the platform's IPC (Secret Service over D-Bus on Linux), so
//! async callers run them on a blocking thread (see `Desk`).

use crate::secret::{ClientSecret, RefreshToken};
use crate::{Error, ErrorCode, Result};

/// The default keyring service name.
pub const DEFAULT_SERVICE: &str = "entra-desk";

/// A handle on the keychain entries of one service name.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

fn keychain_error(action: &str, err: keyring::Error) -> Error {
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

impl Keychain {
    /// Entries under `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Keychain { service: service.into() }
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(|e| keychain_error("open an entry", e))
    }

    fn get(&self, name: &str) -> Result<Option<String>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error("read a secret", e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<()> {
        self.entry(name)?.set_password(value).map_err(|e| keychain_error("store a secret", e))
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error("delete a secret", e)),
        }
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
}
