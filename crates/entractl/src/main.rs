//! `entractl`: Entra Desk's headless CLI.
//!
//! This binary is glue: it parses arguments, calls one core function per
//! command and turns the result into output and an exit code. Each command
//! group lives in its own module under [`cmd`].
//!
//! Exit codes: 0 success; 1 the command ran but the answer is "no" (for
//! example an invalid token); 2 bad input or a failure, with the reason on
//! stderr.

mod cmd;
mod output;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Entra Desk from the command line: sign in, inspect tokens, run the demo tenant.
#[derive(Debug, Parser)]
#[command(name = "entractl", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the built-in demo tenant (a local Entra ID + Microsoft Graph emulator).
    Demo(cmd::demo::DemoArgs),
    /// Register Entra Desk in your own tenant (a single-tenant public client), or print the az commands that do.
    Setup(cmd::setup::SetupArgs),
    /// Sign in interactively (authorization code + PKCE in the system browser), or app-only.
    Login(cmd::auth::LoginArgs),
    /// Print the signed-in account as JSON.
    Whoami(cmd::auth::WhoamiArgs),
    /// Sign out: forget the account and delete its keychain entries.
    Logout(cmd::auth::LogoutArgs),
    /// List the remembered accounts as JSON.
    Accounts(cmd::auth::AccountsArgs),
    /// Decode and validate JSON Web Tokens offline.
    Jwt(cmd::jwt::JwtArgs),
    /// Client secrets and certificates that are expired or expire soon (exit 1 with --fail-on-expiring).
    Expiry(cmd::expiry::ExpiryArgs),
    /// The group cache: sync by delta, a user's groups, why a user is in a group, stats, policy.
    Groups(cmd::groups::GroupsArgs),
    /// Leases: dynamic secrets with a TTL (app secrets, user passwords, access tokens), reconciled and audited.
    Lease(cmd::lease::LeaseArgs),
}

fn main() -> ExitCode {
    // `entractl completions <SHELL>` and `entractl man` (for packagers), generated from `Cli` and kept out of it.
    if let Some(code) = cmd::completions::run_if_asked(Cli::command) {
        return code;
    }
    init_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Demo(args) => cmd::demo::run(args).await,
            Command::Setup(args) => cmd::setup::run(args).await,
            Command::Login(args) => cmd::auth::login(args).await,
            Command::Whoami(args) => cmd::auth::whoami(args).await,
            Command::Logout(args) => cmd::auth::logout(args).await,
            Command::Accounts(args) => cmd::auth::accounts(args).await,
            Command::Jwt(args) => cmd::jwt::run(args).await,
            Command::Expiry(args) => cmd::expiry::run(args).await,
            Command::Groups(args) => cmd::groups::run(args).await,
            Command::Lease(args) => cmd::lease::run(args).await,
        }
    })
}

/// Logs go to stderr (stdout is for machine-readable output), filtered by `ENTRA_LOG`.
/// Nothing secret is ever logged: secrets are wrapped in types whose `Debug` is redacted.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ENTRA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
