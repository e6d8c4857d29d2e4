//! The Graph client against the demo tenant (`entra_demo`, in-process, real HTTP,
//! real clock): paging, advanced queries, throttling, 503s, `$batch` owners with
//! per-item 429s, cancellation, addPassword/removePassword and expired skip tokens.
//! Request counts come from the tenant's own statistics.

mod demo_support;

use demo_support::demo_client;
use entra_demo::{DemoOptions, DemoTenant, Faults};
use entra_graph::client::ClientOptions;
use entra_graph::models::{Application, DirectoryObject};
use entra_graph::resources::OwnersStream;
use entra_graph::{GraphClient, GraphError, GraphRequest, Page, Progress, RetryPolicy};
use futures::{StreamExt, TryStreamExt};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

async fn tenant(apps: usize, faults: Faults) -> DemoTenant {
    entra_demo::start(DemoOptions { apps, faults, ..Default::default() }).await.expect("demo tenant starts")
}

fn client(demo: &DemoTenant) -> GraphClient {
    demo_client(demo.info(), ClientOptions::default()).0
}

fn client_with(demo: &DemoTenant, retry: RetryPolicy) -> GraphClient {
    demo_client(demo.info(), ClientOptions { retry, ..ClientOptions::default() }).0
}

/// Requests the tenant counted for `route` (e.g. `GET /v1.0/applications`).
fn count(demo: &DemoTenant, route: &str) -> u64 {
    demo.stats().requests.get(route).copied().unwrap_or(0)
}

fn ids(apps: &[Application]) -> Vec<String> {
    apps.iter().map(|a| a.id.clone()).collect()
}

async fn owners_map(stream: OwnersStream) -> BTreeMap<String, BTreeSet<String>> {
    let batches: Vec<_> = stream.try_collect().await.expect("owners");
    let mut out = BTreeMap::new();
    for o in batches.into_iter().flatten() {
        let owners = o.owners.unwrap_or_else(|e| panic!("owners of {}: {e}", o.application_id));
        out.insert(o.application_id, owners.iter().map(|d: &DirectoryObject| d.id().to_string()).collect());
    }
    out
}

#[tokio::test]
async fn listing_2500_apps_at_top_999_takes_three_pages() {
    let demo = tenant(2500, Faults::default()).await;
    let n = demo.info().apps;
    assert!((2500..2997).contains(&n), "{n} apps: ceil(n/999) must be 3");
    let apps: Vec<Application> = client(&demo).list_applications().try_collect().await.unwrap();
    assert_eq!(apps.len(), n);
    assert_eq!(ids(&apps).into_iter().collect::<BTreeSet<_>>().len(), n, "no duplicates");
    assert!(apps.iter().all(|a| a.app_id.is_some() && a.display_name.is_some()), "the screen's $select came back");
    assert!(apps.iter().any(|a| !a.password_credentials.is_empty()) && apps.iter().any(|a| !a.key_credentials.is_empty()));
    assert_eq!(count(&demo, "GET /v1.0/applications"), 3, "{:?}", demo.stats());
}

#[tokio::test]
async fn default_paging_follows_next_links_100_at_a_time() {
    let demo = tenant(450, Faults::default()).await;
    let n = demo.info().apps;
    let (log, sink) = progress_log();
    let c = client(&demo).with_progress(sink);
    let apps: Vec<Application> = c.collect_all(GraphRequest::get("applications").select(&["id", "displayName"])).await.unwrap();
    assert_eq!(apps.len(), n);
    let pages = n.div_ceil(100) as u64;
    assert_eq!(count(&demo, "GET /v1.0/applications"), pages);
    let sizes: Vec<usize> = log.lock().unwrap().iter().filter_map(|p| if let Progress::PageFetched { items, .. } = p { Some(*items) } else { None }).collect();
    assert_eq!(sizes.len() as u64, pages);
    assert!(sizes[..sizes.len() - 1].iter().all(|&s| s == 100), "{sizes:?}");
    // Same set as the $top=999 listing, in the same (object id) order.
    let all: Vec<Application> = c.list_applications().try_collect().await.unwrap();
    assert_eq!(ids(&apps), ids(&all));
}

type Log = Arc<Mutex<Vec<Progress>>>;

fn progress_log() -> (Log, entra_graph::ProgressSink) {
    let log: Log = Arc::default();
    let l = log.clone();
    (log, Arc::new(move |p| l.lock().unwrap().push(p)))
}

#[tokio::test]
async fn advanced_queries_need_consistency_level_and_errors_keep_graphs_words() {
    let demo = tenant(1200, Faults::default()).await;
    let n = demo.info().apps as u64;
    let c = client(&demo);

    // $orderby on displayName with ConsistencyLevel: eventual + $count=true, on every page.
    let request = GraphRequest::get("applications").select(&["id", "displayName"]).order_by("displayName").top(500).advanced();
    let pages: Vec<Page<Application>> = c.pages(request.clone()).try_collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].count, Some(n), "@odata.count on the first page");
    assert!(pages[1..].iter().all(|p| p.count.is_none()), "and only there");
    let names: Vec<String> = pages.iter().flat_map(|p| p.value.iter().map(|a| a.display_name.clone().unwrap_or_default())).collect();
    assert_eq!(names.len() as u64, n);
    assert!(names.windows(2).all(|w| w[0].to_lowercase() <= w[1].to_lowercase()), "sorted by displayName across pages");

    // The /$count segment (text/plain) with the header alone.
    let counted: u64 = c.send(&GraphRequest::get("applications/$count").eventual_consistency()).await.unwrap();
    assert_eq!(counted, n);

    // Without the header: Graph's error, surfaced with its code, message and request-id.
    let plain = GraphRequest::get("applications").select(&["id", "displayName"]).order_by("displayName").top(500);
    let err = c.collect_all::<Application>(plain).await.unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("an API error, got {err:?}"));
    assert_eq!((api.status, api.code.as_str()), (400, "Request_UnsupportedQuery"), "{err}");
    assert_eq!(api.message, "Sorting not supported for current query.");
    assert!(err.request_id().is_some_and(|r| uuid::Uuid::parse_str(r).is_ok()), "{err:?}");
    assert!(err.client_request_id().is_some(), "{err:?}");
    assert!(api.date.is_some());
    let shown = err.to_string();
    assert!(shown.contains("Request_UnsupportedQuery") && shown.contains("ConsistencyLevel") && shown.contains(err.request_id().unwrap()), "{shown}");

    let err = c.send::<u64>(&GraphRequest::get("applications/$count")).await.unwrap_err();
    assert_eq!((err.status(), err.graph_code()), (Some(400), Some("Request_BadRequest")), "{err}");
    assert!(err.request_id().is_some());
}

/// Lists with small pages (so there are enough requests to throttle) under `faults`,
/// and checks the result against an unfaulted listing, the count of throttled answers,
/// and that the client never came back before the Retry-After it was given.
async fn listing_is_complete_under_throttling(retry_after: &str) {
    let demo = tenant(200, Faults::default()).await;
    let c = client(&demo);
    let request = || GraphRequest::get("applications").select(&["id", "appId", "displayName", "passwordCredentials"]).top(20);
    let expected: Vec<Application> = c.collect_all(request()).await.unwrap();

    demo.set_faults(Faults { throttle_fraction: 0.2, retry_after: retry_after.parse().unwrap(), ..Default::default() }).unwrap();
    let before = demo.stats();
    let (log, sink) = progress_log();
    let started = Instant::now();
    let got: Vec<Application> = c.with_progress(sink).collect_all(request()).await.unwrap();
    let elapsed = started.elapsed();
    let after = demo.stats();

    assert_eq!(got, expected, "complete and correct");
    let throttled = after.throttled - before.throttled;
    assert!(throttled > 0, "the seeded draw throttled nothing: {after:?}");
    assert_eq!(after.early_retries, 0, "a request was sent before its Retry-After had elapsed: {after:?}");
    let requests = count(&demo, "GET /v1.0/applications") - before.requests["GET /v1.0/applications"];
    assert_eq!(requests, expected.len().div_ceil(20) as u64 + throttled, "one re-send per 429");
    let hint = Duration::from_secs_f64(retry_after.parse().unwrap());
    let waits: Vec<Duration> = log.lock().unwrap().iter().filter_map(|p| if let Progress::Retrying { wait, .. } = p { Some(*wait) } else { None }).collect();
    assert_eq!(waits.len() as u64, throttled);
    assert!(waits.iter().all(|w| *w == hint), "the Retry-After as given: {waits:?}");
    assert!(elapsed >= hint * throttled as u32, "{elapsed:?}");
}

#[tokio::test]
async fn throttled_listing_with_decimal_retry_after_is_complete_and_never_early() {
    listing_is_complete_under_throttling("1.5").await;
}

#[tokio::test]
async fn throttled_listing_with_whole_second_retry_after_is_complete_and_never_early() {
    listing_is_complete_under_throttling("1").await;
}

#[tokio::test]
async fn service_unavailable_is_retried() {
    let demo = tenant(300, Faults::default()).await;
    // The Retry-After (0.1 s) is the wait; the short backoff would only matter without one.
    let c = client_with(&demo, RetryPolicy { base_delay: Duration::from_millis(100), max_attempts: 6, ..RetryPolicy::default() });
    let request = || GraphRequest::get("applications").select(&["id"]).top(25);
    let expected: Vec<Application> = c.collect_all(request()).await.unwrap();
    demo.set_faults(Faults { unavailable_fraction: 0.3, retry_after: "0.1".parse().unwrap(), ..Default::default() }).unwrap();
    let got: Vec<Application> = c.collect_all(request()).await.unwrap();
    assert_eq!(ids(&got), ids(&expected));
    let stats = demo.stats();
    assert!(stats.unavailable > 0, "{stats:?}");
    assert_eq!(stats.requests["GET /v1.0/applications"], 2 * expected.len().div_ceil(25) as u64 + stats.unavailable);
    assert_eq!(stats.early_retries, 0, "{stats:?}");

    // With retries off, the 503 is surfaced in Graph's words.
    demo.set_faults(Faults { unavailable_fraction: 1.0, ..Default::default() }).unwrap();
    let err = client_with(&demo, RetryPolicy::none()).collect_all::<Application>(request()).await.unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!((api.status, api.code.as_str()), (503, "serviceNotAvailable"), "{err}");
    assert!(matches!(err, GraphError::ThrottledGaveUp { attempts: 1, .. }), "{err:?}");
    assert!(err.request_id().is_some());
}

// Several threads: on one, the tenant would only read a request off its socket once its queue
// drains, i.e. judge its arrival late, after a sibling's 429 it was sent before.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn owners_of_200_apps_in_batches_survive_per_item_429s() {
    let demo = tenant(200, Faults::default()).await;
    let n = demo.info().apps;
    let c = client(&demo);
    let apps: Vec<Application> = c.list_applications().try_collect().await.unwrap();

    // The truth: one owners request per app, unfaulted.
    let mut expected = BTreeMap::new();
    for a in &apps {
        let owners: Vec<DirectoryObject> = c.collect_all(GraphRequest::get(&format!("applications/{}/owners", a.id))).await.unwrap();
        expected.insert(a.id.clone(), owners.iter().map(|o| o.id().to_string()).collect::<BTreeSet<_>>());
    }
    assert!(expected.values().any(|o| o.len() > 20), "an app with more than 20 owners");

    // 20 ms per item: a burst's batches are all read by the tenant before the first one is answered.
    demo.set_faults(Faults { throttle_fraction: 0.2, retry_after: "0.5".parse().unwrap(), latency_ms: 20, ..Default::default() }).unwrap();
    let before = demo.stats();
    let (log, sink) = progress_log();
    // More attempts than the default 4: with 200 items at 20 %, some item is throttled 4 times in a row
    // now and then (0.2^4 per item), and the test wants completeness, not the give-up path. A short
    // backoff keeps the test quick: the item's Retry-After (0.5 s) is the wait.
    // Four batches in flight: the tenant judges a request at its arrival against 429s already
    // delivered, so batches sent before another's 429 came back are not early; the client's
    // gate must keep every batch sent after it back until the Retry-After is over.
    let policy = RetryPolicy { max_attempts: 8, base_delay: Duration::from_millis(100), ..RetryPolicy::default() };
    let patient = client_with(&demo, policy).with_progress(sink);
    let got = owners_map(patient.owners_of(ids(&apps), 4)).await;
    let after = demo.stats();
    assert_eq!(got, expected);

    let batches = after.requests["POST /v1.0/$batch"] - before.requests.get("POST /v1.0/$batch").copied().unwrap_or(0);
    let items = after.requests["GET /v1.0/applications/{id}/owners"] - before.requests["GET /v1.0/applications/{id}/owners"];
    let throttled = after.throttled - before.throttled;
    assert!(throttled > 0, "{after:?}");
    assert_eq!(items, n as u64 + throttled, "only throttled items are re-sent");
    let retried_batches = log.lock().unwrap().iter().filter(|p| matches!(p, Progress::Retrying { .. })).count() as u64;
    assert_eq!(batches, n.div_ceil(20) as u64 + retried_batches);
    assert_eq!(after.early_retries, 0, "{after:?}");
}

#[tokio::test]
async fn cancelling_mid_listing_stops_promptly() {
    let demo = tenant(300, Faults { latency_ms: 300, ..Default::default() }).await;
    let cancel = CancellationToken::new();
    let (pages_tx, mut pages_rx) = tokio::sync::mpsc::unbounded_channel();
    let sink: entra_graph::ProgressSink = Arc::new(move |p| {
        if matches!(p, Progress::PageFetched { .. }) {
            let _ = pages_tx.send(());
        }
    });
    let c = client(&demo).with_cancellation(cancel.clone()).with_progress(sink);
    let listing = tokio::spawn(async move { c.collect_all::<Application>(GraphRequest::get("applications").select(&["id"]).top(10)).await });
    pages_rx.recv().await.expect("a first page");
    // The second page's request is now in flight (300 ms at the tenant).
    tokio::time::sleep(Duration::from_millis(100)).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let result = listing.await.unwrap();
    let took = cancelled_at.elapsed();
    assert!(matches!(result, Err(GraphError::Cancelled)), "{result:?}");
    assert!(took < Duration::from_millis(100), "cancellation took {took:?}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(count(&demo, "GET /v1.0/applications"), 2, "no page asked for after the cancel");
}

#[tokio::test]
async fn add_and_remove_password_round_trip_shows_the_secret_once() {
    let demo = tenant(20, Faults::default()).await;
    let c = client(&demo);
    let app = c.list_applications().try_next().await.unwrap().expect("an app");
    let before = app.password_credentials.len();

    let end = chrono::Utc::now() + chrono::Duration::days(30);
    let added = c.add_application_password(&app.id, "integration test", Some(end)).await.unwrap();
    let secret = added.secret_text.expose().to_string();
    assert!((16..=64).contains(&secret.len()), "{} characters", secret.len());
    assert_eq!(added.credential.hint.as_deref(), Some(&secret[..3]));
    assert_eq!(added.credential.display_name.as_deref(), Some("integration test"));
    assert_eq!(added.credential.end_date_time.map(|d| d.timestamp()), Some(end.timestamp()));
    assert!(!format!("{added:?}").contains(&secret), "Debug redacts the secret");

    // Listed afterwards: the metadata, never the secret.
    let raw: serde_json::Value = c.send(&GraphRequest::get(&format!("applications/{}", app.id)).select(&["id", "passwordCredentials"])).await.unwrap();
    let listed = raw["passwordCredentials"].as_array().unwrap();
    assert_eq!(listed.len(), before + 1);
    assert!(listed.iter().all(|p| p["secretText"].is_null()), "{raw}");
    assert!(!raw.to_string().contains(&secret));
    let page: serde_json::Value = c.send(&GraphRequest::get("applications").select(&["id", "passwordCredentials"]).top(999)).await.unwrap();
    assert!(!page.to_string().contains(&secret), "nor in the list");
    let fetched = c.get_application(&app.id).await.unwrap();
    assert!(fetched.password_credentials.iter().any(|p| p.key_id == added.credential.key_id));

    c.remove_application_password(&app.id, &added.credential.key_id).await.unwrap();
    let fetched = c.get_application(&app.id).await.unwrap();
    assert_eq!(fetched.password_credentials, app.password_credentials, "back to where it was");
    let err = c.remove_application_password(&app.id, &added.credential.key_id).await.unwrap_err();
    assert_eq!((err.status(), err.graph_code()), (Some(400), Some("Request_BadRequest")), "{err}");
    let stats = demo.stats();
    assert_eq!(stats.requests["POST /v1.0/applications/{id}/addPassword"], 1);
    assert_eq!(stats.requests["POST /v1.0/applications/{id}/removePassword"], 2);
}

#[tokio::test]
async fn an_expired_skip_token_surfaces_directory_expired_page_token() {
    let demo = tenant(300, Faults { expire_skip_tokens: true, ..Default::default() }).await;
    let c = client(&demo);
    let mut pages = c.pages::<Application>(GraphRequest::get("applications").select(&["id"]).top(100));
    let first = pages.try_next().await.unwrap().expect("the first page needs no skip token");
    assert_eq!(first.value.len(), 100);
    assert!(first.next_link.as_deref().is_some_and(|l| l.contains("$skiptoken=")));
    let err = pages.next().await.expect("an answer").unwrap_err();
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!((api.status, api.code.as_str()), (400, "Directory_ExpiredPageToken"), "{err}");
    assert_eq!(api.message, "The specified page token value has expired and can no longer be included in your request.");
    assert!(err.request_id().is_some());
    assert!(pages.next().await.is_none(), "the stream ends after the error");
    assert_eq!(count(&demo, "GET /v1.0/applications"), 2, "not retried");
}
