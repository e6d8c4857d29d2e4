//! JSON `$batch`: up to 20 requests in one round trip, each answered separately.
//!
//! - At most [`MAX_BATCH_REQUESTS`] items per batch: [`GraphClient::batch`] refuses
//!   more (and duplicate ids, and `dependsOn` ids outside the batch) before sending;
//!   [`GraphClient::batch_all`] splits a longer list into batches.
//! - Each item keeps its own status, headers and body ([`BatchResponse`]); answers
//!   may come out of order and are returned in the order of the items.
//! - Items are throttled one by one: an item answered 429 (or 503/504) is re-sent
//!   in a follow-up batch after its own `Retry-After` (from the item's headers;
//!   with several, the largest), under the client's [`crate::RetryPolicy`] caps.
//!   Items that failed with **424 Failed Dependency** because a throttled item
//!   failed are re-sent with it. An item still throttled when the caps are
//!   reached is returned with its 429.
//! - `dependsOn` is sent as given; a 424 is surfaced on the dependent item
//!   ([`BatchResponse::is_failed_dependency`]).
//! - `ConsistencyLevel: eventual` goes in each item's `headers` (the outer request's
//!   header does not reach the items).
//! - The outer POST is idempotent (re-sent after a transport error) only when every item is a GET.
//! - The budget ([`crate::pacing`]): a batch is expected to cost the sum of its items and is
//!   charged what its items report in their own headers (`x-ms-resource-unit`, the limit
//!   percentage, `ResourceUnitLimitExceeded`); the outer `$batch` is not charged.

use crate::client::{GraphClient, GraphRequest};
use crate::error::{decode_api_error, GraphError};
use crate::pacing::{route, Report};
use crate::progress::{Progress, RetryReason};
use crate::retry::{is_retryable_status, parse_retry_after};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// The most requests Graph accepts in one `$batch`.
pub const MAX_BATCH_REQUESTS: usize = 20;

/// One request inside a `$batch`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchItem {
    /// Unique within the batch.
    pub id: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// Relative to the version root, e.g. `/applications/{id}/owners?$select=id`.
    pub url: String,
    /// Headers of this item (`ConsistencyLevel`, `Content-Type` when there is a body).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Ids of items that must succeed first.
    #[serde(rename = "dependsOn", skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

impl BatchItem {
    /// An item for `request`, with `ConsistencyLevel` and `Content-Type` headers as needed.
    pub fn new(id: impl Into<String>, request: &GraphRequest) -> BatchItem {
        let mut headers = BTreeMap::new();
        if request.needs_eventual_consistency() {
            headers.insert("ConsistencyLevel".to_string(), "eventual".to_string());
        }
        if request.body().is_some() {
            headers.insert("Content-Type".to_string(), "application/json".to_string());
        }
        BatchItem {
            id: id.into(),
            method: request.method().as_str().to_string(),
            url: format!("/{}", request.relative_url()),
            headers,
            body: request.body().cloned(),
            depends_on: Vec::new(),
        }
    }

    /// Makes this item wait for `ids` (Graph answers 424 if one of them fails).
    pub fn depends_on(mut self, ids: &[&str]) -> BatchItem {
        self.depends_on.extend(ids.iter().map(|s| s.to_string()));
        self
    }
}

/// The answer to one item of a `$batch`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchResponse {
    /// The item's id.
    pub id: String,
    /// The item's HTTP status.
    pub status: u16,
    /// The item's headers.
    #[serde(default, deserialize_with = "string_map")]
    pub headers: BTreeMap<String, String>,
    /// The item's body (JSON), if any.
    #[serde(default)]
    pub body: Option<Value>,
}

fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let map = Option::<BTreeMap<String, Value>>::deserialize(d)?.unwrap_or_default();
    Ok(map.into_iter().map(|(k, v)| (k, v.as_str().map(String::from).unwrap_or_else(|| v.to_string()))).collect())
}

impl BatchResponse {
    /// Whether the item succeeded (2xx).
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// Whether the item was not run because an item it depends on failed (424).
    pub fn is_failed_dependency(&self) -> bool {
        self.status == 424
    }
    /// A header of the item, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn what(&self) -> String {
        format!("$batch item {}", self.id)
    }
    /// Decodes the item's body, naming the JSON path that failed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        let body = self.body.as_ref().unwrap_or(&Value::Null);
        serde_path_to_error::deserialize(body).map_err(|e| GraphError::Decode {
            what: self.what(),
            path: e.path().to_string(),
            message: e.inner().to_string(),
            request_id: self.header("request-id").map(String::from),
            client_request_id: self.header("client-request-id").map(String::from),
        })
    }
    /// The item's failure as a [`GraphError`], or `None` if it succeeded.
    pub fn error(&self) -> Option<GraphError> {
        if self.is_success() {
            return None;
        }
        let body = self.body.as_ref().map(|b| serde_json::to_vec(b).unwrap_or_default()).unwrap_or_default();
        let mut api = decode_api_error(&self.what(), self.status, self.header("request-id").map(String::from), None, &body);
        if self.status == 424 && api.message.is_empty() {
            api.message = "a request it depends on failed".to_string();
        }
        if self.status == 401 {
            let challenge = self.header("www-authenticate").and_then(|v| reqwest::header::HeaderValue::from_str(v).ok());
            api.claims_challenge = challenge.and_then(|v| {
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert(reqwest::header::WWW_AUTHENTICATE, v);
                crate::challenge::claims_challenge(&headers)
            });
        }
        Some(GraphError::Api(Box::new(api)))
    }
}

#[derive(Deserialize)]
struct BatchAnswer {
    responses: Vec<BatchResponse>,
}

fn validate(items: &[BatchItem]) -> Result<(), GraphError> {
    if items.len() > MAX_BATCH_REQUESTS {
        return Err(GraphError::InvalidRequest(format!(
            "a $batch holds at most {MAX_BATCH_REQUESTS} requests and this one has {}: split it (GraphClient::batch_all does)",
            items.len()
        )));
    }
    if let Some(item) = items.iter().find(|i| crate::request::dot_segment(&i.url).is_some()) {
        return Err(GraphError::InvalidRequest(format!(
            "$batch request {:?} ({}) has a `.` or `..` path segment, which would send it elsewhere: pass object IDs through path_segment",
            item.id, item.url
        )));
    }
    let mut ids = HashSet::new();
    for item in items {
        if !ids.insert(item.id.as_str()) {
            return Err(GraphError::InvalidRequest(format!("two $batch requests have the id {:?}: give each its own", item.id)));
        }
    }
    for item in items {
        if let Some(missing) = item.depends_on.iter().find(|d| !ids.contains(d.as_str())) {
            return Err(GraphError::InvalidRequest(format!(
                "$batch request {:?} depends on {missing:?}, which is not in the same batch: put them together",
                item.id
            )));
        }
    }
    Ok(())
}

impl GraphClient {
    /// Sends up to 20 requests as one `$batch`, re-sending throttled items; answers in item order.
    pub async fn batch(&self, items: Vec<BatchItem>) -> Result<Vec<BatchResponse>, GraphError> {
        validate(&items)?;
        let order: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let mut done: HashMap<String, BatchResponse> = HashMap::new();
        let mut pending = items;
        let (mut round, mut waited) = (0u32, Duration::ZERO);
        while !pending.is_empty() {
            self.check_cancelled()?;
            round += 1;
            let mut answers = self.send_batch(&pending).await?;
            let throttled: HashSet<String> = answers.values().filter(|r| is_retryable_status(r.status)).map(|r| r.id.clone()).collect();
            let retry = with_failed_dependents(&pending, &answers, &throttled);
            self.report(Progress::BatchDone {
                requests: pending.len(),
                succeeded: answers.values().filter(|r| r.is_success()).count(),
                failed: answers.values().filter(|r| !r.is_success() && !throttled.contains(&r.id)).count(),
                throttled: throttled.len(),
            });
            let now = self.now();
            let hint = throttled.iter().filter_map(|id| answers[id].header("retry-after").and_then(|v| parse_retry_after(v, now))).max();
            // The gate closes on every hint, also when this call gives up: the other requests of the
            // client (concurrent batches) must not go before the Retry-After either.
            if let Some(hint) = hint {
                self.close_gate(hint);
            }
            let wait = if retry.is_empty() { None } else { self.retry_policy().next_wait(round, waited, hint) };
            let Some(wait) = wait else {
                done.extend(answers);
                break;
            };
            self.report(Progress::Retrying { attempt: round + 1, reason: RetryReason::BatchItems { count: retry.len() }, wait });
            self.report(Progress::WaitingOnThrottle { wait });
            self.sleep(wait).await?;
            waited += wait;
            pending.retain(|item| retry.contains(&item.id));
            for item in &mut pending {
                item.depends_on.retain(|d| retry.contains(d));
            }
            done.extend(answers.drain().filter(|(id, _)| !retry.contains(id)));
        }
        Ok(order.iter().filter_map(|id| done.remove(id)).collect())
    }

    /// Sends any number of requests in batches of 20, `concurrency` batches in flight; answers in item order.
    /// Items linked by `dependsOn` must fall in the same run of 20.
    pub async fn batch_all(&self, items: Vec<BatchItem>, concurrency: usize) -> Result<Vec<BatchResponse>, GraphError> {
        let chunks: Vec<Vec<BatchItem>> = items.chunks(MAX_BATCH_REQUESTS).map(<[BatchItem]>::to_vec).collect();
        for chunk in &chunks {
            validate(chunk)?;
        }
        let batches: Vec<Vec<BatchResponse>> =
            stream::iter(chunks.into_iter().map(|chunk| self.batch(chunk))).buffered(concurrency.max(1)).try_collect().await?;
        Ok(batches.into_iter().flatten().collect())
    }

    async fn send_batch(&self, items: &[BatchItem]) -> Result<HashMap<String, BatchResponse>, GraphError> {
        let all_get = items.iter().all(|i| i.method.eq_ignore_ascii_case("GET"));
        let request = GraphRequest::post("$batch", serde_json::json!({ "requests": items })).idempotent(all_get);
        let mut answer = self.send_raw(&request).await?;
        // Undecodable, the charge is dropped unsettled and its estimate stays counted.
        let decoded: BatchAnswer = answer.decode()?;
        let mut by_id: HashMap<String, BatchResponse> = decoded.responses.into_iter().map(|r| (r.id.clone(), r)).collect();
        if let Some(charge) = answer.charge.take() {
            let reports: Vec<(String, Report)> = items
                .iter()
                .filter_map(|i| by_id.get(&i.id).map(|r| (route(&i.method, &i.url), Report::read(r.status, |name| r.header(name)))))
                .collect();
            charge.settle_items(&reports);
        }
        if let Some(missing) = items.iter().find(|i| !by_id.contains_key(&i.id)) {
            return Err(GraphError::Decode {
                what: answer.what.clone(),
                path: "responses".into(),
                message: format!("no answer for request {:?}", missing.id),
                request_id: answer.request_id.clone(),
                client_request_id: Some(answer.client_request_id.clone()),
            });
        }
        by_id.retain(|id, _| items.iter().any(|i| &i.id == id));
        Ok(by_id)
    }
}

/// The throttled items plus the items that failed with 424 because of them (transitively).
fn with_failed_dependents(items: &[BatchItem], answers: &HashMap<String, BatchResponse>, throttled: &HashSet<String>) -> HashSet<String> {
    let mut retry = throttled.clone();
    loop {
        let before = retry.len();
        for item in items {
            let failed_dependency = answers.get(&item.id).is_some_and(BatchResponse::is_failed_dependency);
            if failed_dependency && item.depends_on.iter().any(|d| retry.contains(d)) {
                retry.insert(item.id.clone());
            }
        }
        if retry.len() == before {
            return retry;
        }
    }
}
