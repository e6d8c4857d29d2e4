//! A running demo tenant: [`start`] builds the directory, the inventory and the keys from the
//! seed and spawns the server; [`DemoTenant`] is the handle tests hold (its information, the
//! emulator clock, key rotation, faults, statistics, and changes made behind Graph's back).

use crate::{accounts, clock, directory, files, graph, inventory, keys, server, state, store, tls};
use crate::{DemoApp, DemoInfo, DemoOptions, DemoPassword, DemoUser, DemoUserRef, Faults, GroupFixture, LeaseTargets, StatsSnapshot};
use crate::{CertificateClientInfo, ClientSecretInfo};
use anyhow::Context;
use std::sync::Arc;

/// A running demo tenant. Dropping it stops the server too.
pub struct DemoTenant {
    info: DemoInfo,
    state: state::Shared,
    server: Option<server::Running>,
    _temp_dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for DemoTenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoTenant").field("authority", &self.info.authority).finish_non_exhaustive()
    }
}

/// Binds, spawns the server task and returns once requests can be served.
pub async fn start(opts: DemoOptions) -> anyhow::Result<DemoTenant> {
    let (dir_path, temp_dir) = match &opts.state_dir {
        Some(dir) => {
            files::ensure_private_dir(dir)?;
            (dir.clone(), None)
        }
        None => {
            let temp = tempfile::Builder::new().prefix("entra-demo-").tempdir().context("cannot create a temporary folder")?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };

    let listener = tokio::net::TcpListener::bind(opts.addr).await.with_context(|| {
        format!("cannot listen on {}: is the port in use? Pick another with --addr 127.0.0.1:PORT, or port 0 for a free one", opts.addr)
    })?;
    let local = listener.local_addr()?;
    let host = if local.ip().is_unspecified() { "127.0.0.1".to_string() } else { local.ip().to_string() };
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    let scheme = if opts.tls { "https" } else { "http" };
    let base = format!("{scheme}://{host}:{}", local.port());

    // Key generation is CPU-bound: do it off the runtime, the two signing keys
    // in parallel with the directory (which derives the certificate client's key).
    let seed = opts.seed;
    let persist = opts.state_dir.is_some();
    let keyring = keys::KeyRing::load(seed, persist.then(|| dir_path.join("state.json")))?;
    let generations = keyring.published_generations();
    let warm = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        for g in generations {
            keys::derive(seed, keys::SIGNING, g)?;
        }
        Ok(())
    });
    opts.faults.validate().map_err(|m| anyhow::anyhow!(m))?;
    let throttling = graph::throttling::Settings { graph_throttling: opts.graph_throttling, graph_throttling_limit: opts.graph_throttling_limit };
    throttling.validate().map_err(|m| anyhow::anyhow!(m))?;
    let now = chrono::Utc::now();
    let n_apps = opts.apps;
    let sizes = inventory::GroupSizes { users: opts.users, groups: opts.groups, memberships: opts.group_memberships };
    let (directory, inventory) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut directory = directory::Directory::new(seed, now)?;
        let mut inventory = inventory::generate(seed, now, n_apps, &mut directory);
        let started = std::time::Instant::now();
        inventory::populate(seed, now, sizes, &directory, &mut inventory);
        tracing::debug!(elapsed = ?started.elapsed(), groups = inventory.groups.len(), users = inventory.people.len(), "groups generated");
        Ok((directory, inventory))
    })
    .await??;
    warm.await??;

    // Users do not change, so the throttling model's capacity by tenant size is fixed now.
    let users = inventory.people.len();
    let store = store::Store::load(persist.then(|| dir_path.join("grants.json")))?;
    let cert_client = directory.app(&directory.certificate_client_id).context("certificate client missing")?;
    let material = cert_client.certificates.first().context("certificate missing")?.clone();
    let certificate_path = dir_path.join("certificate-client.crt.pem");
    let private_key_path = dir_path.join("certificate-client.key.pem");
    files::write_atomic(&certificate_path, material.cert_pem().as_bytes())?;
    files::write_atomic(&private_key_path, material.private_key_pem().as_bytes())?;

    let tls_config = if opts.tls {
        let (config, ca_pem) = tls::server_config(seed)?;
        let ca_path = dir_path.join("demo-ca.pem");
        files::write_atomic(&ca_path, ca_pem.as_bytes())?;
        Some((config, ca_path))
    } else {
        None
    };

    let secret_of = |id: &str| -> anyhow::Result<String> {
        Ok(directory.app(id).and_then(|a| a.secrets.first()).context("secret missing")?.value.clone())
    };
    let emulator_token = opts.emulator_token.clone().unwrap_or_else(graph::emulator_token::EmulatorToken::random);
    let authority = format!("{base}/{}", directory.tenant_id);
    let info = DemoInfo {
        metadata_url: format!("{authority}/v2.0/.well-known/openid-configuration"),
        authority,
        graph: format!("{base}/v1.0"),
        tenant_id: directory.tenant_id.clone(),
        public_client_id: directory.public_client_id.clone(),
        confidential_client: ClientSecretInfo {
            client_id: directory.confidential_client_id.clone(),
            client_secret: secret_of(&directory.confidential_client_id)?,
        },
        expired_secret_client: ClientSecretInfo {
            client_id: directory.expired_secret_client_id.clone(),
            client_secret: secret_of(&directory.expired_secret_client_id)?,
        },
        certificate_client: CertificateClientInfo {
            client_id: directory.certificate_client_id.clone(),
            certificate_path,
            private_key_path,
        },
        user: DemoUser { username: directory.admin().upn.clone(), password: directory.admin().password.clone() },
        ca_cert: tls_config.as_ref().map(|(_, p)| p.clone()),
        emulator: format!("{base}{}/{}", graph::emulator::PREFIX, emulator_token.expose()),
        apps: inventory.apps.len(),
        groups: inventory.fixture.clone(),
        lease_targets: lease_targets(&directory, &inventory),
        secret_propagation_ms: u64::try_from(opts.secret_propagation.as_millis()).unwrap_or(u64::MAX),
    };

    let state = Arc::new(state::AppState {
        base,
        seed,
        tls: opts.tls,
        clock: clock::Clock::default(),
        keys: keyring,
        access_token_lifetime: 3600 + (u64_from_seed(seed) % 1800) as i64,
        dir: directory,
        store,
        accounts: accounts::Accounts::default(),
        secret_propagation: std::sync::Mutex::new(opts.secret_propagation),
        inventory: std::sync::RwLock::new(inventory),
        faults: graph::faults::FaultState::new(seed, opts.faults.clone()),
        stats: graph::stats::Stats::default(),
        throttling: graph::throttling::Throttling::new(throttling, users),
        emulator_token,
        prompt_values: opts.prompt_values.clone(),
    });
    let server = server::spawn(listener, state.clone(), tls_config.map(|(c, _)| c));
    tracing::info!(authority = %info.authority, "demo tenant ready");
    Ok(DemoTenant { info, state, server: Some(server), _temp_dir: temp_dir })
}

/// See [`LeaseTargets`].
fn lease_targets(dir: &directory::Directory, inv: &inventory::Inventory) -> LeaseTargets {
    let demo_client = |a: &&inventory::Application| dir.app(&a.app_id).is_some();
    let application = inv
        .apps
        .iter()
        .find(|a| a.meta.removed.is_none() && !demo_client(a))
        .or_else(|| inv.app_by_app_id(&dir.confidential_client_id).map(|i| &inv.apps[i]))
        .map(demo_app)
        .unwrap_or_default();
    // The directory's second user; every seed has it (see `directory`).
    let user = dir.users.get(1).map(|u| DemoUserRef { id: u.oid.clone(), user_principal_name: u.upn.clone(), display_name: u.display_name.clone() }).unwrap_or_default();
    LeaseTargets { application, user }
}

fn demo_app(a: &inventory::Application) -> DemoApp {
    DemoApp { object_id: a.meta.id.clone(), app_id: a.app_id.clone(), display_name: a.display_name.clone() }
}

fn u64_from_seed(seed: u64) -> u64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(format!("entra-demo/lifetime/{seed}").as_bytes());
    u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

impl DemoTenant {
    pub fn info(&self) -> &DemoInfo {
        &self.info
    }

    /// The next signing key becomes current; the previous one stays in the JWKS.
    pub fn rotate_signing_key(&self) {
        self.state.keys.rotate();
    }

    /// Moves the emulator's clock forward: codes, tokens, refresh tokens and
    /// secrets expire accordingly.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.state.clock.advance(by);
    }

    /// The seeded group shapes: the nested chain, the cycle, the large group,
    /// the admin and the overage user (also in [`DemoInfo::groups`]).
    pub fn group_fixture(&self) -> GroupFixture {
        self.state.inventory().fixture.clone()
    }

    /// The application and user the lease tests aim at (also in [`DemoInfo::lease_targets`]).
    pub fn lease_targets(&self) -> LeaseTargets {
        self.info.lease_targets.clone()
    }

    /// Every live app registration (demo clients and generated ones), in object-id order.
    pub fn applications(&self) -> Vec<DemoApp> {
        self.state.inventory().apps.iter().filter(|a| a.meta.removed.is_none()).map(demo_app).collect()
    }

    /// A live app registration by object id or appId.
    pub fn application(&self, id_or_app_id: &str) -> Option<DemoApp> {
        let inv = self.state.inventory();
        inv.app(id_or_app_id).or_else(|| inv.app_by_app_id(id_or_app_id)).map(|i| demo_app(&inv.apps[i]))
    }

    /// The client secrets of an application straight from the tenant (no Graph call, no
    /// request counted), as Graph would list them. Empty for an unknown or deleted application.
    pub fn application_passwords(&self, app_object_id: &str) -> Vec<DemoPassword> {
        let inv = self.state.inventory();
        let Some(i) = inv.app(app_object_id) else { return Vec::new() };
        inv.apps[i]
            .passwords
            .iter()
            .map(|p| DemoPassword { key_id: p.key_id.clone(), display_name: p.display_name.clone(), hint: p.hint.clone(), start: p.start, end: p.end })
            .collect()
    }

    /// Adds a client secret to an application as someone else would (a person in the admin
    /// center, another tool, another Entra Desk store), without going through Graph; returns
    /// its key id. The secret's value is not kept, so it cannot sign in. Delta rounds see the
    /// change. Fails for an unknown or deleted application, or an `end` before now.
    pub fn add_foreign_password(&self, app_object_id: &str, display_name: &str, end: chrono::DateTime<chrono::Utc>) -> anyhow::Result<String> {
        let now = self.state.clock.now();
        anyhow::ensure!(end > now, "the end of a foreign password ({end}) must be after the emulator's now ({now})");
        let mut inv = self.state.inventory_mut();
        let i = inv.app(app_object_id).with_context(|| format!("no application with object id {app_object_id} in the demo tenant"))?;
        let key_id = uuid::Uuid::new_v4().to_string();
        let hint: String = store::random_token(3).chars().take(3).collect();
        let seq = inv.next_seq();
        let app = &mut inv.apps[i];
        app.passwords.push(inventory::PasswordCred {
            key_id: key_id.clone(),
            display_name: Some(display_name.to_string()),
            hint,
            start: now,
            end,
            custom_key_identifier: None,
            secret: None,
        });
        app.meta.changed = seq;
        Ok(key_id)
    }

    /// Whether the sign-in form would accept `password` for the user with object id
    /// `user_id` now (the seeded password, or the one last set through Graph).
    pub fn password_accepted(&self, user_id: &str, password: &str) -> bool {
        self.state.dir.user_by_oid(user_id).is_some_and(|u| self.state.accounts.check_password(u, password) == accounts::PasswordCheck::Accepted)
    }

    /// Changes [`DemoOptions::secret_propagation`] for secrets added from now on.
    pub fn set_secret_propagation(&self, delay: std::time::Duration) {
        *self.state.secret_propagation.lock().unwrap_or_else(|e| e.into_inner()) = delay;
    }

    /// Replaces the faults (as `POST {emulator}/faults` does).
    pub fn set_faults(&self, faults: Faults) -> anyhow::Result<()> {
        faults.validate().map_err(|m| anyhow::anyhow!(m))?;
        self.state.faults.set(faults);
        Ok(())
    }

    /// Turns Graph's throttling model on or off and sets its resource units per 10 s
    /// (`None`: by tenant size), as `POST {emulator}/faults` `{"graph_throttling":…,
    /// "graph_throttling_limit":…}` does; the random faults are left as they are.
    pub fn set_graph_throttling(&self, on: bool, limit: Option<u32>) -> anyhow::Result<()> {
        let settings = graph::throttling::Settings { graph_throttling: on, graph_throttling_limit: limit };
        settings.validate().map_err(|m| anyhow::anyhow!(m))?;
        self.state.throttling.set(settings);
        Ok(())
    }

    /// The request counts (as `GET {emulator}/stats` answers).
    pub fn stats(&self) -> StatsSnapshot {
        self.state.stats.snapshot()
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

impl Drop for DemoTenant {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.signal();
        }
    }
}
