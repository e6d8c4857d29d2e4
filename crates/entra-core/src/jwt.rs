//! The JWT inspector's place in Entra Desk: where its profiles and its JWKS
//! cache live in the data folder, and the one call the app makes to inspect a
//! token. The inspecting itself is `entra_jwt`'s.
//!
//! Keys are fetched over the network only when the caller asks (`fetch_keys`)
//! and the profile names a metadata address; otherwise validation is offline
//! with whatever the disk cache holds. The token is never written anywhere.

use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use entra_jwt::{HttpFetcher, Inspection, JwksCache, NoGroupNames, Profile, ProfileStore, ValidationSettings};
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

impl JwtWorkspace {
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

    pub fn delete_profile(&self, name: &str) -> Result<()> {
        self.profiles.delete(name).map_err(map_error)
    }

    /// Decodes, explains and validates `token` with the named profile (or defaults).
    ///
    /// With `fetch_keys`, the profile's metadata address is used to fetch (and cache) the
    /// signing keys; without it, only keys already in the disk cache are used.
    pub async fn inspect(&self, token: &str, profile: Option<&str>, fetch_keys: bool, now: DateTime<Utc>) -> Result<Inspection> {
        let profile = profile.map(|name| self.profiles.load(name)).transpose().map_err(map_error)?;
        let settings = match &profile {
            Some(p) => p.settings().map_err(map_error)?,
            None => ValidationSettings::default(),
        };
        let source = profile.as_ref().and_then(Profile::metadata_source);
        let cache = match &profile {
            Some(p) => Some(JwksCache::new(&self.cache_dir, p.cache_duration().map_err(map_error)?)),
            None => None,
        };
        let fetcher = OfflineUnless { online: fetch_keys, http: HttpFetcher::new().map_err(map_error)? };
        entra_jwt::inspect_with_profile(token, &settings, source.as_ref(), cache.as_ref(), &fetcher, &NoGroupNames, now).await.map_err(map_error)
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
