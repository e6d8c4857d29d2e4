//! The paged reads of the port's contract, held against every adapter like the rest: a page of
//! leases or audit lines searched, filtered, sorted and counted by the store gives the same
//! rows in both (the words are entra-core's `leases::lists`), pages put end to end are the whole
//! list with no row twice, and the counts beside a page count the whole store.

use super::{contoso, definition, lease, line, t0};
use chrono::Duration;
use entra_core::leases::store::LeaseStore;
use entra_core::leases::{AuditAction, AuditQuery, Definition, Lease, LeaseKind, LeaseState, LeaseStatus, LeasesQuery};
use entra_core::paging::ListQuery;
use entra_core::ErrorCode;

/// Lease `i` of 25: its time, expiry, status, definition, target, issuer and tenant follow `i`
/// (see each line), so every filter keeps a known set.
fn nth(i: usize) -> Lease {
    let status = match i % 5 {
        0 => LeaseStatus::Revoked,
        1 => LeaseStatus::RevokeFailed,
        2 => LeaseStatus::Pending,
        _ => LeaseStatus::Active,
    };
    let mut l = lease(&format!("p{i:02}"), status);
    // Two leases share each issue time: the ID breaks the tie.
    l.issued_at = t0() + Duration::minutes((i / 2) as i64);
    // The later the issue, the sooner the expiry.
    l.expires_at = l.issued_at + Duration::hours(25 - i as i64);
    l.max_expires_at = l.issued_at + Duration::hours(48);
    l.definition = ["ci", "nightly"][i % 2].into();
    l.target = ["app-9", "app-1", "app-1"][i % 3].into();
    l.issued_by = [Some("Ada@Contoso.test"), Some("bob@contoso.test"), None, Some("ada@contoso.test")][i % 4].map(str::to_string);
    l.tenant = (i != 7).then(contoso);
    l
}

fn query(f: impl FnOnce(&mut LeasesQuery)) -> LeasesQuery {
    let mut q = LeasesQuery { list: ListQuery { limit: Some(100), ..ListQuery::default() }, ..LeasesQuery::default() };
    f(&mut q);
    q
}

async fn ids(store: &dyn LeaseStore, q: LeasesQuery) -> Vec<String> {
    store.lease_page(&q).await.unwrap().items.into_iter().map(|s| s.lease.id).collect()
}

fn numbered(ns: impl IntoIterator<Item = usize>) -> Vec<String> {
    ns.into_iter().map(|i| format!("p{i:02}")).collect()
}

/// The paged reads' contract, held against `store`, a new, empty store of any adapter.
pub async fn lists_contract(store: &dyn LeaseStore) {
    let counts = store.lease_counts().await.unwrap();
    assert_eq!((counts.total, counts.live, counts.live_by_definition.len()), (0, 0, 0), "an empty store counts nothing");
    let empty = store.lease_page(&LeasesQuery::default()).await.unwrap();
    assert_eq!((empty.items.len(), empty.total, empty.next), (0, 0, None));

    // The target's name is the definition's: the search finds leases by it.
    let pay = Definition { name: "pay".into(), kind: LeaseKind::AppSecret, target: "app-9".into(), target_name: Some("Payroll API".into()), ..definition("pay") };
    store.insert_definition(&pay, &line(AuditAction::Defined, None)).await.unwrap();
    for i in 0..25 {
        store.insert_lease(&nth(i), None, &line(AuditAction::Intent, Some(&format!("p{i:02}")))).await.unwrap();
    }
    for i in 0..5 {
        store.append_audit(&line(AuditAction::Revoked, Some(&format!("p{i:02}")))).await.unwrap();
    }
    let mut found = line(AuditAction::Reconciled, None);
    found.detail = "removed a credential, Needle-XYZ, left by a crash".into();
    store.append_audit(&found).await.unwrap();

    // The default order: newest first, ties by ID the same way; pages end to end are every lease.
    let mut all: Vec<String> = store.leases().await.unwrap().into_iter().map(|s| s.lease.id).collect();
    all.sort_by(|a, b| b.cmp(a));
    assert_eq!(all[..5], numbered([24, 23, 22, 21, 20]), "p24 alone, then the pairs (22, 23), (20, 21)… of one time each");
    let mut paged = Vec::new();
    let mut start = Some(0);
    while let Some(at) = start {
        let page = store.lease_page(&query(|q| (q.list.start, q.list.limit) = (at, Some(10)))).await.unwrap();
        assert_eq!((page.start, page.total), (at, 25));
        paged.extend(page.items.into_iter().map(|s| s.lease.id));
        start = page.next;
    }
    assert_eq!(paged, all, "pages of 10 put end to end");
    let past = store.lease_page(&query(|q| q.list.start = 30)).await.unwrap();
    assert_eq!((past.items.len(), past.total, past.next), (0, 25, None));
    let stored = store.lease_page(&query(|q| q.list.search = Some("p04".into()))).await.unwrap().items;
    assert_eq!(stored, vec![store.lease("p04").await.unwrap().unwrap()], "a page's lease is the lease as stored, owner and version too");

    // Filters, each alone and together.
    let live = store.lease_page(&query(|q| q.state = LeaseState::Live)).await.unwrap();
    assert_eq!(live.total, 20);
    assert!(live.items.iter().all(|s| !s.lease.status.is_final()));
    assert_eq!(ids(store, query(|q| q.state = LeaseState::Ended)).await, numbered([20, 15, 10, 5, 0]));
    let mine = ids(store, query(|q| q.issued_by = Some(" ADA@contoso.TEST ".into()))).await;
    assert_eq!(mine.len(), 13, "Mine matches the user name in any case: {mine:?}");
    assert_eq!(store.lease_page(&query(|q| q.definition = Some("nightly".into()))).await.unwrap().total, 12);
    assert_eq!(ids(store, query(|q| q.list.search = Some("payroll".into()))).await.len(), 9, "by the target's name");
    assert_eq!(ids(store, query(|q| q.list.search = Some("P07".into()))).await, numbered([7]), "by the lease ID, any case");
    assert_eq!(ids(store, query(|q| q.list.search = Some("BOB@".into()))).await.len(), 6, "by the issuer");
    assert_eq!(ids(store, query(|q| q.list.search = Some("no such thing".into()))).await, Vec::<String>::new());
    for wildcard in ["_", "%", "p0_"] {
        assert_eq!(store.lease_page(&query(|q| q.list.search = Some(wildcard.into()))).await.unwrap().total, 0, "{wildcard} is text, not a wildcard");
    }
    let together = query(|q| {
        q.state = LeaseState::Live;
        q.definition = Some("ci".into());
        q.list.search = Some("app-9".into());
    });
    assert_eq!(ids(store, together).await, numbered([24, 18, 12, 6]));
    assert_eq!(ids(store, query(|q| q.list.sort = Some("issued".into()))).await, numbered(0..25), "issued, ascending: ties ascending too");

    // Orders: each key both ways; an issuer-less lease last either way; an unknown key refused.
    let sorted = |key: &str, descending: bool| {
        let key = key.to_string();
        query(move |q| (q.list.sort, q.list.descending) = (Some(key), descending))
    };
    assert_eq!(ids(store, sorted("expires", false)).await, numbered((0..25).rev()));
    assert_eq!(ids(store, sorted("expires", true)).await, numbered(0..25));
    let by_definition = ids(store, sorted("definition", true)).await;
    assert_eq!((by_definition[0].as_str(), by_definition[11].as_str(), by_definition[12].as_str()), ("p23", "p01", "p24"));
    for descending in [false, true] {
        let issuers: Vec<Option<String>> = store
            .lease_page(&sorted("issuedBy", descending))
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.lease.issued_by.map(|b| b[..3].to_lowercase()))
            .collect();
        let (first, second) = if descending { ("bob", "ada") } else { ("ada", "bob") };
        let n = if descending { 6 } else { 13 };
        assert!(issuers[..n].iter().all(|b| b.as_deref() == Some(first)), "{issuers:?}");
        assert!(issuers[n..19].iter().all(|b| b.as_deref() == Some(second)), "{issuers:?}");
        assert!(issuers[19..].iter().all(Option::is_none), "issuer-less last: {issuers:?}");
    }
    let refused = store.lease_page(&sorted("owner", false)).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput, "{refused:?}");

    // The counts: the whole store, whatever a page keeps.
    let counts = store.lease_counts().await.unwrap();
    assert_eq!((counts.total, counts.live, counts.attention, counts.unbound), (25, 20, 10, 1));
    assert_eq!(counts.live_by_definition.into_iter().collect::<Vec<_>>(), [("ci".to_string(), 10), ("nightly".to_string(), 10)]);

    // The audit log: newest first by default, pages end to end are the log, filters by lease,
    // action and text, and `seq` ascending is oldest first.
    let log = store.audit(None).await.unwrap();
    assert_eq!(log.len(), 32);
    let mut paged = Vec::new();
    let mut start = Some(0);
    while let Some(at) = start {
        let page = store.audit_page(&AuditQuery { list: ListQuery { start: at, limit: Some(7), ..ListQuery::default() }, ..AuditQuery::default() }).await.unwrap();
        assert_eq!(page.total, 32);
        paged.extend(page.items);
        start = page.next;
    }
    assert_eq!(paged, log, "pages of 7 put end to end");
    let audit = |f: &dyn Fn(&mut AuditQuery)| {
        let mut q = AuditQuery::default();
        f(&mut q);
        q
    };
    let oldest = store.audit_page(&audit(&|q| q.list.sort = Some("seq".into()))).await.unwrap();
    assert_eq!(oldest.items, log.iter().rev().cloned().collect::<Vec<_>>());
    let of_p03 = store.audit_page(&audit(&|q| q.lease_id = Some("p03".into()))).await.unwrap();
    assert_eq!(of_p03.items.iter().map(|e| e.line.action).collect::<Vec<_>>(), [AuditAction::Revoked, AuditAction::Intent]);
    assert_eq!(store.audit_page(&audit(&|q| q.action = Some(AuditAction::Revoked))).await.unwrap().total, 5);
    let both = audit(&|q| (q.lease_id, q.action) = (Some("p03".into()), Some(AuditAction::Intent)));
    assert_eq!(store.audit_page(&both).await.unwrap().total, 1);
    let needle = store.audit_page(&audit(&|q| q.list.search = Some("needle-xyz".into()))).await.unwrap();
    assert_eq!((needle.total, needle.items[0].line.action), (1, AuditAction::Reconciled));
    assert_eq!(store.audit_page(&audit(&|q| q.list.search = Some("P03".into()))).await.unwrap().total, 2);
    let refused = store.audit_page(&audit(&|q| q.list.sort = Some("at".into()))).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput, "{refused:?}");
}
