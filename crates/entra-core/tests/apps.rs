//! The App registrations service against the demo tenant on loopback, a real SQLite file
//! and the real keychain: full refresh, offline listing, delta, fallback, cancellation, and the
//! list read a page at a time (search, filters, sorts, the kept order).

mod common;

use chrono::{DateTime, Utc};
use common::{world_with_apps, World};
use entra_core::apps::{AppRow, Apps, AppsQuery, ObjectType, SyncProgress, SyncSummary};
use entra_core::clock::Clock;
use entra_core::paging::ListQuery;
use entra_core::ErrorCode;
use entra_graph::GraphRequest;
use entra_store::queries::apps as q;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// The whole inventory as the screen would see it by scrolling to the end: every page of `query`.
struct Listed {
    rows: Vec<AppRow>,
    as_of: Option<DateTime<Utc>>,
    stale: bool,
}

async fn pages(apps: &Apps, mut query: AppsQuery) -> Listed {
    query.list.limit = Some(query.list.limit.unwrap_or(97));
    let mut rows = Vec::new();
    loop {
        let page = apps.page(&query).await.expect("a page");
        assert_eq!(page.page.start, query.list.start);
        rows.extend(page.page.items);
        assert!(rows.len() as u64 <= page.page.total);
        match page.page.next {
            Some(next) => query.list.start = next,
            None => {
                assert_eq!(rows.len() as u64, page.page.total, "the pages hold every row once");
                return Listed { rows, as_of: page.as_of, stale: page.stale };
            }
        }
    }
}

async fn listed(apps: &Apps) -> Listed {
    pages(apps, AppsQuery::default()).await
}

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
    let first = listed(&apps).await;
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
    let list = listed(&apps).await;
    // Owners come with the list ($expand=owners: 2 resource units a page of 100, not 1 an
    // object); only objects at Graph's cap of 20 owners are read again, in $batches.
    let capped = list.rows.iter().filter(|r| r.owners.as_ref().is_some_and(|o| o.len() >= 20)).count();
    let owner_reads: u64 = w.tenant.stats().requests.iter().filter(|(route, _)| route.ends_with("/owners")).map(|(_, n)| n).sum();
    assert_eq!(owner_reads as usize, capped, "owners read one by one only for the {capped} capped objects");
    if capped > 0 {
        let total = capped as u32;
        assert!(events[ready..].contains(&SyncProgress::Owners { done: total, total }), "owners progress ends complete");
    }
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
    let offline = listed(&apps).await;
    assert_eq!(offline.rows.len(), list.rows.len());
    assert!(!offline.stale);
    let detail = apps.detail(&some_id).await.unwrap();
    assert!(detail.portal_url.contains("/appId/"), "{}", detail.portal_url);
    // A new service over the same file (as after a restart) sees the same, and goes stale with time.
    let restarted = Apps::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    assert_eq!(listed(&restarted).await.rows.len(), list.rows.len());
    w.clock.advance(chrono::Duration::minutes(31));
    assert!(listed(&restarted).await.stale, "older than the refresh interval");
    let err = restarted.refresh(&account, false, &|_| {}, CancellationToken::new()).await.unwrap_err();
    // (The tenant's CA file went with it, so this fails before the network: Config; else Network.)
    assert!(matches!(err.code(), ErrorCode::Network | ErrorCode::Config), "{err:?}");
    assert_eq!(listed(&restarted).await.rows.len(), list.rows.len(), "a failed refresh keeps the cache");
}

#[tokio::test]
async fn delta_refresh_after_changes_through_graph_touches_only_those_objects() {
    let w = world_with_apps(42, 60).await;
    let account = w.sign_in_app_only().await;
    let apps = w.apps();
    refresh(&apps, &account, false).await;
    let list = listed(&apps).await;
    let target = list.rows.iter().find(|r| r.object_type == ObjectType::Application).unwrap().clone();
    let doomed = list.rows.iter().filter(|r| r.object_type == ObjectType::Application).nth(5).unwrap().clone();

    let graph = w.desk.graph(&account).unwrap();
    let added = graph.add_application_password(&target.id, "added by the test", None).await.unwrap();
    graph.send_no_content(&GraphRequest::delete(&format!("applications/{}", doomed.id))).await.unwrap();

    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(!summary.full, "{summary:?}");
    // Deleting an application deletes its service principal too (as Entra does): two removals.
    assert_eq!((summary.changed, summary.removed), (1, 2), "{summary:?}");
    let detail = apps.detail(&target.id).await.unwrap();
    assert!(detail.credentials.iter().any(|c| c.credential.key_id == added.credential.key_id));
    assert_eq!(detail.row.credential_count, target.credential_count + 1);
    assert!(detail.row.owners.is_some(), "owners reloaded for the changed object");
    assert_eq!(apps.detail(&doomed.id).await.unwrap_err().code(), ErrorCode::InvalidInput);
    assert_eq!(listed(&apps).await.rows.len(), list.rows.len() - 2, "the application's row and its service principal's");

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
    let rows = listed(&apps).await.rows.len();

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
    assert_eq!(listed(&apps).await.rows.len(), rows);

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
    assert!(listed(&apps).await.rows.is_empty());

    // A full read cancelled half way (through the service's own cancel, as the shell does)
    // leaves the previous complete cache as it was.
    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(summary.full);
    let before = listed(&apps).await;
    let service = apps.clone();
    let err = apps
        .refresh(
            &account,
            true,
            &move |e| {
                if matches!(e, SyncProgress::Page { items, .. } if items > 0) {
                    service.cancel_refresh();
                }
            },
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err:?}");
    assert!(!apps.cancel_refresh(), "nothing running any more");
    let list = listed(&apps).await;
    assert_eq!(list.rows.len(), before.rows.len(), "the previous cache is whole");
    assert_eq!(list.as_of, before.as_of);
    for row in &list.rows {
        let object = apps.store().read(|c| q::get_object(c, &row.id)).unwrap().unwrap();
        assert_eq!(object.owners.is_some(), object.owners_loaded_at.is_some());
    }

    // The next (delta) refresh completes from the stored links.
    let (summary, _) = refresh(&apps, &account, false).await;
    assert!(!summary.full);
    assert!(listed(&apps).await.rows.iter().all(|r| r.owners.is_some()));
    w.tenant.shutdown().await;
}

/// Every page of every order and filter holds what filtering and sorting the whole inventory
/// would give; the kept order follows a change to the cache; a bad sort key is refused.
#[tokio::test]
async fn pages_search_filter_and_sort_as_the_whole_list_would() {
    let w = world_with_apps(45, 300).await;
    let account = w.sign_in_app_only().await;
    let apps = w.apps();
    refresh(&apps, &account, false).await;
    let all = listed(&apps).await.rows;
    let now = w.clock.now();
    assert!(all.len() > 300, "{}", all.len());
    let names: Vec<String> = all.iter().map(|r| r.display_name.to_lowercase()).collect();
    assert!(names.windows(2).all(|p| p[0] <= p[1]), "the default order is by name, without case");

    let ids = |rows: &[AppRow]| rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    let only = |keep: &dyn Fn(&AppRow) -> bool| all.iter().filter(|r| keep(r)).cloned().collect::<Vec<_>>();
    let query = |f: fn(&mut AppsQuery)| {
        let mut q = AppsQuery::default();
        f(&mut q);
        q
    };
    // (query, what filtering the whole list gives, whether the tenant surely has such rows)
    let cases: Vec<(AppsQuery, Vec<AppRow>, bool)> = vec![
        (query(|q| q.list.search = Some("SECRET app".into())), only(&|r| r.display_name.to_lowercase().contains("secret app")), true),
        (query(|q| q.object_type = Some(ObjectType::ServicePrincipal)), only(&|r| r.object_type == ObjectType::ServicePrincipal), true),
        (query(|q| q.expired = true), only(&|r| r.expired_count > 0), true),
        (query(|q| q.no_owner = true), only(&|r| r.owners.as_ref().is_some_and(Vec::is_empty)), false),
        (query(|q| q.audience = Some("AzureADMyOrg".into())), only(&|r| r.sign_in_audience.as_deref() == Some("AzureADMyOrg")), false),
    ];
    for (asked, expected, some) in cases {
        assert!(expected.len() < all.len() && (!some || !expected.is_empty()), "{asked:?} picks some rows: {}", expected.len());
        assert_eq!(ids(&pages(&apps, asked.clone()).await.rows), ids(&expected), "{asked:?}");
    }
    // An application ID finds the registration and its service principal, in either case.
    let app_id = all[7].app_id.clone();
    let by_app_id = pages(&apps, AppsQuery { list: ListQuery::search(app_id.to_uppercase()), ..AppsQuery::default() }).await.rows;
    assert_eq!(ids(&by_app_id), ids(&only(&|r| r.app_id == app_id)));

    // Each order holds every row once, sorted by its key with blanks last, both ways.
    for (key, value) in [
        ("credentials", (|r: &AppRow| Some(r.credential_count as usize)) as fn(&AppRow) -> Option<usize>),
        ("nextExpiry", |r| r.next_expiry.map(|t| t.timestamp() as usize)),
        ("created", |r| r.created.map(|t| t.timestamp() as usize)),
    ] {
        for descending in [false, true] {
            let asked = AppsQuery { list: ListQuery { sort: Some(key.into()), descending, ..ListQuery::default() }, ..AppsQuery::default() };
            let rows = pages(&apps, asked).await.rows;
            let mut sorted = ids(&rows);
            sorted.sort();
            let mut every = ids(&all);
            every.sort();
            assert_eq!(sorted, every, "{key}: every row once");
            let keys: Vec<Option<usize>> = rows.iter().map(value).collect();
            let blanks = keys.iter().position(Option::is_none).unwrap_or(keys.len());
            assert!(keys[blanks..].iter().all(Option::is_none), "{key}: blanks last");
            let set: Vec<usize> = keys[..blanks].iter().flatten().copied().collect();
            assert!(set.windows(2).all(|p| if descending { p[0] >= p[1] } else { p[0] <= p[1] }), "{key} descending={descending}");
        }
    }
    assert!(all.iter().all(|r| r.next_expiry.is_none_or(|t| t > now)));
    let err = apps.page(&AppsQuery { list: ListQuery { sort: Some("owner".into()), ..ListQuery::default() }, ..AppsQuery::default() }).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("nextExpiry"), "{}", err.message());

    // The order is kept for the next pages, but not past a change to the cache.
    let first = apps.page(&AppsQuery::default()).await.unwrap();
    let gone = first.page.items[0].id.clone();
    apps.store().write(|tx| q::remove_objects(tx, [gone.as_str()])).unwrap();
    let again = apps.page(&AppsQuery::default()).await.unwrap();
    assert_eq!(again.page.total, first.page.total - 1, "a write invalidates the kept order");
    assert_ne!(again.page.items[0].id, gone);
    assert_eq!(again.objects, first.objects - 1);
    w.tenant.shutdown().await;
}
