//! The App registrations service against the demo tenant on loopback, a real SQLite file
//! and the real keychain: full refresh, offline listing, delta, fallback, cancellation.

mod common;

use common::{world_with_apps, World};
use entra_core::apps::{Apps, ObjectType, SyncProgress, SyncSummary};
use entra_core::ErrorCode;
use entra_graph::GraphRequest;
use entra_store::queries::apps as q;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

async fn refresh(apps: &Apps, account: &str, full: bool) -> (SyncSummary, Vec<SyncProgress>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let summary = apps.refresh(account, full, &move |e| sink.lock().unwrap().push(e), CancellationToken::new()).await.expect("refresh");
    let events = events.lock().unwrap().clone();
    (summary, events)
}

async fn sp_count(w: &World, account: &str) -> usize {
    use futures::TryStreamExt;
    let sps: Vec<_> = w.desk.graph(account).unwrap().list_service_principals().try_collect().await.unwrap();
    sps.len()
}

#[tokio::test]
async fn full_refresh_of_a_thousand_apps_then_the_list_works_offline() {
    let w = world_with_apps(41, 1000).await;
    let account = w.sign_in_app_only().await;
    let apps = w.apps();
    let first = apps.list().await.unwrap();
    assert!(first.rows.is_empty() && first.stale && first.as_of.is_none(), "an empty cache is stale");

    let (summary, events) = refresh(&apps, &account, false).await;
    let n_apps = w.tenant.info().apps;
    let n_sps = sp_count(&w, &account).await;
    assert!(n_apps >= 1000, "{n_apps}");
    assert!(summary.full);
    assert_eq!(summary.changed as usize, n_apps + n_sps);
    assert!(summary.requests >= 4, "{summary:?}");
    let ready = events.iter().position(|e| matches!(e, SyncProgress::ListReady { .. })).expect("ListReady");
    assert!(events[..ready].iter().any(|e| matches!(e, SyncProgress::Page { collection, .. } if collection == "applications")));
    let total = (n_apps + n_sps) as u32;
    assert!(events[ready..].contains(&SyncProgress::Owners { done: total, total }), "owners progress ends complete");

    let list = apps.list().await.unwrap();
    assert_eq!(list.rows.len(), n_apps + n_sps);
    assert_eq!(list.rows.iter().filter(|r| r.object_type == ObjectType::Application).count(), n_apps);
    assert!(!list.stale && list.as_of.is_some());
    assert!(list.rows.iter().all(|r| r.owners.is_some()), "every object's owners are loaded");
    assert!(list.rows.iter().any(|r| r.owners.as_ref().unwrap().len() > 20), "owners beyond Graph's $expand cap of 20 are all there");
    assert!(list.rows.iter().any(|r| r.object_type == ObjectType::ServicePrincipal && !r.owners.as_ref().unwrap().is_empty()));
    assert!(list.rows.iter().any(|r| r.expired_count > 0 && r.next_expiry.is_some()) || list.rows.iter().any(|r| r.expired_count > 0));

    // Offline: the tenant is gone, the list still answers from the cache.
    let some_id = list.rows.iter().find(|r| r.object_type == ObjectType::Application).unwrap().id.clone();
    w.tenant.shutdown().await;
    let offline = apps.list().await.unwrap();
    assert_eq!(offline.rows.len(), list.rows.len());
    assert!(!offline.stale);
    let detail = apps.detail(&some_id).await.unwrap();
    assert!(detail.portal_url.contains("/appId/"), "{}", detail.portal_url);
    // A new service over the same file (as after a restart) sees the same, and goes stale with time.
    let restarted = Apps::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    assert_eq!(restarted.list().await.unwrap().rows.len(), list.rows.len());
    w.clock.advance(chrono::Duration::minutes(31));
    assert!(restarted.list().await.unwrap().stale, "older than the refresh interval");
    let err = restarted.refresh(&account, false, &|_| {}, CancellationToken::new()).await.unwrap_err();
    // (The tenant's CA file went with it, so this fails before the network: Config; else Network.)
    assert!(matches!(err.code(), ErrorCode::Network | ErrorCode::Config), "{err:?}");
    assert_eq!(restarted.list().await.unwrap().rows.len(), list.rows.len(), "a failed refresh keeps the cache");
}

#[tokio::test]
async fn delta_refresh_after_changes_through_graph_touches_only_those_objects() {
    let w = world_with_apps(42, 60).await;
    let account = w.sign_in_app_only().await;
    let apps = w.apps();
    refresh(&apps, &account, false).await;
    let list = apps.list().await.unwrap();
    let target = list.rows.iter().find(|r| r.object_type == ObjectType::Application).unwrap().clone();
    let doomed = list.rows.iter().filter(|r| r.object_type == ObjectType::Application).nth(5).unwrap().clone();

    let graph = w.desk.graph(&account).unwrap();
    let added = graph.add_application_password(&target.id, "added by the test", None).await.unwrap();
    graph.send_no_content(&GraphRequest::delete(&format!("applications/{}", doomed.id))).await.unwrap();

    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(!summary.full, "{summary:?}");
    assert_eq!((summary.changed, summary.removed), (1, 1), "{summary:?}");
    let detail = apps.detail(&target.id).await.unwrap();
    assert!(detail.credentials.iter().any(|c| c.credential.key_id == added.credential.key_id));
    assert_eq!(detail.row.credential_count, target.credential_count + 1);
    assert!(detail.row.owners.is_some(), "owners reloaded for the changed object");
    assert_eq!(apps.detail(&doomed.id).await.unwrap_err().code(), ErrorCode::InvalidInput);
    assert_eq!(apps.list().await.unwrap().rows.len(), list.rows.len() - 1);

    // Nothing changed: a delta with nothing to do.
    let (quiet, _) = refresh(&apps, &account, false).await;
    assert_eq!((quiet.full, quiet.changed, quiet.removed), (false, 0, 0));
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn a_refused_delta_link_falls_back_to_a_full_read() {
    let w = world_with_apps(43, 30).await;
    let account = w.sign_in_app_only().await;
    let apps = w.apps();
    refresh(&apps, &account, false).await;
    let rows = apps.list().await.unwrap().rows.len();

    // A link Graph cannot read: 400.
    let graph_url = w.tenant.info().graph.clone();
    apps.store()
        .write(|tx| {
            let mut state = q::sync_state(tx, q::SyncCollection::Applications)?.unwrap();
            state.delta_link = Some(format!("{graph_url}/applications/delta?$deltatoken=not-a-token"));
            q::set_sync_state(tx, &state)
        })
        .unwrap();
    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(summary.full, "{summary:?}");
    assert_eq!(apps.list().await.unwrap().rows.len(), rows);

    // A link older than 7 days: 410 syncStateNotFound.
    w.advance(chrono::Duration::days(8));
    // azure_identity caches the app token by the system clock, which did not move: sign in again.
    let account = w.sign_in_app_only().await;
    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(summary.full, "{summary:?}");
    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(!summary.full, "the new link works: {summary:?}");
    w.tenant.shutdown().await;
}

#[tokio::test]
async fn cancelling_mid_refresh_leaves_a_consistent_cache_that_the_next_refresh_completes() {
    let w = world_with_apps(44, 400).await;
    let account = w.sign_in_app_only().await;
    let apps = w.apps();

    // Cancelled while listing: nothing written.
    let cancel = CancellationToken::new();
    let on_page = cancel.clone();
    let err = apps
        .refresh(&account, false, &move |e| if matches!(e, SyncProgress::Page { .. }) { on_page.cancel() }, cancel.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err:?}");
    assert!(apps.list().await.unwrap().rows.is_empty());

    // Cancelled while loading owners (through the service's own cancel, as the shell does).
    let service = apps.clone();
    let err = apps
        .refresh(
            &account,
            false,
            &move |e| {
                if matches!(e, SyncProgress::Owners { done, .. } if done > 0) {
                    service.cancel_refresh();
                }
            },
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err:?}");
    assert!(!apps.cancel_refresh(), "nothing running any more");
    let list = apps.list().await.unwrap();
    assert!(!list.rows.is_empty() && list.as_of.is_some(), "the list was stored before the owners");
    let loaded = list.rows.iter().filter(|r| r.owners.is_some()).count();
    assert!(loaded < list.rows.len(), "cancelled before every owner was read ({loaded})");
    for row in &list.rows {
        let object = apps.store().read(|c| q::get_object(c, &row.id)).unwrap().unwrap();
        assert_eq!(object.owners.is_some(), object.owners_loaded_at.is_some());
    }

    // The next (delta) refresh finishes the owners.
    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(!summary.full);
    assert!(apps.list().await.unwrap().rows.iter().all(|r| r.owners.is_some()));
    w.tenant.shutdown().await;
}
