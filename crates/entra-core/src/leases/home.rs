//! Where a lease store lives, and what happens when it is found somewhere else.
//!
//! A store's ID is in the marker of every credential it creates, and reconciliation removes the
//! credentials that carry its ID but have no lease in it. A copied data folder (a restored
//! backup, a cloned VM, a synced home) carries the same ID: two live stores then share one
//! marker, and each one's reconciliation removes the other's live credentials. So a store
//! records where it lives the first time it is used — its file's canonical path, the host name,
//! and the SHA-256 of a random key this install keeps in the OS keychain — and before anything
//! acts in a tenant (issue, revoke, sweep, reconcile) it checks it is still there. A store found
//! elsewhere refuses until the admin says which it is ([`Leases::relocate`]):
//! - **moved** (the old place is no longer used): the same store, recorded here now;
//! - **copied** (the original still runs): a new store ID, so the two never share a marker, and
//!   every lease issued before the copy is left to the original (it is *inherited*: listed, never
//!   revoked, swept or reconciled here).
//!
//! What it cannot see: a copy at the same path on a machine with the same host name and a copied
//! keychain (a whole-disk clone), and, where the keychain cannot keep a key (a CI runner), a copy
//! at the same path and host. Stores used before this check existed record their home on first
//! use, so a copy made before then is not detected either.

use super::types::{AuditAction, AuditLine, Lease, LeasesOverview};
use super::owner::host_name;
use super::Leases;
use crate::secret::SecretString;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a lease store lives, as it recorded when it was first used there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreHome {
    /// The store file's canonical path (`None` for a store that is not a file of this desk).
    pub location: Option<String>,
    /// The host name of the machine it was used on.
    pub host: String,
    /// SHA-256 (hex) of this install's store key, kept in the OS keychain; `None` when the
    /// keychain could not keep one (a CI runner): then only the location and host are checked.
    pub key_sha256: Option<String>,
    /// On a copy: the ID of the store it was copied from…
    pub copied_from: Option<String>,
    /// …and the time of the copy: every lease issued before it is the original store's.
    pub inherited_before: Option<DateTime<Utc>>,
}

/// What the admin says of a lease store found somewhere it was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Relocation {
    /// The old place is no longer used (moved, or restored after losing it): it stays the same
    /// store, with the same ID and every lease.
    Moved,
    /// The original still runs (a backup, a cloned machine, a synced folder): this copy gets a
    /// new store ID and leaves every lease it holds to the original.
    Copied,
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn new_key() -> SecretString {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::new(hex::encode(bytes))
}

impl Leases {
    /// This store's home as it is right now, with a new key kept in the keychain for `store_id`
    /// (`key_sha256` is `None` when the keychain refuses it: the check then rests on the path
    /// and host alone).
    async fn home_here(&self, store_id: &str) -> StoreHome {
        let key = new_key();
        let kept = self.desk().async_keychain().set_lease_store_key(store_id, &key).await;
        if let Err(e) = &kept {
            tracing::warn!(error = %e, "the keychain cannot keep the lease store's key: a copied data folder is recognised by its path and host only");
        }
        StoreHome {
            location: self.location().map(str::to_string),
            host: host_name(),
            key_sha256: kept.ok().map(|_| sha256_hex(key.expose())),
            copied_from: None,
            inherited_before: None,
        }
    }

    /// `Ok` when the store is where it recorded it lives (recording it on first use); a
    /// `store_moved` error that says how to decide otherwise. Checked once per process.
    pub(crate) async fn ensure_home(&self) -> Result<()> {
        // Read every time: another process may have moved the leases out meanwhile.
        if let Some(destination) = self.store().moved_to().await? {
            return Err(Error::new(
                ErrorCode::StoreMoved,
                format!(
                    "This lease store's leases were moved to the team store {destination} (`entractl lease migrate`), which now owns \
                     their credentials, so this one acts in no tenant any more: use the team store (`--lease-store {destination}`, \
                     ENTRA_DESK_LEASE_STORE, or \"Use a team store…\" on the Leases screen)"
                ),
            ));
        }
        // A team store is shared by design: many hosts and installs use it, at its one address.
        if self.store().describe().kind == super::store::StoreKind::Team {
            return Ok(());
        }
        if self.home().is_some() {
            return Ok(());
        }
        let store_id = self.store_id().await?;
        let Some(home) = self.store().home().await? else {
            let home = self.home_here(&store_id).await;
            self.store().set_home(&home, None, None).await?;
            self.remember_home(home);
            return Ok(());
        };
        let mut elsewhere = Vec::new();
        if let (Some(was), Some(is)) = (home.location.as_deref(), self.location()) {
            if was != is {
                elsewhere.push(format!("it was made at {was}"));
            }
        }
        if home.host != host_name() {
            elsewhere.push(format!("on host {}", home.host));
        }
        if let Some(sha) = &home.key_sha256 {
            match self.desk().async_keychain().lease_store_key(&store_id).await {
                Ok(Some(key)) if &sha256_hex(key.expose()) == sha => {}
                Ok(_) => elsewhere.push("this install's keychain does not hold its key".to_string()),
                // A keychain that cannot be read proves nothing either way: path and host decide.
                Err(e) => tracing::warn!(error = %e, "cannot read the lease store's key from the keychain"),
            }
        }
        if elsewhere.is_empty() {
            self.remember_home(home);
            return Ok(());
        }
        let here = self.location().unwrap_or("this store");
        Err(Error::new(
            ErrorCode::StoreMoved,
            format!(
                "The lease store {here} was moved or copied ({}). Until you say which, Entra Desk neither issues, revokes, sweeps nor \
                 reconciles with it, so that two copies never remove each other's credentials. If the old one is no longer used \
                 (moved, or restored after losing it): `entractl lease relocate moved`, or \"It was moved\" on the Leases screen. If the original \
                 still runs (a backup, a cloned machine, a synced folder): `entractl lease relocate copied`, or \"It is a copy\": this copy then \
                 gets a store ID of its own and leaves every lease it holds to the original",
                elsewhere.join(", ")
            ),
        ))
    }

    /// Records the admin's answer for a store found where it was not made; see the module doc.
    pub async fn relocate(&self, decision: Relocation) -> Result<LeasesOverview> {
        let old_id = self.store_id().await?;
        let recorded = self.store().home().await?;
        let now = self.now();
        let (new_id, mut home, detail) = match decision {
            Relocation::Moved => {
                let home = self.home_here(&old_id).await;
                let detail = format!(
                    "moved: the store now lives at {} on {} (it was at {} on {}); same store ID",
                    home.location.as_deref().unwrap_or("?"),
                    home.host,
                    recorded.as_ref().and_then(|h| h.location.as_deref()).unwrap_or("?"),
                    recorded.as_ref().map(|h| h.host.as_str()).unwrap_or("?"),
                );
                (None, home, detail)
            }
            Relocation::Copied => {
                let new_id = uuid::Uuid::new_v4().simple().to_string();
                let mut home = self.home_here(&new_id).await;
                home.copied_from = Some(old_id.clone());
                home.inherited_before = Some(now);
                let detail = format!("copied: this copy of store {old_id} is store {new_id}; the leases issued before now are left to the original");
                (Some(new_id), home, detail)
            }
        };
        // A copy of a copy keeps the earliest hand-over: what came before it is still not ours.
        if let (Relocation::Moved, Some(r)) = (decision, &recorded) {
            home.copied_from = r.copied_from.clone();
            home.inherited_before = r.inherited_before;
        }
        let audit = AuditLine {
            at: now,
            action: AuditAction::Relocated,
            lease_id: None,
            definition: None,
            target: None,
            actor: super::audit::local_actor(),
            detail,
            request_id: None,
        };
        self.store().set_home(&home, new_id.as_deref(), Some(&audit)).await?;
        self.remember_home(home);
        self.overview().await
    }

    /// Whether `lease` was issued by a store this one is a copy of (see the module doc).
    pub(crate) fn inherited(&self, lease: &Lease) -> bool {
        self.home().and_then(|h| h.inherited_before).is_some_and(|before| lease.issued_at < before)
    }

    /// `Ok` unless `lease` is the original store's.
    pub(crate) fn check_not_inherited(&self, lease: &Lease) -> Result<()> {
        if !self.inherited(lease) {
            return Ok(());
        }
        let original = self.home().and_then(|h| h.copied_from).unwrap_or_default();
        Err(Error::invalid_input(format!(
            "Lease {} was issued by store {original}, of which this store is a copy: manage it there. Nothing was changed",
            lease.id
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_only_their_hash_is_recorded() {
        let (a, b) = (new_key(), new_key());
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 64);
        let sha = sha256_hex(a.expose());
        assert_eq!(sha.len(), 64);
        assert!(!sha.contains(a.expose()));
    }
}
