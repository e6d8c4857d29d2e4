//! What the team store's tests share: a throwaway cluster with a fresh database, the store's
//! schema initialised in it by the superuser (the owner), and stores connected to it.
#![allow(dead_code)]

use entra_teamstore::{init, DatabasePassword, PgLeaseStore, TeamStoreAddress};
use entra_testkit::postgres::Cluster;

/// A new cluster (PostgreSQL must be installed: the test fails, not skips, without it).
pub fn cluster() -> Cluster {
    Cluster::start().unwrap_or_else(|e| panic!("cannot start a PostgreSQL cluster: {e}"))
}

/// The superuser's address of `database`, over 127.0.0.1 (plain TCP: loopback).
pub fn superuser(cluster: &Cluster, database: &str) -> TeamStoreAddress {
    TeamStoreAddress::parse(&format!("postgres://postgres@127.0.0.1:{}/{database}", cluster.port())).unwrap()
}

/// `role`'s address of `database`, over 127.0.0.1.
pub fn as_role(cluster: &Cluster, role: &str, database: &str) -> TeamStoreAddress {
    TeamStoreAddress::parse(&format!("postgres://{role}@127.0.0.1:{}/{database}", cluster.port())).unwrap()
}

/// Creates `database` and the store's schema in it, owned by the superuser, with `members`.
pub async fn new_store_database(cluster: &Cluster, database: &str, members: &[&str]) {
    cluster.create_database(database).unwrap();
    let members: Vec<String> = members.iter().map(|m| m.to_string()).collect();
    init(&superuser(cluster, database), DatabasePassword::None, &members).await.unwrap();
}

/// A store on `database` as the superuser.
pub async fn connect(cluster: &Cluster, database: &str) -> PgLeaseStore {
    PgLeaseStore::connect(&superuser(cluster, database), DatabasePassword::None).await.unwrap()
}
