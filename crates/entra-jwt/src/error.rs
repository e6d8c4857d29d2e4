//! The one error type of this crate.
//!
//! Decoding problems are errors (there is nothing to show); validation
//! problems are not: they become failed checks in a report. Every message
//! names the cause and, where there is one, the fix.

/// What went wrong while decoding a token, loading keys, or handling profiles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is empty (after trimming whitespace).
    #[error("The token is empty: paste a JWT (three base64url parts separated by dots)")]
    Empty,
    /// The token has five segments: it is an encrypted JWE, not a signed JWS.
    #[error("This is an encrypted token (JWE, five segments): its claims can only be read with the recipient's private key; ask the issuer for a signed (JWS) token or decrypt it first")]
    Encrypted,
    /// The token does not have three dot-separated segments.
    #[error("A JWT has 3 segments separated by dots, this input has {0}: check that the whole token was copied, without a 'Bearer ' prefix cut in the middle or line breaks")]
    SegmentCount(usize),
    /// A segment is not valid base64url.
    #[error("The {part} segment is not valid base64url ({reason}): the token was probably truncated or altered while copying")]
    Base64 {
        /// Which segment: header, payload or signature.
        part: &'static str,
        /// The decoder's explanation.
        reason: String,
    },
    /// A segment decodes to bytes that are not JSON.
    #[error("The {part} segment is not JSON ({reason}): this is not a JWT, or it was altered")]
    Json {
        /// Which segment: header or payload.
        part: &'static str,
        /// The parser's explanation.
        reason: String,
    },
    /// A segment is JSON but not an object.
    #[error("The {part} segment is JSON but not an object: a JWT's header and payload are JSON objects")]
    NotObject {
        /// Which segment: header or payload.
        part: &'static str,
    },
    /// A key (JWKS, PEM, certificate) could not be read.
    #[error("Cannot read the key: {0}")]
    Key(String),
    /// A setting (clock skew, required claims, profile field) is malformed.
    #[error("Invalid setting: {0}")]
    Setting(String),
    /// Keys could not be fetched over the network.
    #[error("Cannot fetch signing keys: {0}")]
    Fetch(String),
    /// A file (profile, cache) could not be read or written.
    #[error("{0}")]
    Io(String),
    /// A profile with that name does not exist.
    #[error("No profile named '{0}': list the saved profiles, or save one first")]
    NoSuchProfile(String),
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True when the input itself is not a decodable JWT (as opposed to a key or settings problem).
    pub fn is_decode_error(&self) -> bool {
        matches!(
            self,
            Error::Empty | Error::Encrypted | Error::SegmentCount(_) | Error::Base64 { .. } | Error::Json { .. } | Error::NotObject { .. }
        )
    }
}
