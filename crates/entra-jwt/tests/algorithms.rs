//! Algorithm families (RS256, PS256, ES256), keys from n/e, x/y, x5c alone, PEM keys and
//! certificates; and the rejections: alg none, HMAC against a public key, key of the wrong type.
mod common;

use common::*;
use entra_jwt::keys::KeyFamily;
use entra_jwt::{inspect, KeySet, NoGroupNames};
use jsonwebtoken::Algorithm;
use serde_json::json;

fn verify(token: &str, keys: &KeySet) -> entra_jwt::Inspection {
    inspect(token, &settings(), Some(keys), &NoGroupNames, at(T0)).unwrap()
}

mod rsa {
    use super::*;

    #[test]
    fn rs256_and_ps256_with_n_e() {
        for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::RS512, Algorithm::PS384] {
            let ins = verify(&sign(alg, Some("test-rsa"), &v2_claims()), &test_keys());
            assert!(ins.valid, "{alg:?}: {:#?}", ins.checks);
        }
    }

    #[test]
    fn x5c_certificate_alone() {
        let ins = verify(&sign(Algorithm::RS256, Some("test-rsa-x5c-only"), &v2_claims()), &test_keys());
        assert!(check(&ins, "signature").ok, "{:#?}", ins.checks);
    }

    #[test]
    fn a_missing_kid_does_not_fall_back_to_a_jwks_key_without_one() {
        // The test JWKS with its RSA key's `kid` removed, beside keys that keep theirs.
        let mut jwks: serde_json::Value = serde_json::from_str(&read("test-jwks.json")).unwrap();
        let keys = jwks["keys"].as_array_mut().unwrap();
        let rsa = keys.iter_mut().find(|k| k["kid"] == "test-rsa").unwrap();
        rsa.as_object_mut().unwrap().remove("kid");
        assert!(keys.iter().any(|k| k.get("kid").is_some()), "the set must still name other keys");
        let keys = KeySet::from_jwks_json(&jwks.to_string()).unwrap();
        let ins = verify(&sign(Algorithm::RS256, Some("test-rsa"), &v2_claims()), &keys);
        let key = check(&ins, "signing_key");
        assert!(!key.ok && !ins.valid, "{:#?}", ins.checks);
        assert!(key.detail.contains("test-rsa"), "{}", key.detail);
        // A token that names no key may still use the unnamed one.
        let ins = verify(&sign(Algorithm::RS256, None, &v2_claims()), &keys);
        assert!(check(&ins, "signature").ok, "{:#?}", ins.checks);
    }

    #[test]
    fn pem_public_key_and_certificate() {
        for file in ["rsa-public.pem", "rsa-cert.pem"] {
            let keys = KeySet::from_pem(&read(file)).unwrap();
            assert_eq!(keys.keys[0].family, KeyFamily::Rsa);
            let ins = verify(&sign(Algorithm::PS256, Some("any-kid"), &v2_claims()), &keys);
            assert!(ins.valid, "{file}: {:#?}", ins.checks);
        }
    }

    #[test]
    fn private_key_pem_is_refused_with_advice() {
        let err = KeySet::from_pem(&read("rsa-private.pem")).unwrap_err().to_string();
        assert!(err.contains("private key"), "{err}");
    }

    #[test]
    fn another_keys_signature_fails() {
        let ins = verify(&sign_with_other_rsa("test-rsa", &v2_claims()), &test_keys());
        let c = check(&ins, "signature");
        assert!(!c.ok && c.detail.contains("altered"), "{}", c.detail);
    }

    #[test]
    fn tampered_payload_fails() {
        let t = sign(Algorithm::RS256, Some("test-rsa"), &v2_claims());
        let parts: Vec<&str> = t.split('.').collect();
        let mut claims = v2_claims();
        claims["roles"] = json!(["Admin"]);
        let forged = raw_token(&serde_json::from_slice(&base64_decode(parts[0])).unwrap(), &claims, parts[2]);
        assert!(!check(&verify(&forged, &test_keys()), "signature").ok);
    }

    fn base64_decode(s: &str) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
    }
}

mod ecdsa {
    use super::*;

    #[test]
    fn es256_with_x_y() {
        let ins = verify(&sign(Algorithm::ES256, Some("test-ec"), &v2_claims()), &test_keys());
        assert!(ins.valid, "{:#?}", ins.checks);
    }

    #[test]
    fn es256_with_x5c_alone_and_pem() {
        let ins = verify(&sign(Algorithm::ES256, Some("test-ec-x5c-only"), &v2_claims()), &test_keys());
        assert!(check(&ins, "signature").ok, "{:#?}", ins.checks);
        for file in ["ec-public.pem", "ec-cert.pem"] {
            let keys = KeySet::from_pem(&read(file)).unwrap();
            assert_eq!(keys.keys[0].family, KeyFamily::EcP256);
            assert!(verify(&sign(Algorithm::ES256, None, &v2_claims()), &keys).valid, "{file}");
        }
    }
}

mod rejected {
    use super::*;

    #[test]
    fn alg_none_is_rejected() {
        for alg in ["none", "None", "NONE"] {
            let t = raw_token(&json!({"alg": alg, "kid": "test-rsa"}), &v2_claims(), "");
            let ins = verify(&t, &test_keys());
            let c = check(&ins, "algorithm");
            assert!(!c.ok && c.detail.contains("unsigned"), "{}", c.detail);
            assert!(!ins.valid);
        }
        let missing = raw_token(&json!({"typ": "JWT"}), &v2_claims(), "");
        assert!(!check(&verify(&missing, &test_keys()), "algorithm").ok);
    }

    #[test]
    fn hs256_against_an_rsa_key_is_rejected() {
        // The classic confusion: HMAC keyed with the public key's bytes.
        let t = sign(Algorithm::HS256, Some("test-rsa"), &v2_claims());
        let ins = verify(&t, &test_keys());
        let c = check(&ins, "algorithm");
        assert!(!c.ok && c.detail.contains("algorithm-confusion"), "{}", c.detail);
        assert!(!ins.checks.iter().any(|c| c.name == "signature" && c.ok));
        let pem = KeySet::from_pem(&read("rsa-public.pem")).unwrap();
        assert!(!verify(&t, &pem).valid);
    }

    #[test]
    fn wrong_key_type_is_rejected_before_verifying() {
        // ES256 header pointing at an RSA key, and RS256 at an EC key.
        let es = sign(Algorithm::ES256, Some("test-rsa"), &v2_claims());
        let c = verify(&es, &test_keys());
        let c = check(&c, "key_type");
        assert!(!c.ok && c.detail.contains("an RSA key"), "{}", c.detail);
        let rs = sign(Algorithm::RS256, Some("test-ec"), &v2_claims());
        assert!(!check(&verify(&rs, &test_keys()), "key_type").ok);
    }

    #[test]
    fn unknown_and_eddsa_algorithms() {
        for alg in ["XYZ", "EdDSA", "RSA-OAEP"] {
            let t = raw_token(&json!({"alg": alg, "kid": "test-rsa"}), &v2_claims(), "c2ln");
            assert!(!check(&verify(&t, &test_keys()), "algorithm").ok, "{alg}");
        }
    }
}

#[test]
fn bad_jwks_inputs() {
    assert!(KeySet::from_jwks_json("not json").is_err());
    assert!(KeySet::from_jwks_json("{\"foo\":1}").is_err());
    assert!(KeySet::from_jwks_json("{\"keys\":[{\"kty\":\"oct\",\"k\":\"abc\"}]}").is_err());
    let err = KeySet::from_jwks_json("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}]}").unwrap_err();
    assert!(err.to_string().contains("32 bytes"), "{err}");
    let err = KeySet::from_jwks_json("{\"keys\":[{\"kty\":\"RSA\",\"x5c\":[\"bm90IGEgY2VydA==\"]}]}").unwrap_err();
    assert!(err.to_string().contains("X.509"), "{err}");
    assert!(KeySet::parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
}
