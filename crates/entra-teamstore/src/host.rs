//! The lease service over whichever store is chosen, for the app: [`LeasesHost`] opens the
//! store the settings name (this desktop's file, or a team store), runs the background
//! maintenance on it, forwards a team store's change announcements (the app turns them into
//! the `leases-changed` event), and switches stores when the admin picks another on the
//! Leases screen ("Use a team store…"), saving the choice in the settings file.
//!
//! [`open_leases`] is the one way both the app and `entractl` open a chosen store.

use crate::{DatabasePassword, PgLeaseStore, TeamStoreAddress};
use entra_core::config::LeaseStoreChoice;
use entra_core::leases::maintenance::{run_loop, INTERVAL};
use entra_core::leases::store::StoreChange;
use entra_core::leases::{Leases, LeasesOverview, StoreCheck};
use entra_core::secret::SecretString;
use entra_core::{Desk, Error, ErrorCode, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The lease service over `choice`: the file in `data_dir`, or the team store, signing in to
/// the database with `password`.
pub async fn open_leases(desk: &Desk, data_dir: &Path, choice: &LeaseStoreChoice, password: DatabasePassword) -> Result<Leases> {
    match choice {
        LeaseStoreChoice::Local => Leases::open(desk.clone(), data_dir),
        LeaseStoreChoice::Team(url) => {
            let address = TeamStoreAddress::parse(url)?;
            let store = PgLeaseStore::connect(&address, password).await?;
            Ok(Leases::new(desk.clone(), Arc::new(store)))
        }
    }
}

/// How the app signs in to a team store: an Entra token for its remembered account when the
/// URL says `auth=entra`, else the password kept in the keychain (none: trust or peer).
pub fn app_password(desk: &Desk, address: &TeamStoreAddress) -> Result<DatabasePassword> {
    if address.uses_entra() {
        let account = desk.remembered_account(None).map_err(|_| {
            Error::new(
                ErrorCode::NotSignedIn,
                format!("{} signs in with Entra (auth=entra): sign in first, then open the Leases screen again", address.location()),
            )
        })?;
        return Ok(DatabasePassword::EntraToken { desk: desk.clone(), account_id: account.id });
    }
    Ok(DatabasePassword::Keychain(desk.clone()))
}

struct Current {
    /// The service, or why the chosen store could not be opened (the screen shows it).
    leases: std::result::Result<Leases, (ErrorCode, String)>,
    /// Stops this store's maintenance loop and change forwarding.
    stop: CancellationToken,
}

/// The app's lease service over the chosen store; see the module doc. Cheap to share by `Arc`.
pub struct LeasesHost {
    desk: Desk,
    data_dir: PathBuf,
    account: watch::Receiver<Option<String>>,
    on_change: Arc<dyn Fn() + Send + Sync>,
    current: Mutex<Current>,
}

impl std::fmt::Debug for LeasesHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeasesHost").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

impl LeasesHost {
    /// Opens the store the settings name (a team store that cannot be reached is reported by
    /// [`LeasesHost::leases`], not here: the app starts anyway), and starts its maintenance,
    /// which acts as the account `account` names. `on_change` hears a team store's changes.
    pub async fn open(
        desk: Desk,
        data_dir: &Path,
        account: watch::Receiver<Option<String>>,
        on_change: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<LeasesHost> {
        let settings = desk.settings().read()?;
        let choice = LeaseStoreChoice::choose(None, &|n| std::env::var(n).ok(), settings.lease_store.as_deref())?;
        let host = LeasesHost {
            desk,
            data_dir: data_dir.to_path_buf(),
            account,
            on_change,
            current: Mutex::new(Current { leases: Err((ErrorCode::Internal, "not opened yet".into())), stop: CancellationToken::new() }),
        };
        let opened = host.open_choice(&choice).await;
        if let Err(e) = &opened {
            tracing::warn!(error = %e, "cannot open the chosen lease store");
        }
        host.install(opened);
        Ok(host)
    }

    async fn open_choice(&self, choice: &LeaseStoreChoice) -> Result<Leases> {
        let password = match choice {
            LeaseStoreChoice::Local => DatabasePassword::None,
            LeaseStoreChoice::Team(url) => app_password(&self.desk, &TeamStoreAddress::parse(url)?)?,
        };
        open_leases(&self.desk, &self.data_dir, choice, password).await
    }

    /// Makes `opened` the current service: the old one's maintenance stops, the new one's starts.
    fn install(&self, opened: Result<Leases>) {
        let stop = CancellationToken::new();
        if let Ok(leases) = &opened {
            tokio::spawn(run_loop(leases.clone(), self.account.clone(), INTERVAL, stop.clone(), |_| {}));
            if let Some(mut changes) = leases.lease_store().changes() {
                let (on_change, stop) = (self.on_change.clone(), stop.clone());
                tokio::spawn(async move {
                    loop {
                        tokio::select! {
                            _ = stop.cancelled() => return,
                            change = changes.recv() => match change {
                                Ok(StoreChange::Changed | StoreChange::Reconnected) => on_change(),
                                // Missed some: a re-read covers them all.
                                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => on_change(),
                                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                            },
                        }
                    }
                });
            }
        }
        let leases = opened.map_err(|e| (e.code(), e.message().to_string()));
        let old = std::mem::replace(&mut *self.current.lock().unwrap_or_else(|p| p.into_inner()), Current { leases, stop });
        old.stop.cancel();
    }

    /// The current service, or the error that kept the chosen store from opening.
    pub fn leases(&self) -> Result<Leases> {
        match &self.current.lock().unwrap_or_else(|p| p.into_inner()).leases {
            Ok(leases) => Ok(leases.clone()),
            Err((code, message)) => Err(Error::new(
                *code,
                format!(
                    "{message}. Until it can be reached the Leases screen has nothing to show: fix the store, or go back to this \
                     desktop's own store with leaseStore set to \"local\" in settings.json (or ENTRA_DESK_LEASE_STORE=local) and restart"
                ),
            )),
        }
    }

    /// A connection test of the team store at `url` (signing in with `password`, else as the
    /// app would), without switching to it.
    pub async fn check(&self, url: &str, password: Option<SecretString>) -> Result<StoreCheck> {
        let address = TeamStoreAddress::parse(url)?;
        let password = match password.filter(|p| !p.expose().is_empty()) {
            Some(p) => DatabasePassword::Given(p),
            None => app_password(&self.desk, &address)?,
        };
        PgLeaseStore::connect(&address, password).await?.check().await
    }

    /// Switches to the team store at `url` (`None`: this desktop's file), keeping `password`
    /// in the keychain first when one is given, and records the choice in the settings file.
    /// Nothing changes when the store cannot be opened.
    pub async fn use_store(&self, url: Option<&str>, password: Option<SecretString>) -> Result<LeasesOverview> {
        let choice = match url {
            Some(url) => LeaseStoreChoice::parse("the team store's URL", url)?,
            None => LeaseStoreChoice::Local,
        };
        if let (LeaseStoreChoice::Team(url), Some(password)) = (&choice, password.filter(|p| !p.expose().is_empty())) {
            let address = TeamStoreAddress::parse(url)?;
            self.desk.async_keychain().set_lease_store_password(&address.keychain_name(), &password).await?;
        }
        let leases = self.open_choice(&choice).await?;
        let overview = leases.overview().await?;
        self.desk.settings().set_lease_store(match &choice {
            LeaseStoreChoice::Local => None,
            LeaseStoreChoice::Team(url) => Some(TeamStoreAddress::parse(url)?.url()),
        })?;
        self.install(Ok(leases));
        Ok(overview)
    }
}

impl Drop for LeasesHost {
    fn drop(&mut self) {
        self.current.lock().unwrap_or_else(|p| p.into_inner()).stop.cancel();
    }
}
