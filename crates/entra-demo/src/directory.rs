//! The seeded directory: the tenant, its users and its app registrations.
//!
//! Everything here is a pure function of the seed (ids, the demo client
//! secrets, the certificate client's key), except timestamps, which follow the
//! time the tenant started so that secrets look "recently created". The demo
//! admin's password is a fixed, documented string: a human types it.

use crate::keys::{self, RsaMaterial};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The verified domain of the demo tenant (also accepted as `{tenant}` in URLs).
pub const DOMAIN: &str = "demo.onmicrosoft.com";
/// The tenant's display name.
pub const TENANT_NAME: &str = "Entra Desk Demo";
/// The demo admin's sign-in name (the first seeded user; the same for every seed).
pub const ADMIN_UPN: &str = "admin@demo.onmicrosoft.com";
/// The password of every seeded user.
pub const DEMO_PASSWORD: &str = "EntraDesk!Demo1";

/// A seeded user.
#[derive(Debug, Clone)]
pub struct User {
    pub oid: String,
    pub upn: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub job_title: String,
    pub mail: String,
    pub mobile_phone: Option<String>,
    pub office_location: String,
    pub business_phones: Vec<String>,
    pub preferred_language: String,
    /// Plain text on purpose: this is a demo directory.
    pub password: String,
}

/// A password credential of an app registration.
#[derive(Clone)]
pub struct Secret {
    pub key_id: String,
    pub value: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl std::fmt::Debug for Secret {
    // The value is a secret: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("key_id", &self.key_id)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

/// An app registration (and its service principal, which has its own object id).
#[derive(Debug, Clone)]
pub struct App {
    pub app_id: String,
    pub object_id: String,
    pub sp_object_id: String,
    pub display_name: String,
    /// Public client ("Mobile and desktop applications" platform): may not
    /// authenticate at the token endpoint.
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub secrets: Vec<Secret>,
    pub certificates: Vec<Arc<RsaMaterial>>,
    /// The delegated Graph permissions the registration lists (its static
    /// permissions): what a `.default` request asks consent for.
    pub delegated: Vec<&'static str>,
    /// The seed gave `delegated` (and the OpenID Connect scopes) tenant-wide admin
    /// consent: true for the directory's demo clients, false for an application
    /// registered at run time, which holds only what someone consents to (`oidc::consent`).
    pub admin_consented: bool,
    /// Application (app-only) Graph permissions with admin consent.
    pub app_roles: Vec<&'static str>,
}

/// The whole seeded tenant.
#[derive(Debug)]
pub struct Directory {
    pub tenant_id: String,
    pub created: DateTime<Utc>,
    pub users: Vec<User>,
    pub apps: Vec<App>,
    pub public_client_id: String,
    pub confidential_client_id: String,
    pub expired_secret_client_id: String,
    pub certificate_client_id: String,
}

/// A GUID derived from the seed and a label.
pub fn seeded_uuid(seed: u64, label: &str) -> String {
    let digest = Sha256::digest(format!("entra-demo/id/{seed}/{label}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

/// An Entra-style client secret value (`xxx8Q~` + 34 characters), derived from the seed.
fn seeded_secret(seed: u64, label: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~";
    let digest = Sha256::digest(format!("entra-demo/secret/{seed}/{label}").as_bytes());
    let mut rng = ChaCha20Rng::from_seed(digest.into());
    let mut pick = |n: usize| -> String {
        (0..n).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
    };
    format!("{}8Q~{}", pick(3), pick(34))
}

/// Graph delegated permissions the demo clients list, with admin consent from the seed (so every
/// user signs in to them without a consent page unless a request names more).
const DESKTOP_DELEGATED: &[&str] = &[
    "User.Read",
    "User.Read.All",
    "Directory.Read.All",
    "Application.ReadWrite.All",
    "Group.Read.All",
    "GroupMember.Read.All",
];

/// Graph application permissions the daemon apps have admin consent for.
const DAEMON_ROLES: &[&str] = &[
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Group.Read.All",
    "User.Read.All",
];

/// Extra application permissions of the confidential client: it writes group memberships,
/// and resets users' passwords and revokes their sessions (the user-password leases).
const DAEMON_WRITE_ROLES: &[&str] = &["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "User.ReadWrite.All"];

impl Directory {
    /// Builds the directory for `seed`. Blocking: derives the certificate
    /// client's RSA key.
    pub fn new(seed: u64, now: DateTime<Utc>) -> anyhow::Result<Self> {
        let tenant_id = seeded_uuid(seed, "tenant");
        let user = |label: &str, local: &str, given: &str, surname: &str, job: &str, office: &str| User {
            oid: seeded_uuid(seed, &format!("user/{label}")),
            upn: format!("{local}@{DOMAIN}"),
            display_name: format!("{given} {surname}"),
            given_name: given.to_string(),
            surname: surname.to_string(),
            job_title: job.to_string(),
            mail: format!("{local}@{DOMAIN}"),
            mobile_phone: None,
            office_location: office.to_string(),
            business_phones: vec!["+1 425 555 0100".to_string()],
            preferred_language: "en-US".to_string(),
            password: DEMO_PASSWORD.to_string(),
        };
        let users = vec![
            user("admin", "admin", "Demo", "Admin", "Global Administrator", "1/1001"),
            user("adele", "AdeleV", "Adele", "Vance", "Retail Manager", "18/2111"),
            user("alex", "AlexW", "Alex", "Wilber", "Marketing Assistant", "131/1104"),
        ];

        let cert_material = keys::derive(seed, "certificate-client", 0)?;
        let loopback = vec!["http://localhost".to_string(), "http://127.0.0.1".to_string()];
        let app = |label: &str, name: &str, public: bool| App {
            app_id: seeded_uuid(seed, &format!("app/{label}")),
            object_id: seeded_uuid(seed, &format!("app-object/{label}")),
            sp_object_id: seeded_uuid(seed, &format!("sp-object/{label}")),
            display_name: name.to_string(),
            public,
            redirect_uris: loopback.clone(),
            secrets: Vec::new(),
            certificates: Vec::new(),
            delegated: DESKTOP_DELEGATED.to_vec(),
            admin_consented: true,
            app_roles: if public { Vec::new() } else { DAEMON_ROLES.to_vec() },
        };
        let public_app = app("desktop", "Entra Desk (demo)", true);
        let mut confidential = app("daemon", "Entra Desk daemon (demo)", false);
        // Tests change the tenant as an admin would, through this client.
        confidential.app_roles.extend_from_slice(DAEMON_WRITE_ROLES);
        confidential.secrets.push(Secret {
            key_id: seeded_uuid(seed, "secret/daemon"),
            value: seeded_secret(seed, "daemon"),
            start: now,
            end: now + Duration::days(730),
        });
        let mut expired = app("expired", "Expired secret app (demo)", false);
        expired.secrets.push(Secret {
            key_id: seeded_uuid(seed, "secret/expired"),
            value: seeded_secret(seed, "expired"),
            start: now - Duration::days(395),
            end: now - Duration::days(30),
        });
        let mut certificate = app("certificate", "Certificate app (demo)", false);
        certificate.certificates.push(cert_material);

        Ok(Self {
            tenant_id,
            created: now,
            users,
            public_client_id: public_app.app_id.clone(),
            confidential_client_id: confidential.app_id.clone(),
            expired_secret_client_id: expired.app_id.clone(),
            certificate_client_id: certificate.app_id.clone(),
            apps: vec![public_app, confidential, expired, certificate],
        })
    }

    /// Is `tenant` (a path segment) this tenant, `common` or `organizations`?
    /// `consumers` is not: the demo has no personal accounts.
    pub fn knows_tenant(&self, tenant: &str) -> bool {
        tenant.eq_ignore_ascii_case(&self.tenant_id)
            || tenant.eq_ignore_ascii_case(DOMAIN)
            || tenant.eq_ignore_ascii_case("common")
            || tenant.eq_ignore_ascii_case("organizations")
    }

    /// `common` and `organizations` answer with `{tenantid}` templates.
    pub fn is_multi_tenant_alias(tenant: &str) -> bool {
        tenant.eq_ignore_ascii_case("common") || tenant.eq_ignore_ascii_case("organizations")
    }

    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.app_id.eq_ignore_ascii_case(client_id))
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn.trim()))
    }

    pub fn user_by_oid(&self, oid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.oid == oid)
    }

    pub fn admin(&self) -> &User {
        &self.users[0]
    }

    /// Does the user hold a directory role? Only the demo admin does (Global
    /// Administrator): the one user who may consent to admin-only permissions,
    /// and for the whole organization.
    pub fn is_admin(&self, oid: &str) -> bool {
        self.admin().oid.eq_ignore_ascii_case(oid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_is_the_same_for_every_seed() {
        for seed in [1, 2, 99] {
            assert_eq!(Directory::new(seed, chrono::Utc::now()).unwrap().admin().upn, ADMIN_UPN);
        }
    }

    #[test]
    fn ids_and_secrets_follow_the_seed() {
        assert_eq!(seeded_uuid(1, "tenant"), seeded_uuid(1, "tenant"));
        assert_ne!(seeded_uuid(1, "tenant"), seeded_uuid(2, "tenant"));
        let secret = seeded_secret(1, "daemon");
        assert_eq!(secret, seeded_secret(1, "daemon"));
        assert_eq!(&secret[3..6], "8Q~");
        assert_eq!(secret.len(), 40);
    }
}
