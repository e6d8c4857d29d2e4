//! The end-to-end harness every screen's test uses: it starts
//! `WebKitWebDriver`, which starts the real app binary (`ENTRA_DESK_BIN`, else `target/debug/entra-desk`,
//! built with the UI embedded) in a fresh data folder, and gives the test a
//! small WebDriver client to find elements, click, type, read text and save
//! screenshots under `target/e2e-artifacts/`; `tenant` reads and changes the
//! app's demo tenant through Graph beside it; `save_dialog` answers the system's save dialog
//! the app opens for an export (xdotool on the X server: WebDriver reaches only the webview);
//! `procs` reads the app's processes and their memory for the benchmarks.
//!
//! The tests run under Xvfb and a private D-Bus session with gnome-keyring
//! (see `tests/e2e/run.sh`), so the app uses the real OS keychain.

pub mod app;
pub mod procs;
pub mod save_dialog;
pub mod screens;
pub mod tenant;
pub mod webdriver;
