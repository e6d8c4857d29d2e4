//! What people read: the tables and lines of `entractl lease`, built with [`crate::output::table`].
//! Names are the command line's (`app-secret`, `revoke-failed`), times RFC 3339 to the second
//! and relative to now. Each function returns its text, so it can be tested; the callers print.

use crate::output::table;
use entra_core::leases::{format_duration, AuditEntry, BindReport, Definition, IssuedLease, Lease, LeaseKind, LeaseStatus, MaintenanceRun, ReconcileReport, SweepReport};
use chrono::{DateTime, SecondsFormat, Utc};

pub(super) fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// "in 59m", "3m ago", "now".
pub(super) fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match (at - now).num_seconds() {
        0 => "now".to_string(),
        s if s > 0 => format!("in {}", format_duration(s as u64)),
        s => format!("{} ago", format_duration(s.unsigned_abs())),
    }
}

pub(super) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// What a revocation did, per kind.
pub(super) fn revoke_words(kind: LeaseKind) -> &'static str {
    match kind {
        LeaseKind::AppSecret => "its client secret was removed from the application",
        LeaseKind::UserPassword => "the user's password was reset to an unknown one and their sessions revoked",
        LeaseKind::AccessToken => "the token was forgotten (it stays valid at Entra until it expires)",
    }
}

/// The target's name and ID, or the ID (or scope) alone.
pub(super) fn target_label(d: &Definition) -> String {
    match &d.target_name {
        Some(name) => format!("{name} ({})", d.target),
        None => d.target.clone(),
    }
}

pub(super) fn definitions(definitions: &[Definition]) -> String {
    if definitions.is_empty() {
        return "No dynamic secrets are defined: entractl lease define NAME --kind … --target … --ttl … --max-ttl …\n".to_string();
    }
    let rows: Vec<Vec<String>> = definitions
        .iter()
        .map(|d| vec![d.name.clone(), d.kind.as_str().to_string(), format_duration(d.ttl_secs), format_duration(d.max_ttl_secs), target_label(d)])
        .collect();
    table(&["NAME", "KIND", "TTL", "MAX TTL", "TARGET"], &rows)
}

fn status_label(lease: &Lease, now: DateTime<Utc>) -> String {
    match lease.status {
        LeaseStatus::Active if lease.expires_at <= now => "active (expired: the sweeper revokes it)".to_string(),
        LeaseStatus::RevokeFailed => format!("revoke-failed ({} attempt(s))", lease.revoke_attempts),
        status => status.as_str().to_string(),
    }
}

pub(super) fn leases(leases: &[Lease], now: DateTime<Utc>) -> String {
    if leases.is_empty() {
        return "No leases: entractl lease issue DEFINITION\n".to_string();
    }
    let rows: Vec<Vec<String>> = leases
        .iter()
        .map(|l| {
            let expiry = if l.status.is_final() {
                l.ended_at.map(|t| format!("ended {}", relative(t, now))).unwrap_or_else(|| "ended".into())
            } else {
                relative(l.expires_at, now)
            };
            let issued_by = l.issued_by.clone().unwrap_or_else(|| "-".into());
            vec![l.id.clone(), status_label(l, now), l.kind.as_str().to_string(), l.definition.clone(), at(l.expires_at), expiry, issued_by, l.target.clone()]
        })
        .collect();
    table(&["ID", "STATUS", "KIND", "DEFINITION", "EXPIRES", "", "ISSUED BY", "TARGET"], &rows)
}

/// One lease, a field per line; fields it does not have are left out.
pub(super) fn lease(lease: &Lease, now: DateTime<Utc>) -> String {
    let time = |t: DateTime<Utc>| format!("{} ({})", at(t), relative(t, now));
    let mut lines: Vec<(&str, String)> = vec![
        ("Lease", lease.id.clone()),
        ("Status", status_label(lease, now)),
        ("Kind", lease.kind.as_str().to_string()),
        ("Definition", lease.definition.clone()),
        ("Target", lease.target.clone()),
        ("Issued", time(lease.issued_at)),
        ("Expires", time(lease.expires_at)),
        ("Max expiry", time(lease.max_expires_at)),
    ];
    let optional: [(&str, Option<String>); 9] = [
        ("Renewed", lease.renewed_at.map(time)),
        ("Ended", lease.ended_at.map(time)),
        ("Key ID", lease.key_id.clone()),
        ("Hint", lease.hint.clone()),
        ("Marker", lease.marker.clone()),
        ("Next attempt", lease.next_attempt_at.map(time)),
        ("Attempts", (lease.revoke_attempts > 0).then(|| lease.revoke_attempts.to_string())),
        ("Last error", lease.last_error.clone()),
        ("Note", lease.note.clone()),
    ];
    lines.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    lines.into_iter().map(|(k, v)| format!("{:<13}{v}\n", format!("{k}:"))).collect()
}

/// A new lease for people: what it is, then its secret alone on the last line (for `| tail -1`).
pub(super) fn issued(issued: &IssuedLease, now: DateTime<Utc>) -> String {
    let lease = &issued.lease;
    let mut out = format!("Issued lease {} ({} from {})\n", lease.id, lease.kind.as_str(), lease.definition);
    out += &format!("Target:      {}\n", lease.target);
    out += &format!("Expires:     {} ({}); renewable up to {}\n", at(lease.expires_at), relative(lease.expires_at, now), at(lease.max_expires_at));
    if let Some(until) = issued.secret_expires_at {
        out += &format!("Token until: {} ({}): Entra honours the token until then, whatever becomes of the lease\n", at(until), relative(until, now));
    }
    if let Some(key_id) = &lease.key_id {
        out += &format!("Key ID:      {key_id}\n");
    }
    if let Some(marker) = &lease.marker {
        out += &format!("Marker:      {marker}\n");
    }
    if let Some(ms) = issued.usable_after_ms {
        out += &format!("Usable:      Entra accepted it after {:.1} s\n", ms as f64 / 1000.0);
    }
    let what = match lease.kind {
        LeaseKind::AppSecret => "Client secret",
        LeaseKind::UserPassword => "Password",
        LeaseKind::AccessToken => "Access token",
    };
    out += &format!("{what} (shown once; Entra Desk does not keep it):\n{}\n", issued.secret.expose());
    out
}

/// What was left for an account of another tenant, as a clause (empty when nothing was).
fn others(n: u32) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("; {n} of another tenant (or unbound) left alone: sign in to their tenant, or `entractl lease bind`")
    }
}

pub(super) fn reconcile(r: &ReconcileReport) -> String {
    format!(
        "Reconciled {} application(s): {} credential(s) seen, {} foreign left alone; {} removed, {} adopted, {} intent(s) closed, {} lease(s) closed; {} Graph request(s) in {} ms{}",
        r.targets, r.credentials_seen, r.foreign, r.removed, r.adopted, r.abandoned, r.closed, r.requests, r.duration_ms, others(r.other_tenants)
    )
}

pub(super) fn sweep(r: &SweepReport) -> String {
    format!(
        "Swept: {} expired lease(s) revoked, {} failed revocation(s) recovered, {} still failing, {} token(s) refreshed{}",
        r.expired, r.recovered, r.failing, r.tokens_refreshed, others(r.other_tenants)
    )
}

pub(super) fn bind(r: &BindReport) -> String {
    format!("Bound {} definition(s) and {} lease(s) to tenant {} ({})", r.definitions, r.leases, r.tenant.tenant_id, r.tenant.authority)
}

/// One maintenance run on one line: when, the sweep, the reconciliation if one ran, what failed.
pub(super) fn maintenance_run(run: &MaintenanceRun) -> String {
    let mut line = format!("{} {}", at(run.at), sweep(&run.sweep));
    if let Some(report) = &run.reconcile {
        line += &format!("; {}", reconcile(report));
    }
    if let Some(error) = &run.error {
        line += &format!("; did not finish: {error}");
    }
    line
}

pub(super) fn audit(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return "The audit log is empty\n".to_string();
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|AuditEntry { seq, line: e, database_user }| {
            vec![
                seq.to_string(),
                at(e.at),
                e.action.as_str().to_string(),
                e.lease_id.clone().unwrap_or_else(|| "-".into()),
                // A team store's line also names the database user that wrote it.
                match database_user {
                    Some(user) => format!("{} (db: {user})", e.actor),
                    None => e.actor.clone(),
                },
                e.request_id.clone().unwrap_or_else(|| "-".into()),
                e.detail.clone(),
            ]
        })
        .collect();
    table(&["SEQ", "AT", "ACTION", "LEASE", "ACTOR", "REQUEST ID", "DETAIL"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc::now();
        assert_eq!(relative(now + chrono::Duration::seconds(5400), now), "in 1h30m");
        assert_eq!(relative(now - chrono::Duration::seconds(90), now), "1m30s ago");
        assert_eq!(relative(now, now), "now");
    }

    #[test]
    fn a_maintenance_run_is_one_line_that_says_what_it_did_and_what_failed() {
        let t = DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z").unwrap().with_timezone(&Utc);
        let mut run = MaintenanceRun { at: t, sweep: SweepReport { expired: 2, ..Default::default() }, reconcile: None, error: None };
        assert_eq!(
            maintenance_run(&run),
            "2026-12-02T10:00:00Z Swept: 2 expired lease(s) revoked, 0 failed revocation(s) recovered, 0 still failing, 0 token(s) refreshed"
        );
        run.reconcile = Some(ReconcileReport { targets: 1, ..Default::default() });
        run.error = Some("Graph is unreachable".into());
        let line = maintenance_run(&run);
        assert!(line.contains("; Reconciled 1 application(s)") && line.ends_with("; did not finish: Graph is unreachable"), "{line}");
        assert_eq!(line.lines().count(), 1);
    }
}
