//! The real Entra tokens verify offline against the JWKS beside them at a clock inside
//! their lifetime, fail outside it, and the Graph token is explained.
mod common;

use common::*;
use entra_jwt::{inspect, NoGroupNames, ValidationSettings};
use serde_json::Value;

fn lifetime(meta: &Value) -> (i64, i64) {
    let p = |k: &str| chrono::DateTime::parse_from_rfc3339(meta[k].as_str().unwrap()).unwrap().timestamp();
    (p("iat"), p("exp"))
}

fn settings_for(meta: &Value) -> ValidationSettings {
    ValidationSettings {
        tenant_id: Some(meta["tid"].as_str().unwrap().into()),
        audiences: vec![meta["aud"].as_str().unwrap().into()],
        issuer: Some(entra_jwt::profile::ISSUER_V1.into()),
        required_claims: entra_jwt::validate::parse_required_claims("tid={TenantId};oid").unwrap(),
        ..Default::default()
    }
}

#[test]
fn verifiable_tokens_pass_inside_their_lifetime() {
    let keys = real_keys();
    let mut verified = 0;
    for (name, token, meta) in real_tokens() {
        let (iat, exp) = lifetime(&meta);
        let ins = inspect(&token, &settings_for(&meta), Some(&keys), &NoGroupNames, at((iat + exp) / 2)).unwrap();
        if meta["signature_verifiable"].as_bool().unwrap() {
            assert!(ins.valid, "{name}: {:#?}", ins.checks);
            assert!(check(&ins, "key_issuer").ok);
            verified += 1;
        } else {
            assert!(!ins.valid, "{name}");
        }
    }
    assert_eq!(verified, 3);
}

#[test]
fn they_fail_outside_their_lifetime() {
    let keys = real_keys();
    for (name, token, meta) in real_tokens().into_iter().filter(|(_, _, m)| m["signature_verifiable"] == true) {
        let (iat, exp) = lifetime(&meta);
        let after = inspect(&token, &settings_for(&meta), Some(&keys), &NoGroupNames, at(exp + 301)).unwrap();
        assert!(!after.valid && !check(&after, "expiry").ok, "{name}");
        assert!(check(&after, "signature").ok, "{name}: the signature stays good");
        let before = inspect(&token, &settings_for(&meta), Some(&keys), &NoGroupNames, at(iat - 301)).unwrap();
        assert!(!before.valid && !check(&before, "not_before").ok, "{name}");
        // Inside the 5-minute skew the token is still accepted.
        assert!(inspect(&token, &settings_for(&meta), Some(&keys), &NoGroupNames, at(exp + 299)).unwrap().valid, "{name}");
    }
}

#[test]
fn graph_token_signature_is_explained_not_silently_failed() {
    let (_, token, meta) = real_tokens().into_iter().find(|(n, ..)| n == "graph").unwrap();
    let (iat, exp) = lifetime(&meta);
    let ins = inspect(&token, &settings_for(&meta), Some(&real_keys()), &NoGroupNames, at((iat + exp) / 2)).unwrap();
    let sig = check(&ins, "signature");
    assert!(!sig.ok);
    assert!(sig.detail.contains("Microsoft Graph") && sig.detail.contains("nonce") && sig.detail.contains("by design"), "{}", sig.detail);
    assert!(check(&ins, "signing_key").ok, "the key itself is found");
    assert!(check(&ins, "expiry").ok);
    assert!(ins.verdict.contains("signature"));
    let roles: Vec<_> = ins.directory_roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(roles, ["0997a1d0-0d1d-4acb-b408-d5ca73121e90"]);
}

#[test]
fn the_common_jwks_parses_every_key_and_its_x5c() {
    let keys = real_keys();
    assert_eq!(keys.keys.len(), 7);
    // Strip n/e so that only the x5c certificate remains: the same tokens still verify.
    let mut doc: Value = serde_json::from_str(&read("entra-jwks-common.json")).unwrap();
    for k in doc["keys"].as_array_mut().unwrap() {
        let o = k.as_object_mut().unwrap();
        o.remove("n");
        o.remove("e");
    }
    let x5c_only = entra_jwt::KeySet::from_jwks_json(&doc.to_string()).unwrap();
    for (name, token, meta) in real_tokens().into_iter().filter(|(_, _, m)| m["signature_verifiable"] == true) {
        let (iat, exp) = lifetime(&meta);
        let ins = inspect(&token, &settings_for(&meta), Some(&x5c_only), &NoGroupNames, at((iat + exp) / 2)).unwrap();
        assert!(ins.valid, "{name}: {:#?}", ins.checks);
    }
}
