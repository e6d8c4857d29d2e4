//! Paging over `@odata.nextLink` against a local server.

mod common;

use common::*;
use entra_graph::models::Application;
use entra_graph::{GraphError, GraphRequest, Page, Progress};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

fn apps(from: usize, n: usize) -> serde_json::Value {
    json!((from..from + n).map(|i| json!({"id": format!("app-{i}"), "displayName": format!("App {i}")})).collect::<Vec<_>>())
}

#[tokio::test]
async fn next_links_are_followed_byte_for_byte_with_the_consistency_header_on_every_page() {
    // An opaque skiptoken with characters a rebuilt URL would change (%2B, %3D, ~, !, *).
    const TOKEN: &str = "$skiptoken=RFNwdAoAAQAAAA%2BAAAAAFAAAA%3D%3D~x!y*z&$top=999";
    let mock = Mock::start(|r, i| {
        let base = r.header("host").map(|h| format!("http://{h}/v1.0")).unwrap();
        match i {
            0 => Reply::ok(page(apps(0, 2), Some(&format!("{base}/applications?{TOKEN}")))),
            1 => Reply::ok(page(json!([]), Some(&format!("{base}/applications?$skiptoken=second")))),
            2 => Reply::ok(page(apps(2, 1), None)),
            _ => Reply::unexpected(r),
        }
    })
    .await;
    let s = setup(&mock);
    let request = GraphRequest::get("applications").select(&["id", "displayName"]).filter("endsWith(displayName,'x')").advanced();
    let items: Vec<Application> = s.client.collect_all(request).await.unwrap();
    assert_eq!(items.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["app-0", "app-1", "app-2"]);
    let r = mock.requests();
    assert_eq!(r.len(), 3, "an empty page does not end the collection");
    assert_eq!(r[0].target, "/v1.0/applications?$select=id,displayName&$filter=endsWith(displayName,%27x%27)&$count=true");
    assert_eq!(r[1].target, format!("/v1.0/applications?{TOKEN}"));
    assert_eq!(r[2].target, "/v1.0/applications?$skiptoken=second");
    for req in &r {
        assert_eq!(req.header("consistencylevel"), Some("eventual"), "{}", req.target);
        assert!(req.header("authorization").unwrap().starts_with("Bearer token-"));
    }
}

#[tokio::test]
async fn pages_are_fetched_only_when_polled_and_report_progress() {
    let mock = Mock::start(|r, i| {
        let base = r.header("host").map(|h| format!("http://{h}/v1.0")).unwrap();
        if i == 0 {
            let mut p = page(apps(0, 3), Some(&format!("{base}/applications?$skiptoken=2")));
            p["@odata.count"] = json!(5);
            Reply::ok(p)
        } else {
            Reply::ok(page(apps(3, 2), None))
        }
    })
    .await;
    let (sink, log) = progress_log();
    let s = setup(&mock);
    let mut pages = s.client.with_progress(sink).pages::<Application>(GraphRequest::get("applications").top(3));
    let first: Page<Application> = pages.next().await.unwrap().unwrap();
    assert_eq!((first.value.len(), first.count, mock.count()), (3, Some(5), 1));
    assert!(pages.next().await.unwrap().is_ok());
    assert!(pages.next().await.is_none());
    let log = log.lock().unwrap();
    assert_eq!(log[1], Progress::PageFetched { resource: "/applications".into(), page: 2, items: 2, total: 5, count: None });
}

#[tokio::test]
async fn the_stream_ends_at_the_first_error() {
    let mock = Mock::start(|r, i| {
        let base = r.header("host").map(|h| format!("http://{h}/v1.0")).unwrap();
        match i {
            0 => Reply::ok(page(apps(0, 1), Some(&format!("{base}/applications?$skiptoken=2")))),
            _ => Reply::graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
        }
    })
    .await;
    let s = setup(&mock);
    let results: Vec<Result<Application, GraphError>> = s.client.items(GraphRequest::get("applications")).collect().await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!((err.status(), err.graph_code(), err.request_id()), (Some(403), Some("Authorization_RequestDenied"), Some("req-403")));
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_not_followed() {
    let mock = Mock::start(|_, _| Reply::ok(page(apps(0, 1), Some("https://evil.example/v1.0/applications?$skiptoken=x")))).await;
    let s = setup(&mock);
    let err = s.client.collect_all::<Application>(GraphRequest::get("applications")).await.unwrap_err();
    assert!(matches!(err, GraphError::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains("evil.example"), "{err}");
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn cancellation_is_checked_between_pages() {
    let mock = Mock::start(|r, _| {
        let base = r.header("host").map(|h| format!("http://{h}/v1.0")).unwrap();
        Reply::ok(page(apps(0, 1), Some(&format!("{base}/applications?$skiptoken=more"))))
    })
    .await;
    let s = setup(&mock);
    let cancel = tokio_util::sync::CancellationToken::new();
    let mut items = s.client.with_cancellation(cancel.clone()).items::<Application>(GraphRequest::get("applications"));
    assert!(items.try_next().await.unwrap().is_some());
    cancel.cancel();
    assert!(items.try_next().await.unwrap_err().is_cancelled());
    assert!(items.next().await.is_none());
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn a_decoding_error_names_the_path_and_the_ids() {
    let mock = Mock::start(|_, _| {
        Reply::ok(json!({"value": [{"id": "a"}, {"id": "b", "keyCredentials": [{"keyId": "k", "startDateTime": 42}]}]})).header("request-id", "rid-7")
    })
    .await;
    let s = setup(&mock);
    let err = s.client.list_applications().try_collect::<Vec<_>>().await.unwrap_err();
    match &err {
        GraphError::Decode { path, .. } => assert_eq!(path, "value[1].keyCredentials[0].startDateTime"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.request_id(), Some("rid-7"));
    assert!(err.to_string().contains("value[1].keyCredentials[0].startDateTime"), "{err}");
    let target = &mock.requests()[0].target;
    assert!(target.starts_with("/v1.0/applications?$select=id,appId,displayName,") && target.ends_with("&$top=999"), "{target}");
}
