//! The team store's schema: its migrations (refinery, embedded from `migrations/`, recorded in
//! `entra_desk.refinery_schema_history`), the grants that make a role a member, [`init_sql`]
//! (all of it as SQL text, what `entractl lease store init URL` prints for a DBA to read or run)
//! and [`init`] (the same, applied by the owner), and the check every connect makes
//! ([`schema_version`]).
//!
//! # Who may do what
//! The owner role owns the schema and everything in it, and is the only role that changes the
//! schema. A member may read everything; write definitions, leases, the store's facts
//! (`meta`), the maintenance record and the leadership; and append to the audit log: INSERT
//! and SELECT only there, never UPDATE, DELETE or TRUNCATE (which the log's triggers also
//! refuse to the owner). What a member could still do by hand (insert a line that does not
//! chain) the chain's verification finds.

use crate::address::TeamStoreAddress;
use crate::errors::{init_command, query_error};
use crate::password::DatabasePassword;
use crate::pool::Connector;
use entra_core::{Error, Result};
use serde::Serialize;

/// The migrations in `migrations/`, embedded at build time.
mod embedded {
    refinery::embed_migrations!("migrations");
}
use embedded::migrations;

/// refinery's history table, in the store's own schema.
const HISTORY: &str = "entra_desk.refinery_schema_history";

/// The highest schema version this build knows.
pub(crate) fn known_version() -> u32 {
    migrations::runner().get_migrations().iter().map(|m| m.version()).max().unwrap_or(0)
}

/// What [`init`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitReport {
    /// The store ([`TeamStoreAddress::location`]).
    pub location: String,
    /// The owner: the role that ran it.
    pub owner: String,
    /// The schema version the store has now.
    pub schema_version: u32,
    /// The migrations applied by this run (`V1__leases`…), none when it was up to date.
    pub applied: Vec<String>,
    /// The member roles granted.
    pub members: Vec<String>,
}

/// `name` as an SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The grants that make each of `members` a member (see the module doc). Idempotent.
fn grants_sql(members: &[String]) -> String {
    let mut sql = String::new();
    for member in members.iter().map(|m| ident(m)) {
        sql.push_str(&format!(
            "GRANT USAGE ON SCHEMA entra_desk TO {member};
GRANT SELECT ON ALL TABLES IN SCHEMA entra_desk TO {member};
GRANT INSERT, UPDATE ON entra_desk.leases, entra_desk.meta, entra_desk.maintenance, entra_desk.leader TO {member};
GRANT INSERT, UPDATE, DELETE ON entra_desk.lease_definitions TO {member};
GRANT UPDATE ON entra_desk.audit_head TO {member};
GRANT INSERT ON entra_desk.audit_log TO {member};
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON entra_desk.audit_log FROM {member};
"
        ));
    }
    sql
}

fn check_names(members: &[String]) -> Result<()> {
    if members.iter().any(|m| m.is_empty() || m.contains('\0')) {
        return Err(Error::invalid_input(
            "A member role's name is empty or holds a NUL character: give the roles' names as PostgreSQL knows them",
        ));
    }
    Ok(())
}

/// The schema (every migration, recorded in refinery's history as [`init`] records it) and the
/// grants, as SQL text for the owner role `owner` and the member roles `members`: run as
/// `owner` (or as a role that may `SET ROLE` to it) in the store's database, once, in one
/// transaction.
pub fn init_sql(owner: &str, members: &[String]) -> String {
    let runner = migrations::runner();
    let mut sql = format!(
        "-- Entra Desk's team lease store, schema version {version}: the schema entra_desk owned by {owner_id}, and its members.\n\
         -- Run it once in the store's database, as {owner_id} or a role that may SET ROLE to it (a superuser, Azure's admin):\n\
         --   psql -v ON_ERROR_STOP=1 -f THIS_FILE \"postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full\"\n\
         -- `entractl lease store init URL --apply`, run as {owner_id}, does the same. On a store that exists already, it\n\
         -- upgrades the schema and grants new members; by hand, run only the GRANT lines at the end for them.\n\
         -- {owner_id} needs CREATE on the database (its owner has it); the member roles must exist (CREATE ROLE name\n\
         -- LOGIN PASSWORD '…', or on Azure pgaadauth_create_principal).\n\
         BEGIN;\n\
         SET LOCAL ROLE {owner_id};\n\
         CREATE SCHEMA entra_desk AUTHORIZATION {owner_id};\n\
         CREATE TABLE {HISTORY} (version INT4 PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));\n",
        version = known_version(),
        owner_id = ident(owner),
    );
    let mut ordered: Vec<_> = runner.get_migrations().iter().collect();
    ordered.sort_by_key(|m| m.version());
    for m in ordered {
        sql.push_str(&format!("\n-- V{}__{}\n{}\n", m.version(), m.name(), m.sql().unwrap_or_default().trim_end()));
        sql.push_str(&format!(
            "INSERT INTO {HISTORY} (version, name, applied_on, checksum)\n    VALUES ({}, '{}', to_char(now() AT TIME ZONE 'UTC', \
             'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '{}');\n",
            m.version(),
            m.name().replace('\'', "''"),
            m.checksum()
        ));
    }
    sql.push_str("\n-- The members.\n");
    sql.push_str(&grants_sql(members));
    sql.push_str("COMMIT;\n");
    sql
}

/// Creates or upgrades the store at `address` as the connecting user, its owner: the schema
/// `entra_desk` (owned by that user), every migration this build has that the store lacks, in one
/// transaction, then the grants of `members` (roles that must exist). Safe to run again: to
/// upgrade after an update of Entra Desk, or to add members.
pub async fn init(address: &TeamStoreAddress, password: DatabasePassword, members: &[String]) -> Result<InitReport> {
    check_names(members)?;
    let connector = Connector::new(address, password)?;
    let mut conn = connector.client().await?;
    let client = &mut conn.client;
    let sql = |e| query_error(e, address);
    let owner: String = client.query_one("SELECT current_user::text", &[]).await.map_err(sql)?.get(0);
    let missing: Vec<String> = client
        .query("SELECT m FROM unnest($1::text[]) AS m WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = m)", &[&members])
        .await
        .map_err(sql)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !missing.is_empty() {
        return Err(Error::config(format!(
            "The member roles {} do not exist on the server of {}: create them first (CREATE ROLE name LOGIN PASSWORD '…', or \
             on Azure pgaadauth_create_principal for an Entra user or group), then run init again; nothing was changed",
            missing.join(", "),
            address.location()
        )));
    }
    let schema_owner: Option<String> = client
        .query_opt("SELECT pg_catalog.pg_get_userbyid(nspowner)::text FROM pg_catalog.pg_namespace WHERE nspname = 'entra_desk'", &[])
        .await
        .map_err(sql)?
        .map(|r| r.get(0));
    match schema_owner {
        Some(o) if o != owner => {
            return Err(Error::config(format!(
                "The schema entra_desk at {} belongs to {o}, not {owner}: run init as {o} (the store's owner); nothing was changed",
                address.location()
            )))
        }
        Some(_) => {}
        None => client.batch_execute("CREATE SCHEMA entra_desk").await.map_err(|e| {
            let message = format!(
                "{owner} may not create the schema entra_desk in the database of {} ({}): run init as the database's owner, or have \
                 it GRANT CREATE ON DATABASE to {owner}; nothing was changed",
                address.location(),
                e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())
            );
            query_error(e, address).reworded(message)
        })?,
    }
    let mut runner = migrations::runner();
    runner.set_migration_table_name(HISTORY);
    let report = runner.set_grouped(true).run_async(&mut *client).await.map_err(|e| {
        Error::storage(format!(
            "Cannot create or upgrade the team lease store's schema at {} ({e}): nothing was changed; check that {owner} owns the \
             schema entra_desk, then run init again",
            address.location()
        ))
    })?;
    client.batch_execute(&grants_sql(members)).await.map_err(sql)?;
    Ok(InitReport {
        location: address.location(),
        owner,
        schema_version: schema_version(client, address).await?,
        applied: report.applied_migrations().iter().map(|m| format!("V{}__{}", m.version(), m.name())).collect(),
        members: members.to_vec(),
    })
}

/// The store's schema version, checked against this build's: an error naming `init` when the
/// schema is missing or older, and "update Entra Desk" when it is newer.
pub(crate) async fn schema_version(client: &tokio_postgres::Client, address: &TeamStoreAddress) -> Result<u32> {
    let there: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'entra_desk' AND c.relname = 'refinery_schema_history')",
            &[],
        )
        .await
        .map_err(|e| query_error(e, address))?
        .get(0);
    if !there {
        return Err(Error::config(format!(
            "The database of {} holds no team lease store yet: have its owner run `{}` (or run what `entractl lease store init URL` \
             prints), then connect again",
            address.location(),
            init_command(address)
        )));
    }
    let found: Option<i32> =
        client.query_one(&format!("SELECT max(version) FROM {HISTORY}"), &[]).await.map_err(|e| query_error(e, address))?.get(0);
    let (found, known) = (found.unwrap_or(0).max(0) as u32, known_version());
    if found > known {
        return Err(Error::storage(format!(
            "The team lease store at {} was set up by a newer Entra Desk (schema {found}, this version knows up to {known}): \
             update Entra Desk; the store was not changed",
            address.location()
        )));
    }
    if found < known {
        return Err(Error::config(format!(
            "The team lease store at {} has an older schema ({found}; this version needs {known}): have its owner run `{}` to \
             upgrade it; the store was not changed",
            address.location(),
            init_command(address)
        )));
    }
    Ok(found)
}
