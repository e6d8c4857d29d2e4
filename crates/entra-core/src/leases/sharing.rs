//! What the Leases screen and `entractl` are told about the store they use: local or team and
//! where ([`StoreDescription`]), who maintains a team store ([`LeaderInfo`]), and a team
//! store's connection test ([`StoreCheck`]). Their own module because both the screen's types
//! (`types`) and the store port (`store`) speak them.

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
