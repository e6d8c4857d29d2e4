//! Resolution: from the layers of settings ([`ConfigSources`]) to one checked
//! [`Profile`], with the precedence and defaults described in [`crate::config`].

use super::connection_string::{self, ConnectionString};
use super::env;
use super::layer::ProfileSettings;
use super::registrations::{client_id_for, Registrations};
use super::values::{is_loopback, parse_url, replace_tenant_placeholder, substitute_env, trim_slash};
use crate::secret::ClientSecret;
use crate::{Error, Result};
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
///
/// Least privilege: a sign-in asks only to read the signed-in user (`User.Read`). Entra's token carries every
/// permission of Graph already granted to the app, so where an admin consented for the organisation every screen
/// works at once; elsewhere a screen that needs more is refused with `missing_scope`, naming the least privileged
/// permission that would do (see [`crate::permissions`]), and "Grant access" asks for it alone.
pub const DEFAULT_SCOPES: &[&str] = &["User.Read"];
/// The OpenID Connect scopes every interactive sign-in requests.
pub const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access"];

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
    /// The registrations the set-up assistant saved, by tenant: the client ID of last resort.
    pub registrations: Registrations,
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
        Ok(ConfigSources { flags, env: ProfileSettings::from_env(lookup), connection_string, settings, registrations: Registrations::new() })
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
    /// A client secret that came from configuration (connection string); the settings store puts it in the keychain.
    pub client_secret: Option<ClientSecret>,
    /// True when this profile points at the app's built-in demo tenant (set by the caller that chose it).
    pub demo_tenant: bool,
}

impl Profile {
    /// Where to look for the discovery document, in order: the explicit metadata address;
    /// else `{issuer}/.well-known/openid-configuration`; else Entra's
    /// `{authority}/v2.0/.well-known/openid-configuration`, then the generic
    /// `{authority}/.well-known/openid-configuration` (the authority as an issuer).
    pub fn discovery_candidates(&self) -> Vec<Url> {
        discovery_candidates(self.metadata_address.as_ref(), self.issuer.as_ref(), &self.authority)
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

/// Discovery URLs to try, in order: the explicit metadata address; else
/// `{issuer}/.well-known/openid-configuration`; else Entra's
/// `{authority}/v2.0/.well-known/openid-configuration`, then the generic
/// `{authority}/.well-known/openid-configuration` (the authority as an issuer).
pub fn discovery_candidates(metadata_address: Option<&Url>, issuer: Option<&Url>, authority: &Url) -> Vec<Url> {
    if let Some(url) = metadata_address {
        return vec![url.clone()];
    }
    let well_known = |base: &Url, suffix: &str| Url::parse(&format!("{}{suffix}", base.as_str().trim_end_matches('/'))).ok();
    if let Some(issuer) = issuer {
        return well_known(issuer, "/.well-known/openid-configuration").into_iter().collect();
    }
    [well_known(authority, "/v2.0/.well-known/openid-configuration"), well_known(authority, "/.well-known/openid-configuration")]
        .into_iter()
        .flatten()
        .collect()
}

/// Expands `${NAME}` in the fields of a layer the admin wrote down that `flags` does not
/// override (an overridden field is dropped, so an unset variable there is no error).
fn expand_env(layer: ProfileSettings, flags: &ProfileSettings, lookup: &dyn Fn(&str) -> Option<String>) -> Result<ProfileSettings> {
    fn sub(setting: &str, v: Option<String>, overridden: bool, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Option<String>> {
        if overridden {
            return Ok(None);
        }
        v.map(|v| substitute_env(setting, &v, lookup)).transpose()
    }
    Ok(ProfileSettings {
        client_id: sub("clientId", layer.client_id, flags.client_id.is_some(), lookup)?,
        authority: sub("authority", layer.authority, flags.authority.is_some(), lookup)?,
        tenant_id: sub("tenantId", layer.tenant_id, flags.tenant_id.is_some(), lookup)?,
        metadata_address: sub("metadataAddress", layer.metadata_address, flags.metadata_address.is_some(), lookup)?,
        issuer: sub("issuer", layer.issuer, flags.issuer.is_some(), lookup)?,
        redirect_uri: sub("redirectUri", layer.redirect_uri, flags.redirect_uri.is_some(), lookup)?,
        graph_url: sub("graphUrl", layer.graph_url, flags.graph_url.is_some(), lookup)?,
        ca_cert: sub("caCert", layer.ca_cert, flags.ca_cert.is_some(), lookup)?,
        scopes: match (&flags.scopes, layer.scopes) {
            (Some(_), _) | (None, None) => None,
            (None, Some(v)) => Some(v.iter().map(|s| substitute_env("scopes", s, lookup)).collect::<Result<Vec<_>>>()?),
        },
    })
}

/// Resolves the sources into a [`Profile`] (precedence in the module doc).
pub fn resolve(sources: ConfigSources, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Profile> {
    let (cs_settings, client_secret) = match sources.connection_string {
        Some(cs) => (cs.settings, cs.client_secret),
        None => (ProfileSettings::default(), None),
    };
    // `${ENV}` is expanded only in what the admin wrote down (environment, connection string,
    // settings file). Flags and values from the app's webview are taken literally: otherwise a
    // value such as `https://x/${ENTRA_CLIENT_SECRET}` could read a secret back out.
    let written = sources.env.or(cs_settings).or(sources.settings);
    // For messages: the text as written, before expansion (an expanded value may be a secret).
    let tenant_as_written = sources.flags.tenant_id.clone().or_else(|| written.tenant_id.clone());
    let expanded = expand_env(written, &sources.flags, lookup)?;
    let merged = sources.flags.or(expanded);
    let ProfileSettings { client_id, authority, tenant_id, metadata_address, issuer, redirect_uri, graph_url, ca_cert, scopes } = merged;

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
        let quoted = tenant_as_written.map(|t| format!(" (`{t}`)")).unwrap_or_default();
        return Err(Error::config(format!(
            "Setting `tenantId`{quoted} is not a tenant ID or domain: use the directory (tenant) ID GUID or a domain such as contoso.onmicrosoft.com"
        )));
    }
    // The client ID: configured, else the one the set-up assistant saved for this tenant.
    let client_id = client_id
        .filter(|c| !c.trim().is_empty())
        .or_else(|| client_id_for(&sources.registrations, &tenant_id).map(str::to_string))
        .ok_or_else(|| {
            Error::config(format!(
                "No client ID is configured: register Entra Desk in your tenant with `entractl setup` (or the set-up assistant on the sign-in screen), or pass --client-id, set {}, put MicrosoftEntra:ClientId in {}, or set clientId in settings.json; to try Entra Desk without a tenant, run the demo tenant (`entractl demo`) and use the authority and client ID it prints",
                env::CLIENT_ID,
                env::CONNECTION_STRING
            ))
        })?;
    let client_id = client_id.trim().to_string();
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
        demo_tenant: false,
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
    fn env_references_expand_in_written_settings_but_never_in_flags() {
        let env = env_of(&[("ENTRA_CLIENT_SECRET", "s3cr3t-value"), ("MY_TENANT", "contoso.onmicrosoft.com")]);
        // From the settings file: expanded.
        let settings = ProfileSettings {
            client_id: Some("c".into()),
            tenant_id: Some("${MY_TENANT}".into()),
            authority: Some("https://login.microsoftonline.com/${MY_TENANT}".into()),
            ..Default::default()
        };
        let p = resolve(ConfigSources { settings: settings.clone(), ..Default::default() }, &env).unwrap();
        assert_eq!(p.tenant_id, "contoso.onmicrosoft.com");
        assert_eq!(p.authority.as_str(), "https://login.microsoftonline.com/contoso.onmicrosoft.com");

        // From the webview or a flag: literal. The secret appears nowhere, not even in the error.
        let flags = ProfileSettings {
            client_id: Some("c".into()),
            authority: Some("https://x.example/${ENTRA_CLIENT_SECRET}".into()),
            tenant_id: Some("${ENTRA_CLIENT_SECRET}".into()),
            ..Default::default()
        };
        let err = resolve(ConfigSources { flags: flags.clone(), settings: settings.clone(), ..Default::default() }, &env).unwrap_err();
        assert!(!err.message().contains("s3cr3t"), "{}", err.message());
        assert!(err.message().contains("${ENTRA_CLIENT_SECRET}"), "the text as given is quoted: {}", err.message());
        let flags = ProfileSettings { tenant_id: Some("t".into()), ..flags };
        let p = resolve(ConfigSources { flags, ..Default::default() }, &env).unwrap();
        assert!(!p.authority.as_str().contains("s3cr3t"), "{}", p.authority);

        // An expanded value that is wrong is not quoted expanded either.
        let settings = ProfileSettings { tenant_id: Some("${ENTRA_CLIENT_SECRET}!".into()), ..settings };
        let err = resolve(ConfigSources { settings: settings.clone(), ..Default::default() }, &env).unwrap_err();
        assert!(!err.message().contains("s3cr3t"), "{}", err.message());

        // A flag overriding a setting with an unset variable: no error about the variable.
        let settings = ProfileSettings { authority: Some("https://login.example.com/${UNSET_VARIABLE}".into()), tenant_id: None, ..settings };
        let flags = ProfileSettings { authority: Some("https://login.microsoftonline.com/t".into()), ..Default::default() };
        resolve(ConfigSources { flags, settings, ..Default::default() }, &env).unwrap();
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
        assert_eq!(p.scopes, DEFAULT_SCOPES);
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
    fn a_saved_registration_is_the_client_id_of_last_resort_for_its_tenant_only() {
        let none = env_of(&[]);
        let mut registrations = Registrations::new();
        let saved = super::super::SavedRegistration { client_id: "saved-app".into(), object_id: "o".into(), domains: vec!["contoso.onmicrosoft.com".into()] };
        registrations.insert("4a7c0b1e-0000-4000-8000-000000000001".into(), saved);
        let authority = |tenant: &str| ProfileSettings { authority: Some(format!("https://login.microsoftonline.com/{tenant}")), ..Default::default() };
        let sources = |flags: ProfileSettings| ConfigSources { flags, registrations: registrations.clone(), ..Default::default() };
        let p = resolve(sources(authority("4a7c0b1e-0000-4000-8000-000000000001")), &none).unwrap();
        assert_eq!((p.client_id.as_str(), p.tenant_id.as_str()), ("saved-app", "4a7c0b1e-0000-4000-8000-000000000001"));
        let p = resolve(sources(ProfileSettings { tenant_id: Some("Contoso.onmicrosoft.com".into()), ..Default::default() }), &none).unwrap();
        assert_eq!(p.client_id, "saved-app", "found by a verified domain");
        let p = resolve(sources(ProfileSettings { client_id: Some("flagged".into()), ..authority("4a7c0b1e-0000-4000-8000-000000000001") }), &none).unwrap();
        assert_eq!(p.client_id, "flagged", "anything configured wins");
        let err = resolve(sources(authority("fabrikam.onmicrosoft.com")), &none).unwrap_err();
        assert!(err.message().contains("entractl setup"), "another tenant's registration is never used: {}", err.message());
        assert!(resolve(sources(ProfileSettings::default()), &none).is_err(), "nor one for no tenant in particular");
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
