//! The group cache read in place (migration `0004_groups_search`): word-prefix search kept
//! current by every write (full replace, rounds, clear) and equal to a rebuild, direct member
//! counts kept on write, the group list and member lists a page at a time, the edges the core
//! walks, and a cache written before the migration indexed by it.

use entra_store::queries::groups::{self as q, GroupOrder, GroupRecord, Membership, MemberOrder, NameRecord, Round, Window};
use entra_store::{rusqlite, Store};
use std::collections::BTreeSet;

fn group(id: &str, name: &str) -> GroupRecord {
    GroupRecord { id: id.into(), display_name: Some(name.into()), mail: Some(format!("{}@contoso.com", name.to_lowercase().replace(' ', "."))), ..Default::default() }
}
fn member(g: &str, m: &str, kind: &str) -> Membership {
    Membership { group_id: g.into(), member_id: m.into(), member_type: kind.into() }
}
fn user(id: &str, name: &str) -> NameRecord {
    let upn = format!("{}@contoso.com", name.to_lowercase().replace(' ', "."));
    NameRecord { id: id.into(), kind: "user".into(), display_name: Some(name.into()), user_principal_name: Some(upn.clone()), mail: Some(upn) }
}

const JOHN: &str = "3f2a9c1e-0000-4000-8000-000000000001";

/// sales ⊃ emea ⊃ paris ∋ john; sales ∋ mary; it ∋ ann, bob; loop1 ⊃ loop2 ⊃ loop1.
fn seeded() -> Store {
    let store = Store::open_in_memory().unwrap();
    let groups = [group("sales", "Sales"), group("emea", "Sales EMEA"), group("paris", "Paris Office"), group("it", "IT Team"), group("loop1", "Loop One"), group("loop2", "Loop Two")];
    let members = [
        member("sales", "emea", "group"),
        member("sales", "mary", "user"),
        member("emea", "paris", "group"),
        member("paris", JOHN, "user"),
        member("it", "ann", "user"),
        member("it", "bob", "user"),
        member("it", "sp1", "servicePrincipal"),
        member("loop1", "loop2", "group"),
        member("loop2", "loop1", "group"),
        member("loop2", "ann", "user"),
    ];
    let names = [user(JOHN, "John Smith"), user("mary", "Mary Jones"), user("ann", "Ann Åberg"), user("bob", "Bob Smithers")];
    store.write(|tx| q::replace_all(tx, &groups, &members, &names).map(drop)).unwrap();
    store
}

fn users(store: &Store, text: &str) -> Vec<String> {
    store.read(|c| q::search_users(c, text, 50)).unwrap().into_iter().map(|u| u.id).collect()
}
fn group_ids(store: &Store, search: Option<&str>, order: GroupOrder, descending: bool) -> Vec<String> {
    let (rows, total) = store.read(|c| q::group_page(c, search, order, descending, Window::default())).unwrap();
    assert_eq!(rows.len() as u64, total);
    rows.into_iter().map(|r| r.group.id).collect()
}

/// Every group's stored count equals its memberships.
fn assert_counts(store: &Store) {
    let (rows, _) = store.read(|c| q::group_page(c, None, GroupOrder::Name, false, Window::default())).unwrap();
    let memberships = store.read(q::memberships).unwrap();
    for row in rows {
        let actual = memberships.iter().filter(|m| m.group_id == row.group.id).count() as u64;
        assert_eq!(row.direct_members, actual, "{}", row.group.id);
    }
}

#[test]
fn search_is_by_word_prefix_in_name_and_mail_or_by_id() {
    let store = seeded();
    assert_eq!(users(&store, "smi"), ["bob", JOHN], "Bob Smithers and John Smith, by name");
    assert_eq!(users(&store, "john.smi"), [JOHN], "every word must match, in the sign-in name too");
    assert_eq!(users(&store, "SMITH J"), [JOHN]);
    assert_eq!(users(&store, "aberg"), ["ann"], "diacritics are folded");
    assert!(users(&store, "mith").is_empty(), "a word's prefix, not any substring");
    assert_eq!(users(&store, JOHN), [JOHN], "an ID exactly");
    assert_eq!(users(&store, &JOHN[..8].to_uppercase()), [JOHN], "the start of a GUID, at least 8 characters");
    assert!(users(&store, "3f2a").is_empty(), "a short text is not an ID prefix");
    assert_eq!(users(&store, "").len(), 4, "no text: every user");
    assert!(users(&store, "it").is_empty(), "groups are not users");
    assert_eq!(group_ids(&store, Some("sal"), GroupOrder::Name, false), ["sales", "emea"]);
    assert_eq!(group_ids(&store, Some("paris.office@"), GroupOrder::Name, false), ["paris"], "by mail");
    assert_eq!(group_ids(&store, Some("loop1"), GroupOrder::Name, false), ["loop1"], "by ID");
    assert!(group_ids(&store, Some("john"), GroupOrder::Name, false).is_empty(), "users are not groups");
    assert!(group_ids(&store, Some("--"), GroupOrder::Name, false).is_empty(), "punctuation alone finds nothing");
    // What a person types is never read as FTS5 syntax.
    for odd in ["\"", "*", "smi*", "AND", "OR smith", "NEAR(john smith)", "'", "a\"b", "^john", "john:", "😀", "²", "  \t "] {
        store.read(|c| q::search_users(c, odd, 5)).unwrap_or_else(|e| panic!("{odd:?}: {e}"));
        store.read(|c| q::group_page(c, Some(odd), GroupOrder::Name, false, Window::default())).unwrap_or_else(|e| panic!("{odd:?}: {e}"));
    }
    assert_eq!(users(&store, "NEAR(john smith)"), Vec::<String>::new(), "every word must match, NEAR included");
    assert_eq!(users(&store, "smi*"), ["bob", JOHN]);
}

#[test]
fn rounds_and_clear_keep_the_search_and_the_counts_current() {
    let store = seeded();
    assert_counts(&store);
    let mut renamed = user("bob", "Robert Brown");
    renamed.mail = None;
    let round = Round {
        groups: vec![group("new", "Smithy Guild"), GroupRecord { display_name: Some("Parisian Office".into()), ..group("paris", "x") }],
        removed_groups: vec!["emea".into()],
        added: vec![member("new", "carl", "user"), member("new", "bob", "user"), member("it", "carl", "user")],
        removed: vec![("it".into(), "ann".into())],
        names: vec![renamed, user("carl", "Carl Smith")],
        removed_names: vec!["mary".into()],
    };
    store.write(|tx| q::apply_round(tx, &round).map(drop)).unwrap();
    assert_eq!(users(&store, "smi"), ["carl", JOHN], "Bob renamed, Carl added");
    assert_eq!(users(&store, "robert brown"), ["bob"]);
    assert!(users(&store, "mary").is_empty(), "a removed user is no longer found");
    assert_eq!(group_ids(&store, Some("smi"), GroupOrder::Name, false), ["new"]);
    assert_eq!(group_ids(&store, Some("parisian"), GroupOrder::Name, false), ["paris"]);
    assert!(group_ids(&store, Some("emea"), GroupOrder::Name, false).is_empty(), "a removed group is no longer found");
    assert_counts(&store);
    let (rows, _) = store.read(|c| q::group_page(c, None, GroupOrder::Members, true, Window { start: 0, rows: Some(2) })).unwrap();
    assert_eq!(rows.iter().map(|r| (r.group.id.as_str(), r.direct_members)).collect::<Vec<_>>(), [("it", 3), ("new", 2)]);
    // A replay changes nothing, the counts included.
    assert_eq!(store.write(|tx| q::apply_round(tx, &round)).unwrap().total(), 0);
    assert_counts(&store);

    store.write(q::clear).unwrap();
    assert!(users(&store, "").is_empty() && users(&store, "smi").is_empty());
    assert!(group_ids(&store, None, GroupOrder::Name, false).is_empty());
}

/// The search index as (ID, is a group, term) triples, whatever its row numbers.
fn index_terms(store: &Store) -> BTreeSet<(String, bool, String)> {
    store
        .read(|c| {
            c.execute_batch("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, search_text, 'instance')")?;
            let mut stmt = c.prepare("SELECT r.id, r.is_group, t.term FROM temp.terms AS t JOIN search_rows AS r ON r.fts_rowid = t.doc")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap()
}

#[test]
fn a_rebuild_equals_what_the_writes_kept() {
    let store = seeded();
    let round = Round {
        groups: vec![group("x", "Xylophone Club")],
        removed_groups: vec!["it".into()],
        added: vec![member("x", "bob", "user")],
        names: vec![user("dan", "Dan Smith"), NameRecord { mail: Some("other@fabrikam.com".into()), ..user("ann", "Ann Åberg") }],
        removed_names: vec!["mary".into()],
        ..Default::default()
    };
    store.write(|tx| q::apply_round(tx, &round).map(drop)).unwrap();
    let kept = index_terms(&store);
    assert!(kept.contains(&("ann".into(), false, "fabrikam".into())), "a mail unlike the sign-in name is indexed");
    assert!(!kept.iter().any(|(id, _, _)| id == "mary" || id == "it"));
    store.write(q::rebuild_search).unwrap();
    assert_eq!(index_terms(&store), kept);
    assert_counts(&store);
    assert_eq!(users(&store, "smi"), ["bob", "dan", JOHN]);
}

#[test]
fn the_group_list_pages_in_order_and_says_how_many_match() {
    let store = Store::open_in_memory().unwrap();
    let groups: Vec<GroupRecord> = (0..250).map(|i| group(&format!("g{i:03}"), &format!("Team {:03}", 249 - i))).collect();
    let members: Vec<Membership> = (0..250).flat_map(|i| (0..i % 7).map(move |m| member(&format!("g{i:03}"), &format!("u{m}"), "user"))).collect();
    store.write(|tx| q::replace_all(tx, &groups, &members, &[]).map(drop)).unwrap();
    let page = |search: Option<&str>, order, descending, start, rows| store.read(|c| q::group_page(c, search, order, descending, Window { start, rows: Some(rows) })).unwrap();
    let (rows, total) = page(None, GroupOrder::Name, false, 100, 3);
    assert_eq!(total, 250);
    assert_eq!(rows.iter().map(|r| r.group.display_name.clone().unwrap()).collect::<Vec<_>>(), ["Team 100", "Team 101", "Team 102"]);
    let (rows, _) = page(None, GroupOrder::Name, true, 0, 1);
    assert_eq!(rows[0].group.display_name.as_deref(), Some("Team 249"));
    let (rows, _) = page(None, GroupOrder::Members, true, 0, 40);
    assert!(rows.windows(2).all(|w| w[0].direct_members >= w[1].direct_members) && rows[0].direct_members == 6);
    let (rows, total) = page(Some("team 12"), GroupOrder::Name, false, 0, 100);
    assert_eq!((rows.len(), total), (10, 10), "Team 120-129");
    let (rows, total) = page(Some("team 12"), GroupOrder::Name, false, 50, 100);
    assert_eq!((rows.len(), total), (0, 10), "past the end: no rows, and still the total");
    assert_eq!(page(None, GroupOrder::Name, false, 1000, 10), (vec![], 250));
}

#[test]
fn member_pages_list_each_member_once_at_its_first_depth() {
    let store = seeded();
    let all = |walk: &[(&str, u32)], exclude: &str, search: Option<&str>, order| {
        let walk: Vec<(String, u32)> = walk.iter().map(|(g, d)| (g.to_string(), *d)).collect();
        store.read(|c| q::member_page(c, &walk, exclude, search, order, false, Window::default())).unwrap()
    };
    let (rows, total) = all(&[("it", 0)], "it", None, MemberOrder::Depth);
    assert_eq!(total, 3);
    let shown: Vec<(&str, &str, Option<&str>)> = rows.iter().map(|r| (r.member.id.as_str(), r.member.kind.as_str(), r.member.display_name.as_deref())).collect();
    assert_eq!(shown, [("sp1", "servicePrincipal", None), ("ann", "user", Some("Ann Åberg")), ("bob", "user", Some("Bob Smithers"))], "unnamed first, then by name");
    // sales' walk: sales (0), emea (1), paris (2).
    let (rows, _) = all(&[("sales", 0), ("emea", 1), ("paris", 2)], "sales", None, MemberOrder::Depth);
    let shown: Vec<(&str, u32, &str)> = rows.iter().map(|r| (r.member.id.as_str(), r.depth, r.via.id.as_str())).collect();
    assert_eq!(shown, [("mary", 1, "sales"), ("emea", 1, "sales"), ("paris", 2, "emea"), (JOHN, 3, "paris")]);
    assert_eq!(rows[1].member.kind, "group");
    assert_eq!(rows[3].via.display_name.as_deref(), Some("Paris Office"));
    let walk: Vec<(String, u32)> = [("sales", 0), ("emea", 1), ("paris", 2)].iter().map(|(g, d)| (g.to_string(), *d)).collect();
    let page = |start, rows| store.read(|c| q::member_page(c, &walk, "sales", None, MemberOrder::Depth, false, Window { start, rows: Some(rows) })).unwrap();
    let ids = |(rows, total): (Vec<entra_store::queries::groups::MemberListing>, u64)| (rows.into_iter().map(|r| r.member.id).collect::<Vec<_>>(), total);
    assert_eq!(ids(page(1, 2)), (vec!["emea".to_string(), "paris".to_string()], 4));
    assert_eq!(ids(page(3, 2)), (vec![JOHN.to_string()], 4), "the last page, shorter");
    assert_eq!(ids(page(9, 2)), (vec![], 4), "past the end: still the total");
    let (rows, _) = all(&[("sales", 0), ("emea", 1), ("paris", 2)], "sales", Some("smith"), MemberOrder::Depth);
    assert_eq!(rows.iter().map(|r| r.member.id.as_str()).collect::<Vec<_>>(), [JOHN]);
    let (rows, _) = all(&[("sales", 0), ("emea", 1), ("paris", 2)], "sales", None, MemberOrder::Name);
    assert_eq!(rows.iter().map(|r| r.member.id.as_str()).collect::<Vec<_>>(), [JOHN, "mary", "paris", "emea"]);
    // A cycle: loop1's walk reaches loop2 and back; loop1 is not its own member.
    let (rows, _) = all(&[("loop1", 0), ("loop2", 1)], "loop1", None, MemberOrder::Depth);
    assert_eq!(rows.iter().map(|r| (r.member.id.as_str(), r.depth)).collect::<Vec<_>>(), [("loop2", 1), ("ann", 2)]);
}

#[test]
fn the_edges_and_objects_the_core_walks() {
    let store = seeded();
    store
        .read(|c| {
            assert_eq!(q::parents(c, "ann")?, ["it", "loop2"]);
            assert_eq!(q::nested_groups(c, "sales")?, ["emea"]);
            assert!(q::nested_groups(c, "it")?.is_empty(), "users and service principals are not walked");
            assert_eq!(q::object(c, "emea")?.unwrap().kind, "group");
            assert_eq!(q::object(c, "sp1")?.unwrap().kind, "servicePrincipal", "known by its membership only");
            assert_eq!(q::object(c, "ann")?.unwrap().display_name.as_deref(), Some("Ann Åberg"));
            assert!(q::object(c, "nobody")?.is_none());
            let names = q::group_names(c, &["it".into(), "ann".into()])?;
            assert_eq!((names[0].as_ref().unwrap().display_name.as_deref(), names[1].is_none()), (Some("IT Team"), true));
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_cache_written_before_the_migration_is_indexed_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    {
        // A cache as schema version 3 left it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL)").unwrap();
        let old = [("0001_apps", include_str!("../migrations/0001_apps.sql")), ("0002_expiry_seen", include_str!("../migrations/0002_expiry_seen.sql")), ("0003_groups", include_str!("../migrations/0003_groups.sql"))];
        for (i, (name, sql)) in old.iter().enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.execute("INSERT INTO schema_migrations VALUES (?1, ?2, '2025-01-01T00:00:00.000Z')", rusqlite::params![i + 1, name]).unwrap();
        }
        conn.pragma_update(None, "application_id", 0x4544_736B).unwrap();
        conn.execute_batch(
            "INSERT INTO groups (id, display_name, mail) VALUES ('g1', 'Finance', 'finance@contoso.com'), ('g2', 'Audit', NULL);
             INSERT INTO group_members VALUES ('g1', 'u1', 'user'), ('g1', 'g2', 'group'), ('g2', 'u2', 'user');
             INSERT INTO directory_names VALUES ('u1', 'user', 'Zoë Smith', 'zoe@contoso.com', NULL), ('u2', 'user', 'Al Smith', 'al@contoso.com', 'al@contoso.com');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(out_of_order(&store), 2, "migrated rows are out of order until numbered");
    assert_eq!(users(&store, "smi"), ["u2", "u1"]);
    assert_eq!(users(&store, "zoe"), ["u1"]);
    assert_eq!(group_ids(&store, Some("fin"), GroupOrder::Name, false), ["g1"]);
    assert_counts(&store);
    let migrated = index_terms(&store);
    store.write(q::rebuild_search).unwrap();
    assert_eq!(index_terms(&store), migrated, "the migration indexes as rebuild_search does");
}

/// The group IDs a search by name should list, brute force: every word of `text` the prefix of
/// a word of the name or mail, or the text the group's ID; by name (ASCII case folded), then ID.
fn expected_by_name(all: &[GroupRecord], text: &str) -> Vec<String> {
    let split = |s: &str| s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>();
    let wanted = split(text);
    let mut hits: Vec<&GroupRecord> = all
        .iter()
        .filter(|g| {
            let words = split(&format!("{} {}", g.display_name.as_deref().unwrap_or(""), g.mail.as_deref().unwrap_or("")));
            g.id == text.to_lowercase() || wanted.iter().all(|w| words.iter().any(|x| x.starts_with(w.as_str())))
        })
        .collect();
    hits.sort_by_key(|g| (g.display_name.as_deref().unwrap_or("").to_ascii_lowercase(), g.id.clone()));
    hits.into_iter().map(|g| g.id.clone()).collect()
}

fn out_of_order(store: &Store) -> i64 {
    store.read(|c| Ok(c.query_row("SELECT count(*) FROM search_rows WHERE in_order = 0 AND fts_rowid < 0", [], |r| r.get(0))?)).unwrap()
}

/// A search by name reads its matches in the index's order (name order as of the last
/// numbering) and sorts only the first ones, those added or renamed since, and an ID match:
/// the same pages and totals as sorting every match, both ways, at any window. Once more than
/// a page's worth are out of order, the round that made them numbers the groups again.
#[test]
fn a_search_by_name_pages_exactly_with_groups_added_and_renamed_since_the_numbering() {
    let store = Store::open_in_memory().unwrap();
    let words = ["Alpha", "Beta", "alpine", "Gamma", "Delta", "beta"];
    let name = |i: usize| format!("{} {} {:03}", words[i % 6], words[(i / 6) % 6], (i * 7919) % 1000);
    let groups: Vec<GroupRecord> = (0..240).map(|i| group(&format!("g{i:03}"), &name(i))).collect();
    store.write(|tx| q::replace_all(tx, &groups, &[], &[]).map(drop)).unwrap();
    assert_eq!(out_of_order(&store), 0);
    // Renamed (they keep their place in the index) and added (placed after the others).
    let mut changed: Vec<GroupRecord> = (0..240).step_by(9).map(|i| group(&format!("g{i:03}"), &format!("Alpha Zeta {i}"))).collect();
    changed.extend((0..30).map(|i| group(&format!("h{i:02}"), &name(i * 13 + 1))));
    store.write(|tx| q::apply_round(tx, &Round { groups: changed, ..Default::default() }).map(drop)).unwrap();
    assert_eq!(out_of_order(&store), 57, "27 renamed and 30 added");
    let check = |store: &Store| {
        let all = store.read(q::groups).unwrap();
        for text in ["a", "al", "alpha", "BETA", "alp z", "zeta", "delta gamma", "g005", "contoso"] {
            let expected = expected_by_name(&all, text);
            assert!(!expected.is_empty(), "{text}");
            for descending in [false, true] {
                let expected: Vec<String> = if descending { expected.iter().rev().cloned().collect() } else { expected.clone() };
                for (start, rows) in [(0, 10), (5, 7), (30, 25), (0, 1000), (300, 10)] {
                    let (page, total) = store.read(|c| q::group_page(c, Some(text), GroupOrder::Name, descending, Window { start, rows: Some(rows) })).unwrap();
                    let want: Vec<String> = expected.iter().skip(start as usize).take(rows as usize).cloned().collect();
                    assert_eq!(page.into_iter().map(|r| r.group.id).collect::<Vec<_>>(), want, "{text:?} descending {descending} from {start}, {rows} rows");
                    assert_eq!(total, expected.len() as u64, "{text:?}");
                }
            }
        }
    };
    check(&store);
    // Adding more than a page's worth: the round numbers the groups again, and the pages stay the same.
    let many: Vec<GroupRecord> = (0..=q::OUT_OF_ORDER_MAX as usize).map(|i| group(&format!("k{i:03}"), &name(i + 3))).collect();
    store.write(|tx| q::apply_round(tx, &Round { groups: many, ..Default::default() }).map(drop)).unwrap();
    assert_eq!(out_of_order(&store), 0, "numbered again");
    check(&store);
}

/// The version changes with every write to the groups or memberships, in the writing
/// transaction, and not with a replay, a new name or a read.
#[test]
fn the_version_follows_the_groups_and_memberships() {
    let store = seeded();
    let version = || store.read(q::version).unwrap();
    let v1 = version();
    let round = Round { added: vec![member("it", "carl", "user")], ..Default::default() };
    store.write(|tx| q::apply_round(tx, &round).map(drop)).unwrap();
    let v2 = version();
    assert!(v2 > v1, "a membership added");
    store.write(|tx| q::apply_round(tx, &round).map(drop)).unwrap();
    assert_eq!(version(), v2, "a replay changes nothing");
    store.write(|tx| q::apply_round(tx, &Round { names: vec![user("carl", "Carl Berg")], ..Default::default() }).map(drop)).unwrap();
    assert_eq!(version(), v2, "a name is not nesting");
    store.write(|tx| q::apply_round(tx, &Round { groups: vec![group("new", "New Group")], ..Default::default() }).map(drop)).unwrap();
    let v3 = version();
    assert!(v3 > v2, "a group added");
    store.write(q::clear).unwrap();
    assert!(version() > v3, "cleared");
}
