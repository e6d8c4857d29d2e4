//! Who an `entractl lease` subcommand acts as: the lease service over the data folder's lease
//! store, the account its sign-in options chose (if it needs one), and the throwaway demo
//! tenant to close afterwards (`--demo`, with a throwaway lease store of its own).

use crate::cmd::signin_args::{self, SignInArgs, ThrowawayDemo};
use entra_core::leases::Leases;
use entra_core::{Desk, Error, ErrorCode};

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
    pub async fn open(args: &SignInArgs, need: Need) -> Result<Context, Error> {
        let data_dir = entra_core::paths::data_dir()?;
        if need == Need::Nothing {
            let leases = Leases::open(Desk::open(&data_dir)?, &data_dir)?;
            return Ok(Context { leases, account: None, demo: None });
        }
        if args.demo {
            // A throwaway tenant gets a throwaway lease store, in its own throwaway data folder:
            // the data folder's store records leases of real tenants, and nothing done in a
            // tenant that is gone when the command ends may be recorded there.
            let demo = ThrowawayDemo::start("lease", entra_demo::DemoOptions::default()).await?;
            let leases = match Leases::open(demo.desk.clone(), demo.desk.data_dir()) {
                Ok(leases) => leases,
                Err(e) => {
                    demo.close().await;
                    return Err(e);
                }
            };
            return Ok(Context { leases, account: Some(demo.account_id.clone()), demo: Some(demo) });
        }
        let desk = Desk::open(&data_dir)?;
        let account = signin_args::account(&desk, args).await?;
        Ok(Context { leases: Leases::open(desk, &data_dir)?, account: Some(account), demo: None })
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
