//! Between the core's lease types and the store's plain rows; and who owns an in-flight
//! intent (`host:pid`).

use super::types::{AuditAction, AuditEntry, Definition, Lease, LeaseKind, LeaseStatus};
use crate::{Error, Result};
use entra_store::leases::{AuditRow, DefinitionRow, LeaseRow, NewAudit};

fn bad(what: &str) -> Error {
    Error::storage(format!(
        "The lease store holds a {what} this version of Entra Desk does not know: update Entra Desk (the file was not changed)"
    ))
}

pub(crate) fn definition(row: DefinitionRow) -> Result<Definition> {
    Ok(Definition {
        kind: LeaseKind::parse(&row.kind).ok_or_else(|| bad("lease kind"))?,
        name: row.name,
        target: row.target,
        target_name: row.target_name,
        client_id: row.client_id,
        ttl_secs: row.ttl_secs,
        max_ttl_secs: row.max_ttl_secs,
        created_at: row.created_at,
    })
}

pub(crate) fn definition_row(d: &Definition) -> DefinitionRow {
    DefinitionRow {
        name: d.name.clone(),
        kind: d.kind.as_str().to_string(),
        target: d.target.clone(),
        target_name: d.target_name.clone(),
        client_id: d.client_id.clone(),
        ttl_secs: d.ttl_secs,
        max_ttl_secs: d.max_ttl_secs,
        created_at: d.created_at,
    }
}

/// A lease and the process working on it (see [`owner_is_gone`]).
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub lease: Lease,
    pub owner: Option<String>,
}

pub(crate) fn lease(row: LeaseRow) -> Result<Stored> {
    Ok(Stored {
        lease: Lease {
            kind: LeaseKind::parse(&row.kind).ok_or_else(|| bad("lease kind"))?,
            status: LeaseStatus::parse(&row.status).ok_or_else(|| bad("lease status"))?,
            id: row.id,
            definition: row.definition,
            target: row.target,
            issued_at: row.issued_at,
            expires_at: row.expires_at,
            max_expires_at: row.max_expires_at,
            renewed_at: row.renewed_at,
            ended_at: row.ended_at,
            key_id: row.key_id,
            hint: row.hint,
            marker: row.marker,
            revoke_attempts: row.revoke_attempts,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            note: row.note,
        },
        owner: row.owner,
    })
}

pub(crate) fn lease_row(l: &Lease, owner: Option<String>) -> LeaseRow {
    LeaseRow {
        id: l.id.clone(),
        definition: l.definition.clone(),
        kind: l.kind.as_str().to_string(),
        target: l.target.clone(),
        status: l.status.as_str().to_string(),
        issued_at: l.issued_at,
        expires_at: l.expires_at,
        max_expires_at: l.max_expires_at,
        renewed_at: l.renewed_at,
        ended_at: l.ended_at,
        key_id: l.key_id.clone(),
        hint: l.hint.clone(),
        marker: l.marker.clone(),
        revoke_attempts: l.revoke_attempts,
        next_attempt_at: l.next_attempt_at,
        last_error: l.last_error.clone(),
        note: l.note.clone(),
        owner,
    }
}

pub(crate) fn audit_entry(row: AuditRow) -> AuditEntry {
    let e = row.entry;
    AuditEntry {
        seq: row.seq,
        at: e.at,
        // An action written by a newer version reads as "reconciled" rather than failing the
        // whole log: the detail text still says what happened.
        action: AuditAction::parse(&e.action).unwrap_or(AuditAction::Reconciled),
        lease_id: e.lease_id,
        definition: e.definition,
        target: e.target,
        actor: e.actor,
        detail: e.detail,
        request_id: e.request_id,
    }
}

/// An audit line about `lease`.
pub(crate) fn audit_for(lease: &Lease, at: chrono::DateTime<chrono::Utc>, action: AuditAction, actor: &str, detail: String, request_id: Option<String>) -> NewAudit {
    NewAudit {
        at,
        action: action.as_str().to_string(),
        lease_id: Some(lease.id.clone()),
        definition: Some(lease.definition.clone()),
        target: Some(lease.target.clone()),
        actor: actor.to_string(),
        detail,
        request_id,
    }
}

/// This process, as an intent's owner: `host:pid`.
pub(crate) fn this_process() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Who recorded an intent or a revocation that has not finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// This process (its in-flight set says whether the call is still running).
    ThisProcess,
    /// A process of this host that no longer exists: its call will never finish.
    Gone,
    /// Another host's process, one that still runs, or one we cannot check: judged only after
    /// [`super::INTENT_GRACE`].
    MaybeAlive,
}

/// Who `owner` (`host:pid`) is.
pub(crate) fn owner(owner: Option<&str>) -> Owner {
    let Some((host, pid)) = owner.and_then(|o| o.rsplit_once(':')) else {
        return Owner::MaybeAlive;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return Owner::MaybeAlive;
    };
    if host != host_name() {
        return Owner::MaybeAlive;
    }
    if pid == std::process::id() {
        return Owner::ThisProcess;
    }
    // Linux only: elsewhere we cannot tell cheaply, and waiting out the grace period is safe.
    let proc = std::path::Path::new("/proc");
    if proc.join("self").exists() && !proc.join(pid.to_string()).exists() {
        Owner::Gone
    } else {
        Owner::MaybeAlive
    }
}

/// A time as the audit log writes it: RFC 3339 to the second, UTC.
pub(crate) fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Who the audit log names for an action that needs no account (renewing, removing a
/// definition): the operating-system user, as `local:<name>`.
pub(crate) fn local_actor() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_default();
    if user.trim().is_empty() {
        "local".to_string()
    } else {
        format!("local:{}", user.trim())
    }
}
