//! The app's commands, one file per screen's command group, mirrored by
//! `ui/src/lib/api/*.ts`. Each command takes state, calls the core and maps
//! the error into the one IPC error shape (`entra_ipc::IpcError`).

pub mod jwt;
pub mod session;
