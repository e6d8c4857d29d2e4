//! The group cache: a full replace, incremental rounds applied idempotently in one
//! transaction, cascades, the state row (sync record, policy, counters), clear, and a
//! failed write leaving the previous cache whole.

use chrono::{TimeZone, Utc};
use entra_store::queries::groups::{self as q, GroupRecord, Membership, NameRecord, Round, SyncRecord};
use entra_store::{Store, StoreError};

fn group(id: &str) -> GroupRecord {
    GroupRecord { id: id.into(), display_name: Some(format!("Group {id}")), group_types: vec!["Unified".into()], security_enabled: true, ..Default::default() }
}
fn member(g: &str, m: &str, kind: &str) -> Membership {
    Membership { group_id: g.into(), member_id: m.into(), member_type: kind.into() }
}
fn user(id: &str) -> NameRecord {
    NameRecord { id: id.into(), kind: "user".into(), display_name: Some(format!("User {id}")), user_principal_name: Some(format!("{id}@contoso.test")), mail: None }
}
fn record(full: bool) -> SyncRecord {
    SyncRecord {
        scope: "tenant https://graph".into(),
        groups_delta_link: Some("https://graph/groups/delta?$deltatoken=a".into()),
        users_delta_link: Some("https://graph/users/delta?$deltatoken=b".into()),
        as_of: Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap(),
        full,
        requests: 7,
        duration_ms: 1234,
        fallback: None,
    }
}
fn pairs(store: &Store) -> Vec<(String, String, String)> {
    store.read(q::memberships).unwrap().into_iter().map(|m| (m.group_id, m.member_id, m.member_type)).collect()
}
fn seeded() -> Store {
    let store = Store::open_in_memory().unwrap();
    store
        .write(|tx| {
            q::replace_all(tx, &[group("g1"), group("g2")], &[member("g1", "u1", "user"), member("g1", "g2", "group"), member("g2", "u2", "user"), member("nope", "u1", "user")], &[user("u1"), user("u2")])?;
            q::set_sync(tx, &record(true))
        })
        .unwrap();
    store
}

#[test]
fn a_full_replace_reads_back_and_replaces_everything_before_it() {
    let store = seeded();
    assert_eq!(store.read(q::groups).unwrap(), vec![group("g1"), group("g2")]);
    assert_eq!(pairs(&store).len(), 3, "the membership of an unknown group is skipped");
    let state = store.read(q::state).unwrap();
    assert_eq!(state.sync, Some(record(true)));
    assert_eq!((state.policy_secs, state.hits, state.misses), (1800, 0, 0), "default policy 00:30:00");
    let stats = store.read(q::stats).unwrap();
    assert_eq!((stats.groups, stats.memberships, stats.users), (2, 3, 2));

    store.write(|tx| q::replace_all(tx, &[group("g3")], &[member("g3", "u9", "device")], &[])).unwrap();
    assert_eq!(pairs(&store), vec![("g3".into(), "u9".into(), "device".into())]);
    assert!(store.read(q::names).unwrap().is_empty());
}

#[test]
fn a_round_applies_in_order_and_a_replay_changes_nothing() {
    let store = seeded();
    let mut renamed = group("g2");
    renamed.display_name = Some("Renamed".into());
    let round = Round {
        groups: vec![renamed.clone(), group("g4")],
        removed_groups: vec!["g1".into()],
        added: vec![member("g2", "u1", "user"), member("g4", "sp", "servicePrincipal"), member("g4", "u2", "user")],
        removed: vec![("g2".into(), "u2".into()), ("g2".into(), "not-a-member".into())],
        names: vec![NameRecord { id: "sp".into(), kind: "servicePrincipal".into(), display_name: Some("App".into()), ..Default::default() }],
        removed_names: vec![],
    };
    let applied = store.write(|tx| q::apply_round(tx, &round)).unwrap();
    assert!(applied.total() > 0);
    // g1 went with its memberships (as group: u1, g2); u2 left g2 and joined g4.
    let mut got = pairs(&store);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("g2".into(), "u1".into(), "user".into()),
            ("g4".into(), "sp".into(), "servicePrincipal".into()),
            ("g4".into(), "u2".into(), "user".into())
        ]
    );
    assert_eq!(store.read(|c| q::group(c, "g2")).unwrap(), Some(renamed));
    assert_eq!(store.read(|c| q::group(c, "g1")).unwrap(), None);

    let again = store.write(|tx| q::apply_round(tx, &round)).unwrap();
    assert_eq!(again.total(), 0, "a replayed round changes nothing: {again:?}");
    assert_eq!(pairs(&store).len(), 3);
}

#[test]
fn removing_a_group_or_user_removes_it_as_a_member_too() {
    let store = seeded();
    store.write(|tx| q::apply_round(tx, &Round { removed_groups: vec!["g2".into()], ..Default::default() })).unwrap();
    assert_eq!(pairs(&store), vec![("g1".into(), "u1".into(), "user".into())]);
    store.write(|tx| q::apply_round(tx, &Round { removed_names: vec!["u1".into()], ..Default::default() })).unwrap();
    assert!(pairs(&store).is_empty());
    assert_eq!(store.read(q::names).unwrap(), vec![user("u2")]);
}

#[test]
fn a_failed_write_leaves_the_previous_cache_whole() {
    let store = seeded();
    let before = (store.read(q::groups).unwrap(), pairs(&store), store.read(q::state).unwrap());
    let bad = Round { groups: vec![group("g9"), GroupRecord::default()], added: vec![member("g9", "u1", "user")], ..Default::default() };
    let err = store
        .write(|tx| {
            q::apply_round(tx, &bad)?;
            q::set_sync(tx, &record(false))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert_eq!((store.read(q::groups).unwrap(), pairs(&store), store.read(q::state).unwrap()), before);
}

#[test]
fn policy_counters_and_clear() {
    let store = seeded();
    store
        .write(|tx| {
            q::set_policy_secs(tx, 0)?;
            q::count_read(tx, true)?;
            q::count_read(tx, true)?;
            q::count_read(tx, false)
        })
        .unwrap();
    let state = store.read(q::state).unwrap();
    assert_eq!((state.policy_secs, state.hits, state.misses), (0, 2, 1));
    store.write(q::clear).unwrap();
    let state = store.read(q::state).unwrap();
    assert_eq!(state.sync, None);
    assert_eq!((state.policy_secs, state.hits, state.misses), (0, 2, 1), "clear keeps the policy and counters");
    assert_eq!(store.read(q::stats).unwrap(), Default::default());
    assert!(store.read(q::db_size_bytes).unwrap() > 0);
}

#[test]
fn a_hundred_thousand_memberships_replace_in_one_transaction() {
    let store = Store::open(tempfile::tempdir().unwrap().path().join("cache.sqlite")).unwrap();
    let groups: Vec<GroupRecord> = (0..5000).map(|i| group(&format!("g{i}"))).collect();
    let members: Vec<Membership> = (0..100_000).map(|i| member(&format!("g{}", i % 5000), &format!("u{}", i / 5000 * 7 + i % 13), "user")).collect();
    let users: Vec<NameRecord> = (0..20_000).map(|i| user(&format!("u{i}"))).collect();
    let started = std::time::Instant::now();
    store.write(|tx| q::replace_all(tx, &groups, &members, &users).map(drop)).unwrap();
    let took = started.elapsed();
    let stats = store.read(q::stats).unwrap();
    assert_eq!(stats.groups, 5000);
    assert!(stats.memberships > 90_000, "{stats:?}");
    assert!(took.as_secs() < 30, "{took:?}");
}

/// A staged copy swaps in whole, and the indexes it dropped for the bulk copy are back as the
/// migrations made them; the members still to be named are found through their own index,
/// not by reading every staged membership.
#[test]
fn a_staged_copy_swaps_in_with_its_indexes_rebuilt() {
    use entra_store::queries::groups::staging as st;
    let store = seeded();
    let schema = |store: &Store| -> Vec<String> {
        store.read(|c| Ok(c.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?)).unwrap()
    };
    let before = schema(&store);
    assert!(before.iter().any(|s| s.contains("group_members_by_member")), "{before:?}");
    let members = [member("g3", "u1", "user"), member("g3", "sp1", "servicePrincipal"), member("g3", "g4", "group"), member("g4", "d1", "device")];
    store
        .write(|tx| {
            st::begin(tx, "tenant https://graph", Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap(), "https://graph/g", "https://graph/u")?;
            st::stage_groups(tx, &[group("g3"), group("g4")])?;
            st::stage_members(tx, "g3", &members[..3], None)?;
            st::stage_members(tx, "g4", &members[3..], None)?;
            st::stage_names(tx, &[user("u1")])
        })
        .unwrap();
    let unnamed = store.read(|c| st::unnamed_members(c, 10)).unwrap();
    assert_eq!(unnamed, vec![("d1".to_string(), "device".to_string()), ("sp1".to_string(), "servicePrincipal".to_string())]);
    let plan: Vec<String> = store
        .read(|c| {
            let sql = "EXPLAIN QUERY PLAN SELECT member_id, min(member_type) FROM staged_members WHERE member_type NOT IN ('user', 'group') AND member_id NOT IN (SELECT id FROM staged_names) GROUP BY member_id ORDER BY member_id LIMIT 10";
            Ok(c.prepare(sql)?.query_map([], |r| r.get(3))?.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap();
    assert!(plan.iter().any(|p| p.contains("staged_members_others")), "{plan:?}");

    let written = store.write(st::swap_in).unwrap();
    assert_eq!(written, 2 + 4 + 1);
    assert_eq!(pairs(&store).len(), 4);
    assert_eq!(schema(&store), before, "the same indexes, from the same SQL");
    assert!(store.read(st::job).unwrap().is_none(), "the job is over");
}
