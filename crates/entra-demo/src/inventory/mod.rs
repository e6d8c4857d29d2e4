//! The Graph-side inventory: app registrations, service principals and their
//! credentials and owners, held behind one lock and changed by the Graph write
//! endpoints (addPassword, removePassword, create and delete: `registration`).
//! Microsoft Graph's own service principal publishes the permissions in
//! `graph_permissions` (Microsoft's ids).
//!
//! Objects are kept sorted by object id (the order directory lists come back
//! in) and are never removed: a deleted object stays as a tombstone so delta
//! queries can report it. A created one is inserted in place, and the insert
//! moves every stored index past it along (`registration`, `insert_group`), so
//! indices stay valid while the lock is held and across writes. Every change
//! takes the next value of a tenant-wide sequence number; delta tokens are
//! positions in that sequence.
//!
//! Owners are the directory's users ([`crate::directory::Directory::users`]):
//! the generator adds owner users there so they can also sign in. Groups, the
//! users Graph lists (those plus generated ones) and devices are in `groups`
//! (the model and its writes) and `populate` (their generation), sharing the
//! same lock and sequence.

mod catalog;
mod generate;
pub mod graph_permissions;
mod groups;
mod populate;
mod registration;

pub use generate::generate;
pub use groups::{Device, Group, GroupFixture, Member, MembershipError, Parents, Person};
pub use populate::{populate, GroupSizes};

use chrono::{DateTime, Utc};
use graph_permissions::{ApplicationPermission, DelegatedPermission};
use std::borrow::Cow;
use std::collections::HashMap;

/// A password credential (client secret). The value itself is never kept:
/// for the demo clients it lives in the directory, for a secret made by
/// addPassword only its SHA-256 is kept ([`PasswordCred::secret`]), so the
/// token endpoint can accept it.
#[derive(Clone)]
pub struct PasswordCred {
    pub key_id: String,
    pub display_name: Option<String>,
    pub hint: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Base64, set on the password half of a SAML signing credential.
    pub custom_key_identifier: Option<String>,
    /// How the token endpoint recognises the secret, for those made by addPassword.
    pub secret: Option<SecretCheck>,
}

/// What the token endpoint needs to accept a secret made by addPassword: its
/// SHA-256 (never the value) and when it starts to work (Entra takes a while to
/// propagate a new secret: `DemoOptions::secret_propagation`).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretCheck {
    pub sha256: [u8; 32],
    /// On the emulator clock: before it, the secret is refused with AADSTS7000215.
    pub usable_from: DateTime<Utc>,
}

impl std::fmt::Debug for PasswordCred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCred").field("key_id", &self.key_id).field("end", &self.end).finish_non_exhaustive()
    }
}

/// A key credential (certificate). `Sign` and `Verify` halves of one
/// certificate share `custom_key_identifier` (its thumbprint).
#[derive(Debug, Clone)]
pub struct KeyCred {
    pub key_id: String,
    pub display_name: String,
    pub usage: &'static str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Base64 of the SHA-1 thumbprint.
    pub custom_key_identifier: String,
    /// Base64 DER, when the tenant has the real certificate (the demo clients).
    pub key: Option<String>,
}

/// An owner: a user (index into the directory's users) or a service principal
/// (index into [`Inventory::sps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerRef {
    User(usize),
    Sp(usize),
}

/// Why an object left the directory, as delta reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Soft-deleted (in deleted items, restorable): `@removed.reason = "changed"`.
    Changed,
    /// Permanently deleted: `@removed.reason = "deleted"`.
    Deleted,
}

impl Removal {
    pub fn reason(self) -> &'static str {
        match self {
            Removal::Changed => "changed",
            Removal::Deleted => "deleted",
        }
    }
}

/// Bookkeeping every directory object has.
#[derive(Debug, Clone)]
pub struct Meta {
    pub id: String,
    pub created: DateTime<Utc>,
    /// Sequence number of the last change.
    pub changed: u64,
    pub removed: Option<(Removal, DateTime<Utc>)>,
    pub owners: Vec<OwnerRef>,
}

/// A platform's redirect URIs.
#[derive(Debug, Clone, Default)]
pub struct Redirects {
    pub web: Vec<String>,
    pub spa: Vec<String>,
    pub public_client: Vec<String>,
}

/// `requiredResourceAccess[]`: (resourceAppId, [(permission id, "Scope"|"Role")]). Borrowed
/// for the generated apps (no allocation per app at start-up), owned for those made by
/// `POST /applications`.
pub type ResourceAccess = Vec<(Cow<'static, str>, Vec<(Cow<'static, str>, &'static str)>)>;

#[derive(Debug, Clone)]
pub struct Application {
    pub meta: Meta,
    pub app_id: String,
    pub display_name: String,
    pub sign_in_audience: &'static str,
    pub identifier_uris: Vec<String>,
    pub redirects: Redirects,
    pub is_fallback_public_client: bool,
    pub required_resource_access: ResourceAccess,
    pub passwords: Vec<PasswordCred>,
    pub keys: Vec<KeyCred>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ServicePrincipal {
    pub meta: Meta,
    pub app_id: String,
    pub display_name: String,
    pub app_display_name: String,
    pub app_owner_organization_id: String,
    pub publisher_name: String,
    pub service_principal_names: Vec<String>,
    pub account_enabled: bool,
    pub app_role_assignment_required: bool,
    pub preferred_single_sign_on_mode: Option<&'static str>,
    pub sign_in_audience: &'static str,
    pub reply_urls: Vec<String>,
    pub tags: Vec<String>,
    pub passwords: Vec<PasswordCred>,
    pub keys: Vec<KeyCred>,
    pub preferred_token_signing_key_thumbprint: Option<String>,
    /// `oauth2PermissionScopes` it publishes (Microsoft Graph's; empty for the others).
    pub scopes: &'static [DelegatedPermission],
    /// `appRoles` it publishes (Microsoft Graph's; empty for the others).
    pub app_roles: &'static [ApplicationPermission],
}

/// The whole Graph inventory of one tenant.
#[derive(Debug, Default)]
pub struct Inventory {
    pub apps: Vec<Application>,
    pub sps: Vec<ServicePrincipal>,
    /// Object id (lower case) → index.
    app_index: HashMap<String, usize>,
    app_by_app_id: HashMap<String, usize>,
    sp_index: HashMap<String, usize>,
    sp_by_app_id: HashMap<String, usize>,
    /// User object id → index into the directory's users.
    pub user_index: HashMap<String, usize>,
    /// The last sequence number handed out.
    pub seq: u64,
    /// Users as Graph lists them, sorted by id.
    pub people: Vec<Person>,
    /// Groups sorted by id (deleted ones stay as tombstones).
    pub groups: Vec<Group>,
    pub devices: Vec<Device>,
    /// For each object, the live groups it is directly in.
    pub parents: Parents,
    /// The seeded shapes (nested chain, cycle, large group, …).
    pub fixture: GroupFixture,
}

impl Application {
    /// The Graph application permissions this app asks for (`requiredResourceAccess` entries of
    /// type `Role` on Graph), by name: what its app-only tokens carry in `roles`, since every
    /// permission has admin consent in the demo tenant.
    pub fn graph_app_roles(&self) -> Vec<&'static str> {
        self.required_resource_access
            .iter()
            .filter(|(resource, _)| resource.eq_ignore_ascii_case(catalog::GRAPH))
            .flat_map(|(_, access)| access.iter())
            .filter(|(_, kind)| *kind == "Role")
            .filter_map(|(id, _)| graph_permissions::application_by_id(id).map(|p| p.value))
            .collect()
    }
}

impl Inventory {
    /// Sorts by id and builds the lookup maps. Owner references must be
    /// resolved by the caller afterwards (see `generate`).
    fn index(&mut self) {
        self.app_index = self.apps.iter().enumerate().map(|(i, a)| (a.meta.id.to_ascii_lowercase(), i)).collect();
        self.app_by_app_id = self.apps.iter().enumerate().map(|(i, a)| (a.app_id.to_ascii_lowercase(), i)).collect();
        self.sp_index = self.sps.iter().enumerate().map(|(i, s)| (s.meta.id.to_ascii_lowercase(), i)).collect();
        self.sp_by_app_id = self.sps.iter().enumerate().map(|(i, s)| (s.app_id.to_ascii_lowercase(), i)).collect();
    }

    /// A live (not deleted) application by object id.
    pub fn app(&self, id: &str) -> Option<usize> {
        self.app_index.get(&id.to_ascii_lowercase()).copied().filter(|&i| self.apps[i].meta.removed.is_none())
    }

    /// A live application by appId (the `applications(appId='…')` key).
    pub fn app_by_app_id(&self, app_id: &str) -> Option<usize> {
        self.app_by_app_id.get(&app_id.to_ascii_lowercase()).copied().filter(|&i| self.apps[i].meta.removed.is_none())
    }

    pub fn sp(&self, id: &str) -> Option<usize> {
        self.sp_index.get(&id.to_ascii_lowercase()).copied().filter(|&i| self.sps[i].meta.removed.is_none())
    }

    pub fn sp_by_app_id(&self, app_id: &str) -> Option<usize> {
        self.sp_by_app_id.get(&app_id.to_ascii_lowercase()).copied().filter(|&i| self.sps[i].meta.removed.is_none())
    }

    /// Any application, deleted or not (deleted items).
    pub fn app_any(&self, id: &str) -> Option<usize> {
        self.app_index.get(&id.to_ascii_lowercase()).copied()
    }

    /// Any service principal, deleted or not (deleted items).
    pub fn sp_any(&self, id: &str) -> Option<usize> {
        self.sp_index.get(&id.to_ascii_lowercase()).copied()
    }

    /// The next sequence number, for a change being made now.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}
