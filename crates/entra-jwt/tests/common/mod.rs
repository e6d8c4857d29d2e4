//! Shared helpers: fixtures, token signing with the fixture keys, clocks.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::path::PathBuf;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const CLIENT: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
/// The clock of synthetic tokens: 2030-01-01T00:00:00Z.
pub const T0: i64 = 1_893_456_000;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

pub fn at(unix: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(unix, 0).unwrap()
}

pub fn test_keys() -> entra_jwt::KeySet {
    entra_jwt::KeySet::from_jwks_json(&read("test-jwks.json")).unwrap()
}

pub fn real_keys() -> entra_jwt::KeySet {
    entra_jwt::KeySet::from_jwks_json(&read("entra-jwks-common.json")).unwrap()
}

/// (name, token, iat, exp) of the real tokens.
pub fn real_tokens() -> Vec<(String, String, Value)> {
    let doc: Value = serde_json::from_str(&read("real-tokens.json")).unwrap();
    doc["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t["token"].as_str().unwrap().to_string(), t.clone()))
        .collect()
}

/// A v2 delegated access token's claims, valid around T0.
pub fn v2_claims() -> Value {
    json!({
        "aud": CLIENT,
        "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "iat": T0 - 60,
        "nbf": T0 - 60,
        "exp": T0 + 3600,
        "azp": "0d8a1bde-0000-4000-8000-000000000001",
        "azpacr": "0",
        "name": "Abe Lincoln",
        "oid": "690222be-ff1a-4d56-abd1-7e4f7d38e474",
        "preferred_username": "abeli@microsoft.com",
        "scp": "access_as_user",
        "roles": ["Reader"],
        "sub": "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ",
        "tid": TENANT,
        "uti": "fqiBqXLPj0eQa82S-IYFAA",
        "ver": "2.0",
        "wids": ["62e90394-69f5-4237-9190-012177145e10", "b79fbf4d-3ef9-4689-8143-76b194e85509"]
    })
}

pub fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    let key = match alg {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => {
            EncodingKey::from_rsa_pem(read("rsa-private.pem").as_bytes()).unwrap()
        }
        Algorithm::ES256 => EncodingKey::from_ec_pem(read("ec-private.pem").as_bytes()).unwrap(),
        _ => EncodingKey::from_secret(b"shared-secret"),
    };
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

pub fn sign_with_other_rsa(kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_pem(read("rsa-other-private.pem").as_bytes()).unwrap()).unwrap()
}

/// Builds a token from raw header and payload JSON, with the given signature segment.
pub fn raw_token(header: &Value, payload: &Value, signature: &str) -> String {
    use base64::Engine;
    let e = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!("{}.{}.{signature}", e(header), e(payload))
}

pub fn settings() -> entra_jwt::ValidationSettings {
    entra_jwt::ValidationSettings {
        tenant_id: Some(TENANT.into()),
        client_id: Some(CLIENT.into()),
        issuer: Some(entra_jwt::profile::ISSUER_V2.into()),
        ..Default::default()
    }
}

pub fn check<'a>(ins: &'a entra_jwt::Inspection, name: &str) -> &'a entra_jwt::Check {
    ins.checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name} in {:#?}", ins.checks))
}
