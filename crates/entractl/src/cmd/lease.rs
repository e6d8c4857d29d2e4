//! `entractl lease`: dynamic secrets (leases) from the command line. Glue over
//! [`entra_core::leases::Leases`]; the lease store is `<data dir>/leases.sqlite`
//! (`ENTRA_DESK_DATA_DIR`), shared with the app.
//!
//! - `define NAME --kind app-secret|user-password|access-token --target OBJECT_ID|SCOPE --ttl D --max-ttl D`
//!   (`--i-understand-this-resets-a-password` for user-password; `--app-client-id ID` for
//!   access-token, its secret in `ENTRA_LEASE_CLIENT_SECRET`, never a flag), `definitions`,
//!   `undefine NAME`.
//! - `issue DEF [--ttl D] [--wait]`: prints the secret once (stdout); with `--format json` an
//!   object with the lease's fields plus `secret`, `usable_after_ms` and `warning`.
//! - `list`, `show ID`, `renew ID [--ttl D]`, `revoke ID`, `token ID` (an access-token lease's token).
//! - `reconcile`, `sweep`: what the app's background maintenance does, on demand.
//! - `audit [--limit N] [--format table|json|csv|jsonl]` (csv/jsonl: the whole log, oldest first).
//! - `overview`: the store's ID, leases, definitions and the last maintenance run, as JSON.
//!
//! JSON output uses the core's serde names (snake_case fields, kebab-case kinds and statuses,
//! RFC 3339 times). Every subcommand takes the sign-in options of `entractl expiry`
//! ([`super::session`]); the ones that only read or change the local store (`definitions`,
//! `undefine`, `list`, `show`, `renew`, `audit`, `overview`) accept them and never sign in.
//! `define` signs in when it can, to check the target and keep its name (offline otherwise,
//! with a note). With `--demo`, the tenant lives only as long as the command: leases issued
//! there are closed by the next reconciliation (the seeded IDs are the same from run to run).
//!
//! Exit codes: 0; 1 the command ran but something still needs another run (`reconcile` with
//! errors in its report, `sweep` with leases still failing to revoke); 2 bad input or a
//! failure, as `error[code]: message` on stderr (as every entractl command).

use super::session::{self, DemoSession, SessionArgs};
use entra_core::leases::{
    format_duration, AuditEntry, AuditFormat, DefineRequest, Definition, IssueRequest, IssuedLease, Lease, LeaseKind, LeaseStatus, Leases,
    ReconcileReport, SweepReport,
};
use entra_core::secret::SecretString;
use entra_core::{Desk, Error, ErrorCode};
use serde_json::Value;
use std::process::ExitCode;

/// The variable holding an access-token definition's client secret (never a flag: flags end up in shell history).
pub const LEASE_CLIENT_SECRET_ENV: &str = "ENTRA_LEASE_CLIENT_SECRET";

/// Output formats of most subcommands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines and aligned tables for people.
    #[default]
    Table,
    /// JSON (the core's field names, RFC 3339 times).
    Json,
}

/// Output formats of `audit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditOutput {
    /// An aligned table, newest first.
    #[default]
    Table,
    /// A JSON array, newest first.
    Json,
    /// The whole log, oldest first, RFC 4180 CSV with a header.
    Csv,
    /// The whole log, oldest first, one JSON object per line.
    Jsonl,
}

/// Lease kinds, as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A client secret added to an app registration (--target: the application's object ID).
    AppSecret,
    /// A random password set on a real user (--target: the user's object ID). Resets the account!
    UserPassword,
    /// An app-only access token (--target: a scope ending in /.default; --app-client-id).
    AccessToken,
}

impl From<Kind> for LeaseKind {
    fn from(kind: Kind) -> LeaseKind {
        match kind {
            Kind::AppSecret => LeaseKind::AppSecret,
            Kind::UserPassword => LeaseKind::UserPassword,
            Kind::AccessToken => LeaseKind::AccessToken,
        }
    }
}

/// `entractl lease`.
#[derive(Debug, clap::Args)]
pub struct LeaseArgs {
    #[command(subcommand)]
    pub command: LeaseCommand,
}

/// The `lease` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum LeaseCommand {
    /// Define a dynamic secret: what to hand out, where, and for how long.
    Define {
        /// Its name (letters, digits, '-', '_', '.').
        name: String,
        /// What a lease hands out.
        #[arg(long, value_enum)]
        kind: Kind,
        /// App-secret: the application's object ID; user-password: the user's object ID; access-token: the scope.
        #[arg(long, value_name = "OBJECT_ID|SCOPE")]
        target: String,
        /// The default lease TTL, e.g. 15m, 1h, 7d, 1h30m.
        #[arg(long, value_name = "DURATION")]
        ttl: String,
        /// The longest a lease may live from its issue, renewals included.
        #[arg(long, value_name = "DURATION")]
        max_ttl: String,
        /// User-password: confirm that each lease resets a real user's password (and its
        /// revocation signs the user out everywhere). Needs User.ReadWrite.All.
        #[arg(long = "i-understand-this-resets-a-password")]
        acknowledge_password_reset: bool,
        /// Access-token: the client (application) ID the token is for; its secret comes from
        /// ENTRA_LEASE_CLIENT_SECRET and is kept in the OS keychain.
        #[arg(long, value_name = "ID")]
        app_client_id: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// The dynamic secrets defined.
    Definitions {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Remove a definition (refused while it has live leases).
    Undefine {
        /// The definition's name.
        name: String,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Issue a lease and print its secret, once.
    Issue {
        /// The definition's name.
        definition: String,
        /// The lease's TTL (default: the definition's; refused above its max TTL).
        #[arg(long, value_name = "DURATION")]
        ttl: Option<String>,
        /// App-secret: wait until Entra accepts the new secret (it takes seconds to replicate).
        #[arg(long)]
        wait: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Every lease, newest first.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// One lease, in full.
    Show {
        /// The lease ID.
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Extend a lease (never past its max TTL; nothing changes in Entra).
    Renew {
        /// The lease ID.
        id: String,
        /// For how long from now (default: the definition's TTL).
        #[arg(long, value_name = "DURATION")]
        ttl: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Revoke a lease now (a failed revocation is recorded and retried by `sweep`).
    Revoke {
        /// The lease ID.
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Compare the tenant with the store: remove this store's orphaned credentials, adopt or
    /// close interrupted issues and revocations. Never touches anything not made by this store.
    Reconcile {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Revoke expired leases and retry failed revocations whose backoff is over.
    Sweep {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// The audit log.
    Audit {
        /// The newest N lines (table and json only).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        #[arg(long, value_enum, default_value_t)]
        format: AuditOutput,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// An access-token lease's current token (fetched again if needed), on stdout.
    Token {
        /// The lease ID.
        id: String,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// The store's ID, leases, definitions and last maintenance run, as JSON.
    Overview {
        #[command(flatten)]
        session: SessionArgs,
    },
}

/// `entractl lease`.
pub async fn run(args: LeaseArgs) -> ExitCode {
    match command(args.command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error[{}]: {}", e.code(), e.message());
            ExitCode::from(2)
        }
    }
}

/// Whether a subcommand signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Store only.
    Nothing,
    /// When it can (explicit sign-in options must work; otherwise a remembered account, if any).
    IfPossible,
    /// Always.
    Account,
}

/// The service over the data folder's lease store, the account to act as, and the demo
/// session to close afterwards.
struct Context {
    leases: Leases,
    account: Option<String>,
    demo: Option<DemoSession>,
}

impl Context {
    async fn open(args: &SessionArgs, need: Need) -> Result<Context, Error> {
        let data_dir = entra_core::paths::data_dir()?;
        if need == Need::Nothing {
            let leases = Leases::open(Desk::open(&data_dir)?, &data_dir)?;
            return Ok(Context { leases, account: None, demo: None });
        }
        if args.demo {
            let demo = DemoSession::start("lease", entra_demo::DemoOptions::default()).await?;
            let leases = match Leases::open(demo.desk.clone(), &data_dir) {
                Ok(leases) => leases,
                Err(e) => {
                    demo.close().await;
                    return Err(e);
                }
            };
            return Ok(Context { leases, account: Some(demo.account_id.clone()), demo: Some(demo) });
        }
        let desk = Desk::open(&data_dir)?;
        let explicit = args.account.is_some() || args.certificate.is_some() || args.tenant.client_id.is_some() || args.tenant.authority.is_some();
        let account = match session::account(&desk, args).await {
            Ok(account) => Some(account),
            Err(e) if need == Need::IfPossible && !explicit && e.code() == ErrorCode::NotSignedIn => {
                eprintln!("Note: not signed in, so the target was not looked up in Microsoft Entra ({}).", e.message());
                None
            }
            Err(e) => return Err(e),
        };
        Ok(Context { leases: Leases::open(desk, &data_dir)?, account, demo: None })
    }

    fn account(&self) -> Result<&str, Error> {
        self.account.as_deref().ok_or_else(|| Error::new(ErrorCode::NotSignedIn, "Sign in first (entractl login), or give --client-id with ENTRA_CLIENT_SECRET, or --demo"))
    }

    async fn close(self) {
        if let Some(demo) = self.demo {
            demo.close().await;
        }
    }
}

async fn command(command: LeaseCommand) -> Result<ExitCode, Error> {
    let (session_args, need) = match &command {
        LeaseCommand::Define { session, kind, .. } => (session, if *kind == Kind::AccessToken { Need::Account } else { Need::IfPossible }),
        LeaseCommand::Issue { session, .. }
        | LeaseCommand::Revoke { session, .. }
        | LeaseCommand::Reconcile { session, .. }
        | LeaseCommand::Sweep { session, .. }
        | LeaseCommand::Token { session, .. } => (session, Need::Account),
        LeaseCommand::Definitions { session, .. }
        | LeaseCommand::Undefine { session, .. }
        | LeaseCommand::List { session, .. }
        | LeaseCommand::Show { session, .. }
        | LeaseCommand::Renew { session, .. }
        | LeaseCommand::Audit { session, .. }
        | LeaseCommand::Overview { session } => (session, Need::Nothing),
    };
    // Checked before anything starts or signs in.
    if let LeaseCommand::Define { kind: Kind::AccessToken, app_client_id: None, .. } = &command {
        return Err(Error::invalid_input("An access-token definition needs --app-client-id (the client ID whose secret gets the token)"));
    }
    let context = Context::open(session_args, need).await?;
    let result = answer(&context, command).await;
    context.close().await;
    result
}

async fn answer(context: &Context, command: LeaseCommand) -> Result<ExitCode, Error> {
    let leases = &context.leases;
    match command {
        LeaseCommand::Define { name, kind, target, ttl, max_ttl, acknowledge_password_reset, app_client_id, format, .. } => {
            let client_secret = match kind {
                Kind::AccessToken => std::env::var(LEASE_CLIENT_SECRET_ENV).ok().filter(|s| !s.trim().is_empty()).map(SecretString::new),
                _ => None,
            };
            let request = DefineRequest {
                name,
                kind: kind.into(),
                target,
                ttl,
                max_ttl,
                acknowledge_password_reset,
                client_id: app_client_id,
                client_secret,
            };
            let definition = leases.define(context.account.as_deref(), request).await?;
            match format {
                Format::Json => print_json(&definition)?,
                Format::Table => println!(
                    "Defined {}: {} on {}, TTL {}, max TTL {}",
                    definition.name,
                    definition.kind.as_str(),
                    target_label(&definition),
                    format_duration(definition.ttl_secs),
                    format_duration(definition.max_ttl_secs)
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Definitions { format, .. } => {
            let definitions = leases.definitions().await?;
            match format {
                Format::Json => print_json(&definitions)?,
                Format::Table => print_definitions(&definitions),
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Undefine { name, .. } => {
            leases.remove_definition(&name).await?;
            println!("Removed the definition {}", name.trim());
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Issue { definition, ttl, wait, format, .. } => {
            let request = IssueRequest { definition, ttl, wait_until_usable: wait };
            let issued = leases.issue(context.account()?, request).await?;
            if let Some(warning) = &issued.warning {
                eprintln!("Warning: {warning}");
            }
            match format {
                Format::Json => print_json(&issued_json(&issued)?)?,
                Format::Table => print_issued(&issued),
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::List { format, .. } => {
            let all = leases.list().await?;
            match format {
                Format::Json => print_json(&all)?,
                Format::Table => print_leases(&all, chrono::Utc::now()),
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Show { id, format, .. } => {
            let lease = leases.lease(&id).await?;
            match format {
                Format::Json => print_json(&lease)?,
                Format::Table => print_lease(&lease, chrono::Utc::now()),
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Renew { id, ttl, format, .. } => {
            let lease = leases.renew(&id, ttl.as_deref()).await?;
            match format {
                Format::Json => print_json(&lease)?,
                Format::Table => {
                    let capped = if lease.expires_at >= lease.max_expires_at { " (its max TTL: it cannot be renewed further)" } else { "" };
                    println!("Renewed {} until {}{capped}", lease.id, lease.expires_at.to_rfc3339());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Revoke { id, format, .. } => {
            let lease = leases.revoke(context.account()?, &id).await?;
            match format {
                Format::Json => print_json(&lease)?,
                Format::Table => println!("{} {}: {}", capitalized(lease.status.as_str()), lease.id, revoke_words(&lease)),
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Reconcile { format, .. } => {
            let report = leases.reconcile(context.account()?).await?;
            match format {
                Format::Json => print_json(&report)?,
                Format::Table => print_reconcile(&report),
            }
            for e in &report.errors {
                eprintln!("Needs another run: {e}");
            }
            Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        LeaseCommand::Sweep { format, .. } => {
            let report = leases.sweep(context.account()?).await?;
            match format {
                Format::Json => print_json(&report)?,
                Format::Table => print_sweep(&report),
            }
            Ok(if report.failing == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        LeaseCommand::Audit { limit, format, .. } => {
            match format {
                AuditOutput::Csv => print!("{}", leases.export_audit(AuditFormat::Csv).await?),
                AuditOutput::Jsonl => print!("{}", leases.export_audit(AuditFormat::Jsonl).await?),
                AuditOutput::Json => print_json(&leases.audit(limit).await?)?,
                AuditOutput::Table => print_audit(&leases.audit(limit).await?),
            }
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Token { id, .. } => {
            let token = leases.access_token(context.account()?, &id).await?;
            println!("{}", token.expose());
            Ok(ExitCode::SUCCESS)
        }
        LeaseCommand::Overview { .. } => {
            print_json(&leases.overview().await?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// The lease's fields plus `secret`, `usable_after_ms` and `warning`.
fn issued_json(issued: &IssuedLease) -> Result<Value, Error> {
    let mut value = serde_json::to_value(&issued.lease).map_err(|e| Error::internal(e.to_string()))?;
    if let Value::Object(map) = &mut value {
        map.insert("secret".into(), Value::String(issued.secret.expose().to_string()));
        map.insert("usable_after_ms".into(), issued.usable_after_ms.into());
        map.insert("warning".into(), issued.warning.clone().into());
    }
    Ok(value)
}

fn target_label(d: &Definition) -> String {
    match &d.target_name {
        Some(name) => format!("{name} ({})", d.target),
        None => d.target.clone(),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn revoke_words(lease: &Lease) -> &'static str {
    match lease.kind {
        LeaseKind::AppSecret => "its client secret was removed from the application",
        LeaseKind::UserPassword => "the user's password was reset to an unknown one and their sessions revoked",
        LeaseKind::AccessToken => "the token was forgotten (it stays valid at Entra until it expires)",
    }
}

/// "in 59m", "3m ago", "now".
fn relative(at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let secs = (at - now).num_seconds();
    match secs {
        0 => "now".to_string(),
        s if s > 0 => format!("in {}", format_duration(s as u64)),
        s => format!("{} ago", format_duration(s.unsigned_abs())),
    }
}

/// Rows as left-aligned columns, two spaces apart; the last column is not padded.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            if i == last {
                out.push_str(&cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                out.push_str(&cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

fn print_definitions(definitions: &[Definition]) {
    if definitions.is_empty() {
        println!("No dynamic secrets are defined: entractl lease define NAME --kind … --target … --ttl … --max-ttl …");
        return;
    }
    let rows: Vec<Vec<String>> = definitions
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                d.kind.as_str().to_string(),
                format_duration(d.ttl_secs),
                format_duration(d.max_ttl_secs),
                target_label(d),
            ]
        })
        .collect();
    print!("{}", table(&["NAME", "KIND", "TTL", "MAX TTL", "TARGET"], &rows));
}

fn status_label(lease: &Lease, now: chrono::DateTime<chrono::Utc>) -> String {
    match lease.status {
        LeaseStatus::Active if lease.expires_at <= now => "active (expired: the sweeper revokes it)".to_string(),
        LeaseStatus::RevokeFailed => format!("revoke-failed ({} attempt(s))", lease.revoke_attempts),
        status => status.as_str().to_string(),
    }
}

fn print_leases(leases: &[Lease], now: chrono::DateTime<chrono::Utc>) {
    if leases.is_empty() {
        println!("No leases: entractl lease issue DEFINITION");
        return;
    }
    let rows: Vec<Vec<String>> = leases
        .iter()
        .map(|l| {
            let expiry = if l.status.is_final() {
                l.ended_at.map(|t| format!("ended {}", relative(t, now))).unwrap_or_else(|| "ended".into())
            } else {
                relative(l.expires_at, now)
            };
            vec![
                l.id.clone(),
                status_label(l, now),
                l.kind.as_str().to_string(),
                l.definition.clone(),
                l.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                expiry,
                l.target.clone(),
            ]
        })
        .collect();
    print!("{}", table(&["ID", "STATUS", "KIND", "DEFINITION", "EXPIRES", "", "TARGET"], &rows));
}

fn print_lease(lease: &Lease, now: chrono::DateTime<chrono::Utc>) {
    let time = |t: chrono::DateTime<chrono::Utc>| format!("{} ({})", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), relative(t, now));
    let mut lines: Vec<(&str, String)> = vec![
        ("Lease", lease.id.clone()),
        ("Status", status_label(lease, now)),
        ("Kind", lease.kind.as_str().to_string()),
        ("Definition", lease.definition.clone()),
        ("Target", lease.target.clone()),
        ("Issued", time(lease.issued_at)),
        ("Expires", time(lease.expires_at)),
        ("Max expiry", time(lease.max_expires_at)),
    ];
    let optional: [(&str, Option<String>); 9] = [
        ("Renewed", lease.renewed_at.map(time)),
        ("Ended", lease.ended_at.map(time)),
        ("Key ID", lease.key_id.clone()),
        ("Hint", lease.hint.clone()),
        ("Marker", lease.marker.clone()),
        ("Next attempt", lease.next_attempt_at.map(time)),
        ("Attempts", (lease.revoke_attempts > 0).then(|| lease.revoke_attempts.to_string())),
        ("Last error", lease.last_error.clone()),
        ("Note", lease.note.clone()),
    ];
    lines.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    for (k, v) in lines {
        println!("{:<13}{v}", format!("{k}:"));
    }
}

fn print_issued(issued: &IssuedLease) {
    let lease = &issued.lease;
    let now = chrono::Utc::now();
    println!("Issued lease {} ({} from {})", lease.id, lease.kind.as_str(), lease.definition);
    println!("Target:      {}", lease.target);
    println!("Expires:     {} ({}); renewable up to {}", lease.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), relative(lease.expires_at, now), lease.max_expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    if let Some(key_id) = &lease.key_id {
        println!("Key ID:      {key_id}");
    }
    if let Some(marker) = &lease.marker {
        println!("Marker:      {marker}");
    }
    if let Some(ms) = issued.usable_after_ms {
        println!("Usable:      Entra accepted it after {:.1} s", ms as f64 / 1000.0);
    }
    let what = match lease.kind {
        LeaseKind::AppSecret => "Client secret",
        LeaseKind::UserPassword => "Password",
        LeaseKind::AccessToken => "Access token",
    };
    println!("{what} (shown once; Entra Desk does not keep it):");
    println!("{}", issued.secret.expose());
}

fn print_reconcile(r: &ReconcileReport) {
    println!(
        "Reconciled {} application(s): {} credential(s) seen, {} foreign left alone; {} removed, {} adopted, {} intent(s) closed, {} lease(s) closed; {} Graph request(s) in {} ms",
        r.targets, r.credentials_seen, r.foreign, r.removed, r.adopted, r.abandoned, r.closed, r.requests, r.duration_ms
    );
}

fn print_sweep(r: &SweepReport) {
    println!(
        "Swept: {} expired lease(s) revoked, {} failed revocation(s) recovered, {} still failing, {} token(s) refreshed",
        r.expired, r.recovered, r.failing, r.tokens_refreshed
    );
}

fn print_audit(entries: &[AuditEntry]) {
    if entries.is_empty() {
        println!("The audit log is empty");
        return;
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                e.action.as_str().to_string(),
                e.lease_id.clone().unwrap_or_else(|| "-".into()),
                e.actor.clone(),
                e.request_id.clone().unwrap_or_else(|| "-".into()),
                e.detail.clone(),
            ]
        })
        .collect();
    print!("{}", table(&["SEQ", "AT", "ACTION", "LEASE", "ACTOR", "REQUEST ID", "DETAIL"], &rows));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_do_not_pad_the_last_column() {
        let out = table(&["A", "BB", "C"], &[vec!["xxx".into(), "y".into(), "z z".into()], vec!["1".into(), "2".into(), "".into()]]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines, ["A    BB  C", "xxx  y   z z", "1    2"]);
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = chrono::Utc::now();
        assert_eq!(relative(now + chrono::Duration::seconds(5400), now), "in 1h30m");
        assert_eq!(relative(now - chrono::Duration::seconds(90), now), "1m30s ago");
        assert_eq!(relative(now, now), "now");
    }
}
