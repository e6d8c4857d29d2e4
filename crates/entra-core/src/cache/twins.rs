//! Certificate twins: one credential as a person sees it, however many times Graph lists it.
//!
//! A certificate uploaded for SAML signing appears in Graph as two `keyCredentials` (usage
//! `Sign` and `Verify`, different key ids, the same thumbprint in `customKeyIdentifier` and
//! the same dates), and often a third, `passwordCredential` half with the same thumbprint.
//! To a person that is one certificate, expiring once: [`merge_twins`] makes it one
//! [`Credential`] with usage `Sign+Verify`, keeping every key id in `key_ids`. Its `key_id` is
//! the first of them in a fixed order (`Sign`, then `Verify`, then the password half; ties by
//! key id), so it is stable between runs.
//!
//! Both the App registrations detail and the Credential expiry report read credentials this way,
//! so it lives with the cache they read, below both screens.

use chrono::{DateTime, Utc};
use entra_store::queries::apps::{CredentialRow, CredentialType};
use serde::Serialize;

/// A client secret or certificate, twins merged. Metadata only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    /// The key ID (of a merged twin: the first of `key_ids`).
    pub key_id: String,
    /// Every key ID this credential stands for (one, or the twins').
    pub key_ids: Vec<String>,
    /// Password (client secret) or certificate.
    pub credential_type: CredentialType,
    /// `Sign`, `Verify` or `Sign+Verify` (certificates).
    pub usage: Option<String>,
    /// The credential's display name.
    pub display_name: Option<String>,
    /// `customKeyIdentifier` (a certificate's thumbprint).
    pub custom_key_identifier: Option<String>,
    /// A secret's first characters, as Graph shows them (not the secret).
    pub hint: Option<String>,
    /// Valid from.
    pub start: Option<DateTime<Utc>>,
    /// Valid until.
    pub end: Option<DateTime<Utc>>,
}

fn usage_rank(c: &CredentialRow) -> u8 {
    match (c.credential_type, c.usage.as_deref()) {
        (CredentialType::Certificate, Some(u)) if u.eq_ignore_ascii_case("sign") => 0,
        (CredentialType::Certificate, _) => 1,
        (CredentialType::Password, _) => 2,
    }
}

/// One object's credentials with twins merged (see the module doc); credentials without an
/// end date are kept (the detail pane shows them) and never merged.
pub fn merge_twins(rows: &[CredentialRow]) -> Vec<Credential> {
    let mut sorted: Vec<&CredentialRow> = rows.iter().collect();
    sorted.sort_by(|a, b| usage_rank(a).cmp(&usage_rank(b)).then_with(|| a.key_id.cmp(&b.key_id)));
    let mut out: Vec<(Credential, Option<String>)> = Vec::new();
    for row in sorted {
        let thumb = row.custom_key_identifier.clone().filter(|t| !t.is_empty() && row.end.is_some());
        let twin = thumb.as_ref().and_then(|t| {
            out.iter_mut().find(|(c, th)| {
                th.as_ref() == Some(t) && c.end == row.end && c.credential_type == CredentialType::Certificate
            })
        });
        match twin {
            Some((c, _)) => {
                c.key_ids.push(row.key_id.clone());
                if let Some(u) = row.usage.as_deref().filter(|_| row.credential_type == CredentialType::Certificate) {
                    let mut usages: Vec<&str> = c.usage.as_deref().map(|u| u.split('+').collect()).unwrap_or_default();
                    if !usages.iter().any(|x| x.eq_ignore_ascii_case(u)) {
                        usages.push(u);
                    }
                    usages.sort_by_key(|x| if x.eq_ignore_ascii_case("sign") { 0 } else { 1 });
                    c.usage = Some(usages.join("+"));
                }
            }
            None => out.push((
                Credential {
                    key_id: row.key_id.clone(),
                    key_ids: vec![row.key_id.clone()],
                    credential_type: row.credential_type,
                    usage: row.usage.clone(),
                    display_name: row.display_name.clone(),
                    custom_key_identifier: row.custom_key_identifier.clone(),
                    hint: row.hint.clone(),
                    start: row.start,
                    end: row.end,
                },
                thumb,
            )),
        }
    }
    let mut merged: Vec<Credential> = out.into_iter().map(|(c, _)| c).collect();
    merged.sort_by(|a, b| a.end.cmp(&b.end).then_with(|| a.key_id.cmp(&b.key_id)));
    merged
}

/// Whole days left until `end`, rounded down (so negative as soon as it has passed).
pub fn days_left(end: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (end - now).num_seconds().div_euclid(86_400)
}
