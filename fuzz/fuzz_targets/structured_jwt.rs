//! Fuzzes the inspector past the base64 and JSON layers: the input is cut into a header
//! and a payload, each made valid JSON where it can be (a random object otherwise),
//! base64url-encoded and joined with a signature, so most runs reach claim explanation
//! and every validation check. Nothing may panic on any input.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static entra_jwt::KeySet {
    static KEYS: OnceLock<entra_jwt::KeySet> = OnceLock::new();
    KEYS.get_or_init(|| {
        entra_jwt::KeySet::from_jwks_json(include_str!("../../crates/entra-jwt/tests/fixtures/entra-jwks-common.json")).expect("fixture JWKS")
    })
}

/// The bytes as JSON if they parse; otherwise an object whose values are the bytes' pieces,
/// under the claim names the inspector explains, so odd types reach every explainer.
fn json_object(bytes: &[u8]) -> Vec<u8> {
    if serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
        return bytes.to_vec();
    }
    const NAMES: &[&str] = &[
        "alg", "kid", "typ", "x5t", "aud", "iss", "tid", "exp", "nbf", "iat", "scp", "roles", "wids", "groups", "amr", "idtyp",
        "ver", "azp", "appid", "oid", "_claim_names", "_claim_sources", "hasgroups", "xms_cc", "acct", "auth_time",
    ];
    let text = String::from_utf8_lossy(bytes);
    let mut map = serde_json::Map::new();
    for (i, piece) in text.split('\u{1}').enumerate() {
        let name = NAMES[i % NAMES.len()];
        let value = match i % 5 {
            0 => serde_json::Value::String(piece.to_string()),
            1 => piece.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(serde_json::Value::Null, serde_json::Value::Number),
            2 => serde_json::Value::Array(piece.split(' ').map(|s| serde_json::Value::String(s.to_string())).collect()),
            3 => serde_json::Value::Bool(piece.len() % 2 == 0),
            _ => serde_json::json!({ "x": piece }),
        };
        map.insert(name.to_string(), value);
    }
    serde_json::to_vec(&serde_json::Value::Object(map)).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    // The first byte says where the header ends and the payload begins.
    let (first, rest) = data.split_first().map_or((0, &[][..]), |(f, r)| (*f as usize, r));
    let (header, payload) = rest.split_at(first % (rest.len() + 1));
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let token = format!("{}.{}.{}", b64.encode(json_object(header)), b64.encode(json_object(payload)), b64.encode(&data[..data.len().min(64)]));
    let settings = entra_jwt::ValidationSettings {
        tenant_id: Some("3aa4a235-b6e2-48d5-9195-7fcf05b459b0".into()),
        client_id: Some("6ed982c1-5af4-4fe9-991c-5e95aa065a07".into()),
        audiences: vec!["https://database.windows.net/".into()],
        issuer: Some("https://sts.windows.net/{TenantId}/".into()),
        required_claims: entra_jwt::validate::parse_required_claims("tid={TenantId};roles;idtyp=app").unwrap(),
        ..Default::default()
    };
    let now = chrono::DateTime::from_timestamp(1_730_750_000, 0).unwrap();
    if let Ok(ins) = entra_jwt::inspect(&token, &settings, Some(keys()), &entra_jwt::NoGroupNames, now) {
        let _ = format!("{:?}", ins).len();
    }
});
