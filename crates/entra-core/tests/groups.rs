//! The Group caches service against the demo tenant on loopback (app-only, TLS) and a real
//! SQLite file: a full sync equals the tenant (cross-checked with Graph's transitive reads),
//! incremental rounds in two requests, the fallback from an expired delta link, cancellation,
//! the cache policy, "why" through the nesting and the cycle, names.

mod common;

use common::{desk_on, World};
use entra_core::clock::OffsetClock;
use entra_core::groups::{Freshness, Groups, GroupsSyncProgress, GroupsSyncSummary, MemberKind};
use entra_core::ErrorCode;
use entra_demo::DemoOptions;
use entra_graph::models::DirectoryObject;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

async fn world(seed: u64) -> World {
    let options = DemoOptions { tls: true, seed, apps: 20, groups: 60, users: 400, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

fn groups_of(w: &World) -> Groups {
    Groups::open(w.desk.clone(), w.desk.data_dir()).unwrap().with_clock(w.clock.clone())
}

async fn sync(groups: &Groups, account: &str, full: bool) -> (GroupsSyncSummary, Vec<GroupsSyncProgress>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let summary = groups.refresh(account, full, &move |e| sink.lock().unwrap().push(e), CancellationToken::new()).await.expect("refresh");
    let events = events.lock().unwrap().clone();
    (summary, events)
}

fn ids(objects: &[DirectoryObject]) -> BTreeSet<String> {
    objects.iter().map(|o| o.id().to_string()).collect()
}

fn group_ids(objects: &[DirectoryObject]) -> BTreeSet<String> {
    objects.iter().filter(|o| matches!(o, DirectoryObject::Group(_))).map(|o| o.id().to_string()).collect()
}

#[tokio::test]
async fn a_full_sync_equals_the_tenant_and_transitive_answers_match_graph() {
    let w = world(51).await;
    let account = w.sign_in_app_only().await;
    let graph = w.desk.graph(&account).unwrap();
    let groups = groups_of(&w);
    let (summary, events) = sync(&groups, &account, false).await;
    assert!(summary.full && summary.fell_back.is_none(), "{summary:?}");
    assert!(events.iter().any(|e| e.phase == entra_core::groups::GroupsSyncPhase::Saving));
    assert_eq!(events.last().unwrap().requests, summary.requests);

    use futures::TryStreamExt;
    let tenant_groups: Vec<_> = graph.list_groups().try_collect().await.unwrap();
    let list = groups.list(None).await.unwrap();
    assert_eq!(list.groups.len(), tenant_groups.len());
    assert_eq!(summary.groups as usize, tenant_groups.len());
    let fixture = w.tenant.group_fixture();

    // Direct and transitive members of every group agree with Graph's.
    let mut memberships = 0;
    for g in &tenant_groups {
        let direct = graph.group_members(&g.id).await.unwrap();
        memberships += direct.len();
        let ours = groups.members(None, &g.id, false).await.unwrap();
        assert_eq!(ours.members.iter().map(|m| m.member.id.clone()).collect::<BTreeSet<_>>(), ids(&direct), "direct members of {}", g.id);
        let transitive = graph.group_transitive_members(&g.id).await.unwrap();
        let ours = groups.members(None, &g.id, true).await.unwrap();
        let mut theirs = ids(&transitive);
        theirs.remove(&g.id); // a group in a cycle: Graph may or may not list it as its own member
        assert_eq!(ours.members.iter().map(|m| m.member.id.clone()).collect::<BTreeSet<_>>(), theirs, "transitive members of {}", g.id);
    }
    assert_eq!(summary.memberships as usize, memberships);
    let large = groups.members(None, &fixture.large_group, false).await.unwrap();
    assert_eq!(large.members.len(), fixture.large_group_members);
    assert!(large.members.iter().all(|m| m.member.display_name.is_some()), "every user member is named");

    // A user's groups agree with /users/{id}/transitiveMemberOf.
    for user in [&fixture.nested_user, &fixture.admin_user] {
        let theirs = group_ids(&graph.user_transitive_member_of(user).await.unwrap());
        let ours = groups.member_of(None, user, true).await.unwrap();
        assert_eq!(ours.groups.iter().map(|g| g.group.id.clone()).collect::<BTreeSet<_>>(), theirs, "transitive groups of {user}");
        let direct = group_ids(&graph.user_member_of(user).await.unwrap());
        let ours = groups.member_of(None, user, false).await.unwrap();
        assert_eq!(ours.groups.iter().map(|g| g.group.id.clone()).collect::<BTreeSet<_>>(), direct);
        assert!(ours.groups.iter().all(|g| g.depth == 1));
    }

    // Why: through the 5-deep chain, from G5 up to G1.
    let why = groups.why(None, &fixture.nested_user, &fixture.nested_chain[0]).await.unwrap();
    let mut expected = fixture.nested_chain.clone();
    expected.reverse();
    assert!(why.member);
    assert_eq!(why.chain.iter().map(|g| g.id.clone()).collect::<Vec<_>>(), expected);
    assert!(why.chain.iter().all(|g| g.display_name.is_some()));
    let depth = groups.member_of(None, &fixture.nested_user, true).await.unwrap();
    assert_eq!(depth.groups.iter().find(|g| g.group.id == fixture.nested_chain[0]).unwrap().depth, 5);
    // The cycle ends: every cycle group contains the other two, and itself is not listed.
    for (i, g) in fixture.cycle.iter().enumerate() {
        let members = groups.members(None, g, true).await.unwrap();
        let found: BTreeSet<&str> = members.members.iter().filter(|m| m.member.kind == MemberKind::Group).map(|m| m.member.id.as_str()).collect();
        for (j, other) in fixture.cycle.iter().enumerate() {
            assert_eq!(found.contains(other.as_str()), i != j, "{g} ∋ {other}");
        }
    }
    // Not a member: an empty chain.
    let outsider = groups.why(None, &fixture.nested_user, &fixture.cycle[0]).await.unwrap();
    assert!(!outsider.member && outsider.chain.is_empty());
    // Unknown ids are named in the error.
    let err = groups.why(None, "no-such-user", &fixture.cycle[0]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.message().contains("no-such-user") && err.message().contains("refresh"), "{}", err.message());

    // Names for the JWT inspector, in the asked order, unknown ones without a name.
    let asked = vec![fixture.nested_chain[1].clone(), "00000000-0000-0000-0000-000000000000".to_string()];
    let names = groups.resolve(&asked).await.unwrap();
    assert_eq!(names.names[0].display_name, tenant_groups.iter().find(|g| g.id == asked[0]).unwrap().display_name);
    assert!(names.names[1].display_name.is_none() && names.as_of.is_some());
    // Service principals and devices are named too (getByIds).
    let mut others = 0;
    for g in &list.groups {
        for m in groups.members(None, &g.id, false).await.unwrap().members {
            if matches!(m.member.kind, MemberKind::ServicePrincipal | MemberKind::Device) {
                others += 1;
                assert!(m.member.display_name.is_some(), "{m:?}");
            }
        }
    }
    assert!(others > 0, "the tenant has service principal and device members");
    let found = groups.search_users(&fixture.nested_user[..8], 5).await.unwrap();
    assert!(found.iter().any(|u| u.id == fixture.nested_user));
    let overview = groups.overview().await.unwrap();
    assert!(overview.stats.size_bytes > 0 && overview.stats.last_sync_full == Some(true));
    assert_eq!(overview.cache.freshness, Freshness::Fresh);
}

#[tokio::test]
async fn an_incremental_round_sees_adds_removes_and_deletes_in_two_requests() {
    let w = world(52).await;
    let account = w.sign_in_app_only().await;
    let graph = w.desk.graph(&account).unwrap();
    let groups = groups_of(&w);
    sync(&groups, &account, false).await;
    let fixture = w.tenant.group_fixture();
    let (quiet, _) = sync(&groups, &account, false).await;
    assert!(!quiet.full && quiet.requests <= 2 && quiet.changes == 0, "{quiet:?}");

    // An admin's changes: the nested user joins a cycle group, leaves G5; a group is deleted.
    graph.add_group_member(&fixture.cycle[0], &fixture.nested_user).await.unwrap();
    graph.remove_group_member(&fixture.nested_chain[4], &fixture.nested_user).await.unwrap();
    let doomed = groups.list(None).await.unwrap().groups.into_iter().find(|g| !fixture.nested_chain.contains(&g.id) && !fixture.cycle.contains(&g.id) && g.id != fixture.large_group).unwrap();
    graph.delete_group(&doomed.id).await.unwrap();
    let (round, _) = sync(&groups, &account, false).await;
    assert!(!round.full && round.fell_back.is_none(), "{round:?}");
    assert!(round.requests <= 2, "{round:?}");
    assert!(round.changes >= 3, "{round:?}");

    let why = groups.why(None, &fixture.nested_user, &fixture.cycle[0]).await.unwrap();
    assert_eq!(why.chain.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), [fixture.cycle[0].as_str()]);
    assert!(!groups.why(None, &fixture.nested_user, &fixture.nested_chain[0]).await.unwrap().member);
    assert_eq!(groups.members(None, &doomed.id, false).await.unwrap_err().code(), ErrorCode::InvalidInput);
    let theirs = group_ids(&graph.user_transitive_member_of(&fixture.nested_user).await.unwrap());
    let ours = groups.member_of(None, &fixture.nested_user, true).await.unwrap();
    assert_eq!(ours.groups.iter().map(|g| g.group.id.clone()).collect::<BTreeSet<_>>(), theirs);

    // The same round again (as a replay would) changes nothing.
    let (again, _) = sync(&groups, &account, false).await;
    assert_eq!(again.changes, 0, "{again:?}");
    assert_eq!(again.memberships, round.memberships);
}

#[tokio::test]
async fn an_expired_delta_link_falls_back_to_a_full_sync_and_says_so() {
    let w = world(53).await;
    let account = w.sign_in_app_only().await;
    let groups = groups_of(&w);
    let (first, _) = sync(&groups, &account, false).await;
    w.tenant.set_faults(entra_demo::Faults { expire_delta_tokens: true, ..Default::default() }).unwrap();
    let (summary, _) = sync(&groups, &account, false).await;
    assert!(summary.full, "{summary:?}");
    let why = summary.fell_back.clone().expect("fell_back");
    assert!(why.contains("410") && why.contains("syncStateNotFound"), "{why}");
    assert_eq!((summary.groups, summary.memberships), (first.groups, first.memberships));
    let stats = groups.overview().await.unwrap().stats;
    assert_eq!(stats.last_sync_fallback.as_deref(), Some(why.as_str()));
    assert_eq!(stats.last_sync_duration_ms, Some(summary.duration_ms), "the statistics and the summary tell the same time");
    w.tenant.set_faults(entra_demo::Faults::default()).unwrap();
    let (next, _) = sync(&groups, &account, false).await;
    assert!(!next.full && next.fell_back.is_none(), "{next:?}");
}

#[tokio::test]
async fn a_refresh_cancelled_halfway_keeps_the_previous_cache() {
    let w = world(54).await;
    let account = w.sign_in_app_only().await;
    let graph = w.desk.graph(&account).unwrap();
    let groups = groups_of(&w);
    let (first, _) = sync(&groups, &account, false).await;
    let fixture = w.tenant.group_fixture();
    graph.remove_group_member(&fixture.nested_chain[4], &fixture.nested_user).await.unwrap();
    let before = groups.overview().await.unwrap();

    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let err = groups
        .refresh(&account, true, &move |e: GroupsSyncProgress| if e.pages >= 2 { trigger.cancel() }, cancel)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled, "{err:?}");
    let after = groups.overview().await.unwrap();
    assert_eq!(after.stats.last_sync_at, before.stats.last_sync_at);
    assert_eq!(after.stats.memberships, first.memberships);
    assert!(groups.why(None, &fixture.nested_user, &fixture.nested_chain[0]).await.unwrap().member, "the old cache still answers");
    assert!(!groups.cancel_refresh(), "nothing runs now");
    let (summary, _) = sync(&groups, &account, false).await;
    assert!(!summary.full, "the stored links still work: {summary:?}");
    assert!(!groups.why(None, &fixture.nested_user, &fixture.nested_chain[0]).await.unwrap().member);
}

#[tokio::test]
async fn the_cache_policy_decides_between_a_hit_and_a_refresh() {
    let w = world(55).await;
    let account = w.sign_in_app_only().await;
    let groups = groups_of(&w);
    let policy = groups.overview().await.unwrap().policy;
    assert_eq!((policy.duration.as_str(), policy.enabled), ("00:30:00", true));
    for bad in ["half an hour", "00:61:00", "200:00:00", ""] {
        let err = groups.set_policy(bad).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{bad}");
        assert!(err.message().contains("hh:mm:ss") || err.message().contains("168:00:00"), "{}", err.message());
    }
    let fixture = w.tenant.group_fixture();

    // Empty cache, offline: empty, and the read says so.
    let empty = groups.list(None).await.unwrap();
    assert!(empty.groups.is_empty() && empty.cache.freshness == Freshness::Empty);
    // With an account: a miss refreshes first, then a hit.
    let first = groups.member_of(Some(&account), &fixture.nested_user, true).await.unwrap();
    assert!(first.cache.refreshed && first.cache.freshness == Freshness::Fresh);
    let second = groups.member_of(Some(&account), &fixture.nested_user, true).await.unwrap();
    assert!(!second.cache.refreshed && second.cache.freshness == Freshness::Fresh);
    let stats = groups.overview().await.unwrap().stats;
    assert_eq!((stats.hits, stats.misses), (2, 1), "{stats:?}");
    // Past the duration: stale offline, refreshed with an account.
    w.advance(chrono::Duration::minutes(31));
    assert_eq!(groups.list(None).await.unwrap().cache.freshness, Freshness::Stale);
    assert!(groups.list(Some(&account)).await.unwrap().cache.refreshed);

    // 00:00:00: every read with an account refreshes.
    let disabled = groups.set_policy("00:00:00").await.unwrap();
    assert!(!disabled.enabled);
    for _ in 0..3 {
        let read = groups.why(Some(&account), &fixture.nested_user, &fixture.nested_chain[0]).await.unwrap();
        assert!(read.cache.refreshed && read.member);
    }
    let stats = groups.overview().await.unwrap().stats;
    assert_eq!(stats.misses, 5, "{stats:?}");
    assert_eq!(stats.last_sync_full, Some(false));

    // Graph out of reach: the read answers from the cache, stale, with the reason.
    w.tenant.set_faults(entra_demo::Faults { unavailable_fraction: 1.0, ..Default::default() }).unwrap();
    let offline = groups.why(Some(&account), &fixture.nested_user, &fixture.nested_chain[0]).await.unwrap();
    assert!(offline.member && !offline.cache.refreshed);
    assert_eq!(offline.cache.freshness, Freshness::Stale);
    assert!(offline.cache.stale_reason.as_deref().unwrap().contains("Not refreshed"), "{:?}", offline.cache);
    w.tenant.set_faults(entra_demo::Faults::default()).unwrap();
    groups.set_policy("01:00:00").await.unwrap();
    groups.clear().await.unwrap();
    let cleared = groups.overview().await.unwrap();
    assert_eq!((cleared.stats.groups, cleared.cache.freshness, cleared.policy.duration.as_str()), (0, Freshness::Empty, "01:00:00"));
}
