//! `lease audit`: the append-only log as a table or JSON (newest first, `--limit`), or the whole
//! log exported as CSV or JSON lines (oldest first), exactly as the app's export writes it.

use super::context::Context;
use super::{render, AuditOutput};
use crate::output;
use entra_core::leases::AuditFormat;
use entra_core::Error;
use std::process::ExitCode;

pub(super) async fn audit(context: &Context, limit: Option<usize>, format: AuditOutput) -> Result<ExitCode, Error> {
    let leases = &context.leases;
    match format {
        AuditOutput::Csv => print!("{}", leases.export_audit(AuditFormat::Csv).await?),
        AuditOutput::Jsonl => print!("{}", leases.export_audit(AuditFormat::Jsonl).await?),
        AuditOutput::Json => output::print_json(&leases.audit(limit).await?)?,
        AuditOutput::Table => print!("{}", render::audit(&leases.audit(limit).await?)),
    }
    Ok(ExitCode::SUCCESS)
}
