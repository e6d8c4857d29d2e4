//! `entractl setup`: register Entra Desk in your own tenant (no Microsoft client ID is shipped or
//! borrowed). Glue over [`entra_core::setup::Setup`].
//!
//! - `entractl setup --account ID | --azure-cli [--format json]`: registers a single-tenant public
//!   client through Graph as that signed-in account, or as your Azure CLI sign-in (`az login`);
//!   a rerun finds the registration by its tag (`created: false`) and adds what an earlier
//!   version did not register (permissions, the redirect URI, public client flows), saying
//!   what it added and that the next sign-in asking for an added permission asks consent for
//!   it. The client ID is saved for the tenant, and the exact `entractl login … --prompt
//!   consent` to sign in to it is printed (on stderr with `--format json`, whose stdout is the
//!   core's `{clientId, objectId, servicePrincipalId, tenantId, created, updated}`).
//! - `entractl setup --print-commands`: the same registration as `az` commands, to read or run.
//! - `entractl setup --remove [--id ID] --account ID | --azure-cli`: deletes a registration the
//!   set-up made (one carrying its tag; any other is refused) and forgets its client ID.
//!
//! Progress goes to stderr. Exit codes: 0 done, 2 refused or failed (`error[code]: …`).

use crate::output::{self, fail, print_json};
use entra_core::accounts::Account;
use entra_core::setup::azure_cli::AzureCliTarget;
use entra_core::setup::commands::az_commands;
use entra_core::setup::replication::Wait;
use entra_core::setup::{GraphSource, Registration, Setup, SetupProgress, DEFAULT_DISPLAY_NAME};
use entra_core::{Desk, Error};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Sentences for people.
    Text,
    /// The core's JSON (`clientId`, `objectId`, `created`, …).
    Json,
}

/// `entractl setup`.
#[derive(Debug, clap::Args)]
pub struct SetupArgs {
    /// Act as this signed-in account (see `entractl accounts`); it needs Application.ReadWrite.All.
    #[arg(long, value_name = "ID", conflicts_with = "azure_cli")]
    pub account: Option<String>,
    /// Act as your Azure CLI sign-in (`az login`; the Azure CLI asks Entra for the token).
    #[arg(long)]
    pub azure_cli: bool,
    /// Print the equivalent Azure CLI commands instead of registering.
    #[arg(long, conflicts_with_all = ["account", "azure_cli", "remove"])]
    pub print_commands: bool,
    /// Delete the registration the set-up made (only one carrying its tag) and forget its client ID.
    #[arg(long)]
    pub remove: bool,
    /// With --remove: the registration's object or client ID (default: the one carrying the tag).
    #[arg(long, value_name = "ID", requires = "remove")]
    pub id: Option<String>,
    /// The registration's display name.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_DISPLAY_NAME)]
    pub display_name: String,
    /// With --azure-cli: the tenant to ask the Azure CLI for (default: its own default tenant).
    #[arg(long, value_name = "ID")]
    pub tenant_id: Option<String>,
    /// With --azure-cli or --print-commands: Microsoft Graph's base URL (default https://graph.microsoft.com/v1.0).
    #[arg(long, value_name = "URL")]
    pub graph_url: Option<String>,
    /// With --azure-cli: the authority of the sign-in printed afterwards (default https://login.microsoftonline.com/<tenant ID>).
    #[arg(long, value_name = "URL")]
    pub authority: Option<String>,
    /// With --azure-cli: extra trusted root certificate (PEM), for a demo tenant running with TLS.
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,
    /// Seconds to wait for Entra to replicate a new registration.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub wait: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `entractl setup`.
pub async fn run(args: SetupArgs) -> ExitCode {
    if args.print_commands {
        return match graph_url(&args) {
            Ok(url) => {
                print!("{}", az_commands(&args.display_name, &url));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    match act(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// The Graph URL `--print-commands` and `--azure-cli` use.
fn graph_url(args: &SetupArgs) -> Result<url::Url, Error> {
    Ok(AzureCliTarget::new(None, args.graph_url.as_deref(), None)?.graph_url)
}

async fn act(args: &SetupArgs) -> Result<(), Error> {
    let desk = Desk::open(entra_core::paths::data_dir()?)?;
    let (source, account) = source(&desk, args)?;
    let wait = Wait { timeout: Duration::from_secs(args.wait.max(1)), ..Wait::default() };
    let setup = Setup::new(desk).with_wait(wait);
    // Ctrl-C stops between steps; a rerun finishes the job (it finds the registration by its tag).
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    if args.remove {
        let removed = setup.remove(&source, args.id.as_deref(), cancel).await?;
        return match args.format {
            Format::Json => print_json(&removed),
            Format::Text => {
                let forgotten = if removed.forgotten { "; its client ID is no longer used to sign in" } else { "" };
                println!("Removed the app registration {} (client ID {}) from tenant {}{forgotten}.", removed.object_id, removed.client_id, removed.tenant_id);
                if !removed.accounts_to_sign_in_again.is_empty() {
                    println!(
                        "These accounts signed in through it and must sign in again with another client ID: {}",
                        removed.accounts_to_sign_in_again.join(", ")
                    );
                }
                Ok(())
            }
        };
    }
    let registration = setup.register(&source, &args.display_name, &report, cancel).await?;
    let login = login_command(&registration, account.as_ref(), args);
    match args.format {
        Format::Json => {
            print_json(&registration)?;
            if !registration.updated.is_empty() {
                eprintln!("{}", updated_text(&registration));
            }
            eprintln!("Sign in to it, consenting to its permissions:\n  {login}");
        }
        Format::Text => {
            let how = if registration.created { "Registered" } else { "Found the registration of" };
            println!("{how} Entra Desk in tenant {}: client ID {} (object ID {}).", registration.tenant_id, registration.client_id, registration.object_id);
            if !registration.updated.is_empty() {
                println!("{}", updated_text(&registration));
            }
            println!("Its client ID is saved for this tenant. Sign in to it, consenting to its permissions:\n  {login}");
        }
    }
    Ok(())
}

/// Where the set-up's token comes from, and the account when it is one.
fn source(desk: &Desk, args: &SetupArgs) -> Result<(GraphSource, Option<Account>), Error> {
    if args.azure_cli {
        let target = AzureCliTarget::new(args.tenant_id.clone(), args.graph_url.as_deref(), args.ca_cert.as_ref().map(absolute))?;
        return Ok((GraphSource::AzureCli(target), None));
    }
    let Some(id) = &args.account else {
        return Err(Error::invalid_input(
            "Say whose sign-in registers Entra Desk: --azure-cli (your `az login`), or --account ID (an account signed in to Entra Desk with Application.ReadWrite.All; see `entractl accounts`); or print the Azure CLI commands with --print-commands",
        ));
    };
    if args.tenant_id.is_some() || args.graph_url.is_some() || args.authority.is_some() || args.ca_cert.is_some() {
        return Err(Error::invalid_input("--tenant-id, --graph-url, --authority and --ca-cert go with --azure-cli: an account already has its tenant and addresses"));
    }
    let account = desk.account(Some(id))?;
    Ok((GraphSource::Account(account.id.clone()), Some(account)))
}

fn absolute(path: &PathBuf) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.clone())
}

/// What the set-up added to a registration an earlier version made, and what that means for the
/// next sign-in.
fn updated_text(registration: &Registration) -> String {
    let mut text = format!("It was made by an earlier version of Entra Desk; added what it lacked: {}.", registration.updated.join(", "));
    let permissions = registration.permissions_added();
    if !permissions.is_empty() {
        text.push_str(&format!(
            " Nobody has consented to {} yet: the next sign-in asking for {} asks you to consent (a screen's \"Grant access\", or the sign-in below with --scopes {}); as an administrator you may consent for the organisation there.",
            permissions.join(", "),
            if permissions.len() == 1 { "it" } else { "them" },
            permissions.join(",")
        ));
    }
    text
}

/// Each step, on stderr.
fn report(step: SetupProgress) {
    match step {
        SetupProgress::Searching => eprintln!("Looking for a registration made before…"),
        SetupProgress::ReadingPermissions => eprintln!("Reading Microsoft Graph's permission IDs…"),
        SetupProgress::Updating { adding } => eprintln!("Adding to the registration what this version needs: {}…", adding.join(", ")),
        SetupProgress::CreatingApplication => eprintln!("Creating the app registration…"),
        SetupProgress::CreatingServicePrincipal => eprintln!("Creating its service principal…"),
        SetupProgress::Replicating { waited_seconds } => eprintln!("Waiting for Entra to replicate it ({waited_seconds} s)…"),
        SetupProgress::Saving => eprintln!("Saving its client ID for this tenant…"),
    }
}

/// The exact `entractl login` that signs in to the new registration with `prompt=consent`: the
/// account's own addresses, or the Azure CLI path's (`--authority`, else Entra's for the tenant).
fn login_command(registration: &Registration, account: Option<&Account>, args: &SetupArgs) -> String {
    let (authority, graph, ca) = match account {
        Some(a) => (a.authority.to_string(), Some(a.graph_url.to_string()), a.ca_cert.clone()),
        None => (
            args.authority.clone().unwrap_or_else(|| format!("https://login.microsoftonline.com/{}", registration.tenant_id)),
            args.graph_url.clone(),
            args.ca_cert.as_ref().map(absolute),
        ),
    };
    let mut words = vec!["entractl".to_string(), "login".into(), "--authority".into(), authority.trim_end_matches('/').to_string()];
    words.extend(["--client-id".to_string(), registration.client_id.clone()]);
    if let Some(graph) = graph.map(|g| g.trim_end_matches('/').to_string()).filter(|g| g != entra_core::config::DEFAULT_GRAPH_URL) {
        words.extend(["--graph-url".to_string(), graph]);
    }
    if let Some(ca) = ca {
        words.extend(["--ca-cert".to_string(), ca.to_string_lossy().into_owned()]);
    }
    words.extend(["--prompt".to_string(), "consent".into()]);
    words.iter().map(|w| output::shell_word(w)).collect::<Vec<_>>().join(" ")
}
