//! `entractl expiry`: client secrets and certificates that are expired or expire soon, for
//! pipelines. Glue over [`entra_core::apps::Apps`] (refresh the local cache, by delta when
//! it can) and [`entra_core::credentials::Credentials`] (judge, format).
//!
//! Who it signs in as: see [`super::signin_args`] (`--demo` reads the demo tenant in a throwaway
//! data folder and keychain service that are removed afterwards).
//!
//! Output ([`crate::output`]): only expired and expiring credentials unless `--all`; JSON is the
//! core's [`ExpiringCredential`], CSV the core's export (the screen's too). Exit codes: 0; 1 with
//! `--fail-on-expiring` when anything (after `--app-id` filtering) is expired or inside the
//! window; 2 on bad input or failure (reason on stderr).

use super::signin_args::{self, SignInArgs, ThrowawayDemo};
use crate::output;
use entra_core::apps::Apps;
use entra_core::credentials::{Credentials, ExpiringCredential, ExpiryReport, ExpiryStatus};
use entra_core::{Desk, Error};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A JSON array of the core's expiring credentials, as the Credentials screen reads them.
    Json,
    /// CSV with a header row (RFC 4180).
    Csv,
    /// An aligned table for people.
    Table,
}

/// `entractl expiry`.
#[derive(Debug, clap::Args)]
pub struct ExpiryArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// The window: e.g. 30d, 2w, 12h, or a bare number of days (rounded up to whole days; 1 to 3650 days). Default: 7, 30 and 90 days.
    #[arg(long, value_name = "DURATION", value_parser = parse_within)]
    pub within: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Exit with 1 when any credential is expired or inside the window.
    #[arg(long)]
    pub fail_on_expiring: bool,
    /// Also list credentials outside the window.
    #[arg(long)]
    pub all: bool,
    /// Only these applications (client IDs; repeat or separate with commas).
    #[arg(long, value_name = "APP_ID", value_delimiter = ',')]
    pub app_id: Vec<String>,
    /// Report from the local cache without refreshing it from Graph.
    #[arg(long, conflicts_with = "demo")]
    pub no_refresh: bool,
}

/// `--within`: the window, in the desk's one duration grammar ([`entra_core::duration`]: `30d`,
/// `2w`, `12h`, `1h30m`, `hh:mm:ss`), rounded up to whole days, 1 to 3650 of them.
///
/// A bare number is a count of days (`45` is `45d`): a convenience this flag has always had and
/// that pipelines use. It is this flag's alone, since a window is counted in days; the grammar
/// itself refuses a number without a unit.
pub fn parse_within(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let bare_days = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let duration = if bare_days { entra_core::duration::parse(&format!("{text}d")) } else { entra_core::duration::parse(text) };
    let days = duration.map_err(|e| e.to_string())?.as_secs().div_ceil(86_400);
    let max = entra_core::credentials::expiry::MAX_WINDOW_DAYS;
    match u32::try_from(days) {
        Ok(d) if (1..=max).contains(&d) => Ok(d),
        _ => Err(format!("'{text}' is {days} days: the window must be 1 to {max} days")),
    }
}

/// `entractl expiry`.
pub async fn run(args: ExpiryArgs) -> ExitCode {
    match report(&args).await {
        Ok(rows) => {
            let due = rows.iter().any(|r| r.status != ExpiryStatus::Ok);
            let shown: Vec<&ExpiringCredential> = rows.iter().filter(|r| args.all || r.status != ExpiryStatus::Ok).collect();
            if let Err(e) = print(&shown, args.format) {
                return output::fail(&e);
            }
            if args.fail_on_expiring && due {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => output::fail(&e),
    }
}

async fn report(args: &ExpiryArgs) -> Result<Vec<ExpiringCredential>, Error> {
    let windows = args.within.map(|w| vec![w]);
    let report = if args.sign_in.demo {
        demo_report(windows).await?
    } else {
        let data_dir = entra_core::paths::data_dir()?;
        let desk = Desk::open(&data_dir)?;
        let apps = Apps::open(desk.clone(), &data_dir)?;
        let credentials = if args.no_refresh {
            Credentials::new(apps)
        } else {
            let account = signin_args::account(&desk, &args.sign_in).await?;
            refreshed(apps, &account).await?
        };
        credentials.report(windows, chrono::Utc::now()).await?
    };
    let wanted = |r: &ExpiringCredential| args.app_id.is_empty() || args.app_id.iter().any(|a| a.eq_ignore_ascii_case(&r.app_id));
    Ok(report.rows.into_iter().filter(wanted).collect())
}

async fn refreshed(apps: Apps, account: &str) -> Result<Credentials, Error> {
    let summary = apps.refresh(account, false, &|_| {}, CancellationToken::new()).await?;
    eprintln!(
        "Refreshed the local cache ({}: {} changed, {} removed, {} requests).",
        if summary.full { "full read" } else { "changes only" },
        summary.changed,
        summary.removed,
        summary.requests
    );
    Ok(Credentials::new(apps))
}

/// The report of the demo tenant, started in-process, read in a throwaway data folder and
/// keychain service that are removed afterwards.
async fn demo_report(windows: Option<Vec<u32>>) -> Result<ExpiryReport, Error> {
    let demo = ThrowawayDemo::start("expiry", entra_demo::DemoOptions::default()).await?;
    let result = async {
        let credentials = refreshed(Apps::open(demo.desk.clone(), demo.desk.data_dir())?, &demo.account_id).await?;
        credentials.report(windows, chrono::Utc::now()).await
    }
    .await;
    demo.close().await;
    result
}

fn print(rows: &[&ExpiringCredential], format: Format) -> Result<(), Error> {
    match format {
        Format::Json => output::print_json(&rows)?,
        Format::Csv => {
            let owned: Vec<ExpiringCredential> = rows.iter().map(|r| (*r).clone()).collect();
            print!("{}", entra_core::credentials::export::to_csv(&owned));
        }
        Format::Table => print!("{}", table(rows)),
    }
    Ok(())
}

/// An aligned table: status, days left, end date, type, object, credential, key id, owners.
fn table(rows: &[&ExpiringCredential]) -> String {
    let header = ["STATUS", "DAYS", "END", "OBJECT TYPE", "DISPLAY NAME", "CREDENTIAL", "KEY ID", "OWNERS"];
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        let kind = format!("{}{}", r.credential_type.as_str(), r.usage.as_ref().map(|u| format!(" ({u})")).unwrap_or_default());
        let owners = match &r.owners {
            Some(o) if o.is_empty() => "(none)".to_string(),
            Some(o) => o.iter().map(entra_core::credentials::export::owner_label).collect::<Vec<_>>().join("; "),
            None => "(not loaded)".to_string(),
        };
        lines.push(vec![
            r.status.as_str().to_string(),
            r.days_left.to_string(),
            r.end.format("%Y-%m-%d").to_string(),
            r.object_type.as_str().to_string(),
            r.display_name.clone(),
            kind,
            r.key_id.clone(),
            owners,
        ]);
    }
    output::table(&header, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_the_one_grammar_rounded_up_to_days() {
        assert_eq!(parse_within("30d"), Ok(30));
        assert_eq!(parse_within("2w"), Ok(14));
        assert_eq!(parse_within("12h"), Ok(1));
        assert_eq!(parse_within("1d1s"), Ok(2));
        assert_eq!(parse_within("00:30:00"), Ok(1));
        assert_eq!(parse_within("30days"), Ok(30));
        assert_eq!(parse_within("3650d"), Ok(3650));
    }

    #[test]
    fn a_bare_number_is_days() {
        assert_eq!(parse_within("45"), Ok(45));
        assert_eq!(parse_within(" 7 "), Ok(7));
        assert!(parse_within("0").unwrap_err().contains("1 to 3650 days"));
    }

    #[test]
    fn bad_windows_say_why() {
        assert!(parse_within("0d").unwrap_err().contains("1 to 3650 days"));
        assert!(parse_within("3650d1s").unwrap_err().contains("3651 days"));
        assert!(parse_within("9999d").unwrap_err().contains("1 to 3650 days"));
        for bad in ["3 fortnights", "d", "", "-5d", "1.5d"] {
            let err = parse_within(bad).unwrap_err();
            assert!(err.contains("30s, 15m, 1h30m"), "{bad}: {err}");
        }
    }
}
