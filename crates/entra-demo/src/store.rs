//! Mutable sign-in state: authorization codes, browser sessions and refresh
//! grants.
//!
//! Codes and sessions live in memory only. Refresh grants are keyed by the
//! SHA-256 of the refresh token (the token itself is never stored) and, when
//! the tenant has a state folder, written to `grants.json` after every change
//! so that a restarted tenant still redeems refresh tokens issued before.

use crate::keys::write_atomic;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Codes live 10 minutes.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Refresh tokens expire after 90 days (each redemption issues a new one).
pub const REFRESH_LIFETIME: Duration = Duration::days(90);

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    /// The redirect URI exactly as sent to /authorize.
    pub redirect_uri: String,
    pub scope: String,
    pub user_oid: String,
    pub nonce: Option<String>,
    /// `(challenge, method)` with method `S256` or `plain`.
    pub challenge: Option<(String, String)>,
    pub issued: DateTime<Utc>,
    pub redeemed: bool,
}

/// A refresh grant: what a refresh token may be redeemed for.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_oid: String,
    /// Scope string of the original request (re-parsed at redemption).
    pub scope: String,
    pub issued: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// A random opaque value (codes, refresh tokens, session ids), base64url.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Default)]
pub struct Store {
    codes: Mutex<HashMap<String, AuthCode>>,
    sessions: Mutex<HashMap<String, String>>,
    grants: Mutex<HashMap<String, RefreshGrant>>,
    grants_file: Option<PathBuf>,
}

/// Result of looking a code up for redemption.
pub enum CodeLookup {
    Unknown,
    AlreadyRedeemed,
    Found(AuthCode),
}

impl Store {
    /// Loads persisted grants from `grants_file` when it exists.
    pub fn load(grants_file: Option<PathBuf>) -> anyhow::Result<Self> {
        let grants = match &grants_file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path)?;
                serde_json::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("parsing {}: {e}", path.display()))?
            }
            _ => HashMap::new(),
        };
        Ok(Self { grants: Mutex::new(grants), grants_file, ..Default::default() })
    }

    pub fn insert_code(&self, code: AuthCode) -> String {
        // Entra codes start with "1.A" and are long; only opacity matters.
        let value = format!("1.A{}", random_token(96));
        let mut codes = self.codes.lock().unwrap_or_else(|e| e.into_inner());
        // Forget codes long past their lifetime so the map does not grow forever.
        let horizon = code.issued - Duration::hours(1);
        codes.retain(|_, c| c.issued > horizon);
        codes.insert(value.clone(), code);
        value
    }

    /// Marks the code redeemed and returns it (single use).
    pub fn take_code(&self, value: &str) -> CodeLookup {
        let mut codes = self.codes.lock().unwrap_or_else(|e| e.into_inner());
        match codes.get_mut(value) {
            None => CodeLookup::Unknown,
            Some(code) if code.redeemed => CodeLookup::AlreadyRedeemed,
            Some(code) => {
                code.redeemed = true;
                CodeLookup::Found(code.clone())
            }
        }
    }

    pub fn new_session(&self, user_oid: &str) -> String {
        let id = random_token(32);
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), user_oid.to_string());
        id
    }

    pub fn session_user(&self, id: &str) -> Option<String> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    pub fn end_session(&self, id: &str) {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }

    /// Ends every browser session of `user_oid` (password reset, revoked sessions).
    pub fn end_sessions_of(&self, user_oid: &str) {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, oid| !oid.eq_ignore_ascii_case(user_oid));
    }

    /// Issues a new refresh token for `grant` and returns it.
    pub fn issue_refresh_token(&self, grant: RefreshGrant) -> String {
        let token = format!("1.A{}", random_token(128));
        let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        // Expired grants can never be redeemed again: drop them so the file stays small.
        let now = grant.issued;
        grants.retain(|_, g| g.expires > now);
        grants.insert(hash(&token), grant);
        self.persist(&grants);
        token
    }

    /// The grant of a refresh token, expired or not.
    pub fn refresh_grant(&self, token: &str) -> Option<RefreshGrant> {
        self.grants.lock().unwrap_or_else(|e| e.into_inner()).get(&hash(token)).cloned()
    }

    fn persist(&self, grants: &HashMap<String, RefreshGrant>) {
        if let Some(path) = &self.grants_file {
            if let Err(err) = write_atomic(path, grants) {
                tracing::warn!("cannot persist refresh grants: {err:#}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_survive_a_reload_and_store_only_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("grants.json");
        let store = Store::load(Some(file.clone())).unwrap();
        let now = Utc::now();
        let token = store.issue_refresh_token(RefreshGrant {
            client_id: "c".into(),
            user_oid: "u".into(),
            scope: "openid".into(),
            issued: now,
            expires: now + REFRESH_LIFETIME,
        });
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(&token));
        let reloaded = Store::load(Some(file)).unwrap();
        assert_eq!(reloaded.refresh_grant(&token).unwrap().client_id, "c");
        assert!(reloaded.refresh_grant("garbage").is_none());
    }
}
