//! Fuzzes decode + explain + validate (with the real Entra JWKS and a profile
//! that enables every check). Nothing may panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static entra_jwt::KeySet {
    static KEYS: OnceLock<entra_jwt::KeySet> = OnceLock::new();
    KEYS.get_or_init(|| {
        entra_jwt::KeySet::from_jwks_json(include_str!("../../crates/entra-jwt/tests/fixtures/entra-jwks-common.json")).expect("fixture JWKS")
    })
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let settings = entra_jwt::ValidationSettings {
        tenant_id: Some("3aa4a235-b6e2-48d5-9195-7fcf05b459b0".into()),
        client_id: Some("6ed982c1-5af4-4fe9-991c-5e95aa065a07".into()),
        audiences: vec!["https://database.windows.net/".into()],
        issuer: Some("https://sts.windows.net/{TenantId}/".into()),
        required_claims: entra_jwt::validate::parse_required_claims("tid={TenantId};roles;idtyp=app").unwrap(),
        ..Default::default()
    };
    let now = chrono::DateTime::from_timestamp(1_730_750_000, 0).unwrap();
    if let Ok(ins) = entra_jwt::inspect(&input, &settings, Some(keys()), &entra_jwt::NoGroupNames, now) {
        let _ = serde_json_len(&ins);
    }
    // The settings parsers see the same bytes.
    let _ = entra_jwt::settings_import::import_settings("fuzz", &input);
    let _ = entra_jwt::time::parse_hhmmss(&input);
    let _ = entra_jwt::KeySet::parse(&input);
});

fn serde_json_len(ins: &entra_jwt::Inspection) -> usize {
    format!("{:?}", ins.checks).len()
}
