//! The Entra Desk desktop app: entry point.
//!
//! Hides the console window on Windows release builds; everything else lives
//! in [`app`]. Code map: `app` (builder), `state` (managed state), `demo` (the
//! embedded demo tenant, behind the core's `DemoTenant`), `browser` (the system
//! browser for sign-in), `preferences` (UI preferences, window size), `maintenance` (the
//! leases' background sweep and reconciliation), `save_dialog` (where exports go, asked in the system's dialog),
//! `commands/` (IPC commands, one file per screen).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app;
mod browser;
mod commands;
mod demo;
mod maintenance;
mod save_dialog;
mod window_size;
mod state;

fn main() {
    app::run();
}
