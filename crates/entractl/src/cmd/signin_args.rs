//! The sign-in options `entractl expiry`, `groups` and `lease` share ([`SignInArgs`]), the account
//! they resolve to, and the throwaway demo tenant `--demo` runs a command against ([`ThrowawayDemo`]).
//!
//! Who it signs in as: `--demo` starts the demo tenant in-process (TLS) and signs in app-only
//! as its confidential client, in a throwaway desk (data folder and keychain service) that is
//! removed afterwards; `--account ID` uses a remembered account; `--client-id` with the secret
//! in `ENTRA_CLIENT_SECRET` (or `--certificate` + `--private-key`) signs in app-only, as
//! `entractl login --app-only` does, and so does a `ClientSecret=` in `ENTRA_CONNECTION_STRING`;
//! otherwise the most recent account matching the tenant flags.
//! Such a secret is used by this process and needs no keychain ([`SecretKeeping::ThisProcess`]):
//! a CI runner or a container without a Secret Service signs in all the same.

use super::auth::TenantArgs;
use entra_core::config::ProfileSettings;
use entra_core::desk::SecretKeeping;
use entra_core::{AppCredential, Desk, DeskOptions, Error};
use std::path::PathBuf;
use std::sync::Arc;

/// The sign-in options: which tenant and account, `--demo`, or app-only credentials.
#[derive(Debug, clap::Args)]
pub struct SignInArgs {
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Account ID (see `entractl accounts`).
    #[arg(long, value_name = "ID", conflicts_with = "demo")]
    pub account: Option<String>,
    /// Use the built-in demo tenant, started in-process (no sign-in needed).
    #[arg(long, conflicts_with_all = ["authority", "client_id", "graph_url", "tenant_id", "ca_cert"])]
    pub demo: bool,
    /// App-only: certificate (PEM) uploaded to the app registration.
    #[arg(long, value_name = "PEM", requires = "private_key", requires = "client_id")]
    pub certificate: Option<PathBuf>,
    /// App-only: the certificate's private key (PEM).
    #[arg(long, value_name = "PEM", requires = "certificate")]
    pub private_key: Option<PathBuf>,
}

/// The account to read the tenant as, in the desk of the data folder (not `--demo`; see the module doc).
pub async fn account(desk: &Desk, args: &SignInArgs) -> Result<String, Error> {
    if let Some(id) = &args.account {
        return Ok(desk.account(Some(id))?.id);
    }
    let flagged = args.certificate.is_some() || (args.tenant.client_id.is_some() && std::env::var_os("ENTRA_CLIENT_SECRET").is_some());
    // A connection string in the environment may carry the secret itself (`ClientSecret=…`): a
    // pipeline's way too, signed in app-only as with ENTRA_CLIENT_SECRET.
    let connection_string = std::env::var_os("ENTRA_CONNECTION_STRING").is_some_and(|v| !v.is_empty());
    if !flagged && !connection_string {
        return Ok(super::auth::pick_account(desk, None, &args.tenant)?.id);
    }
    let profile = desk.settings().resolve_profile(args.tenant.settings()).await?;
    if !flagged && profile.client_secret.is_none() {
        return Ok(super::auth::pick_account(desk, None, &args.tenant)?.id);
    }
    let credential = match (&args.certificate, &args.private_key) {
        (Some(c), Some(k)) => AppCredential::Certificate { certificate_path: c.clone(), private_key_path: k.clone() },
        _ => AppCredential::ClientSecret(desk.settings().client_secret(&profile.client_id, &profile.tenant_id, profile.client_secret.as_ref()).await?),
    };
    // The secret is in the environment (or the key in a file) for this command: it needs no keychain.
    Ok(desk.sign_in_app_only_with(&profile, credential, SecretKeeping::ThisProcess).await?.id)
}

/// The demo tenant started in-process for one command, and a throwaway desk (data folder and
/// keychain service) signed in to it app-only; [`ThrowawayDemo::close`] removes both.
pub struct ThrowawayDemo {
    /// The throwaway desk (its data folder is [`Desk::data_dir`]).
    pub desk: Desk,
    /// The signed-in account.
    pub account_id: String,
    tenant: entra_demo::DemoTenant,
    data_dir: PathBuf,
}

impl ThrowawayDemo {
    /// Starts the demo tenant (`options`, TLS on) and signs in as its confidential client.
    /// `name` tells the throwaway folder and keychain service apart (e.g. `expiry`).
    pub async fn start(name: &str, options: entra_demo::DemoOptions) -> Result<ThrowawayDemo, Error> {
        let options = entra_demo::DemoOptions { tls: true, ..options };
        let tenant = entra_demo::start(options).await.map_err(|e| Error::internal(format!("The demo tenant could not start: {e:#}")))?;
        let info = tenant.info().clone();
        let stamp = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let data_dir = std::env::temp_dir().join(format!("entractl-{name}-demo-{}-{stamp}", std::process::id()));
        let mut desk_options = DeskOptions::new(&data_dir);
        desk_options.keychain_service = format!("entra-desk-{name}-demo-{}-{stamp}", std::process::id());
        // The demo's addresses, not whatever ENTRA_* the environment holds.
        desk_options.env = Arc::new(|_: &str| None);
        let desk = match Desk::open_with(desk_options) {
            Ok(desk) => desk,
            Err(e) => {
                tenant.shutdown().await;
                return Err(e);
            }
        };
        let signed_in = async {
            let flags = ProfileSettings {
                authority: Some(info.authority.clone()),
                client_id: Some(info.confidential_client.client_id.clone()),
                graph_url: Some(info.graph.clone()),
                ca_cert: info.ca_cert.as_ref().map(|p| p.to_string_lossy().into_owned()),
                ..Default::default()
            };
            let profile = desk.settings().resolve_profile(flags).await?;
            let secret = entra_core::secret::ClientSecret::new(info.confidential_client.client_secret.clone());
            desk.sign_in_app_only_with(&profile, AppCredential::ClientSecret(secret), SecretKeeping::MemoryOnly).await
        }
        .await;
        let demo = ThrowawayDemo { desk, account_id: String::new(), tenant, data_dir };
        match signed_in {
            Ok(account) => Ok(ThrowawayDemo { account_id: account.id, ..demo }),
            Err(e) => {
                demo.close().await;
                Err(e)
            }
        }
    }

    /// Signs out, removes the folder, stops the tenant (the demo client's secret never reached the keychain).
    pub async fn close(self) {
        let _ = self.desk.sign_out_all().await;
        drop(self.desk);
        let _ = std::fs::remove_dir_all(&self.data_dir);
        self.tenant.shutdown().await;
    }
}
