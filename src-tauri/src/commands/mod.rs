//! The app's commands, one file per screen, named as the screen is in every
//! layer (`ui/src/lib/api/X.ts` → here `X.rs` → `entra_core::X`), and declared
//! once with their types in `entra_ipc::commands`. Each command takes state, calls the core and maps
//! the error into the one IPC error shape (`entra_ipc::IpcError`).

pub mod apps;
pub mod credentials;
pub mod groups;
pub mod jwt;
pub mod leases;
pub mod signin;
