//! One query module per screen, each owning its tables: the functions a screen's commands
//! call, taking a `&Connection` to read or a `&Transaction` to write, so every multi-step
//! change runs in one transaction opened by [`Store::write`](crate::Store::write).

pub mod apps;
pub mod expiry_seen;
pub mod groups;
pub mod scope;
