//! The sign-in screen's service, [`SignIn`]: what the app offers at start (the
//! demo tenant or the configured one, and the remembered accounts), signing in
//! to a chosen target with a cancellable browser flow, and who is signed in.
//!
//! The demo tenant itself is the shell's (it embeds `entra-demo`); the core
//! sees it through the [`DemoTenant`] trait, so this logic is tested without
//! a window and reused by `entractl`. Each time it starts or finds the tenant it
//! tells the desk where it runs ([`Desk::set_demo_tenant`]): demo accounts follow
//! the tenant that runs now, never a port they remember (see [`crate::accounts`]). A claims
//! challenge is met by [`SignIn::step_up`] (`step_up`), as a missing permission by [`SignIn::grant`].

use crate::accounts::{Account, AccountKind, DemoEndpoints};
use crate::auth::interactive::SignInOptions;
use crate::auth::{BrowserOpener, SignInProgress};
use crate::config::{Profile, ProfileSettings};
use crate::graph::map_error as graph_error;
use crate::graph::models::{Organization, User};
use crate::{Desk, Error, Result};
use crate::preferences::Preferences;
use crate::setup::azure_cli::AzureCliTarget;
use crate::setup::{GraphSource, Registered, Removed, Setup, SetupProgress, SetupSource};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

mod step_up;

/// Where the embedded demo tenant is; starting it if it is not running yet.
#[async_trait::async_trait]
pub trait DemoTenant: Send + Sync {
    /// The running demo tenant's addresses and sign-in name, starting it if needed.
    async fn target(&self) -> Result<DemoTarget>;
    /// The demo user's sign-in name, known without starting the tenant (the first screen
    /// shows it and must not wait for the tenant's keys and directory to be made).
    fn username(&self) -> String;
    /// Starts the tenant in the background, if it is not running, without waiting for it.
    fn warm_up(&self) {}
}

/// The demo tenant's addresses, as the sign-in needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTarget {
    /// Its authority (loopback http).
    pub authority: String,
    /// Its discovery document.
    pub metadata_url: String,
    /// Its tenant ID.
    pub tenant_id: String,
    /// Its public client's ID.
    pub client_id: String,
    /// Its Graph base URL.
    pub graph_url: String,
    /// The demo user's sign-in name (never a password).
    pub username: String,
}

impl DemoTarget {
    /// Its endpoints, which the desk's demo accounts follow.
    pub fn endpoints(&self) -> Result<DemoEndpoints> {
        let url = |what: &str, value: &str| {
            url::Url::parse(value).map_err(|e| Error::internal(format!("The built-in demo tenant gave an unreadable {what} ({value}: {e}): restart Entra Desk")))
        };
        Ok(DemoEndpoints {
            tenant_id: self.tenant_id.clone(),
            authority: url("authority", &self.authority)?,
            metadata_url: url("discovery address", &self.metadata_url)?,
            graph_url: url("Graph address", &self.graph_url)?,
        })
    }
}

/// Where to sign in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SignInTarget {
    /// The built-in demo tenant.
    Demo,
    /// A tenant (or any OpenID provider) by authority and client ID.
    Tenant {
        /// Authority or issuer URL.
        authority: String,
        /// Application (client) ID.
        client_id: String,
        /// Extra scopes; `openid profile offline_access` are always asked for.
        scopes: Option<Vec<String>>,
    },
}

/// The tenant the app signs in to unless told otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DefaultTenant {
    /// True for the built-in demo tenant (nothing is configured).
    pub demo: bool,
    /// Its authority; `None` for the demo tenant, which starts on first use at a port chosen then.
    pub authority: Option<String>,
    /// The client ID used to sign in; `None` for the demo tenant (its own public client).
    pub client_id: Option<String>,
    /// The demo tenant's sign-in name.
    pub demo_username: Option<String>,
}

/// What the first screen shows: the version, the tenant it talks to, who has signed in before,
/// and the UI preferences the last run saved. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    /// Entra Desk's version, e.g. `0.1.0`.
    pub version: String,
    /// The default tenant.
    pub default_tenant: DefaultTenant,
    /// Remembered accounts, most recently used first.
    pub accounts: Vec<Account>,
    /// The UI preferences saved by the last run.
    pub preferences: Preferences,
}

/// The signed-in user or app, as Graph describes it (`/me` for people, the token for apps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SignedInUser {
    /// The remembered account.
    pub account: Account,
    /// Graph's display name (or the account's, for apps).
    pub display_name: Option<String>,
    /// The user principal name.
    pub user_principal_name: Option<String>,
    /// The mail address.
    pub mail: Option<String>,
    /// The job title.
    pub job_title: Option<String>,
    /// The tenant's display name from `/organization` (best effort for people).
    pub organization: Option<String>,
}

/// `whoami`: the account and what Graph says about it (`/me` for people, `/organization` for apps).
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

/// The account and Graph's view of it.
pub async fn whoami(desk: &Desk, account_id: &str) -> Result<WhoAmI> {
    let account = desk.account(Some(account_id))?;
    let graph = desk.graph(account_id)?;
    let (me, organization) = match account.kind {
        AccountKind::Interactive => (Some(graph.me().await.map_err(graph_error)?), None),
        AccountKind::AppOnly => (None, Some(graph.organization().await.map_err(graph_error)?)),
    };
    // Read again: the calls above may have refreshed the token and touched the account.
    Ok(WhoAmI { account: desk.account(Some(account_id))?, me, organization })
}

/// Whether two authorities are the same address (a trailing slash and the case aside).
fn same_authority(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/').eq_ignore_ascii_case(b.trim().trim_end_matches('/'))
}

/// A sign-in in progress: its cancel token and a number that tells it from later ones.
struct Pending {
    id: u64,
    cancel: CancellationToken,
}

/// The sign-in screen's service. See the module doc.
pub struct SignIn {
    desk: Desk,
    demo: Box<dyn DemoTenant>,
    pending: Mutex<(u64, Option<Pending>)>,
}

impl SignIn {
    /// The service over `desk`, with the embedded demo tenant behind `demo`.
    pub fn new(desk: Desk, demo: Box<dyn DemoTenant>) -> Self {
        SignIn { desk, demo, pending: Mutex::new((0, None)) }
    }

    /// The default tenant (the demo one when nothing is configured) and the remembered accounts.
    pub async fn status(&self) -> Result<SignInStatus> {
        let default_tenant = if self.desk.settings().is_unconfigured(&ProfileSettings::default())? {
            // Not `target()`: the first screen must not wait for the demo tenant to start.
            DefaultTenant { demo: true, authority: None, client_id: None, demo_username: Some(self.demo.username()) }
        } else {
            let profile = self.desk.settings().resolve_profile(ProfileSettings::default()).await?;
            DefaultTenant { demo: false, authority: Some(profile.authority.to_string()), client_id: Some(profile.client_id), demo_username: None }
        };
        let accounts = self.desk.accounts()?;
        // A demo account is about to be resumed: the demo tenant will be wanted at once, so it
        // starts now, in the background. Not earlier (it would compete with the webview for the
        // first screen) and not on this call's path (the screen would wait). On a first start it
        // waits for "Try the demo tenant" (it starts in about 0.3 s): whoever signs in to their
        // own tenant never holds it (about 10 MiB).
        if accounts.iter().any(|a| a.demo_tenant) {
            self.demo.warm_up();
        }
        let preferences = crate::preferences::load(self.desk.data_dir());
        Ok(SignInStatus { version: env!("CARGO_PKG_VERSION").to_string(), default_tenant, accounts, preferences })
    }

    /// The profile for a target: the demo tenant's addresses, or the tenant given (over the configuration).
    pub async fn profile_for(&self, target: SignInTarget) -> Result<Profile> {
        let (flags, demo) = match target {
            SignInTarget::Demo => {
                let demo = self.demo_target().await?;
                let flags = ProfileSettings {
                    tenant_id: Some(demo.tenant_id),
                    client_id: Some(demo.client_id),
                    authority: Some(demo.authority),
                    graph_url: Some(demo.graph_url),
                    ..Default::default()
                };
                (flags, true)
            }
            SignInTarget::Tenant { authority, client_id, scopes } => match self.desk.demo_tenant().filter(|d| same_authority(d.authority.as_str(), &authority)) {
                // The running demo tenant's own authority with another client ID (the set-up
                // assistant's "Sign in with it" after registering there): its Graph, and an
                // account that follows the tenant's port like the demo's own.
                Some(demo) => {
                    let flags = ProfileSettings {
                        tenant_id: Some(demo.tenant_id),
                        client_id: Some(client_id),
                        authority: Some(authority),
                        graph_url: Some(demo.graph_url.to_string()),
                        scopes,
                        ..Default::default()
                    };
                    (flags, true)
                }
                None => (ProfileSettings { authority: Some(authority), client_id: Some(client_id), scopes, ..Default::default() }, false),
            },
        };
        let mut profile = self.desk.settings().resolve_profile(flags).await?;
        profile.demo_tenant = demo;
        Ok(profile)
    }

    /// Signs in to `target` in the browser. A newer sign-in cancels this one; [`SignIn::cancel`] too.
    pub async fn sign_in(&self, target: SignInTarget, opener: &dyn BrowserOpener, progress: &(dyn Fn(SignInProgress) + Send + Sync)) -> Result<Account> {
        let profile = self.profile_for(target).await?;
        let (id, cancel) = self.begin();
        let result = self.desk.sign_in_interactive(&profile, opener, cancel, progress, SignInOptions::default()).await;
        self.finish(id);
        result
    }

    /// Asks the provider to grant `scopes` to an account that lacks them (a Graph 403 explained
    /// as [`crate::ErrorCode::MissingScope`]): an interactive sign-in to the same tenant and app,
    /// as the same person (`login_hint`), asking for the account's scopes and the new ones. This
    /// is v2.0 incremental consent: Entra asks only for what was not granted yet. The account
    /// keeps its ID and asks for all of them from now on.
    pub async fn grant(
        &self,
        account_id: &str,
        scopes: &[String],
        opener: &dyn BrowserOpener,
        progress: &(dyn Fn(SignInProgress) + Send + Sync),
    ) -> Result<Account> {
        let wanted: Vec<String> = scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        if wanted.is_empty() || wanted.iter().any(|s| s.contains(char::is_whitespace)) {
            return Err(crate::Error::invalid_input("Name the permissions to grant, one per entry (e.g. GroupMember.Read.All)"));
        }
        let account = self.person(account_id).await?;
        if account.kind != crate::accounts::AccountKind::Interactive {
            return Err(crate::Error::invalid_input(format!(
                "{} signs in as an app: an administrator grants its application permissions (API permissions, then admin consent) in the Entra admin center",
                account.username
            )));
        }
        let mut all = account.scopes.clone();
        for s in wanted {
            if !all.iter().any(|a| a.eq_ignore_ascii_case(&s)) {
                all.push(s);
            }
        }
        // A step-up's claims are kept: the grant must not undo it.
        let signed_in = self.again(&account, all, account.step_up_claims.clone(), opener, progress).await?;
        if signed_in.id != account.id {
            return Err(crate::Error::new(
                crate::ErrorCode::Identity,
                format!(
                    "The permissions were granted to {} instead of {}: both are signed in now. To grant them to {}, choose \"Grant access\" again and sign in as that account",
                    signed_in.username, account.username, account.username
                ),
            ));
        }
        Ok(signed_in)
    }

    /// The set-up assistant: registers Entra Desk in the tenant of `source` (or finds the
    /// registration made before) and says where to sign in to it. Cancelled by [`SignIn::cancel`],
    /// like a sign-in. See [`crate::setup`].
    pub async fn register(&self, source: SetupSource, progress: &(dyn Fn(SetupProgress) + Send + Sync)) -> Result<Registered> {
        let (graph_source, authority) = self.graph_source(source).await?;
        let (id, cancel) = self.begin();
        let result = Setup::new(self.desk.clone()).register(&graph_source, crate::setup::DEFAULT_DISPLAY_NAME, progress, cancel).await;
        self.finish(id);
        let registration = result?;
        let authority = if authority.is_empty() {
            crate::config::DEFAULT_AUTHORITY.replace("{TenantId}", &registration.tenant_id)
        } else {
            authority
        };
        Ok(Registered { registration, authority })
    }

    /// "Remove this registration": deletes the registration the assistant made in the tenant of
    /// `source` (`application`: its client or object ID, else the only one carrying the tag) and
    /// forgets its client ID. Never one without the tag. See [`Setup::remove`].
    pub async fn remove_registration(&self, source: SetupSource, application: Option<String>) -> Result<Removed> {
        let graph_source = self.graph_source(source).await?.0;
        let (id, cancel) = self.begin();
        let result = Setup::new(self.desk.clone()).remove(&graph_source, application.as_deref(), cancel).await;
        self.finish(id);
        result
    }

    /// The Graph token's source for the assistant, and the authority to sign in at (empty: Entra's for the tenant).
    async fn graph_source(&self, source: SetupSource) -> Result<(GraphSource, String)> {
        Ok(match source {
            SetupSource::Account { account_id } => {
                let account = self.person(&account_id).await?;
                (GraphSource::Account(account.id), account.authority.to_string())
            }
            SetupSource::AzureCli { tenant_id } => (GraphSource::AzureCli(AzureCliTarget::new(tenant_id, None, None)?), String::new()),
        })
    }

    /// The same registration as Azure CLI commands, for an admin who prefers to run them.
    pub fn setup_commands(&self) -> Result<String> {
        let graph_url = url::Url::parse(crate::config::DEFAULT_GRAPH_URL).map_err(|e| Error::internal(format!("the default Graph URL does not parse: {e}")))?;
        Ok(crate::setup::commands::az_commands(crate::setup::DEFAULT_DISPLAY_NAME, &graph_url))
    }

    fn begin(&self) -> (u64, CancellationToken) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.0 += 1;
        let id = pending.0;
        let cancel = CancellationToken::new();
        if let Some(previous) = pending.1.replace(Pending { id, cancel: cancel.clone() }) {
            previous.cancel.cancel();
        }
        (id, cancel)
    }

    /// Clears the slot only if it still holds this sign-in: an older one never clears a newer one's.
    fn finish(&self, id: u64) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.1.as_ref().is_some_and(|p| p.id == id) {
            pending.1 = None;
        }
    }

    /// Cancels the sign-in in progress; returns whether there was one.
    pub fn cancel(&self) -> bool {
        match self.pending.lock().unwrap_or_else(|p| p.into_inner()).1.take() {
            Some(p) => {
                p.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// The running demo tenant's addresses, starting it if needed; the desk's demo accounts
    /// follow it from now on (see [`crate::accounts`]).
    async fn demo_target(&self) -> Result<DemoTarget> {
        let target = self.demo.target().await?;
        self.desk.set_demo_tenant(target.endpoints()?);
        Ok(target)
    }

    /// The account `account_id`, ready to use. `Desk::account` refuses a demo account until its
    /// tenant is known, and its refresh token is redeemed at the embedded demo tenant: so for a
    /// demo account (as remembered) the tenant is started first, and the account goes to where it
    /// runs now.
    async fn person(&self, account_id: &str) -> Result<Account> {
        if self.desk.remembered_account(Some(account_id))?.demo_tenant {
            self.demo_target().await?;
        }
        self.desk.account(Some(account_id))
    }

    /// Who is signed in as `account_id`, refreshing its token silently from the keychain.
    pub async fn signed_in_user(&self, account_id: &str) -> Result<SignedInUser> {
        let account = self.person(account_id).await?;
        let who = whoami(&self.desk, account_id).await?;
        let organization = match account.kind {
            AccountKind::AppOnly => who.organization.as_ref().and_then(|orgs| orgs.first()).and_then(|o| o.display_name.clone()),
            // Best effort: a user without Organization.Read still gets in.
            AccountKind::Interactive => {
                self.desk.graph(account_id)?.organization().await.ok().and_then(|orgs| orgs.into_iter().next()).and_then(|o| o.display_name)
            }
        };
        let me = who.me;
        Ok(SignedInUser {
            display_name: me.as_ref().and_then(|m| m.display_name.clone()).or_else(|| who.account.display_name.clone()),
            user_principal_name: me.as_ref().and_then(|m| m.user_principal_name.clone()),
            mail: me.as_ref().and_then(|m| m.mail.clone()),
            job_title: me.as_ref().and_then(|m| m.job_title.clone()),
            account: who.account,
            organization,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A demo tenant that cannot start; remembers whether it was asked to warm up.
    #[derive(Default)]
    struct NoDemo(std::sync::Arc<std::sync::atomic::AtomicBool>);

    #[async_trait::async_trait]
    impl DemoTenant for NoDemo {
        async fn target(&self) -> Result<DemoTarget> {
            Err(crate::Error::internal("no demo tenant in this test"))
        }
        fn username(&self) -> String {
            "admin@demo.example".into()
        }
        fn warm_up(&self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn the_status_never_starts_the_demo_tenant() {
        // NoDemo fails if started: the first screen's status must not need it.
        let dir = tempfile::tempdir().unwrap();
        let demo = NoDemo::default();
        let warmed = demo.0.clone();
        let service = SignIn::new(Desk::open(dir.path()).unwrap(), Box::new(demo));
        let status = service.status().await.unwrap();
        assert_eq!(status.default_tenant, DefaultTenant { demo: true, authority: None, client_id: None, demo_username: Some("admin@demo.example".into()) });
        assert!(!warmed.load(std::sync::atomic::Ordering::SeqCst), "a first start leaves it to \"Try the demo tenant\"");
    }

    #[tokio::test]
    async fn the_running_demo_tenants_authority_with_another_client_is_a_demo_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(dir.path()).unwrap();
        let u = |s: &str| url::Url::parse(s).unwrap();
        let graph_url = u("http://127.0.0.1:5999/v1.0");
        desk.set_demo_tenant(DemoEndpoints { tenant_id: "tid".into(), authority: u("http://127.0.0.1:5999/tid"), metadata_url: u("http://127.0.0.1:5999/tid/v2.0/.well-known/openid-configuration"), graph_url: graph_url.clone() });
        let service = SignIn::new(desk, Box::new(NoDemo::default()));
        let tenant = |authority: &str| SignInTarget::Tenant { authority: authority.into(), client_id: "registered".into(), scopes: None };
        let profile = service.profile_for(tenant("http://127.0.0.1:5999/TID/")).await.unwrap();
        assert!(profile.demo_tenant);
        assert_eq!((profile.client_id.as_str(), profile.graph_url.as_str(), profile.tenant_id.as_str()), ("registered", graph_url.as_str(), "tid"));
        let elsewhere = service.profile_for(tenant("http://127.0.0.1:6000/tid")).await.unwrap();
        assert!(!elsewhere.demo_tenant);
        assert_eq!(elsewhere.graph_url.as_str(), crate::config::DEFAULT_GRAPH_URL);
    }

    #[tokio::test]
    async fn an_older_sign_in_never_clears_a_newer_ones_slot() {
        let dir = tempfile::tempdir().unwrap();
        let service = SignIn::new(Desk::open(dir.path()).unwrap(), Box::new(NoDemo::default()));
        let (first, first_cancel) = service.begin();
        let (_second, second_cancel) = service.begin();
        assert!(first_cancel.is_cancelled(), "a newer sign-in cancels the older one");
        service.finish(first);
        assert!(service.cancel(), "the newer sign-in is still cancellable after the older one finished");
        assert!(second_cancel.is_cancelled());
        assert!(!service.cancel());
    }
}
