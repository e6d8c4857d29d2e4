//! The demo tenant embedded in the app: started in-process on loopback, in the
//! background once the first screen has its status when it will be needed (see
//! `entra_core::signin::SignIn::status`), otherwise the first time it is needed;
//! its state is kept in `<data dir>/demo-tenant` so that a refresh token issued
//! before a restart still works after it.
//!
//! The port is remembered too: the next start asks for the same port and takes
//! a free one only if it is busy. Demo accounts do not depend on it: the core
//! gives them the endpoints of the tenant running now, whatever port they
//! signed in on (`entra_core::accounts`), so a program that took the old port
//! never receives their tokens.
//!
//! The tenant's control routes (`/_emulator/<token>`) take a token drawn at
//! each start, which the app never shows; the end-to-end harness, which
//! launches the app and changes faults under it, draws its own and hands it in
//! through `ENTRA_DESK_DEMO_EMULATOR_TOKEN` (`entra_demo::EMULATOR_TOKEN_ENV`).

use entra_core::{Error, Result};
use entra_demo::{DemoInfo, DemoOptions, DemoTenant, EmulatorToken};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The demo tenant's seed: the same tenant, users and apps on every machine.
const SEED: u64 = 1;

/// The demo tenant, started once: in the background ([`EmbeddedDemo::warm_up`]) or on first
/// use. A cheap `Clone` (one tenant shared).
#[derive(Clone)]
pub struct EmbeddedDemo {
    state_dir: PathBuf,
    tenant: Arc<OnceCell<DemoTenant>>,
}

#[async_trait::async_trait]
impl entra_core::signin::DemoTenant for EmbeddedDemo {
    async fn target(&self) -> Result<entra_core::signin::DemoTarget> {
        let info = self.info().await?;
        Ok(entra_core::signin::DemoTarget {
            authority: info.authority.clone(),
            metadata_url: info.metadata_url.clone(),
            tenant_id: info.tenant_id.clone(),
            client_id: info.public_client_id.clone(),
            graph_url: info.graph.clone(),
            username: info.user.username.clone(),
        })
    }

    fn username(&self) -> String {
        entra_demo::directory::ADMIN_UPN.to_string()
    }

    fn warm_up(&self) {
        EmbeddedDemo::warm_up(self);
    }
}

impl EmbeddedDemo {
    pub fn new(data_dir: &std::path::Path) -> Self {
        EmbeddedDemo { state_dir: data_dir.join("demo-tenant"), tenant: Arc::new(OnceCell::new()) }
    }

    /// Starts the tenant on a background task, so that the first screen draws without waiting
    /// for its keys and directory, and "Try the demo tenant" (or resuming a demo account)
    /// finds it running. A failure here is reported again, to the user, on first use.
    pub fn warm_up(&self) {
        let demo = self.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(err) = demo.info().await {
                tracing::warn!("the demo tenant did not start in the background: {}", err.message());
            }
        });
    }

    /// The running demo tenant's description, starting it if needed.
    pub async fn info(&self) -> Result<&DemoInfo> {
        let tenant = self.tenant.get_or_try_init(|| self.start()).await?;
        Ok(tenant.info())
    }

    async fn start(&self) -> Result<DemoTenant> {
        let port_file = self.state_dir.join("port");
        let remembered: u16 = std::fs::read_to_string(&port_file).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
        // Unset (always, outside the end-to-end tests): the tenant draws its own.
        let emulator_token = match std::env::var(entra_demo::EMULATOR_TOKEN_ENV) {
            Ok(value) => Some(EmulatorToken::new(&value).map_err(|e| {
                Error::internal(format!("The built-in demo tenant could not start: {} is unusable: {e}. Unset it", entra_demo::EMULATOR_TOKEN_ENV))
            })?),
            Err(_) => None,
        };
        let options = |port: u16| DemoOptions {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            tls: false,
            seed: SEED,
            state_dir: Some(self.state_dir.clone()),
            emulator_token: emulator_token.clone(),
            ..Default::default()
        };
        let started = match entra_demo::start(options(remembered)).await {
            Ok(tenant) => Ok(tenant),
            // The remembered port is taken (another instance, another program): any free port will do.
            Err(_) if remembered != 0 => entra_demo::start(options(0)).await,
            Err(err) => Err(err),
        };
        let tenant = started.map_err(|e| {
            Error::internal(format!("The built-in demo tenant could not start: {e:#}. Check that {} is writable", self.state_dir.display()))
        })?;
        if let Some(port) = url::Url::parse(&tenant.info().authority).ok().and_then(|u| u.port()) {
            // Best effort: losing the port only means the next start may pick another one.
            let _ = entra_core::paths::write_atomic(&port_file, port.to_string().as_bytes());
        }
        tracing::info!(authority = %tenant.info().authority, "demo tenant started");
        Ok(tenant)
    }
}
