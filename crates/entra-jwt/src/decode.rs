//! Splitting and decoding a compact JWS, with no verification and no network.
//!
//! This is the first of the two decodes (as in jwt-cli): it always succeeds on
//! a well-formed token, so the header and claims can be shown even when the
//! signature or the claims turn out to be invalid.

use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};

/// A token split into its parts and decoded, not yet verified.
#[derive(Debug, Clone, Serialize)]
pub struct Decoded {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub payload: Map<String, Value>,
    /// The signature segment as it appeared (base64url).
    pub signature: String,
    /// Length of the decoded signature in bytes.
    pub signature_len: usize,
    /// `header.payload`, the bytes the signature covers.
    #[serde(skip)]
    pub signing_input: String,
}

impl Decoded {
    /// The header's `alg`, if it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// The header's `kid`, if it is a string.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// A string claim.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.payload.get(name).and_then(Value::as_str)
    }

    /// A numeric date claim (`exp`, `nbf`, `iat`…), in seconds since the epoch.
    pub fn claim_time(&self, name: &str) -> Option<i64> {
        match self.payload.get(name)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| f as i64)),
            _ => None,
        }
    }
}

/// Strips what people paste around a token: whitespace, quotes and an `Authorization: Bearer` prefix.
pub fn clean_input(input: &str) -> &str {
    let mut s = input.trim();
    for prefix in ["Authorization:", "authorization:"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
        }
    }
    for prefix in ["Bearer ", "bearer ", "BEARER "] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
        }
    }
    s.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace())
}

/// Decodes a compact JWT (after [`clean_input`]) without verifying anything.
pub fn decode(input: &str) -> Result<Decoded> {
    let token = clean_input(input);
    if token.is_empty() {
        return Err(Error::Empty);
    }
    let segments = token.split('.').count();
    if segments == 5 {
        return Err(Error::Encrypted);
    }
    if segments != 3 {
        return Err(Error::SegmentCount(segments));
    }
    let mut parts = token.split('.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s)) => (h, p, s),
        _ => return Err(Error::SegmentCount(segments)),
    };
    let header = object("header", h)?;
    let payload = object("payload", p)?;
    let signature_len = b64("signature", s)?.len();
    Ok(Decoded {
        header,
        payload,
        signature: s.to_string(),
        signature_len,
        signing_input: token[..h.len() + 1 + p.len()].to_string(),
    })
}

/// Decodes one base64url segment (padding tolerated).
pub(crate) fn b64(part: &'static str, segment: &str) -> Result<Vec<u8>> {
    if segment.is_empty() && part != "signature" {
        return Err(Error::Base64 { part, reason: "the segment is empty".into() });
    }
    URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|e| Error::Base64 { part, reason: e.to_string() })
}

fn object(part: &'static str, segment: &str) -> Result<Map<String, Value>> {
    let bytes = b64(part, segment)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::NotObject { part }),
        Err(e) => Err(Error::Json { part, reason: e.to_string() }),
    }
}
