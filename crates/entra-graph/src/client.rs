//! [`GraphClient`] and [`GraphRequest`]: the request plumbing every resource uses.
//!
//! Every HTTP exchange goes through [`GraphClient::execute`], which owns the rules
//! that hold for all of them: a bearer token from the [`TokenSource`], a fresh
//! `client-request-id` per request, `ConsistencyLevel: eventual` when the request
//! asks for it, the client-wide throttle gate and concurrency limit, pacing on Graph's
//! resource-unit budget ([`crate::pacing`]: each attempt waits for its estimated cost to fit,
//! and its answer's reported units are recorded), the retry
//! policy ([`crate::retry`], bursts while wary included), one re-send with a new token after a 401
//! (never after a claims challenge, [`crate::challenge`], which a new token cannot meet), the body
//! size cap, cancellation, and the decoding of Graph's error envelope. It also
//! counts the HTTP requests it puts on the wire ([`GraphClient::request_count`]) and the
//! units Graph charged ([`GraphClient::budget`]).

use crate::error::{decode_api_error, decode_json, GraphError};
use crate::pacing::{BudgetSnapshot, Charge, Estimate, Pacer, PacingPolicy, Report};
use crate::progress::{Progress, ProgressSink, RetryReason};
use crate::receipt::WriteReceipt;
use crate::retry::{is_retryable_status, retry_after, Clock, RetryPolicy, SystemClock, ThrottleGate};
use crate::token::TokenSource;
pub use crate::request::{odata_string, path_segment, GraphRequest};
use reqwest::header::{HeaderMap, ACCEPT};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use url::Url;

/// Options of a [`GraphClient`].
#[derive(Clone)]
pub struct ClientOptions {
    /// The retry policy of every call.
    pub retry: RetryPolicy,
    /// The clock waits go through (a fake one in tests).
    pub clock: Arc<dyn Clock>,
    /// Requests in flight at most, over all clones of the client (default 8).
    pub max_concurrent_requests: usize,
    /// Pacing on Graph's resource-unit budget (on by default).
    pub pacing: PacingPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { retry: RetryPolicy::default(), clock: Arc::new(SystemClock), max_concurrent_requests: 8, pacing: PacingPolicy::default() }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("retry", &self.retry)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("pacing", &self.pacing)
            .finish_non_exhaustive()
    }
}

struct Shared {
    base_url: Url,
    http: reqwest::Client,
    tokens: Arc<dyn TokenSource>,
    options: ClientOptions,
    gate: ThrottleGate,
    pacer: Arc<Pacer>,
    in_flight: Semaphore,
    /// Requests on the wire, for the burst rule while wary ([`crate::retry`]).
    wire: std::sync::Mutex<Wire>,
    wire_changed: Notify,
    /// HTTP requests sent, over all clones (see [`GraphClient::request_count`]).
    sent: AtomicU64,
}

/// Requests on the wire, and whether one of them came back since the burst left.
#[derive(Debug, Default)]
struct Wire {
    on_wire: usize,
    answered: bool,
}

/// Takes a request off the wire when its exchange ends (or is dropped on cancellation).
struct OnWire<'a>(&'a Shared);

impl Drop for OnWire<'_> {
    fn drop(&mut self) {
        {
            let mut wire = self.0.wire.lock().unwrap_or_else(|p| p.into_inner());
            wire.on_wire -= 1;
            wire.answered = true;
        }
        self.0.wire_changed.notify_waiters();
    }
}

/// A Graph client. Cheap to clone; clones share the connection pool, token source,
/// throttle gate, budget pacer and concurrency limit.
#[derive(Clone)]
pub struct GraphClient {
    shared: Arc<Shared>,
    cancel: CancellationToken,
    progress: Option<ProgressSink>,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient").field("base_url", &self.shared.base_url.as_str()).finish_non_exhaustive()
    }
}

/// A 2xx answer, body read.
pub(crate) struct Answer {
    pub(crate) what: String,
    pub(crate) body: Vec<u8>,
    pub(crate) request_id: Option<String>,
    pub(crate) client_request_id: String,
    /// A `$batch`'s place in the budget, settled with its items' reports by [`crate::batch`].
    pub(crate) charge: Option<Charge>,
}

impl Answer {
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        decode_json(&self.what, &self.body, self.request_id.as_deref(), Some(&self.client_request_id))
    }

    pub(crate) fn receipt(&self) -> WriteReceipt {
        WriteReceipt { request_id: self.request_id.clone() }
    }
}

enum Exchange {
    Answered(u16, HeaderMap, Vec<u8>),
    NoAnswer(reqwest::Error),
    TooLarge(usize),
}

impl GraphClient {
    /// A client for `base_url` (e.g. `https://graph.microsoft.com/v1.0`) with default options.
    pub fn new(base_url: Url, http: reqwest::Client, tokens: Arc<dyn TokenSource>) -> GraphClient {
        GraphClient::with_options(base_url, http, tokens, ClientOptions::default())
    }

    /// A client with explicit options.
    pub fn with_options(base_url: Url, http: reqwest::Client, tokens: Arc<dyn TokenSource>, options: ClientOptions) -> GraphClient {
        let in_flight = Semaphore::new(options.max_concurrent_requests.max(1));
        let pacer = Arc::new(Pacer::new(options.pacing.clone(), options.clock.clone()));
        let (gate, wire, wire_changed, sent) = (ThrottleGate::default(), Default::default(), Notify::new(), AtomicU64::new(0));
        let shared = Shared { base_url, http, tokens, options, gate, pacer, in_flight, wire, wire_changed, sent };
        GraphClient { shared: Arc::new(shared), cancel: CancellationToken::new(), progress: None }
    }

    /// A handle whose calls stop with [`GraphError::Cancelled`] once `cancel` fires
    /// (checked before every request, between pages and batches, and during waits).
    pub fn with_cancellation(&self, cancel: CancellationToken) -> GraphClient {
        GraphClient { cancel, ..self.clone() }
    }

    /// A handle whose calls report [`Progress`] to `sink`.
    pub fn with_progress(&self, sink: ProgressSink) -> GraphClient {
        GraphClient { progress: Some(sink), ..self.clone() }
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.shared.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.shared.options.retry
    }

    /// HTTP requests this client and its clones have put on the wire so far: every attempt
    /// counts (retries after 429/503/504 or a transport error, and the re-send after a 401),
    /// and a `$batch` counts once, whatever it carries. For reports and benchmarks
    /// ("reconciliation took N requests"): take it before and after a call.
    pub fn request_count(&self) -> u64 {
        self.shared.sent.load(Ordering::Relaxed)
    }

    /// What this client and its clones have spent of Graph's resource-unit budget, and how
    /// long they waited for it ([`crate::pacing`]). For reports beside [`GraphClient::request_count`].
    pub fn budget(&self) -> BudgetSnapshot {
        self.shared.pacer.snapshot()
    }

    pub(crate) fn report(&self, event: Progress) {
        if let Some(sink) = &self.progress {
            sink(event);
        }
    }

    pub(crate) fn check_cancelled(&self) -> Result<(), GraphError> {
        if self.cancel.is_cancelled() {
            Err(GraphError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Waits `duration` on the client's clock, or stops if the call is cancelled.
    pub(crate) async fn sleep(&self, duration: Duration) -> Result<(), GraphError> {
        tokio::select! {
            _ = self.shared.options.clock.sleep(duration) => Ok(()),
            _ = self.cancel.cancelled() => Err(GraphError::Cancelled),
        }
    }

    /// Closes the client-wide gate for `wait` from now.
    pub(crate) fn close_gate(&self, wait: Duration) {
        self.shared.gate.close(self.shared.options.clock.now(), wait);
    }

    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.shared.options.clock.now()
    }

    async fn wait_for_gate(&self) -> Result<(), GraphError> {
        while let Some(wait) = self.shared.gate.remaining(self.now()) {
            self.report(Progress::WaitingOnThrottle { wait });
            self.sleep(wait).await?;
        }
        Ok(())
    }

    /// The URL of a request relative to the base URL.
    pub(crate) fn url_for(&self, relative: &str) -> Result<Url, GraphError> {
        if let Some(segment) = crate::request::dot_segment(relative) {
            return Err(GraphError::InvalidRequest(format!(
                "the path {relative} has the segment {segment}, which would send it elsewhere: pass object IDs through path_segment"
            )));
        }
        let joined = format!("{}/{}", self.shared.base_url.as_str().trim_end_matches('/'), relative.trim_start_matches('/'));
        Url::parse(&joined).map_err(|e| GraphError::InvalidRequest(format!("cannot form the Graph URL for {relative} ({e}): check the Graph URL setting")))
    }

    /// A nextLink or deltaLink, taken as given; refused when it points at another origin (our token would follow it).
    pub(crate) fn link_url(&self, link: &str) -> Result<Url, GraphError> {
        let url = Url::parse(link).map_err(|e| GraphError::InvalidRequest(format!("Graph sent a link that is not a URL ({e})")))?;
        if url.origin() != self.shared.base_url.origin() {
            return Err(GraphError::InvalidRequest(format!(
                "Graph sent a link to {}, not to {}: it was not followed, so the token is not sent there. Fix: check the Graph URL setting",
                url.origin().ascii_serialization(),
                self.shared.base_url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }

    /// Sends `request` and decodes the JSON answer.
    pub async fn send<T: DeserializeOwned>(&self, request: &GraphRequest) -> Result<T, GraphError> {
        self.send_raw(request).await?.decode()
    }

    /// Sends `request` and ignores the answer's body (e.g. a 204).
    pub async fn send_no_content(&self, request: &GraphRequest) -> Result<(), GraphError> {
        self.send_raw(request).await.map(|_| ())
    }

    /// Sends a write and returns its [`WriteReceipt`] (the answer's `request-id`), ignoring the body.
    pub async fn send_write(&self, request: &GraphRequest) -> Result<WriteReceipt, GraphError> {
        self.send_raw(request).await.map(|answer| answer.receipt())
    }

    pub(crate) async fn send_raw(&self, request: &GraphRequest) -> Result<Answer, GraphError> {
        let url = self.url_for(&request.relative_url())?;
        self.execute(request.method.clone(), url, request.body.as_ref(), request.eventual, request.idempotent).await
    }

    /// The one place a request is sent. See the module documentation.
    pub(crate) async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        eventual: bool,
        idempotent: bool,
    ) -> Result<Answer, GraphError> {
        let what = format!("{method} {}", url.path());
        let policy = &self.shared.options.retry;
        let relative = url.path().strip_prefix(self.shared.base_url.path().trim_end_matches('/')).unwrap_or(url.path());
        let relative = url.query().map_or_else(|| relative.to_string(), |q| format!("{relative}?{q}"));
        let estimate = self.shared.pacer.estimate(method.as_str(), &relative, body);
        let (mut attempts, mut waited, mut reauthorized) = (0u32, Duration::ZERO, false);
        loop {
            self.check_cancelled()?;
            self.wait_for_gate().await?;
            attempts += 1;
            let client_request_id = uuid::Uuid::new_v4().to_string();
            let mut builder = {
                let token = self.shared.tokens.token().await.map_err(GraphError::Token)?;
                self.shared
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(token.expose())
                    .header("client-request-id", &client_request_id)
                    .header(ACCEPT, "application/json")
            };
            if attempts > 1 {
                builder = builder.header("Retry-Attempt", (attempts - 1).to_string());
            }
            if eventual {
                builder = builder.header("ConsistencyLevel", "eventual");
            }
            if let Some(body) = body {
                builder = builder.json(body);
            }
            let (exchange, charge) = tokio::select! {
                e = self.exchange(builder, &estimate) => e?,
                _ = self.cancel.cancelled() => return Err(GraphError::Cancelled),
            };
            let (status, headers, bytes) = match exchange {
                Exchange::Answered(status, headers, bytes) => (status, headers, bytes),
                Exchange::TooLarge(cap) => return Err(GraphError::TooLarge { what, cap }),
                Exchange::NoAnswer(source) => {
                    let wait = if idempotent && !source.is_builder() { policy.next_wait(attempts, waited, None) } else { None };
                    match wait {
                        Some(wait) => {
                            self.report(Progress::Retrying { attempt: attempts + 1, reason: RetryReason::Transport, wait });
                            self.sleep(wait).await?;
                            waited += wait;
                            continue;
                        }
                        None => return Err(GraphError::Transport { what, client_request_id, attempts, source }),
                    }
                }
            };
            // A `$batch` answered is charged by its items, which batch.rs reads; anything else by its headers.
            let charge = if estimate.is_batch() && (200..300).contains(&status) {
                Some(charge)
            } else {
                charge.settle(Report::from_headers(status, &headers));
                None
            };
            let request_id = headers.get("request-id").and_then(|v| v.to_str().ok()).map(String::from);
            if status == 401 {
                if let Some(claims) = crate::challenge::claims_challenge(&headers) {
                    // A claims challenge: any token this source can give (a refreshed one included)
                    // lacks what the tenant asks for; only an interactive sign-in sending these
                    // claims can. Not re-sent, and the token is not dropped for nothing.
                    let mut api = decode_api_error(&what, status, request_id, Some(&client_request_id), &bytes);
                    api.claims_challenge = Some(claims);
                    return Err(GraphError::Api(Box::new(api)));
                }
            }
            if status == 401 && !reauthorized {
                // A token can end before its `exp` (revocation, clock skew): get a new one and re-send once.
                reauthorized = true;
                attempts -= 1;
                self.shared.tokens.token_rejected().await;
                continue;
            }
            // A 504 says the gateway gave up waiting, not that nothing happened: a POST such as
            // `addPassword` may have been carried out behind it, so only an idempotent request is
            // re-sent. (429 and 503 are the service refusing the request: safe to re-send.)
            if is_retryable_status(status) && (idempotent || status != 504) {
                let hint = retry_after(&headers, self.now());
                if let Some(hint) = hint.filter(|_| status != 504) {
                    self.close_gate(hint);
                }
                match policy.next_wait(attempts, waited, hint) {
                    Some(wait) => {
                        self.report(Progress::Retrying { attempt: attempts + 1, reason: RetryReason::Status(status), wait });
                        if hint.is_some() || status == 429 {
                            self.report(Progress::WaitingOnThrottle { wait });
                        }
                        self.sleep(wait).await?;
                        waited += wait;
                        continue;
                    }
                    None => {
                        let last = decode_api_error(&what, status, request_id, Some(&client_request_id), &bytes);
                        return Err(GraphError::ThrottledGaveUp { last: Box::new(last), attempts, waited });
                    }
                }
            }
            if !(200..300).contains(&status) {
                return Err(GraphError::Api(Box::new(decode_api_error(&what, status, request_id, Some(&client_request_id), &bytes))));
            }
            return Ok(Answer { what, body: bytes, request_id, client_request_id, charge });
        }
    }

    async fn exchange(&self, builder: reqwest::RequestBuilder, estimate: &Estimate) -> Result<(Exchange, Charge), GraphError> {
        let _permit = self.shared.in_flight.acquire().await;
        // The budget before the gate: a request admitted and then held by a closed gate keeps its
        // units counted (the safe side), and the burst rule below still sees only requests about to go.
        let mut charge = self.shared.pacer.admit(estimate, &self.cancel).await?;
        let _on_wire = loop {
            // The gate again, now that nothing stands between us and the wire: while this request
            // queued for a permit (or a token), another one may have been throttled and closed it.
            self.wait_for_gate().await?;
            // Registered before the check, so an answer coming back in between is not missed.
            let changed = self.shared.wire_changed.notified();
            {
                let mut wire = self.shared.wire.lock().unwrap_or_else(|p| p.into_inner());
                if wire.on_wire == 0 || !wire.answered || !self.shared.gate.wary(self.now()) {
                    if wire.on_wire == 0 {
                        wire.answered = false;
                    }
                    wire.on_wire += 1;
                    break OnWire(&self.shared);
                }
            }
            // Wary, and a request of the burst on the wire came back: wait for the others' answers.
            tokio::select! {
                _ = changed => {}
                _ = self.cancel.cancelled() => return Err(GraphError::Cancelled),
            }
        };
        charge.mark_sent();
        Ok((self.send_now(builder).await, charge))
    }

    async fn send_now(&self, builder: reqwest::RequestBuilder) -> Exchange {
        self.shared.sent.fetch_add(1, Ordering::Relaxed);
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Exchange::NoAnswer(e),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        match entra_http::read_capped(response, entra_http::caps::GRAPH).await {
            Ok(body) => Exchange::Answered(status, headers, body),
            Err(entra_http::HttpError::TooLarge { cap }) => Exchange::TooLarge(cap),
            Err(entra_http::HttpError::Transport(e)) => Exchange::NoAnswer(e),
            // read_capped fails only with the two above; anything new is treated as a refusal to read.
            Err(_) => Exchange::TooLarge(entra_http::caps::GRAPH),
        }
    }
}
