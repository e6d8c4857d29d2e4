//! The Entra Desk desktop app: entry point.
//!
//! Hides the console window on Windows release builds; everything else lives
//! in [`app`].

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app;

fn main() {
    app::run();
}
