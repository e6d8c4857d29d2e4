//! `lease define`, `lease definitions`, `lease undefine`: the dynamic secrets themselves.

use super::context::Context;
use super::{render, Format, LEASE_CLIENT_SECRET_ENV};
use crate::output;
use entra_core::leases::{format_duration, DefineRequest, LeaseKind};
use entra_core::secret::SecretString;
use entra_core::Error;
use std::process::ExitCode;

/// What `lease define` was given.
pub(super) struct Request {
    pub name: String,
    pub kind: LeaseKind,
    pub target: String,
    pub ttl: String,
    pub max_ttl: String,
    pub acknowledge_password_reset: bool,
    pub app_client_id: Option<String>,
}

pub(super) async fn define(context: &Context, r: Request, format: Format) -> Result<ExitCode, Error> {
    // From the environment, never a flag: flags end up in shell history.
    let client_secret = match r.kind {
        LeaseKind::AccessToken => std::env::var(LEASE_CLIENT_SECRET_ENV).ok().filter(|s| !s.trim().is_empty()).map(SecretString::new),
        _ => None,
    };
    let request = DefineRequest {
        name: r.name,
        kind: r.kind,
        target: r.target,
        ttl: r.ttl,
        max_ttl: r.max_ttl,
        acknowledge_password_reset: r.acknowledge_password_reset,
        client_id: r.app_client_id,
        client_secret,
    };
    let definition = context.leases.define(context.account.as_deref(), request).await?;
    match format {
        Format::Json => output::print_json(&definition)?,
        Format::Table => println!(
            "Defined {}: {} on {}, TTL {}, max TTL {}",
            definition.name,
            definition.kind.as_str(),
            render::target_label(&definition),
            format_duration(definition.ttl_secs),
            format_duration(definition.max_ttl_secs)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn definitions(context: &Context, format: Format) -> Result<ExitCode, Error> {
    let definitions = context.leases.definitions().await?;
    match format {
        Format::Json => output::print_json(&definitions)?,
        Format::Table => print!("{}", render::definitions(&definitions)),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn undefine(context: &Context, name: &str) -> Result<ExitCode, Error> {
    context.leases.remove_definition(name).await?;
    println!("Removed the definition {}", name.trim());
    Ok(ExitCode::SUCCESS)
}
