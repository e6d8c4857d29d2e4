//! Graph's date-time form, shared by every resource that renders dates
//! (applications, service principals, their credentials).

/// Graph's date-time rendering: 7 fractional digits, `Z`.
pub fn graph_date(d: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}.{:07}Z", d.format("%Y-%m-%dT%H:%M:%S"), d.timestamp_subsec_nanos() / 100)
}
