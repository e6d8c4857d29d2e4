//! Where bearer tokens come from, and the secret types this crate hands around.
//!
//! [`TokenSource`] is implemented by the caller (entra-core's session). The
//! secrets — [`BearerToken`] and [`SecretText`] (a client secret returned once by
//! `addPassword`) — have a redacted `Debug`, no `Display`, no `Serialize`, and
//! their bytes are zeroed when dropped.

use async_trait::async_trait;
use std::fmt;
use zeroize::Zeroize;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> $name {
                $name(value.into())
            }
            /// The secret itself. Every call site is a place a secret leaves the type: keep them few.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }
    };
}

secret_type!(
    /// An access token for Graph, sent as `Authorization: Bearer …`.
    BearerToken
);
secret_type!(
    /// A client secret's text, returned only once by `addPassword`.
    SecretText
);

impl<'de> serde::Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretText)
    }
}

/// The token source could not provide a token. Its message is shown to the user
/// as is, so it should name the fix (e.g. "sign in again").
#[derive(Debug)]
pub struct TokenError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TokenError {
    /// An error with a message that names the fix.
    pub fn new(message: impl Into<String>) -> TokenError {
        TokenError { message: message.into(), source: None }
    }
    /// Attaches the underlying error (e.g. entra-core's error), kept for `source()`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> TokenError {
        self.source = Some(Box::new(source));
        self
    }
    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Where the Graph client gets its bearer tokens.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A valid access token for Graph.
    async fn token(&self) -> Result<BearerToken, TokenError>;
    /// Graph rejected the last token (401): forget it so the next [`TokenSource::token`] gets a new one.
    async fn token_rejected(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let t = BearerToken::new("eyJ0eXAi.secret.sig");
        assert_eq!(format!("{t:?}"), "BearerToken([redacted])");
        let s: SecretText = serde_json::from_str("\"abc~def\"").unwrap();
        assert_eq!(format!("{s:?}"), "SecretText([redacted])");
        assert_eq!(s.expose(), "abc~def");
    }
}
