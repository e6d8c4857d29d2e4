//! The result of validation: a list of checks, each passed or failed with a
//! sentence that names the cause and the fix, and the overall verdict.

use serde::{Deserialize, Serialize};

/// One validation check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Stable identifier: `algorithm`, `signing_key`, `key_type`, `signature`, `key_issuer`, `expiry`,
    /// `not_before`, `issued_at`, `audience`, `issuer`, `tenant`, `required_claim:<name>`.
    pub name: String,
    /// Whether the check passed.
    pub ok: bool,
    /// What was found; for a failure, the cause and the fix.
    pub detail: String,
}

impl Check {
    /// A passed check.
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Check { name: name.into(), ok: true, detail: detail.into() }
    }

    /// A failed check.
    pub fn fail(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Check { name: name.into(), ok: false, detail: detail.into() }
    }
}

/// The overall verdict: valid only if every check passed (and there was at least one).
pub fn verdict(checks: &[Check]) -> (bool, String) {
    let failed: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name.as_str()).collect();
    if checks.is_empty() {
        (false, "Not validated: no checks ran".into())
    } else if failed.is_empty() {
        (true, format!("Valid: all {} checks passed", checks.len()))
    } else {
        (false, format!("Invalid: {} of {} checks failed ({})", failed.len(), checks.len(), failed.join(", ")))
    }
}
