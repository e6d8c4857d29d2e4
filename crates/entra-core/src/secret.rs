//! Secret values: tokens, refresh tokens and client secrets.
//!
//! Modelled on oauth2-rs's `new_secret_type!`: each secret is its own type so a
//! refresh token cannot be passed where an access token is expected; `Debug`
//! prints `Name([redacted])`; there is deliberately no `Serialize` or `Display`,
//! so a secret cannot end up in a settings file, an IPC payload or a log line
//! by accident; and the memory is zeroed when the value is dropped. Reading
//! the value takes an explicit, greppable call to `expose()`.

use std::fmt;
use zeroize::Zeroizing;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(Zeroizing::new(value.into()))
            }

            /// The secret itself. Every call is a place where a secret leaves its box: keep them few.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }
    };
}

secret_type!(
    /// Any secret string that has no more specific type.
    SecretString
);
secret_type!(
    /// An OAuth access token (a bearer credential: whoever holds it can call the API).
    AccessToken
);
secret_type!(
    /// An OAuth refresh token. Lives only in the OS keychain and in memory while in use.
    RefreshToken
);
secret_type!(
    /// An application's client secret. Lives only in the OS keychain or in `ENTRA_CLIENT_SECRET`.
    ClientSecret
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_for_every_secret_type() {
        let value = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.super-secret";
        let printed = [
            format!("{:?}", SecretString::new(value)),
            format!("{:?}", AccessToken::new(value)),
            format!("{:?}", RefreshToken::new(value)),
            format!("{:?}", ClientSecret::new(value)),
            format!("{:?}", Some(ClientSecret::new(value))),
        ];
        for p in &printed {
            assert!(!p.contains("super-secret"), "{p}");
            assert!(p.contains("[redacted]"), "{p}");
        }
        assert_eq!(printed[3], "ClientSecret([redacted])");
    }

    #[test]
    fn expose_returns_the_value() {
        assert_eq!(RefreshToken::new("rt").expose(), "rt");
        assert_eq!(AccessToken::from("at".to_string()), AccessToken::new("at"));
    }
}
