//! Decode + validate an RS256 token with keys already loaded (the cached-keys case),
//! per token, next to jsonwebtoken's own `decode` with a ready `DecodingKey` doing
//! the same work (signature, exp/nbf, aud, iss) in the same run.
//!
//! Run: `cargo bench -p entra-jwt --bench decode_validate` (prints ns/token; not part of `cargo test`).

use chrono::Utc;
use entra_jwt::{decode, validate, KeySet, NoGroupNames, ValidationSettings};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use std::hint::black_box;
use std::time::Instant;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const AUD: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn time<F: FnMut()>(label: &str, iters: u32, mut f: F) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let ns = start.elapsed().as_nanos() as f64 / iters as f64;
    println!("{label:<58} {ns:>10.0} ns/token  ({iters} tokens)");
    ns
}

fn main() {
    let now = Utc::now().timestamp();
    let claims = serde_json::json!({
        "aud": AUD, "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "tid": TENANT, "ver": "2.0",
        "oid": "690222be-ff1a-4d56-abd1-7e4f7d38e474", "sub": "s", "scp": "access_as_user", "azp": "c", "azpacr": "0",
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test-rsa".into());
    let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(fixture("rsa-private.pem").as_bytes()).unwrap()).unwrap();

    let keys = KeySet::from_jwks_json(&fixture("test-jwks.json")).unwrap();
    let settings = ValidationSettings {
        tenant_id: Some(TENANT.into()),
        audiences: vec![AUD.into()],
        issuer: Some("https://login.microsoftonline.com/{TenantId}/v2.0".into()),
        ..Default::default()
    };
    let jwk: serde_json::Value = serde_json::from_str(&fixture("test-jwks.json")).unwrap();
    let k = &jwk["keys"][0];
    let ready = DecodingKey::from_rsa_components(k["n"].as_str().unwrap(), k["e"].as_str().unwrap()).unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[AUD]);
    v.set_issuer(&[format!("https://login.microsoftonline.com/{TENANT}/v2.0")]);
    v.leeway = 300;
    v.validate_nbf = true;

    // Sanity: both accept the token.
    let now_dt = Utc::now();
    assert!(validate::validate(&decode(&token).unwrap(), &settings, Some(&keys), now_dt).iter().all(|c| c.ok));
    assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &ready, &v).is_ok());

    let iters = std::env::var("BENCH_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    println!("RS256 (2048-bit), keys already loaded, {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let ours = time("entra-jwt: decode + validate (9 checks)", iters, || {
        let d = decode(black_box(&token)).unwrap();
        black_box(validate::validate(&d, &settings, Some(&keys), now_dt));
    });
    let theirs = time("jsonwebtoken 9: decode::<Value> with a ready DecodingKey", iters, || {
        black_box(jsonwebtoken::decode::<serde_json::Value>(black_box(&token), &ready, &v).unwrap());
    });
    time("entra-jwt: full inspect (claims table, kind, checks)", iters / 4, || {
        black_box(entra_jwt::inspect(black_box(&token), &settings, Some(&keys), &NoGroupNames, now_dt).unwrap());
    });
    time("entra-jwt: decode only (no verification)", iters * 5, || {
        black_box(decode(black_box(&token)).unwrap());
    });
    println!("ratio entra-jwt / jsonwebtoken: {:.2}", ours / theirs);
}
