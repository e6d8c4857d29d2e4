//! Importing a profile from a settings block as admins copy it from another
//! product's configuration page: `Label: value`, `Label = value`, or the
//! label and its value on consecutive lines. Unknown labels are reported, not
//! silently dropped; bad values are reported with the field's name.

use crate::profile::Profile;
use crate::time::parse_hhmmss;
use crate::validate::parse_required_claims;
use serde::Serialize;

/// What an import found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// The profile built from the block (defaults for fields not given).
    pub profile: Profile,
    /// The fields that were set, by label.
    pub recognised: Vec<String>,
    /// Labels this inspector does not use, with their values (e.g. "Certificate Thumbprint").
    pub unknown: Vec<String>,
    /// Values that were rejected, with the reason; the field keeps its default.
    pub problems: Vec<String>,
}

#[derive(Clone, Copy)]
enum Field {
    Tenant,
    Client,
    Audience,
    Issuer,
    Authority,
    Metadata,
    Required,
    Skew,
    Cache,
}

fn normalise(label: &str) -> String {
    label.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

fn field(label: &str) -> Option<Field> {
    Some(match normalise(label).as_str() {
        "tenantid" | "tenant" | "directoryid" => Field::Tenant,
        "clientid" | "applicationid" | "applicationclientid" | "appid" => Field::Client,
        "audience" | "validaudience" => Field::Audience,
        "issuer" | "validissuer" => Field::Issuer,
        "authority" | "instance" => Field::Authority,
        "metadataaddress" | "metadata" | "metadataurl" => Field::Metadata,
        "requiredclaims" => Field::Required,
        "clockskew" => Field::Skew,
        "jwkskeyscacheduration" | "jwkscacheduration" | "jwkskeycacheduration" => Field::Cache,
        _ => return None,
    })
}

/// A label-like left side: short, words only (no URL, no sentence).
fn looks_like_label(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 48
        && s.split_whitespace().count() <= 6
        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '(' | ')' | '.'))
}

fn clean_value(v: &str) -> String {
    let v = v.trim().trim_end_matches(',').trim();
    let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(v);
    v.trim().to_string()
}

fn split_line(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':');
    let equals = line.find('=');
    let at = match (colon, equals) {
        (Some(c), Some(e)) => c.min(e),
        (Some(c), None) => c,
        (None, Some(e)) => e,
        (None, None) => return None,
    };
    let (label, value) = (&line[..at], &line[at + 1..]);
    // "https://…" has its colon inside the value, never right after a label.
    if value.starts_with("//") || !looks_like_label(label) {
        return None;
    }
    Some((label.trim(), value))
}

fn apply(report: &mut ImportReport, f: Field, label: &str, raw: &str) {
    let value = clean_value(raw);
    let p = &mut report.profile;
    let opt = if value.is_empty() { None } else { Some(value.clone()) };
    match f {
        Field::Tenant => p.tenant_id = opt,
        Field::Client => p.client_id = opt,
        Field::Audience => p.audience = opt,
        Field::Issuer => p.issuer = opt,
        Field::Authority => p.authority = opt,
        Field::Metadata => p.metadata_address = opt,
        Field::Required => match parse_required_claims(&value) {
            Ok(_) => p.required_claims = opt,
            Err(e) => {
                report.problems.push(format!("{label}: {e}"));
                return;
            }
        },
        Field::Skew | Field::Cache => {
            let value = if value.is_empty() { "00:00:00".to_string() } else { value };
            if let Err(e) = parse_hhmmss(&value) {
                report.problems.push(format!("{label}: {e}"));
                return;
            }
            if matches!(f, Field::Skew) {
                p.clock_skew = value;
            } else {
                p.jwks_cache_duration = value;
            }
        }
    }
    report.recognised.push(label.to_string());
}

/// Builds a profile named `name` from a settings block.
pub fn import_settings(name: &str, text: &str) -> ImportReport {
    let mut report = ImportReport { profile: Profile::new(name), recognised: vec![], unknown: vec![], problems: vec![] };
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        // A label alone on its line (optionally with a trailing ':' or '='): the value is the next non-empty line.
        let bare = line.trim_end_matches([':', '=']).trim();
        if let Some(f) = field(bare) {
            if bare.len() + 1 >= line.len() {
                let mut j = i;
                while j < lines.len() && lines[j].is_empty() {
                    j += 1;
                }
                let value = if j < lines.len() && field(lines[j].trim_end_matches([':', '=']).trim()).is_none() { lines[j] } else { "" };
                if j < lines.len() && !value.is_empty() {
                    i = j + 1;
                }
                apply(&mut report, f, bare, value);
                continue;
            }
        }
        if let Some((label, value)) = split_line(line) {
            match field(label) {
                Some(f) => apply(&mut report, f, label, value),
                // The label only: an unknown line may hold a secret ("Client Secret: …"), and the
                // report is shown and kept; its value is neither echoed nor stored.
                None => report.unknown.push(label.to_string()),
            }
        }
    }
    report
}
