//! `entractl demo …`: run the built-in demo tenant (a local Entra ID +
//! Microsoft Graph emulator) for scripts, CI and conformance tests.
//!
//! `entractl demo serve` prints exactly one JSON line on stdout when ready
//! (the serialised `entra_demo::DemoInfo`: authority, graph, the confidential
//! client's id and secret, `emulator` (faults and stats, under a secret drawn
//! per run: the only place it is printed) and `apps`), then
//! serves until Ctrl-C or SIGTERM. Exit code 2 with the reason on stderr when
//! it cannot start (including a fault setting out of range).
//!
//! `--apps N` sizes the generated inventory, `--groups N`, `--users N` and
//! `--group-memberships N` the groups (the JSON line carries the seeded group
//! shapes under `groups`: nested chain, cycle, large group, …); `--latency-ms`,
//! `--throttle-fraction`, `--retry-after`, `--unavailable-fraction` and
//! `--lose-answers` set faults from the start (`POST {emulator}/faults` changes
//! them later, and narrows them with `only_paths`/`only_methods`).
//! `--graph-throttling` turns on Graph's throttling model for identity and access
//! (resource-unit buckets per client app, `x-ms-resource-unit` on every answer, 429
//! `ResourceUnitLimitExceeded` when a bucket is empty; `"graph_throttling"` in
//! `POST {emulator}/faults` switches it later) and `--graph-throttling-limit N` sets its
//! resource units per 10 s and turns it on (default: by tenant size, as Graph does).
//! `--secret-propagation-ms N` makes a secret added by addPassword fail at the
//! token endpoint (AADSTS7000215) for its first N ms, as Entra's propagation
//! does; the JSON line names the lease tests' targets under `lease_targets`.

use crate::output::{self, fail_plain};
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
    /// Generated app registrations (each with a service principal), besides the demo clients.
    #[arg(long, default_value_t = entra_demo::DEFAULT_APPS)]
    apps: usize,
    /// Groups in the tenant (at least the 9 special ones: nested chain, cycle, large group).
    #[arg(long, default_value_t = entra_demo::DEFAULT_GROUPS)]
    groups: usize,
    /// Users in the tenant (the large group has >10,000 members only with more than 10,001 users).
    #[arg(long, default_value_t = entra_demo::DEFAULT_USERS)]
    users: usize,
    /// Direct group memberships in total (about); default: about 15 per ordinary group plus the special groups'.
    #[arg(long)]
    group_memberships: Option<usize>,
    /// Advertise these `prompt_values_supported` in discovery (comma-separated) and refuse other
    /// `prompt` values, as a strict provider would. Default: not advertised, as in Entra's document.
    #[arg(long, value_name = "VALUES", value_delimiter = ',')]
    prompt_values: Option<Vec<String>>,
    /// Added latency of every Graph request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of Graph requests answered 429 (0.0–1.0); change it later with POST {emulator}/faults.
    #[arg(long, default_value_t = 0.0)]
    throttle_fraction: f64,
    /// Retry-After of 429/503 answers, in seconds (integer or decimal, e.g. 2 or 1.5).
    #[arg(long, default_value = "1")]
    retry_after: entra_demo::RetryAfter,
    /// Share of Graph requests answered 503 (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    unavailable_fraction: f64,
    /// The first N Graph requests are carried out, then answered 504 Gateway Timeout instead of
    /// their result (as when a gateway times out after the service did the work).
    #[arg(long, default_value_t = 0, value_name = "N")]
    lose_answers: u32,
    /// Graph's throttling model for identity and access: a bucket of resource units per client
    /// app, `x-ms-resource-unit` on every answer, 429 `ResourceUnitLimitExceeded` when it is empty.
    #[arg(long)]
    graph_throttling: bool,
    /// Resource units per 10 s per app of the throttling model, which it turns on (at least 1;
    /// default: by tenant size, 3,500 below 50 users, 5,000 up to 500, 8,000 above).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    graph_throttling_limit: Option<u32>,
    /// A secret added by addPassword is refused at the token endpoint (AADSTS7000215) for this
    /// many milliseconds of emulator time, as a new secret is while Entra propagates it.
    #[arg(long, default_value_t = 0, value_name = "N")]
    secret_propagation_ms: u64,
}

pub async fn run(args: DemoArgs) -> ExitCode {
    match args.command {
        DemoCommand::Serve(args) => serve(args).await,
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let faults = entra_demo::Faults {
        latency_ms: args.latency_ms,
        throttle_fraction: args.throttle_fraction,
        retry_after: args.retry_after,
        unavailable_fraction: args.unavailable_fraction,
        lose_answers: args.lose_answers,
        ..Default::default()
    };
    let options = entra_demo::DemoOptions {
        addr: args.addr,
        tls: args.tls,
        seed: args.seed,
        state_dir: args.state_dir,
        apps: args.apps,
        faults,
        graph_throttling: args.graph_throttling || args.graph_throttling_limit.is_some(),
        graph_throttling_limit: args.graph_throttling_limit,
        groups: args.groups,
        users: args.users,
        group_memberships: args.group_memberships,
        prompt_values: args.prompt_values,
        secret_propagation: std::time::Duration::from_millis(args.secret_propagation_ms),
        // Drawn at start; printed once, in the JSON line.
        emulator_token: None,
    };
    if !args.addr.ip().is_loopback() {
        // Anyone who can reach the address can sign in: the users' password is published.
        eprintln!(
            "warning: the demo tenant listens on {}, beyond this machine; it has no real authentication (every demo password is public), so anyone who can reach it can sign in and change it",
            args.addr
        );
    }
    let tenant = match entra_demo::start(options).await {
        Ok(tenant) => tenant,
        Err(err) => return fail_plain(format!("cannot start the demo tenant: {err:#}")),
    };
    let line = match output::json_line(tenant.info()) {
        Ok(line) => line,
        Err(err) => return fail_plain(format!("cannot describe the demo tenant: {}", err.message())),
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
pub(crate) async fn wait_for_stop() {
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
