//! What a running demo tenant tells its clients ([`DemoInfo`], printed by `entractl demo serve`)
//! and the tenant's objects as tests name them (apps, users, the lease targets, passwords).

use crate::GroupFixture;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A client id with its secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSecretInfo {
    pub client_id: String,
    pub client_secret: String,
}

/// A client id with its certificate and private key PEM files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateClientInfo {
    pub client_id: String,
    pub certificate_path: PathBuf,
    /// PKCS#8 PEM, written with mode 0600: the one private key the tenant puts on disk.
    pub private_key_path: PathBuf,
}

/// The demo admin's credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoUser {
    pub username: String,
    pub password: String,
}

/// An app registration of the tenant, by its two ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoApp {
    /// The application object's id (`/applications/{id}`, a lease's target).
    pub object_id: String,
    /// The application (client) id: `client_id` at the token endpoint.
    pub app_id: String,
    pub display_name: String,
}

/// A user of the tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoUserRef {
    /// Object id (`/users/{id}`).
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
}

/// What the lease tests aim at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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
#[serde(rename_all = "camelCase")]
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
    /// `http(s)://127.0.0.1:PORT/_emulator/<token>`: faults (`{emulator}/faults`) and stats
    /// (`{emulator}/stats`). The token is this run's secret (see `DemoOptions::emulator_token`):
    /// the control routes answer 404 without it, so keep this address as private as the
    /// client secrets beside it.
    #[serde(default)]
    pub emulator: String,
    /// App registrations in the tenant (generated plus the demo clients).
    #[serde(default)]
    pub apps: usize,
    /// The seeded group shapes (see [`GroupFixture`](crate::GroupFixture)).
    #[serde(default)]
    pub groups: GroupFixture,
    /// The application and user the lease tests aim at.
    #[serde(default)]
    pub lease_targets: LeaseTargets,
    /// [`DemoOptions::secret_propagation`](crate::DemoOptions::secret_propagation) in milliseconds, as set at start.
    #[serde(default)]
    pub secret_propagation_ms: u64,
}
