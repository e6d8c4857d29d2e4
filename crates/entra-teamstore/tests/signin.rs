//! Signing in to a team store with a password over 127.0.0.1 (scram-sha-256): the right one
//! connects; a wrong one, or none, is an error that names authentication and where the password
//! came from, and never holds a password. A server not reached and a database that does not
//! exist are each named in their own words.

mod common;

use entra_core::secret::SecretString;
use entra_core::ErrorCode;
use entra_teamstore::{DatabasePassword, PgLeaseStore, TeamStoreAddress};

const RIGHT: &str = "right-horse-battery-42";
const WRONG: &str = "wrong-staple-17";

#[tokio::test]
async fn the_right_password_signs_in_and_a_wrong_one_is_named_without_being_shown() {
    let cluster = common::cluster();
    cluster.create_role("ada", RIGHT).unwrap();
    common::new_store_database(&cluster, "team", &["ada"]).await;
    let address = common::as_role(&cluster, "ada", "team");

    let store = PgLeaseStore::connect(&address, DatabasePassword::Given(SecretString::new(RIGHT))).await.unwrap();
    assert_eq!(store.check().await.unwrap().database_user, "ada");
    let debug = format!("{store:?} {:?}", DatabasePassword::Given(SecretString::new(RIGHT)));
    assert!(!debug.contains(RIGHT) && debug.contains("[redacted]"), "{debug}");

    let err = PgLeaseStore::connect(&address, DatabasePassword::Given(SecretString::new(WRONG))).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Config);
    let message = err.message();
    assert!(message.contains("authentication failed") && message.contains("password authentication failed for user \"ada\""), "{message}");
    assert!(message.contains("ENTRA_DESK_LEASE_STORE_PASSWORD"), "where it came from: {message}");
    for shown in [message.to_string(), format!("{err:?}"), err.to_string()] {
        assert!(!shown.contains(WRONG) && !shown.contains(RIGHT), "{shown}");
    }

    let err = PgLeaseStore::connect(&address, DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Config, "{err:?}");
    assert!(err.message().contains("asks ada for a password and there is none"), "{}", err.message());
}

#[tokio::test]
async fn an_unreachable_server_and_a_missing_database_are_told_apart() {
    let cluster = common::cluster();
    let missing = common::superuser(&cluster, "nowhere");
    let err = PgLeaseStore::connect(&missing, DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Config);
    assert!(err.message().starts_with("The database nowhere does not exist"), "{}", err.message());

    // A port nothing listens on (the cluster's, once it is stopped).
    let port = cluster.port();
    drop(cluster);
    let gone = TeamStoreAddress::parse(&format!("postgres://postgres@127.0.0.1:{port}/team")).unwrap();
    let err = PgLeaseStore::connect(&gone, DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network);
    assert!(err.message().contains("the connection was refused"), "{}", err.message());
}
