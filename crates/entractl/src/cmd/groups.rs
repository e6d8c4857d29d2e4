//! `entractl groups`: the group cache from the command line. Glue over
//! [`entra_core::groups::Groups`]; the cache is `<data dir>/cache.sqlite` (`ENTRA_DESK_DATA_DIR`),
//! shared with the app, also with `--demo` (the demo tenant is deterministic from its seed, so
//! its ids are the same from run to run).
//!
//! - `sync [--full]`: prints `{groups, users, memberships, full, fell_back, changes, requests, duration_ms, as_of}`.
//! - `member-of USER_ID [--transitive]`: a JSON array of `{id, displayName, depth}`.
//! - `members GROUP_ID [--transitive]`: a JSON array of `{id, displayName, kind, depth, via}`.
//! - `why USER_ID GROUP_ID`: the chain as a JSON array of group IDs, from the group that
//!   directly contains the user up to the group; `[]` and exit code 1 when the user is not in it.
//! - `stats`, `policy [HH:MM:SS]`: from the cache only, no sign-in.
//!
//! Reads apply the cache policy: a cache older than the duration is refreshed first (by delta)
//! as the signed-in account; `--offline` answers from the cache as it is. Sign-in options as
//! `entractl expiry` ([`super::session`]). Exit codes: 0; 1 "not a member" (`why`); 2 bad input
//! or failure (reason on stderr).

use super::session::{self, DemoSession, SessionArgs};
use entra_core::groups::{CacheState, Freshness, Groups};
use entra_core::{Desk, Error};
use serde_json::{json, Value};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

/// `entractl groups`.
#[derive(Debug, clap::Args)]
pub struct GroupsArgs {
    #[command(subcommand)]
    pub command: GroupsCommand,
}

/// Options of the reads.
#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    #[command(flatten)]
    pub session: SessionArgs,
    /// Answer from the local cache as it is, without signing in or refreshing.
    #[arg(long, conflicts_with_all = ["demo", "account"])]
    pub offline: bool,
}

/// The `groups` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum GroupsCommand {
    /// Bring the cache up to date: the changes since the last sync, or everything (`--full`).
    Sync {
        #[command(flatten)]
        session: SessionArgs,
        /// Read everything again instead of the changes.
        #[arg(long)]
        full: bool,
    },
    /// The groups a user is in (direct, or with `--transitive` through nested groups).
    MemberOf {
        /// The user's object ID.
        user_id: String,
        /// Include groups the user is in through nested groups.
        #[arg(long)]
        transitive: bool,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// A group's members (direct, or with `--transitive` nested ones too).
    Members {
        /// The group's object ID.
        group_id: String,
        /// Include members of nested groups.
        #[arg(long)]
        transitive: bool,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Why a user is in a group: the chain of nested groups (exit 1 and `[]` when not a member).
    Why {
        /// The user's object ID.
        user_id: String,
        /// The group's object ID.
        group_id: String,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Entries, memberships, size on disk, the last sync, hits and misses (cache only).
    Stats,
    /// Show the cache duration, or set it (HH:MM:SS; 00:00:00 disables the cache).
    Policy {
        /// The new duration, e.g. 00:30:00.
        duration: Option<String>,
    },
}

/// `entractl groups`.
pub async fn run(args: GroupsArgs) -> ExitCode {
    match command(args.command).await {
        Ok((value, code)) => match serde_json::to_string_pretty(&value) {
            Ok(text) => {
                println!("{text}");
                code
            }
            Err(e) => {
                eprintln!("error[internal]: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("error[{}]: {}", e.code(), e.message());
            ExitCode::from(2)
        }
    }
}

/// What a command works with: the service over the data folder's cache, the account to
/// refresh as (none: offline), and the demo session to close afterwards.
struct Context {
    groups: Groups,
    account: Option<String>,
    demo: Option<DemoSession>,
}

impl Context {
    async fn open(session_args: Option<&SessionArgs>) -> Result<Context, Error> {
        let data_dir = entra_core::paths::data_dir()?;
        let store = entra_core::apps::open_store(&data_dir)?;
        match session_args {
            Some(args) if args.demo => {
                let demo = DemoSession::start("groups", entra_demo::DemoOptions::default()).await?;
                let groups = Groups::new(demo.desk.clone(), store);
                Ok(Context { groups, account: Some(demo.account_id.clone()), demo: Some(demo) })
            }
            Some(args) => {
                let desk = Desk::open(&data_dir)?;
                let account = session::account(&desk, args).await?;
                Ok(Context { groups: Groups::new(desk, store), account: Some(account), demo: None })
            }
            None => Ok(Context { groups: Groups::new(Desk::open(&data_dir)?, store), account: None, demo: None }),
        }
    }

    async fn close(self) {
        if let Some(demo) = self.demo {
            demo.close().await;
        }
    }
}

async fn command(command: GroupsCommand) -> Result<(Value, ExitCode), Error> {
    let session_args = match &command {
        GroupsCommand::Sync { session, .. } => Some(session),
        GroupsCommand::MemberOf { read, .. } | GroupsCommand::Members { read, .. } | GroupsCommand::Why { read, .. } => {
            (!read.offline).then_some(&read.session)
        }
        GroupsCommand::Stats | GroupsCommand::Policy { .. } => None,
    };
    let context = Context::open(session_args).await?;
    let result = answer(&context, command).await;
    context.close().await;
    result
}

async fn answer(context: &Context, command: GroupsCommand) -> Result<(Value, ExitCode), Error> {
    let (groups, account) = (&context.groups, context.account.as_deref());
    match command {
        GroupsCommand::Sync { full, .. } => {
            let account = account.ok_or_else(|| Error::internal("no account to sync as"))?;
            let s = groups.refresh(account, full, &|_| {}, CancellationToken::new()).await?;
            if let Some(why) = &s.fell_back {
                eprintln!("Full sync: {why}.");
            }
            let value = json!({
                "groups": s.groups, "users": s.users, "memberships": s.memberships, "full": s.full,
                "fell_back": s.fell_back, "changes": s.changes, "requests": s.requests,
                "duration_ms": s.duration_ms, "as_of": s.as_of,
            });
            Ok((value, ExitCode::SUCCESS))
        }
        GroupsCommand::MemberOf { user_id, transitive, .. } => {
            let answer = groups.member_of(account, &user_id, transitive).await?;
            note(&answer.cache);
            let rows: Vec<Value> = answer.groups.iter().map(|g| json!({"id": g.group.id, "displayName": g.group.display_name, "depth": g.depth})).collect();
            Ok((Value::Array(rows), ExitCode::SUCCESS))
        }
        GroupsCommand::Members { group_id, transitive, .. } => {
            let answer = groups.members(account, &group_id, transitive).await?;
            note(&answer.cache);
            let rows: Vec<Value> = answer
                .members
                .iter()
                .map(|m| json!({"id": m.member.id, "displayName": m.member.display_name, "kind": m.member.kind, "depth": m.depth, "via": m.via.as_ref().map(|g| &g.id)}))
                .collect();
            Ok((Value::Array(rows), ExitCode::SUCCESS))
        }
        GroupsCommand::Why { user_id, group_id, .. } => {
            let answer = groups.why(account, &user_id, &group_id).await?;
            note(&answer.cache);
            let chain: Vec<&str> = answer.chain.iter().map(|g| g.id.as_str()).collect();
            let code = if answer.member { ExitCode::SUCCESS } else { ExitCode::from(1) };
            Ok((json!(chain), code))
        }
        GroupsCommand::Stats => Ok((serde_json::to_value(groups.overview().await?).map_err(|e| Error::internal(e.to_string()))?, ExitCode::SUCCESS)),
        GroupsCommand::Policy { duration } => {
            let policy = match duration {
                Some(text) => groups.set_policy(&text).await?,
                None => groups.overview().await?.policy,
            };
            Ok((serde_json::to_value(policy).map_err(|e| Error::internal(e.to_string()))?, ExitCode::SUCCESS))
        }
    }
}

/// Says on stderr when the answer is not fresh.
fn note(cache: &CacheState) {
    if cache.freshness != Freshness::Fresh {
        let as_of = cache.as_of.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into());
        eprintln!("Note: answered from the cache as of {as_of} ({}).", cache.stale_reason.as_deref().unwrap_or("stale"));
    }
}
