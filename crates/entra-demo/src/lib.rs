//! The demo tenant: a local emulator of Entra ID v2.0 (OpenID Connect
//! discovery, JWKS, `/authorize`, `/token`) and of the Microsoft Graph v1.0
//! endpoints Entra Desk uses. It is the app's embedded default and what every
//! test runs against.
//!
//! It is held to Entra's documented behaviour (the project's
//! `shared/entra-reference/REFERENCE.md`), not to what our own client sends:
//! MSAL and generic OIDC libraries must accept it (see
//! `tests/openidconnect_conformance.rs` and `tests/conformance/` at the
//! repository root).
//!
//! # Layout
//! - [`clock`]: the emulator clock every expiry is judged by.
//! - [`keys`]: seeded RSA keys (token signing, certificate client) and rotation.
//! - [`directory`]: the seeded tenant, users and the demo clients.
//! - [`inventory`]: Graph's applications and service principals, generated
//!   from the seed ([`DemoOptions::apps`] of them), with owners and credentials;
//!   and the users Graph lists, devices and groups with their direct members
//!   ([`DemoOptions::users`], [`DemoOptions::groups`], the shapes of
//!   [`GroupFixture`]).
//! - [`store`]: codes, sessions and refresh grants (persisted as hashes).
//! - `accounts`: passwords set and sessions revoked through Graph (hashes and times).
//! - `oidc`: discovery, JWKS, authorize, token (its confidential clients and
//!   secret checks in `oidc::clients`), the AADSTS error catalogue.
//! - `graph`: the Graph v1.0 router, one module per resource (`applications`,
//!   `service_principals`, `owners`, `credentials`, `delta`, `groups`, `users`,
//!   `members`, `membership`, `groups_delta`, `user_writes`, `batch`), the
//!   shared `resource`/`handlers`/`collection`/`query`/`filter`/`paging`
//!   machinery, and `faults`, `stats` (applied by `middleware`) and `emulator`
//!   (the `/_emulator` control routes).
//! - `server`: the router, the catch-all and the plain/TLS accept loops; [`tls`]
//!   makes the CA and server certificate.
//! - [`browser`] (feature `browser`): a form-filling stand-in for the system browser.
//!
//! # Choices where Entra's behaviour is uncertain
//! - Graph access tokens have `aud` = `00000003-0000-0000-c000-000000000000`
//!   (REFERENCE §3: v2 `aud` is the API's GUID); Graph also accepts
//!   `https://graph.microsoft.com`.
//! - Access tokens live `3600 + (seed-derived 0..1800)` seconds: Entra's 60–90
//!   minute random lifetime, but reproducible per seed. ID tokens live 1 hour.
//! - The sign-in form is shown for every interactive request (no silent SSO
//!   without `prompt=none`), so tests always exercise the password form;
//!   `prompt=none` with the session cookie signs in silently. There is no
//!   consent screen: every known Graph permission has admin consent.
//! - Error pages for errors that are not redirected (AADSTS50011, 700016,
//!   90002) answer HTTP 400 with the AADSTS text in an element with
//!   `role="alert"`.
//! - Discovery and JWKS for an unknown tenant answer 400 with the AADSTS90002
//!   JSON body (`error: invalid_tenant`, as Entra's discovery does).
//! - Client assertions: `aud` may be the token URL with the tenant GUID, the
//!   verified domain, or the path the request came in on; 5 minutes of clock
//!   skew are allowed on `exp`/`nbf`; `jti` replay is not tracked.
//! - The response `scope` (and `scp`) lists Graph permissions in short form
//!   followed by `profile openid email` when asked; `offline_access` is not echoed.
//! - Refresh tokens are opaque, rotate on every redemption (old ones stay
//!   valid until their own 90-day expiry, as the docs say) and carry the scope
//!   of the original grant.
//! - `client_info` (base64url `{"uid","utid"}`) is returned when the request
//!   has `client_info=1`, as MSAL asks.
//! - Graph directory lists come back ordered by object id. Skip tokens are
//!   signed offsets into the re-evaluated query (HMAC keyed by the seed); the
//!   nextLink repeats the original options plus `$skiptoken`. A token that does
//!   not verify answers 400 `Request_BadRequest`; skip tokens do not expire on
//!   their own (Graph says they need not), but while the `expire_skip_tokens`
//!   fault is on they answer 400 `Directory_ExpiredPageToken`, the code large
//!   tenants see.
//! - `$select` of an unknown property answers 400 `BadRequest` "Could not find
//!   a property named 'x' on type 'microsoft.graph.application'." (the OData
//!   layer's message). With `$select`, only the selected properties come back
//!   (no implicit `id`, as Graph does for directory objects).
//! - `$orderby` (on `displayName`, `createdDateTime` for applications) always
//!   needs `ConsistencyLevel: eventual` + `$count=true` (REFERENCE §5); without
//!   them: 400 `Request_UnsupportedQuery` "Sorting not supported for current
//!   query.". `ne`, `not` and `endsWith` need the same; `endsWith` is not
//!   supported on any application or service-principal property even then.
//! - `$search` matches word prefixes of `displayName`, split on
//!   non-alphanumerics and camelCase; clauses may be joined by `AND` or `OR`.
//! - `$expand=owners` caps the page at 100 and the owners at 20 per object
//!   (REFERENCE §5 note); it is refused with the advanced-query parameters
//!   (`$count`/`$search` under ConsistencyLevel). `keyCredentials[].key` is only
//!   filled when `keyCredentials` is `$select`ed, and only the certificate
//!   client has real key material; generated certificates answer `key: null`.
//! - addPassword secrets are random (OS RNG), in Entra's `xxx8Q~…` 40-character
//!   form; they are shown once, and the tenant keeps only their SHA-256. They
//!   work at the token endpoint (`client_credentials`, `client_id` = the app's
//!   appId, for any app registration of the inventory, generated ones
//!   included) only after [`DemoOptions::secret_propagation`] has passed on the
//!   emulator clock (Entra takes seconds to minutes; the demo default is 0):
//!   before that the answer is 401 `invalid_client` AADSTS7000215 "Invalid
//!   client secret provided…", word for word what Entra answers for a wrong
//!   secret. A removed secret (the demo clients' seeded ones included) is
//!   refused at once: Entra does not say how long a removed secret keeps
//!   working, and "at once" is what a revocation test must be able to rely
//!   on. An inventory app's token carries as `roles` the Graph application
//!   permissions its `requiredResourceAccess` asks for. removePassword with an
//!   unknown keyId answers 400 `Request_BadRequest` (Graph's exact answer is
//!   not documented). Writes need `Application.ReadWrite.All`,
//!   `Directory.ReadWrite.All` or `Directory.AccessAsUser.All`, or
//!   `Application.ReadWrite.OwnedBy` on an object the caller owns.
//! - Users' passwords: `PATCH /users/{id}` with `passwordProfile` (204) makes
//!   the sign-in form accept only the new password (kept as a SHA-256). It
//!   needs `User-PasswordProfile.ReadWrite.All`, `User.ReadWrite.All`,
//!   `Directory.ReadWrite.All` or delegated `Directory.AccessAsUser.All`, and a
//!   delegated caller must be the demo admin (Entra wants an admin role);
//!   otherwise 403. The confidential client holds `User.ReadWrite.All` as an
//!   application permission; the public client may ask for the delegated
//!   `User.ReadWrite.All` by name (it is not in its `.default`). Entra's
//!   complexity rule is enforced (8–256 printable ASCII characters, three of
//!   lower, upper, digit, symbol). `forceChangePasswordNextSignIn` defaults to
//!   true when left out, as Graph does; such a user is refused by the form
//!   with AADSTS50055 (the demo form cannot change passwords). A reset also
//!   revokes the user's refresh tokens held by public clients and ends the
//!   user's browser sessions, while a confidential client's refresh tokens
//!   survive (Entra's refresh-token revocation table, "Admin resets
//!   password"). Only `passwordProfile` is emulated: any other property
//!   answers 400 saying so.
//! - `POST /users/{id}/revokeSignInSessions` (200 `{"value":true}`, needs
//!   `User.RevokeSessions.All`, `User.ReadWrite.All` or
//!   `Directory.ReadWrite.All`; delegated callers act on themselves or are
//!   the admin) revokes every refresh token issued to the user before it
//!   (`invalid_grant` AADSTS50173 with Entra's "TokensValidFrom" wording) and
//!   ends its browser sessions. Access tokens already issued stay valid until
//!   they expire, as in Entra without continuous access evaluation. Password
//!   changes and revocations last as long as the tenant process (the refresh
//!   grants persisted in `state_dir` do not remember them).
//! - `DELETE /applications/{id}` soft-deletes (delta reports `@removed.reason:
//!   "changed"`); `DELETE /directory/deletedItems/{id}` purges ("deleted").
//!   The app's service principal stays.
//! - Delta pages hold 200 objects (`$top` is ignored, as Graph does); delta
//!   tokens expire after 7 days of emulator time with 410 Gone,
//!   `syncStateNotFound` and a `Location` to start over; a token that does not
//!   verify answers 400 `Request_BadRequest`.
//! - Groups: `/groups/delta` pages hold at most 200 groups and 500
//!   `members@delta` entries (a bigger group is split, its id repeated with
//!   the next slice); without `$select` it returns the default properties and
//!   members. From a delta link, a group reports its *net* member changes since
//!   the link. Deleting a Microsoft 365 group reports `@removed.reason`
//!   "changed" (restorable), any other group "deleted". Expired delta links
//!   of groups and users send `Location: …/delta?[$select=…&]$deltatoken=`.
//!   A group is not its own transitive member, even in the seeded cycle.
//!   Adding a group to itself or to a dynamic group is 400 `Request_BadRequest`.
//!   `$filter`/`$search`/`$orderby` are not emulated on membership lists
//!   (400 saying so). Users do not change, so `/users/delta` links stay quiet.
//!   `/users/{userPrincipalName}` is not emulated (ids only).
//! - `$batch` answers in request order; items without `dependsOn` run
//!   concurrently, otherwise in order. Outer 200 with item 429s and 424 for
//!   dependents of a failed item (json-batching.md, not throttling.md's "the
//!   batch fails with 424"). A body without a `Content-Type` item header, more
//!   than 20 requests or duplicate ids fail the whole batch with 400. The outer
//!   `$batch` is never throttled (its items are, one by one).
//! - The `expire_delta_tokens` fault makes every delta link (not `latest`)
//!   answer 410 as an expired one does.
//! - Faults: throttled/unavailable requests are chosen by a seeded draw per
//!   Graph request (the sequence restarts when faults change), so a sequential
//!   test is reproducible. "Client" = the token's `azp`/`appid`. Retry-After
//!   deadlines use real time (SDKs sleep in real time), not the emulator
//!   clock. 503s use Graph's `serviceNotAvailable` code. `only_paths` (path
//!   substrings below `/v1.0`) and `only_methods` narrow latency, 429s and
//!   503s to the matching requests (e.g. only `removePassword`); the others
//!   pass and do not advance the seeded draw.
//! - Early retries: a 429/503 carrying a `Retry-After` is *delivered* at the
//!   end of its injected latency; from then until `delivered_at + Retry-After`
//!   the client (same `azp`/`appid`) must stay away. A request is judged when
//!   it *arrives*, before its own injected latency: it is early if it arrives
//!   at or after such a delivery and before that deadline. Requests that
//!   arrived before the delivery are not early, whatever their timing (several
//!   requests in flight when a 429 is decided are fine). A per-item 429/503
//!   inside a `$batch` is delivered when the outer `$batch` answer is; the
//!   items themselves are not judged, the outer `$batch` is. An early retry is
//!   counted (`early_retries`) and, while `throttle_fraction > 0`, throttled
//!   again.
//! - Stats: `total` counts every Graph request including batch items (a batch
//!   of 20 adds 21); the outer batch counts as `POST /v1.0/$batch`, items
//!   under their own templates. `/oidc/userinfo` and the identity endpoints are
//!   neither counted nor faulted.
//!
//! # Endpoints
//! Under `/{tenant}` (the GUID, `demo.onmicrosoft.com`, `common`,
//! `organizations`; anything else is AADSTS90002):
//! `v2.0/.well-known/openid-configuration`, `.well-known/openid-configuration`
//! (v1), `discovery/v2.0/keys`, `discovery/keys`, `discovery/instance`,
//! `oauth2/v2.0/authorize` (GET and POST), `login` (the form's target),
//! `oauth2/v2.0/token`, `oauth2/v2.0/logout`. At the root: `/oidc/userinfo`,
//! `/error?code=N` (where `error_uri` points) and Graph under `/v1.0`:
//! `GET /me`, `GET /organization`;
//! `GET /applications` and `/servicePrincipals` (`$select`, `$top` 1–999,
//! default 100, `$filter`, `$search`, `$orderby`, `$count`, `$expand=owners`,
//! `@odata.nextLink`), `GET …/$count`, `GET …/delta`, `GET …/{id}` and
//! `…(appId='{appId}')`, `GET …/{id}/owners`, `POST …/{id}/addPassword`,
//! `POST …/{id}/removePassword`, `DELETE /applications/{id}`,
//! `DELETE /directory/deletedItems/{id}`; `GET /groups`, `/users` (same
//! options), `…/$count`, `…/delta`, `…/{id}`, `GET /groups/{id}/members`,
//! `…/transitiveMembers`, `GET /users/{id}/memberOf`, `…/transitiveMemberOf`,
//! `POST /groups/{id}/members/$ref`, `DELETE /groups/{id}/members/{id}/$ref`,
//! `POST /groups`, `DELETE /groups/{id}`, `POST /directoryObjects/getByIds`;
//! `PATCH /users/{id}` (`passwordProfile`), `POST /users/{id}/revokeSignInSessions`;
//! `POST /$batch`. Every Graph error
//! is `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`
//! with `request-id` and `client-request-id` headers. Control routes:
//! `GET|POST /_emulator/faults`, `GET /_emulator/stats`,
//! `POST /_emulator/stats/reset` (see `graph::emulator`).
//! Not emulated (the catch-all answers a readable 404): the device-code
//! endpoint advertised in discovery, `/adminconsent`, the v1 token endpoint.
//!
//! # Secrets
//! Nothing secret is logged. The tenant writes exactly one private key to
//! disk: the certificate client's (`certificate_client.private_key_path`,
//! mode 0600), because clients under test need a file to pass as
//! `--private-key`. Signing keys are re-derived from the seed instead.

mod accounts;
pub mod clock;
pub mod directory;
pub mod files;
pub mod inventory;
pub mod keys;
pub mod store;
pub mod tls;

mod graph;
mod oidc;
mod server;
mod state;

#[cfg(feature = "browser")]
pub mod browser;

pub use graph::faults::{Faults, RetryAfter};
pub use graph::stats::StatsSnapshot;
pub use inventory::GroupFixture;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// How to run a demo tenant.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Listen address; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Serve https with a CA generated at start (see [`DemoInfo::ca_cert`]).
    pub tls: bool,
    /// Everything deterministic (ids, secrets, keys) derives from this. Default 1.
    pub seed: u64,
    /// Persist the key generation and refresh grants here across restarts
    /// (also where the PEM files go). `None`: a temporary folder.
    pub state_dir: Option<PathBuf>,
    /// Generated app registrations (each with its service principal), besides
    /// the demo clients. Default 300.
    pub apps: usize,
    /// Faults from the start (change them later with `POST /_emulator/faults`
    /// or [`DemoTenant::set_faults`]). Default: none.
    pub faults: Faults,
    /// Groups in the tenant (at least the 9 special ones of
    /// [`GroupFixture`]). Default [`DEFAULT_GROUPS`].
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
            groups: DEFAULT_GROUPS,
            users: DEFAULT_USERS,
            group_memberships: None,
            prompt_values: None,
            secret_propagation: std::time::Duration::ZERO,
        }
    }
}

/// A client id with its secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSecretInfo {
    pub client_id: String,
    pub client_secret: String,
}

/// A client id with its certificate and private key PEM files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertificateClientInfo {
    pub client_id: String,
    pub certificate_path: PathBuf,
    /// PKCS#8 PEM, written with mode 0600: the one private key the tenant puts on disk.
    pub private_key_path: PathBuf,
}

/// The demo admin's credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoUser {
    pub username: String,
    pub password: String,
}

/// An app registration of the tenant, by its two ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoApp {
    /// The application object's id (`/applications/{id}`, a lease's target).
    pub object_id: String,
    /// The application (client) id: `client_id` at the token endpoint.
    pub app_id: String,
    pub display_name: String,
}

/// A user of the tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUserRef {
    /// Object id (`/users/{id}`).
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
}

/// What the lease tests aim at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseTargets {
    /// An app registration for app-secret leases: the first generated one in object-id
    /// order (it has a service principal, so its secrets work at the token endpoint), or
    /// the confidential client's application when the tenant has no generated apps.
    pub application: DemoApp,
    /// A user for user-password leases: Adele Vance, not the admin (resetting the admin's
    /// password would end the admin's own public-client sessions).
    pub user: DemoUserRef,
}

/// A client secret as the tenant holds it: metadata only, as Graph lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPassword {
    pub key_id: String,
    pub display_name: Option<String>,
    /// The first three characters of the secret (empty for a SAML signing credential's password half).
    pub hint: String,
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
}

/// Everything a client needs to use a running demo tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoInfo {
    /// `http(s)://127.0.0.1:PORT/<tenant-id>`.
    pub authority: String,
    /// `http(s)://127.0.0.1:PORT/v1.0`.
    pub graph: String,
    /// `authority + /v2.0/.well-known/openid-configuration`.
    pub metadata_url: String,
    pub tenant_id: String,
    /// Desktop public client; `http://localhost` and `http://127.0.0.1` are
    /// registered, so any port matches.
    pub public_client_id: String,
    pub confidential_client: ClientSecretInfo,
    /// An app whose only secret has expired (AADSTS7000222).
    pub expired_secret_client: ClientSecretInfo,
    pub certificate_client: CertificateClientInfo,
    pub user: DemoUser,
    /// With TLS: the PEM CA that signed the server certificate.
    pub ca_cert: Option<PathBuf>,
    /// `http(s)://127.0.0.1:PORT/_emulator`: faults and stats.
    #[serde(default)]
    pub emulator: String,
    /// App registrations in the tenant (generated plus the demo clients).
    #[serde(default)]
    pub apps: usize,
    /// The seeded group shapes (see [`GroupFixture`]).
    #[serde(default)]
    pub groups: GroupFixture,
    /// The application and user the lease tests aim at.
    #[serde(default)]
    pub lease_targets: LeaseTargets,
    /// [`DemoOptions::secret_propagation`] in milliseconds, as set at start.
    #[serde(default)]
    pub secret_propagation_ms: u64,
}

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
        emulator: format!("{base}/_emulator"),
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

    /// Replaces the faults (as `POST /_emulator/faults` does).
    pub fn set_faults(&self, faults: Faults) -> anyhow::Result<()> {
        faults.validate().map_err(|m| anyhow::anyhow!(m))?;
        self.state.faults.set(faults);
        Ok(())
    }

    /// The request counts (as `GET /_emulator/stats` answers).
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
