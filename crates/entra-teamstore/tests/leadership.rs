//! The maintenance leadership on the database's clock: A leads and renews its term; B waits;
//! once A's term lapses B takes the next term, and A's fenced writes fail with `not_leader`
//! and write nothing; a resignation frees the leadership at once.

mod common;

use chrono::Utc;
use entra_core::leases::store::LeaseStore;
use entra_core::leases::{AuditAction, AuditLine, Lease, LeaseKind, LeaseStatus};
use entra_core::ErrorCode;
use std::time::Duration;

const TTL: Duration = Duration::from_secs(2);

fn line(detail: &str) -> AuditLine {
    AuditLine {
        at: Utc::now(),
        action: AuditAction::Reconciled,
        lease_id: None,
        definition: None,
        target: None,
        actor: "sweeper".into(),
        detail: detail.into(),
        request_id: None,
    }
}

fn lease(status: LeaseStatus) -> Lease {
    let now = chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    Lease {
        id: "l1".into(),
        definition: "ci".into(),
        kind: LeaseKind::AppSecret,
        target: "app-1".into(),
        tenant: None,
        status,
        issued_at: now,
        expires_at: now + chrono::Duration::hours(1),
        max_expires_at: now + chrono::Duration::hours(2),
        renewed_at: None,
        ended_at: None,
        key_id: None,
        hint: None,
        marker: None,
        revoke_attempts: 0,
        next_attempt_at: None,
        last_error: None,
        note: None,
        issued_by: None,
    }
}

#[tokio::test]
async fn one_member_leads_a_lapsed_leader_is_fenced_and_resigning_frees_it() {
    let cluster = common::cluster();
    common::new_store_database(&cluster, "team", &[]).await;
    let (a, b) = (common::connect(&cluster, "team").await, common::connect(&cluster, "team").await);
    assert_eq!(a.leader().await.unwrap(), None);

    let first = a.lead("ada@desk-a:1", TTL).await.unwrap().expect("a free leadership is taken");
    assert!(first.term >= 1);
    assert_eq!(b.lead("bob@desk-b:2", TTL).await.unwrap(), None, "another member's live term is left alone");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let renewed = a.lead("ada@desk-a:1", TTL).await.unwrap().expect("the holder renews");
    assert_eq!(renewed.term, first.term, "a renewal keeps the term");
    assert!(renewed.until > first.until);
    let info = b.leader().await.unwrap().expect("someone leads");
    assert_eq!(info.member, "ada@desk-a:1");
    assert!(info.since <= info.until);

    // A's fenced writes go through while it leads.
    let fenced = a.fenced(&renewed).expect("a team store fences");
    fenced.insert_lease(&lease(LeaseStatus::Pending), None, &line("intent by the leader")).await.unwrap();

    // A stalls past its term: B takes the next one.
    tokio::time::sleep(TTL + Duration::from_millis(300)).await;
    assert_eq!(a.leader().await.unwrap(), None, "a lapsed term is nobody's");
    let taken = b.lead("bob@desk-b:2", TTL).await.unwrap().expect("a lapsed leadership is taken");
    assert_eq!(taken.term, first.term + 1);

    // A's fenced writes now fail, and change nothing.
    let before = (a.audit(None).await.unwrap().len(), a.lease("l1").await.unwrap().unwrap());
    let err = fenced.append_audit(&line("late sweep")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotLeader);
    assert!(err.message().contains("nothing was written"), "{}", err.message());
    let err = fenced.update_lease(&lease(LeaseStatus::Expired), None, 1, Some(&line("late expiry"))).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotLeader);
    assert_eq!((a.audit(None).await.unwrap().len(), a.lease("l1").await.unwrap().unwrap()), before);
    // A's unfenced store (an admin's own action) is not a leader's write: it still writes.
    a.append_audit(&line("an admin's note")).await.unwrap();
    // Renewing a lost term is refused too.
    assert_eq!(a.lead("ada@desk-a:1", TTL).await.unwrap(), None);

    // B resigns: the leadership is free at once, and the next taker gets the next term.
    a.resign(&renewed).await.unwrap();
    assert_eq!(b.leader().await.unwrap().map(|l| l.member).as_deref(), Some("bob@desk-b:2"), "a lost term gives up nothing");
    b.resign(&taken).await.unwrap();
    assert_eq!(a.leader().await.unwrap(), None);
    let again = a.lead("ada@desk-a:1", TTL).await.unwrap().expect("free after the resignation");
    assert_eq!(again.term, taken.term + 1);
    // A's old fence does not come back with the new term.
    assert_eq!(fenced.append_audit(&line("old term")).await.unwrap_err().code(), ErrorCode::NotLeader);
    a.fenced(&again).unwrap().append_audit(&line("new term")).await.unwrap();
}
