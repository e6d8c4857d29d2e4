//! [`Desk`]: the facade the Tauri shell and `entractl` call.
//!
//! A `Desk` is opened on a data folder and owns everything sign-in needs:
//! the settings file, the account list, the keychain, the provider cache and
//! the in-memory access tokens. It is `Send + Sync` and a cheap `Clone` (an
//! `Arc` inside), so the shell keeps one in Tauri state and commands share it.
//!
//! Token rules: refresh tokens go only to the keychain (rewritten on every
//! rotation); access tokens stay in memory and are refreshed silently when
//! less than the refresh margin (5 minutes) of their life remains. Each
//! account has its own async lock, so two callers never redeem the same
//! refresh token at once (a provider that revokes rotated tokens would sign
//! the loser out).

use crate::accounts::{Account, AccountKind, AccountStore, AppCredentialRef};
use crate::auth::app_only::{self, AppCredential, Credential, GRAPH_DEFAULT_SCOPE};
use crate::auth::discovery::ProviderCache;
use crate::auth::interactive::{self, SignInOptions};
use crate::auth::session::{self, oauth_client};
use crate::auth::{BrowserOpener, SignInProgress};
use crate::clock::{Clock, SystemClock};
use crate::config::{self, ConfigSources, Profile, ProfileSettings, Settings};
use crate::graph::me::{Organization, User};
use crate::graph::{GraphClient, TokenSource};
use crate::keychain::{Keychain, DEFAULT_SERVICE};
use crate::paths::write_atomic;
use crate::secret::{AccessToken, ClientSecret};
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;
use url::Url;

/// The settings file's name in the data folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// Reads an environment variable; injectable because the process environment is global.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How to open a [`Desk`].
#[derive(Clone)]
pub struct DeskOptions {
    /// The data folder (settings, account list). Usually [`crate::paths::data_dir`].
    pub data_dir: PathBuf,
    /// The keychain service name (tests use their own to stay apart).
    pub keychain_service: String,
    /// The clock for expiry decisions.
    pub clock: Arc<dyn Clock>,
    /// Refresh an access token when less than this remains of its life.
    pub refresh_margin: chrono::Duration,
    /// Environment lookup (the process environment by default).
    pub env: EnvLookup,
}

impl DeskOptions {
    /// Defaults for `data_dir`: service `entra-desk`, system clock, 5-minute margin, process environment.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        DeskOptions {
            data_dir: data_dir.into(),
            keychain_service: DEFAULT_SERVICE.to_string(),
            clock: Arc::new(SystemClock),
            refresh_margin: chrono::Duration::minutes(5),
            env: Arc::new(|name: &str| std::env::var(name).ok()),
        }
    }
}

/// `whoami`: the account and what Graph says about it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    /// The remembered account.
    pub account: Account,
    /// Graph `/me` (interactive accounts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<User>,
    /// Graph `/organization` (app-only accounts, which have no `/me`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<Vec<Organization>>,
}

#[derive(Debug, Clone)]
struct CachedToken {
    token: AccessToken,
    expires_at: DateTime<Utc>,
}

#[derive(Default)]
struct Session {
    /// Access tokens by scope set.
    tokens: HashMap<String, CachedToken>,
    /// App-only: the built credential.
    credential: Option<Credential>,
}

struct Inner {
    data_dir: PathBuf,
    keychain: Keychain,
    accounts: AccountStore,
    providers: ProviderCache,
    clock: Arc<dyn Clock>,
    margin: chrono::Duration,
    env: EnvLookup,
    /// Serialises read-modify-write of the account file within this process.
    accounts_lock: Mutex<()>,
    sessions: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Session>>>>,
}

/// The sign-in facade. See the module doc.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("data_dir", &self.inner.data_dir).field("keychain", &self.inner.keychain).finish_non_exhaustive()
    }
}

/// Runs keychain (blocking IPC) work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::internal(format!("A keychain task failed: {e}")))?
}

fn scope_key(scopes: &[String]) -> String {
    let mut s: Vec<String> = scopes.iter().map(|s| s.to_ascii_lowercase()).collect();
    s.sort();
    s.join(" ")
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
        Ok(Desk {
            inner: Arc::new(Inner {
                accounts: AccountStore::new(&options.data_dir),
                data_dir: options.data_dir,
                keychain: Keychain::new(options.keychain_service),
                providers: ProviderCache::default(),
                clock: options.clock,
                margin: options.refresh_margin,
                env: options.env,
                accounts_lock: Mutex::new(()),
                sessions: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The keychain handle (service name and entries of this desk).
    pub fn keychain(&self) -> &Keychain {
        &self.inner.keychain
    }

    // ---- settings -------------------------------------------------------------------------

    fn settings_path(&self) -> PathBuf {
        self.inner.data_dir.join(SETTINGS_FILE)
    }

    /// Reads `settings.json` (defaults if absent). Hand-written secrets are still in it; see [`Desk::resolve_profile`].
    pub fn settings(&self) -> Result<Settings> {
        let path = self.settings_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::config(format!("The settings file {} is not valid ({e}): fix the JSON or delete the file", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Error::storage(format!("Cannot read {} ({e}): check its permissions", path.display())).with_source(e)),
        }
    }

    /// Writes `settings.json`. [`Settings`] cannot serialise a secret.
    pub fn save_settings(&self, settings: &Settings) -> Result<()> {
        let json = serde_json::to_vec_pretty(settings).map_err(|e| Error::internal(format!("Cannot encode the settings: {e}")))?;
        write_atomic(&self.settings_path(), &json)
    }

    /// True when neither flags, environment, connection string nor settings configure anything:
    /// the shell then offers the demo tenant.
    pub fn is_unconfigured(&self, flags: &ProfileSettings) -> Result<bool> {
        let env = self.inner.env.clone();
        let mut settings = self.settings()?;
        settings.take_secret()?;
        Ok(ConfigSources::gather(flags.clone(), settings.profile, &*env)?.is_unconfigured())
    }

    /// Resolves a profile from `flags` and the other sources (precedence in [`crate::config`]).
    ///
    /// A client secret found in the configuration goes to the keychain, and a settings
    /// file that carried one is rewritten without it.
    pub async fn resolve_profile(&self, flags: ProfileSettings) -> Result<Profile> {
        let env = self.inner.env.clone();
        let mut settings = self.settings()?;
        let needs_scrubbing = settings.needs_scrubbing();
        let settings_secret = settings.take_secret()?;
        let sources = ConfigSources::gather(flags, settings.profile.clone(), &*env)?;
        let mut profile = config::resolve(sources, &*env)?;
        if profile.client_secret.is_none() {
            profile.client_secret = settings_secret;
        }
        if let Some(secret) = profile.client_secret.clone() {
            let keychain = self.inner.keychain.clone();
            let (client, tenant) = (profile.client_id.clone(), profile.tenant_id.clone());
            blocking(move || keychain.set_client_secret(&client, &tenant, &secret)).await?;
        }
        if needs_scrubbing {
            self.save_settings(&settings)?;
            tracing::info!("moved a client secret from settings.json to the OS keychain");
        }
        Ok(profile)
    }

    /// The client secret for an app-only sign-in: `ENTRA_CLIENT_SECRET`, else the configuration's, else the keychain's.
    pub async fn client_secret(&self, profile: &Profile) -> Result<ClientSecret> {
        if let Some(s) = (self.inner.env)(config::env::CLIENT_SECRET).filter(|s| !s.is_empty()) {
            return Ok(ClientSecret::new(s));
        }
        if let Some(s) = &profile.client_secret {
            return Ok(s.clone());
        }
        let keychain = self.inner.keychain.clone();
        let (client, tenant) = (profile.client_id.clone(), profile.tenant_id.clone());
        blocking(move || keychain.client_secret(&client, &tenant)).await?.ok_or_else(|| {
            Error::config(format!(
                "No client secret for app {} in tenant {}: set {} (never pass a secret on the command line), or put MicrosoftEntra:ClientSecret in {} once so it is moved to the keychain",
                profile.client_id,
                profile.tenant_id,
                config::env::CLIENT_SECRET,
                config::env::CONNECTION_STRING
            ))
        })
    }

    // ---- sign-in --------------------------------------------------------------------------

    fn http_for(ca_cert: Option<&Path>) -> Result<reqwest::Client> {
        crate::http::client(ca_cert)
    }

    fn session(&self, account_id: &str) -> Arc<tokio::sync::Mutex<Session>> {
        let mut sessions = self.inner.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.entry(account_id.to_string()).or_default().clone()
    }

    fn upsert_account(&self, account: Account) -> Result<()> {
        let _guard = self.inner.accounts_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.inner.accounts.upsert(account)
    }

    /// Interactive sign-in in the system browser (authorization code + PKCE, loopback redirect).
    ///
    /// `opener` opens the authorize URL; `progress` is told each step; `cancel` aborts
    /// ([`ErrorCode::SignInCancelled`]); after `options.timeout` it fails with [`ErrorCode::SignInTimeout`].
    pub async fn sign_in_interactive(
        &self,
        profile: &Profile,
        opener: &dyn BrowserOpener,
        cancel: CancellationToken,
        progress: &(dyn Fn(SignInProgress) + Send + Sync),
        options: SignInOptions,
    ) -> Result<Account> {
        let http = Self::http_for(profile.ca_cert.as_deref())?;
        let outcome = interactive::sign_in(&http, &self.inner.providers, profile, opener, cancel, progress, &options, &*self.inner.clock).await?;
        let claims = &outcome.claims;
        let tenant_id = claims.tid.clone().unwrap_or_else(|| profile.tenant_id.clone());
        let object_id = claims.oid.clone().unwrap_or_else(|| claims.sub.clone());
        let account = Account {
            id: format!("{object_id}.{tenant_id}"),
            username: claims.preferred_username.clone().or_else(|| claims.email.clone()).unwrap_or_else(|| claims.sub.clone()),
            display_name: claims.name.clone(),
            tenant_id,
            authority: profile.authority.to_string(),
            metadata_url: outcome.metadata.metadata_url.as_ref().map(Url::to_string),
            client_id: profile.client_id.clone(),
            scopes: profile.scopes.clone(),
            kind: AccountKind::Interactive,
            graph_url: profile.graph_url.to_string(),
            ca_cert: profile.ca_cert.clone(),
            app_credential: None,
            last_used: self.inner.clock.now(),
        };
        match outcome.tokens.refresh_token.clone() {
            Some(rt) => {
                let keychain = self.inner.keychain.clone();
                let id = account.id.clone();
                blocking(move || keychain.set_refresh_token(&id, &rt)).await?;
            }
            None => tracing::warn!(account = %account.id, "the provider returned no refresh token; the session ends when the access token expires"),
        }
        self.upsert_account(account.clone())?;
        let session = self.session(&account.id);
        let mut session = session.lock().await;
        session.tokens.clear();
        session.tokens.insert(
            scope_key(&account.scopes),
            CachedToken { token: outcome.tokens.access_token.clone(), expires_at: outcome.tokens.expires_at },
        );
        tracing::info!(account = %account.id, "signed in interactively");
        Ok(account)
    }

    /// App-only sign-in with a client secret, a certificate or the Azure CLI session.
    ///
    /// The profile's scopes are used if one ends in `/.default`, else Graph's `/.default`.
    /// A client secret is stored in the keychain so later sessions can refresh.
    pub async fn sign_in_app_only(&self, profile: &Profile, credential: AppCredential) -> Result<Account> {
        let http = Self::http_for(profile.ca_cert.as_deref())?;
        let scope = profile.scopes.iter().find(|s| s.ends_with("/.default")).cloned().unwrap_or_else(|| GRAPH_DEFAULT_SCOPE.to_string());
        let (what, reference, id) = match &credential {
            AppCredential::ClientSecret(_) => ("client secret", AppCredentialRef::ClientSecret, format!("app:{}.{}", profile.client_id, profile.tenant_id)),
            AppCredential::Certificate { certificate_path, private_key_path } => (
                "certificate",
                AppCredentialRef::Certificate {
                    certificate_path: std::path::absolute(certificate_path).unwrap_or_else(|_| certificate_path.clone()),
                    private_key_path: std::path::absolute(private_key_path).unwrap_or_else(|_| private_key_path.clone()),
                },
                format!("app:{}.{}", profile.client_id, profile.tenant_id),
            ),
            AppCredential::AzureCli => ("Azure CLI", AppCredentialRef::AzureCli, format!("azcli:{}", profile.tenant_id)),
        };
        let built = app_only::build(profile, &credential, http)?;
        let (token, expires_at) = app_only::token(&built, &scope, what, self.inner.clock.now()).await?;
        if let AppCredential::ClientSecret(secret) = &credential {
            let keychain = self.inner.keychain.clone();
            let (client, tenant, secret) = (profile.client_id.clone(), profile.tenant_id.clone(), secret.clone());
            blocking(move || keychain.set_client_secret(&client, &tenant, &secret)).await?;
        }
        let account = Account {
            id,
            username: if matches!(credential, AppCredential::AzureCli) { "Azure CLI session".into() } else { profile.client_id.clone() },
            display_name: None,
            tenant_id: profile.tenant_id.clone(),
            authority: profile.authority.to_string(),
            metadata_url: None,
            client_id: profile.client_id.clone(),
            scopes: vec![scope.clone()],
            kind: AccountKind::AppOnly,
            graph_url: profile.graph_url.to_string(),
            ca_cert: profile.ca_cert.clone(),
            app_credential: Some(reference),
            last_used: self.inner.clock.now(),
        };
        self.upsert_account(account.clone())?;
        let session = self.session(&account.id);
        let mut session = session.lock().await;
        session.credential = Some(built);
        session.tokens.clear();
        session.tokens.insert(scope_key(&account.scopes), CachedToken { token, expires_at });
        tracing::info!(account = %account.id, "signed in app-only");
        Ok(account)
    }

    // ---- accounts and tokens ----------------------------------------------------------------

    /// The remembered accounts, most recently used first.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.inner.accounts.list()
    }

    /// One account by ID, or the most recently used one when `id` is `None`.
    pub fn account(&self, id: Option<&str>) -> Result<Account> {
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
        let scopes: Vec<String> = scopes.map(<[String]>::to_vec).unwrap_or_else(|| account.scopes.clone());
        let key = scope_key(&scopes);
        let session = self.session(account_id);
        let mut session = session.lock().await;
        let now = self.inner.clock.now();
        if let Some(cached) = session.tokens.get(&key) {
            if cached.expires_at - self.inner.margin > now {
                return Ok(cached.token.clone());
            }
        }
        let fresh = match account.kind {
            AccountKind::Interactive => self.refresh_interactive(&account, &scopes, now).await?,
            AccountKind::AppOnly => self.refresh_app_only(&account, &mut session, &scopes, now).await?,
        };
        let token = fresh.token.clone();
        session.tokens.insert(key, fresh);
        drop(session);
        let _guard = self.inner.accounts_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.inner.accounts.touch(account_id, now)?;
        Ok(token)
    }

    async fn refresh_interactive(&self, account: &Account, scopes: &[String], now: DateTime<Utc>) -> Result<CachedToken> {
        let keychain = self.inner.keychain.clone();
        let id = account.id.clone();
        let rt = blocking(move || keychain.refresh_token(&id)).await?.ok_or_else(|| {
            Error::new(ErrorCode::NotSignedIn, format!("The session of {} has ended (no refresh token in the keychain): sign in again", account.username))
        })?;
        let http = Self::http_for(account.ca_cert.as_deref())?;
        let candidates = match &account.metadata_url {
            Some(url) => vec![Url::parse(url).map_err(|e| Error::storage(format!("The account's metadata URL is invalid ({e}): sign in again")))?],
            None => {
                let profile = self.profile_of(account)?;
                profile.discovery_candidates()
            }
        };
        let metadata = self.inner.providers.metadata(&http, &candidates).await?;
        let client = oauth_client(&account.client_id, &metadata.authorization_endpoint, &metadata.token_endpoint, None);
        let tokens = session::refresh(&http, &client, &rt, scopes, now).await.inspect_err(|e| {
            if e.code() == ErrorCode::NotSignedIn {
                tracing::info!(account = %account.id, "the refresh token was refused; the account must sign in again");
            }
        })?;
        if let Some(new_rt) = tokens.refresh_token.clone() {
            // Rotation: the provider issued a new refresh token; keep only the newest.
            let keychain = self.inner.keychain.clone();
            let id = account.id.clone();
            blocking(move || keychain.set_refresh_token(&id, &new_rt)).await?;
        }
        tracing::debug!(account = %account.id, "access token refreshed");
        Ok(CachedToken { token: tokens.access_token, expires_at: tokens.expires_at })
    }

    async fn refresh_app_only(&self, account: &Account, session: &mut Session, scopes: &[String], now: DateTime<Utc>) -> Result<CachedToken> {
        let scope = scopes.first().cloned().unwrap_or_else(|| GRAPH_DEFAULT_SCOPE.to_string());
        let reference = account.app_credential.clone().ok_or_else(|| Error::storage("The app-only account has no credential recorded: sign in again"))?;
        let what = match reference {
            AppCredentialRef::ClientSecret => "client secret",
            AppCredentialRef::Certificate { .. } => "certificate",
            AppCredentialRef::AzureCli => "Azure CLI",
        };
        let credential = match &session.credential {
            Some(c) => c.clone(),
            None => {
                let profile = self.profile_of(account)?;
                let credential = match reference {
                    AppCredentialRef::ClientSecret => AppCredential::ClientSecret(self.client_secret(&profile).await.map_err(|e| {
                        Error::new(ErrorCode::NotSignedIn, format!("{} Then sign in again (entractl login --app-only)", e.message()))
                    })?),
                    AppCredentialRef::Certificate { certificate_path, private_key_path } => AppCredential::Certificate { certificate_path, private_key_path },
                    AppCredentialRef::AzureCli => AppCredential::AzureCli,
                };
                let built = app_only::build(&profile, &credential, Self::http_for(account.ca_cert.as_deref())?)?;
                session.credential = Some(built.clone());
                built
            }
        };
        let (token, expires_at) = app_only::token(&credential, &scope, what, now).await?;
        Ok(CachedToken { token, expires_at })
    }

    /// A profile rebuilt from what the account recorded.
    fn profile_of(&self, account: &Account) -> Result<Profile> {
        let flags = ProfileSettings {
            tenant_id: Some(account.tenant_id.clone()),
            client_id: Some(account.client_id.clone()),
            authority: Some(account.authority.clone()),
            metadata_address: account.metadata_url.clone(),
            scopes: Some(account.scopes.clone()),
            graph_url: Some(account.graph_url.clone()),
            ca_cert: account.ca_cert.as_ref().map(|p| p.to_string_lossy().into_owned()),
            ..Default::default()
        };
        let none = |_: &str| None;
        config::resolve(ConfigSources { flags, ..Default::default() }, &none)
    }

    /// Forgets the in-memory access tokens of an account (e.g. after Graph rejected one).
    pub async fn forget_access_tokens(&self, account_id: &str) {
        let session = self.session(account_id);
        session.lock().await.tokens.clear();
    }

    // ---- Graph ---------------------------------------------------------------------------------

    /// A Graph client acting as `account_id`, at the account's Graph URL.
    pub fn graph(&self, account_id: &str) -> Result<GraphClient> {
        let account = self.account(Some(account_id))?;
        let base = Url::parse(&account.graph_url).map_err(|e| Error::storage(format!("The account's Graph URL is invalid ({e}): sign in again")))?;
        let http = Self::http_for(account.ca_cert.as_deref())?;
        Ok(GraphClient::new(base, http, Arc::new(DeskTokenSource { desk: self.clone(), account_id: account.id })))
    }

    /// The account and Graph's view of it: `/me` for people, `/organization` for apps.
    pub async fn whoami(&self, account_id: &str) -> Result<WhoAmI> {
        let account = self.account(Some(account_id))?;
        let graph = self.graph(account_id)?;
        let (me, organization) = match account.kind {
            AccountKind::Interactive => (Some(graph.me().await?), None),
            AccountKind::AppOnly => (None, Some(graph.organization().await?)),
        };
        Ok(WhoAmI { account: self.account(Some(account_id))?, me, organization })
    }

    // ---- sign-out ---------------------------------------------------------------------------

    /// Signs an account out: deletes its keychain entries, forgets its tokens and removes it
    /// from the list. Returns whether the account was known.
    pub async fn sign_out(&self, account_id: &str) -> Result<bool> {
        let account = self.inner.accounts.get(account_id)?;
        let keychain = self.inner.keychain.clone();
        let id = account_id.to_string();
        let app_secret = account
            .as_ref()
            .filter(|a| a.app_credential == Some(AppCredentialRef::ClientSecret))
            .map(|a| (a.client_id.clone(), a.tenant_id.clone()));
        blocking(move || {
            keychain.delete_refresh_token(&id)?;
            if let Some((client, tenant)) = app_secret {
                keychain.delete_client_secret(&client, &tenant)?;
            }
            Ok(())
        })
        .await?;
        self.inner.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(account_id);
        let _guard = self.inner.accounts_lock.lock().unwrap_or_else(|p| p.into_inner());
        let removed = self.inner.accounts.remove(account_id)?;
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

/// The token source a [`GraphClient`] from [`Desk::graph`] uses.
struct DeskTokenSource {
    desk: Desk,
    account_id: String,
}

#[async_trait::async_trait]
impl TokenSource for DeskTokenSource {
    async fn token(&self) -> Result<AccessToken> {
        self.desk.access_token(&self.account_id, None).await
    }

    async fn token_rejected(&self) {
        self.desk.forget_access_tokens(&self.account_id).await;
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

    #[test]
    fn scope_keys_ignore_order_and_case() {
        assert_eq!(scope_key(&["User.Read".into(), "openid".into()]), scope_key(&["OPENID".into(), "user.read".into()]));
    }
}
