//! `entractl demo …`: run the built-in demo tenant (a local Entra ID +
//! Microsoft Graph emulator) for scripts, CI and conformance tests.
//!
//! `entractl demo serve` prints exactly one JSON line on stdout when ready
//! (the serialised `entra_demo::DemoInfo`), then serves until Ctrl-C or
//! SIGTERM. Exit code 2 with the reason on stderr when it cannot start.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(subcommand)]
    command: DemoCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DemoCommand {
    /// Serve the demo tenant; prints its DemoInfo as one JSON line when ready.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Serve https with a CA generated at start (its PEM path is in the JSON as `ca_cert`).
    #[arg(long)]
    tls: bool,
    /// Seed of every id, secret and key of the tenant.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the signing-key generation and refresh grants here across restarts.
    #[arg(long)]
    state_dir: Option<PathBuf>,
}

pub async fn run(args: DemoArgs) -> ExitCode {
    match args.command {
        DemoCommand::Serve(args) => serve(args).await,
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let options = entra_demo::DemoOptions { addr: args.addr, tls: args.tls, seed: args.seed, state_dir: args.state_dir };
    let tenant = match entra_demo::start(options).await {
        Ok(tenant) => tenant,
        Err(err) => {
            eprintln!("error: cannot start the demo tenant: {err:#}");
            return ExitCode::from(2);
        }
    };
    let line = match serde_json::to_string(tenant.info()) {
        Ok(line) => line,
        Err(err) => {
            eprintln!("error: cannot describe the demo tenant: {err}");
            return ExitCode::from(2);
        }
    };
    {
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{line}").and_then(|_| stdout.flush()).is_err() {
            // Nobody reads our stdout any more; serving would be pointless.
            return ExitCode::from(2);
        }
    }
    wait_for_stop().await;
    tenant.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM on Unix (what CI and process supervisors send).
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
