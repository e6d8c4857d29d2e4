//! [`Desk`]: identity — accounts, tokens, sign-in, and a Graph client for an account.
//!
//! A `Desk` is opened on a data folder. It is `Send + Sync` and a cheap `Clone`
//! (an `Arc` inside), so the shell keeps one in its state and every screen's
//! service borrows it for tokens. What it delegates:
//! the settings file to [`SettingsStore`], the account list to
//! [`AccountStore`], access tokens and their refresh to [`TokenCache`], the
//! keychain to [`AsyncKeychain`]. Screens keep their own services; the Desk
//! knows nothing of them.
//!
//! It also knows where the built-in demo tenant runs in this process, if it does
//! ([`Desk::set_demo_tenant`]): [`Desk::account`] gives a demo account that tenant's
//! endpoints, never the ones stored with it (see [`crate::accounts`]).

use crate::accounts::{Account, AccountStore, AppCredentialRef, DemoEndpoints};
use crate::auth::app_only::{self, AppCredential, AppTarget, GRAPH_DEFAULT_SCOPE};
use crate::auth::interactive::{self, SignInOptions};
use crate::auth::tokens::TokenCache;
use crate::auth::{BrowserOpener, SignInProgress};
use crate::clock::Clock;
use crate::config::{Profile, SettingsStore};
use entra_graph::GraphClient;
use token_source::DeskTokenSource;
use crate::keychain::{AsyncKeychain, Keychain};
use crate::secret::{AccessToken, ClientSecret};
use crate::{Error, ErrorCode, Result};
use std::path::{Path, PathBuf};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;

mod options;
mod token_source;

pub use options::DeskOptions;

/// Where an app-only sign-in keeps the client secret it was given. The credential built from it
/// is kept in this process's memory in every case; this says what must outlive the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKeeping {
    /// In the OS keychain, so later sessions can renew tokens (the app; `entractl login
    /// --app-only`): the sign-in fails, saying why, when the keychain cannot keep it.
    Keychain,
    /// In this process (the secret came from the environment for one command, and is there
    /// next time too); the keychain gets it when it can, otherwise a warning is logged.
    ThisProcess,
    /// In this process only, never the keychain (a throwaway desk removed afterwards).
    MemoryOnly,
}

struct Inner {
    data_dir: PathBuf,
    keychain: AsyncKeychain,
    settings: SettingsStore,
    accounts: AccountStore,
    /// Serialises read-modify-write of the account file within this process.
    accounts_lock: Mutex<()>,
    tokens: TokenCache,
    clock: Arc<dyn Clock>,
    /// The demo tenant running in this process, once the sign-in service has started or found it.
    demo_tenant: RwLock<Option<DemoEndpoints>>,
    /// One Graph client per account (with what it was built for: Graph URL and CA), so every
    /// operation of an account shares one connection pool, one resource-unit pacer and one
    /// throttle gate: Graph's budget is per app and tenant, not per operation.
    graph_clients: Mutex<HashMap<String, (String, GraphClient)>>,
}

/// Identity: see the module doc.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("data_dir", &self.inner.data_dir).field("keychain", &self.inner.keychain).finish_non_exhaustive()
    }
}

fn not_signed_in(id: &str) -> Error {
    Error::new(ErrorCode::NotSignedIn, format!("No signed-in account `{id}`: sign in first (entractl login), or pick one from `entractl accounts`"))
}

impl Desk {
    /// Opens the desk on `data_dir` with default options.
    pub fn open(data_dir: impl Into<PathBuf>) -> Result<Desk> {
        Desk::open_with(DeskOptions::new(data_dir))
    }

    /// Opens the desk with explicit options.
    pub fn open_with(options: DeskOptions) -> Result<Desk> {
        crate::paths::ensure_dir(&options.data_dir)?;
        let keychain = AsyncKeychain::new(Keychain::new(options.keychain_service));
        let settings = SettingsStore::new(&options.data_dir, options.env, keychain.clone());
        let tokens = TokenCache::new(keychain.clone(), settings.clone(), options.clock.clone(), options.refresh_margin);
        Ok(Desk {
            inner: Arc::new(Inner {
                accounts: AccountStore::new(&options.data_dir),
                data_dir: options.data_dir,
                keychain,
                settings,
                accounts_lock: Mutex::new(()),
                tokens,
                clock: options.clock,
                demo_tenant: RwLock::new(None),
                graph_clients: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The keychain, with its calls moved off the async threads (what the services use).
    pub fn async_keychain(&self) -> &AsyncKeychain {
        &self.inner.keychain
    }

    /// The keychain entries of this desk (blocking calls; for tests and inspection).
    pub fn keychain(&self) -> &Keychain {
        self.inner.keychain.blocking()
    }

    /// The settings file and profile resolution.
    pub fn settings(&self) -> &SettingsStore {
        &self.inner.settings
    }

    fn with_accounts<T>(&self, change: impl FnOnce(&AccountStore) -> Result<T>) -> Result<T> {
        let _guard = self.inner.accounts_lock.lock().unwrap_or_else(|p| p.into_inner());
        change(&self.inner.accounts)
    }

    // ---- sign-in --------------------------------------------------------------------------

    /// Interactive sign-in in the system browser (authorization code + PKCE, loopback redirect).
    ///
    /// `opener` opens the authorize URL; `progress` is told each step; `cancel` aborts
    /// ([`ErrorCode::SignInCancelled`]); after `options.timeout` it fails with [`ErrorCode::SignInTimeout`].
    /// The account's tokens are replaced by the new ones, whatever it held (for every scope set),
    /// so a step-up's access token is the one used next.
    pub async fn sign_in_interactive(
        &self,
        profile: &Profile,
        opener: &dyn BrowserOpener,
        cancel: CancellationToken,
        progress: &(dyn Fn(SignInProgress) + Send + Sync),
        options: SignInOptions,
    ) -> Result<Account> {
        let http = crate::http::client(profile.ca_cert.as_deref())?;
        let providers = self.inner.tokens.providers();
        let outcome = interactive::sign_in(&http, providers, profile, opener, cancel, progress, &options, &*self.inner.clock).await?;
        let mut account = Account::interactive(profile, &outcome.claims, outcome.metadata.metadata_url.clone(), self.inner.clock.now());
        // A step-up's claims stay with the account, so its refreshes keep asking for them.
        account.step_up_claims = options.claims.clone();
        let tokens = outcome.tokens;
        self.inner.tokens.signed_in(&account, tokens.access_token, tokens.expires_at, tokens.refresh_token.as_ref(), None).await?;
        self.with_accounts(|a| a.upsert(account.clone()))?;
        tracing::info!(account = %account.id, "signed in interactively");
        Ok(account)
    }

    /// App-only sign-in with a client secret, a certificate or the Azure CLI session, for later
    /// sessions too: a client secret must be kept in the keychain ([`SecretKeeping::Keychain`]).
    ///
    /// The profile's scopes are used if one ends in `/.default`, else Graph's `/.default`.
    pub async fn sign_in_app_only(&self, profile: &Profile, credential: AppCredential) -> Result<Account> {
        self.sign_in_app_only_with(profile, credential, SecretKeeping::Keychain).await
    }

    /// [`Desk::sign_in_app_only`], keeping a client secret as `keeping` says. Whatever it says,
    /// the built credential stays in this process's memory (the token cache), so this process
    /// never needs the keychain to renew the account's tokens.
    pub async fn sign_in_app_only_with(&self, profile: &Profile, credential: AppCredential, keeping: SecretKeeping) -> Result<Account> {
        let http = crate::http::client(profile.ca_cert.as_deref())?;
        let scope = profile.scopes.iter().find(|s| s.ends_with("/.default")).cloned().unwrap_or_else(|| GRAPH_DEFAULT_SCOPE.to_string());
        let account = Account::app_only(profile, &credential, scope.clone(), self.inner.clock.now());
        let what = account.app_credential.as_ref().map_or("credential", AppCredentialRef::describe);
        let built = app_only::build(AppTarget::of(profile), &credential, http)?;
        let (token, expires_at) = app_only::token(&built, &scope, what, self.inner.clock.now()).await?;
        if let AppCredential::ClientSecret(secret) = &credential {
            self.keep_client_secret(profile, secret, keeping).await?;
        }
        self.inner.tokens.signed_in(&account, token, expires_at, None, Some(built)).await?;
        self.with_accounts(|a| a.upsert(account.clone()))?;
        tracing::info!(account = %account.id, "signed in app-only");
        Ok(account)
    }

    /// Keeps an app-only sign-in's client secret as `keeping` says (see [`SecretKeeping`]).
    async fn keep_client_secret(&self, profile: &Profile, secret: &ClientSecret, keeping: SecretKeeping) -> Result<()> {
        if keeping == SecretKeeping::MemoryOnly {
            return Ok(());
        }
        let Err(err) = self.inner.keychain.set_client_secret(&profile.client_id, &profile.tenant_id, secret).await else {
            return Ok(());
        };
        // The keychain's messages name the entry's kind and the fix, never the secret.
        match keeping {
            SecretKeeping::Keychain => Err(Error::new(
                ErrorCode::Keychain,
                format!(
                    "Signed in as app {}, but its client secret must be kept for later sessions and the OS keychain cannot keep it. {} (or, to run one command without the keychain, give that command the secret in ENTRA_CLIENT_SECRET)",
                    profile.client_id,
                    err.message()
                ),
            )
            .with_source(err)),
            _ => {
                tracing::warn!(
                    "the OS keychain cannot keep app {}'s client secret, so it is used by this command only (a later one needs ENTRA_CLIENT_SECRET again): {}",
                    profile.client_id,
                    err.message()
                );
                Ok(())
            }
        }
    }

    // ---- accounts and tokens ----------------------------------------------------------------

    /// The demo tenant running in this process is at `endpoints`: demo accounts use them from now
    /// on. Called by the sign-in service each time it starts or finds the tenant.
    pub fn set_demo_tenant(&self, endpoints: DemoEndpoints) {
        *self.inner.demo_tenant.write().unwrap_or_else(|p| p.into_inner()) = Some(endpoints);
    }

    /// Where the demo tenant running in this process is, once the sign-in service has started
    /// or found it; `None` before that.
    pub fn demo_tenant(&self) -> Option<DemoEndpoints> {
        self.inner.demo_tenant.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The remembered accounts, most recently used first, as remembered: a demo account's
    /// endpoints here are where it signed in, which may be stale; to act as an account, take it
    /// from [`Desk::account`].
    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.inner.accounts.list()
    }

    /// One account by ID, or the most recently used one when `id` is `None`, ready to use: a demo
    /// account has the running demo tenant's endpoints, or is refused ([`Account::at_demo_tenant`]).
    pub fn account(&self, id: Option<&str>) -> Result<Account> {
        let demo_tenant = self.inner.demo_tenant.read().unwrap_or_else(|p| p.into_inner()).clone();
        self.remembered_account(id)?.at_demo_tenant(demo_tenant.as_ref())
    }

    /// [`Desk::account`] as remembered, endpoints unresolved: to tell which account it is (e.g.
    /// to sign it out), never to send anything to its endpoints.
    pub fn remembered_account(&self, id: Option<&str>) -> Result<Account> {
        match id {
            Some(id) => self.inner.accounts.get(id)?.ok_or_else(|| not_signed_in(id)),
            None => self.accounts()?.into_iter().next().ok_or_else(|| {
                Error::new(ErrorCode::NotSignedIn, "No account is signed in: sign in first (entractl login)")
            }),
        }
    }

    /// An access token for `account_id`, refreshed silently when it is near expiry.
    /// `scopes` defaults to the account's own.
    pub async fn access_token(&self, account_id: &str, scopes: Option<&[String]>) -> Result<AccessToken> {
        let account = self.account(Some(account_id))?;
        let fetched = self.inner.tokens.access_token(&account, scopes).await?;
        if fetched.refreshed {
            let now = self.inner.clock.now();
            self.with_accounts(|a| a.touch(account_id, now))?;
        }
        Ok(fetched.token)
    }

    /// `result`, with a Graph 403 explained for an operation with `needs`: a missing scope (with
    /// the scopes to grant) or a missing role, told apart by what the account's token grants
    /// (see [`crate::permissions`]). Anything else passes through.
    pub async fn explained<T>(&self, account_id: &str, needs: &[crate::permissions::Need], result: Result<T>) -> Result<T> {
        let err = match result {
            Err(err) if err.graph().is_some_and(|g| g.status == 403) => err,
            other => return other,
        };
        let granted = match self.access_token(account_id, None).await {
            Ok(token) => crate::permissions::Granted::of_token(token.expose()),
            Err(_) => None,
        };
        Err(crate::permissions::explain_forbidden(err, needs, granted.as_ref()))
    }

    /// Why the account's session will not survive a restart (the keychain refused its renewed
    /// refresh token), if so: show it to the user.
    pub async fn keychain_warning(&self, account_id: &str) -> Option<String> {
        self.inner.tokens.keychain_warning(account_id).await
    }

    /// Forgets the in-memory access tokens of an account (e.g. after Graph rejected one).
    pub async fn forget_access_tokens(&self, account_id: &str) {
        self.inner.tokens.forget_access_tokens(account_id).await;
    }

    // ---- Graph ---------------------------------------------------------------------------------

    /// A Graph client acting as `account_id`, at the account's Graph URL: the account's one
    /// client (see `Inner::graph_clients`), built again when its Graph URL or CA changed.
    pub fn graph(&self, account_id: &str) -> Result<GraphClient> {
        let account = self.account(Some(account_id))?;
        let built_for = format!("{} {:?}", account.graph_url, account.ca_cert);
        let mut clients = self.inner.graph_clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, client)) = clients.get(&account.id).filter(|(f, _)| *f == built_for) {
            return Ok(client.clone());
        }
        let http = crate::http::client(account.ca_cert.as_deref())?;
        let tokens = Arc::new(DeskTokenSource { desk: Arc::downgrade(&self.inner), account_id: account.id.clone() });
        let client = GraphClient::new(account.graph_url.clone(), http, tokens);
        clients.insert(account.id, (built_for, client.clone()));
        Ok(client)
    }

    // ---- sign-out ---------------------------------------------------------------------------

    /// Signs an account out: deletes its keychain entries, forgets its tokens and removes it
    /// from the list. Returns whether the account was known.
    pub async fn sign_out(&self, account_id: &str) -> Result<bool> {
        // The refresh lock: a refresh in flight writes its rotated token first, then we delete it.
        let guard = self.inner.tokens.begin_sign_out(account_id).await;
        let account = self.inner.accounts.get(account_id)?;
        self.inner.keychain.delete_refresh_token(account_id).await?;
        if let Some(a) = account.as_ref().filter(|a| a.app_credential == Some(AppCredentialRef::ClientSecret)) {
            self.inner.keychain.delete_client_secret(&a.client_id, &a.tenant_id).await?;
        }
        guard.finish();
        self.inner.graph_clients.lock().unwrap_or_else(|p| p.into_inner()).remove(account_id);
        let removed = self.with_accounts(|a| a.remove(account_id))?;
        tracing::info!(account = %account_id, "signed out");
        Ok(removed || account.is_some())
    }

    /// Signs every account out. Returns the IDs signed out.
    pub async fn sign_out_all(&self) -> Result<Vec<String>> {
        let mut done = Vec::new();
        for account in self.accounts()? {
            self.sign_out(&account.id).await?;
            done.push(account.id);
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn desk_is_send_sync_and_clone() {
        assert_send_sync::<Desk>();
    }
}
