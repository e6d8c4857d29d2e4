//! Where keys come from: a file, a JWKS URL, or an OpenID Connect metadata
//! address (discovery document → `jwks_uri`), with fetched JWKS cached on
//! disk so validation keeps working offline.
//!
//! Rules (REFERENCE §2, "Rollover"): a fresh cache is used as is; an unknown
//! `kid` forces one refresh, at most once per [`KID_MISS_REFRESH_INTERVAL`];
//! a stale cache is refreshed, and used anyway (with a warning) when the
//! network is down. A cache duration of zero disables the cache. JWKS are
//! public, so caching them needs no protection. The clock is a parameter, so
//! tests need no sleeping.

use crate::error::{Error, Result};
use crate::keys::KeySet;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An unknown `kid` refreshes the JWKS at most this often.
pub const KID_MISS_REFRESH_INTERVAL: Duration = Duration::from_secs(300);

/// Where to get verification keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum KeySource {
    /// A JWKS or PEM file on disk (never touches the network).
    File(PathBuf),
    /// JWKS or PEM text given inline.
    Inline(String),
    /// A JWKS URL, fetched (and cached) on demand.
    JwksUrl(String),
    /// An OpenID Connect discovery document URL; its `jwks_uri` is fetched.
    Metadata(String),
}

impl KeySource {
    /// `--jwks` argument: a URL (http/https) or a file path.
    pub fn from_arg(arg: &str) -> KeySource {
        if arg.starts_with("https://") || arg.starts_with("http://") {
            KeySource::JwksUrl(arg.to_string())
        } else {
            KeySource::File(PathBuf::from(arg))
        }
    }

    fn url(&self) -> Option<&str> {
        match self {
            KeySource::JwksUrl(u) | KeySource::Metadata(u) => Some(u),
            _ => None,
        }
    }
}

/// Fetches a URL's body as text. [`HttpFetcher`] is the real one; tests count calls.
pub trait Fetcher {
    /// GETs `url` and returns the body, or an error naming the cause.
    fn get(&self, url: &str) -> impl Future<Output = Result<String>> + Send;
}

/// Fetches with Entra Desk's one HTTP policy for public documents (`entra_http`): 15 s
/// timeout, at most 3 redirects and never from https down to http, bodies capped at 1 MiB.
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    client: reqwest::Client,
}

impl HttpFetcher {
    /// A fetcher with the public-documents policy and the public web roots.
    pub fn new() -> Result<Self> {
        Self::with_extra_root_ca(None)
    }

    /// The same, also trusting `ca` (a PEM file: a TLS demo tenant's CA).
    pub fn with_extra_root_ca(ca: Option<&std::path::Path>) -> Result<Self> {
        let client = entra_http::Policy::public_documents(ca).build().map_err(|e| Error::Fetch(format!("{e}")))?;
        Ok(HttpFetcher { client })
    }
}

impl Fetcher for HttpFetcher {
    fn get(&self, url: &str) -> impl Future<Output = Result<String>> + Send {
        let request = self.client.get(url);
        let url = url.to_string();
        async move {
            let response = request
                .send()
                .await
                .map_err(|e| Error::Fetch(format!("GET {url} failed: {e}; check the address and the network")))?;
            let status = response.status();
            if !status.is_success() {
                return Err(Error::Fetch(format!("GET {url} answered HTTP {status}; check the address (and the tenant ID in it)")));
            }
            let bytes = entra_http::read_capped(response, entra_http::caps::JWKS).await.map_err(|e| match e {
                entra_http::HttpError::TooLarge { .. } => Error::Fetch(format!("{url} returned more than 1 MiB: that is not a JWKS")),
                other => Error::Fetch(format!("reading {url} failed: {other}")),
            })?;
            String::from_utf8(bytes).map_err(|_| Error::Fetch(format!("{url} did not return UTF-8 text")))
        }
    }
}

/// One cache file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// The URL the user gave (metadata or JWKS).
    url: String,
    /// The JWKS URL actually fetched.
    jwks_uri: String,
    /// When the keys were fetched (seconds since the epoch).
    fetched_at: i64,
    /// When the network was last tried for this URL.
    last_attempt: i64,
    /// The JWKS document.
    jwks: String,
}

/// A disk cache of fetched JWKS, one JSON file per URL in a folder the caller owns.
#[derive(Debug, Clone)]
pub struct JwksCache {
    dir: PathBuf,
    ttl: Duration,
}

impl JwksCache {
    /// A cache in `dir` whose entries are fresh for `ttl` (zero disables the cache).
    pub fn new(dir: impl Into<PathBuf>, ttl: Duration) -> Self {
        JwksCache { dir: dir.into(), ttl }
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that caches `url`.
    pub fn path_for(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}.json"))
    }

    fn load(&self, url: &str) -> Option<Entry> {
        let text = std::fs::read_to_string(self.path_for(url)).ok()?;
        serde_json::from_str::<Entry>(&text).ok().filter(|e| e.url == url)
    }

    fn store(&self, entry: &Entry) -> Result<()> {
        entra_files::ensure_private_dir(&self.dir)
            .map_err(|e| Error::Io(format!("Cannot create the JWKS cache folder {}: {e}", self.dir.display())))?;
        let path = self.path_for(&entry.url);
        let text = serde_json::to_string_pretty(entry).map_err(|e| Error::Io(e.to_string()))?;
        entra_files::write_atomic(&path, text.as_bytes()).map_err(|e| Error::Io(format!("Cannot write the JWKS cache {}: {e}", path.display())))
    }
}

/// Keys plus how they were obtained.
#[derive(Debug, Clone)]
pub struct ResolvedKeys {
    /// The keys.
    pub keys: KeySet,
    /// Where they came from: a path or URL, and "cache" or "network".
    pub origin: String,
    /// Things the admin should know (stale cache used offline, refresh suppressed…).
    pub notes: Vec<String>,
}

/// Key addresses must be `https`, or `http` on this machine (the demo tenant); a `jwks_uri`
/// named by an https metadata document must be https itself (no downgrade). Checked before
/// anything is sent, so a `file:` or remote `http` address never reaches the network layer.
fn check_key_url(url: &str, what: &str, named_by_https_document: bool) -> Result<()> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::Setting(format!("The {what} `{url}` is not a URL ({e}): give an https:// address")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback && !named_by_https_document => Ok(()),
        "http" if loopback => Err(Error::Fetch(format!(
            "The https metadata document names an http jwks_uri ({url}); keys must come over https as well: check the Metadata Address"
        ))),
        _ => Err(Error::Setting(format!(
            "The {what} must be an https:// address (plain http only on this machine, for the demo tenant), not {}://{}…: fix the address",
            parsed.scheme(),
            parsed.host_str().unwrap_or_default()
        ))),
    }
}

async fn fetch_jwks<F: Fetcher>(source: &KeySource, fetcher: &F) -> Result<(String, String)> {
    match source {
        KeySource::JwksUrl(u) => {
            check_key_url(u, "JWKS address", false)?;
            Ok((u.clone(), fetcher.get(u).await?))
        }
        KeySource::Metadata(u) => {
            check_key_url(u, "metadata address", false)?;
            let doc = fetcher.get(u).await?;
            let value: serde_json::Value = serde_json::from_str(&doc)
                .map_err(|e| Error::Fetch(format!("the metadata document at {u} is not JSON ({e}); check the Metadata Address")))?;
            let jwks_uri = value
                .get("jwks_uri")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| Error::Fetch(format!("the metadata document at {u} has no jwks_uri; check the Metadata Address (it should end in /.well-known/openid-configuration)")))?
                .to_string();
            check_key_url(&jwks_uri, "metadata document's jwks_uri", u.starts_with("https:"))?;
            let jwks = fetcher.get(&jwks_uri).await?;
            Ok((jwks_uri, jwks))
        }
        _ => Err(Error::Fetch("not a URL source".into())),
    }
}

fn age_secs(now: DateTime<Utc>, then: i64) -> i64 {
    now.timestamp().saturating_sub(then)
}

/// Gets the keys for a token with header `kid`, following the cache rules in this module's docs.
pub async fn resolve_keys<F: Fetcher>(
    source: &KeySource,
    kid: Option<&str>,
    cache: Option<&JwksCache>,
    fetcher: &F,
    now: DateTime<Utc>,
) -> Result<ResolvedKeys> {
    match source {
        KeySource::File(path) => {
            return Ok(ResolvedKeys { keys: KeySet::from_file(path)?, origin: path.display().to_string(), notes: vec![] });
        }
        KeySource::Inline(text) => {
            return Ok(ResolvedKeys { keys: KeySet::parse(text)?, origin: "inline keys".into(), notes: vec![] });
        }
        _ => {}
    }
    let url = source.url().unwrap_or_default().to_string();
    let cache = cache.filter(|c| !c.ttl.is_zero());
    let has_kid = |keys: &KeySet| kid.is_none_or(|k| keys.keys.iter().any(|key| key.kid.as_deref() == Some(k)));
    let mut notes = Vec::new();
    let cached = cache.and_then(|c| c.load(&url));
    if let (Some(entry), Some(c)) = (&cached, cache) {
        let age = age_secs(now, entry.fetched_at);
        let fresh = age >= 0 && (age as u64) < c.ttl.as_secs();
        if fresh {
            if let Ok(keys) = KeySet::from_jwks_json(&entry.jwks) {
                if has_kid(&keys) {
                    return Ok(ResolvedKeys { keys, origin: format!("{url} (cached {} ago)", crate::time::humanize(age.max(0) as u64)), notes });
                }
                let since_attempt = age_secs(now, entry.last_attempt);
                if since_attempt >= 0 && (since_attempt as u64) < KID_MISS_REFRESH_INTERVAL.as_secs() {
                    notes.push(format!(
                        "The key {} is not in the cached JWKS, and the keys were refreshed {} ago; refreshes for unknown keys happen at most once every 5 minutes",
                        kid.unwrap_or("?"),
                        crate::time::humanize(since_attempt as u64)
                    ));
                    return Ok(ResolvedKeys { keys, origin: format!("{url} (cached)"), notes });
                }
                notes.push(format!("The key {} was not in the cached JWKS, so the keys were refreshed", kid.unwrap_or("?")));
            }
        }
    }
    match fetch_jwks(source, fetcher).await {
        Ok((jwks_uri, jwks)) => {
            let keys = KeySet::from_jwks_json(&jwks)?;
            if let Some(c) = cache {
                let entry = Entry { url: url.clone(), jwks_uri, fetched_at: now.timestamp(), last_attempt: now.timestamp(), jwks };
                if let Err(e) = c.store(&entry) {
                    notes.push(e.to_string());
                }
            }
            Ok(ResolvedKeys { keys, origin: format!("{url} (fetched)"), notes })
        }
        Err(fetch_error) => match (cached, cache) {
            (Some(mut entry), Some(c)) => {
                let keys = KeySet::from_jwks_json(&entry.jwks)?;
                notes.push(format!(
                    "Offline: using cached keys fetched {} ago, because fetching failed ({fetch_error})",
                    crate::time::humanize(age_secs(now, entry.fetched_at).max(0) as u64)
                ));
                entry.last_attempt = now.timestamp();
                let _ = c.store(&entry);
                Ok(ResolvedKeys { keys, origin: format!("{url} (stale cache)"), notes })
            }
            _ => Err(fetch_error),
        },
    }
}
