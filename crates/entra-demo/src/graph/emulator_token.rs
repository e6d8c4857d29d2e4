//! [`EmulatorToken`]: the per-run secret of the `/_emulator` control routes (`emulator`).
//!
//! **Why a token.** The tenant listens on loopback, but loopback is not private: any local
//! process, and any web page the user opens (a `no-cors` POST needs no preflight), can reach
//! it. Without a secret, anyone could turn faults on under a running app or reset its stats.
//! So each run draws a token from the OS CSPRNG (`DemoOptions::emulator_token` may hand one
//! in instead) and the routes live under it: the address clients are given,
//! `DemoInfo::emulator` (`http(s)://127.0.0.1:PORT/_emulator/<token>`), carries it as a path
//! segment, so a client that appends `/faults` or `/stats` to it works unchanged. It is
//! compared in constant time (as SHA-256 digests, so its length does not show either) and
//! never echoed, logged or shown by `Debug`: the one place it appears is the `DemoInfo`, which
//! already carries the demo clients' secrets.

use sha2::{Digest, Sha256};

/// The environment variable an embedding app may read to be handed its demo tenant's token
/// (`DemoOptions::emulator_token`) instead of drawing one: Entra Desk's shell reads it, so
/// that the end-to-end harness, which launches the app and draws the token itself, can reach
/// the app's control routes.
pub const EMULATOR_TOKEN_ENV: &str = "ENTRA_DESK_DEMO_EMULATOR_TOKEN";

/// The per-run secret of the `/_emulator` routes (see the module doc). Its `Debug` is redacted.
#[derive(Clone)]
pub struct EmulatorToken(String);

impl std::fmt::Debug for EmulatorToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmulatorToken([redacted])")
    }
}

impl EmulatorToken {
    /// Fewest characters of a token handed in ([`EmulatorToken::new`]): 192 bits in base64url.
    pub const MIN_LEN: usize = 32;
    /// Most characters of a token handed in.
    pub const MAX_LEN: usize = 128;

    /// 32 bytes from the OS CSPRNG, in base64url (43 characters).
    pub fn random() -> EmulatorToken {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        EmulatorToken(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token chosen by the embedder (e.g. drawn by a test harness): 32 to 128 characters
    /// of `A-Z a-z 0-9 - _`, so it is one path segment and hard to guess. The error never
    /// quotes the value.
    pub fn new(value: &str) -> Result<EmulatorToken, String> {
        let charset = value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !charset || !(Self::MIN_LEN..=Self::MAX_LEN).contains(&value.len()) {
            return Err(format!(
                "the emulator token must be {} to {} characters of A-Z, a-z, 0-9, '-' and '_' (the one given, not shown, has {} characters{})",
                Self::MIN_LEN,
                Self::MAX_LEN,
                value.len(),
                if charset { "" } else { " and others" }
            ));
        }
        Ok(EmulatorToken(value.to_string()))
    }

    /// The token itself: to put in a URL, never in a log.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this token, in time that depends on neither value: both are
    /// hashed, and the digests compared without stopping at the first difference.
    pub(crate) fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (Sha256::digest(self.0.as_bytes()), Sha256::digest(candidate.as_bytes()));
        let difference = a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y));
        std::hint::black_box(difference) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::EmulatorToken;

    #[test]
    fn tokens_are_random_compared_whole_and_never_shown() {
        let (a, b) = (EmulatorToken::random(), EmulatorToken::random());
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.expose(), b.expose());
        assert!(a.matches(a.expose()));
        assert!(!a.matches(b.expose()));
        assert!(!a.matches(""));
        assert!(!a.matches(&a.expose()[..42]), "a prefix is not the token");
        assert!(!a.matches(&format!("{}x", a.expose())));
        assert_eq!(format!("{a:?}"), "EmulatorToken([redacted])");
    }

    #[test]
    fn a_token_handed_in_is_long_enough_and_one_path_segment() {
        let good = "A".repeat(32);
        assert_eq!(EmulatorToken::new(&good).unwrap().expose(), good);
        assert!(EmulatorToken::new(&"a".repeat(31)).is_err());
        assert!(EmulatorToken::new(&"a".repeat(129)).is_err());
        let err = EmulatorToken::new(&format!("{}/x", "s".repeat(40))).unwrap_err();
        assert!(!err.contains("sss"), "the value is not quoted: {err}");
    }
}
