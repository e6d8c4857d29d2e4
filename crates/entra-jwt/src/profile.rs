//! Validation profiles: the settings an admin's resource server uses (tenant,
//! client, audience, issuer, authority, metadata address, required claims,
//! clock skew, JWKS cache duration), saved as JSON files in a folder the
//! caller gives.

use crate::error::{Error, Result};
use crate::jwks_cache::KeySource;
use crate::time::parse_hhmmss;
use crate::validate::{parse_required_claims, substitute_tenant, ValidationSettings};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The v1 issuer template.
pub const ISSUER_V1: &str = "https://sts.windows.net/{TenantId}/";
/// The v2 issuer template.
pub const ISSUER_V2: &str = "https://login.microsoftonline.com/{TenantId}/v2.0";
/// The default authority.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/{TenantId}/";
/// The default metadata address (v2 discovery document).
pub const DEFAULT_METADATA: &str = "https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration";
/// The default required claims.
pub const DEFAULT_REQUIRED_CLAIMS: &str = "tid={TenantId}";
/// The default clock skew.
pub const DEFAULT_CLOCK_SKEW: &str = "00:05:00";
/// The default JWKS cache duration.
pub const DEFAULT_JWKS_CACHE: &str = "01:00:00";

/// A named set of validation settings. Empty or missing fields are not checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
// camelCase like every JSON we write; the aliases read profile files saved before.
#[serde(rename_all = "camelCase")]
#[serde(default)]
pub struct Profile {
    /// The profile's name (also its file name).
    pub name: String,
    /// Tenant ID; fills `{TenantId}` elsewhere. Default: none.
    #[serde(alias = "tenant_id")]
    pub tenant_id: Option<String>,
    /// The API's client ID (accepted as audience, also as `api://…`). Default: none.
    #[serde(alias = "client_id")]
    pub client_id: Option<String>,
    /// Expected audience. Default: none.
    pub audience: Option<String>,
    /// Expected issuer, `{TenantId}` allowed. Default: [`ISSUER_V1`].
    pub issuer: Option<String>,
    /// Authority, `{TenantId}` allowed (informational). Default: [`DEFAULT_AUTHORITY`].
    pub authority: Option<String>,
    /// OpenID Connect metadata address, `{TenantId}` allowed; keys are fetched from it only when asked. Default: none.
    #[serde(alias = "metadata_address")]
    pub metadata_address: Option<String>,
    /// Required claims, `claim;claim=value`. Default: [`DEFAULT_REQUIRED_CLAIMS`].
    #[serde(alias = "required_claims")]
    pub required_claims: Option<String>,
    /// Clock skew `hh:mm:ss`. Default: [`DEFAULT_CLOCK_SKEW`].
    #[serde(alias = "clock_skew")]
    pub clock_skew: String,
    /// JWKS cache duration `hh:mm:ss`; `00:00:00` disables the cache. Default: [`DEFAULT_JWKS_CACHE`].
    #[serde(alias = "jwks_cache_duration")]
    pub jwks_cache_duration: String,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            name: String::new(),
            tenant_id: None,
            client_id: None,
            audience: None,
            issuer: Some(ISSUER_V1.into()),
            authority: Some(DEFAULT_AUTHORITY.into()),
            metadata_address: None,
            required_claims: Some(DEFAULT_REQUIRED_CLAIMS.into()),
            clock_skew: DEFAULT_CLOCK_SKEW.into(),
            jwks_cache_duration: DEFAULT_JWKS_CACHE.into(),
        }
    }
}

fn filled(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Profile {
    /// A profile with the defaults admins expect.
    pub fn new(name: impl Into<String>) -> Self {
        Profile { name: name.into(), ..Profile::default() }
    }

    /// Checks every field; the error names the field and the fix.
    pub fn check(&self) -> Result<()> {
        check_name(&self.name)?;
        parse_hhmmss(&self.clock_skew).map_err(|e| Error::Setting(format!("Clock Skew: {e}")))?;
        parse_hhmmss(&self.jwks_cache_duration).map_err(|e| Error::Setting(format!("JWKS Keys Cache Duration: {e}")))?;
        if let Some(rc) = filled(&self.required_claims) {
            parse_required_claims(rc)?;
        }
        for (label, v) in [("Authority", &self.authority), ("Metadata Address", &self.metadata_address)] {
            if let Some(u) = filled(v) {
                if !(u.starts_with("https://") || u.starts_with("http://")) {
                    return Err(Error::Setting(format!("{label} '{u}' is not an http(s) URL")));
                }
            }
        }
        Ok(())
    }

    /// The validation settings this profile describes.
    pub fn settings(&self) -> Result<ValidationSettings> {
        Ok(ValidationSettings {
            tenant_id: filled(&self.tenant_id).map(str::to_string),
            client_id: filled(&self.client_id).map(str::to_string),
            audiences: filled(&self.audience).map(|a| a.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()).unwrap_or_default(),
            issuer: filled(&self.issuer).map(str::to_string),
            required_claims: match filled(&self.required_claims) {
                Some(rc) => parse_required_claims(rc)?,
                None => Vec::new(),
            },
            clock_skew: parse_hhmmss(&self.clock_skew).map_err(|e| Error::Setting(format!("Clock Skew: {e}")))?,
        })
    }

    /// The JWKS cache duration.
    pub fn cache_duration(&self) -> Result<Duration> {
        parse_hhmmss(&self.jwks_cache_duration).map_err(|e| Error::Setting(format!("JWKS Keys Cache Duration: {e}")))
    }

    /// The metadata address with `{TenantId}` filled (`common` when no tenant is set), as a key source.
    pub fn metadata_source(&self) -> Option<KeySource> {
        filled(&self.metadata_address).map(|m| KeySource::Metadata(substitute_tenant(m, filled(&self.tenant_id).unwrap_or("common"))))
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    if ok {
        Ok(())
    } else {
        Err(Error::Setting(format!("'{name}' is not a valid profile name: use 1-64 letters, digits, spaces, '-', '_' or '.' (not starting with '.')")))
    }
}

/// Profiles saved as `<name>.json` in a folder.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    /// A store in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ProfileStore { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        check_name(name)?;
        Ok(self.dir.join(format!("{name}.json")))
    }

    /// Saves (or replaces) a profile after checking it.
    pub fn save(&self, profile: &Profile) -> Result<PathBuf> {
        profile.check()?;
        let path = self.path(&profile.name)?;
        entra_files::ensure_private_dir(&self.dir).map_err(|e| Error::Io(format!("Cannot create {}: {e}; check its permissions", self.dir.display())))?;
        let text = serde_json::to_string_pretty(profile).map_err(|e| Error::Io(e.to_string()))?;
        entra_files::write_atomic(&path, text.as_bytes())
            .map_err(|e| Error::Io(format!("Cannot write {}: {e}; check free space and permissions", path.display())))?;
        Ok(path)
    }

    /// Loads a profile by name.
    pub fn load(&self, name: &str) -> Result<Profile> {
        let path = self.path(name)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::NoSuchProfile(name.to_string())),
            Err(e) => return Err(Error::Io(format!("Cannot read {}: {e}", path.display()))),
        };
        let mut p: Profile = serde_json::from_str(&text).map_err(|e| Error::Io(format!("The profile file {} is damaged ({e}): fix or delete it", path.display())))?;
        p.name = name.to_string();
        Ok(p)
    }

    /// All saved profiles, sorted by name. Damaged files are skipped.
    pub fn list(&self) -> Result<Vec<Profile>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::Io(format!("Cannot list {}: {e}", self.dir.display()))),
        };
        let mut out: Vec<Profile> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().strip_suffix(".json")?.to_string();
                self.load(&name).ok()
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Deletes a profile.
    pub fn delete(&self, name: &str) -> Result<()> {
        let path = self.path(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NoSuchProfile(name.to_string())),
            Err(e) => Err(Error::Io(format!("Cannot delete {}: {e}", path.display()))),
        }
    }
}
