//! `entractl groups`: the group cache from the command line. Glue over
//! [`entra_core::groups::Groups`]; the cache is `<data dir>/cache.sqlite` (`ENTRA_DESK_DATA_DIR`),
//! shared with the app, also with `--demo` (the demo tenant is deterministic from its seed, so
//! its ids are the same from run to run).
//!
//! Every command prints, as JSON ([`crate::output`]), the core's answer: the same type, and so
//! the same camelCase keys, the Group caches screen reads over IPC.
//!
//! - `sync [--full]`: the sync summary (`{full, fellBack, groups, users, memberships, changes,
//!   requests, durationMs, asOf, method, resumed}`). Progress goes to stderr: a line per step,
//!   and when the sync starts or stops waiting for Graph's budget; on a terminal, also every
//!   few seconds (a first sync of a large tenant takes minutes). Each line ends with the
//!   seconds since the sync began, so a log tells how long each step took.
//! - `member-of USER_ID [--transitive]`: `{user, transitive, groups: [{group: {id, displayName}, depth}], cache}`.
//! - `members GROUP_ID [--transitive]`: `{group, transitive, members: [{member, depth, via}], cache}`,
//!   every member, read from the cache a page at a time (as the screen reads them).
//! - `why USER_ID GROUP_ID`: `{user, group, member, chain, cache}`, the chain running from the
//!   group that directly contains the user up to the group; exit code 1 when the user is not in it.
//! - `stats`, `policy [DURATION]`: from the cache only, no sign-in. The duration is read in the
//!   desk's one grammar ([`entra_core::duration`]: `00:30:00`, `30m`, `1h30m`) and shown `hh:mm:ss`.
//!
//! Reads apply the cache policy: a cache older than the duration is refreshed first (by delta)
//! as the signed-in account; `--offline` answers from the cache as it is. Sign-in options as
//! `entractl expiry` ([`super::signin_args`]). Exit codes: 0; 1 "not a member" (`why`); 2 bad input
//! or failure (reason on stderr).

use super::signin_args::{self, SignInArgs, ThrowawayDemo};
use crate::output;
use entra_core::groups::{CacheState, Freshness, Groups, GroupsSyncPhase, GroupsSyncProgress, MemberList, SyncMethod};
use entra_core::paging::{ListQuery, MAX_PAGE_ROWS};
use entra_core::{Desk, Error};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

/// `entractl groups`.
#[derive(Debug, clap::Args)]
pub struct GroupsArgs {
    #[command(subcommand)]
    pub command: GroupsCommand,
}

/// `groups sync --method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FullMethod {
    /// By the tenant's size.
    Auto,
    /// Walk `/groups/delta` and `/users/delta` from scratch.
    DeltaWalk,
    /// Listings, member batches, then the changes made meanwhile.
    Listings,
}

/// Options of the reads.
#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    #[command(flatten)]
    pub sign_in: SignInArgs,
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
        sign_in: SignInArgs,
        /// Read everything again instead of the changes.
        #[arg(long)]
        full: bool,
        /// How a full read goes: `delta-walk` (one chain of delta pages; small tenants),
        /// `listings` (parallel listings and member batches, resumable; large tenants) or
        /// `auto` (by the tenant's size, and a sync a killed run left is resumed).
        #[arg(long, value_enum, default_value_t = FullMethod::Auto)]
        method: FullMethod,
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
    /// Show the cache duration, or set it (e.g. 00:30:00 or 30m; zero disables the cache; at most 7 days).
    Policy {
        /// The new duration: hh:mm:ss as in Entra (00:30:00), or units (30m, 1h30m, 2d).
        duration: Option<String>,
    },
}

/// `entractl groups`.
pub async fn run(args: GroupsArgs) -> ExitCode {
    match command(args.command).await {
        Ok((json, code)) => {
            println!("{json}");
            code
        }
        Err(e) => output::fail(&e),
    }
}

/// What a command works with: the service over the data folder's cache, the account to
/// refresh as (none: offline), and the throwaway demo to close afterwards.
struct Context {
    groups: Groups,
    account: Option<String>,
    demo: Option<ThrowawayDemo>,
}

impl Context {
    async fn open(sign_in: Option<&SignInArgs>) -> Result<Context, Error> {
        let data_dir = entra_core::paths::data_dir()?;
        let store = entra_core::cache::open(&data_dir)?;
        match sign_in {
            Some(args) if args.demo => {
                let demo = ThrowawayDemo::start("groups", entra_demo::DemoOptions::default()).await?;
                let groups = Groups::new(demo.desk.clone(), store);
                Ok(Context { groups, account: Some(demo.account_id.clone()), demo: Some(demo) })
            }
            Some(args) => {
                let desk = Desk::open(&data_dir)?;
                let account = signin_args::account(&desk, args).await?;
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

async fn command(command: GroupsCommand) -> Result<(String, ExitCode), Error> {
    let sign_in = match &command {
        GroupsCommand::Sync { sign_in, .. } => Some(sign_in),
        GroupsCommand::MemberOf { read, .. } | GroupsCommand::Members { read, .. } | GroupsCommand::Why { read, .. } => {
            (!read.offline).then_some(&read.sign_in)
        }
        GroupsCommand::Stats | GroupsCommand::Policy { .. } => None,
    };
    let context = Context::open(sign_in).await?;
    let result = answer(&context, command).await;
    context.close().await;
    result
}

/// The answer as JSON text (the core's type, as IPC returns it) and the exit code.
async fn answer(context: &Context, command: GroupsCommand) -> Result<(String, ExitCode), Error> {
    let (groups, account) = (&context.groups, context.account.as_deref());
    let ok = |json: String| Ok((json, ExitCode::SUCCESS));
    match command {
        GroupsCommand::Sync { full, method, .. } => {
            let account = account.ok_or_else(|| Error::internal("no account to sync as"))?;
            let method = match method {
                FullMethod::Auto => None,
                FullMethod::DeltaWalk => Some(SyncMethod::DeltaWalk),
                FullMethod::Listings => Some(SyncMethod::Listings),
            };
            let progress = SyncLines::new();
            let summary = groups.refresh_with(account, full, method, &|p| progress.show(&p), CancellationToken::new()).await?;
            if let Some(why) = &summary.fell_back {
                eprintln!("Full sync: {why}.");
            }
            ok(output::json(&summary)?)
        }
        GroupsCommand::MemberOf { user_id, transitive, .. } => {
            let answer = groups.member_of(account, &user_id, transitive).await?;
            note(&answer.cache);
            ok(output::json(&answer)?)
        }
        GroupsCommand::Members { group_id, transitive, .. } => {
            let answer = all_members(groups, account, &group_id, transitive).await?;
            note(&answer.cache);
            ok(output::json(&answer)?)
        }
        GroupsCommand::Why { user_id, group_id, .. } => {
            let answer = groups.why(account, &user_id, &group_id).await?;
            note(&answer.cache);
            let code = if answer.member { ExitCode::SUCCESS } else { ExitCode::from(1) };
            Ok((output::json(&answer)?, code))
        }
        GroupsCommand::Stats => ok(output::json(&groups.overview().await?)?),
        GroupsCommand::Policy { duration } => {
            let policy = match duration {
                Some(text) => groups.set_policy(&text).await?,
                None => groups.overview().await?.policy,
            };
            ok(output::json(&policy)?)
        }
    }
}

/// Every member of a group, read a page at a time (the cache policy applies to the first
/// page). A list is of one sync: when the cache changes between pages, it is read again
/// (twice at most, then whole, in one read).
async fn all_members(groups: &Groups, account: Option<&str>, group_id: &str, transitive: bool) -> Result<MemberList, Error> {
    let mut account = account;
    for _ in 0..2 {
        let mut query = ListQuery { limit: Some(MAX_PAGE_ROWS), ..ListQuery::default() };
        let first = groups.members_page(account, group_id, transitive, &query).await?;
        account = None;
        let (group, cache) = (first.group, first.cache);
        let (mut members, mut next) = (first.members.items, first.members.next);
        while let Some(start) = next {
            query.start = start;
            let page = groups.members_page(None, group_id, transitive, &query).await?;
            if page.cache.as_of != cache.as_of {
                break;
            }
            members.extend(page.members.items);
            next = page.members.next;
        }
        if next.is_none() {
            return Ok(MemberList { group, transitive, members, cache });
        }
    }
    groups.members(None, group_id, transitive).await
}

/// Says on stderr when the answer is not fresh.
fn note(cache: &CacheState) {
    if cache.freshness != Freshness::Fresh {
        let as_of = cache.as_of.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into());
        eprintln!("Note: answered from the cache as of {as_of} ({}).", cache.stale_reason.as_deref().unwrap_or("stale"));
    }
}

/// The progress lines of `groups sync` on stderr: see the module documentation.
struct SyncLines {
    terminal: bool,
    started: std::time::Instant,
    last: std::sync::Mutex<Option<(std::time::Instant, GroupsSyncProgress)>>,
}

impl SyncLines {
    /// How often a terminal hears that the same step goes on.
    const EVERY: std::time::Duration = std::time::Duration::from_secs(3);

    fn new() -> SyncLines {
        SyncLines { terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()), started: std::time::Instant::now(), last: std::sync::Mutex::new(None) }
    }

    fn show(&self, p: &GroupsSyncProgress) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let news = match &*last {
            None => true,
            Some((at, before)) => {
                before.phase != p.phase || before.waiting_for_budget != p.waiting_for_budget || (self.terminal && at.elapsed() >= Self::EVERY)
            }
        };
        if !news {
            return;
        }
        *last = Some((std::time::Instant::now(), p.clone()));
        let step = match p.phase {
            GroupsSyncPhase::Groups => "reading groups",
            GroupsSyncPhase::Users => "reading users",
            GroupsSyncPhase::Members => "reading members",
            GroupsSyncPhase::Names => "naming members",
            GroupsSyncPhase::Saving => "saving",
        };
        let waiting = if p.waiting_for_budget { "; waiting for Graph's budget to come back" } else { "" };
        eprintln!(
            "groups sync: {step}: {} pages, {} groups, {} membership changes, {} requests, {} resource units{waiting}; {:.1} s",
            p.pages,
            p.groups,
            p.memberships,
            p.requests,
            p.units,
            self.started.elapsed().as_secs_f64()
        );
    }
}
