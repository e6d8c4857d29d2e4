//! The JWT inspector's service, [`JwtWorkspace`]: where its profiles and its
//! JWKS cache live in the data folder, and the one inspection call that the
//! screen and `entractl jwt inspect` both make. The inspecting itself is
//! `entra_jwt`'s; profile defaults are `entra_jwt::Profile::default()`'s, and
//! nowhere else.
//!
//! Keys are fetched over the network only when the caller asks (`fetch_keys`)
//! and a URL key source is given (the request's, else the profile's metadata
//! address); otherwise validation is offline with whatever the disk cache
//! holds. The token is never written anywhere.

use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use entra_jwt::{HttpFetcher, Inspection, JwksCache, KeySource, NoGroupNames, Profile, ProfileStore, ValidationSettings};
use std::path::{Path, PathBuf};

/// Profile folder, relative to the data folder.
pub const PROFILES_DIR: &str = "jwt-profiles";
/// JWKS cache folder, relative to the data folder. JWKS are public keys: caching them on disk is safe.
pub const JWKS_CACHE_DIR: &str = "jwks-cache";

/// The inspector's files in one data folder.
#[derive(Debug, Clone)]
pub struct JwtWorkspace {
    profiles: ProfileStore,
    cache_dir: PathBuf,
}

/// Settings given for one inspection, over the profile's (the CLI's flags).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Expected tenant ID.
    pub tenant_id: Option<String>,
    /// The API's client ID.
    pub client_id: Option<String>,
    /// Accepted audiences (replace the profile's when not empty).
    pub audiences: Vec<String>,
    /// Expected issuer.
    pub issuer: Option<String>,
    /// Required claims, `claim;claim=value`.
    pub required_claims: Option<String>,
    /// Clock skew, `hh:mm:ss`.
    pub clock_skew: Option<String>,
}

/// One inspection: the token and how to judge it.
#[derive(Debug, Clone)]
pub struct InspectRequest<'a> {
    /// The token (never stored).
    pub token: &'a str,
    /// A saved profile's name, or none for the defaults.
    pub profile: Option<&'a str>,
    /// Settings over the profile's.
    pub overrides: Overrides,
    /// Where the keys are, over the profile's metadata address.
    pub keys: Option<KeySource>,
    /// Whether a URL key source may be fetched (otherwise only the disk cache is used).
    pub fetch_keys: bool,
    /// The time the checks judge by.
    pub now: DateTime<Utc>,
}

impl<'a> InspectRequest<'a> {
    /// A request with the profile's settings and keys, offline.
    pub fn new(token: &'a str, profile: Option<&'a str>, now: DateTime<Utc>) -> Self {
        InspectRequest { token, profile, overrides: Overrides::default(), keys: None, fetch_keys: false, now }
    }
}

/// Maps the inspector's errors to the core's: a token that does not decode is invalid input; the rest is configuration or I/O.
pub fn map_error(err: entra_jwt::Error) -> Error {
    let code = if err.is_decode_error() {
        ErrorCode::InvalidInput
    } else {
        match err {
            entra_jwt::Error::Fetch(_) => ErrorCode::Network,
            entra_jwt::Error::Io(_) => ErrorCode::Storage,
            _ => ErrorCode::Config,
        }
    };
    Error::new(code, err.to_string())
}

fn apply(settings: &mut ValidationSettings, o: Overrides) -> Result<()> {
    if o.tenant_id.is_some() {
        settings.tenant_id = o.tenant_id;
    }
    if o.client_id.is_some() {
        settings.client_id = o.client_id;
    }
    if !o.audiences.is_empty() {
        settings.audiences = o.audiences;
    }
    if o.issuer.is_some() {
        settings.issuer = o.issuer;
    }
    if let Some(rc) = &o.required_claims {
        settings.required_claims = entra_jwt::validate::parse_required_claims(rc).map_err(map_error)?;
    }
    if let Some(cs) = &o.clock_skew {
        settings.clock_skew = entra_jwt::time::parse_hhmmss(cs).map_err(|e| Error::invalid_input(format!("clock skew: {e}")))?;
    }
    Ok(())
}

impl JwtWorkspace {
    /// The inspector's folders in `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        JwtWorkspace { profiles: ProfileStore::new(data_dir.join(PROFILES_DIR)), cache_dir: data_dir.join(JWKS_CACHE_DIR) }
    }

    /// The saved validation profiles.
    pub fn profiles(&self) -> &ProfileStore {
        &self.profiles
    }

    /// Saved profiles, by name.
    pub fn list_profiles(&self) -> Result<Vec<Profile>> {
        self.profiles.list().map_err(map_error)
    }

    /// Checks and saves a profile (replacing one of the same name).
    pub fn save_profile(&self, profile: &Profile) -> Result<()> {
        profile.check().map_err(map_error)?;
        self.profiles.save(profile).map(drop).map_err(map_error)
    }

    /// Deletes a saved profile.
    pub fn delete_profile(&self, name: &str) -> Result<()> {
        self.profiles.delete(name).map_err(map_error)
    }

    /// Decodes, explains and validates a token (see [`InspectRequest`]).
    ///
    /// Keys come from the request, else the profile's metadata address; a URL source is
    /// fetched only with `fetch_keys` and cached for the profile's JWKS cache duration
    /// (the default profile's without one).
    pub async fn inspect(&self, request: InspectRequest<'_>) -> Result<Inspection> {
        let profile = request.profile.map(|name| self.profiles.load(name)).transpose().map_err(map_error)?;
        let mut settings = match &profile {
            Some(p) => p.settings().map_err(|e| Error::config(format!("profile '{}': {e}", p.name)))?,
            None => ValidationSettings::default(),
        };
        apply(&mut settings, request.overrides)?;
        let source = request.keys.or_else(|| profile.as_ref().and_then(Profile::metadata_source));
        let cache = match &source {
            Some(KeySource::JwksUrl(_) | KeySource::Metadata(_)) => {
                let duration = profile.clone().unwrap_or_default().cache_duration().map_err(map_error)?;
                Some(JwksCache::new(&self.cache_dir, duration))
            }
            _ => None,
        };
        let fetcher = OfflineUnless { online: request.fetch_keys, http: HttpFetcher::new().map_err(map_error)? };
        entra_jwt::inspect_with_profile(request.token, &settings, source.as_ref(), cache.as_ref(), &fetcher, &NoGroupNames, request.now)
            .await
            .map_err(map_error)
    }
}

/// A fetcher that refuses the network unless the user asked for keys to be fetched.
struct OfflineUnless {
    online: bool,
    http: HttpFetcher,
}

impl entra_jwt::Fetcher for OfflineUnless {
    async fn get(&self, url: &str) -> entra_jwt::Result<String> {
        if !self.online {
            return Err(entra_jwt::Error::Fetch(format!(
                "the keys at {url} are not in the offline cache, and fetching was not asked for: choose \"Fetch keys\" to download them once"
            )));
        }
        self.http.get(url).await
    }
}
