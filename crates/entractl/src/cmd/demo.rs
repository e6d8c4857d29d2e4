//! `entractl demo …` (being written).
#[derive(Debug, clap::Args)]
pub struct DemoArgs {}
pub async fn run(_args: DemoArgs) -> std::process::ExitCode { std::process::ExitCode::from(2) }
