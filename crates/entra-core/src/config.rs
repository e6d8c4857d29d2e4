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
//!    [`crate::connection_string`]);
//! 4. the settings file, `settings.json` in the data folder;
//! 5. defaults: authority `https://login.microsoftonline.com/{TenantId}`, tenant
//!    `organizations`, redirect URI `http://localhost`, scopes `User.Read`, Graph
//!    `https://graph.microsoft.com/v1.0`.
//!
//! The client ID has no default. When nothing at all is configured the app
//! offers the demo tenant (the shell starts it and passes its authority and
//! IDs as flags); the CLI says how to configure one.
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
//! handed to the keychain by [`crate::Desk`] and removed from anything written
//! to disk. [`ProfileSettings`] has no secret field, so settings can't carry one.

use crate::connection_string::{self, split_scopes, ConnectionString};
use crate::secret::ClientSecret;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use url::Url;

/// Default authority template (Entra's public cloud).
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/{TenantId}";
/// Default tenant when none is given: any work or school account.
pub const DEFAULT_TENANT: &str = "organizations";
/// Default redirect URI for desktop apps using the system browser.
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost";
/// Default Graph base URL.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
/// Default delegated scopes (besides `openid profile offline_access`, which are always asked for).
pub const DEFAULT_SCOPES: &[&str] = &["User.Read"];
/// The OpenID Connect scopes every interactive sign-in requests.
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access"];

/// The environment variables read by [`ProfileSettings::from_env`].
pub mod env {
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
}

/// One layer of non-secret settings; every field optional. Also the shape of `settings.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSettings {
    /// Tenant ID (GUID) or domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Application (client) ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Authority URL; may contain `{TenantId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Explicit OpenID discovery document URL; may contain `{TenantId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_address: Option<String>,
    /// Issuer, for providers whose discovery lives at `{issuer}/.well-known/openid-configuration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Redirect URI: scheme, host and path. The port is chosen at run time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Delegated scopes (or a single `…/.default` scope for app-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Graph base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_url: Option<String>,
    /// Extra trusted root certificate (PEM file) for a TLS demo tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
}

impl ProfileSettings {
    /// Field by field: `self` where set, else `lower`.
    pub fn or(self, lower: ProfileSettings) -> ProfileSettings {
        ProfileSettings {
            tenant_id: self.tenant_id.or(lower.tenant_id),
            client_id: self.client_id.or(lower.client_id),
            authority: self.authority.or(lower.authority),
            metadata_address: self.metadata_address.or(lower.metadata_address),
            issuer: self.issuer.or(lower.issuer),
            redirect_uri: self.redirect_uri.or(lower.redirect_uri),
            scopes: self.scopes.or(lower.scopes),
            graph_url: self.graph_url.or(lower.graph_url),
            ca_cert: self.ca_cert.or(lower.ca_cert),
        }
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self == &ProfileSettings::default()
    }

    /// The settings carried by environment variables, read through `lookup` (tests pass a map;
    /// the process environment is global, so tests never set it).
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> ProfileSettings {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        ProfileSettings {
            tenant_id: get(env::TENANT_ID),
            client_id: get(env::CLIENT_ID),
            authority: get(env::AUTHORITY),
            metadata_address: get(env::METADATA_ADDRESS),
            issuer: get(env::ISSUER),
            redirect_uri: get(env::REDIRECT_URI),
            scopes: get(env::SCOPES).map(|s| split_scopes(&s)),
            graph_url: get(env::GRAPH_URL),
            ca_cert: get(env::CA_CERT),
        }
    }
}

/// The settings file, `settings.json` in the data folder.
///
/// It may arrive hand-written with a `clientSecret` or a `connectionString` holding
/// one; [`crate::Desk`] moves such a secret to the keychain and rewrites the file
/// without it. Neither field is ever serialised.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The profile settings.
    #[serde(flatten)]
    pub profile: ProfileSettings,
    /// Sign-in time-out in seconds (default 300).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_timeout_secs: Option<u64>,
    /// A hand-written connection string; read, never written back.
    #[serde(default, skip_serializing)]
    pub connection_string: Option<String>,
    /// A hand-written client secret; moved to the keychain, never written back.
    #[serde(default, skip_serializing)]
    client_secret: Option<String>,
}

impl Settings {
    /// Takes the client secret out of the settings (hand-written `clientSecret`, or the
    /// connection string's), folding the connection string's other values into
    /// `profile`. Returns the secret, if any; afterwards nothing secret is left to write.
    pub fn take_secret(&mut self) -> Result<Option<ClientSecret>> {
        let mut secret = self.client_secret.take().filter(|s| !s.is_empty()).map(ClientSecret::new);
        if let Some(cs) = self.connection_string.take() {
            let parsed = connection_string::parse(&cs)
                .map_err(|e| Error::config(format!("settings.json, connectionString: {}", e.message())))?;
            self.profile = std::mem::take(&mut self.profile).or(parsed.settings);
            secret = secret.or(parsed.client_secret);
        }
        Ok(secret)
    }

    /// True when the file carried a secret or connection string that must be moved out.
    pub fn needs_scrubbing(&self) -> bool {
        self.client_secret.is_some() || self.connection_string.is_some()
    }
}

/// Everything a resolution starts from. Build it with [`ConfigSources::gather`] or by hand in tests.
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// Command-line flags or values passed by the app (highest precedence).
    pub flags: ProfileSettings,
    /// Environment variables.
    pub env: ProfileSettings,
    /// A connection string, already parsed.
    pub connection_string: Option<ConnectionString>,
    /// The settings file (secrets already taken out).
    pub settings: ProfileSettings,
}

impl ConfigSources {
    /// Reads the environment (through `lookup`) and parses `ENTRA_CONNECTION_STRING`.
    pub fn gather(flags: ProfileSettings, settings: ProfileSettings, lookup: &dyn Fn(&str) -> Option<String>) -> Result<ConfigSources> {
        let connection_string = match lookup(env::CONNECTION_STRING).filter(|s| !s.trim().is_empty()) {
            Some(cs) => Some(
                connection_string::parse(&cs)
                    .map_err(|e| Error::config(format!("{}: {}", env::CONNECTION_STRING, e.message())))?,
            ),
            None => None,
        };
        Ok(ConfigSources { flags, env: ProfileSettings::from_env(lookup), connection_string, settings })
    }

    /// True when no source configures anything (the app then offers the demo tenant).
    pub fn is_unconfigured(&self) -> bool {
        self.flags.is_empty()
            && self.env.is_empty()
            && self.settings.is_empty()
            && self.connection_string.as_ref().is_none_or(|c| c.settings.is_empty())
    }
}

/// A fully resolved sign-in profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Tenant ID or domain (used by app-only credentials and for `{TenantId}`).
    pub tenant_id: String,
    /// Application (client) ID.
    pub client_id: String,
    /// Authority URL, without a trailing slash.
    pub authority: Url,
    /// Explicit discovery document URL, if configured.
    pub metadata_address: Option<Url>,
    /// Configured issuer, if any.
    pub issuer: Option<Url>,
    /// Redirect URI template (no port).
    pub redirect_uri: Url,
    /// Delegated scopes, without the OIDC ones.
    pub scopes: Vec<String>,
    /// Graph base URL, without a trailing slash.
    pub graph_url: Url,
    /// Extra trusted root certificate for TLS.
    pub ca_cert: Option<PathBuf>,
    /// A client secret that came from configuration (connection string); the Desk stores it in the keychain.
    pub client_secret: Option<ClientSecret>,
}

impl Profile {
    /// Where to look for the discovery document, in order: the explicit metadata address;
    /// else `{issuer}/.well-known/openid-configuration`; else Entra's
    /// `{authority}/v2.0/.well-known/openid-configuration`, then the generic
    /// `{authority}/.well-known/openid-configuration` (the authority as an issuer).
    pub fn discovery_candidates(&self) -> Vec<Url> {
        if let Some(url) = &self.metadata_address {
            return vec![url.clone()];
        }
        let well_known = |base: &Url, suffix: &str| Url::parse(&format!("{}{suffix}", base.as_str().trim_end_matches('/'))).ok();
        if let Some(issuer) = &self.issuer {
            return well_known(issuer, "/.well-known/openid-configuration").into_iter().collect();
        }
        [
            well_known(&self.authority, "/v2.0/.well-known/openid-configuration"),
            well_known(&self.authority, "/.well-known/openid-configuration"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The scopes of an interactive sign-in: `openid profile offline_access` plus the configured ones.
    pub fn interactive_scopes(&self) -> Vec<String> {
        let mut all: Vec<String> = OIDC_SCOPES.iter().map(|s| s.to_string()).collect();
        for s in &self.scopes {
            if !all.iter().any(|a| a.eq_ignore_ascii_case(s)) {
                all.push(s.clone());
            }
        }
        all
    }
}

/// Replaces `${NAME}` with environment variables; `$$` is a literal `$`.
pub fn substitute_env(setting: &str, value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or_else(|| {
                Error::config(format!("Setting `{setting}` has a `${{` without a closing `}}`: write ${{NAME}}, or $$ for a literal $"))
            })?;
            let name = &body[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(Error::config(format!(
                    "Setting `{setting}` refers to `${{{name}}}`, which is not a valid environment variable name: use letters, digits and _"
                )));
            }
            let v = lookup(name).ok_or_else(|| {
                Error::config(format!("Setting `{setting}` uses ${{{name}}}, but the environment variable {name} is not set: set {name} or change the setting"))
            })?;
            out.push_str(&v);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Replaces `{TenantId}` (any case) with `tenant`.
pub fn replace_tenant_placeholder(value: &str, tenant: &str) -> String {
    const NEEDLE: &str = "{tenantid}";
    let lower = value.to_ascii_lowercase();
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(NEEDLE) {
        out.push_str(&value[last..at]);
        out.push_str(tenant);
        last = at + NEEDLE.len();
    }
    out.push_str(&value[last..]);
    out
}

fn parse_url(setting: &str, value: &str, fix: &str) -> Result<Url> {
    let url = Url::parse(value).map_err(|e| Error::config(format!("Setting `{setting}` is not a valid URL ({e}): {fix}")))?;
    match url.scheme() {
        "https" => Ok(url),
        // Plain http only on loopback (the demo tenant); anything else would send tokens in clear.
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::config(format!("Setting `{setting}` uses http:// for a host other than this machine: use https:// ({fix})"))),
        other => Err(Error::config(format!("Setting `{setting}` has the scheme `{other}`: use https:// ({fix})"))),
    }
}

/// True for `localhost`, `127.0.0.0/8` and `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn trim_slash(mut url: Url) -> Url {
    if url.path().len() > 1 && url.path().ends_with('/') {
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
    }
    url
}

/// Resolves the sources into a [`Profile`] (precedence in the module doc).
pub fn resolve(sources: ConfigSources, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Profile> {
    let (cs_settings, client_secret) = match sources.connection_string {
        Some(cs) => (cs.settings, cs.client_secret),
        None => (ProfileSettings::default(), None),
    };
    let merged = sources.flags.or(sources.env).or(cs_settings).or(sources.settings);
    let sub = |setting: &str, v: Option<String>| -> Result<Option<String>> {
        v.map(|v| substitute_env(setting, &v, lookup)).transpose()
    };
    let client_id = sub("clientId", merged.client_id)?;
    let authority = sub("authority", merged.authority)?;
    let tenant_id = sub("tenantId", merged.tenant_id)?;
    let metadata_address = sub("metadataAddress", merged.metadata_address)?;
    let issuer = sub("issuer", merged.issuer)?;
    let redirect_uri = sub("redirectUri", merged.redirect_uri)?;
    let graph_url = sub("graphUrl", merged.graph_url)?;
    let ca_cert = sub("caCert", merged.ca_cert)?;
    let scopes = merged
        .scopes
        .map(|v| v.iter().map(|s| substitute_env("scopes", s, lookup)).collect::<Result<Vec<_>>>())
        .transpose()?;

    let client_id = client_id.filter(|c| !c.trim().is_empty()).ok_or_else(|| {
        Error::config(format!(
            "No client ID is configured: pass --client-id, set {}, put MicrosoftEntra:ClientId in {}, or set clientId in settings.json; to try Entra Desk without a tenant, run the demo tenant (`entractl demo`) and use the authority and client ID it prints",
            env::CLIENT_ID,
            env::CONNECTION_STRING
        ))
    })?;
    let client_id = client_id.trim().to_string();

    // The tenant: explicit, else the authority's last path segment, else the default.
    let tenant_id = match tenant_id {
        Some(t) => t.trim().to_string(),
        None => authority
            .as_deref()
            .and_then(|a| Url::parse(a).ok())
            .and_then(|u| u.path_segments().and_then(|mut s| s.rfind(|seg| !seg.is_empty()).map(String::from)))
            .filter(|seg| !seg.contains('{') && !seg.eq_ignore_ascii_case("v2.0"))
            .unwrap_or_else(|| DEFAULT_TENANT.to_string()),
    };
    if tenant_id.is_empty() || !tenant_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err(Error::config(format!(
            "Setting `tenantId` (`{tenant_id}`) is not a tenant ID or domain: use the directory (tenant) ID GUID or a domain such as contoso.onmicrosoft.com"
        )));
    }
    let place = |v: String| replace_tenant_placeholder(&v, &tenant_id);

    let authority = trim_slash(parse_url(
        "authority",
        &place(authority.unwrap_or_else(|| DEFAULT_AUTHORITY.to_string())),
        "for Entra use https://login.microsoftonline.com/<tenant ID>",
    )?);
    let metadata_address = metadata_address
        .map(|m| parse_url("metadataAddress", &place(m), "give the URL of the provider's openid-configuration document"))
        .transpose()?;
    let issuer = issuer.map(|i| parse_url("issuer", &place(i), "give the provider's issuer URL")).transpose()?;
    let graph_url = trim_slash(parse_url(
        "graphUrl",
        &place(graph_url.unwrap_or_else(|| DEFAULT_GRAPH_URL.to_string())),
        "for Microsoft Graph use https://graph.microsoft.com/v1.0",
    )?);

    let redirect_raw = redirect_uri.unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_string());
    let redirect_uri = Url::parse(&redirect_raw)
        .map_err(|e| Error::config(format!("Setting `redirectUri` is not a valid URL ({e}): use http://localhost, as registered for the app")))?;
    if redirect_uri.scheme() != "http" || !is_loopback(&redirect_uri) {
        return Err(Error::config(
            "Setting `redirectUri` must be a loopback http URI such as http://localhost or http://127.0.0.1/callback (RFC 8252): Entra Desk listens on this machine for the browser's redirect",
        ));
    }
    if redirect_uri.port().is_some() {
        return Err(Error::config(
            "Setting `redirectUri` has a port: remove it; Entra Desk picks a free port at sign-in, and Entra ignores the port of loopback redirect URIs",
        ));
    }
    if matches!(redirect_uri.host(), Some(url::Host::Ipv6(_))) {
        return Err(Error::config("Setting `redirectUri` uses [::1], which Entra does not support: use http://localhost or http://127.0.0.1"));
    }

    let scopes = scopes
        .map(|s| s.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>())
        .unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect());

    Ok(Profile {
        tenant_id,
        client_id,
        authority,
        metadata_address,
        issuer,
        redirect_uri,
        scopes,
        graph_url,
        ca_cert: ca_cert.filter(|p| !p.is_empty()).map(PathBuf::from),
        client_secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| map.get(k).cloned()
    }

    fn layer(client_id: &str, authority: Option<&str>) -> ProfileSettings {
        ProfileSettings { client_id: Some(client_id.into()), authority: authority.map(String::from), ..Default::default() }
    }

    #[test]
    fn precedence_flags_env_connection_string_settings_defaults() {
        let env = env_of(&[
            ("ENTRA_CLIENT_ID", "from-env"),
            ("ENTRA_SCOPES", "Mail.Read, User.Read"),
            ("ENTRA_CONNECTION_STRING", "MicrosoftEntra:ClientId=from-cs;MicrosoftEntra:TenantId=tid-cs;GraphUrl=https://graph.example/v1.0"),
        ]);
        let settings = ProfileSettings {
            client_id: Some("from-settings".into()),
            tenant_id: Some("tid-settings".into()),
            redirect_uri: Some("http://127.0.0.1/cb".into()),
            graph_url: Some("https://ignored.example".into()),
            ..Default::default()
        };
        let flags = ProfileSettings { client_id: Some("from-flag".into()), ..Default::default() };
        let p = resolve(ConfigSources::gather(flags.clone(), settings.clone(), &env).unwrap(), &env).unwrap();
        assert_eq!(p.client_id, "from-flag");
        assert_eq!(p.scopes, vec!["Mail.Read", "User.Read"]); // env
        assert_eq!(p.tenant_id, "tid-cs"); // connection string beats settings
        assert_eq!(p.graph_url.as_str(), "https://graph.example/v1.0");
        assert_eq!(p.redirect_uri.as_str(), "http://127.0.0.1/cb"); // settings
        assert_eq!(p.authority.as_str(), "https://login.microsoftonline.com/tid-cs"); // default with placeholder

        let p = resolve(ConfigSources::gather(ProfileSettings::default(), settings.clone(), &env).unwrap(), &env).unwrap();
        assert_eq!(p.client_id, "from-env");
        let no_env = env_of(&[]);
        let p = resolve(ConfigSources::gather(ProfileSettings::default(), settings, &no_env).unwrap(), &no_env).unwrap();
        assert_eq!(p.client_id, "from-settings");
        assert_eq!(p.scopes, vec!["User.Read"]);
        assert_eq!(p.interactive_scopes(), vec!["openid", "profile", "offline_access", "User.Read"]);
    }

    #[test]
    fn tenant_placeholders_and_tenant_from_authority() {
        let none = env_of(&[]);
        let sources = ConfigSources {
            flags: ProfileSettings {
                client_id: Some("c".into()),
                tenant_id: Some("contoso.onmicrosoft.com".into()),
                authority: Some("https://login.example.com/{tenantid}/".into()),
                metadata_address: Some("https://login.example.com/{TenantId}/v2.0/.well-known/openid-configuration".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let p = resolve(sources, &none).unwrap();
        assert_eq!(p.authority.as_str(), "https://login.example.com/contoso.onmicrosoft.com");
        assert_eq!(
            p.discovery_candidates()[0].as_str(),
            "https://login.example.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
        );
        let p = resolve(ConfigSources { flags: layer("c", Some("http://127.0.0.1:4000/abc-tid")), ..Default::default() }, &none).unwrap();
        assert_eq!(p.tenant_id, "abc-tid");
        let c = p.discovery_candidates();
        assert_eq!(c[0].as_str(), "http://127.0.0.1:4000/abc-tid/v2.0/.well-known/openid-configuration");
        assert_eq!(c[1].as_str(), "http://127.0.0.1:4000/abc-tid/.well-known/openid-configuration");
    }

    #[test]
    fn env_substitution_and_missing_variable() {
        let env = env_of(&[("MY_TENANT", "t-42"), ("MY_APP", "app-7")]);
        let sources = ConfigSources {
            settings: ProfileSettings {
                client_id: Some("${MY_APP}".into()),
                authority: Some("https://login.microsoftonline.com/${MY_TENANT}".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let p = resolve(sources, &env).unwrap();
        assert_eq!(p.client_id, "app-7");
        assert_eq!(p.tenant_id, "t-42");
        assert_eq!(substitute_env("x", "a$$b$c", &env).unwrap(), "a$b$c");

        let err = resolve(ConfigSources { settings: layer("${AZURE_ENTRA_ID_AUTH_CLIENT_ID}", None), ..Default::default() }, &env).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Config);
        assert!(err.message().contains("AZURE_ENTRA_ID_AUTH_CLIENT_ID is not set"), "{}", err.message());
        assert!(err.message().contains("`clientId`"));
        let err = substitute_env("authority", "${OPEN", &env).unwrap_err();
        assert!(err.message().contains("closing"));
    }

    #[test]
    fn bad_values_name_the_setting_and_the_fix() {
        let none = env_of(&[]);
        let err = resolve(ConfigSources::default(), &none).unwrap_err();
        assert!(err.message().starts_with("No client ID is configured"), "{}", err.message());
        let cases = [
            (ProfileSettings { authority: Some("http://login.example.com/t".into()), ..layer("c", None) }, "`authority` uses http://"),
            (ProfileSettings { authority: Some("not a url".into()), ..layer("c", None) }, "`authority` is not a valid URL"),
            (ProfileSettings { redirect_uri: Some("https://example.com/cb".into()), ..layer("c", None) }, "`redirectUri` must be a loopback"),
            (ProfileSettings { redirect_uri: Some("http://localhost:8400".into()), ..layer("c", None) }, "has a port"),
            (ProfileSettings { tenant_id: Some("bad tenant!".into()), ..layer("c", None) }, "`tenantId`"),
        ];
        for (flags, expected) in cases {
            let err = resolve(ConfigSources { flags, ..Default::default() }, &none).unwrap_err();
            assert_eq!(err.code(), ErrorCode::Config);
            assert!(err.message().contains(expected), "{expected}: {}", err.message());
        }
    }

    #[test]
    fn settings_file_secrets_are_taken_out_and_never_serialised() {
        let mut s: Settings = serde_json::from_str(
            r#"{"clientId":"app","clientSecret":"hunter2-secret","connectionString":"TenantId=t1;ClientSecret=other"}"#,
        )
        .unwrap();
        assert!(s.needs_scrubbing());
        let secret = s.take_secret().unwrap().unwrap();
        assert_eq!(secret.expose(), "hunter2-secret");
        assert_eq!(s.profile.tenant_id.as_deref(), Some("t1"));
        let written = serde_json::to_string(&s).unwrap();
        assert!(!written.contains("hunter2") && !written.contains("other") && !written.contains("connectionString"), "{written}");
        assert!(!s.needs_scrubbing());
    }

    #[test]
    fn connection_string_secret_reaches_the_profile() {
        let env = env_of(&[("ENTRA_CONNECTION_STRING", "ClientId=a;TenantId=t;ClientSecret=xyz")]);
        let p = resolve(ConfigSources::gather(ProfileSettings::default(), ProfileSettings::default(), &env).unwrap(), &env).unwrap();
        assert_eq!(p.client_secret.unwrap().expose(), "xyz");
        let bad = env_of(&[("ENTRA_CONNECTION_STRING", "ClientId")]);
        let err = ConfigSources::gather(ProfileSettings::default(), ProfileSettings::default(), &bad).unwrap_err();
        assert!(err.message().starts_with("ENTRA_CONNECTION_STRING: Connection string"), "{}", err.message());
    }
}
