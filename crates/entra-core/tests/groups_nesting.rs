//! The nesting of groups kept in memory (the app's `Groups::keeping_nesting_in_memory`) gives
//! the answers the store's walk gives (`entractl`'s): member-of whole and a page at a time
//! (both orders, both ways, searched), "why", and transitive members, over a demo tenant nested
//! deeply enough that users are in hundreds of groups; and it follows a change another process
//! writes to the same cache file.

mod common;

use common::{desk_on, World};
use entra_core::clock::OffsetClock;
use entra_core::groups::{GroupWithDepth, Groups};
use entra_core::paging::ListQuery;
use entra_demo::DemoOptions;
use entra_store::queries::groups::{self as q, Membership, Round};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

async fn world() -> World {
    // About 60 members a group, 4 % of them earlier groups: a random nesting hundreds deep in closure.
    let options = DemoOptions { tls: true, seed: 77, apps: 10, groups: 250, users: 1500, group_memberships: Some(15_000), ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

fn shown(rows: &[GroupWithDepth]) -> Vec<(&str, u32, Option<&str>)> {
    rows.iter().map(|g| (g.group.id.as_str(), g.depth, g.group.display_name.as_deref())).collect()
}

/// Every page of a user's groups, `limit` rows at a time.
async fn all_pages(groups: &Groups, user: &str, transitive: bool, query: &ListQuery, limit: u32) -> Vec<GroupWithDepth> {
    let mut rows = Vec::new();
    let mut start = Some(0);
    while let Some(at) = start {
        let page = groups.member_of_page(None, user, transitive, &ListQuery { start: at, limit: Some(limit), ..query.clone() }).await.unwrap();
        assert!(page.groups.next.is_none() || page.groups.items.len() == limit as usize);
        rows.extend(page.groups.items);
        assert!(page.groups.next.is_some() || rows.len() as u64 == page.groups.total);
        start = page.groups.next;
    }
    rows
}

#[tokio::test]
async fn the_nesting_in_memory_answers_as_the_store_walk_does() {
    let w = world().await;
    let account = w.sign_in_app_only().await;
    let walked = Groups::open(w.desk.clone(), w.desk.data_dir()).unwrap();
    walked.refresh(&account, false, &|_| {}, CancellationToken::new()).await.expect("refresh");
    let kept = Groups::open(w.desk.clone(), w.desk.data_dir()).unwrap().keeping_nesting_in_memory();

    let users = walked.search_users("", 1500).await.unwrap();
    let all_groups = walked.list(None).await.unwrap().groups;
    let mut deepest = 0;
    let mut most = 0;
    for (k, user) in users.iter().enumerate().step_by(7) {
        for transitive in [false, true] {
            let a = walked.member_of(None, &user.id, transitive).await.unwrap().groups;
            let b = kept.member_of(None, &user.id, transitive).await.unwrap().groups;
            assert_eq!(shown(&a), shown(&b), "{} transitive {transitive}", user.id);
            most = most.max(a.len());
            deepest = deepest.max(a.iter().map(|g| g.depth).max().unwrap_or(0));
        }
        // Pages: both orders, both ways, a search; each the same from both, and the pages add up.
        let query = ListQuery {
            search: (k % 2 == 0).then(|| "a".to_string()),
            sort: Some(if k % 3 == 0 { "name" } else { "depth" }.to_string()),
            descending: k % 5 == 0,
            ..ListQuery::default()
        };
        let a = all_pages(&walked, &user.id, true, &query, 13).await;
        let b = all_pages(&kept, &user.id, true, &query, 13).await;
        assert_eq!(shown(&a), shown(&b), "{} {query:?}", user.id);
        if query.search.is_none() && query.sort.as_deref() == Some("depth") && !query.descending {
            assert_eq!(shown(&a), shown(&walked.member_of(None, &user.id, true).await.unwrap().groups), "pages add up to the whole list");
        }
        // Why, for a few groups it may or may not be in.
        for group in all_groups.iter().skip(k % 11).step_by(37) {
            let a = walked.why(None, &user.id, &group.id).await.unwrap();
            let b = kept.why(None, &user.id, &group.id).await.unwrap();
            assert_eq!((a.member, &a.chain), (b.member, &b.chain), "why {} in {}", user.id, group.id);
        }
    }
    assert!(deepest >= 5 && most >= 100, "nested deeply enough to tell: depth {deepest}, {most} groups");
    for group in all_groups.iter().step_by(17) {
        let query = ListQuery { limit: Some(1000), ..ListQuery::default() };
        let a = walked.members_page(None, &group.id, true, &query).await.unwrap().members;
        let b = kept.members_page(None, &group.id, true, &query).await.unwrap().members;
        assert_eq!(a, b, "transitive members of {}", group.id);
    }

    // Another process (a second store handle on the file) nests a group in another: the kept
    // nesting sees it at the next read.
    let user = &users[3].id;
    let before = kept.member_of(None, user, true).await.unwrap().groups;
    let mine: Vec<&str> = before.iter().map(|g| g.group.id.as_str()).collect();
    let outside = all_groups.iter().find(|g| !mine.contains(&g.id.as_str())).expect("a group the user is not in");
    let direct = walked.member_of(None, user, false).await.unwrap().groups[0].group.id.clone();
    let other = entra_core::cache::open(w.desk.data_dir()).unwrap();
    let round = Round { added: vec![Membership { group_id: outside.id.clone(), member_id: direct.clone(), member_type: "group".into() }], ..Default::default() };
    other.write(|tx| q::apply_round(tx, &round).map(drop)).unwrap();
    let after = kept.member_of(None, user, true).await.unwrap().groups;
    let found = after.iter().find(|g| g.group.id == outside.id).expect("the new nesting is walked");
    assert_eq!(found.depth, 2, "through {direct}");
    assert_eq!(shown(&after), shown(&walked.member_of(None, user, true).await.unwrap().groups));
    let why = kept.why(None, user, &outside.id).await.unwrap();
    assert_eq!(why.chain.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), [direct.as_str(), outside.id.as_str()]);
}
