//! Change announcements: a lease written by member A reaches member B's `changes()` within two
//! seconds; when B's listening connection is killed (`pg_terminate_backend`), B reconnects and
//! says `Reconnected` (changes may have been missed: re-read), then hears changes again; and the
//! listener's connection closes when the store's last clone is dropped.

mod common;

use chrono::Utc;
use entra_core::leases::store::{LeaseStore, StoreChange};
use entra_core::leases::{AuditAction, AuditLine, Definition, LeaseKind};
use std::time::Duration;
use tokio::sync::broadcast::Receiver;
use tokio::time::timeout;

fn line() -> AuditLine {
    AuditLine {
        at: Utc::now(),
        action: AuditAction::Defined,
        lease_id: None,
        definition: None,
        target: None,
        actor: "ada@contoso.test".into(),
        detail: "defined".into(),
        request_id: None,
    }
}

fn definition(name: &str) -> Definition {
    Definition {
        name: name.into(),
        kind: LeaseKind::AppSecret,
        target: "app-1".into(),
        target_name: None,
        client_id: None,
        tenant: None,
        ttl_secs: 3600,
        max_ttl_secs: 7200,
        created_at: Utc::now(),
    }
}

async fn next(changes: &mut Receiver<StoreChange>, within: Duration) -> StoreChange {
    timeout(within, changes.recv()).await.expect("an announcement in time").expect("the listener runs")
}

/// The listening connections' count, as the server sees them.
fn listeners(cluster: &entra_testkit::postgres::Cluster) -> usize {
    let sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'entra-desk' AND query = 'LISTEN entra_desk_leases'";
    cluster.sql(sql).unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_member_hears_another_members_changes_and_after_a_lost_connection_that_it_may_have_missed_some() {
    let cluster = common::cluster();
    common::new_store_database(&cluster, "team", &[]).await;
    let (a, b) = (common::connect(&cluster, "team").await, common::connect(&cluster, "team").await);
    let mut changes = b.changes().expect("a team store announces changes");

    a.insert_definition(&definition("first"), &line()).await.unwrap();
    assert_eq!(next(&mut changes, Duration::from_secs(2)).await, StoreChange::Changed);
    // A read or an audit line alone changes nothing to announce.
    a.append_audit(&line()).await.unwrap();
    a.leases().await.unwrap();
    assert!(timeout(Duration::from_millis(300), changes.recv()).await.is_err(), "nothing more was announced");

    // Kill the listening connections (A's and B's: the server cannot tell them apart).
    assert_eq!(listeners(&cluster), 2);
    let killed =
        cluster.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'LISTEN entra_desk_leases'").unwrap();
    assert_eq!(killed, "2");
    assert_eq!(next(&mut changes, Duration::from_secs(5)).await, StoreChange::Reconnected);
    a.insert_definition(&definition("second"), &line()).await.unwrap();
    assert_eq!(next(&mut changes, Duration::from_secs(2)).await, StoreChange::Changed);

    // The listener lives as long as the store: with B's last clone gone, its connection goes.
    let clone = b.clone();
    drop(b);
    assert_eq!(listeners(&cluster), 2, "a clone keeps it");
    drop(clone);
    let mut left = listeners(&cluster);
    for _ in 0..40 {
        if left == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = listeners(&cluster);
    }
    assert_eq!(left, 1, "only A's listener is left");
}
