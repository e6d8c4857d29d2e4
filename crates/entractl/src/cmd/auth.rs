//! `entractl login|whoami|logout|accounts`: sign-in from the command line.
//!
//! Glue over [`entra_core::Desk`]: parse flags into [`ProfileSettings`] (flags
//! beat environment, connection string and settings file), call the desk,
//! print the core's JSON on stdout ([`crate::output`]). Errors go to stderr as
//! `error[code]: message` with exit status 2; AADSTS errors already carry code, meaning and fix in the
//! message. Secrets are never accepted as flags: the client secret comes from
//! `ENTRA_CLIENT_SECRET` or the keychain.

use crate::output::print_json_or_fail;
use entra_core::config::ProfileSettings;
use entra_core::config::split_scopes;
use entra_core::{AppCredential, BrowserOpener, Desk, Error, SignInOptions, SignInProgress, SystemBrowser};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Flags shared by every command that talks to a tenant.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TenantArgs {
    /// Authority URL, e.g. https://login.microsoftonline.com/<tenant ID> (or the demo tenant's).
    #[arg(long, value_name = "URL")]
    pub authority: Option<String>,
    /// Microsoft Graph base URL (default https://graph.microsoft.com/v1.0).
    #[arg(long, value_name = "URL")]
    pub graph_url: Option<String>,
    /// Application (client) ID.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Tenant ID or domain (default: taken from the authority).
    #[arg(long, value_name = "ID")]
    pub tenant_id: Option<String>,
    /// Extra trusted root certificate (PEM), for a demo tenant running with TLS.
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,
}

impl TenantArgs {
    pub(crate) fn settings(&self) -> ProfileSettings {
        ProfileSettings {
            authority: self.authority.clone(),
            graph_url: self.graph_url.clone(),
            client_id: self.client_id.clone(),
            tenant_id: self.tenant_id.clone(),
            ca_cert: self.ca_cert.as_ref().map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()).to_string_lossy().into_owned()),
            ..Default::default()
        }
    }
}

/// `entractl login`.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// OpenID discovery document URL (default: derived from the authority).
    #[arg(long, value_name = "URL")]
    pub metadata: Option<String>,
    /// Redirect URI registered for the app (default http://localhost; the port is chosen at run time).
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// Scopes to request, besides openid profile offline_access (default User.Read).
    #[arg(long, value_name = "SCOPE", num_args = 1.., value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Don't open a browser: print the sign-in URL on stderr and wait for the redirect.
    #[arg(long)]
    pub no_browser: bool,
    /// The OpenID `prompt`: consent asks you to approve the app's permissions (after `entractl setup`),
    /// login to enter your credentials again, none for no page at all; default select_account.
    #[arg(long, value_name = "PROMPT", value_parser = ["select_account", "consent", "login", "none"], conflicts_with = "app_only")]
    pub prompt: Option<String>,
    /// Seconds to wait for the browser sign-in.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
    /// A claims request to meet (JSON), as a `claims_required` error prints it: a Conditional Access
    /// policy of the tenant wants a stronger sign-in; the account's later refreshes ask for it too.
    #[arg(long, value_name = "JSON", conflicts_with = "app_only")]
    pub claims: Option<String>,
    /// Sign in as the application itself (client credentials) instead of a person.
    #[arg(long)]
    pub app_only: bool,
    /// App-only: certificate (PEM) uploaded to the app registration.
    #[arg(long, value_name = "PEM", requires = "private_key", requires = "app_only")]
    pub certificate: Option<PathBuf>,
    /// App-only: the certificate's private key (PEM).
    #[arg(long, value_name = "PEM", requires = "certificate")]
    pub private_key: Option<PathBuf>,
    /// App-only: reuse the Azure CLI's session (`az login`).
    #[arg(long, requires = "app_only", conflicts_with = "certificate")]
    pub azure_cli: bool,
}

/// `entractl whoami`.
#[derive(Debug, clap::Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Account ID (see `entractl accounts`); default: the most recently used matching account.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
}

/// `entractl logout`.
#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    /// Account ID to sign out; default: the most recently used account.
    #[arg(long, value_name = "ID", conflicts_with = "all")]
    pub account: Option<String>,
    /// Sign out every account.
    #[arg(long)]
    pub all: bool,
}

/// `entractl accounts`.
#[derive(Debug, clap::Args)]
pub struct AccountsArgs {}

fn open_desk() -> Result<Desk, Error> {
    Desk::open(entra_core::paths::data_dir()?)
}

/// Prints the URL for the user to open, for `--no-browser` or when no browser can be started.
struct PrintUrl;

impl BrowserOpener for PrintUrl {
    fn open(&self, url: &str) -> entra_core::Result<()> {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "Open this URL in a browser to sign in:\n{url}");
        let _ = err.flush();
        Ok(())
    }
}

/// Opens the system browser; if that fails, prints the URL instead of giving up.
struct BrowserOrPrint;

impl BrowserOpener for BrowserOrPrint {
    fn open(&self, url: &str) -> entra_core::Result<()> {
        eprintln!("Opening the browser to sign in…");
        if let Err(e) = SystemBrowser.open(url) {
            eprintln!("{}", e.message());
        }
        PrintUrl.open(url)
    }
}

/// `entractl login`.
pub async fn login(args: LoginArgs) -> ExitCode {
    print_json_or_fail(run_login(args).await)
}

async fn run_login(args: LoginArgs) -> Result<entra_core::accounts::Account, Error> {
    let desk = open_desk()?;
    let mut flags = args.tenant.settings();
    flags.metadata_address = args.metadata.clone();
    flags.redirect_uri = args.redirect_uri.clone();
    if !args.scopes.is_empty() {
        flags.scopes = Some(args.scopes.iter().flat_map(|s| split_scopes(s)).collect());
    }
    let profile = desk.settings().resolve_profile(flags).await?;

    if args.app_only {
        let credential = if args.azure_cli {
            AppCredential::AzureCli
        } else if let (Some(certificate_path), Some(private_key_path)) = (args.certificate.clone(), args.private_key.clone()) {
            AppCredential::Certificate { certificate_path, private_key_path }
        } else {
            AppCredential::ClientSecret(desk.settings().client_secret(&profile.client_id, &profile.tenant_id, profile.client_secret.as_ref()).await?)
        };
        return desk.sign_in_app_only(&profile, credential).await;
    }

    // Ctrl-C cancels the sign-in cleanly (the loopback listener is shut down).
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let progress = |step: SignInProgress| match step {
        SignInProgress::DiscoveringProvider => eprintln!("Finding the identity provider…"),
        SignInProgress::WaitingForBrowser { .. } => {}
        SignInProgress::RedeemingCode => eprintln!("Completing the sign-in…"),
        SignInProgress::Done => eprintln!("Signed in."),
    };
    let mut options = SignInOptions { timeout: Duration::from_secs(args.timeout.max(1)), ..Default::default() };
    if let Some(prompt) = &args.prompt {
        options.prompt = Some(prompt.clone());
    }
    if let Some(claims) = &args.claims {
        let claims = claims.trim();
        if !serde_json::from_str::<serde_json::Value>(claims).is_ok_and(|v| v.is_object()) {
            return Err(Error::invalid_input("--claims takes the claims request as the claims_required error printed it: a JSON object"));
        }
        options.claims = Some(claims.to_string());
    }
    let opener: &dyn BrowserOpener = if args.no_browser { &PrintUrl } else { &BrowserOrPrint };
    desk.sign_in_interactive(&profile, opener, cancel, &progress, options).await
}

/// Picks the account: `--account`, else the most recent one matching the tenant flags.
pub(crate) fn pick_account(desk: &Desk, account: Option<&str>, tenant: &TenantArgs) -> Result<entra_core::accounts::Account, Error> {
    if account.is_some() {
        return desk.account(account);
    }
    let matching = desk.accounts()?.into_iter().find(|a| {
        tenant.client_id.as_ref().is_none_or(|c| c == &a.client_id)
            && tenant.authority.as_ref().is_none_or(|x| x.trim_end_matches('/') == a.authority.as_str().trim_end_matches('/'))
            && tenant.tenant_id.as_ref().is_none_or(|t| t == &a.tenant_id)
    });
    matching.ok_or_else(|| {
        Error::new(entra_core::ErrorCode::NotSignedIn, "No signed-in account matches: sign in first (entractl login), or pick one from `entractl accounts` with --account")
    })
}

/// `entractl whoami`.
pub async fn whoami(args: WhoamiArgs) -> ExitCode {
    let result = async {
        let desk = open_desk()?;
        let account = pick_account(&desk, args.account.as_deref(), &args.tenant)?;
        entra_core::signin::whoami(&desk, &account.id).await
    }
    .await;
    print_json_or_fail(result)
}

/// `entractl logout`.
pub async fn logout(args: LogoutArgs) -> ExitCode {
    let result = async {
        let desk = open_desk()?;
        if args.all {
            return desk.sign_out_all().await;
        }
        // As remembered: signing out sends nothing to the account's endpoints (a demo account's
        // are only known inside the app that runs its tenant).
        let account = desk.remembered_account(args.account.as_deref())?;
        desk.sign_out(&account.id).await?;
        Ok(vec![account.id])
    }
    .await;
    print_json_or_fail(result.map(|ids| serde_json::json!({ "signedOut": ids })))
}

/// `entractl accounts`.
pub async fn accounts(_args: AccountsArgs) -> ExitCode {
    print_json_or_fail(open_desk().and_then(|desk| desk.accounts()))
}
