//! Mutable sign-in state: authorization codes, browser sessions, refresh
//! grants and consent grants.
//!
//! Codes and sessions live in memory only. Refresh grants are keyed by the
//! SHA-256 of the refresh token (the token itself is never stored) and, when
//! the tenant has a state folder, written to `grants.json` after every change
//! so that a restarted tenant still redeems refresh tokens issued before.
//!
//! Consent grants (Entra's `oauth2PermissionGrant`s: delegated permissions a
//! client holds for every user, `AllPrincipals`, or for one user, `Principal`)
//! are written beside them, to `consents.json`, for the same reason: a refresh
//! token that outlives a restart must still find the consent it was issued
//! under. Only grants made at run time are kept here; what the seed grants
//! (the demo clients' admin consent) is the directory's.

use crate::keys::write_atomic;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
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
    /// The authentication contexts the authorize request's `claims` asked for (`acrs`).
    pub acrs: Vec<String>,
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
    /// The authentication contexts the sign-in behind the grant met (its `claims`, `oidc::claims`):
    /// a refresh asking for them gets them again; rotated grants keep them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acrs: Vec<String>,
}

/// The consent grants made at run time (see the module documentation). Keys are lower case:
/// the client's appId, and `appId/userOid` for one user's grants.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct ConsentGrants {
    /// Tenant-wide admin consent (`consentType: AllPrincipals`): appId → permissions.
    #[serde(default)]
    pub all_principals: BTreeMap<String, BTreeSet<String>>,
    /// One user's consent (`consentType: Principal`): `appId/userOid` → permissions.
    #[serde(default)]
    pub principal: BTreeMap<String, BTreeSet<String>>,
}

/// Where a consent applies: to every user of the tenant, or to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentFor<'a> {
    Organization,
    User(&'a str),
}

/// The file consent grants are kept in, beside the refresh grants.
const CONSENTS_FILE: &str = "consents.json";

fn principal_key(client_id: &str, user_oid: &str) -> String {
    format!("{}/{}", client_id.to_ascii_lowercase(), user_oid.to_ascii_lowercase())
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
    consents: Mutex<ConsentGrants>,
    consents_file: Option<PathBuf>,
}

/// Result of looking a code up for redemption.
pub enum CodeLookup {
    Unknown,
    AlreadyRedeemed,
    Found(Box<AuthCode>),
}

impl Store {
    /// Loads persisted refresh grants from `grants_file` when it exists, and consent grants
    /// from `consents.json` in the same folder.
    pub fn load(grants_file: Option<PathBuf>) -> anyhow::Result<Self> {
        fn read<T: serde::de::DeserializeOwned + Default>(path: Option<&Path>) -> anyhow::Result<T> {
            match path {
                Some(path) if path.exists() => {
                    let text = std::fs::read_to_string(path)?;
                    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("parsing {}: {e}", path.display()))
                }
                _ => Ok(T::default()),
            }
        }
        let consents_file = grants_file.as_ref().map(|g| g.with_file_name(CONSENTS_FILE));
        Ok(Self {
            grants: Mutex::new(read(grants_file.as_deref())?),
            grants_file,
            consents: Mutex::new(read(consents_file.as_deref())?),
            consents_file,
            ..Default::default()
        })
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
                CodeLookup::Found(Box::new(code.clone()))
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

    /// The permissions consented at run time to `client_id` for `user_oid`: the tenant-wide
    /// grant and the user's own.
    pub fn consented(&self, client_id: &str, user_oid: &str) -> BTreeSet<String> {
        let consents = self.consents.lock().unwrap_or_else(|e| e.into_inner());
        let everyone = consents.all_principals.get(&client_id.to_ascii_lowercase());
        let own = consents.principal.get(&principal_key(client_id, user_oid));
        everyone.into_iter().chain(own).flatten().cloned().collect()
    }

    /// Records a consent to `permissions` for `client_id` (added to what it already holds).
    pub fn grant_consent<'a>(&self, client_id: &str, to: ConsentFor<'_>, permissions: impl IntoIterator<Item = &'a str>) {
        let mut consents = self.consents.lock().unwrap_or_else(|e| e.into_inner());
        let set = match to {
            ConsentFor::Organization => consents.all_principals.entry(client_id.to_ascii_lowercase()).or_default(),
            ConsentFor::User(oid) => consents.principal.entry(principal_key(client_id, oid)).or_default(),
        };
        set.extend(permissions.into_iter().map(str::to_string));
        if let Some(path) = &self.consents_file {
            if let Err(err) = write_atomic(path, &*consents) {
                tracing::warn!("cannot persist consent grants: {err:#}");
            }
        }
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
            acrs: Vec::new(),
        });
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains(&token));
        let reloaded = Store::load(Some(file)).unwrap();
        assert_eq!(reloaded.refresh_grant(&token).unwrap().client_id, "c");
        assert!(reloaded.refresh_grant("garbage").is_none());
    }

    #[test]
    fn consents_add_up_per_user_and_for_everyone_and_survive_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("grants.json");
        let store = Store::load(Some(file.clone())).unwrap();
        store.grant_consent("App", ConsentFor::User("U1"), ["User.Read", "openid"]);
        store.grant_consent("app", ConsentFor::User("u1"), ["Mail.Read"]);
        store.grant_consent("APP", ConsentFor::Organization, ["Group.Read.All"]);
        let names = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>().join(" ");
        assert_eq!(names(store.consented("app", "u1")), "Group.Read.All Mail.Read User.Read openid");
        assert_eq!(names(store.consented("app", "u2")), "Group.Read.All", "another user has only the tenant-wide grant");
        assert_eq!(names(store.consented("other", "u1")), "");
        let reloaded = Store::load(Some(file)).unwrap();
        assert_eq!(names(reloaded.consented("App", "U1")), "Group.Read.All Mail.Read User.Read openid");
        assert!(dir.path().join(CONSENTS_FILE).exists());
    }
}
