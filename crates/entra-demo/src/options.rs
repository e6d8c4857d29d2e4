//! How to run a demo tenant: [`DemoOptions`] and the defaults of its sizes.

use crate::{EmulatorToken, Faults};
use std::net::SocketAddr;
use std::path::PathBuf;

/// How to run a demo tenant.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Listen address; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Serve https with a CA generated at start (see [`DemoInfo::ca_cert`](crate::DemoInfo::ca_cert)).
    pub tls: bool,
    /// Everything deterministic (ids, secrets, keys) derives from this. Default 1.
    pub seed: u64,
    /// Persist the key generation and refresh grants here across restarts
    /// (also where the PEM files go). `None`: a temporary folder.
    pub state_dir: Option<PathBuf>,
    /// Generated app registrations (each with its service principal), besides
    /// the demo clients. Default 300.
    pub apps: usize,
    /// Faults from the start (change them later with `POST {emulator}/faults`
    /// or [`DemoTenant::set_faults`](crate::DemoTenant::set_faults)). Default: none.
    pub faults: Faults,
    /// Graph's throttling model for identity and access from the start: a bucket of
    /// resource units per client app, `x-ms-resource-unit` on every answer, 429
    /// `ResourceUnitLimitExceeded` when it is empty (REFERENCE §6). Switch it later with
    /// `POST {emulator}/faults` `{"graph_throttling":…}`. Default: off.
    pub graph_throttling: bool,
    /// The model's resource units per 10 s per app (at least 1), for tests and benchmarks
    /// that must exhaust it quickly. `None` (the default): by tenant size, as Graph does
    /// (3,500 below 50 users, 5,000 up to 500, 8,000 above).
    pub graph_throttling_limit: Option<u32>,
    /// Groups in the tenant (at least the 9 special ones of
    /// [`GroupFixture`](crate::GroupFixture)). Default [`DEFAULT_GROUPS`].
    pub groups: usize,
    /// Users in the tenant (the directory's plus generated ones). Default
    /// [`DEFAULT_USERS`]; the large group has more than 10,000 members only
    /// when there are more than 10,001 users.
    pub users: usize,
    /// Direct group memberships in total (about); `None`: about 15 per
    /// ordinary group plus the special groups' (≈16,700 at the defaults).
    pub group_memberships: Option<usize>,
    /// `prompt_values_supported` to advertise in discovery; the authorize endpoint then
    /// refuses any other `prompt` with `invalid_request`, as a strict provider would.
    /// `None` (the default): not advertised, as in Entra's published document, and every
    /// OIDC Core value (`none`, `login`, `consent`, `select_account`) is accepted.
    pub prompt_values: Option<Vec<String>>,
    /// How long a secret made by addPassword is refused at the token endpoint
    /// (AADSTS7000215) before it works, on the emulator clock: Entra takes a
    /// while to propagate a new secret. Default 0 (usable at once).
    pub secret_propagation: std::time::Duration,
    /// The secret of the control routes (`/_emulator/<token>/…`, published in
    /// [`DemoInfo::emulator`](crate::DemoInfo::emulator)). `None` (the default): drawn from
    /// the OS CSPRNG at start, a new one every run. Set it only when whoever drives the
    /// tenant cannot read its `DemoInfo` (a harness that launches an app embedding it).
    pub emulator_token: Option<EmulatorToken>,
}

/// Default number of generated app registrations.
pub const DEFAULT_APPS: usize = 300;
/// Default number of groups.
pub const DEFAULT_GROUPS: usize = 400;
/// Default number of users.
pub const DEFAULT_USERS: usize = 12_000;

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            seed: 1,
            state_dir: None,
            apps: DEFAULT_APPS,
            faults: Faults::default(),
            graph_throttling: false,
            graph_throttling_limit: None,
            groups: DEFAULT_GROUPS,
            users: DEFAULT_USERS,
            group_memberships: None,
            prompt_values: None,
            secret_propagation: std::time::Duration::ZERO,
            emulator_token: None,
        }
    }
}
