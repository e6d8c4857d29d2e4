//! Claims explanations, token kinds, directory roles, groups and overage, Graph tokens.
mod common;

use common::*;
use entra_jwt::kind::{Actor, TokenUse, TokenVersion};
use entra_jwt::{inspect, NoGroupNames, ValidationSettings};
use serde_json::json;
use std::collections::HashMap;

fn explain(claims: &serde_json::Value) -> entra_jwt::Inspection {
    let t = sign(jsonwebtoken::Algorithm::RS256, Some("test-rsa"), claims);
    inspect(&t, &ValidationSettings::default(), None, &NoGroupNames, at(T0)).unwrap()
}

#[test]
fn every_claim_has_a_row_and_known_claims_a_meaning() {
    let ins = explain(&v2_claims());
    assert_eq!(ins.claims.len(), v2_claims().as_object().unwrap().len());
    for name in ["aud", "iss", "tid", "oid", "sub", "ver", "scp", "roles", "wids", "azp", "azpacr", "uti", "exp", "nbf", "iat"] {
        let row = ins.claims.iter().find(|r| r.name == name).unwrap();
        assert!(!row.meaning.is_empty(), "{name} has no meaning");
    }
    let azpacr = ins.claims.iter().find(|r| r.name == "azpacr").unwrap();
    assert_eq!(azpacr.display, "0 (public client (no secret))");
}

#[test]
fn times_in_utc_local_and_relative() {
    let ins = explain(&v2_claims());
    let exp = ins.claims.iter().find(|r| r.name == "exp").unwrap();
    let t = exp.time.as_ref().unwrap();
    assert_eq!(t.utc, "2030-01-01T01:00:00Z");
    assert_eq!(t.relative, "in 60 min");
    assert!(!t.local.is_empty());
    let iat = ins.claims.iter().find(|r| r.name == "iat").unwrap();
    assert_eq!(iat.time.as_ref().unwrap().relative, "60 s ago");
}

#[test]
fn wids_are_named_and_privileged_roles_warned() {
    let ins = explain(&v2_claims());
    assert_eq!(ins.directory_roles[0].name.as_deref(), Some("Global Administrator"));
    let wids = ins.claims.iter().find(|r| r.name == "wids").unwrap();
    assert!(wids.display.contains("62e90394-69f5-4237-9190-012177145e10 (Global Administrator)"));
    assert!(ins.warnings.iter().any(|w| w.contains("privileged directory role: Global Administrator")));
    let unknown = explain(&json!({"wids": ["11111111-2222-3333-4444-555555555555"], "exp": T0}));
    assert_eq!(unknown.directory_roles[0].name, None);
    assert!(unknown.claims.iter().find(|r| r.name == "wids").unwrap().display.contains("not a well-known"));
}

#[test]
fn v2_delegated_access_token() {
    let ins = explain(&v2_claims());
    assert_eq!(ins.kind.version, TokenVersion::V2);
    assert_eq!(ins.kind.token_use, TokenUse::Access);
    assert_eq!(ins.kind.actor, Actor::Delegated);
    assert!(!ins.kind.graph_nonce);
}

#[test]
fn v1_app_only_token_and_id_token() {
    let (_, token, _) = real_tokens().into_iter().find(|(n, ..)| n == "db").unwrap();
    let ins = inspect(&token, &ValidationSettings::default(), None, &NoGroupNames, at(T0)).unwrap();
    assert_eq!(ins.kind.version, TokenVersion::V1);
    assert_eq!(ins.kind.actor, Actor::AppOnly);
    assert_eq!(ins.kind.token_use, TokenUse::Access);
    let appidacr = ins.claims.iter().find(|r| r.name == "appidacr").unwrap();
    assert!(appidacr.display.contains("certificate"));
    assert!(ins.claims.iter().find(|r| r.name == "xms_mirid").unwrap().meaning.contains("Managed identity"));

    let id = explain(&json!({"aud": CLIENT, "iss": "https://login.microsoftonline.com/x/v2.0", "sub": "s", "nonce": "n", "ver": "2.0", "exp": T0}));
    assert_eq!(id.kind.token_use, TokenUse::Id);
    assert_eq!(id.kind.actor, Actor::Delegated);
}

#[test]
fn amr_values_are_explained() {
    let ins = explain(&json!({"amr": ["pwd", "mfa"], "acr": "1", "exp": T0}));
    let amr = ins.claims.iter().find(|r| r.name == "amr").unwrap();
    assert_eq!(amr.display, "pwd (password), mfa (multifactor authentication)");
}

#[test]
fn groups_are_resolved_through_the_cache() {
    let mut names = HashMap::new();
    names.insert("a1".to_string(), "Finance".to_string());
    let t = sign(jsonwebtoken::Algorithm::RS256, None, &json!({"groups": ["a1", "b2"], "exp": T0}));
    let ins = inspect(&t, &ValidationSettings::default(), None, &names, at(T0)).unwrap();
    assert_eq!(ins.groups.groups[0].name.as_deref(), Some("Finance"));
    assert_eq!(ins.groups.groups[1].name, None);
    assert!(!ins.groups.overage);
    assert!(ins.groups.explanation.contains("1 of 2"));
    assert!(ins.claims.iter().find(|r| r.name == "groups").unwrap().display.contains("a1 (Finance)"));
}

#[test]
fn groups_overage_is_detected_and_explained() {
    let ins = explain(&json!({
        "oid": "u1", "exp": T0,
        "_claim_names": {"groups": "src1"},
        "_claim_sources": {"src1": {"endpoint": "https://graph.windows.net/t/users/u1/getMemberObjects"}}
    }));
    assert!(ins.groups.overage);
    assert_eq!(ins.groups.overage_endpoint.as_deref(), Some("https://graph.windows.net/t/users/u1/getMemberObjects"));
    assert!(ins.groups.explanation.contains("/v1.0/users/u1/getMemberObjects"));
    assert!(ins.warnings.iter().any(|w| w.contains("overage")));
    let implicit = explain(&json!({"hasgroups": true, "idtyp": "app", "oid": "sp1", "exp": T0}));
    assert!(implicit.groups.overage);
    assert!(implicit.groups.explanation.contains("servicePrincipals/sp1"));
}

#[test]
fn graph_token_is_recognised() {
    let (_, token, _) = real_tokens().into_iter().find(|(n, ..)| n == "graph").unwrap();
    let ins = inspect(&token, &ValidationSettings::default(), None, &NoGroupNames, at(T0)).unwrap();
    assert!(ins.kind.graph_nonce);
    assert!(ins.kind.summary.contains("Microsoft Graph"));
    assert!(ins.warnings.iter().any(|w| w.contains("only Graph can verify")));
}

#[test]
fn inspection_serialises_for_the_ui() {
    let ins = explain(&v2_claims());
    let v = serde_json::to_value(&ins).unwrap();
    for key in ["header", "payload", "valid", "checks", "claims", "kind", "warnings", "groups", "directoryRoles", "verdict"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["kind"]["version"], "v2");
}
