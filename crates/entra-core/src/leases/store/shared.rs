//! The words of a store that several desktops and `entractl` processes share (the team store):
//! what it is ([`StoreDescription`]), who maintains it ([`Leadership`], [`LeaderInfo`]), what
//! changed ([`StoreChange`]), and everything it holds, to move it ([`StoreSnapshot`]).
//!
//! # Leadership
//! In a shared store one member at a time sweeps, retries failed revocations and reconciles:
//! ten desktops reconciling the same targets would spend the tenant's Graph budget ten times
//! and race each other's removals. The leader holds a row whose expiry the *database's* clock
//! sets (members' clocks disagree), renews it while it works, and every write it makes as the
//! leader re-checks, in the same transaction, that it still holds the term it was given
//! (fencing): a leader that stalled past its expiry while another took over can no longer
//! write, so nothing is revoked twice or adopted by two members.

use super::chain::ChainedLine;
use super::StoredLease;
use crate::leases::types::Definition;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A store of one desktop, or of a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum StoreKind {
    /// `leases.sqlite` in this desktop's data folder.
    Local,
    /// A PostgreSQL database the team shares.
    Team,
}

/// What the Leases screen says about the store it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StoreDescription {
    /// Local or team.
    pub kind: StoreKind,
    /// The file's path, or `host:port/database` (never a user's password).
    pub location: String,
}

/// A maintenance term this member holds (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leadership {
    /// Who holds it: `account@host:pid`, unique per process.
    pub member: String,
    /// The term's number, one more on every change of leader: the fence every leader write checks.
    pub term: u64,
    /// When it ends unless renewed (the store's clock).
    pub until: DateTime<Utc>,
}

/// The current leader, for the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LeaderInfo {
    /// Who: `account@host:pid`.
    pub member: String,
    /// Since when this member leads (this term).
    pub since: DateTime<Utc>,
    /// When its term ends unless renewed.
    pub until: DateTime<Utc>,
}

/// What a shared store announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChange {
    /// A member committed a change to definitions or leases.
    Changed,
    /// The announcements were interrupted (a lost connection) and resumed: changes may have
    /// been missed, so re-read everything.
    Reconnected,
}

/// Everything a store holds, as stored: what `entractl lease migrate` moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSnapshot {
    /// The store's ID: it travels, so the markers of the credentials its leases created keep
    /// naming the store that now holds them.
    pub store_id: String,
    /// Every definition.
    pub definitions: Vec<Definition>,
    /// Every lease, with its owner and row version.
    pub leases: Vec<StoredLease>,
    /// The audit log, oldest first, with its hash chain as it is.
    pub audit: Vec<ChainedLine>,
}

impl StoreSnapshot {
    /// Whether the snapshot holds nothing worth moving.
    pub fn is_empty(&self) -> bool {
        self.definitions.is_empty() && self.leases.is_empty() && self.audit.is_empty()
    }
}

/// A team store's connection test: what the Leases screen's "Use a team store…" and `entractl
/// lease store check` show before anyone relies on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StoreCheck {
    /// `host:port/database`.
    pub location: String,
    /// The server's version (`server_version`).
    pub server_version: String,
    /// Who the database says we are (`session_user`).
    pub database_user: String,
    /// Whether the connection is encrypted (TLS, certificate and host name verified).
    pub tls: bool,
    /// The store's schema version, and the newest this build knows.
    pub schema_version: u32,
    /// Whether this user may write leases (a member or the owner), not only read them.
    pub may_write: bool,
    /// The store's ID (the middle of every marker its leases carry).
    pub store_id: String,
}
