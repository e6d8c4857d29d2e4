//! `entractl lease`: dynamic secrets (leases) from the command line. Glue over
//! [`entra_core::leases::Leases`]; the lease store is `<data dir>/leases.sqlite`
//! (`ENTRA_DESK_DATA_DIR`), shared with the app. This module holds the clap definitions and the
//! dispatch; each job has its own file:
//!
//! - `define`: `define NAME --kind app-secret|user-password|access-token --target OBJECT_ID|SCOPE
//!   --ttl D --max-ttl D` (`--i-understand-this-resets-a-password` for user-password;
//!   `--app-client-id ID` for access-token, its secret in `ENTRA_LEASE_CLIENT_SECRET`, never a
//!   flag), `definitions`, `undefine NAME`.
//! - `issue`: `issue DEF [--ttl D] [--wait]` prints the secret once (stdout); with `--format json`
//!   the app's own `{lease, secret, secretExpiresAt, usableAfterMs, warning}`.
//! - `lifecycle`: `list`, `show ID`, `renew ID [--ttl D]`, `revoke ID`, `token ID` (an
//!   access-token lease's token, with `--format json` `{token, expiresAt}`: the token's own expiry).
//! - `maintain`: `reconcile`, `sweep`, `bind`, `relocate moved|copied`, `maintain [--once]` (the app's background maintenance,
//!   headless, until Ctrl-C or SIGTERM) and `overview` (the store's ID, definitions, lease
//!   counts and the last maintenance run, as JSON; `list` prints the leases).
//! - `audit`: `audit [--limit N] [--format table|json|csv|jsonl]` (csv/jsonl: the whole log,
//!   oldest first); `audit --verify [--format table|json]` checks the log's hash chain.
//! - `team`: a team store — `store init URL [--member ROLE]… [--apply]`, `store check`,
//!   `store password` (stdin → keychain), `store forget-password` — and `migrate --to URL`.
//!   Every subcommand takes `--lease-store URL` (else `ENTRA_DESK_LEASE_STORE`, else
//!   `leaseStore` in the settings file, else the local file); a team store's password comes
//!   from `ENTRA_DESK_LEASE_STORE_PASSWORD` (headless), the keychain, or an Entra token
//!   (`auth=entra`, minted from the signed-in account before each new connection).
//! - `render`: the tables and lines people read; `context`: who the command signs in as.
//!
//! JSON output is the core's types as the app's screen receives them: camelCase keys and
//! values (`maxExpiresAt`, `appSecret`, `revokeFailed`), RFC 3339 times. Text output keeps the
//! command line's kebab-case names (`app-secret`, `revoke-failed`), as `--kind` takes them.
//! Every subcommand takes the sign-in options of `entractl expiry`; the ones that only read or
//! change the local store (`definitions`, `undefine`, `list`, `show`, `renew`, `audit`,
//! `overview`) accept them and never sign in. `define` signs in: a definition belongs to the
//! tenant it was defined in, and every command that acts in a tenant refuses an account of
//! another (exit 2, `error[wrong_tenant]`). With `--demo`, the tenant and a lease store of its
//! own live only as long as the command: nothing done there is recorded in the data folder.
//!
//! Exit codes: 0; 1 the command ran but something still needs another run (`reconcile` with
//! errors in its report, `sweep` with leases still failing to revoke, `maintain --once` with
//! an error in its run; `audit --verify` finding the audit log's hash chain broken: keep the
//! file); 2 bad input or a failure, as `error[code]: message` on stderr (as every entractl
//! command).

mod audit;
mod context;
mod define;
mod issue;
mod lifecycle;
mod maintain;
mod render;
mod team;

use crate::cmd::signin_args::SignInArgs;
use crate::output;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use context::{Context, Need};
use entra_core::leases::LeaseKind;
use entra_core::Error;
use std::process::ExitCode;

/// The variable holding an access-token definition's client secret (never a flag: flags end up in shell history).
pub const LEASE_CLIENT_SECRET_ENV: &str = "ENTRA_LEASE_CLIENT_SECRET";

/// Output formats of most subcommands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines and aligned tables for people.
    #[default]
    Table,
    /// JSON: the app's own types (camelCase, RFC 3339 times).
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

/// `relocate`'s answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RelocationArg {
    /// The old place is no longer used: the same store, recorded here.
    Moved,
    /// The original still runs: this copy becomes a store of its own.
    Copied,
}

impl From<RelocationArg> for entra_core::leases::Relocation {
    fn from(arg: RelocationArg) -> Self {
        match arg {
            RelocationArg::Moved => entra_core::leases::Relocation::Moved,
            RelocationArg::Copied => entra_core::leases::Relocation::Copied,
        }
    }
}

/// `--kind`: the core's own kinds under their command-line names, each with what `--target` is for it.
fn kind_parser() -> impl TypedValueParser<Value = LeaseKind> {
    let values = LeaseKind::ALL.map(|kind| {
        let help = match kind {
            LeaseKind::AppSecret => "A client secret added to an app registration (--target: the application's object ID)",
            LeaseKind::UserPassword => "A random password set on a real user (--target: the user's object ID). Resets the account!",
            LeaseKind::AccessToken => "An app-only access token (--target: a scope ending in /.default; --app-client-id)",
        };
        PossibleValue::new(kind.as_str()).help(help)
    });
    // Clap has already refused anything but the names above, so the parse cannot fail.
    PossibleValuesParser::new(values).map(|name| name.parse::<LeaseKind>().expect("clap passes only the kinds' own names"))
}

/// `--every`: a duration of at least a second, as `--ttl` takes them.
fn every_parser(text: &str) -> Result<std::time::Duration, String> {
    entra_core::leases::parse_duration(text).map(std::time::Duration::from_secs).map_err(|e| e.message().to_string())
}

/// `entractl lease`.
#[derive(Debug, clap::Args)]
pub struct LeaseArgs {
    /// The lease store: `local` (this desktop's file) or a team store,
    /// postgres://USER@HOST[:PORT]/DATABASE[?sslmode=verify-full&auth=entra] (no password in it).
    /// Default: ENTRA_DESK_LEASE_STORE, else leaseStore in the settings file, else local.
    #[arg(long, global = true, value_name = "URL")]
    pub lease_store: Option<String>,
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
        #[arg(long, value_parser = kind_parser())]
        kind: LeaseKind,
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
        signin: SignInArgs,
    },
    /// The dynamic secrets defined.
    Definitions {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// Remove a definition (refused while it has live leases).
    Undefine {
        /// The definition's name.
        name: String,
        #[command(flatten)]
        signin: SignInArgs,
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
        signin: SignInArgs,
    },
    /// Every lease, newest first.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// One lease, in full.
    Show {
        /// The lease ID.
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
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
        signin: SignInArgs,
    },
    /// Revoke a lease now (a failed revocation is recorded and retried by `sweep`).
    Revoke {
        /// The lease ID.
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// Compare the tenant with the store: remove this store's orphaned credentials, adopt or
    /// close interrupted issues and revocations. Never touches anything not made by this store.
    Reconcile {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// Bind the definitions and leases recorded before Entra Desk bound them to their tenant
    /// (nothing acts on them until then) to the tenant you sign in to. Only if it is theirs.
    Bind {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// Say what a lease store found where it was not made is: `moved` (the old place is no
    /// longer used) or `copied` (the original still runs: this copy gets a store ID of its own and
    /// leaves the leases it holds to the original). Until then it acts in no tenant.
    Relocate {
        #[arg(value_enum)]
        decision: RelocationArg,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// Revoke expired leases and retry failed revocations whose backoff is over.
    Sweep {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// Run the app's background maintenance headless: a sweep at once and every minute, a
    /// reconciliation at start and every 10 minutes, until Ctrl-C or SIGTERM. One line (or, with
    /// --format json, one JSON object) per run on stdout. With a team store, only the member
    /// holding the maintenance leadership runs; the others stand by and take over within ~25 s
    /// when it stops (`daemon` is the same command, for a server that keeps it running).
    #[command(visible_alias = "daemon")]
    Maintain {
        /// Run once and exit (1 if the run could not finish; refused while another member
        /// maintains the team store).
        #[arg(long)]
        once: bool,
        /// How often to sweep (a reconciliation still runs every 10 minutes), e.g. 15s, 1m.
        #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = every_parser)]
        every: std::time::Duration,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// The audit log.
    Audit {
        /// The newest N lines (table and json only).
        #[arg(long, value_name = "N", conflicts_with = "verify")]
        limit: Option<usize>,
        /// Check the log's hash chain instead of printing it (table or json): the lines checked,
        /// the head to write down, and the first broken line (exit 1 when there is one).
        #[arg(long)]
        verify: bool,
        #[arg(long, value_enum, default_value_t)]
        format: AuditOutput,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// An access-token lease's current token (fetched again if needed), alone on stdout; its own
    /// expiry on stderr (with --format json: `{token, expiresAt}` on stdout).
    Token {
        /// The lease ID.
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// The store's ID, definitions, lease counts and last maintenance run, as JSON.
    Overview {
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// Move this store's definitions, leases (open ones too: their markers keep working, the
    /// store ID travels) and audit log into an empty team store. This store then acts in no
    /// tenant any more; a second run is refused.
    Migrate {
        /// The team store: postgres://USER@HOST[:PORT]/DATABASE[?sslmode=verify-full] (no password).
        #[arg(long, value_name = "URL")]
        to: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        signin: SignInArgs,
    },
    /// A team store: its schema and grants, a connection test, its password in the keychain.
    #[command(subcommand)]
    Store(team::StoreCommand),
}

/// `entractl lease`.
pub async fn run(args: LeaseArgs) -> ExitCode {
    match command(args.command, args.lease_store.as_deref()).await {
        Ok(code) => code,
        Err(e) => output::fail(&e),
    }
}

/// Whether a subcommand signs in, and its sign-in options.
fn need(command: &LeaseCommand) -> Option<(&SignInArgs, Need)> {
    Some(match command {
        LeaseCommand::Define { signin, .. }
        | LeaseCommand::Issue { signin, .. }
        | LeaseCommand::Bind { signin, .. }
        | LeaseCommand::Revoke { signin, .. }
        | LeaseCommand::Reconcile { signin, .. }
        | LeaseCommand::Sweep { signin, .. }
        | LeaseCommand::Maintain { signin, .. }
        | LeaseCommand::Token { signin, .. } => (signin, Need::Account),
        LeaseCommand::Definitions { signin, .. }
        | LeaseCommand::Undefine { signin, .. }
        | LeaseCommand::List { signin, .. }
        | LeaseCommand::Show { signin, .. }
        | LeaseCommand::Renew { signin, .. }
        | LeaseCommand::Relocate { signin, .. }
        | LeaseCommand::Audit { signin, .. }
        | LeaseCommand::Migrate { signin, .. }
        | LeaseCommand::Overview { signin } => (signin, Need::Nothing),
        // Answered without a lease service (see `command`).
        LeaseCommand::Store(_) => return None,
    })
}

async fn command(command: LeaseCommand, store_flag: Option<&str>) -> Result<ExitCode, Error> {
    let command = match command {
        LeaseCommand::Store(store) => return team::store(store, store_flag).await,
        other => other,
    };
    // Checked before anything starts or signs in.
    if let LeaseCommand::Define { kind: LeaseKind::AccessToken, app_client_id: None, .. } = &command {
        return Err(Error::invalid_input("An access-token definition needs --app-client-id (the client ID whose secret gets the token)"));
    }
    let Some((signin, need)) = need(&command) else {
        return Err(Error::internal("`lease store` needs no lease service; this is a bug: please report it"));
    };
    let context = Context::open(signin, need, store_flag).await?;
    let result = answer(&context, command).await;
    context.close().await;
    result
}

async fn answer(context: &Context, command: LeaseCommand) -> Result<ExitCode, Error> {
    match command {
        LeaseCommand::Define { name, kind, target, ttl, max_ttl, acknowledge_password_reset, app_client_id, format, .. } => {
            let request = define::Request { name, kind, target, ttl, max_ttl, acknowledge_password_reset, app_client_id };
            define::define(context, request, format).await
        }
        LeaseCommand::Definitions { format, .. } => define::definitions(context, format).await,
        LeaseCommand::Undefine { name, .. } => define::undefine(context, &name).await,
        LeaseCommand::Issue { definition, ttl, wait, format, .. } => issue::issue(context, definition, ttl, wait, format).await,
        LeaseCommand::List { format, .. } => lifecycle::list(context, format).await,
        LeaseCommand::Show { id, format, .. } => lifecycle::show(context, &id, format).await,
        LeaseCommand::Renew { id, ttl, format, .. } => lifecycle::renew(context, &id, ttl.as_deref(), format).await,
        LeaseCommand::Revoke { id, format, .. } => lifecycle::revoke(context, &id, format).await,
        LeaseCommand::Token { id, format, .. } => lifecycle::token(context, &id, format).await,
        LeaseCommand::Reconcile { format, .. } => maintain::reconcile(context, format).await,
        LeaseCommand::Sweep { format, .. } => maintain::sweep(context, format).await,
        LeaseCommand::Bind { format, .. } => maintain::bind(context, format).await,
        LeaseCommand::Relocate { decision, format, .. } => maintain::relocate(context, decision.into(), format).await,
        LeaseCommand::Maintain { once, every, format, .. } => maintain::maintain(context, once, every, format).await,
        LeaseCommand::Overview { .. } => maintain::overview(context).await,
        LeaseCommand::Migrate { to, format, .. } => team::migrate(context, &to, format).await,
        LeaseCommand::Store(store) => team::store(store, None).await,
        LeaseCommand::Audit { verify: true, format, .. } => audit::verify(context, format).await,
        LeaseCommand::Audit { limit, format, .. } => audit::audit(context, limit, format).await,
    }
}
