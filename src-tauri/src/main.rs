//! The Entra Desk desktop app: entry point.
//!
//! Hides the console window on Windows release builds; everything else lives
//! in [`app`]. Code map: `app` (builder), `state` (managed state), `demo` (the
//! embedded demo tenant), `signin` (profiles, browser, signed-in user),
//! `preferences` (UI preferences, window size), `commands/` (IPC commands).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app;
mod commands;
mod demo;
mod preferences;
mod signin;
mod state;

fn main() {
    app::run();
}
