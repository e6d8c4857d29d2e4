//! RSA key material derived from the seed: the tenant's token-signing keys
//! (published in the JWKS, rotated by `DemoTenant::rotate_signing_key`) and the
//! certificate client's key.
//!
//! Each key is `derive(seed, purpose, index)`: a ChaCha20 RNG seeded with
//! SHA-256 of those three values drives RSA-2048 key generation, so no private
//! key ever needs to be stored to survive a restart. Certificates are made
//! deterministic too (fixed validity, serial derived from the public key by
//! rcgen, PKCS#1 v1.5 signatures), so `kid`/`x5t` are stable across restarts
//! and tokens issued before a restart still verify after it.
//!
//! Key generation is CPU-heavy (and slower in debug builds), so every key is
//! generated at most once per process and cached by `(seed, purpose, index)`.

use anyhow::Context;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// A derived RSA key with a self-signed certificate of its public half.
pub struct RsaMaterial {
    /// PKCS#8 DER of the private key (written to disk only for the certificate client).
    pub pkcs8_der: Vec<u8>,
    /// DER of the self-signed certificate.
    pub cert_der: Vec<u8>,
    /// Modulus, base64url without padding (JWK `n`).
    pub n: String,
    /// Public exponent, base64url without padding (JWK `e`).
    pub e: String,
    /// base64url SHA-1 thumbprint of the certificate (JWK/JWS `x5t`).
    pub x5t: String,
    /// base64url SHA-256 thumbprint of the certificate (JWS `x5t#S256`).
    pub x5t_s256: String,
    /// For signing JWTs (RS256).
    pub encoding: EncodingKey,
    /// For verifying JWTs signed by this key (RS256 or PS256).
    pub decoding: DecodingKey,
}

impl std::fmt::Debug for RsaMaterial {
    // Never print key bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaMaterial").field("x5t", &self.x5t).finish_non_exhaustive()
    }
}

impl RsaMaterial {
    /// The certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem_block("CERTIFICATE", &self.cert_der)
    }

    /// The private key as PKCS#8 PEM.
    pub fn private_key_pem(&self) -> String {
        pem_block("PRIVATE KEY", &self.pkcs8_der)
    }
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

type CacheKey = (u64, &'static str, u64);
type Slot = Arc<OnceLock<Result<Arc<RsaMaterial>, String>>>;

fn cache() -> &'static Mutex<HashMap<CacheKey, Slot>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Slot>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// `derive(seed, purpose, index)`, generated once per process. Blocking (RSA
/// key generation): call from `spawn_blocking` in async code.
pub fn derive(seed: u64, purpose: &'static str, index: u64) -> anyhow::Result<Arc<RsaMaterial>> {
    let slot = {
        let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
        map.entry((seed, purpose, index)).or_default().clone()
    };
    // Concurrent callers of the same key wait for the first one instead of
    // generating it twice.
    slot.get_or_init(|| generate(seed, purpose, index).map(Arc::new).map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(|e| anyhow::anyhow!(e))
}

fn generate(seed: u64, purpose: &str, index: u64) -> anyhow::Result<RsaMaterial> {
    let digest = Sha256::digest(format!("entra-demo/{purpose}/{seed}/{index}").as_bytes());
    let mut rng = ChaCha20Rng::from_seed(digest.into());
    let private = RsaPrivateKey::new(&mut rng, 2048).context("RSA key generation")?;
    let pkcs8_der = private.to_pkcs8_der().context("PKCS#8 encoding")?.as_bytes().to_vec();
    let pkcs1_der = private.to_pkcs1_der().context("PKCS#1 encoding")?.as_bytes().to_vec();

    let key_pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(
        &rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8_der.clone()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .context("importing the RSA key into rcgen")?;
    let mut params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, format!("entra-demo {purpose} {index}"));
    params.distinguished_name = name;
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    let cert = params.self_signed(&key_pair).context("self-signing the key's certificate")?;
    let cert_der = cert.der().to_vec();

    let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
    let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
    let decoding = DecodingKey::from_rsa_components(&n, &e).context("decoding key")?;
    Ok(RsaMaterial {
        x5t: URL_SAFE_NO_PAD.encode(Sha1::digest(&cert_der)),
        x5t_s256: URL_SAFE_NO_PAD.encode(Sha256::digest(&cert_der)),
        encoding: EncodingKey::from_rsa_der(&pkcs1_der),
        decoding,
        pkcs8_der,
        cert_der,
        n,
        e,
    })
}

/// Purpose name of the token-signing keys.
pub const SIGNING: &str = "signing";

/// The tenant's signing keys: generation `current` signs; `current - 1` (the
/// key just rotated out) and `current + 1` (the next key, pre-published the way
/// Entra publishes keys before it uses them) are also in the JWKS.
pub struct KeyRing {
    seed: u64,
    current: Mutex<u64>,
    /// `state.json` in the state folder, when the tenant persists.
    state_file: Option<PathBuf>,
}

impl KeyRing {
    /// Loads the current generation from `state_file` (0 when absent).
    pub fn load(seed: u64, state_file: Option<PathBuf>) -> anyhow::Result<Self> {
        let current = match &state_file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let state: PersistedKeys = serde_json::from_str(&text)
                    .with_context(|| format!("parsing {}", path.display()))?;
                state.key_generation
            }
            _ => 0,
        };
        Ok(Self { seed, current: Mutex::new(current), state_file })
    }

    /// The generation that signs new tokens.
    pub fn current_generation(&self) -> u64 {
        *self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Generations published in the JWKS, oldest first.
    pub fn published_generations(&self) -> Vec<u64> {
        let current = self.current_generation();
        let mut gens = Vec::with_capacity(3);
        if current > 0 {
            gens.push(current - 1);
        }
        gens.push(current);
        gens.push(current + 1);
        gens
    }

    /// Makes the next generation current, persists that, and warms the key
    /// after it in the background so the JWKS can pre-publish it.
    pub fn rotate(&self) {
        let next = {
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            *current += 1;
            *current
        };
        if let Some(path) = &self.state_file {
            if let Err(err) = write_atomic(path, &PersistedKeys { key_generation: next }) {
                tracing::warn!("cannot persist the key generation: {err:#}");
            }
        }
        let seed = self.seed;
        std::thread::spawn(move || {
            let _ = derive(seed, SIGNING, next);
            let _ = derive(seed, SIGNING, next + 1);
        });
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PersistedKeys {
    key_generation: u64,
}

/// Writes JSON to `path` atomically (see [`crate::files::write_atomic`]).
pub fn write_atomic<T: serde::Serialize>(path: &std::path::Path, value: &T) -> anyhow::Result<()> {
    crate::files::write_atomic(path, &serde_json::to_vec_pretty(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_and_distinct() {
        let a = derive(7, SIGNING, 0).unwrap();
        let again = generate(7, SIGNING, 0).unwrap();
        assert_eq!(a.n, again.n);
        assert_eq!(a.cert_der, again.cert_der, "certificates must be reproducible");
        let b = derive(7, SIGNING, 1).unwrap();
        assert_ne!(a.n, b.n);
        assert_ne!(a.x5t, b.x5t);
    }
}
