//! One refresh's shared state: the [`Job`] (the service, the account's Graph client, the
//! cancel token, the scope the cache is filled for) and its [`Meter`] (progress counters,
//! reported after each page), used by the delta walks (`sync`) and the listings alike.

use super::{Groups, GroupsSyncProgress};
use entra_graph::GraphClient;
use std::sync::Mutex;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Where a refresh reports its progress.
pub(super) type Progress<'a> = &'a (dyn Fn(GroupsSyncProgress) + Send + Sync);

/// Counters shared by the walks and listings, reported after each page.
pub(super) struct Meter<'a> {
    pub(super) progress: Progress<'a>,
    pub(super) state: Mutex<GroupsSyncProgress>,
}

impl Meter<'_> {
    pub(super) fn step(&self, update: impl FnOnce(&mut GroupsSyncProgress)) {
        let event = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            update(&mut s);
            s.clone()
        };
        (self.progress)(event);
    }
    pub(super) fn requests(&self) -> u64 {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).requests
    }
}

/// One refresh.
pub(super) struct Job<'a> {
    pub(super) groups: &'a Groups,
    pub(super) graph: &'a GraphClient,
    pub(super) meter: &'a Meter<'a>,
    pub(super) cancel: &'a CancellationToken,
    pub(super) scope: String,
    pub(super) started: Instant,
}
