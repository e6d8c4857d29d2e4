//! The apps cache: full and delta syncs, cascades, owners, sync state, and 10,000 objects.

mod common;

use common::{app, cert, many, secret, sp, t0, user};
use entra_store::queries::apps::{self, ObjectType, SyncCollection, SyncState};
use entra_store::{Store, StoreError};

fn ids(store: &Store) -> Vec<String> {
    store
        .read(apps::list_objects)
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect()
}

#[test]
fn a_row_reads_back_as_it_was_written() {
    let store = Store::open_in_memory().unwrap();
    let mut a = app("a1", "One");
    a.credentials = vec![secret("s1", 5), cert("c1", "Sign", 90), cert("c1", "Verify", 90)];
    store
        .write(|tx| apps::upsert_objects(tx, std::slice::from_ref(&a)))
        .unwrap();

    let back = store.read(|c| apps::get_object(c, "a1")).unwrap().unwrap();
    let mut expected = a.clone();
    // Sorted by end date; the Sign/Verify pair shares a key id and both are kept.
    expected
        .credentials
        .sort_by(|x, y| (x.end, &x.key_id).cmp(&(y.end, &y.key_id)));
    assert_eq!(back, expected);
    assert!(store.read(|c| apps::get_object(c, "nobody")).unwrap().is_none());
}

#[test]
fn a_full_sync_removes_objects_that_are_gone_and_leaves_the_other_collection() {
    let store = Store::open_in_memory().unwrap();
    store
        .write(|tx| {
            apps::replace_all(tx, SyncCollection::Applications, &[app("a1", "One"), app("a2", "Two")])?;
            apps::replace_all(tx, SyncCollection::ServicePrincipals, &[sp("s1", "Sp")])
        })
        .unwrap();
    assert_eq!(ids(&store), ["a1", "s1", "a2"], "sorted by display name: One, Sp, Two");

    let mut renamed = app("a2", "Deux");
    renamed.credentials = vec![];
    let removed = store
        .write(|tx| apps::replace_all(tx, SyncCollection::Applications, &[renamed, app("a3", "Trois")]))
        .unwrap();
    assert_eq!(removed, 1);
    let all = store.read(apps::list_objects).unwrap();
    let names: Vec<_> = all
        .iter()
        .map(|o| (o.id.as_str(), o.display_name.as_deref().unwrap()))
        .collect();
    assert_eq!(names, [("a2", "Deux"), ("s1", "Sp"), ("a3", "Trois")]);
    assert!(all[0].credentials.is_empty(), "credentials are replaced, not merged");
    let stats = store.read(apps::stats).unwrap();
    assert_eq!(
        (stats.objects, stats.credentials),
        (3, 1),
        "a1's credential went with it"
    );
    assert!(stats.size_bytes > 0);
}

#[test]
fn a_full_sync_refuses_objects_of_the_other_collection() {
    let store = Store::open_in_memory().unwrap();
    let err = store
        .write(|tx| apps::replace_all(tx, SyncCollection::Applications, &[sp("s1", "Sp")]))
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
}

#[test]
fn a_delta_upserts_and_removes() {
    let store = Store::open_in_memory().unwrap();
    store
        .write(|tx| apps::upsert_objects(tx, &[app("a1", "One"), app("a2", "Two")]))
        .unwrap();
    store
        .write(|tx| apps::set_owners(tx, "a1", &[user("u1", "Ada")]))
        .unwrap();

    let mut changed = app("a1", "One, renamed");
    changed.credentials.push(cert("c9", "Verify", 200));
    changed.synced_at = t0() + chrono::Duration::hours(1);
    store
        .write(|tx| {
            apps::upsert_objects(tx, &[changed, app("a3", "Three")])?;
            apps::remove_objects(tx, ["a2", "not-cached"])
        })
        .unwrap();

    assert_eq!(ids(&store), ["a1", "a3"]);
    let a1 = store.read(|c| apps::get_object(c, "a1")).unwrap().unwrap();
    assert_eq!(a1.display_name.as_deref(), Some("One, renamed"));
    assert_eq!(a1.credentials.len(), 2);
    assert_eq!(a1.synced_at, t0() + chrono::Duration::hours(1));
    // An update never deletes the row, so the owners loaded earlier survive it.
    assert_eq!(a1.owners.unwrap()[0].owner_id, "u1");
}

#[test]
fn removing_an_object_cascades_to_its_credentials_and_owners() {
    let store = Store::open_in_memory().unwrap();
    let mut a = app("a1", "One");
    a.credentials = vec![secret("s1", 1), cert("c1", "Sign", 2)];
    store
        .write(|tx| apps::upsert_objects(tx, &[a, app("a2", "Two")]))
        .unwrap();
    store
        .write(|tx| apps::set_owners(tx, "a1", &[user("u1", "Ada"), user("u2", "Bob")]))
        .unwrap();
    assert_eq!(store.read(apps::stats).unwrap().owners, 2);

    assert_eq!(store.write(|tx| apps::remove_objects(tx, ["a1"])).unwrap(), 1);
    let count = |table: &str| {
        store
            .read(|c| {
                Ok(c.query_row(
                    &format!("SELECT count(*) FROM {table} WHERE object_id = 'a1'"),
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap()
    };
    assert_eq!(count("credentials"), 0);
    assert_eq!(count("owners"), 0);
    assert_eq!(store.read(apps::stats).unwrap().credentials, 1, "a2's credential stays");
}

#[test]
fn owners_not_loaded_differs_from_no_owners() {
    let store = Store::open_in_memory().unwrap();
    store
        .write(|tx| apps::upsert_objects(tx, &[app("a1", "One"), app("a2", "Two"), app("a3", "Three")]))
        .unwrap();
    store
        .write(|tx| {
            assert!(apps::set_owners(tx, "a2", &[])?);
            assert!(apps::set_owners(tx, "a3", &[user("u1", "Ada"), user("u2", "bob")])?);
            // Its object was removed by a delta while the owners were on their way.
            assert!(!apps::set_owners(tx, "gone", &[user("u1", "Ada")])?);
            Ok(())
        })
        .unwrap();

    let got = |id: &str| store.read(|c| apps::get_object(c, id)).unwrap().unwrap();
    assert_eq!(got("a1").owners, None);
    assert!(got("a1").owners_loaded_at.is_none());
    assert_eq!(got("a2").owners, Some(vec![]));
    assert!(got("a2").owners_loaded_at.is_some());
    let names: Vec<_> = got("a3")
        .owners
        .unwrap()
        .into_iter()
        .map(|o| o.display_name.unwrap())
        .collect();
    assert_eq!(names, ["Ada", "bob"]);

    // Replacing, not appending.
    store
        .write(|tx| apps::set_owners(tx, "a3", &[user("u9", "Zed")]))
        .unwrap();
    assert_eq!(got("a3").owners.unwrap().len(), 1);
    // A sync that fetched owners along ($expand=owners) stores them in the same write.
    let mut with_owners = app("a1", "One");
    with_owners.owners = Some(vec![user("u5", "Eve")]);
    store.write(|tx| apps::upsert_objects(tx, &[with_owners])).unwrap();
    assert_eq!(got("a1").owners_loaded_at, Some(t0()));
    assert_eq!(got("a1").owners.unwrap()[0].owner_id, "u5");
}

#[test]
fn sync_state_round_trips_and_clear_empties_the_cache() {
    let store = Store::open_in_memory().unwrap();
    let state = SyncState {
        collection: SyncCollection::ServicePrincipals,
        delta_link: Some("https://graph.microsoft.com/v1.0/servicePrincipals/delta?$deltatoken=opaque".into()),
        as_of: t0(),
        full: false,
        requests: 7,
        duration_ms: 812,
    };
    assert!(store
        .read(|c| apps::sync_state(c, SyncCollection::ServicePrincipals))
        .unwrap()
        .is_none());
    store.write(|tx| apps::set_sync_state(tx, &state)).unwrap();
    store.write(|tx| apps::set_sync_state(tx, &state)).unwrap();
    assert_eq!(
        store
            .read(|c| apps::sync_state(c, SyncCollection::ServicePrincipals))
            .unwrap(),
        Some(state)
    );
    assert!(store
        .read(|c| apps::sync_state(c, SyncCollection::Applications))
        .unwrap()
        .is_none());

    store.write(|tx| apps::upsert_objects(tx, &[app("a1", "One")])).unwrap();
    let id_before = store.read(entra_store::meta::store_id).unwrap();
    store.write(apps::clear).unwrap();
    assert!(store.read(apps::list_objects).unwrap().is_empty());
    assert!(store
        .read(|c| apps::sync_state(c, SyncCollection::ServicePrincipals))
        .unwrap()
        .is_none());
    assert_eq!(store.read(entra_store::meta::store_id).unwrap(), id_before);
}

#[test]
fn a_detail_with_a_secret_field_is_refused() {
    let store = Store::open_in_memory().unwrap();
    let mut a = app("a1", "One");
    a.detail = serde_json::json!({"passwordCredentials": [{"secretText": "do not store"}]});
    let err = store.write(|tx| apps::upsert_objects(tx, &[a])).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert!(!err.to_string().contains("do not store"), "messages never quote values");
    assert_eq!(store.read(apps::stats).unwrap().objects, 0);
}

#[test]
fn ten_thousand_objects_round_trip() {
    // Timing lives in examples/load_10k.rs; this proves the three-query load is correct at size.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.sqlite3")).unwrap();
    let objects = many(10_000);
    store
        .write(|tx| apps::replace_all(tx, SyncCollection::Applications, &objects))
        .unwrap();

    let back = store.read(apps::list_objects).unwrap();
    assert_eq!(back.len(), 10_000);
    assert_eq!(back.iter().map(|o| o.credentials.len()).sum::<usize>(), 30_000);
    assert!(back
        .iter()
        .all(|o| o.object_type == ObjectType::Application && o.owners.is_none()));
    let by_id = |id: &str| back.iter().find(|o| o.id == id).unwrap();
    let mut expected = objects[1234].clone();
    expected
        .credentials
        .sort_by(|x, y| (x.end, &x.key_id).cmp(&(y.end, &y.key_id)));
    assert_eq!(by_id(&objects[1234].id), &expected);

    let stats = store.read(apps::stats).unwrap();
    assert_eq!((stats.objects, stats.credentials), (10_000, 30_000));

    // A second full sync with half the objects removes the other half and their credentials.
    let removed = store
        .write(|tx| apps::replace_all(tx, SyncCollection::Applications, &objects[..5_000]))
        .unwrap();
    assert_eq!(removed, 5_000);
    assert_eq!(store.read(apps::stats).unwrap().credentials, 15_000);
}
