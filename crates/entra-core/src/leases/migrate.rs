//! Moving a lease store's contents into another (`entractl lease migrate --to URL`): this
//! desktop's file into a team's database, definitions, leases (open ones too) and the audit
//! log, its hash chain unbroken.
//!
//! The store ID travels: the markers on the credentials the leases created name it, and the
//! new store must recognise them as its own (reconciliation removes only credentials whose
//! marker names its store). Two stores with one ID acting at once would each call the other's
//! leases orphans, so the source is retired *first*: it records where its leases went
//! ([`super::LeaseStore::set_moved_to`]) and from then on acts in no tenant. Then the
//! destination is filled in one transaction, which refuses a store that holds anything. If
//! that fails, nothing was filled and the same command can be run again (the source already
//! points at that destination); once it succeeded, a second run finds the destination full and
//! refuses, so a migration never runs twice.

use super::audit::local_actor;
use super::types::{AuditAction, AuditLine, LeaseStatus};
use super::Leases;
use crate::{Error, ErrorCode, Result};
use serde::Serialize;

/// What a migration moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationReport {
    /// The store ID that travelled (the middle of every marker).
    pub store_id: String,
    /// Where from: the source store's description.
    pub from: String,
    /// Where to.
    pub to: String,
    /// Definitions moved.
    pub definitions: u32,
    /// Leases moved, final ones included.
    pub leases: u32,
    /// Of which still open (pending, active, revoking, revoke-failed): the new store maintains them.
    pub open_leases: u32,
    /// Audit lines moved, with their hashes.
    pub audit_lines: u32,
}

impl Leases {
    /// Moves everything this store holds into `destination` (which must be empty), whose
    /// address is `destination_url`; see the module doc.
    pub async fn migrate_to(&self, destination: &Leases, destination_url: &str) -> Result<MigrationReport> {
        let from = self.store().describe().location;
        let to = destination.store().describe().location;
        if from == to {
            return Err(Error::invalid_input(format!("{from} is both the source and the destination: name another store with --to")));
        }
        let moved = self.store().moved_to().await?;
        if let Some(other) = moved.as_deref().filter(|m| *m != destination_url) {
            return Err(Error::new(
                ErrorCode::StoreMoved,
                format!("The leases of {from} were already moved to {other}; nothing was moved: use that store (--lease-store {other})"),
            ));
        }
        if !destination.store().export().await?.is_empty() {
            let message = match moved {
                Some(_) => format!("The leases of {from} were already moved to {to}; nothing was done: use it (--lease-store {destination_url})"),
                None => format!("{to} is not empty (it holds definitions, leases or audit lines), so nothing was moved: migrate into a new, empty store"),
            };
            return Err(Error::new(ErrorCode::InvalidInput, message));
        }
        if moved.is_none() {
            let line = self.migration_line(format!("this store's leases are moving to {to} ({destination_url}); it acts in no tenant any more"));
            self.store().set_moved_to(destination_url, &line).await?;
        }
        // Read after the source was retired: nothing acts through it any more.
        let snapshot = self.store().export().await?;
        destination.store().import(&snapshot).await?;
        let open = |s: LeaseStatus| matches!(s, LeaseStatus::Pending | LeaseStatus::Active | LeaseStatus::Revoking | LeaseStatus::RevokeFailed);
        let report = MigrationReport {
            store_id: snapshot.store_id.clone(),
            from: from.clone(),
            to,
            definitions: count(snapshot.definitions.len()),
            leases: count(snapshot.leases.len()),
            open_leases: count(snapshot.leases.iter().filter(|l| open(l.lease.status)).count()),
            audit_lines: count(snapshot.audit.len()),
        };
        let line = self.migration_line(format!(
            "moved here from {from}: {} definitions, {} leases ({} open), {} audit lines",
            report.definitions, report.leases, report.open_leases, report.audit_lines
        ));
        destination.store().append_audit(&line).await?;
        Ok(report)
    }

    fn migration_line(&self, detail: String) -> AuditLine {
        AuditLine { at: self.now(), action: AuditAction::Relocated, lease_id: None, definition: None, target: None, actor: local_actor(), detail, request_id: None }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
