//! Access-token leases: an app-only token for a scope from a client secret kept in the OS
//! keychain, through azure_identity (or, for the loopback http demo tenant, which
//! azure_identity refuses, a plain client-credential request: see `probe`). Tokens live in
//! this process's memory only; the sweeper refreshes them ahead of their expiry while the
//! lease is active, and revoking forgets them (an issued token stays valid at Entra until it
//! expires: that is how bearer tokens work, and the screen says so).

use super::probe::{client_credentials, tenant_token_endpoint, Answer};
use super::types::{Definition, Lease, LeaseKind, LeaseStatus, LeaseToken};
use super::{tenant, Leases};
use crate::accounts::Account;
use crate::auth::app_only::{self, AppTarget};
use crate::secret::SecretString;
use crate::{AppCredential, Error, ErrorCode, Result};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// A token is refreshed when it has less than this left.
pub const REFRESH_AHEAD: Duration = Duration::minutes(5);

/// The tokens of this process's access-token leases.
#[derive(Default)]
pub(crate) struct TokenShelf {
    held: Mutex<HashMap<String, (SecretString, DateTime<Utc>)>>,
}

impl TokenShelf {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (SecretString, DateTime<Utc>)>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn keep(&self, lease_id: &str, token: SecretString, expires: DateTime<Utc>) {
        self.lock().insert(lease_id.to_string(), (token, expires));
    }

    pub(crate) fn get(&self, lease_id: &str) -> Option<(SecretString, DateTime<Utc>)> {
        self.lock().get(lease_id).cloned()
    }

    pub(crate) fn forget(&self, lease_id: &str) {
        self.lock().remove(lease_id);
    }
}

impl Leases {
    /// Gets a token for an access-token lease's scope as `account`, keeps it in memory, and
    /// returns it with its own expiry.
    pub(crate) async fn fetch_token(&self, account: &Account, definition: &Definition, lease: &Lease) -> Result<LeaseToken> {
        // The client secret goes only to the token endpoint of the definition's own tenant.
        tenant::check(definition.tenant.as_ref(), account, &format!("The dynamic secret '{}'", definition.name))?;
        tenant::check(lease.tenant.as_ref(), account, &format!("Lease {}", lease.id))?;
        let client_id = definition.client_id.as_deref().ok_or_else(|| Error::invalid_input(format!("'{}' names no client ID: define it again", definition.name)))?;
        let keychain = self.desk().async_keychain();
        let secret = keychain.client_secret(client_id, &super::define::lease_secret_scope(&definition.name)).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::Keychain,
                format!("The keychain holds no client secret for {client_id}: define '{}' again with its secret", definition.name),
            )
        })?;
        let http = crate::http::client(account.ca_cert.as_deref())?;
        let now = self.now();
        let (token, expires) = if account.authority.scheme() == "https" {
            let target = AppTarget { tenant_id: &account.tenant_id, client_id, authority: &account.authority };
            let credential = app_only::build(target, &AppCredential::ClientSecret(secret), http)?;
            let (token, expires) = app_only::token(&credential, &lease.target, "client secret", now).await?;
            (SecretString::new(token.expose()), expires)
        } else {
            let endpoint = tenant_token_endpoint(account, &http).await?;
            match client_credentials(&http, &endpoint, client_id, &SecretString::new(secret.expose()), &lease.target, now).await? {
                Answer::Token(token, expires) => (token, expires),
                Answer::Refused(refusal) => {
                    return Err(crate::aadsts::identity_error(ErrorCode::Identity, refusal.details()));
                }
            }
        };
        self.tokens().keep(&lease.id, token.clone(), expires);
        Ok(LeaseToken { token, expires_at: expires })
    }

    /// Refreshes an active access-token lease's token when it is about to expire; true if it did.
    pub(crate) async fn refresh_token_if_due(&self, account: &Account, lease: &Lease) -> bool {
        let Some((_, expires)) = self.tokens().get(&lease.id) else { return false };
        if expires - self.now() > REFRESH_AHEAD {
            return false;
        }
        let Ok(definition) = self.definition(&lease.definition).await else { return false };
        match self.fetch_token(account, &definition, lease).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(lease = %lease.id, error = %e, "could not refresh an access-token lease's token");
                false
            }
        }
    }

    /// The current token of an active access-token lease and its own expiry, on the user's
    /// explicit request (fetched again if this process holds none, e.g. after a restart).
    pub async fn access_token(&self, account_id: &str, lease_id: &str) -> Result<LeaseToken> {
        let lease = self.lease(lease_id).await?;
        if lease.kind != LeaseKind::AccessToken {
            return Err(Error::invalid_input(format!("Lease {} is a {} lease: its secret was shown once, when it was issued", lease.id, lease.kind.as_str())));
        }
        if lease.status != LeaseStatus::Active || lease.expires_at <= self.now() {
            return Err(Error::invalid_input(format!("Lease {} is {}: issue a new lease for a token", lease.id, lease.status.as_str())));
        }
        // Even a kept token goes only to an account of its tenant.
        let account = self.desk().account(Some(account_id))?;
        tenant::check(lease.tenant.as_ref(), &account, &format!("Lease {}", lease.id))?;
        if let Some((token, expires)) = self.tokens().get(&lease.id) {
            if expires - self.now() > Duration::minutes(1) {
                return Ok(LeaseToken { token, expires_at: expires });
            }
        }
        let definition = self.definition(&lease.definition).await?;
        self.fetch_token(&account, &definition, &lease).await
    }
}
