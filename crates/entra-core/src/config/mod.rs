//! Configuration: which tenant, app and endpoints to sign in with.
//!
//! # Sources and precedence
//!
//! A [`Profile`] is resolved from these sources; for each setting the first
//! source that has it wins:
//!
//! 1. command-line flags (`entractl --authority …`) or values the app passes in;
//! 2. environment variables: `ENTRA_TENANT_ID`, `ENTRA_CLIENT_ID`, `ENTRA_AUTHORITY`,
//!    `ENTRA_METADATA_ADDRESS`, `ENTRA_ISSUER`, `ENTRA_REDIRECT_URI`, `ENTRA_SCOPES`,
//!    `ENTRA_GRAPH_URL`, `ENTRA_CA_CERT`;
//! 3. a connection string, `ENTRA_CONNECTION_STRING` (else `connectionString` in the
//!    settings file): `MicrosoftEntra:TenantId=…;MicrosoftEntra:ClientId=…` (see
//!    [`connection_string`]);
//! 4. the settings file, `settings.json` in the data folder;
//! 5. defaults: authority `https://login.microsoftonline.com/{TenantId}`, tenant
//!    `organizations`, redirect URI `http://localhost`, scopes `User.Read Application.ReadWrite.All
//!    Directory.Read.All` (what the screens need), Graph
//!    `https://graph.microsoft.com/v1.0`.
//!
//! The client ID has no default. When none is configured, a registration the set-up
//! assistant (`entractl setup`) saved for the tenant is used ([`registrations`]). When
//! nothing at all is configured the app offers the demo tenant (the shell starts it and
//! passes its authority and IDs as flags); the CLI says how to configure one.
//!
//! # Values
//!
//! - `${NAME}` anywhere in a value is replaced by the environment variable `NAME`
//!   (a missing variable is an error naming it); `$$` stands for a literal `$`.
//! - `{TenantId}` (any case) in the authority, metadata address, issuer and Graph
//!   URL is replaced by the tenant ID.
//! - Without an explicit tenant ID, the tenant is the authority's last path segment.
//! - The redirect URI gives the host and path; the port is chosen when signing in (RFC 8252).
//!
//! # Secrets
//!
//! A client secret found in a connection string or in the settings file is
//! handed to the keychain by [`store::SettingsStore`] and removed from anything
//! written to disk. [`ProfileSettings`] has no secret field, so settings can't carry one.
//!
//! Which lease store to use (this desktop's file or a team's database) is chosen the same way,
//! by flag, `ENTRA_DESK_LEASE_STORE` or `leaseStore` in the settings file: [`lease_store`].
//!
//! # Modules
//!
//! Each file owns one step, and none imports a module that imports it back:
//! [`env`] (variable names) → [`layer`] (one layer of settings) → [`registrations`]
//! (client IDs saved per tenant) → [`connection_string`] → [`settings_file`] (the file's shape) and
//! [`values`] (`${ENV}`, `{TenantId}`, URL checks) → [`resolve`] (layers to a
//! [`Profile`]) → [`store`] (the file on disk, secrets to the keychain).

pub mod connection_string;
pub mod env;
pub mod layer;
pub mod lease_store;
pub mod registrations;
pub mod resolve;
pub mod settings_file;
pub mod store;
pub mod values;

pub use layer::{split_scopes, ProfileSettings};
pub use lease_store::{LeaseStoreChoice, LEASE_STORE_ENV};
pub use registrations::{Registrations, SavedRegistration};
pub use resolve::{
    resolve, ConfigSources, Profile, DEFAULT_AUTHORITY, DEFAULT_GRAPH_URL, DEFAULT_REDIRECT_URI, DEFAULT_SCOPES, DEFAULT_TENANT,
    OIDC_SCOPES,
};
pub use settings_file::Settings;
pub use store::{EnvLookup, SettingsStore, SETTINGS_FILE};
pub use values::{is_loopback, replace_tenant_placeholder, substitute_env};
