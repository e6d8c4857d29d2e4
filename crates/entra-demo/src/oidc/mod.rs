//! The Entra ID v2.0 side of the emulator: discovery and keys, the
//! authorization endpoint with its sign-in form and consent page, the token
//! endpoint (with `clients`: which inventory applications sign in and how
//! secrets are checked), consent (`consent`: what a client holds for a user,
//! over `permissions`, the Graph delegated permissions sign-in accepts,
//! a view of `inventory::graph_permissions`), the JWTs it mints,
//! scopes, the `claims` parameter (`claims`: the authentication contexts a
//! stepped-up sign-in asks for), and the AADSTS error catalogue.

pub mod authorize;
pub mod claims;
pub mod clients;
pub mod consent;
pub mod discovery;
pub mod errors;
pub mod issue;
pub mod page;
pub mod permissions;
pub mod scopes;
pub mod token;
