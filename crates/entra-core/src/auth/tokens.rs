//! [`TokenCache`]: access tokens in memory, per account and scope set, and their
//! silent refresh.
//!
//! Rules: refresh tokens go only to the keychain (rewritten on every rotation);
//! access tokens stay in memory and are refreshed silently when less than the
//! refresh margin of their life remains. A sign-in replaces every access token
//! the account held (a step-up's is the one used next), and a refresh sends the
//! account's step-up claims again (`Account::step_up_claims`), so a renewed token
//! keeps meeting the Conditional Access policy the step-up met; at Microsoft's identity
//! platform it declares the client capability `cp1` too, merged with them
//! ([`super::capabilities`]), the provider's kind read from the discovery document the
//! refresh fetches for the token endpoint anyway. Each account has its own async lock,
//! so two callers never redeem the same refresh token at once (a provider that
//! revokes rotated tokens would sign the loser out), and sign-out takes the same
//! lock ([`TokenCache::begin_sign_out`]), so a refresh in flight finishes (and
//! writes its rotated token) before sign-out deletes everything, never after.
//!
//! When the keychain refuses the rotated refresh token, the new token is kept in
//! memory (the old one may already be revoked by the rotation), the session goes
//! on, and [`TokenCache::keychain_warning`] tells the user that the next start will
//! ask them to sign in again.

use super::app_only::{self, AppCredential, Credential, GRAPH_DEFAULT_SCOPE};
use super::discovery::ProviderCache;
use super::token_endpoint;
use crate::accounts::{Account, AccountKind, AppCredentialRef};
use crate::clock::Clock;
use crate::config::SettingsStore;
use crate::keychain::AsyncKeychain;
use crate::secret::{AccessToken, RefreshToken};
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct CachedToken {
    token: AccessToken,
    expires_at: DateTime<Utc>,
}

/// One account's tokens. Behind a tokio mutex: it is held across the refresh's network call.
#[derive(Default)]
struct AccountTokens {
    /// Access tokens by scope set.
    by_scopes: HashMap<String, CachedToken>,
    /// App-only: the built credential (azure_identity caches its own tokens too).
    credential: Option<Credential>,
    /// A rotated refresh token the keychain refused to store; used before the keychain's.
    unsaved_refresh_token: Option<RefreshToken>,
    /// Why the keychain could not keep the session, for the user.
    warning: Option<String>,
    /// Signed out: whoever still holds this entry gets no token.
    ended: bool,
}

/// Holds an account's token lock during sign-out; see [`TokenCache::begin_sign_out`].
pub struct SignOutGuard<'a> {
    cache: &'a TokenCache,
    account_id: String,
    _tokens: tokio::sync::OwnedMutexGuard<AccountTokens>,
}

impl SignOutGuard<'_> {
    /// Forgets the account's entry; later callers start from nothing (and find no refresh token).
    pub fn finish(self) {
        self.cache.remove(&self.account_id);
    }
}

/// An access token handed out, and whether getting it took a refresh.
#[derive(Debug)]
pub struct Fetched {
    /// The token.
    pub token: AccessToken,
    /// True when the cached one was missing or near its end and a new one was obtained.
    pub refreshed: bool,
}

/// The access-token cache of one [`crate::Desk`]. See the module doc.
pub struct TokenCache {
    keychain: AsyncKeychain,
    settings: SettingsStore,
    providers: ProviderCache,
    clock: Arc<dyn Clock>,
    margin: chrono::Duration,
    /// A std mutex: held only to find or create an account's entry, never across an await.
    accounts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<AccountTokens>>>>,
}

/// Scope sets are compared without regard to order or case.
fn scope_key(scopes: &[String]) -> String {
    let mut s: Vec<String> = scopes.iter().map(|s| s.to_ascii_lowercase()).collect();
    s.sort();
    s.join(" ")
}

impl TokenCache {
    /// A cache that refreshes `margin` before expiry, judged by `clock`.
    pub fn new(keychain: AsyncKeychain, settings: SettingsStore, clock: Arc<dyn Clock>, margin: chrono::Duration) -> Self {
        TokenCache { keychain, settings, providers: ProviderCache::default(), clock, margin, accounts: Mutex::new(HashMap::new()) }
    }

    /// The providers' discovery documents and keys, shared with sign-in.
    pub fn providers(&self) -> &ProviderCache {
        &self.providers
    }

    fn entry(&self, account_id: &str) -> Arc<tokio::sync::Mutex<AccountTokens>> {
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        accounts.entry(account_id.to_string()).or_default().clone()
    }

    /// Keeps what a sign-in just obtained: the refresh token in the keychain, the access token
    /// (and an app-only credential) in memory, replacing whatever the account had.
    pub async fn signed_in(
        &self,
        account: &Account,
        access_token: AccessToken,
        expires_at: DateTime<Utc>,
        refresh_token: Option<&RefreshToken>,
        credential: Option<Credential>,
    ) -> Result<()> {
        match refresh_token {
            Some(rt) => self.keychain.set_refresh_token(&account.id, rt).await?,
            None if account.kind == AccountKind::Interactive => {
                tracing::warn!(account = %account.id, "the provider returned no refresh token; the session ends when the access token expires")
            }
            None => {}
        }
        let entry = self.entry(&account.id);
        let mut tokens = entry.lock().await;
        *tokens = AccountTokens::default();
        tokens.by_scopes.insert(scope_key(&account.scopes), CachedToken { token: access_token, expires_at });
        tokens.credential = credential;
        Ok(())
    }

    /// An access token for `account` (for `scopes`, default the account's own), refreshed
    /// silently when it is near its end.
    pub async fn access_token(&self, account: &Account, scopes: Option<&[String]>) -> Result<Fetched> {
        let scopes: Vec<String> = scopes.map(<[String]>::to_vec).unwrap_or_else(|| account.scopes.clone());
        let key = scope_key(&scopes);
        let entry = self.entry(&account.id);
        let mut tokens = entry.lock().await;
        if tokens.ended {
            return Err(Error::new(ErrorCode::NotSignedIn, format!("{} has signed out: sign in again", account.username)));
        }
        let now = self.clock.now();
        if let Some(cached) = tokens.by_scopes.get(&key) {
            if cached.expires_at - self.margin > now {
                return Ok(Fetched { token: cached.token.clone(), refreshed: false });
            }
        }
        let fresh = match account.kind {
            AccountKind::Interactive => self.refresh_interactive(account, &mut tokens, &scopes, now).await?,
            AccountKind::AppOnly => self.refresh_app_only(account, &mut tokens, &scopes, now).await?,
        };
        let token = fresh.token.clone();
        tokens.by_scopes.insert(key, fresh);
        Ok(Fetched { token, refreshed: true })
    }

    async fn refresh_interactive(&self, account: &Account, tokens_held: &mut AccountTokens, scopes: &[String], now: DateTime<Utc>) -> Result<CachedToken> {
        let rt = match tokens_held.unsaved_refresh_token.clone() {
            Some(rt) => rt,
            None => self.keychain.refresh_token(&account.id).await?.ok_or_else(|| {
                Error::new(ErrorCode::NotSignedIn, format!("The session of {} has ended (no refresh token in the keychain): sign in again", account.username))
            })?,
        };
        let http = crate::http::client(account.ca_cert.as_deref())?;
        let metadata = self.providers.metadata(&http, &account.discovery_candidates()).await?;
        // The same document says whether the provider is Microsoft's, which then hears of `cp1`.
        let tokens = token_endpoint::refresh(&http, &account.client_id, &metadata, &rt, scopes, account.step_up_claims.as_deref(), now).await.inspect_err(|e| {
            if e.code() == ErrorCode::NotSignedIn {
                tracing::info!(account = %account.id, "the refresh token was refused; the account must sign in again");
            }
        })?;
        if let Some(new_rt) = &tokens.refresh_token {
            // Rotation: the provider issued a new refresh token; keep only the newest.
            match self.keychain.set_refresh_token(&account.id, new_rt).await {
                Ok(()) => {
                    tokens_held.unsaved_refresh_token = None;
                    tokens_held.warning = None;
                }
                Err(e) => {
                    // The old token may be revoked by the rotation: keep the new one in memory,
                    // go on, and say what the next start will need.
                    tracing::warn!(account = %account.id, "the keychain refused the rotated refresh token: {}", e.message());
                    tokens_held.unsaved_refresh_token = Some(new_rt.clone());
                    tokens_held.warning = Some(format!(
                        "The OS keychain could not store {}'s renewed session ({}). Entra Desk keeps working until it closes; the next start will ask you to sign in again.",
                        account.username,
                        e.message()
                    ));
                }
            }
        }
        tracing::debug!(account = %account.id, "access token refreshed");
        Ok(CachedToken { token: tokens.access_token, expires_at: tokens.expires_at })
    }

    async fn refresh_app_only(&self, account: &Account, tokens: &mut AccountTokens, scopes: &[String], now: DateTime<Utc>) -> Result<CachedToken> {
        let scope = scopes.first().cloned().unwrap_or_else(|| GRAPH_DEFAULT_SCOPE.to_string());
        let reference = account.app_credential.clone().ok_or_else(|| Error::storage("The app-only account has no credential recorded: sign in again"))?;
        let what = reference.describe();
        let credential = match &tokens.credential {
            Some(c) => c.clone(),
            None => {
                let credential = match reference {
                    AppCredentialRef::ClientSecret => {
                        let secret = self.settings.client_secret(&account.client_id, &account.tenant_id, None).await.map_err(|e| {
                            Error::new(ErrorCode::NotSignedIn, format!("{} Then sign in again (entractl login --app-only)", e.message()))
                        })?;
                        AppCredential::ClientSecret(secret)
                    }
                    AppCredentialRef::Certificate { certificate_path, private_key_path } => AppCredential::Certificate { certificate_path, private_key_path },
                    AppCredentialRef::AzureCli => AppCredential::AzureCli,
                };
                let built = app_only::build(account.app_target(), &credential, crate::http::client(account.ca_cert.as_deref())?)?;
                tokens.credential = Some(built.clone());
                built
            }
        };
        let (token, expires_at) = app_only::token(&credential, &scope, what, now).await?;
        Ok(CachedToken { token, expires_at })
    }

    /// Forgets an account's access tokens (e.g. after Graph rejected one); the refresh token stays.
    pub async fn forget_access_tokens(&self, account_id: &str) {
        self.entry(account_id).lock().await.by_scopes.clear();
    }

    /// Why the account's session will not survive a restart, if it will not (see the module doc).
    pub async fn keychain_warning(&self, account_id: &str) -> Option<String> {
        let entry = self.accounts.lock().unwrap_or_else(|p| p.into_inner()).get(account_id).cloned()?;
        let tokens = entry.lock().await;
        tokens.warning.clone()
    }

    /// Takes the account's token lock for a sign-out: waits for a refresh in flight, then
    /// forgets every token and marks the entry ended, so nothing refreshed before can be
    /// handed out or written back. The caller deletes the keychain entries while holding
    /// the guard, then calls [`SignOutGuard::finish`].
    pub async fn begin_sign_out(&self, account_id: &str) -> SignOutGuard<'_> {
        let mut tokens = self.entry(account_id).lock_owned().await;
        *tokens = AccountTokens { ended: true, ..AccountTokens::default() };
        SignOutGuard { cache: self, account_id: account_id.to_string(), _tokens: tokens }
    }

    /// Forgets everything held in memory for an account (sign-out).
    pub fn remove(&self, account_id: &str) {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner()).remove(account_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_keys_ignore_order_and_case() {
        assert_eq!(scope_key(&["User.Read".into(), "openid".into()]), scope_key(&["OPENID".into(), "user.read".into()]));
    }
}
