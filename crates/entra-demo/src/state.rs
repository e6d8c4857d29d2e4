//! The shared state of one running demo tenant, handed to every handler.

use crate::accounts::Accounts;
use crate::clock::Clock;
use crate::directory::Directory;
use crate::keys::{self, KeyRing, RsaMaterial};
use crate::oidc::errors::ErrorContext;
use crate::graph::emulator_token::EmulatorToken;
use crate::graph::faults::FaultState;
use crate::graph::stats::Stats;
use crate::graph::throttling::Throttling;
use crate::inventory::Inventory;
use crate::store::Store;
use axum::http::HeaderMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub struct AppState {
    /// `scheme://host:port`, no trailing slash.
    pub base: String,
    pub seed: u64,
    pub tls: bool,
    pub clock: Clock,
    pub keys: KeyRing,
    pub dir: Directory,
    pub store: Store,
    /// Passwords and revocations set through Graph (`PATCH /users/{id}`, `revokeSignInSessions`).
    pub accounts: Accounts,
    /// How long a secret made by addPassword is refused before it works (`DemoOptions::secret_propagation`).
    pub secret_propagation: std::sync::Mutex<std::time::Duration>,
    /// Access-token lifetime in seconds: Entra picks 60–90 minutes at random;
    /// the demo picks once per seed so runs are reproducible.
    pub access_token_lifetime: i64,
    /// Applications and service principals (Graph's side, changed by writes).
    pub inventory: RwLock<Inventory>,
    pub faults: FaultState,
    pub stats: Stats,
    /// Graph's throttling model: resource-unit buckets per client app (see `graph::throttling`).
    pub throttling: Throttling,
    /// The secret of the `/_emulator` routes for this run (see `graph::emulator_token`).
    pub emulator_token: EmulatorToken,
    /// `prompt_values_supported` when advertised (see `DemoOptions::prompt_values`).
    pub prompt_values: Option<Vec<String>>,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// The v2 issuer of this tenant: `{base}/{tid}/v2.0`.
    pub fn issuer(&self) -> String {
        format!("{}/{}/v2.0", self.base, self.dir.tenant_id)
    }

    pub fn inventory(&self) -> RwLockReadGuard<'_, Inventory> {
        self.inventory.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn inventory_mut(&self) -> RwLockWriteGuard<'_, Inventory> {
        self.inventory.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn secret_propagation(&self) -> std::time::Duration {
        *self.secret_propagation.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn error_ctx(&self, headers: &HeaderMap) -> ErrorContext {
        ErrorContext::new(self.clock.now(), &self.base, headers)
    }

    /// The current signing key, generated off the async runtime if needed.
    pub async fn signing_key(&self) -> anyhow::Result<Arc<RsaMaterial>> {
        let (seed, generation) = (self.seed, self.keys.current_generation());
        tokio::task::spawn_blocking(move || keys::derive(seed, keys::SIGNING, generation)).await?
    }

    /// All keys in the JWKS, generated off the async runtime if needed.
    pub async fn published_keys(&self) -> anyhow::Result<Vec<Arc<RsaMaterial>>> {
        let seed = self.seed;
        let generations = self.keys.published_generations();
        tokio::task::spawn_blocking(move || {
            generations.into_iter().map(|g| keys::derive(seed, keys::SIGNING, g)).collect()
        })
        .await?
    }
}
