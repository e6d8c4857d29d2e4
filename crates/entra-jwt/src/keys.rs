//! Public keys for signature checks: from a JWKS (`n`/`e`, EC `x`/`y`, or the
//! `x5c` certificate alone), or from PEM (public key or certificate).
//!
//! Certificates are parsed with `x509-cert`; only the SubjectPublicKeyInfo
//! is used (chain and validity are not Entra's trust model: the JWKS is).

use crate::error::{Error, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::DecodingKey;
use serde::Serialize;
use serde_json::Value;
use x509_cert::der::Decode;
use x509_cert::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

/// The key type, which decides which algorithms the key may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyFamily {
    /// RSA: RS256/384/512 and PS256/384/512.
    Rsa,
    /// Elliptic curve P-256: ES256.
    EcP256,
    /// Elliptic curve P-384: ES384.
    EcP384,
}

impl KeyFamily {
    /// Algorithms this key family can verify.
    pub fn algorithms(self) -> &'static [&'static str] {
        match self {
            KeyFamily::Rsa => &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
            KeyFamily::EcP256 => &["ES256"],
            KeyFamily::EcP384 => &["ES384"],
        }
    }

    /// Human name: "an RSA key".
    pub fn describe(self) -> &'static str {
        match self {
            KeyFamily::Rsa => "an RSA key",
            KeyFamily::EcP256 => "an EC P-256 key",
            KeyFamily::EcP384 => "an EC P-384 key",
        }
    }
}

/// One verification key.
#[derive(Clone)]
pub struct PublicKey {
    /// The key ID (`kid`), if the key has one (PEM keys do not).
    pub kid: Option<String>,
    /// The certificate thumbprint (`x5t`), if given.
    pub x5t: Option<String>,
    /// The key type.
    pub family: KeyFamily,
    /// Entra's `issuer` member of the JWKS key, if present.
    pub issuer: Option<String>,
    /// Where the key came from, for messages: "JWKS key 3", "PEM certificate".
    pub source: String,
    pub(crate) key: DecodingKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("kid", &self.kid)
            .field("family", &self.family)
            .field("issuer", &self.issuer)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// A set of verification keys.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    /// The usable keys.
    pub keys: Vec<PublicKey>,
    /// Keys in the input that were skipped, with the reason.
    pub skipped: Vec<String>,
}

const RSA_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

fn from_spki_der(der: &[u8]) -> Result<(KeyFamily, DecodingKey)> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| Error::Key(format!("not a SubjectPublicKeyInfo: {e}")))?;
    from_spki(&spki)
}

fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<(KeyFamily, DecodingKey)> {
    let bits = spki.subject_public_key.raw_bytes();
    if spki.algorithm.oid == RSA_OID {
        return Ok((KeyFamily::Rsa, DecodingKey::from_rsa_der(bits)));
    }
    if spki.algorithm.oid == EC_OID {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        return match curve {
            Some(c) if c == P256_OID => Ok((KeyFamily::EcP256, DecodingKey::from_ec_der(bits))),
            Some(c) if c == P384_OID => Ok((KeyFamily::EcP384, DecodingKey::from_ec_der(bits))),
            other => Err(Error::Key(format!("unsupported elliptic curve {other:?}: only P-256 and P-384 are supported"))),
        };
    }
    Err(Error::Key(format!(
        "unsupported public key algorithm {}: Entra signs with RSA; EC P-256/P-384 are also accepted",
        spki.algorithm.oid
    )))
}

/// Reads the public key of a DER X.509 certificate.
pub fn from_certificate_der(der: &[u8]) -> Result<(KeyFamily, DecodingKey)> {
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| Error::Key(format!("not an X.509 certificate: {e}")))?;
    let spki_der = x509_cert::der::Encode::to_der(&cert.tbs_certificate.subject_public_key_info)
        .map_err(|e| Error::Key(format!("cannot re-encode the certificate's public key: {e}")))?;
    from_spki_der(&spki_der)
}

fn jwk_key(jwk: &Value) -> Result<(KeyFamily, DecodingKey)> {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str);
    let x5c = jwk.get("x5c").and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_str);
    let from_x5c = |cert: &str| -> Result<(KeyFamily, DecodingKey)> {
        let der = STANDARD
            .decode(cert.trim())
            .map_err(|e| Error::Key(format!("x5c is not base64: {e}")))?;
        from_certificate_der(&der)
    };
    match s("kty") {
        Some("RSA") => match (s("n"), s("e")) {
            (Some(n), Some(e)) => DecodingKey::from_rsa_components(n, e)
                .map(|k| (KeyFamily::Rsa, k))
                .map_err(|e| Error::Key(format!("bad RSA n/e: {e}"))),
            _ => match x5c {
                Some(c) => from_x5c(c),
                None => Err(Error::Key("RSA key without n/e or x5c".into())),
            },
        },
        Some("EC") => match (s("crv"), s("x"), s("y")) {
            (Some(crv @ ("P-256" | "P-384")), Some(x), Some(y)) => {
                let family = if crv == "P-256" { KeyFamily::EcP256 } else { KeyFamily::EcP384 };
                let want = if family == KeyFamily::EcP256 { 32 } else { 48 };
                let len_ok = |v: &str| crate::decode::b64("key", v).map(|b| b.len() == want).unwrap_or(false);
                if !len_ok(x) || !len_ok(y) {
                    return Err(Error::Key(format!("EC {crv} coordinates must be {want} bytes of base64url")));
                }
                DecodingKey::from_ec_components(x, y)
                    .map(|k| (family, k))
                    .map_err(|e| Error::Key(format!("bad EC x/y: {e}")))
            }
            (Some(crv), Some(_), Some(_)) => Err(Error::Key(format!("unsupported curve {crv}"))),
            _ => match x5c {
                Some(c) => from_x5c(c),
                None => Err(Error::Key("EC key without crv/x/y or x5c".into())),
            },
        },
        Some(other) => Err(Error::Key(format!("key type {other} cannot verify Entra tokens"))),
        None => match x5c {
            Some(c) => from_x5c(c),
            None => Err(Error::Key("key without kty".into())),
        },
    }
}

impl KeySet {
    /// Parses a JWKS document (`{"keys":[…]}`) or a single JWK. Unusable keys are skipped and listed.
    pub fn from_jwks_json(text: &str) -> Result<KeySet> {
        let doc: Value = serde_json::from_str(text).map_err(|e| Error::Key(format!("the JWKS is not JSON: {e}")))?;
        let list = match (&doc, doc.get("keys")) {
            (_, Some(Value::Array(keys))) => keys.clone(),
            (Value::Object(o), None) if o.contains_key("kty") || o.contains_key("x5c") => vec![doc.clone()],
            _ => return Err(Error::Key("the JSON is not a JWKS: expected an object with a \"keys\" array".into())),
        };
        let mut set = KeySet::default();
        for (i, jwk) in list.iter().enumerate() {
            let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
            let label = format!("JWKS key {}{}", i + 1, kid.as_deref().map(|k| format!(" (kid {k})")).unwrap_or_default());
            if jwk.get("use").and_then(Value::as_str).is_some_and(|u| u != "sig") {
                set.skipped.push(format!("{label}: use is not 'sig'"));
                continue;
            }
            match jwk_key(jwk) {
                Ok((family, key)) => set.keys.push(PublicKey {
                    kid,
                    x5t: jwk.get("x5t").and_then(Value::as_str).map(str::to_string),
                    family,
                    issuer: jwk.get("issuer").and_then(Value::as_str).map(str::to_string),
                    source: label,
                    key,
                }),
                Err(e) => set.skipped.push(format!("{label}: {e}")),
            }
        }
        if set.keys.is_empty() {
            return Err(Error::Key(format!(
                "the JWKS has no usable signing key{}",
                if set.skipped.is_empty() { String::new() } else { format!(" ({})", set.skipped.join("; ")) }
            )));
        }
        Ok(set)
    }

    /// Parses PEM text: public keys (`PUBLIC KEY`, `RSA PUBLIC KEY`) and certificates; several blocks allowed.
    pub fn from_pem(text: &str) -> Result<KeySet> {
        let mut set = KeySet::default();
        let mut rest = text;
        let mut n = 0;
        while let Some(start) = rest.find("-----BEGIN ") {
            let after = &rest[start + 11..];
            let Some(label_end) = after.find("-----") else { break };
            let label = &after[..label_end];
            let body_start = &after[label_end + 5..];
            let end_marker = format!("-----END {label}-----");
            let Some(end) = body_start.find(&end_marker) else {
                return Err(Error::Key(format!("PEM block '{label}' has no END line")));
            };
            let body: String = body_start[..end].chars().filter(|c| !c.is_whitespace()).collect();
            rest = &body_start[end + end_marker.len()..];
            n += 1;
            let der = STANDARD.decode(body.as_bytes()).map_err(|e| Error::Key(format!("PEM block {n} is not base64: {e}")))?;
            let (family, key) = match label {
                "CERTIFICATE" => from_certificate_der(&der)?,
                "PUBLIC KEY" => from_spki_der(&der)?,
                "RSA PUBLIC KEY" => (KeyFamily::Rsa, DecodingKey::from_rsa_der(&der)),
                l if l.contains("PRIVATE KEY") => {
                    return Err(Error::Key(
                        "this PEM holds a private key: give the public key or the certificate instead (and keep the private key secret)".into(),
                    ))
                }
                other => return Err(Error::Key(format!("unsupported PEM block '{other}'"))),
            };
            set.keys.push(PublicKey {
                kid: None,
                x5t: None,
                family,
                issuer: None,
                source: format!("PEM {} {n}", label.to_ascii_lowercase()),
                key,
            });
        }
        if set.keys.is_empty() {
            return Err(Error::Key("no PEM block found: expected -----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----".into()));
        }
        Ok(set)
    }

    /// Parses a JWKS or PEM, whichever the text is.
    pub fn parse(text: &str) -> Result<KeySet> {
        if text.contains("-----BEGIN ") {
            KeySet::from_pem(text)
        } else {
            KeySet::from_jwks_json(text)
        }
    }

    /// Reads a JWKS or PEM file.
    pub fn from_file(path: &std::path::Path) -> Result<KeySet> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io(format!("Cannot read the key file {}: {e}; check the path", path.display())))?;
        KeySet::parse(&text)
    }

    /// The key for a token header: by `kid` (or `x5t`). A key without a `kid` stands in only
    /// when the set has no key with one (a PEM file, chosen for this token by the user): in a
    /// JWKS, a token naming a `kid` that is missing gets no key, so the caller refreshes the
    /// keys (rate-limited) and then fails, instead of trying an unrelated key.
    pub fn find(&self, kid: Option<&str>, x5t: Option<&str>) -> Option<&PublicKey> {
        let by_id = |k: &&PublicKey| {
            kid.is_some_and(|id| k.kid.as_deref() == Some(id)) || (kid.is_none() && x5t.is_some_and(|t| k.x5t.as_deref() == Some(t)))
        };
        if let Some(key) = self.keys.iter().find(by_id) {
            return Some(key);
        }
        let only_unnamed_keys = self.keys.iter().all(|k| k.kid.is_none());
        if kid.is_none() || only_unnamed_keys {
            if let Some(key) = self.keys.iter().find(|k| k.kid.is_none()) {
                return Some(key);
            }
        }
        (kid.is_none() && x5t.is_none() && self.keys.len() == 1).then(|| &self.keys[0])
    }

    /// The key IDs, for messages.
    pub fn kids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.kid.clone().unwrap_or_else(|| k.source.clone())).collect()
    }
}
