//! `entractl jwt inspect|profile`: the JWT inspector from the command line.
//!
//! Glue only: `entra_core::jwt::JwtWorkspace::inspect` (the same call the
//! app's screen makes) decodes, explains and validates; this module reads the
//! token (stdin by default, or `--file`; an argument still works but is warned
//! about: it lands in shell history and the process list), turns flags into overrides, prints JSON
//! ([`crate::output`]) or text, and maps the verdict to the exit code: 0 valid, 1 decodable but
//! invalid, 2 not a decodable JWT or a usage error (reason on stderr).
//! The token itself is never written anywhere.

use crate::output::{self, fail_plain as fail};
use chrono::{DateTime, Utc};
use entra_core::jwt::{InspectRequest, JwtWorkspace, Overrides};
use entra_jwt::settings_import::import_settings;
use entra_jwt::{Inspection, KeySource, Profile, ProfileStore};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// `entractl jwt …`
#[derive(Debug, clap::Args)]
pub struct JwtArgs {
    #[command(subcommand)]
    command: JwtCommand,
}

#[derive(Debug, clap::Subcommand)]
enum JwtCommand {
    /// Decode a token, explain its claims and validate it (offline unless keys are fetched from a URL).
    Inspect(InspectArgs),
    /// Manage validation profiles (saved in <data dir>/jwt-profiles/).
    #[command(subcommand)]
    Profile(ProfileCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Text,
}

#[derive(Debug, clap::Args)]
struct InspectArgs {
    /// The token, or `-` (or nothing) to read it from stdin. Prefer stdin or --file: a token on the
    /// command line lands in shell history and in the process list.
    token: Option<String>,
    /// Read the token from this file.
    #[arg(long, value_name = "FILE", conflicts_with = "token")]
    file: Option<PathBuf>,
    /// A saved validation profile.
    #[arg(long)]
    profile: Option<String>,
    /// Keys: a JWKS or PEM file, or a JWKS URL (fetched and cached).
    #[arg(long, value_name = "FILE|URL")]
    jwks: Option<String>,
    /// An OpenID Connect metadata address; its jwks_uri is fetched and cached.
    #[arg(long, value_name = "URL")]
    metadata: Option<String>,
    /// Accepted audience (repeatable; replaces the profile's).
    #[arg(long)]
    audience: Vec<String>,
    /// Expected issuer; {TenantId} is replaced.
    #[arg(long)]
    issuer: Option<String>,
    /// Expected tenant ID.
    #[arg(long)]
    tenant: Option<String>,
    /// The API's client ID (accepted as audience, also as api://…).
    #[arg(long)]
    client_id: Option<String>,
    /// Required claims: `claim;claim=value` ({TenantId} allowed).
    #[arg(long, value_name = "SPEC")]
    required_claims: Option<String>,
    /// Clock skew hh:mm:ss (default 00:05:00).
    #[arg(long, value_name = "hh:mm:ss")]
    clock_skew: Option<String>,
    /// Fix the clock (RFC 3339) for reproducible checks.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, clap::Subcommand)]
enum ProfileCommand {
    /// Create or update a profile (only the given fields change).
    Save(SaveArgs),
    /// List saved profiles as JSON.
    List,
    /// Print one profile as JSON.
    Show {
        /// Profile name.
        name: String,
    },
    /// Delete a profile.
    Delete {
        /// Profile name.
        name: String,
    },
    /// Create a profile from a settings block ("Tenant ID: …" lines) in a file or stdin.
    Import {
        /// Profile name.
        name: String,
        /// The file with the settings block, or `-` (or nothing) for stdin.
        file: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct SaveArgs {
    /// Profile name.
    name: String,
    #[arg(long)]
    tenant: Option<String>,
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long)]
    audience: Option<String>,
    #[arg(long)]
    issuer: Option<String>,
    #[arg(long)]
    authority: Option<String>,
    #[arg(long)]
    metadata: Option<String>,
    #[arg(long)]
    required_claims: Option<String>,
    #[arg(long)]
    clock_skew: Option<String>,
    #[arg(long)]
    jwks_cache_duration: Option<String>,
}

/// Runs `entractl jwt …`.
pub async fn run(args: JwtArgs) -> ExitCode {
    match args.command {
        JwtCommand::Inspect(a) => inspect(a).await,
        JwtCommand::Profile(p) => profile(p),
    }
}

fn data_dir() -> Result<PathBuf, String> {
    entra_core::paths::data_dir().map_err(|e| e.to_string())
}

fn store() -> Result<ProfileStore, String> {
    Ok(JwtWorkspace::new(&data_dir()?).profiles().clone())
}

fn read_stdin() -> Result<String, String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read stdin: {e}"))?;
    Ok(s)
}

async fn inspect(a: InspectArgs) -> ExitCode {
    let token = match (a.token.as_deref(), &a.file) {
        (_, Some(path)) => match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return fail(format!("cannot read the token file {} ({e}): check the path", path.display())),
        },
        (None | Some("-"), None) => {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprintln!("Paste the token, then press Ctrl-D (or pipe it in, or pass --file).");
            }
            match read_stdin() {
                Ok(t) => t,
                Err(e) => return fail(e),
            }
        }
        (Some(t), None) => {
            eprintln!(
                "warning: a token on the command line lands in shell history and the process list; pipe it in (entractl jwt inspect < token.txt) or use --file"
            );
            t.to_string()
        }
    };
    let token = token.trim();
    let now: DateTime<Utc> = match &a.now {
        Some(n) => match DateTime::parse_from_rfc3339(n) {
            Ok(t) => t.with_timezone(&Utc),
            Err(e) => return fail(format!("--now '{n}' is not an RFC 3339 time ({e}): write it like 2024-11-04T12:00:00Z")),
        },
        None => Utc::now(),
    };
    let workspace = match data_dir() {
        Ok(d) => JwtWorkspace::new(&d),
        Err(e) => return fail(e),
    };
    // Keys: --jwks, else --metadata, else the profile's metadata address. A URL given here is fetched.
    let keys = match (&a.jwks, &a.metadata) {
        (Some(j), _) => Some(KeySource::from_arg(j)),
        (None, Some(m)) => Some(KeySource::Metadata(m.clone())),
        (None, None) => None,
    };
    let overrides = Overrides {
        tenant_id: a.tenant.clone(),
        client_id: a.client_id.clone(),
        audiences: a.audience.clone(),
        issuer: a.issuer.clone(),
        required_claims: a.required_claims.clone(),
        clock_skew: a.clock_skew.clone(),
    };
    let request = InspectRequest { overrides, keys, fetch_keys: true, ..InspectRequest::new(token, a.profile.as_deref(), now) };
    // The same call as the app's screen; a token that does not decode is a usage error (exit 2).
    let ins = match workspace.inspect(request).await {
        Ok(i) => i,
        Err(e) => return fail(e.message()),
    };
    match a.format {
        Format::Json => {
            if let Err(e) = output::print_json(&ins) {
                return fail(e.message());
            }
        }
        Format::Text => print_text(&ins),
    }
    if ins.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_text(ins: &Inspection) {
    let pretty = |m: &serde_json::Map<String, serde_json::Value>| serde_json::to_string_pretty(m).unwrap_or_default();
    println!("{}", ins.kind.summary);
    println!("\nHeader\n{}", pretty(&ins.header));
    println!("\nPayload\n{}", pretty(&ins.payload));
    println!("\nClaims");
    let width = ins.claims.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &ins.claims {
        println!("  {:width$}  {}", c.name, c.display);
        if !c.meaning.is_empty() {
            println!("  {:width$}    {}", "", c.meaning);
        }
    }
    if !ins.warnings.is_empty() {
        println!("\nWarnings");
        for w in &ins.warnings {
            println!("  ! {w}");
        }
    }
    println!("\nChecks (clock {}{})", ins.now, ins.keys_from.as_deref().map(|k| format!(", keys from {k}")).unwrap_or_default());
    for c in &ins.checks {
        println!("  {} {:14} {}", if c.ok { "ok  " } else { "FAIL" }, c.name, c.detail);
    }
    println!("\n{}", ins.verdict);
}

/// A core error as this module's string errors.
fn message(err: entra_core::Error) -> String {
    err.message().to_string()
}

fn profile(cmd: ProfileCommand) -> ExitCode {
    let store = match store() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let result = match cmd {
        ProfileCommand::List => store.list().map_err(|e| e.to_string()).and_then(|l| output::print_json(&l).map_err(message)),
        ProfileCommand::Show { name } => store.load(&name).map_err(|e| e.to_string()).and_then(|p| output::print_json(&p).map_err(message)),
        ProfileCommand::Delete { name } => store.delete(&name).map_err(|e| e.to_string()).map(|_| eprintln!("deleted profile '{name}'")),
        ProfileCommand::Save(a) => save(&store, a),
        ProfileCommand::Import { name, file } => import(&store, &name, file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn save(store: &ProfileStore, a: SaveArgs) -> Result<(), String> {
    let mut p = match store.load(&a.name) {
        Ok(p) => p,
        Err(entra_jwt::Error::NoSuchProfile(_)) => Profile::new(&a.name),
        Err(e) => return Err(e.to_string()),
    };
    let set = |field: &mut Option<String>, v: Option<String>| {
        if let Some(v) = v {
            *field = if v.is_empty() { None } else { Some(v) };
        }
    };
    set(&mut p.tenant_id, a.tenant);
    set(&mut p.client_id, a.client_id);
    set(&mut p.audience, a.audience);
    set(&mut p.issuer, a.issuer);
    set(&mut p.authority, a.authority);
    set(&mut p.metadata_address, a.metadata);
    set(&mut p.required_claims, a.required_claims);
    if let Some(v) = a.clock_skew {
        p.clock_skew = v;
    }
    if let Some(v) = a.jwks_cache_duration {
        p.jwks_cache_duration = v;
    }
    let path = store.save(&p).map_err(|e| e.to_string())?;
    eprintln!("saved profile '{}' to {}", p.name, path.display());
    output::print_json(&p).map_err(message)
}

fn import(store: &ProfileStore, name: &str, file: Option<PathBuf>) -> Result<(), String> {
    let text = match file {
        None => read_stdin()?,
        Some(f) if f.as_os_str() == "-" => read_stdin()?,
        Some(f) => std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?,
    };
    let report = import_settings(name, &text);
    if report.recognised.is_empty() {
        return Err("no known setting found: expected lines like 'Tenant ID: …', 'Issuer = …', or a label and its value on consecutive lines".into());
    }
    if !report.problems.is_empty() {
        return Err(format!("the profile was not saved: {}", report.problems.join("; ")));
    }
    for u in &report.unknown {
        eprintln!("warning: not a JWT validation setting, ignored: {u}");
    }
    store.save(&report.profile).map_err(|e| e.to_string())?;
    output::print_json(&report).map_err(message)
}
