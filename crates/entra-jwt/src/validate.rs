//! The second decode: checking a token like a careful resource server —
//! algorithm, key, signature, key issuer, lifetime with clock skew, audience,
//! issuer (with `{TenantId}` templates), tenant and required claims.
//!
//! Signatures are verified by `jsonwebtoken`'s crypto (ring) with keys from
//! [`crate::keys`]. The algorithm family is checked against the key type
//! *before* verification, so `alg: none`, HMAC against a public key and a key
//! of the wrong type are rejected, never attempted.

use crate::checks::Check;
use crate::decode::Decoded;
use crate::error::{Error, Result};
use crate::keys::KeySet;
use chrono::{DateTime, TimeZone, Utc};
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::str::FromStr;
use std::time::Duration;

/// Default clock skew: 5 minutes.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// One entry of the required-claims list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredClaim {
    /// The claim name.
    pub claim: String,
    /// `None`: present with a non-empty value; `Some(v)`: exactly `v` (case-sensitive, ordinal), after `{TenantId}` substitution.
    pub value: Option<String>,
}

/// Parses `roles;tid={TenantId}`. Empty entries are ignored. `{TenantId}` is kept here and replaced at validation.
pub fn parse_required_claims(spec: &str) -> Result<Vec<RequiredClaim>> {
    let mut out = Vec::new();
    for entry in spec.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (claim, value) = match entry.split_once('=') {
            Some((c, v)) => (c.trim(), Some(v.trim().to_string())),
            None => (entry, None),
        };
        if claim.is_empty() || claim.chars().any(char::is_whitespace) {
            return Err(Error::Setting(format!(
                "required claim entry '{entry}' has no valid claim name: write claim or claim=value, separated by ';'"
            )));
        }
        out.push(RequiredClaim { claim: claim.to_string(), value });
    }
    Ok(out)
}

/// What a valid token must satisfy. Every field's default is documented on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationSettings {
    /// Expected tenant (`tid`) and the value of `{TenantId}` in the issuer and required claims. Default: none (not checked).
    pub tenant_id: Option<String>,
    /// The API's client ID: when set, `aud` may also be the client ID or `api://{client ID}`. Default: none.
    pub client_id: Option<String>,
    /// Accepted audiences. Default: empty (audience not checked unless `client_id` is set).
    pub audiences: Vec<String>,
    /// Expected issuer; `{TenantId}`/`{tenantid}` is replaced with `tenant_id`, or the token's `tid` if no tenant is set. Default: none (not checked).
    pub issuer: Option<String>,
    /// Required claims. Default: none.
    pub required_claims: Vec<RequiredClaim>,
    /// Tolerance applied to `exp` and `nbf`. Default: 5 minutes; zero means none.
    pub clock_skew: Duration,
}

impl Default for ValidationSettings {
    fn default() -> Self {
        ValidationSettings {
            tenant_id: None,
            client_id: None,
            audiences: Vec::new(),
            issuer: None,
            required_claims: Vec::new(),
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }
}

/// Replaces `{TenantId}` in any letter case.
pub fn substitute_tenant(template: &str, tenant: &str) -> String {
    let lower = template.to_ascii_lowercase();
    let mut out = String::with_capacity(template.len());
    let mut i = 0;
    while let Some(pos) = lower[i..].find("{tenantid}") {
        out.push_str(&template[i..i + pos]);
        out.push_str(tenant);
        i += pos + "{tenantid}".len();
    }
    out.push_str(&template[i..]);
    out
}

fn has_tenant_placeholder(s: &str) -> bool {
    s.to_ascii_lowercase().contains("{tenantid}")
}

fn fmt_time(t: i64) -> String {
    Utc.timestamp_opt(t, 0)
        .single()
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.to_string())
}

/// Signature-related checks: algorithm, key, key type, signature, key issuer.
fn signature_checks(d: &Decoded, keys: Option<&KeySet>, out: &mut Vec<Check>) {
    let alg_text = d.alg().unwrap_or("");
    if alg_text.eq_ignore_ascii_case("none") || alg_text.is_empty() {
        out.push(Check::fail(
            "algorithm",
            format!("The token is unsigned (alg: {}): anyone could have written it. Reject it; Entra signs its tokens with RS256", if alg_text.is_empty() { "missing" } else { alg_text }),
        ));
        return;
    }
    let alg = match Algorithm::from_str(alg_text) {
        Ok(a) => a,
        Err(_) => {
            out.push(Check::fail("algorithm", format!("The algorithm '{alg_text}' is not supported: accepted are RS256/384/512, PS256/384/512 and ES256/384. Reject the token or ask its issuer which algorithm it uses")));
            return;
        }
    };
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        out.push(Check::fail(
            "algorithm",
            format!("The token claims {alg_text}, a shared-secret (HMAC) algorithm, but it is checked against public keys: accepting that is the algorithm-confusion attack. Reject it; Entra tokens are signed with RS256"),
        ));
        return;
    }
    if alg == Algorithm::EdDSA {
        out.push(Check::fail("algorithm", "EdDSA is not supported by this inspector and never used by Entra: reject the token or verify it with the issuer's own tools"));
        return;
    }
    out.push(Check::pass("algorithm", format!("{alg_text} is an asymmetric algorithm a resource server may accept")));

    let Some(keys) = keys else {
        out.push(Check::fail(
            "signature",
            "The signature was not checked because no signing keys were given: use a profile with a metadata address and fetch its keys (in the app: tick Fetch keys; in entractl: --profile, --metadata or --jwks FILE|URL)",
        ));
        return;
    };
    let kid = d.kid();
    let x5t = d.header.get("x5t").and_then(Value::as_str);
    let Some(key) = keys.find(kid, x5t) else {
        out.push(Check::fail(
            "signing_key",
            format!(
                "No key with kid '{}' in the key set ({} keys: {}): the keys may have rolled over (refresh the JWKS), or the token was issued by another tenant or cloud than the metadata address points to",
                kid.or(x5t).unwrap_or("(none)"),
                keys.keys.len(),
                keys.kids().join(", ")
            ),
        ));
        return;
    };
    out.push(Check::pass("signing_key", format!("Found {} ({})", key.source, key.family.describe())));
    if !key.family.algorithms().contains(&alg_text) {
        out.push(Check::fail(
            "key_type",
            format!(
                "The token says {alg_text} but {} is {}, which verifies only {}: the key set does not belong to this token's issuer, or the header was altered. Use the issuer's own keys",
                key.source,
                key.family.describe(),
                key.family.algorithms().join("/")
            ),
        ));
        return;
    }
    let verified = jsonwebtoken::crypto::verify(&d.signature, d.signing_input.as_bytes(), &key.key, alg).unwrap_or(false);
    if verified {
        out.push(Check::pass("signature", format!("The {alg_text} signature is valid for {}", key.source)));
    } else if d.header.contains_key("nonce") {
        out.push(Check::fail(
            "signature",
            "This is a Microsoft Graph access token: its header carries a nonce that Graph hashes before checking the signature, so by design nobody but Graph can verify it. This is expected, not tampering; an API must not accept Graph tokens — request a token for your own API's scope and validate that one",
        ));
    } else {
        out.push(Check::fail(
            "signature",
            format!("The signature does not match {}: the token was altered, or signed by a different key with the same kid. Reject it; if the token is fresh from Entra, refresh the keys from the metadata address", key.source),
        ));
    }
    if let Some(key_issuer) = &key.issuer {
        let tid = d.claim_str("tid");
        if has_tenant_placeholder(key_issuer) {
            out.push(Check::pass("key_issuer", "The key's issuer is the {tenantid} template: it signs tokens for any tenant"));
        } else {
            let expected_tid = key_issuer.trim_end_matches('/').trim_end_matches("/v2.0").rsplit('/').next().unwrap_or("");
            if tid.is_some_and(|t| t == expected_tid) {
                out.push(Check::pass("key_issuer", format!("The key is reserved for {key_issuer}, and the token's tenant matches")));
            } else {
                out.push(Check::fail(
                    "key_issuer",
                    format!("The key is reserved for issuer {key_issuer}, but the token's tenant is {}: a key of another tenant (such as Microsoft personal accounts) signed it. Reject the token", tid.unwrap_or("(missing)")),
                ));
            }
        }
    }
}

fn time_checks(d: &Decoded, settings: &ValidationSettings, now: DateTime<Utc>, out: &mut Vec<Check>) {
    let skew = settings.clock_skew.as_secs() as i64;
    let skew_text = if skew == 0 { "no clock skew".to_string() } else { format!("{} clock skew", crate::time::format_hhmmss(settings.clock_skew)) };
    let now_s = now.timestamp();
    match d.claim_time("exp") {
        None => out.push(Check::fail("expiry", "The token has no numeric exp claim, so it would never expire: reject it; every Entra token carries exp")),
        Some(exp) if now_s > exp.saturating_add(skew) => out.push(Check::fail(
            "expiry",
            format!("The token expired at {} ({}), beyond the {skew_text}: get a new token; if it should still be valid, check this computer's clock", fmt_time(exp), crate::time::relative(exp, now)),
        )),
        Some(exp) => out.push(Check::pass("expiry", format!("Expires at {} ({}), {skew_text}", fmt_time(exp), crate::time::relative(exp, now)))),
    }
    match d.claim_time("nbf") {
        None if d.payload.contains_key("nbf") => out.push(Check::fail("not_before", "The nbf claim is not a number: the token is malformed; reject it")),
        None => out.push(Check::pass("not_before", "No nbf claim: the token is valid from issuance")),
        Some(nbf) if now_s.saturating_add(skew) < nbf => out.push(Check::fail(
            "not_before",
            format!("The token is not valid before {} ({}), beyond the {skew_text}: wait, or if it should already be valid, check the clocks of this computer and the issuer (or raise the clock skew)", fmt_time(nbf), crate::time::relative(nbf, now)),
        )),
        Some(nbf) => out.push(Check::pass("not_before", format!("Valid since {} ({})", fmt_time(nbf), crate::time::relative(nbf, now)))),
    }
}

fn audience_check(d: &Decoded, settings: &ValidationSettings, out: &mut Vec<Check>) {
    let mut accepted: Vec<String> = settings.audiences.iter().filter(|a| !a.trim().is_empty()).cloned().collect();
    if let Some(client) = settings.client_id.as_deref().filter(|c| !c.is_empty()) {
        accepted.push(client.to_string());
        accepted.push(format!("api://{client}"));
    }
    if accepted.is_empty() {
        return;
    }
    let token_auds: Vec<String> = match d.payload.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    if token_auds.is_empty() {
        out.push(Check::fail("audience", "The token has no aud claim: it is not meant for any API; reject it"));
        return;
    }
    if let Some(m) = token_auds.iter().find(|t| accepted.contains(t)) {
        out.push(Check::pass("audience", format!("The audience {m} is accepted")));
        return;
    }
    let loose = |s: &str| s.trim_end_matches('/').to_string();
    if let Some(m) = token_auds.iter().find(|t| accepted.iter().any(|a| loose(a) == loose(t))) {
        out.push(Check::pass("audience", format!("The audience {m} is accepted (it differs from the setting only by a trailing slash, which Entra resources treat as the same)")));
        return;
    }
    out.push(Check::fail(
        "audience",
        format!(
            "The token is for {}, but this profile accepts {}: the client requested a token for another API. Request a token for this API's scope, or, if this API is the right one, add that audience to the profile",
            token_auds.join(", "),
            accepted.join(", ")
        ),
    ));
}

fn issuer_check(d: &Decoded, settings: &ValidationSettings, out: &mut Vec<Check>) {
    let token_iss = d.claim_str("iss");
    let tid = d.claim_str("tid");
    let expected: Vec<String> = match (&settings.issuer, &settings.tenant_id) {
        (Some(template), Some(tenant)) if !template.is_empty() => vec![substitute_tenant(template, tenant)],
        (Some(template), None) if !template.is_empty() => {
            if has_tenant_placeholder(template) {
                match tid {
                    Some(t) => vec![substitute_tenant(template, t)],
                    None => {
                        out.push(Check::fail("issuer", format!("The issuer template {template} needs the token's tid, but the token has none: set the Tenant ID in the profile, or reject the token")));
                        return;
                    }
                }
            } else {
                vec![template.clone()]
            }
        }
        (_, Some(tenant)) => vec![format!("https://sts.windows.net/{tenant}/"), format!("https://login.microsoftonline.com/{tenant}/v2.0")],
        _ => return,
    };
    match token_iss {
        Some(iss) if expected.iter().any(|e| e == iss) => out.push(Check::pass("issuer", format!("The issuer {iss} is the expected one"))),
        Some(iss) => {
            let hint = if iss.starts_with("https://sts.windows.net/") && expected.iter().all(|e| e.ends_with("/v2.0")) {
                " The token is v1 and the setting expects v2: use https://sts.windows.net/{TenantId}/, or set accessTokenAcceptedVersion to 2 in the API's manifest"
            } else if iss.ends_with("/v2.0") && expected.iter().all(|e| e.starts_with("https://sts.windows.net/")) {
                " The token is v2 and the setting expects v1: use https://login.microsoftonline.com/{TenantId}/v2.0"
            } else {
                " Check the Tenant ID and the issuer setting (a token from another tenant must be rejected)"
            };
            out.push(Check::fail("issuer", format!("The issuer is {iss}, expected {}.{hint}", expected.join(" or "))));
        }
        None => out.push(Check::fail("issuer", "The token has no iss claim: nobody vouches for it; reject it")),
    }
}

fn tenant_check(d: &Decoded, settings: &ValidationSettings, out: &mut Vec<Check>) {
    let Some(tenant) = settings.tenant_id.as_deref().filter(|t| !t.is_empty()) else { return };
    match d.claim_str("tid") {
        Some(t) if t.eq_ignore_ascii_case(tenant) => out.push(Check::pass("tenant", format!("The tenant {t} is the expected one"))),
        Some(t) => out.push(Check::fail("tenant", format!("The token comes from tenant {t}, expected {tenant}: a user or app of another directory got it; reject it, or fix the Tenant ID in the profile"))),
        None => out.push(Check::fail("tenant", "The token has no tid claim, so its tenant is unknown: reject it (personal-account tokens have no Entra tenant)")),
    }
}

fn non_empty(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// A scalar's text for ordinal comparison: strings as they are, numbers and booleans as JSON prints them.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn required_checks(d: &Decoded, settings: &ValidationSettings, out: &mut Vec<Check>) {
    for rc in &settings.required_claims {
        let name = format!("required_claim:{}", rc.claim);
        let actual = d.payload.get(&rc.claim);
        match &rc.value {
            None => match actual {
                Some(v) if non_empty(v) => out.push(Check::pass(name, format!("{} is present", rc.claim))),
                _ => out.push(Check::fail(name, format!("The required claim {} is missing or empty: the token was not issued with it (grant the app role or scope, or add the optional claim in the app registration), or remove it from Required Claims", rc.claim))),
            },
            Some(template) => {
                let expected = if has_tenant_placeholder(template) {
                    match settings.tenant_id.as_deref() {
                        Some(t) => substitute_tenant(template, t),
                        None => {
                            out.push(Check::fail(name, format!("The required claim {}={template} uses {{TenantId}}, but the profile has no Tenant ID: set it", rc.claim)));
                            continue;
                        }
                    }
                } else {
                    template.clone()
                };
                let matches = match actual {
                    Some(Value::String(s)) => *s == expected,
                    Some(Value::Array(a)) => a.iter().any(|v| scalar_text(v).as_deref() == Some(expected.as_str())),
                    Some(Value::Null) | None => false,
                    Some(other) => scalar_text(other).as_deref() == Some(expected.as_str()),
                };
                if matches {
                    out.push(Check::pass(name, format!("{} is {expected}", rc.claim)));
                } else {
                    let found = match actual {
                        None => "missing".to_string(),
                        Some(Value::String(s)) => format!("'{s}'"),
                        Some(v) => v.to_string(),
                    };
                    let case_hint = match actual.and_then(Value::as_str) {
                        Some(s) if s.eq_ignore_ascii_case(&expected) => " (it differs only in letter case: values are compared case-sensitively, write it exactly as in the token)",
                        _ => "",
                    };
                    out.push(Check::fail(name, format!("The claim {} must be '{expected}' but is {found}{case_hint}: fix the Required Claims setting, or reject the token", rc.claim)));
                }
            }
        }
    }
}

/// Runs every check that the settings and keys allow, in a fixed order.
pub fn validate(d: &Decoded, settings: &ValidationSettings, keys: Option<&KeySet>, now: DateTime<Utc>) -> Vec<Check> {
    let mut out = Vec::with_capacity(12);
    signature_checks(d, keys, &mut out);
    time_checks(d, settings, now, &mut out);
    audience_check(d, settings, &mut out);
    issuer_check(d, settings, &mut out);
    tenant_check(d, settings, &mut out);
    required_checks(d, settings, &mut out);
    out
}

/// Settings that were not checked, as warnings ("audience not checked…").
pub fn unchecked_warnings(settings: &ValidationSettings) -> Vec<String> {
    let mut w = Vec::new();
    if settings.audiences.is_empty() && settings.client_id.is_none() {
        w.push("The audience was not checked: set an Audience or Client ID so tokens for other APIs are rejected".to_string());
    }
    if settings.issuer.is_none() && settings.tenant_id.is_none() {
        w.push("The issuer was not checked: set an Issuer or Tenant ID so tokens from other tenants are rejected".to_string());
    }
    w
}

