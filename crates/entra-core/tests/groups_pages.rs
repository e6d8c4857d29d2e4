//! The Group caches service's paged reads against the demo tenant and a real SQLite file: the
//! group list and member lists a page at a time add up to the whole lists, in the same order;
//! sorts, searches and counts; user search by word prefix; and an incremental round keeps the
//! search and the member counts current.

mod common;

use common::{desk_on, World};
use entra_core::clock::OffsetClock;
use entra_core::groups::{GroupRow, Groups, MemberRow};
use entra_core::paging::{ListPage, ListQuery};
use entra_core::ErrorCode;
use entra_demo::DemoOptions;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

async fn world(seed: u64) -> World {
    let options = DemoOptions { tls: true, seed, apps: 20, groups: 60, users: 400, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

async fn sync(groups: &Groups, account: &str) {
    groups.refresh(account, false, &|_| {}, CancellationToken::new()).await.expect("refresh");
}

fn page_query(start: u64, limit: u32) -> ListQuery {
    ListQuery { start, limit: Some(limit), ..ListQuery::default() }
}

/// Every page of `read`, from the first, following `next`; checks each page's bookkeeping.
async fn every_page<T, F: std::future::Future<Output = ListPage<T>>>(limit: u32, read: impl Fn(ListQuery) -> F) -> Vec<T> {
    let mut rows = Vec::new();
    let mut start = Some(0);
    while let Some(at) = start {
        let page = read(page_query(at, limit)).await;
        assert_eq!(page.start, at);
        assert!(page.items.len() <= limit as usize);
        assert!(page.next.is_none() || page.items.len() == limit as usize, "only the last page is short");
        rows.extend(page.items);
        assert!(page.next.is_some() || rows.len() as u64 == page.total, "the last page ends at the total");
        start = page.next;
    }
    rows
}

fn ids_of_groups(rows: &[GroupRow]) -> Vec<&str> {
    rows.iter().map(|r| r.id.as_str()).collect()
}

fn ids_of_members(rows: &[MemberRow]) -> Vec<(&str, u32)> {
    rows.iter().map(|r| (r.member.id.as_str(), r.depth)).collect()
}

#[tokio::test]
async fn pages_add_up_to_the_whole_lists_and_search_and_sort_in_the_cache() {
    let w = world(61).await;
    let account = w.sign_in_app_only().await;
    let groups = Groups::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone());
    sync(&groups, &account).await;
    let fixture = w.tenant.group_fixture();

    // The group list: pages of 7 are the whole list, in its order.
    let whole = groups.list(None).await.unwrap().groups;
    let paged = every_page(7, |q| {
        let groups = groups.clone();
        async move { groups.list_page(None, &q).await.unwrap().groups }
    })
    .await;
    assert_eq!(ids_of_groups(&paged), ids_of_groups(&whole));
    assert_eq!(paged, whole, "the same rows, counts included");
    let by_size = groups.list_page(None, &ListQuery { sort: Some("members".into()), descending: true, ..page_query(0, 3) }).await.unwrap();
    let largest = whole.iter().map(|g| g.direct_members).max().unwrap();
    assert_eq!(by_size.groups.items[0].direct_members, largest);
    assert!(by_size.groups.items.windows(2).all(|p| p[0].direct_members >= p[1].direct_members));
    let err = groups.list_page(None, &ListQuery { sort: Some("size".into()), ..ListQuery::default() }).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("name, members"), "{}", err.message());

    // Search by a word's prefix of the name, and by ID.
    let g5 = whole.iter().find(|g| g.id == fixture.nested_chain[4]).unwrap();
    let word = g5.display_name.as_deref().unwrap().split_whitespace().last().unwrap();
    let found = groups.list_page(None, &ListQuery::search(&word[..word.len().min(4)])).await.unwrap();
    assert!(found.groups.items.iter().any(|g| g.id == g5.id), "{word}: {:?}", ids_of_groups(&found.groups.items));
    assert_eq!(found.groups.total, found.groups.items.len() as u64);
    let by_id = groups.list_page(None, &ListQuery::search(&g5.id)).await.unwrap();
    assert_eq!(ids_of_groups(&by_id.groups.items), [g5.id.as_str()]);

    // Members: pages of 100 of the large group, direct, and of G1, transitive.
    let large = groups.members(None, &fixture.large_group, false).await.unwrap().members;
    let paged = every_page(100, |q| {
        let large_group = fixture.large_group.clone();
        let groups = groups.clone();
        async move { groups.members_page(None, &large_group, false, &q).await.unwrap().members }
    })
    .await;
    assert_eq!(paged.len(), fixture.large_group_members);
    assert_eq!(ids_of_members(&paged), ids_of_members(&large));
    let g1 = &fixture.nested_chain[0];
    let nested = groups.members(None, g1, true).await.unwrap().members;
    let paged = every_page(3, |q| {
        let (g1, groups) = (g1.clone(), groups.clone());
        async move { groups.members_page(None, &g1, true, &q).await.unwrap().members }
    })
    .await;
    assert_eq!(paged, nested);
    let user = nested.iter().find(|r| r.member.id == fixture.nested_user).unwrap();
    assert_eq!((user.depth, user.via.as_ref().unwrap().id.as_str()), (5, fixture.nested_chain[4].as_str()));

    // Searching a member list, and users.
    let name = user.member.display_name.clone().unwrap();
    let first = name.split_whitespace().next().unwrap();
    let page = groups.members_page(None, g1, true, &ListQuery::search(&name)).await.unwrap();
    assert_eq!(page.members.items.iter().map(|r| r.member.id.as_str()).collect::<Vec<_>>(), [fixture.nested_user.as_str()]);
    assert!(page.group.display_name.is_some() && page.transitive && page.cache.as_of.is_some());
    let found = groups.search_users(&name, 10).await.unwrap();
    assert!(found.iter().any(|u| u.id == fixture.nested_user), "{name}: {found:?}");
    let found = groups.search_users(&first[..first.len().min(3)].to_lowercase(), 50).await.unwrap();
    assert!(!found.is_empty() && found.len() <= 50);
    let names: Vec<String> = found.iter().map(|u| u.display_name.clone().unwrap_or_default().to_lowercase()).collect();
    assert!(names.windows(2).all(|p| p[0] <= p[1]), "by name: {names:?}");

    // An incremental round keeps the search and the counts current.
    let graph = w.desk.graph(&account).unwrap();
    let made = graph.create_security_group("Zanzibar Pagination Crew", "zanzibar").await.unwrap();
    graph.add_group_member(&made.id, &fixture.nested_user).await.unwrap();
    graph.remove_group_member(&fixture.nested_chain[4], &fixture.nested_user).await.unwrap();
    sync(&groups, &account).await;
    let found = groups.list_page(None, &ListQuery::search("zanzi pag")).await.unwrap().groups.items;
    assert_eq!(found.iter().map(|g| (g.id.as_str(), g.direct_members)).collect::<Vec<_>>(), [(made.id.as_str(), 1)]);
    let g5_now = groups.list_page(None, &ListQuery::search(&g5.id)).await.unwrap().groups.items;
    assert_eq!(g5_now[0].direct_members, g5.direct_members - 1);
}
