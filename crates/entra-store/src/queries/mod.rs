//! One query module per group of tables (`apps`, `groups`, `expiry_seen`, `scope`), each owning
//! its tables: the functions the core's services call, taking a `&Connection` to read or a
//! `&Transaction` to write, so every multi-step change runs in one transaction opened by
//! [`Store::write`](crate::Store::write).

pub mod apps;
pub mod expiry_seen;
pub mod groups;
pub mod scope;
