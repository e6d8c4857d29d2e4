//! A lease's life after its issue: `lease list`, `show`, `renew`, `revoke`, and `token` (an
//! access-token lease's current token, on the admin's explicit request).

use super::context::Context;
use super::{render, Format};
use crate::output;
use entra_core::Error;
use std::process::ExitCode;

pub(super) async fn list(context: &Context, format: Format) -> Result<ExitCode, Error> {
    let all = context.leases.list().await?;
    match format {
        Format::Json => output::print_json(&all)?,
        Format::Table => print!("{}", render::leases(&all, chrono::Utc::now())),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn show(context: &Context, id: &str, format: Format) -> Result<ExitCode, Error> {
    let lease = context.leases.lease(id).await?;
    match format {
        Format::Json => output::print_json(&lease)?,
        Format::Table => print!("{}", render::lease(&lease, chrono::Utc::now())),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn renew(context: &Context, id: &str, ttl: Option<&str>, format: Format) -> Result<ExitCode, Error> {
    let lease = context.leases.renew(id, ttl).await?;
    match format {
        Format::Json => output::print_json(&lease)?,
        Format::Table => {
            let capped = if lease.expires_at >= lease.max_expires_at { " (its max TTL: it cannot be renewed further)" } else { "" };
            println!("Renewed {} until {}{capped}", lease.id, lease.expires_at.to_rfc3339());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn revoke(context: &Context, id: &str, format: Format) -> Result<ExitCode, Error> {
    let lease = context.leases.revoke(context.account()?, id).await?;
    match format {
        Format::Json => output::print_json(&lease)?,
        Format::Table => println!("{} {}: {}", render::capitalized(lease.status.as_str()), lease.id, render::revoke_words(lease.kind)),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn token(context: &Context, id: &str, format: Format) -> Result<ExitCode, Error> {
    let token = context.leases.access_token(context.account()?, id).await?;
    match format {
        Format::Json => output::print_json(&entra_ipc::leases::LeaseToken::from(token))?,
        Format::Table => {
            // The token alone on stdout (for `$(entractl lease token ID)`); its expiry beside it, for people.
            eprintln!("The token is valid at Entra until {} ({}).", render::at(token.expires_at), render::relative(token.expires_at, chrono::Utc::now()));
            println!("{}", token.token.expose());
        }
    }
    Ok(ExitCode::SUCCESS)
}
