//! Shared set-up of the `entractl lease` tests: a small demo tenant (TLS) started in the test
//! process, and the built binary run against it app-only as the demo's confidential client
//! (`--authority --graph-url --client-id --ca-cert` with the secret in ENTRA_CLIENT_SECRET),
//! the lease store in a temporary ENTRA_DESK_DATA_DIR — or, in the suite's second pass
//! (`ENTRA_TEST_TEAM_STORE` names a throwaway PostgreSQL cluster), a team store in a database of
//! the test's own. Run under scripts/with-keyring.sh. Also what every `entractl login --no-browser`
//! test shares: reading the sign-in address it prints ([`authorize_url`]).

#![allow(dead_code)] // Each test file uses a different subset.

use entra_demo::{DemoOptions, DemoPassword, DemoTenant};
use serde_json::Value;
use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

const CONFIG_VARS: &[&str] = &[
    "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_AUTHORITY", "ENTRA_METADATA_ADDRESS", "ENTRA_ISSUER", "ENTRA_REDIRECT_URI",
    "ENTRA_SCOPES", "ENTRA_GRAPH_URL", "ENTRA_CA_CERT", "ENTRA_CONNECTION_STRING", "ENTRA_CLIENT_SECRET", "ENTRA_DESK_FAULT",
    "ENTRA_LEASE_CLIENT_SECRET", "ENTRA_DESK_LEASE_STORE", "ENTRA_DESK_LEASE_STORE_PASSWORD",
];

/// What a run of entractl did.
#[derive(Debug)]
pub struct Out {
    /// The exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }

    /// Asserts exit code 0 and returns self.
    #[track_caller]
    pub fn ok(self) -> Out {
        assert_eq!(self.code, Some(0), "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }

    /// Ended by a signal or a non-zero exit: what a fault point's `abort()` does.
    pub fn aborted(&self) -> bool {
        self.signal.is_some() || self.code.is_some_and(|c| c != 0)
    }
}

/// A demo tenant and a data folder the built entractl works on.
pub struct Cli {
    pub tenant: DemoTenant,
    pub dir: tempfile::TempDir,
    sign_in: Vec<String>,
    secret: String,
    /// The team store every command uses, in the suite's second pass (`ENTRA_TEST_TEAM_STORE`
    /// names a throwaway cluster): a database of this test's own. `None`: the data folder's file.
    pub team_store: Option<String>,
}

/// A fresh database in the cluster `ENTRA_TEST_TEAM_STORE` names, if it names one: its URL.
pub fn team_database() -> Option<String> {
    let superuser = std::env::var("ENTRA_TEST_TEAM_STORE").ok()?;
    Some(entra_testkit::postgres::database_in(&superuser, &format!("t_{}", uuid::Uuid::new_v4().simple())).unwrap())
}

/// A small tenant (quick to start): 12 generated apps, 12 groups, 60 users.
pub async fn start(seed: u64, propagation: Duration) -> Cli {
    let options = DemoOptions { tls: true, seed, apps: 12, groups: 12, users: 60, secret_propagation: propagation, ..Default::default() };
    let tenant = entra_demo::start(options).await.expect("demo tenant starts");
    let info = tenant.info().clone();
    let sign_in = vec![
        "--authority".to_string(),
        info.authority.clone(),
        "--graph-url".into(),
        info.graph.clone(),
        "--client-id".into(),
        info.confidential_client.client_id.clone(),
        "--ca-cert".into(),
        info.ca_cert.as_ref().unwrap().to_string_lossy().into_owned(),
    ];
    let cli = Cli { tenant, dir: tempfile::tempdir().unwrap(), sign_in, secret: info.confidential_client.client_secret.clone(), team_store: team_database() };
    if let Some(url) = &cli.team_store {
        cli.plain(&["lease", "store", "init", url, "--apply"], &[]).await.ok();
    }
    cli
}

impl Cli {
    /// The command `entractl ARGS` on this data folder, with `env` and no other configuration.
    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_entractl"));
        for var in CONFIG_VARS {
            c.env_remove(var);
        }
        c.env("ENTRA_DESK_DATA_DIR", self.dir.path()).args(args).stdin(Stdio::null()).kill_on_drop(true);
        if let Some(url) = &self.team_store {
            c.env("ENTRA_DESK_LEASE_STORE", url);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        c
    }

    /// `entractl ARGS` without sign-in options.
    pub async fn plain(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let out = self.command(args, env).output().await.unwrap();
        use std::os::unix::process::ExitStatusExt;
        Out {
            code: out.status.code(),
            signal: out.status.signal(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `entractl ARGS --authority … --client-id …` (app-only) started and left running, its
    /// stdout and stderr piped: for a command that runs until it is stopped.
    pub fn spawn(&self, args: &[&str]) -> tokio::process::Child {
        self.spawn_with(args, &[])
    }

    /// [`Cli::spawn`] with more environment (another data folder, a team store).
    pub fn spawn_with(&self, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Child {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.sign_in.iter().map(String::as_str));
        let mut env = env.to_vec();
        env.push(("ENTRA_CLIENT_SECRET", &self.secret));
        let mut c = self.command(&all, &env);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        c.spawn().unwrap()
    }

    /// `entractl ARGS --authority … --client-id …` with ENTRA_CLIENT_SECRET (app-only).
    pub async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.sign_in.iter().map(String::as_str));
        let mut env = env.to_vec();
        env.push(("ENTRA_CLIENT_SECRET", &self.secret));
        self.plain(&all, &env).await
    }

    /// The lease target application's object ID.
    pub fn target(&self) -> String {
        self.tenant.lease_targets().application.object_id
    }

    /// `lease list --format json` as lease ID → lease.
    pub async fn leases(&self) -> HashMap<String, Value> {
        let out = self.plain(&["lease", "list", "--format", "json"], &[]).await.ok();
        out.json().as_array().unwrap().iter().map(|l| (l["id"].as_str().unwrap().to_string(), l.clone())).collect()
    }

    /// This store's ID (`lease overview`).
    pub async fn store_id(&self) -> String {
        let out = self.plain(&["lease", "overview"], &[]).await.ok();
        out.json()["storeId"].as_str().unwrap().to_string()
    }

    /// The target's credentials, straight from the tenant.
    pub fn passwords(&self, app: &str) -> Vec<DemoPassword> {
        self.tenant.application_passwords(app)
    }
}

/// Seeds the credentials someone else would make on a target: a person's secret, one carrying
/// ANOTHER store's marker, and one named like an Entra Desk rotation. Returns the key IDs of
/// every credential on the target (the app's own seeded ones are foreign too), sorted.
pub fn seed_foreign(tenant: &DemoTenant, app: &str) -> Vec<String> {
    let end = chrono::Utc::now() + chrono::Duration::days(90);
    let other_store = format!("entra-desk:{}:{}", "f".repeat(32), uuid_like(7));
    for name in ["CI pipeline secret (made by a person)", other_store.as_str(), "Rotated by Entra Desk 2026-12-01"] {
        tenant.add_foreign_password(app, name, end).expect("foreign password");
    }
    let mut keys: Vec<String> = tenant.application_passwords(app).into_iter().map(|p| p.key_id).collect();
    keys.sort();
    keys
}

/// A lowercase hyphenated UUID-shaped string (tests need no randomness).
pub fn uuid_like(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{:012x}", n as u64 * 7919)
}

/// The invariants after a reconciliation: every credential carrying this store's marker
/// belongs to an active lease; every active app-secret lease on `app` has its credential;
/// no revoked, expired or abandoned lease has one; every foreign credential survives.
#[track_caller]
pub fn check_invariants(cli: &Cli, app: &str, store_id: &str, leases: &HashMap<String, Value>, foreign: &[String], context: &str) {
    let creds = cli.passwords(app);
    let prefix = format!("entra-desk:{store_id}:");
    for c in &creds {
        let Some(lease_id) = c.display_name.as_deref().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let lease = leases.get(lease_id).unwrap_or_else(|| panic!("{context}: credential {} carries our marker but has no lease", c.key_id));
        assert_eq!(lease["status"], "active", "{context}: credential {} of a lease that is not active: {lease}", c.key_id);
    }
    for lease in leases.values().filter(|l| l["kind"] == "appSecret" && l["target"] == app) {
        let marker = lease["marker"].as_str().unwrap();
        let present = creds.iter().any(|c| c.display_name.as_deref() == Some(marker) || lease["keyId"].as_str() == Some(c.key_id.as_str()));
        match lease["status"].as_str().unwrap() {
            "active" => assert!(present, "{context}: active lease without its credential: {lease}"),
            "revoked" | "expired" | "abandoned" => assert!(!present, "{context}: ended lease whose credential is still there: {lease}"),
            other => panic!("{context}: after a reconciliation no lease should be {other}: {lease}"),
        }
    }
    for key in foreign {
        assert!(creds.iter().any(|c| &c.key_id == key), "{context}: the foreign credential {key} was removed");
    }
}

/// The sign-in address `entractl login --no-browser` prints on stderr (its first http(s) line),
/// waiting at most 30 s for it, and everything it printed up to it (for a failure's message);
/// panics with that if it ends first.
pub async fn authorize_url(stderr: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>) -> (String, String) {
    let mut seen = String::new();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), stderr.next_line()).await.expect("login prints the URL").unwrap();
        let line = line.unwrap_or_else(|| panic!("login ended before printing a URL; stderr: {seen}"));
        seen.push_str(&line);
        seen.push('\n');
        if line.starts_with("http://") || line.starts_with("https://") {
            return (line, seen);
        }
    }
}
