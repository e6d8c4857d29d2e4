//! [`LeaseCounts`]: what the Leases screen counts beside its page of leases (in its overview),
//! counted by the store over every lease (`LeaseStore::lease_counts`). Its own module, below
//! both the overview's types and the store's port, which each name it.

use serde::Serialize;
use std::collections::BTreeMap;

/// What the screen counts beside its page of leases (the whole store, whatever the page's filters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LeaseCounts {
    /// Every lease.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// Leases not yet over (`LeaseState::Live`): what a copied store leaves to the original.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub live: u64,
    /// Pending or revoke-failed: what needs the admin's attention.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub attention: u64,
    /// Leases recorded before leases were bound to a tenant (see `Leases::bind`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unbound: u64,
    /// Live leases by definition name (definitions without one are left out): a definition is
    /// removed only once this is zero.
    #[cfg_attr(feature = "ts", ts(type = "Record<string, number>"))]
    pub live_by_definition: BTreeMap<String, u64>,
}
