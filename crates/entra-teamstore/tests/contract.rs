//! The lease store port's contract (written once, in entra-core's tests; its paged reads too)
//! held against the team store, a store moved whole between SQLite and PostgreSQL both ways, and
//! the schema's setup: `init` (again: nothing to do), and `init_sql` run by hand giving the same store.

mod common;
#[path = "../../entra-core/tests/store_contract/mod.rs"]
mod store_contract;

use entra_core::leases::store::{LeaseStore, SqliteLeaseStore, StoreKind};
use entra_core::secret::SecretString;
use entra_core::ErrorCode;
use entra_teamstore::{init, init_sql, DatabasePassword, PgLeaseStore};
use store_contract::lists::lists_contract;
use store_contract::{contract, moving_contract};

#[tokio::test]
async fn the_team_store_keeps_the_contract() {
    let cluster = common::cluster();
    common::new_store_database(&cluster, "leases", &[]).await;
    let store = common::connect(&cluster, "leases").await;
    assert_eq!(store.describe().kind, StoreKind::Team);
    assert_eq!(store.describe().location, format!("127.0.0.1:{}/leases", cluster.port()));
    contract(&store).await;
}

#[tokio::test]
async fn the_team_store_pages_its_lists_as_sqlite_does() {
    let cluster = common::cluster();
    common::new_store_database(&cluster, "lists", &[]).await;
    lists_contract(&common::connect(&cluster, "lists").await).await;
}

#[tokio::test]
async fn a_store_moves_whole_from_sqlite_to_postgres_and_back() {
    let cluster = common::cluster();
    common::new_store_database(&cluster, "to_team", &[]).await;
    common::new_store_database(&cluster, "from_team", &[]).await;

    let local = SqliteLeaseStore::open_in_memory().unwrap();
    contract(&local).await;
    let team = common::connect(&cluster, "to_team").await;
    moving_contract(&local, &team).await;

    let team = common::connect(&cluster, "from_team").await;
    contract(&team).await;
    moving_contract(&team, &SqliteLeaseStore::open_in_memory().unwrap()).await;
}

#[tokio::test]
async fn init_runs_again_without_change_and_its_sql_by_hand_gives_the_same_store() {
    let cluster = common::cluster();
    cluster.create_database("applied").unwrap();
    let address = common::superuser(&cluster, "applied");
    let first = init(&address, DatabasePassword::None, &[]).await.unwrap();
    assert_eq!(first.applied, ["V1__leases", "V2__sharing", "V3__lease_lists"]);
    assert_eq!((first.owner.as_str(), first.schema_version), ("postgres", 3));
    let again = init(&address, DatabasePassword::None, &[]).await.unwrap();
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(again.schema_version, 3);
    let store = PgLeaseStore::connect(&address, DatabasePassword::None).await.unwrap();
    let applied_id = store.store_id().await.unwrap();

    // What `entractl lease store init URL` prints, run with psql, is a store `connect` accepts.
    cluster.create_role("desk_owner", "owner-password").unwrap();
    cluster.create_database("by_hand").unwrap();
    cluster.sql("ALTER DATABASE by_hand OWNER TO desk_owner").unwrap();
    let sql = init_sql("desk_owner", &[]);
    cluster.sql_in("by_hand", &sql).unwrap();
    let store = common::connect(&cluster, "by_hand").await;
    let check = store.check().await.unwrap();
    assert_eq!(check.schema_version, 3);
    let id = store.store_id().await.unwrap();
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
    assert_ne!(id, applied_id, "each store its own ID");
    let owners = cluster
        .sql_in("by_hand", "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'entra_desk'; SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'entra_desk'")
        .unwrap();
    assert_eq!(owners, "desk_owner\ndesk_owner", "the owner role owns the schema and every table");
    // And init over it finds nothing to do: the history it wrote is refinery's.
    let over = init(&common::superuser(&cluster, "by_hand"), DatabasePassword::None, &[]).await.unwrap_err();
    assert_eq!(over.code(), ErrorCode::Config, "{over:?}");
    assert!(over.message().contains("belongs to desk_owner"), "{}", over.message());
    let owner = DatabasePassword::Given(SecretString::new("owner-password"));
    let by_owner = init(&common::as_role(&cluster, "desk_owner", "by_hand"), owner, &[]).await.unwrap();
    assert!(by_owner.applied.is_empty() && by_owner.schema_version == 3, "refinery reads the printed history as its own: {by_owner:?}");

    // A database without the schema: connect says how to make one.
    cluster.create_database("empty").unwrap();
    let err = PgLeaseStore::connect(&common::superuser(&cluster, "empty"), DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Config);
    assert!(err.message().contains("entractl lease store init postgres://postgres@127.0.0.1"), "{}", err.message());
    assert!(err.message().contains("--apply"), "{}", err.message());

    // A schema newer than this build: update Entra Desk.
    cluster.sql_in("applied", "INSERT INTO entra_desk.refinery_schema_history VALUES (99, 'future', '2030-01-01T00:00:00Z', '1')").unwrap();
    let err = PgLeaseStore::connect(&address, DatabasePassword::None).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Storage);
    assert!(err.message().contains("newer Entra Desk (schema 99") && err.message().contains("update Entra Desk"), "{}", err.message());
}
