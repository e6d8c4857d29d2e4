//! `lease issue`: a new lease and its secret, shown once. With `--format json` it prints
//! `entra_ipc::leases::IssuedLease`, the very object the app's screen receives
//! (`{lease, secret, secretExpiresAt, usableAfterMs, warning}`), so a script and the screen read one shape.

use super::context::Context;
use super::{render, Format};
use crate::output;
use entra_core::leases::IssueRequest;
use entra_core::Error;
use entra_ipc::leases::IssuedLease;
use std::process::ExitCode;

pub(super) async fn issue(context: &Context, definition: String, ttl: Option<String>, wait: bool, format: Format) -> Result<ExitCode, Error> {
    let request = IssueRequest { definition, ttl, wait_until_usable: wait };
    let issued = context.leases.issue(context.account()?, request).await?;
    if let Some(warning) = &issued.warning {
        eprintln!("Warning: {warning}");
    }
    match format {
        Format::Json => output::print_json(&IssuedLease::from(issued))?,
        Format::Table => print!("{}", render::issued(&issued, chrono::Utc::now())),
    }
    Ok(ExitCode::SUCCESS)
}
