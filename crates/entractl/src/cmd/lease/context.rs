//! Who an `entractl lease` subcommand acts as: the lease service over the data folder's lease
//! store, the account its sign-in options chose (if it needs one), and the throwaway demo
//! tenant to close afterwards (`--demo`).

use crate::cmd::signin_args::{self, SignInArgs, ThrowawayDemo};
use entra_core::leases::Leases;
use entra_core::{Desk, Error, ErrorCode};

/// Whether a subcommand signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    /// Store only.
    Nothing,
    /// When it can (explicit sign-in options must work; otherwise a remembered account, if any).
    IfPossible,
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
            // The demo desk is throwaway, but the lease store is the data folder's: its leases
            // outlive the command, and the next reconciliation settles them.
            let demo = ThrowawayDemo::start("lease", entra_demo::DemoOptions::default()).await?;
            let leases = match Leases::open(demo.desk.clone(), &data_dir) {
                Ok(leases) => leases,
                Err(e) => {
                    demo.close().await;
                    return Err(e);
                }
            };
            return Ok(Context { leases, account: Some(demo.account_id.clone()), demo: Some(demo) });
        }
        let desk = Desk::open(&data_dir)?;
        let explicit = args.account.is_some() || args.certificate.is_some() || args.tenant.client_id.is_some() || args.tenant.authority.is_some();
        let account = match signin_args::account(&desk, args).await {
            Ok(account) => Some(account),
            Err(e) if need == Need::IfPossible && !explicit && e.code() == ErrorCode::NotSignedIn => {
                eprintln!("Note: not signed in, so the target was not looked up in Microsoft Entra ({}).", e.message());
                None
            }
            Err(e) => return Err(e),
        };
        Ok(Context { leases: Leases::open(desk, &data_dir)?, account, demo: None })
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
