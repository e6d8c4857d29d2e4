//! `entractl lease store …` and `entractl lease migrate`: a team's PostgreSQL lease store set
//! up (`store init URL [--member ROLE]… [--apply]`: the schema and the grants, printed or
//! applied by its owner), tested (`store check`), given a password (`store password`, read from
//! stdin or a prompt into the OS keychain; `store forget-password`), and filled with this
//! desktop's leases (`migrate --to URL`).

use super::context::{password_for, Context};
use super::Format;
use crate::output;
use entra_core::config::LeaseStoreChoice;
use entra_core::secret::SecretString;
use entra_core::{Desk, Error};
use entra_teamstore::TeamStoreAddress;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// `entractl lease store`.
#[derive(Debug, clap::Subcommand)]
pub enum StoreCommand {
    /// Print the team store's schema and grants for its owner and member roles, or apply them
    /// (`--apply`, connecting as the owner). Members may add audit lines but never change or
    /// remove one.
    Init {
        /// The store: postgres://OWNER@HOST[:PORT]/DATABASE[?sslmode=verify-full] (no password).
        url: String,
        /// A member role (repeat): what each admin's desktop and `entractl` connect as.
        #[arg(long = "member", value_name = "ROLE")]
        members: Vec<String>,
        /// Apply it now, as the URL's user (the owner), instead of printing it.
        #[arg(long)]
        apply: bool,
    },
    /// Test the connection to the chosen team store: server, database user, TLS, schema, rights.
    Check {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Keep the chosen team store's password in the OS keychain, read from stdin (one line) or
    /// a prompt. Never a flag: flags end up in shell history.
    Password,
    /// Forget the chosen team store's password.
    ForgetPassword,
}

/// The chosen store's address, for the commands that only make sense with a team store.
fn chosen_team(flag: Option<&str>, desk: &Desk) -> Result<TeamStoreAddress, Error> {
    let settings = desk.settings().read()?;
    match LeaseStoreChoice::choose(flag, &|n| std::env::var(n).ok(), settings.lease_store.as_deref())? {
        LeaseStoreChoice::Team(url) => TeamStoreAddress::parse(&url),
        LeaseStoreChoice::Local => Err(Error::invalid_input(
            "No team store is chosen: give --lease-store postgres://USER@HOST/DATABASE, set ENTRA_DESK_LEASE_STORE, or leaseStore in the settings file",
        )),
    }
}

/// `entractl lease store …`.
pub(super) async fn store(command: StoreCommand, flag: Option<&str>) -> Result<ExitCode, Error> {
    let data_dir = entra_core::paths::data_dir()?;
    let desk = Desk::open(&data_dir)?;
    match command {
        StoreCommand::Init { url, members, apply } => {
            let address = TeamStoreAddress::parse(&url)?;
            if !apply {
                print!("{}", entra_teamstore::init_sql(address.user(), &members));
                return Ok(ExitCode::SUCCESS);
            }
            let report = entra_teamstore::init(&address, password_for(&desk, &address, None)?, &members).await?;
            output::print_json(&report)?;
        }
        StoreCommand::Check { format } => {
            let address = chosen_team(flag, &desk)?;
            let store = entra_teamstore::PgLeaseStore::connect(&address, password_for(&desk, &address, None)?).await?;
            let check = store.check().await?;
            match format {
                Format::Json => output::print_json(&check)?,
                Format::Table => println!(
                    "{}: PostgreSQL {}, signed in as {}, {}, schema {}, {}; store ID {}",
                    check.location,
                    check.server_version,
                    check.database_user,
                    if check.tls { "TLS (verified)" } else { "no TLS (loopback or unix socket)" },
                    check.schema_version,
                    if check.may_write { "may write leases" } else { "may only read leases" },
                    check.store_id
                ),
            }
        }
        StoreCommand::Password => {
            let address = chosen_team(flag, &desk)?;
            let password = read_password(&address)?;
            desk.async_keychain().set_lease_store_password(&address.keychain_name(), &password).await?;
            eprintln!("The password of {} is in the OS keychain", address.keychain_name());
        }
        StoreCommand::ForgetPassword => {
            let address = chosen_team(flag, &desk)?;
            desk.async_keychain().delete_lease_store_password(&address.keychain_name()).await?;
            eprintln!("Forgot the password of {}", address.keychain_name());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password(address: &TeamStoreAddress) -> Result<SecretString, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password of {} (input is shown; pipe it in to hide it): ", address.keychain_name());
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| Error::invalid_input(format!("Cannot read the password from stdin ({e})")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(Error::invalid_input("No password was given: write it on stdin (one line)"));
    }
    Ok(SecretString::new(password))
}

/// `entractl lease migrate --to URL`: the chosen store's contents into the (empty) team store.
pub(super) async fn migrate(context: &Context, to: &str, format: Format) -> Result<ExitCode, Error> {
    let address = TeamStoreAddress::parse(to)?;
    let desk = context.leases.desk().clone();
    let destination = entra_teamstore::PgLeaseStore::connect(&address, password_for(&desk, &address, context.account.as_deref())?).await?;
    let destination = entra_core::leases::Leases::new(desk, std::sync::Arc::new(destination));
    let report = context.leases.migrate_to(&destination, &address.url()).await?;
    match format {
        Format::Json => output::print_json(&report)?,
        Format::Table => println!(
            "Moved {} definitions, {} leases ({} open) and {} audit lines from {} to {}; store ID {}. Use it from now on: \
             --lease-store {}, ENTRA_DESK_LEASE_STORE, or leaseStore in the settings file",
            report.definitions,
            report.leases,
            report.open_leases,
            report.audit_lines,
            report.from,
            report.to,
            report.store_id,
            address.url()
        ),
    }
    Ok(ExitCode::SUCCESS)
}
