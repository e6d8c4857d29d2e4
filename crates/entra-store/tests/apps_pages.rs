//! The apps cache read a page at a time: the list's order (search, filters, sorts), the expiry
//! report's rows (certificate twins once), its counts, and the stamp that says an order still holds.

mod common;

use chrono::Duration;
use common::{app, cert, secret, sp, t0, user};
use entra_store::queries::apps::{
    self as q, CredentialFilter, CredentialQuery, CredentialSort, CredentialType, EndFilter, ObjectFilter, ObjectQuery, ObjectSort,
    ObjectType, OwnerFilter,
};
use entra_store::Store;

/// Five objects covering the cases: twins, a SAML trio, blanks, owners loaded or not.
fn store() -> Store {
    let store = Store::open_in_memory().unwrap();
    let mut payroll = app("a1", "Payroll API");
    let mut signing = cert("c1", "Sign", 40);
    signing.display_name = Some("CN=payroll-signing".into());
    payroll.credentials = vec![secret("s1", -3), signing, cert("c2", "Verify", 40)];
    payroll.owners = Some(vec![user("u1", "Adele Vance")]);
    let mut uber = app("a2", "Über Portal");
    uber.app_id = "appid-50%_off".into();
    uber.sign_in_audience = None;
    uber.credentials = vec![secret("s2", 200)];
    uber.owners = Some(vec![]);
    let mut billing = app("a3", "billing");
    billing.created = None;
    billing.credentials = vec![];
    let mut saml = sp("p1", "SAML app");
    let mut half = cert("h1", "", 10);
    (half.credential_type, half.usage) = (CredentialType::Password, None);
    let mut lonely = secret("s3", 10);
    lonely.custom_key_identifier = Some("ZZZ".into());
    let mut saml_signing = cert("k1", "Sign", 10);
    saml_signing.display_name = Some("CN=saml-signing".into());
    let mut second = lonely.clone();
    second.key_id = "s4".into();
    saml.credentials = vec![cert("k2", "Verify", 10), half, saml_signing, lonely, second];
    saml.owners = Some(vec![]);
    let unnamed = sp("p2", "");
    store
        .write(|tx| {
            q::replace_all(tx, q::SyncCollection::Applications, &[payroll, uber, billing])?;
            q::replace_all(tx, q::SyncCollection::ServicePrincipals, &[saml, unnamed])
        })
        .unwrap();
    store
}

fn ids(store: &Store, filter: ObjectFilter, sort: ObjectSort, descending: bool) -> Vec<String> {
    store
        .read(|c| {
            let order = q::object_order(c, &ObjectQuery { filter, sort, descending, now: t0() })?;
            q::objects_at(c, &order)
        })
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect()
}

fn search(text: &str) -> ObjectFilter {
    ObjectFilter { search: Some(text.into()), ..ObjectFilter::default() }
}

#[test]
fn the_list_is_searched_without_case_even_outside_ascii_and_wildcards_are_literal() {
    let s = store();
    let by_name = |f| ids(&s, f, ObjectSort::Name, false);
    assert_eq!(by_name(ObjectFilter::default()), ["p2", "a3", "a1", "p1", "a2"], "by name without case; no name first");
    assert_eq!(by_name(search("PAYROLL")), ["a1"]);
    assert_eq!(by_name(search("über")), ["a2"], "ü finds Ü");
    assert_eq!(by_name(search("ÜBER")), ["a2"]);
    assert_eq!(by_name(search("50%_")), ["a2"], "% and _ are the characters, not wildcards");
    assert_eq!(by_name(search("5_%")), Vec::<String>::new());
    assert_eq!(by_name(search("appid-a3")), ["a3"], "the application ID too");
    assert_eq!(by_name(search("  ")), by_name(ObjectFilter::default()), "blank is everything");
}

#[test]
fn the_list_filters_as_the_screen_did() {
    let s = store();
    let by_name = |f| ids(&s, f, ObjectSort::Name, false);
    let apps = ObjectFilter { object_type: Some(ObjectType::Application), ..ObjectFilter::default() };
    assert_eq!(by_name(apps), ["a3", "a1", "a2"]);
    let audience = ObjectFilter { audience: Some("AzureADMyOrg".into()), ..ObjectFilter::default() };
    assert_eq!(by_name(audience), ["p2", "a3", "a1", "p1"]);
    let expired = ObjectFilter { expired_by: Some(t0()), ..ObjectFilter::default() };
    assert_eq!(by_name(expired), ["a1"]);
    let later = ObjectFilter { expired_by: Some(t0() + Duration::days(11)), ..ObjectFilter::default() };
    assert_eq!(by_name(later), ["a1", "p1"]);
    let no_owner = ObjectFilter { no_owner: true, ..ObjectFilter::default() };
    assert_eq!(by_name(no_owner), ["p1", "a2"], "loaded and empty; not loaded is left out");
}

#[test]
fn sorts_keep_blanks_last_both_ways_and_count_twins_once() {
    let s = store();
    let all = |sort, descending| ids(&s, ObjectFilter::default(), sort, descending);
    assert_eq!(all(ObjectSort::Name, true), ["a2", "p1", "a1", "a3", "p2"]);
    assert_eq!(all(ObjectSort::Type, false), ["a3", "a1", "a2", "p2", "p1"]);
    // Created: service principals and "billing" have none.
    assert_eq!(all(ObjectSort::Created, false), ["a1", "a2", "p2", "a3", "p1"]);
    assert_eq!(all(ObjectSort::Created, true)[..2], ["a2", "a1"], "blanks stay last descending");
    assert_eq!(all(ObjectSort::Audience, false).last().unwrap(), "a2", "no audience last");
    assert_eq!(all(ObjectSort::Audience, true).last().unwrap(), "a2");
    // Credentials, twins once: p2 0, a3 0, a2 1, a1 2 (a secret, a Sign/Verify pair), p1 3 (the trio, two lone secrets).
    assert_eq!(all(ObjectSort::Credentials, false), ["p2", "a3", "a2", "a1", "p1"]);
    assert_eq!(all(ObjectSort::Credentials, true), ["p1", "a1", "a2", "a3", "p2"]);
    // Next expiry after t0: p1 in 10 days, a1 in 40, a2 in 200; none for a3 and p2 (last, by name).
    assert_eq!(all(ObjectSort::NextExpiry, false), ["p1", "a1", "a2", "p2", "a3"]);
    assert_eq!(all(ObjectSort::NextExpiry, true), ["a2", "a1", "p1", "a3", "p2"]);
}

fn keys(store: &Store, filter: CredentialFilter, sort: CredentialSort, descending: bool) -> Vec<String> {
    let rows = store
        .read(|c| {
            let order = q::credential_order(c, &CredentialQuery { filter, sort, descending })?;
            q::credentials_at(c, &order)
        })
        .unwrap();
    for k in &rows.keys {
        assert!(rows.objects.iter().any(|o| o.id == k.object_id), "every row comes with its object");
    }
    rows.keys.into_iter().map(|k| k.key_id).collect()
}

#[test]
fn the_report_lists_twins_once_and_filters_by_end_owner_and_text() {
    let s = store();
    let all = |f| keys(&s, f, CredentialSort::End, false);
    // a1's Sign/Verify pair is c1 (Sign first); p1's trio is k1 (Sign); p1's two secrets with a
    // thumbprint but no certificate stay two rows.
    assert_eq!(all(CredentialFilter::default()), ["s1", "k1", "s3", "s4", "c1", "s2"]);
    let expired = CredentialFilter { ends: EndFilter::By(t0()), ..CredentialFilter::default() };
    assert_eq!(all(expired), ["s1"]);
    let within = CredentialFilter { ends: EndFilter::Between(t0(), t0() + Duration::days(10)), ..CredentialFilter::default() };
    assert_eq!(all(within), ["k1", "s3", "s4"], "ending exactly at the window's edge is inside it");
    let certificates = CredentialFilter { credential_type: Some(CredentialType::Certificate), ..CredentialFilter::default() };
    assert_eq!(all(certificates), ["k1", "c1"]);
    let principals = CredentialFilter { object_type: Some(ObjectType::ServicePrincipal), ..CredentialFilter::default() };
    assert_eq!(all(principals), ["k1", "s3", "s4"]);
    let nobody = CredentialFilter { owner: Some(OwnerFilter::Nobody), ..CredentialFilter::default() };
    assert_eq!(all(nobody), ["k1", "s3", "s4", "s2"]);
    let adele = CredentialFilter { owner: Some(OwnerFilter::Matching("VANCE".into())), ..CredentialFilter::default() };
    assert_eq!(all(adele), ["s1", "c1"]);
    let text = |t: &str| CredentialFilter { search: Some(t.into()), ..CredentialFilter::default() };
    assert_eq!(all(text("s4")), ["s4"], "the key ID");
    assert_eq!(all(text("über")), ["s2"], "the object's name");
    assert_eq!(all(text("CN=")), ["k1", "c1"], "the credential's name");
}

#[test]
fn the_report_sorts_by_its_keys_then_by_end() {
    let s = store();
    let sorted = |sort, descending| keys(&s, CredentialFilter::default(), sort, descending);
    assert_eq!(sorted(CredentialSort::End, true), ["s2", "c1", "s4", "s3", "k1", "s1"]);
    assert_eq!(sorted(CredentialSort::App, false), ["s1", "c1", "k1", "s3", "s4", "s2"], "Payroll, SAML, Über");
    assert_eq!(sorted(CredentialSort::ObjectType, false), ["s1", "c1", "s2", "k1", "s3", "s4"]);
    assert_eq!(sorted(CredentialSort::Kind, false), ["k1", "c1", "s1", "s3", "s4", "s2"], "certificates first");
}

#[test]
fn report_ends_count_against_any_boundary() {
    let s = store();
    let ends = s.read(q::report_ends).unwrap();
    assert_eq!(ends.len(), 6);
    assert_eq!(ends.by(t0()), 1, "expired");
    assert_eq!(ends.by(t0() + Duration::days(10)), 4, "and the three ending at ten days");
    assert_eq!(ends.before(t0() + Duration::days(10)), 1, "before is exclusive");
    assert_eq!(ends.by(t0() + Duration::days(365)), 6);
}

#[test]
fn the_stamp_changes_with_a_write_and_not_with_a_read() {
    let s = store();
    let first = s.read(q::change_stamp).unwrap();
    s.read(q::list_objects).unwrap();
    assert_eq!(s.read(q::change_stamp).unwrap(), first);
    s.write(|tx| q::set_owners(tx, "a3", &[])).unwrap();
    let second = s.read(q::change_stamp).unwrap();
    assert_ne!(second, first);
    // Another connection's commit (entractl refreshing the same file) changes it too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    let (ours, theirs) = (Store::open(&path).unwrap(), Store::open(&path).unwrap());
    let before = ours.read(q::change_stamp).unwrap();
    theirs.write(|tx| q::upsert_objects(tx, &[app("x1", "Another process")])).unwrap();
    assert_ne!(ours.read(q::change_stamp).unwrap(), before);
}

#[test]
fn a_slice_of_an_order_reads_back_in_that_order() {
    let s = store();
    let objects = s
        .read(|c| {
            let order = q::object_order(c, &ObjectQuery { filter: ObjectFilter::default(), sort: ObjectSort::Name, descending: false, now: t0() })?;
            assert_eq!(order.len(), 5);
            q::objects_at(c, &[order[3], order[1], 999_999])
        })
        .unwrap();
    let ids: Vec<_> = objects.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["p1", "a3"], "in the order asked; a rowid not in the cache is left out");
    assert_eq!(objects[0].credentials.len(), 5, "with every credential");
    assert_eq!(s.read(q::count_objects).unwrap(), 5);
}
