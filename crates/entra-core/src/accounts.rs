//! The remembered accounts: a non-secret list in `accounts.json` in the data folder.
//!
//! Each account records who signed in, to which tenant, through which app and
//! endpoints, so the app can refresh its session after a restart. Tokens are
//! never here: the refresh token is in the keychain, access tokens only in
//! memory. The file is rewritten atomically on every change.
//!
//! An account keeps its endpoints typed (URLs parsed once, at sign-in), so a
//! refresh after a restart uses them as they are instead of resolving the
//! configuration again. The two constructors, [`Account::interactive`] and
//! [`Account::app_only`], are the only places an account is made.
//!
//! **Demo accounts follow the running demo tenant.** An account of the app's built-in demo
//! tenant (`demo_tenant: true`) is the exception: that tenant listens on a loopback port chosen
//! when it starts (the remembered one, or any free one when another program holds it), so the
//! endpoints stored with the account may name a port that belongs to someone else now, who
//! would receive the account's refresh token and the client secrets of its access-token
//! leases. They are never used: [`Account::at_demo_tenant`] gives the account the endpoints of
//! the demo tenant running in this process ([`DemoEndpoints`], which the sign-in service hands
//! the desk when it starts or finds the tenant), or refuses when none runs here (e.g. in
//! `entractl`, which does not embed it) or when the one running is another tenant (another
//! tenant ID: never re-pointed silently). `Desk::account`, the one way the services
//! get an account to act as, applies it. Resolving at use, rather than rewriting
//! `accounts.json` when the tenant starts, leaves no moment and no process (another one on the
//! same data folder, a run whose tenant failed to start) in which a stale port is trusted.

use crate::auth::app_only::{AppCredential, AppTarget};
use crate::auth::id_token::IdTokenClaims;
use crate::config::{self, Profile};
use crate::paths::{with_file_lock, write_atomic};
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use url::Url;

/// The file name of the account list in the data folder.
pub const ACCOUNTS_FILE: &str = "accounts.json";

/// How the account signs in.
// camelCase like every JSON we write; the aliases read `accounts.json` files written before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AccountKind {
    /// A person, through the browser (delegated permissions).
    Interactive,
    /// An application, with its own credential (application permissions).
    #[serde(alias = "app_only")]
    AppOnly,
}

/// Which credential an app-only account uses. Paths only; secrets stay in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum AppCredentialRef {
    /// A client secret, from `ENTRA_CLIENT_SECRET` or the keychain.
    #[serde(alias = "client_secret")]
    ClientSecret,
    /// A certificate and its private key (PEM files).
    Certificate {
        /// The certificate (PEM).
        #[serde(alias = "certificate_path")]
        certificate_path: PathBuf,
        /// The private key (PEM).
        #[serde(alias = "private_key_path")]
        private_key_path: PathBuf,
    },
    /// The Azure CLI's signed-in session (`az login`).
    #[serde(alias = "azure_cli")]
    AzureCli,
}

impl AppCredentialRef {
    /// What the credential is, for messages: `client secret`, `certificate`, `Azure CLI`.
    pub fn describe(&self) -> &'static str {
        match self {
            AppCredentialRef::ClientSecret => "client secret",
            AppCredentialRef::Certificate { .. } => "certificate",
            AppCredentialRef::AzureCli => "Azure CLI",
        }
    }
}

/// One remembered account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Stable ID: `<oid>.<tid>` for people (MSAL's home account ID), `app:<client id>.<tenant>` for apps.
    pub id: String,
    /// The user principal name, or the app's client ID.
    pub username: String,
    /// The person's or app's display name, when known.
    pub display_name: Option<String>,
    /// The tenant ID.
    pub tenant_id: String,
    /// The authority signed in with.
    pub authority: Url,
    /// The discovery document used (to find the token endpoint after a restart).
    #[serde(default)]
    pub metadata_url: Option<Url>,
    /// The application (client) ID.
    pub client_id: String,
    /// The scopes granted (or requested).
    pub scopes: Vec<String>,
    /// Person or app.
    pub kind: AccountKind,
    /// The Graph base URL for this account.
    pub graph_url: Url,
    /// Extra trusted root certificate (PEM path), for a TLS demo tenant.
    #[serde(default)]
    pub ca_cert: Option<PathBuf>,
    /// For app-only accounts, which credential to use.
    #[serde(default)]
    pub app_credential: Option<AppCredentialRef>,
    /// When the account was last used.
    pub last_used: DateTime<Utc>,
    /// True for an account of the app's built-in demo tenant (which must be running to refresh).
    #[serde(default)]
    pub demo_tenant: bool,
    /// The claims request (JSON) of the account's last step-up sign-in: the claims challenge it
    /// met (a Conditional Access authentication context, [`crate::signin::SignIn::step_up`]).
    /// Every refresh sends it again, so the renewed access tokens keep meeting it; a sign-in
    /// without one clears it. Not secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub step_up_claims: Option<String>,
}

impl Account {
    /// The account of a person who signed in through the browser, from the verified ID token's claims.
    pub fn interactive(profile: &Profile, claims: &IdTokenClaims, metadata_url: Option<Url>, now: DateTime<Utc>) -> Account {
        let tenant_id = claims.tid.clone().unwrap_or_else(|| profile.tenant_id.clone());
        // MSAL's home account ID: `<oid>.<tid>`; providers without `oid` fall back to `sub`.
        let object_id = claims.oid.clone().unwrap_or_else(|| claims.sub.clone());
        Account {
            id: format!("{object_id}.{tenant_id}"),
            username: claims.preferred_username.clone().or_else(|| claims.email.clone()).unwrap_or_else(|| claims.sub.clone()),
            display_name: claims.name.clone(),
            tenant_id,
            authority: profile.authority.clone(),
            metadata_url,
            client_id: profile.client_id.clone(),
            scopes: profile.scopes.clone(),
            kind: AccountKind::Interactive,
            graph_url: profile.graph_url.clone(),
            ca_cert: profile.ca_cert.clone(),
            app_credential: None,
            last_used: now,
            demo_tenant: profile.demo_tenant,
            step_up_claims: None,
        }
    }

    /// The account of an application that signed in with its own credential for `scope`.
    pub fn app_only(profile: &Profile, credential: &AppCredential, scope: String, now: DateTime<Utc>) -> Account {
        let (id, username, reference) = match credential {
            AppCredential::ClientSecret(_) => {
                (format!("app:{}.{}", profile.client_id, profile.tenant_id), profile.client_id.clone(), AppCredentialRef::ClientSecret)
            }
            AppCredential::Certificate { certificate_path, private_key_path } => (
                format!("app:{}.{}", profile.client_id, profile.tenant_id),
                profile.client_id.clone(),
                // Absolute, so a refresh started from another working directory finds the files.
                AppCredentialRef::Certificate {
                    certificate_path: std::path::absolute(certificate_path).unwrap_or_else(|_| certificate_path.clone()),
                    private_key_path: std::path::absolute(private_key_path).unwrap_or_else(|_| private_key_path.clone()),
                },
            ),
            AppCredential::AzureCli => (format!("azcli:{}", profile.tenant_id), "Azure CLI session".to_string(), AppCredentialRef::AzureCli),
        };
        Account {
            id,
            username,
            display_name: None,
            tenant_id: profile.tenant_id.clone(),
            authority: profile.authority.clone(),
            metadata_url: None,
            client_id: profile.client_id.clone(),
            scopes: vec![scope],
            kind: AccountKind::AppOnly,
            graph_url: profile.graph_url.clone(),
            ca_cert: profile.ca_cert.clone(),
            app_credential: Some(reference),
            last_used: now,
            demo_tenant: profile.demo_tenant,
            step_up_claims: None,
        }
    }

    /// Where to find the provider's discovery document for a refresh: the one used at sign-in, else the authority's.
    pub fn discovery_candidates(&self) -> Vec<Url> {
        match &self.metadata_url {
            Some(url) => vec![url.clone()],
            None => config::resolve::discovery_candidates(None, None, &self.authority),
        }
    }

    /// The app and tenant an app-only account signs in as.
    pub fn app_target(&self) -> AppTarget<'_> {
        AppTarget { tenant_id: &self.tenant_id, client_id: &self.client_id, authority: &self.authority }
    }
}

/// Where the built-in demo tenant runs in this process: the endpoints every demo account uses
/// (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEndpoints {
    /// Its tenant ID.
    pub tenant_id: String,
    /// Its authority, `http://127.0.0.1:PORT/<tenant ID>`.
    pub authority: Url,
    /// Its discovery document.
    pub metadata_url: Url,
    /// Its Graph base URL.
    pub graph_url: Url,
}

impl Account {
    /// This account as it must be used now: unchanged unless it is a demo account, which gets
    /// the endpoints of `running`, the demo tenant of this process. Refused when no demo tenant
    /// runs here ([`ErrorCode::NotSignedIn`]), or when the one running is another tenant
    /// ([`ErrorCode::WrongTenant`], naming both tenant IDs).
    pub fn at_demo_tenant(mut self, running: Option<&DemoEndpoints>) -> Result<Account> {
        if !self.demo_tenant {
            return Ok(self);
        }
        let Some(running) = running else {
            return Err(Error::new(
                ErrorCode::NotSignedIn,
                format!(
                    "Account `{}` belongs to Entra Desk's built-in demo tenant, which is not running here (it runs inside the Entra Desk app, on a port chosen when it starts, so its old address cannot be trusted): use the account in Entra Desk, or sign in here with another account",
                    self.id
                ),
            ));
        };
        if !running.tenant_id.eq_ignore_ascii_case(&self.tenant_id) {
            return Err(Error::new(
                ErrorCode::WrongTenant,
                format!(
                    "Account `{}` belongs to the demo tenant {}, but the demo tenant running now is {}, another tenant: the account was not sent to it. Sign this account out, then sign in to the demo tenant again",
                    self.id, self.tenant_id, running.tenant_id
                ),
            ));
        }
        self.authority = running.authority.clone();
        self.metadata_url = Some(running.metadata_url.clone());
        self.graph_url = running.graph_url.clone();
        Ok(self)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AccountsFile {
    version: u32,
    accounts: Vec<Account>,
}

/// The account list on disk. Every change is a read-modify-write under a cross-process file
/// lock ([`with_file_lock`]): the app and `entractl` may change it at the same time.
#[derive(Debug)]
pub struct AccountStore {
    path: PathBuf,
}

impl AccountStore {
    /// The store at `<data_dir>/accounts.json`.
    pub fn new(data_dir: &Path) -> Self {
        AccountStore { path: data_dir.join(ACCOUNTS_FILE) }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All accounts, most recently used first.
    pub fn list(&self) -> Result<Vec<Account>> {
        let mut accounts = self.read()?.accounts;
        accounts.sort_by_key(|a| std::cmp::Reverse(a.last_used));
        Ok(accounts)
    }

    /// One account by ID.
    pub fn get(&self, id: &str) -> Result<Option<Account>> {
        Ok(self.read()?.accounts.into_iter().find(|a| a.id == id))
    }

    /// Adds or replaces an account (by ID).
    pub fn upsert(&self, account: Account) -> Result<()> {
        with_file_lock(&self.path, || {
            let mut file = self.read()?;
            file.accounts.retain(|a| a.id != account.id);
            file.accounts.push(account);
            self.write(&file)
        })
    }

    /// Records that an account was used now.
    pub fn touch(&self, id: &str, now: DateTime<Utc>) -> Result<()> {
        with_file_lock(&self.path, || {
            let mut file = self.read()?;
            if let Some(a) = file.accounts.iter_mut().find(|a| a.id == id) {
                a.last_used = now;
                self.write(&file)?;
            }
            Ok(())
        })
    }

    /// Removes an account; returns whether it was there.
    pub fn remove(&self, id: &str) -> Result<bool> {
        with_file_lock(&self.path, || {
            let mut file = self.read()?;
            let before = file.accounts.len();
            file.accounts.retain(|a| a.id != id);
            if file.accounts.len() == before {
                return Ok(false);
            }
            self.write(&file)?;
            Ok(true)
        })
    }

    fn read(&self) -> Result<AccountsFile> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::storage(format!(
                    "The account list {} is damaged ({e}): fix or delete the file, then sign in again",
                    self.path.display()
                ))
                .with_source(e)
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AccountsFile { version: 1, accounts: Vec::new() }),
            Err(e) => Err(Error::storage(format!("Cannot read {} ({e}): check its permissions", self.path.display())).with_source(e)),
        }
    }

    fn write(&self, file: &AccountsFile) -> Result<()> {
        let json = serde_json::to_vec_pretty(&AccountsFile { version: 1, accounts: file.accounts.clone() })
            .map_err(|e| Error::internal(format!("Cannot encode the account list: {e}")))?;
        write_atomic(&self.path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, minutes: i64) -> Account {
        Account {
            id: id.into(),
            username: format!("{id}@contoso.com"),
            display_name: None,
            tenant_id: "t".into(),
            authority: Url::parse("https://login.microsoftonline.com/t").unwrap(),
            metadata_url: None,
            client_id: "c".into(),
            scopes: vec!["User.Read".into()],
            kind: AccountKind::Interactive,
            graph_url: Url::parse("https://graph.microsoft.com/v1.0").unwrap(),
            ca_cert: None,
            app_credential: None,
            last_used: DateTime::from_timestamp(1_700_000_000 + minutes * 60, 0).unwrap(),
            demo_tenant: false,
            step_up_claims: None,
        }
    }

    #[test]
    fn upsert_list_touch_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path());
        assert!(store.list().unwrap().is_empty());
        store.upsert(account("a", 1)).unwrap();
        store.upsert(account("b", 2)).unwrap();
        store.upsert(account("a", 0)).unwrap();
        let ids: Vec<_> = store.list().unwrap().into_iter().map(|a| a.id).collect();
        assert_eq!(ids, ["b", "a"]);
        store.touch("a", DateTime::from_timestamp(1_800_000_000, 0).unwrap()).unwrap();
        assert_eq!(store.list().unwrap()[0].id, "a");
        assert!(store.remove("a").unwrap());
        assert!(!store.remove("a").unwrap());
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn accounts_written_with_string_urls_still_read() {
        // The file format is unchanged by typed URLs: an older accounts.json reads as before.
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path());
        store.upsert(account("a", 1)).unwrap();
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("\"authority\": \"https://login.microsoftonline.com/t\""), "{text}");
        let mut old: serde_json::Value = serde_json::from_str(&text).unwrap();
        old["accounts"][0].as_object_mut().unwrap().remove("demoTenant");
        std::fs::write(store.path(), old.to_string()).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap(), account("a", 1));
    }

    fn demo(port: u16, tenant: &str) -> DemoEndpoints {
        let base = format!("http://127.0.0.1:{port}");
        DemoEndpoints {
            tenant_id: tenant.into(),
            authority: Url::parse(&format!("{base}/{tenant}")).unwrap(),
            metadata_url: Url::parse(&format!("{base}/{tenant}/v2.0/.well-known/openid-configuration")).unwrap(),
            graph_url: Url::parse(&format!("{base}/v1.0")).unwrap(),
        }
    }

    #[test]
    fn a_demo_account_takes_the_running_demo_tenants_endpoints_or_is_refused() {
        let then = demo(41000, "t");
        let mut stored = Account { authority: then.authority.clone(), metadata_url: Some(then.metadata_url.clone()), graph_url: then.graph_url.clone(), demo_tenant: true, ..account("a", 1) };
        let now = demo(52000, "T");
        let moved = stored.clone().at_demo_tenant(Some(&now)).unwrap();
        assert_eq!((moved.authority.port(), moved.graph_url.port()), (Some(52000), Some(52000)));
        assert_eq!(moved.metadata_url.as_ref(), Some(&now.metadata_url));
        assert_eq!(Account { authority: stored.authority.clone(), metadata_url: stored.metadata_url.clone(), graph_url: stored.graph_url.clone(), ..moved }, stored, "nothing else changes");

        let none = stored.clone().at_demo_tenant(None).unwrap_err();
        assert_eq!(none.code(), ErrorCode::NotSignedIn);
        assert!(none.message().contains("demo tenant") && none.message().contains("Entra Desk app"), "{}", none.message());

        let other = stored.clone().at_demo_tenant(Some(&demo(52000, "other-tenant"))).unwrap_err();
        assert_eq!(other.code(), ErrorCode::WrongTenant);
        assert!(other.message().contains(" t,") && other.message().contains("other-tenant"), "both tenant IDs: {}", other.message());

        // An account of a real tenant is never touched.
        stored.demo_tenant = false;
        assert_eq!(stored.clone().at_demo_tenant(None).unwrap(), stored);
        assert_eq!(stored.clone().at_demo_tenant(Some(&now)).unwrap(), stored);
    }

    #[test]
    fn damaged_file_is_a_storage_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(ACCOUNTS_FILE), b"{nope").unwrap();
        let err = AccountStore::new(dir.path()).list().unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::Storage);
        assert!(err.message().contains("accounts.json"));
    }
}
