//! Shared set-up for the integration tests: a demo tenant on loopback, a Desk
//! on its own temporary data folder and keychain service, and a browser
//! opener that drives the demo's sign-in form like a person would.

#![allow(dead_code)] // Each test file uses a different subset.

use entra_core::clock::OffsetClock;
use entra_core::config::{Profile, ProfileSettings};
use entra_core::{BrowserOpener, Desk, DeskOptions};
use entra_demo::browser::DemoBrowser;
use entra_demo::{DemoOptions, DemoTenant};
use entra_core::leases::{DefineRequest, LeaseKind, Leases};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

pub struct World {
    pub tenant: DemoTenant,
    pub dir: tempfile::TempDir,
    pub desk: Desk,
    pub clock: Arc<OffsetClock>,
}

pub async fn world(tls: bool, seed: u64) -> World {
    let tenant = entra_demo::start(DemoOptions { tls, seed, ..Default::default() }).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

/// A desk with its own keychain service and an empty environment (the process environment is global).
pub fn desk_on(dir: &Path, clock: Arc<OffsetClock>) -> Desk {
    let mut options = DeskOptions::new(dir.join("data"));
    options.keychain_service = format!("entra-desk-test-{}", uuid::Uuid::new_v4());
    options.clock = clock;
    options.env = Arc::new(|_: &str| None);
    Desk::open_with(options).unwrap()
}

impl World {
    pub fn flags(&self, client_id: &str) -> ProfileSettings {
        let info = self.tenant.info();
        ProfileSettings {
            authority: Some(info.authority.clone()),
            client_id: Some(client_id.to_string()),
            graph_url: Some(info.graph.clone()),
            ca_cert: info.ca_cert.as_ref().map(|p| p.to_string_lossy().into_owned()),
            ..Default::default()
        }
    }

    pub async fn public_profile(&self) -> Profile {
        let flags = self.flags(&self.tenant.info().public_client_id);
        self.desk.settings().resolve_profile(flags).await.expect("profile resolves")
    }

    pub fn browser(&self) -> DemoOpener {
        let info = self.tenant.info();
        DemoOpener::new(info.ca_cert.as_deref(), &info.user.username, &info.user.password, |u| u)
    }

    /// Advances the demo tenant's clock and the desk's together.
    pub fn advance(&self, by: chrono::Duration) {
        self.tenant.advance_clock(by);
        self.clock.advance(by);
    }
}

/// Opens the authorize URL in the demo's form-filling browser (on a task, like a real browser
/// that runs beside the app). `tamper` may rewrite the URL first.
pub struct DemoOpener {
    browser: Arc<DemoBrowser>,
    username: String,
    password: String,
    tamper: Box<dyn Fn(String) -> String + Send + Sync>,
    pub task: Mutex<Option<JoinHandle<anyhow::Result<String>>>>,
}

impl DemoOpener {
    pub fn new(ca: Option<&Path>, username: &str, password: &str, tamper: impl Fn(String) -> String + Send + Sync + 'static) -> Self {
        DemoOpener {
            browser: Arc::new(DemoBrowser::new(ca).unwrap()),
            username: username.into(),
            password: password.into(),
            tamper: Box::new(tamper),
            task: Mutex::new(None),
        }
    }
}

impl BrowserOpener for DemoOpener {
    fn open(&self, url: &str) -> entra_core::Result<()> {
        let url = (self.tamper)(url.to_string());
        let (browser, user, pass) = (self.browser.clone(), self.username.clone(), self.password.clone());
        *self.task.lock().unwrap() = Some(tokio::spawn(async move { browser.sign_in(&url, &user, &pass).await }));
        Ok(())
    }
}

/// Asserts that no file under `dir` (at any depth, read as bytes: SQLite and its WAL included)
/// holds one of `secrets` or a JWT, and that there are files to read (`entra_testkit`).
#[track_caller]
pub fn assert_no_secret_on_disk(dir: &Path, secrets: &[&str]) {
    entra_testkit::assert_nothing_secret_under(dir, &entra_testkit::Needle::numbered(secrets));
}

/// A sign-in service for accounts at a tenant given by its addresses: the embedded demo tenant is
/// never asked for.
pub struct NoEmbeddedDemo;

#[async_trait::async_trait]
impl entra_core::signin::DemoTenant for NoEmbeddedDemo {
    async fn target(&self) -> entra_core::Result<entra_core::signin::DemoTarget> {
        Err(entra_core::Error::internal("the test has no embedded demo tenant"))
    }
    fn username(&self) -> String {
        String::new()
    }
}

/// A world whose demo tenant has `apps` generated app registrations (TLS, for app-only sign-in).
pub async fn world_with_apps(seed: u64, apps: usize) -> World {
    let tenant = entra_demo::start(DemoOptions { tls: true, seed, apps, ..Default::default() }).await.expect("demo tenant starts");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let desk = desk_on(dir.path(), clock.clone());
    World { tenant, dir, desk, clock }
}

impl World {
    /// Signs in app-only as the demo's confidential client (Application.ReadWrite.All); returns the account ID.
    pub async fn sign_in_app_only(&self) -> String {
        let info = self.tenant.info();
        let profile = self.desk.settings().resolve_profile(self.flags(&info.confidential_client.client_id)).await.expect("profile resolves");
        let secret = entra_core::secret::ClientSecret::new(info.confidential_client.client_secret.clone());
        self.desk.sign_in_app_only(&profile, entra_core::AppCredential::ClientSecret(secret)).await.expect("app-only sign-in").id
    }

    /// The screens' services over this world's desk, judged by its clock.
    pub fn apps(&self) -> entra_core::apps::Apps {
        entra_core::apps::Apps::open(self.desk.clone(), self.desk.data_dir()).unwrap().with_clock(self.clock.clone())
    }
}

/// Signs `desk` in to `tenant` as its confidential client (app-only): one desk may hold accounts
/// of several tenants (the lease tests use two).
pub async fn sign_in_app_only_to(desk: &Desk, tenant: &DemoTenant) -> String {
    let info = tenant.info();
    let flags = ProfileSettings {
        authority: Some(info.authority.clone()),
        client_id: Some(info.confidential_client.client_id.clone()),
        graph_url: Some(info.graph.clone()),
        ca_cert: info.ca_cert.as_ref().map(|p| p.to_string_lossy().into_owned()),
        ..Default::default()
    };
    let profile = desk.settings().resolve_profile(flags).await.expect("profile resolves");
    let secret = entra_core::secret::ClientSecret::new(info.confidential_client.client_secret.clone());
    desk.sign_in_app_only(&profile, entra_core::AppCredential::ClientSecret(secret)).await.expect("app-only sign-in").id
}

/// A definition of `kind` on `target` with a TTL of 1h and a max TTL of 1d.
pub fn lease_definition(name: &str, kind: LeaseKind, target: &str) -> DefineRequest {
    DefineRequest {
        name: name.into(),
        kind,
        target: target.into(),
        ttl: "1h".into(),
        max_ttl: "1d".into(),
        acknowledge_password_reset: false,
        client_id: None,
        client_secret: None,
    }
}

/// The lease service a test works on: `dir`'s `leases.sqlite`, or — in the suite's second pass,
/// when `ENTRA_TEST_TEAM_STORE` names a throwaway PostgreSQL cluster — a team store in a fresh
/// database of its own there (schema applied as the cluster's superuser), so the same test
/// holds both adapters to the same behaviour.
pub async fn open_leases(desk: &Desk, dir: &Path) -> Leases {
    let Ok(superuser) = std::env::var("ENTRA_TEST_TEAM_STORE") else {
        return Leases::open(desk.clone(), dir).unwrap();
    };
    // One database per data folder, so a test that opens its store again (an app restart)
    // finds it again, as it would find its file.
    use sha2::Digest;
    let name = format!("t_{}", &hex::encode(sha2::Sha256::digest(dir.to_string_lossy().as_bytes()))[..24]);
    let url = entra_testkit::postgres::database_in(&superuser, &name).unwrap();
    let address = entra_teamstore::TeamStoreAddress::parse(&url).unwrap();
    entra_teamstore::init(&address, entra_teamstore::DatabasePassword::None, &[]).await.unwrap();
    let store = entra_teamstore::PgLeaseStore::connect(&address, entra_teamstore::DatabasePassword::None).await.unwrap();
    Leases::new(desk.clone(), Arc::new(store))
}
