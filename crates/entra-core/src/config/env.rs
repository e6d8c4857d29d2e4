//! The names of the environment variables Entra Desk reads its configuration from.
//!
//! Read through an injectable lookup (the process environment is global, so tests never set it).

/// Tenant ID or domain.
pub const TENANT_ID: &str = "ENTRA_TENANT_ID";
/// Application (client) ID.
pub const CLIENT_ID: &str = "ENTRA_CLIENT_ID";
/// Authority URL, e.g. `https://login.microsoftonline.com/{TenantId}`.
pub const AUTHORITY: &str = "ENTRA_AUTHORITY";
/// Explicit OpenID discovery document URL.
pub const METADATA_ADDRESS: &str = "ENTRA_METADATA_ADDRESS";
/// Expected issuer (discovery then uses `{issuer}/.well-known/openid-configuration`).
pub const ISSUER: &str = "ENTRA_ISSUER";
/// Redirect URI (host and path; the port is chosen at run time).
pub const REDIRECT_URI: &str = "ENTRA_REDIRECT_URI";
/// Scopes, separated by spaces or commas.
pub const SCOPES: &str = "ENTRA_SCOPES";
/// Graph base URL.
pub const GRAPH_URL: &str = "ENTRA_GRAPH_URL";
/// Extra trusted root certificate (PEM) for a TLS demo tenant.
pub const CA_CERT: &str = "ENTRA_CA_CERT";
/// A connection string.
pub const CONNECTION_STRING: &str = "ENTRA_CONNECTION_STRING";
/// An app's client secret for app-only sign-in (never a flag, never on disk).
pub const CLIENT_SECRET: &str = "ENTRA_CLIENT_SECRET";
