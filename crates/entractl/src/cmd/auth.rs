//! `entractl login|whoami|logout|accounts` (being written).
use std::process::ExitCode;
#[derive(Debug, clap::Args)]
pub struct LoginArgs {}
#[derive(Debug, clap::Args)]
pub struct WhoamiArgs {}
#[derive(Debug, clap::Args)]
pub struct LogoutArgs {}
#[derive(Debug, clap::Args)]
pub struct AccountsArgs {}
pub async fn login(_a: LoginArgs) -> ExitCode { ExitCode::from(2) }
pub async fn whoami(_a: WhoamiArgs) -> ExitCode { ExitCode::from(2) }
pub async fn logout(_a: LogoutArgs) -> ExitCode { ExitCode::from(2) }
pub async fn accounts(_a: AccountsArgs) -> ExitCode { ExitCode::from(2) }
