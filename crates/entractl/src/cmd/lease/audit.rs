//! `lease audit`: the append-only log as a table or JSON (newest first, `--limit`), or the whole
//! log exported as CSV or JSON lines (oldest first), exactly as the app's export writes it; and
//! `lease audit --verify`: its hash chain checked, as text or the core's `AuditVerification`
//! in JSON, exit 1 when broken.

use super::context::Context;
use super::{render, AuditOutput};
use crate::output;
use entra_core::leases::store::chain::AuditVerification;
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

/// `--verify`: the chain's result on stdout; when broken, also what to do on stderr, and exit 1.
pub(super) async fn verify(context: &Context, format: AuditOutput) -> Result<ExitCode, Error> {
    let found = match format {
        AuditOutput::Table | AuditOutput::Json => context.leases.verify_audit().await?,
        AuditOutput::Csv | AuditOutput::Jsonl => {
            return Err(Error::invalid_input("--verify prints its result as a table or JSON: give --format table or --format json"))
        }
    };
    match format {
        AuditOutput::Json => output::print_json(&found)?,
        _ => print!("{}", verification(&found)),
    }
    let Some(broken) = &found.first_break else { return Ok(ExitCode::SUCCESS) };
    eprintln!(
        "The audit log's hash chain is broken: {}. Keep leases.sqlite as it is (copy it aside: it is the evidence, and still \
         the record of your leases); compare its lines with an exported copy (`entractl lease audit --format jsonl`) or a backup \
         to see what changed, and restore the log from a backup if you need it whole",
        broken.message
    );
    Ok(ExitCode::from(1))
}

fn count(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The result for people: the verdict, what was checked, and the head to write down.
fn verification(v: &AuditVerification) -> String {
    if v.lines == 0 {
        return "The audit log is empty: nothing to check\n".to_string();
    }
    let legacy = match v.legacy {
        0 => String::new(),
        n => format!(", after {} written before the chain began (not covered)", count(n, "unchained legacy line")),
    };
    let mut out = match &v.first_break {
        None => format!("The audit log's hash chain is intact: {} checked{legacy}\n", count(v.checked, "line")),
        Some(b) => format!("The audit log's hash chain is BROKEN: {}\n{} checked before it{legacy}\n", b.message, count(v.checked, "line")),
    };
    match (&v.first_break, v.head_seq, &v.head_hash) {
        (None, Some(seq), Some(hash)) => {
            out += &format!("Head: line {seq}, hash {hash}\n(write it down, or keep it with an export: a later check shows nothing up to it was rewritten)\n");
        }
        (Some(_), Some(seq), Some(hash)) => out += &format!("Last line that verified: line {seq}, hash {hash}\n"),
        (Some(_), ..) => {}
        (None, ..) => out += "No line is chained yet: the chain begins with the next line written\n",
    }
    out
}
