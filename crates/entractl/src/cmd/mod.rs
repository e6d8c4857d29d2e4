//! One module per command group; each exposes its clap `Args` and an async `run` returning an exit
//! code. [`signin_args`] holds the sign-in options the tenant-reading groups share.

pub mod auth;
pub mod completions;
pub mod demo;
pub mod expiry;
pub mod groups;
pub mod jwt;
pub mod lease;
pub mod setup;
pub mod signin_args;
