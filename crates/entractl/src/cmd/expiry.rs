//! `entractl expiry`: client secrets and certificates that are expired or expire soon, for
//! pipelines. Glue over [`entra_core::apps::Apps`] (refresh the local cache, by delta when
//! it can) and [`entra_core::credentials::Credentials`] (judge, format).
//!
//! Who it signs in as: see [`super::session`] (`--demo` reads the demo tenant in a throwaway
//! data folder and keychain service that are removed afterwards).
//!
//! Output: only expired and expiring credentials unless `--all`. Exit codes: 0; 1 with
//! `--fail-on-expiring` when anything (after `--app-id` filtering) is expired or inside the
//! window; 2 on bad input or failure (reason on stderr).

use super::session::{self, DemoSession, SessionArgs};
use entra_core::apps::Apps;
use entra_core::credentials::{Credentials, ExpiringCredential, ExpiryReport, ExpiryStatus};
use entra_core::{Desk, Error};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A JSON array (object_id, app_id, display_name, object_type, credential_type, key_id, …).
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
    pub session: SessionArgs,
    /// The window: e.g. 30d, 2w, 12h (rounded up to whole days; 1 to 3650 days). Default: 7, 30 and 90 days.
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

/// `30d`, `2w`, `12h`, or a bare number of days → whole days (rounded up).
pub fn parse_within(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "d"),
    };
    let n: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration: write e.g. 30d, 2w or 12h"))?;
    let days = match unit.to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => n,
        "w" | "week" | "weeks" => n.saturating_mul(7),
        "h" | "hour" | "hours" => n.div_ceil(24),
        _ => return Err(format!("`{text}`: unknown unit `{unit}`; use d (days), w (weeks) or h (hours)")),
    };
    match u32::try_from(days) {
        Ok(d) if (1..=entra_core::credentials::expiry::MAX_WINDOW_DAYS).contains(&d) => Ok(d),
        _ => Err(format!("`{text}` is {days} days: the window must be 1 to 3650 days")),
    }
}

/// `entractl expiry`.
pub async fn run(args: ExpiryArgs) -> ExitCode {
    match report(&args).await {
        Ok(rows) => {
            let due = rows.iter().any(|r| r.status != ExpiryStatus::Ok);
            let shown: Vec<&ExpiringCredential> = rows.iter().filter(|r| args.all || r.status != ExpiryStatus::Ok).collect();
            if let Err(e) = print(&shown, args.format) {
                eprintln!("error[internal]: {e}");
                return ExitCode::from(2);
            }
            if args.fail_on_expiring && due {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error[{}]: {}", e.code(), e.message());
            ExitCode::from(2)
        }
    }
}

async fn report(args: &ExpiryArgs) -> Result<Vec<ExpiringCredential>, Error> {
    let windows = args.within.map(|w| vec![w]);
    let report = if args.session.demo {
        demo_report(windows).await?
    } else {
        let data_dir = entra_core::paths::data_dir()?;
        let desk = Desk::open(&data_dir)?;
        let apps = Apps::open(desk.clone(), &data_dir)?;
        let credentials = if args.no_refresh {
            Credentials::new(apps)
        } else {
            let account = session::account(&desk, &args.session).await?;
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
    let demo = DemoSession::start("expiry", entra_demo::DemoOptions::default()).await?;
    let result = async {
        let credentials = refreshed(Apps::open(demo.desk.clone(), demo.desk.data_dir())?, &demo.account_id).await?;
        credentials.report(windows, chrono::Utc::now()).await
    }
    .await;
    demo.close().await;
    result
}

fn print(rows: &[&ExpiringCredential], format: Format) -> Result<(), String> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(rows).map_err(|e| e.to_string())?),
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
    let header = ["STATUS", "DAYS", "END", "OBJECT TYPE", "DISPLAY NAME", "CREDENTIAL", "KEY ID", "OWNERS"].map(String::from);
    let mut lines = vec![header.to_vec()];
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
            r.display_name.replace(['\n', '\r', '\t'], " "),
            kind,
            r.key_id.clone(),
            owners,
        ]);
    }
    let widths: Vec<usize> = (0..header.len()).map(|i| lines.iter().map(|l| l[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for line in lines {
        let cells: Vec<String> = line.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_within("30d"), Ok(30));
        assert_eq!(parse_within("2w"), Ok(14));
        assert_eq!(parse_within("12h"), Ok(1));
        assert_eq!(parse_within("45"), Ok(45));
        assert!(parse_within("0d").is_err());
        assert!(parse_within("9999d").is_err());
        assert!(parse_within("3 fortnights").is_err());
        assert!(parse_within("d").is_err());
    }
}
