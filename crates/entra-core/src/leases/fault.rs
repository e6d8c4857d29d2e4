//! Fault points for crash tests: with `ENTRA_DESK_FAULT=<point>` set, the process aborts at
//! that point (no unwinding, no destructors: as if it were killed), so tests can restart and
//! check that reconciliation finds everything.

/// The variable naming the fault point.
pub const FAULT_ENV: &str = "ENTRA_DESK_FAULT";

/// Every fault point, in the order an issue or a revocation reaches them.
pub const FAULT_POINTS: &[&str] = &[
    "lease.after_intent",
    "lease.after_graph_add",
    "lease.after_commit",
    "lease.revoke.after_intent",
    "lease.revoke.after_graph_remove",
];

/// Aborts the process when `ENTRA_DESK_FAULT` names `point`.
pub(crate) fn point(point: &'static str) {
    debug_assert!(FAULT_POINTS.contains(&point));
    if std::env::var(FAULT_ENV).is_ok_and(|v| v == point) {
        eprintln!("{FAULT_ENV}={point}: aborting here, as asked");
        std::process::abort();
    }
}
