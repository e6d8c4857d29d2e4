//! Entra Desk's Microsoft Graph client.
//!
//! A leaf crate: it knows nothing of the rest of Entra Desk. The caller hands it a
//! base URL, a `reqwest` client (built by `entra_http::client`) and a
//! [`TokenSource`]; it hands back typed resources.
//!
//! Layout, one concern per module:
//!
//! - [`client`]: [`GraphClient`]; every HTTP exchange goes through one function there.
//! - [`request`]: [`GraphRequest`] (path, `$select`, `$top`, the advanced-query flag).
//! - [`retry`]: the one retry policy (429/503/504, `Retry-After`, backoff, caps) and
//!   the injectable [`Clock`].
//! - [`paging`]: collections as streams over `@odata.nextLink`.
//! - [`batch`]: JSON `$batch` (20 requests at most, per-item status and retries).
//! - [`pacing`]: pacing on Graph's resource-unit budget: a sliding 10 s window of the units
//!   Graph reports, costs learned per route, the limit learned from Graph's headers, and
//!   requests admitted as the budget allows ([`GraphClient::budget`] reads the counts).
//! - [`error`]: [`GraphError`], which keeps Graph's own words and ids.
//! - [`challenge`]: claims challenges (a 401 with `error="insufficient_claims"`: a Conditional
//!   Access authentication context, or Continuous Access Evaluation), kept on the error
//!   ([`GraphError::claims_challenge`]) for an interactive sign-in to send; never re-sent.
//! - [`receipt`]: [`WriteReceipt`], the `request-id` a write leaves for an audit log.
//! - [`token`]: the [`TokenSource`] trait and the secret types.
//! - [`progress`]: the events a long call reports.
//! - [`models`]: serde types for the resources the screens show.
//! - [`resources`]: one module per resource family, adding methods to [`GraphClient`].
//!
//! Cancellation and progress are per handle: [`GraphClient::with_cancellation`] and
//! [`GraphClient::with_progress`] return a clone that shares the connection pool,
//! the throttle gate, the budget pacer and the token source.

#![deny(missing_docs)]

pub mod batch;
pub mod challenge;
pub mod client;
pub mod error;
pub mod models;
pub mod pacing;
pub mod paging;
pub mod progress;
pub mod receipt;
pub mod request;
pub mod resources;
pub mod retry;
pub mod token;

pub use batch::{BatchItem, BatchResponse, MAX_BATCH_REQUESTS};
pub use client::{GraphClient, GraphRequest};
pub use error::{ApiError, GraphError};
pub use pacing::{BudgetSnapshot, PacingPolicy};
pub use paging::Page;
pub use progress::{Progress, ProgressSink};
pub use receipt::WriteReceipt;
pub use retry::{Clock, RetryPolicy, SystemClock};
pub use token::{BearerToken, SecretText, TokenError, TokenSource};
