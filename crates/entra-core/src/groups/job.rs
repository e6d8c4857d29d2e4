//! One refresh's shared state: the [`Job`] (the service, the account's Graph client, the
//! cancel token, the scope the cache is filled for) and its [`Meter`] (progress counters,
//! reported after each page), used by the delta walks (`sync`) and the listings alike.

use super::{Groups, GroupsSyncPhase, GroupsSyncProgress};
use entra_graph::GraphClient;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Where a refresh reports its progress.
pub(super) type Progress<'a> = &'a (dyn Fn(GroupsSyncProgress) + Send + Sync);

/// Counters shared by the walks and listings, reported after each page, with the budget the
/// account's Graph client reports (units spent since `units_before`, whether it holds requests back).
pub(super) struct Meter<'a> {
    pub(super) progress: Progress<'a>,
    pub(super) state: Mutex<GroupsSyncProgress>,
    pub(super) graph: &'a GraphClient,
    pub(super) units_before: u64,
}

/// How often a sync looks at its client's budget between pages: a wait for budget can last
/// seconds, and the screen should say why nothing moves.
const BUDGET_LOOK: Duration = Duration::from_millis(500);

impl<'a> Meter<'a> {
    pub(super) fn new(progress: Progress<'a>, graph: &'a GraphClient) -> Meter<'a> {
        let state = GroupsSyncProgress {
            phase: GroupsSyncPhase::Groups,
            pages: 0,
            groups: 0,
            memberships: 0,
            requests: 0,
            units: 0,
            waiting_for_budget: false,
        };
        Meter { progress, state: Mutex::new(state), graph, units_before: graph.budget().units_spent }
    }

    pub(super) fn step(&self, update: impl FnOnce(&mut GroupsSyncProgress)) {
        let budget = self.graph.budget();
        let event = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            update(&mut s);
            s.units = budget.units_spent.saturating_sub(self.units_before);
            s.waiting_for_budget = budget.waiting;
            s.clone()
        };
        (self.progress)(event);
    }

    /// Reports whenever the client starts or stops holding requests back for budget; never ends
    /// (run beside the sync, dropped with it).
    pub(super) async fn watch_budget(&self) -> std::convert::Infallible {
        loop {
            tokio::time::sleep(BUDGET_LOOK).await;
            let waiting = self.graph.budget().waiting;
            let reported = self.state.lock().unwrap_or_else(|p| p.into_inner()).waiting_for_budget;
            if waiting != reported {
                self.step(|_| {});
            }
        }
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
