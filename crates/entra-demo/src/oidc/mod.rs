//! The Entra ID v2.0 side of the emulator: discovery and keys, the
//! authorization endpoint with its sign-in form, the token endpoint (with
//! `clients`: which confidential clients it knows and how their secrets are
//! checked), the JWTs it mints, scopes, and the AADSTS error catalogue.

pub mod authorize;
pub mod clients;
pub mod discovery;
pub mod errors;
pub mod issue;
pub mod page;
pub mod scopes;
pub mod token;
