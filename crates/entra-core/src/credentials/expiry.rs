//! Judging credentials against the expiry windows: window validation, status, the smallest
//! window a credential is in, whole days left, and the report rows (twins merged, owners
//! attached). Pure functions of the cached objects and a time: no I/O.
//!
//! A credential is **expired** once its end has passed (`end <= now`), **expiring** when it
//! ends within the widest window, **ok** otherwise; its `window` is the smallest window that
//! contains it (none when expired or ok). Credentials without an end date (Graph always sends
//! one) are left out of the report.

use crate::apps::rows::owners_of;
use crate::cache::twins::{days_left, merge_twins, Credential};
use crate::apps::{CredentialType, ObjectType, Owner};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use entra_store::queries::apps::ObjectRow;
use serde::Serialize;

/// The windows when none are given: 7, 30 and 90 days.
pub const DEFAULT_WINDOWS: [u32; 3] = [7, 30, 90];
/// The widest window accepted (ten years).
pub const MAX_WINDOW_DAYS: u32 = 3650;

/// Checks windows: each 1..=3650 days; returns them deduplicated and ascending, or the defaults.
pub fn validate_windows(windows: Option<Vec<u32>>) -> Result<Vec<u32>> {
    let Some(mut windows) = windows else {
        return Ok(DEFAULT_WINDOWS.to_vec());
    };
    if windows.is_empty() {
        return Err(Error::invalid_input("No expiry window given: give at least one number of days, e.g. 30"));
    }
    if let Some(bad) = windows.iter().find(|w| !(1..=MAX_WINDOW_DAYS).contains(*w)) {
        return Err(Error::invalid_input(format!(
            "An expiry window of {bad} days cannot be used: give windows between 1 and {MAX_WINDOW_DAYS} days"
        )));
    }
    windows.sort_unstable();
    windows.dedup();
    Ok(windows)
}

/// A credential's state against the windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ExpiryStatus {
    /// Its end has passed.
    Expired,
    /// It ends within the widest window.
    Expiring,
    /// It ends later.
    Ok,
}

impl ExpiryStatus {
    /// `expired`, `expiring` or `ok`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpiryStatus::Expired => "expired",
            ExpiryStatus::Expiring => "expiring",
            ExpiryStatus::Ok => "ok",
        }
    }
}

/// Status and smallest window of a credential ending at `end`. `windows` must be validated.
pub fn judge(end: DateTime<Utc>, now: DateTime<Utc>, windows: &[u32]) -> (ExpiryStatus, Option<u32>) {
    if end <= now {
        return (ExpiryStatus::Expired, None);
    }
    let left = end - now;
    match windows.iter().find(|w| left <= chrono::Duration::days(i64::from(**w))) {
        Some(w) => (ExpiryStatus::Expiring, Some(*w)),
        None => (ExpiryStatus::Ok, None),
    }
}

/// One client secret or certificate of the report (a Sign/Verify pair is one row).
/// Serialised as `entractl expiry --format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExpiringCredential {
    /// The owning object's ID.
    pub object_id: String,
    /// Its application (client) ID.
    pub app_id: String,
    /// Its display name.
    pub display_name: String,
    /// `application` or `servicePrincipal`.
    pub object_type: ObjectType,
    /// `password` or `certificate`.
    pub credential_type: CredentialType,
    /// The key ID (of a pair: see [`crate::cache::twins`]).
    pub key_id: String,
    /// Every key ID the row stands for.
    pub key_ids: Vec<String>,
    /// The credential's own display name.
    pub credential_name: Option<String>,
    /// Starts.
    pub start: Option<DateTime<Utc>>,
    /// Ends.
    pub end: DateTime<Utc>,
    /// Whole days left, rounded down (negative once expired).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub days_left: i64,
    /// Expired, expiring or ok.
    pub status: ExpiryStatus,
    /// The smallest window it is in.
    pub window: Option<u32>,
    /// `Sign`, `Verify` or `Sign+Verify`.
    pub usage: Option<String>,
    /// The object's owners; `None` while they have not been loaded.
    pub owners: Option<Vec<Owner>>,
}

impl ExpiringCredential {
    /// How far in it is: `Some(0)` expired, `Some(w)` inside window `w`, `None` outside all.
    pub fn level(&self) -> Option<u32> {
        match self.status {
            ExpiryStatus::Expired => Some(0),
            _ => self.window,
        }
    }
}

/// The report: every credential, soonest end first, and what it was judged against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExpiryReport {
    /// The credentials.
    pub rows: Vec<ExpiringCredential>,
    /// The windows, ascending.
    pub windows: Vec<u32>,
    /// When the inventory was last synced.
    pub as_of: Option<DateTime<Utc>>,
    /// The time the report was judged at.
    pub now: DateTime<Utc>,
}

/// The report rows of these cached objects.
pub(crate) fn rows(objects: &[ObjectRow], windows: &[u32], now: DateTime<Utc>) -> Vec<ExpiringCredential> {
    let mut out = Vec::new();
    for object in objects {
        let owners = owners_of(object);
        for c in merge_twins(&object.credentials) {
            out.extend(row(object, &owners, c, windows, now));
        }
    }
    out.sort_by(|a, b| a.end.cmp(&b.end).then_with(|| a.display_name.cmp(&b.display_name)).then_with(|| a.key_id.cmp(&b.key_id)));
    out
}

/// The report row of one credential (twins merged) of `object`, judged at `now`; `None`
/// without an end date. `owners` are the object's ([`owners_of`]).
pub(crate) fn row(
    object: &ObjectRow,
    owners: &Option<Vec<Owner>>,
    c: Credential,
    windows: &[u32],
    now: DateTime<Utc>,
) -> Option<ExpiringCredential> {
    let end = c.end?;
    let (status, window) = judge(end, now, windows);
    Some(ExpiringCredential {
        object_id: object.id.clone(),
        app_id: object.app_id.clone(),
        display_name: object.display_name.clone().unwrap_or_default(),
        object_type: object.object_type,
        credential_type: c.credential_type,
        key_id: c.key_id,
        key_ids: c.key_ids,
        credential_name: c.display_name,
        start: c.start,
        end,
        days_left: days_left(end, now),
        status,
        window,
        usage: c.usage,
        owners: owners.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_are_checked_sorted_and_deduplicated() {
        assert_eq!(validate_windows(None).unwrap(), [7, 30, 90]);
        assert_eq!(validate_windows(Some(vec![90, 7, 30, 7])).unwrap(), [7, 30, 90]);
        for bad in [vec![], vec![0], vec![3651], vec![7, 0]] {
            let err = validate_windows(Some(bad)).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
        }
    }

    #[test]
    fn status_uses_the_widest_window_and_window_the_smallest() {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let w = [7, 30, 90];
        let at = |d: i64| now + chrono::Duration::days(d);
        assert_eq!(judge(now, now, &w), (ExpiryStatus::Expired, None));
        assert_eq!(judge(at(7), now, &w), (ExpiryStatus::Expiring, Some(7)));
        assert_eq!(judge(at(8), now, &w), (ExpiryStatus::Expiring, Some(30)));
        assert_eq!(judge(at(90), now, &w), (ExpiryStatus::Expiring, Some(90)));
        assert_eq!(judge(at(91), now, &w), (ExpiryStatus::Ok, None));
    }
}
