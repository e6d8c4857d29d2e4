//! Decoding: segments, base64url, JSON, objects, JWE, pasted prefixes.
mod common;

use entra_jwt::{decode, Error};
use serde_json::json;

#[test]
fn decodes_header_payload_and_signature() {
    let token = common::sign(jsonwebtoken::Algorithm::RS256, Some("test-rsa"), &common::v2_claims());
    let d = decode(&token).unwrap();
    assert_eq!(d.alg(), Some("RS256"));
    assert_eq!(d.kid(), Some("test-rsa"));
    assert_eq!(d.claim_str("ver"), Some("2.0"));
    assert_eq!(d.signature_len, 256);
    assert!(token.starts_with(&d.signing_input));
}

#[test]
fn bearer_prefix_quotes_and_whitespace_are_tolerated() {
    let token = common::sign(jsonwebtoken::Algorithm::RS256, Some("test-rsa"), &common::v2_claims());
    for pasted in [format!("Bearer {token}"), format!("  \"{token}\"\n"), format!("Authorization: Bearer {token}")] {
        assert!(decode(&pasted).is_ok(), "{pasted}");
    }
}

#[test]
fn wrong_segment_counts() {
    assert!(matches!(decode(""), Err(Error::Empty)));
    assert!(matches!(decode("   "), Err(Error::Empty)));
    assert!(matches!(decode("abc"), Err(Error::SegmentCount(1))));
    assert!(matches!(decode("a.b"), Err(Error::SegmentCount(2))));
    assert!(matches!(decode("a.b.c.d"), Err(Error::SegmentCount(4))));
    let msg = decode("a.b").unwrap_err().to_string();
    assert!(msg.contains("3 segments") && msg.contains("has 2"), "{msg}");
}

#[test]
fn five_segments_is_an_encrypted_jwe() {
    let err = decode("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d").unwrap_err();
    assert!(matches!(err, Error::Encrypted));
    assert!(err.to_string().contains("encrypted"));
    assert!(err.is_decode_error());
}

#[test]
fn bad_base64url_names_the_segment() {
    let err = decode("eyJhbGciOiJSUzI1NiJ9.***.sig").unwrap_err();
    match err {
        Error::Base64 { part, .. } => assert_eq!(part, "payload"),
        other => panic!("{other:?}"),
    }
    let err = decode("!!.eyJhIjoxfQ.sig").unwrap_err();
    assert!(matches!(err, Error::Base64 { part: "header", .. }));
    let err = decode("eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.s$g").unwrap_err();
    assert!(matches!(err, Error::Base64 { part: "signature", .. }));
    let err = decode(".eyJhIjoxfQ.sig").unwrap_err();
    assert!(matches!(err, Error::Base64 { part: "header", .. }));
}

#[test]
fn non_json_and_non_object_parts() {
    use base64::Engine;
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let err = decode(&format!("{}.{}.", e("not json"), e("{}"))).unwrap_err();
    assert!(matches!(err, Error::Json { part: "header", .. }), "{err:?}");
    let err = decode(&format!("{}.{}.", e("{\"alg\":\"RS256\"}"), e("[1,2]"))).unwrap_err();
    assert!(matches!(err, Error::NotObject { part: "payload" }), "{err:?}");
    let err = decode(&format!("{}.{}.", e("\"str\""), e("{}"))).unwrap_err();
    assert!(matches!(err, Error::NotObject { part: "header" }));
}

#[test]
fn unsigned_token_still_decodes() {
    let t = common::raw_token(&json!({"alg":"none"}), &json!({"sub":"x"}), "");
    let d = decode(&t).unwrap();
    assert_eq!(d.signature_len, 0);
    assert_eq!(d.alg(), Some("none"));
}
