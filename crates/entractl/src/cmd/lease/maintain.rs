//! The store against the tenant: `lease reconcile`, `lease sweep`, `lease maintain` — the app's
//! background maintenance (`entra_core::leases::maintenance`), the same loop, run headless
//! until Ctrl-C or SIGTERM — and `lease overview`.

use super::context::Context;
use super::{render, Format};
use crate::cmd::demo::wait_for_stop;
use crate::output;
use entra_core::leases::maintenance::{run_loop, SignedInAccount};
use std::time::Duration;
use entra_core::leases::MaintenanceRun;
use entra_core::Error;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

pub(super) async fn reconcile(context: &Context, format: Format) -> Result<ExitCode, Error> {
    let report = context.leases.reconcile(context.account()?).await?;
    match format {
        Format::Json => output::print_json(&report)?,
        Format::Table => println!("{}", render::reconcile(&report)),
    }
    for e in &report.errors {
        eprintln!("Needs another run: {e}");
    }
    Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub(super) async fn bind(context: &Context, format: Format) -> Result<ExitCode, Error> {
    let report = context.leases.bind(context.account()?).await?;
    match format {
        Format::Json => output::print_json(&report)?,
        Format::Table => println!("{}", render::bind(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn relocate(context: &Context, decision: entra_core::leases::Relocation, format: Format) -> Result<ExitCode, Error> {
    let overview = context.leases.relocate(decision).await?;
    match format {
        Format::Json => output::print_json(&overview)?,
        Format::Table => println!("The lease store is recorded where it is now; its store ID is {}", overview.store_id),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn sweep(context: &Context, format: Format) -> Result<ExitCode, Error> {
    let report = context.leases.sweep(context.account()?).await?;
    match format {
        Format::Json => output::print_json(&report)?,
        Format::Table => println!("{}", render::sweep(&report)),
    }
    Ok(if report.failing == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// One run (`--once`), or the loop until Ctrl-C / SIGTERM. The loop prints one line per run,
/// or with `--format json` one compact JSON object per line (a stream has no single document);
/// `--once --format json` prints the run as every other subcommand prints its result.
pub(super) async fn maintain(context: &Context, once: bool, every: Duration, format: Format) -> Result<ExitCode, Error> {
    let account = context.account()?;
    if once {
        let run = context.leases.maintain_once(Some(account)).await?;
        match format {
            Format::Json => output::print_json(&run)?,
            Format::Table => println!("{}", render::maintenance_run(&run)),
        }
        if let Some(error) = &run.error {
            eprintln!("Needs another run: {error}");
        }
        return Ok(if run.error.is_none() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    // The app learns its account from the webview; here the sign-in options chose it, for good.
    let signed_in = SignedInAccount::default();
    signed_in.signed_in(account);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let stopper = tokio::spawn(async move {
        wait_for_stop().await;
        eprintln!("Stopping after the current run (Ctrl-C again stops at once)");
        stop.cancel();
        // A run waiting on a slow Graph can take a while; an impatient second signal ends the
        // process as a crash would, and the store's intents let the next reconciliation settle it.
        wait_for_stop().await;
        std::process::exit(130);
    });
    let store = context.leases.lease_store().describe();
    eprintln!(
        "Maintaining the leases of {}: a run now, then every {} s, until Ctrl-C or SIGTERM{}",
        store.location,
        every.as_secs(),
        if store.kind == entra_core::leases::StoreKind::Team { " (while this process holds the team's maintenance leadership)" } else { "" }
    );
    let print = move |run: &MaintenanceRun| match format {
        Format::Json => match serde_json::to_string(run) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("error: cannot write the run as JSON: {e}"),
        },
        Format::Table => println!("{}", render::maintenance_run(run)),
    };
    run_loop(context.leases.clone(), signed_in.subscribe(), every, cancel, print).await;
    stopper.abort();
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn overview(context: &Context) -> Result<ExitCode, Error> {
    output::print_json(&context.leases.overview().await?)?;
    Ok(ExitCode::SUCCESS)
}
