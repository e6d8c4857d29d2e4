//! `entractl jwt …` (being written).
#[derive(Debug, clap::Args)]
pub struct JwtArgs {}
pub async fn run(_args: JwtArgs) -> std::process::ExitCode { std::process::ExitCode::from(2) }
