//! Types of the sign-in screen (and the shell around every screen): the app's
//! status, sign-in and its progress, accounts, the signed-in user and the UI
//! preferences remembered between runs. Core: `entra_core::signin`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the app shows at start: which tenant it talks to and who has signed in before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppStatus {
    /// The app's version, e.g. `0.1.0`.
    pub version: String,
    /// The tenant the app signs in to when the user does not pick another.
    pub default_tenant: TenantSummary,
    /// Remembered accounts, most recently used first. Holds no secret.
    pub accounts: Vec<AccountSummary>,
    /// The UI preferences saved by the last run.
    pub preferences: Preferences,
}

/// Whether a tenant is the built-in demo tenant or one the admin configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TenantKind {
    /// The built-in demo tenant (nothing is configured).
    Demo,
    /// A tenant from the settings file, the environment or a connection string.
    Configured,
}

/// A tenant the app can sign in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TenantSummary {
    /// Demo or configured.
    pub kind: TenantKind,
    /// The authority URL, e.g. `https://login.microsoftonline.com/<tenant>`; none for the demo
    /// tenant, which starts on first use.
    pub authority: Option<String>,
    /// The application (client) ID used to sign in; none for the demo tenant.
    pub client_id: Option<String>,
    /// The demo tenant's sign-in name, to help a newcomer; never a password.
    pub demo_username: Option<String>,
}

/// How an account signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A person, through the browser (authorization code + PKCE).
    Interactive,
    /// An application, with a client secret or certificate.
    AppOnly,
}

/// A remembered account. Holds no token: those stay in the OS keychain and in Rust memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccountSummary {
    /// Stable account ID (`<object id>.<tenant id>`).
    pub id: String,
    /// The sign-in name, e.g. `admin@contoso.onmicrosoft.com`.
    pub username: String,
    /// The person's or app's display name, when known.
    pub display_name: Option<String>,
    /// The tenant (directory) ID.
    pub tenant_id: String,
    /// The authority signed in with.
    pub authority: String,
    /// Person or app.
    pub kind: AccountKind,
    /// When the account was last used, RFC 3339.
    pub last_used: Option<String>,
}

/// Where to sign in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignInTarget {
    /// The built-in demo tenant.
    Demo,
    /// A tenant given by its authority (or any OpenID provider's issuer) and client ID.
    Tenant {
        /// The authority or issuer URL.
        authority: String,
        /// The application (client) ID.
        client_id: String,
        /// Extra scopes; `openid profile offline_access` are always asked for.
        scopes: Option<Vec<String>>,
    },
}

/// What the sign-in is doing, streamed to the UI while it waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum SignInProgress {
    /// Reading the provider's discovery document.
    Discovering,
    /// The system browser was opened on this URL; waiting for the redirect.
    WaitingForBrowser {
        /// The authorize URL, for the user to open by hand if the browser did not start.
        authorize_url: String,
    },
    /// The browser came back; redeeming the code for tokens.
    Redeeming,
    /// Signed in.
    Done,
}

/// The signed-in user, as Microsoft Graph `/me` describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SignedInUser {
    /// The account.
    pub account: AccountSummary,
    /// Graph's display name (or the token's, for apps).
    pub display_name: Option<String>,
    /// The user principal name.
    pub user_principal_name: Option<String>,
    /// The mail address.
    pub mail: Option<String>,
    /// The job title.
    pub job_title: Option<String>,
    /// The tenant's display name, from Graph `/organization`.
    pub organization: Option<String>,
}

/// The app's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Screen {
    /// App registrations.
    Apps,
    /// Credential expiry.
    Credentials,
    /// Group caches.
    Groups,
    /// Leases.
    Leases,
    /// JWT inspector.
    Jwt,
}

/// UI preferences remembered between runs (the shell keeps the window's size in a file of its own).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Preferences {
    /// The screen shown last; reopened at start.
    pub last_screen: Option<Screen>,
    /// The account used last; signed in silently at start when its refresh token is still good.
    pub last_account_id: Option<String>,
}

impl AppStatus {
    /// The core's status with the UI's preferences.
    pub fn new(status: entra_core::signin::Status, preferences: Preferences) -> Self {
        let tenant = status.default_tenant;
        AppStatus {
            version: env!("CARGO_PKG_VERSION").to_string(),
            default_tenant: TenantSummary {
                kind: if tenant.demo { TenantKind::Demo } else { TenantKind::Configured },
                authority: tenant.authority,
                client_id: tenant.client_id,
                demo_username: tenant.demo_username,
            },
            accounts: status.accounts.iter().map(AccountSummary::from).collect(),
            preferences,
        }
    }
}

impl From<SignInTarget> for entra_core::signin::Target {
    fn from(target: SignInTarget) -> Self {
        match target {
            SignInTarget::Demo => entra_core::signin::Target::Demo,
            SignInTarget::Tenant { authority, client_id, scopes } => entra_core::signin::Target::Tenant { authority, client_id, scopes },
        }
    }
}

impl From<entra_core::signin::SignedInUser> for SignedInUser {
    fn from(user: entra_core::signin::SignedInUser) -> Self {
        let me = user.me.as_ref();
        SignedInUser {
            account: (&user.account).into(),
            display_name: me.and_then(|m| m.display_name.clone()).or_else(|| user.account.display_name.clone()),
            user_principal_name: me.and_then(|m| m.user_principal_name.clone()),
            mail: me.and_then(|m| m.mail.clone()),
            job_title: me.and_then(|m| m.job_title.clone()),
            organization: user.organization,
        }
    }
}

impl From<&entra_core::accounts::Account> for AccountSummary {
    fn from(account: &entra_core::accounts::Account) -> Self {
        AccountSummary {
            id: account.id.clone(),
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            tenant_id: account.tenant_id.clone(),
            authority: account.authority.to_string(),
            kind: match account.kind {
                entra_core::accounts::AccountKind::Interactive => AccountKind::Interactive,
                entra_core::accounts::AccountKind::AppOnly => AccountKind::AppOnly,
            },
            last_used: Some(account.last_used.to_rfc3339()),
        }
    }
}

impl From<entra_core::auth::SignInProgress> for SignInProgress {
    fn from(progress: entra_core::auth::SignInProgress) -> Self {
        use entra_core::auth::SignInProgress as Core;
        match progress {
            Core::DiscoveringProvider => SignInProgress::Discovering,
            Core::WaitingForBrowser { authorize_url } => SignInProgress::WaitingForBrowser { authorize_url },
            Core::RedeemingCode => SignInProgress::Redeeming,
            Core::Done => SignInProgress::Done,
        }
    }
}
