//! Offline JWT inspection for Microsoft Entra tokens: decode, explain, validate.
//!
//! The inspector works like jwt-cli: it decodes twice. The first decode
//! ([`decode::decode`]) verifies nothing and always shows the header and the
//! claims; the second ([`validate::validate`]) runs the checks a careful
//! resource server runs and reports each one with a sentence that names the
//! cause and the fix. Nothing touches the network unless the caller asks for
//! keys from a URL ([`jwks_cache::resolve_keys`]).
//!
//! # Entry points
//! - [`inspect`]: synchronous, keys already in hand (a file, a PEM, a cached JWKS).
//! - [`inspect_with_profile`]: async, takes a [`Profile`] and an optional
//!   [`KeySource`], fetches and caches keys on disk as needed, and never fails
//!   once the token decodes (key problems become failed checks). This is what
//!   a Tauri command calls.
//!
//! # Layout
//! [`decode`] (segments) → [`kind`] (v1/v2, access/ID, delegated/app) →
//! [`claims`] (explanations, [`roles`], groups) → [`keys`] + [`jwks_cache`]
//! (JWKS/PEM/x5c, disk cache) → [`validate`] → [`checks`] (verdict).
//! [`profile`] and [`settings_import`] hold the admin's settings; [`time`]
//! formats durations and dates.
//!
//! This crate is a leaf: it knows nothing of Entra Desk's data folder; callers
//! pass the folders for profiles and the JWKS cache. The token is never written
//! anywhere.
#![deny(missing_docs)]

pub mod checks;
pub mod claims;
pub mod decode;
mod error;
pub mod jwks_cache;
pub mod keys;
pub mod kind;
pub mod profile;
pub mod roles;
pub mod settings_import;
pub mod time;
pub mod validate;

pub use checks::Check;
pub use claims::{GroupNames, NoGroupNames};
pub use decode::{decode, Decoded};
pub use error::{Error, Result};
pub use jwks_cache::{resolve_keys, Fetcher, HttpFetcher, JwksCache, KeySource};
pub use keys::KeySet;
pub use kind::TokenKind;
pub use profile::{Profile, ProfileStore};
pub use validate::ValidationSettings;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

/// Everything the inspector shows about one token. Serialisable for the UI and `--format json`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub payload: Map<String, Value>,
    /// Signature facts: algorithm, key ID, length.
    pub signature: SignatureInfo,
    /// v1/v2, access/ID, delegated/app-only, Graph.
    pub kind: TokenKind,
    /// Every claim with its meaning.
    pub claims: Vec<claims::ClaimRow>,
    /// Directory roles from `wids`, named.
    pub directory_roles: Vec<claims::NamedId>,
    /// Groups, overage.
    pub groups: claims::GroupsInfo,
    /// Things to know that are not failed checks.
    pub warnings: Vec<String>,
    /// The validation checks, in order.
    pub checks: Vec<Check>,
    /// True when every check passed.
    pub valid: bool,
    /// One sentence: "Valid: all 7 checks passed" / "Invalid: 2 of 7 checks failed (…)".
    pub verdict: String,
    /// The clock used, RFC 3339 UTC.
    pub now: String,
    /// Where the keys came from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_from: Option<String>,
}

/// Signature facts from the header.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SignatureInfo {
    /// `alg`.
    pub alg: Option<String>,
    /// `kid`.
    pub kid: Option<String>,
    /// Decoded signature length in bytes.
    pub length: usize,
}

fn explain_only(d: &Decoded, groups: &dyn GroupNames, now: DateTime<Utc>) -> Inspection {
    let kind = kind::classify(d);
    let mut warnings = Vec::new();
    if kind.graph_nonce {
        warnings.push("This is a Microsoft Graph token (its header has a nonce): only Graph can verify its signature. Inspect its claims here, but never accept it in your own API".to_string());
    }
    if let Some(ver) = d.claim_str("ver") {
        if ver != "1.0" && ver != "2.0" {
            warnings.push(format!("Unusual token version '{ver}'"));
        }
    }
    let roles = claims::directory_roles(d);
    for r in roles.iter().filter(|r| roles::is_privileged(&r.id)) {
        warnings.push(format!("The token carries a privileged directory role: {}", r.name.as_deref().unwrap_or(&r.id)));
    }
    let group_info = claims::groups_info(d, groups);
    if group_info.overage {
        warnings.push(group_info.explanation.clone());
    }
    Inspection {
        header: d.header.clone(),
        payload: d.payload.clone(),
        signature: SignatureInfo { alg: d.alg().map(str::to_string), kid: d.kid().map(str::to_string), length: d.signature_len },
        kind,
        claims: claims::explain(&d.payload, groups, now),
        directory_roles: roles,
        groups: group_info,
        warnings,
        checks: Vec::new(),
        valid: false,
        verdict: String::new(),
        now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        keys_from: None,
    }
}

/// Decodes, explains and validates a token with keys already in hand.
///
/// Errors only when the input is not a decodable JWT; validation problems are failed checks.
pub fn inspect(token: &str, settings: &ValidationSettings, keys: Option<&KeySet>, groups: &dyn GroupNames, now: DateTime<Utc>) -> Result<Inspection> {
    let d = decode(token)?;
    let mut ins = explain_only(&d, groups, now);
    ins.checks = validate::validate(&d, settings, keys, now);
    ins.warnings.extend(validate::unchecked_warnings(settings));
    if let Some(k) = keys {
        ins.warnings.extend(k.skipped.iter().map(|s| format!("Skipped key: {s}")));
    }
    let (valid, verdict) = checks::verdict(&ins.checks);
    ins.valid = valid;
    ins.verdict = verdict;
    Ok(ins)
}

/// The full pipeline for the UI and CLI: profile settings, keys from `keys`
/// (or the profile's metadata address when `keys` is `None`), cached in
/// `cache_dir`, fetched with `fetcher` only when the source is a URL.
///
/// Errors only when the token does not decode (or the profile is malformed);
/// a key problem becomes a failed `signature` check.
pub async fn inspect_with_profile<F: Fetcher>(
    token: &str,
    settings: &ValidationSettings,
    keys: Option<&KeySource>,
    cache: Option<&JwksCache>,
    fetcher: &F,
    groups: &dyn GroupNames,
    now: DateTime<Utc>,
) -> Result<Inspection> {
    let d = decode(token)?;
    let (resolved, key_error) = match keys {
        None => (None, None),
        Some(source) => match resolve_keys(source, d.kid(), cache, fetcher, now).await {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        },
    };
    let mut ins = inspect(token, settings, resolved.as_ref().map(|r| &r.keys), groups, now)?;
    if let Some(r) = &resolved {
        ins.keys_from = Some(r.origin.clone());
        ins.warnings.extend(r.notes.iter().cloned());
    }
    if let Some(e) = key_error {
        if let Some(c) = ins.checks.iter_mut().find(|c| c.name == "signature" && !c.ok) {
            c.detail = format!("The signature was not checked because the keys could not be loaded: {e}");
        }
    }
    Ok(ins)
}

/// Convenience for callers holding a folder: a JWKS cache in `dir` with the profile's duration.
pub fn cache_for(profile: &Profile, dir: &Path) -> Result<JwksCache> {
    Ok(JwksCache::new(dir, profile.cache_duration()?))
}
