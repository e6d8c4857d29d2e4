//! Each check, passing and failing, with a detail that names the cause and the fix.
mod common;

use common::*;
use entra_jwt::validate::{parse_required_claims, RequiredClaim};
use entra_jwt::{inspect, NoGroupNames, ValidationSettings};
use jsonwebtoken::Algorithm::RS256;
use serde_json::json;
use std::time::Duration;

fn run(claims: &serde_json::Value, settings: &ValidationSettings, now: i64) -> entra_jwt::Inspection {
    let t = sign(RS256, Some("test-rsa"), claims);
    inspect(&t, settings, Some(&test_keys()), &NoGroupNames, at(now)).unwrap()
}

#[test]
fn a_good_token_passes_every_check() {
    let mut s = settings();
    s.required_claims = parse_required_claims("roles;tid={TenantId};scp=access_as_user").unwrap();
    let ins = run(&v2_claims(), &s, T0);
    assert!(ins.valid, "{:#?}", ins.checks);
    let names: Vec<&str> = ins.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["algorithm", "signing_key", "signature", "key_issuer", "expiry", "not_before", "audience", "issuer", "tenant", "required_claim:roles", "required_claim:tid", "required_claim:scp"]
    );
    assert!(ins.verdict.starts_with("Valid"));
}

#[test]
fn expiry_with_and_without_clock_skew() {
    let exp = T0 + 3600;
    assert!(check(&run(&v2_claims(), &settings(), exp + 299), "expiry").ok);
    let late = run(&v2_claims(), &settings(), exp + 301);
    let c = check(&late, "expiry");
    assert!(!c.ok);
    assert!(c.detail.contains("expired") && c.detail.contains("get a new token"), "{}", c.detail);
    assert!(!late.valid);
    let mut no_skew = settings();
    no_skew.clock_skew = Duration::ZERO;
    assert!(!check(&run(&v2_claims(), &no_skew, exp + 1), "expiry").ok);
    assert!(check(&run(&v2_claims(), &no_skew, exp), "expiry").ok);
    let mut c = v2_claims();
    c.as_object_mut().unwrap().remove("exp");
    assert!(check(&run(&c, &settings(), T0), "expiry").detail.contains("never expire"));
}

#[test]
fn not_before_with_clock_skew() {
    let nbf = T0 - 60;
    assert!(check(&run(&v2_claims(), &settings(), nbf - 299), "not_before").ok);
    let early = run(&v2_claims(), &settings(), nbf - 301);
    let c = check(&early, "not_before");
    assert!(!c.ok);
    assert!(c.detail.contains("clock"), "{}", c.detail);
}

#[test]
fn audience_client_id_app_id_uri_and_mismatch() {
    assert!(check(&run(&v2_claims(), &settings(), T0), "audience").ok);
    let mut claims = v2_claims();
    claims["aud"] = json!(format!("api://{CLIENT}"));
    assert!(check(&run(&claims, &settings(), T0), "audience").ok);
    let s = ValidationSettings { audiences: vec!["https://database.windows.net/".into()], ..settings() };
    claims["aud"] = json!("https://database.windows.net");
    let slash = run(&claims, &ValidationSettings { client_id: None, ..s.clone() }, T0);
    assert!(check(&slash, "audience").detail.contains("trailing slash"));
    claims["aud"] = json!("https://graph.microsoft.com");
    let wrong = run(&claims, &ValidationSettings { client_id: None, ..s }, T0);
    let c = check(&wrong, "audience");
    assert!(!c.ok && c.detail.contains("another API") && c.detail.contains("https://graph.microsoft.com"), "{}", c.detail);
}

#[test]
fn issuer_templates_v1_v2_and_common() {
    assert!(check(&run(&v2_claims(), &settings(), T0), "issuer").ok);
    let v1 = ValidationSettings { issuer: Some(entra_jwt::profile::ISSUER_V1.into()), ..settings() };
    let c = run(&v2_claims(), &v1, T0);
    let c = check(&c, "issuer");
    assert!(!c.ok && c.detail.contains("v2 and the setting expects v1"), "{}", c.detail);
    // Common endpoint: no tenant configured, {tenantid} comes from the token.
    let common = ValidationSettings { tenant_id: None, issuer: Some("https://login.microsoftonline.com/{tenantid}/v2.0".into()), ..settings() };
    assert!(check(&run(&v2_claims(), &common, T0), "issuer").ok);
    let mut other = v2_claims();
    other["iss"] = json!("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0");
    assert!(!check(&run(&other, &common, T0), "issuer").ok, "iss must match the token's own tid");
    // Tenant only: either issuer form accepted.
    let tenant_only = ValidationSettings { issuer: None, ..settings() };
    assert!(check(&run(&v2_claims(), &tenant_only, T0), "issuer").ok);
}

#[test]
fn tenant_check() {
    assert!(check(&run(&v2_claims(), &settings(), T0), "tenant").ok);
    let s = ValidationSettings { tenant_id: Some("00000000-0000-0000-0000-000000000009".into()), issuer: None, ..settings() };
    let ins = run(&v2_claims(), &s, T0);
    let c = check(&ins, "tenant");
    assert!(!c.ok && c.detail.contains("another directory"), "{}", c.detail);
}

#[test]
fn required_claims_presence_and_exact_value() {
    let spec = parse_required_claims("roles; tid={TenantId} ;;missing;scp=Access_As_User;roles=Reader").unwrap();
    assert_eq!(spec[0], RequiredClaim { claim: "roles".into(), value: None });
    assert_eq!(spec.len(), 5);
    let s = ValidationSettings { required_claims: spec, ..settings() };
    let ins = run(&v2_claims(), &s, T0);
    assert!(check(&ins, "required_claim:tid").ok);
    assert!(check(&ins, "required_claim:roles").ok);
    assert!(!check(&ins, "required_claim:missing").ok);
    let c = ins.checks.iter().find(|c| c.name == "required_claim:scp").unwrap();
    assert!(!c.ok && c.detail.contains("letter case"), "{}", c.detail);
    assert!(ins.checks.iter().filter(|c| c.name == "required_claim:roles").all(|c| c.ok), "array contains Reader");
    let mut empty = v2_claims();
    empty["roles"] = json!([]);
    let s = ValidationSettings { required_claims: parse_required_claims("roles").unwrap(), ..settings() };
    assert!(!check(&run(&empty, &s, T0), "required_claim:roles").ok, "empty array is not a value");
    let no_tenant = ValidationSettings { tenant_id: None, issuer: None, required_claims: parse_required_claims("tid={TenantId}").unwrap(), ..settings() };
    assert!(check(&run(&v2_claims(), &no_tenant, T0), "required_claim:tid").detail.contains("no Tenant ID"));
    assert!(parse_required_claims("=x").is_err());
    assert!(parse_required_claims("a b=c").is_err());
}

#[test]
fn no_keys_means_signature_not_checked_and_invalid() {
    let t = sign(RS256, Some("test-rsa"), &v2_claims());
    let ins = inspect(&t, &settings(), None, &NoGroupNames, at(T0)).unwrap();
    let c = check(&ins, "signature");
    assert!(!c.ok && c.detail.contains("--jwks"));
    assert!(!ins.valid);
}

#[test]
fn unknown_kid_and_key_issuer() {
    let t = sign(RS256, Some("rolled-over"), &v2_claims());
    let ins = inspect(&t, &settings(), Some(&test_keys()), &NoGroupNames, at(T0)).unwrap();
    let c = check(&ins, "signing_key");
    assert!(!c.ok && c.detail.contains("rolled over"), "{}", c.detail);
    // A key reserved for the personal-accounts tenant must not sign a work tenant's token.
    let t = sign(RS256, Some("test-rsa-msa"), &v2_claims());
    let ins = inspect(&t, &settings(), Some(&test_keys()), &NoGroupNames, at(T0)).unwrap();
    assert!(check(&ins, "signature").ok);
    assert!(!check(&ins, "key_issuer").ok);
}

#[test]
fn unchecked_settings_are_warned() {
    let ins = run(&v2_claims(), &ValidationSettings::default(), T0);
    assert!(ins.warnings.iter().any(|w| w.contains("audience was not checked")));
    assert!(ins.warnings.iter().any(|w| w.contains("issuer was not checked")));
    assert!(ins.warnings.iter().any(|w| w.contains("Skipped key") && w.contains("use is not 'sig'")));
}
