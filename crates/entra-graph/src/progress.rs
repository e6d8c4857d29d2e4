//! Progress events of long Graph calls, delivered to a callback the caller passes
//! with [`crate::GraphClient::with_progress`].
//!
//! The callback runs on the task doing the work: keep it short (send into a
//! channel, update a counter). A Tauri command forwards them to a `Channel`.

use std::sync::Arc;
use std::time::Duration;

/// Receives [`Progress`] events.
pub type ProgressSink = Arc<dyn Fn(Progress) + Send + Sync>;

/// Why a request is being retried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// Graph answered with this retryable status (429, 503, 504).
    Status(u16),
    /// No answer (connection, time-out) to an idempotent request.
    Transport,
    /// Items of a `$batch` answered 429/503/504 and are re-sent in a follow-up batch.
    BatchItems {
        /// How many items are re-sent.
        count: usize,
    },
}

/// One step of a long call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A page of a collection arrived.
    PageFetched {
        /// The path of the collection, e.g. `/applications`.
        resource: String,
        /// 1 for the first page.
        page: u32,
        /// Items on this page.
        items: usize,
        /// Items so far, this page included.
        total: usize,
        /// `@odata.count`, when asked for (first page only).
        count: Option<u64>,
    },
    /// A request is about to be re-sent.
    Retrying {
        /// The attempt about to be made (2 for the first retry).
        attempt: u32,
        /// Why.
        reason: RetryReason,
        /// How long we wait first.
        wait: Duration,
    },
    /// Waiting because Graph asked us to (a `Retry-After`, or the client-wide gate it closed).
    WaitingOnThrottle {
        /// How long.
        wait: Duration,
    },
    /// A `$batch` answered.
    BatchDone {
        /// Requests in the batch.
        requests: usize,
        /// Items with a 2xx status.
        succeeded: usize,
        /// Items with another status, throttled ones excluded.
        failed: usize,
        /// Items throttled and to be re-sent.
        throttled: usize,
    },
    /// Owners of some applications arrived.
    OwnersFetched {
        /// Applications whose owners are known so far.
        done: usize,
        /// Applications in all.
        total: usize,
    },
}
