//! One module per command group; each exposes its clap `Args` and an async `run` returning an exit code.

pub mod auth;
pub mod completions;
pub mod demo;
pub mod expiry;
pub mod groups;
pub mod jwt;
pub mod lease;
pub mod session;
