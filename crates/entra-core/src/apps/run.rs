//! One refresh's shared state ([`Run`]), used by the delta/full logic (`sync`) and the owners
//! loader (`owners`) alike, and the small facts both need.

use super::{Apps, SyncProgress};
use entra_graph::GraphClient;
use entra_store::queries::apps::{ObjectType, SyncCollection, SyncState};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// Batches of re-reads or owners in flight at once.
pub(super) const CONCURRENCY: usize = 4;

/// One refresh's shared state.
pub(super) struct Run {
    pub(super) apps: Apps,
    pub(super) graph: GraphClient,
    pub(super) events: UnboundedSender<SyncProgress>,
    pub(super) requests: Arc<AtomicU32>,
    pub(super) started: Instant,
    pub(super) scope: String,
}

impl Run {
    pub(super) fn emit(&self, event: SyncProgress) {
        let _ = self.events.send(event);
    }
    /// The sync state to record for `collection` now.
    pub(super) fn state(&self, collection: SyncCollection, delta_link: Option<String>, full: bool, now: chrono::DateTime<chrono::Utc>) -> SyncState {
        SyncState {
            collection,
            delta_link,
            as_of: now,
            full,
            requests: self.requests.load(Ordering::Relaxed),
            duration_ms: self.started.elapsed().as_millis() as u64,
        }
    }
}

/// The object type of a collection name (for messages and owners).
pub(super) fn collection_of(object_type: ObjectType) -> &'static str {
    match object_type {
        ObjectType::Application => "applications",
        ObjectType::ServicePrincipal => "servicePrincipals",
    }
}
