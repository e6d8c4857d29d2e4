//! Who an `entractl lease` subcommand acts as: the lease service over the chosen lease store
//! (the data folder's, or a team store: `--lease-store`, `ENTRA_DESK_LEASE_STORE`, `leaseStore`),
//! the account its sign-in options chose (if it needs one), and the throwaway demo tenant to
//! close afterwards (`--demo`, with a throwaway lease store of its own unless `--lease-store`
//! names one).

use crate::cmd::signin_args::{self, SignInArgs, ThrowawayDemo};
use entra_core::config::LeaseStoreChoice;
use entra_core::leases::Leases;
use entra_core::{Desk, Error, ErrorCode};
use entra_core::secret::SecretString;
use entra_teamstore::{DatabasePassword, TeamStoreAddress};
use std::path::Path;

/// Whether a subcommand signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Store only.
    Nothing,
    /// Always.
    Account,
}

/// The service, the account to act as, and the demo tenant to close afterwards.
pub(super) struct Context {
    pub leases: Leases,
    pub account: Option<String>,
    demo: Option<ThrowawayDemo>,
}

impl Context {
    pub async fn open(args: &SignInArgs, need: Need, store_flag: Option<&str>) -> Result<Context, Error> {
        let data_dir = entra_core::paths::data_dir()?;
        if args.demo && need == Need::Account {
            // A throwaway tenant gets a throwaway lease store, in its own throwaway data folder:
            // the data folder's store records leases of real tenants, and nothing done in a
            // tenant that is gone when the command ends may be recorded there. A team store
            // named on the command line is used as named (tests of several members do).
            let demo = ThrowawayDemo::start("lease", entra_demo::DemoOptions::default()).await?;
            let choice = match store_flag {
                Some(flag) => LeaseStoreChoice::parse("--lease-store", flag),
                None => Ok(LeaseStoreChoice::Local),
            };
            let opened = match choice {
                Ok(choice) => open_leases(&demo.desk, demo.desk.data_dir(), &choice, Some(&demo.account_id)).await,
                Err(e) => Err(e),
            };
            return match opened {
                Ok(leases) => Ok(Context { leases, account: Some(demo.account_id.clone()), demo: Some(demo) }),
                Err(e) => {
                    demo.close().await;
                    Err(e)
                }
            };
        }
        let desk = Desk::open(&data_dir)?;
        let settings = desk.settings().read()?;
        let choice = LeaseStoreChoice::choose(store_flag, &|n| std::env::var(n).ok(), settings.lease_store.as_deref())?;
        // A team store that signs in with Entra needs the account even to read.
        let signs_in = need == Need::Account || matches!(&choice, LeaseStoreChoice::Team(url) if url.contains("auth=entra"));
        let account = if signs_in { Some(signin_args::account(&desk, args).await?) } else { None };
        let leases = open_leases(&desk, &data_dir, &choice, account.as_deref()).await?;
        Ok(Context { leases, account, demo: None })
    }

    /// The account, for a subcommand that cannot go on without one.
    pub fn account(&self) -> Result<&str, Error> {
        self.account.as_deref().ok_or_else(|| Error::new(ErrorCode::NotSignedIn, "Sign in first (entractl login), or give --client-id with ENTRA_CLIENT_SECRET, or --demo"))
    }

    pub async fn close(self) {
        if let Some(demo) = self.demo {
            demo.close().await;
        }
    }
}

/// The lease service over `choice` (see `entra_teamstore::host::open_leases`), signing in to a
/// team store as [`password_for`] says.
async fn open_leases(desk: &Desk, data_dir: &Path, choice: &LeaseStoreChoice, account: Option<&str>) -> Result<Leases, Error> {
    let password = match choice {
        LeaseStoreChoice::Local => DatabasePassword::None,
        LeaseStoreChoice::Team(url) => password_for(desk, &TeamStoreAddress::parse(url)?, account)?,
    };
    entra_teamstore::host::open_leases(desk, data_dir, choice, password).await
}

/// The variable a headless run reads a team store's password from (a CI runner has no keychain).
pub const LEASE_STORE_PASSWORD_ENV: &str = "ENTRA_DESK_LEASE_STORE_PASSWORD";

/// The password to sign in to `address` with, for a command that is not the app: the
/// environment's (headless), else an Entra token for `account` (`auth=entra`), else the keychain's.
pub(super) fn password_for(desk: &Desk, address: &TeamStoreAddress, account: Option<&str>) -> Result<DatabasePassword, Error> {
    if let Ok(given) = std::env::var(LEASE_STORE_PASSWORD_ENV) {
        return Ok(DatabasePassword::Given(SecretString::new(given)));
    }
    if address.uses_entra() {
        let account = account.ok_or_else(|| {
            Error::new(
                entra_core::ErrorCode::NotSignedIn,
                format!("{} signs in with Entra (auth=entra): sign in first (entractl login), or give the sign-in options", address.location()),
            )
        })?;
        return Ok(DatabasePassword::EntraToken { desk: desk.clone(), account_id: account.to_string() });
    }
    Ok(DatabasePassword::Keychain(desk.clone()))
}

