//! A member role (granted by `init`) works the store through `PgLeaseStore` and its audit lines
//! name it, but cannot rewrite the audit log: UPDATE, DELETE and TRUNCATE are refused to it by
//! the grants (permission denied), and to the owner by the triggers. A role that is not a member
//! is told to ask the owner.

mod common;

use chrono::Utc;
use entra_core::leases::store::{chain, LeaseStore};
use entra_core::leases::{AuditAction, AuditLine};
use entra_core::secret::SecretString;
use entra_core::ErrorCode;
use entra_teamstore::{DatabasePassword, PgLeaseStore};
use tokio_postgres::NoTls;

const PASSWORD: &str = "member-pw-7f3a";

fn line(detail: &str) -> AuditLine {
    AuditLine {
        at: Utc::now(),
        action: AuditAction::Reconciled,
        lease_id: None,
        definition: None,
        target: None,
        actor: "ada@contoso.test".into(),
        detail: detail.into(),
        request_id: None,
    }
}

/// `role`'s own connection over 127.0.0.1 (scram), outside the store.
async fn connect_as(cluster: &entra_testkit::postgres::Cluster, role: &str, database: &str) -> tokio_postgres::Client {
    let config = format!("host=127.0.0.1 port={} user={role} password={PASSWORD} dbname={database}", cluster.port());
    let (client, connection) = tokio_postgres::connect(&config, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test]
async fn a_member_appends_under_its_own_name_and_nobody_rewrites_the_log() {
    let cluster = common::cluster();
    cluster.create_role("ada", PASSWORD).unwrap();
    cluster.create_role("eve", PASSWORD).unwrap();
    common::new_store_database(&cluster, "team", &["ada"]).await;

    let given = DatabasePassword::Given(SecretString::new(PASSWORD));
    let ada = PgLeaseStore::connect(&common::as_role(&cluster, "ada", "team"), given.clone()).await.unwrap();
    let check = ada.check().await.unwrap();
    assert_eq!((check.database_user.as_str(), check.may_write, check.tls), ("ada", true, false));
    ada.append_audit(&line("by ada")).await.unwrap();
    let owner = common::connect(&cluster, "team").await;
    owner.append_audit(&line("by the owner")).await.unwrap();
    let log = owner.audit(None).await.unwrap();
    let users: Vec<_> = log.iter().map(|e| (e.line.detail.as_str(), e.database_user.as_deref())).collect();
    assert_eq!(users, [("by the owner", Some("postgres")), ("by ada", Some("ada"))]);

    // Directly, as ada: appending is allowed (and names ada whatever the statement says);
    // rewriting is not.
    let client = connect_as(&cluster, "ada", "team").await;
    let hash = "0".repeat(64);
    client
        .execute(
            "INSERT INTO entra_desk.audit_log (seq, at, action, actor, detail, hash, database_user)
             VALUES (3, '2026-12-02T10:00:00.000Z', 'reconciled', 'ada', 'by hand', $1, 'postgres')",
            &[&hash],
        )
        .await
        .unwrap();
    let named = client.query_one("SELECT database_user FROM entra_desk.audit_log WHERE seq = 3", &[]).await.unwrap();
    assert_eq!(named.get::<_, String>(0), "ada", "a member cannot write another user's name");
    for rewrite in
        ["UPDATE entra_desk.audit_log SET detail = 'nothing to see'", "DELETE FROM entra_desk.audit_log", "TRUNCATE entra_desk.audit_log"]
    {
        let err = client.execute(rewrite, &[]).await.unwrap_err();
        let db = err.as_db_error().expect("the server refused it");
        assert_eq!(db.code(), &tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE, "{rewrite}: {db:?}");
        assert!(db.message().starts_with("permission denied for table audit_log"), "{rewrite}: {}", db.message());
    }
    // The line ada slipped in does not chain: the verifier names it.
    let found = chain::verify(&owner.audit_chain().await.unwrap());
    assert_eq!(found.first_break.map(|b| b.seq), Some(3));

    // The owner is refused too, by the triggers.
    for rewrite in ["UPDATE entra_desk.audit_log SET detail = 'x'", "DELETE FROM entra_desk.audit_log", "TRUNCATE entra_desk.audit_log"] {
        let err = cluster.sql_in("team", rewrite).unwrap_err();
        assert!(err.contains("the audit log is append-only"), "{rewrite}: {err}");
    }
    assert_eq!(owner.audit_chain().await.unwrap().len(), 3);

    // Eve signs in but is no member: told to ask the owner, by the command that grants her.
    let err = PgLeaseStore::connect(&common::as_role(&cluster, "eve", "team"), given).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Storage);
    assert!(err.message().starts_with("eve may not do this"), "{}", err.message());
    assert!(
        err.message().contains("entractl lease store init URL --apply`, with the owner's URL, and eve among the members"),
        "{}",
        err.message()
    );
    assert!(!format!("{err:?}").contains(PASSWORD));
}
