//! The words of a store that several desktops and `entractl` processes share (the team store):
//! who maintains it ([`Leadership`]), what changed ([`StoreChange`]), and everything it holds,
//! to move it ([`StoreSnapshot`]). What the screen is told about a store is in `leases::sharing`.
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

