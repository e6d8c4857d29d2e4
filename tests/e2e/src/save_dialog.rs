//! The system's save dialog, answered as a person answers it: GTK's file chooser, which the app
//! opens from Rust for an export (WebDriver reaches only the webview, never this window), found
//! by its title with xdotool, its name field filled with a whole path and Enter pressed — or
//! Escape, to cancel. Real keystrokes on the X server (xdotool), not a stand-in for the dialog.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// What the app's dialog was opened as, and its window.
pub struct SaveDialog {
    /// The X window ID.
    window: String,
    /// Its title.
    pub title: String,
}

/// Waits for a visible window whose title starts with `title` (the app's save dialog).
pub async fn wait_for(title: &str, wait: Duration) -> anyhow::Result<SaveDialog> {
    let started = Instant::now();
    let pattern = format!("^{}", regex_escape(title));
    loop {
        let out = Command::new("xdotool").args(["search", "--onlyvisible", "--name", &pattern]).output()?;
        if let Some(window) = String::from_utf8_lossy(&out.stdout).lines().next().map(str::to_string) {
            let name = Command::new("xdotool").args(["getwindowname", &window]).output()?;
            return Ok(SaveDialog { window, title: String::from_utf8_lossy(&name.stdout).trim().to_string() });
        }
        anyhow::ensure!(started.elapsed() < wait, "no save dialog titled '{title}…' appeared within {wait:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl SaveDialog {
    /// Types `path` (a whole path) into the name field and presses Enter; waits for the dialog to go.
    pub async fn save_as(&self, path: &Path, wait: Duration) -> anyhow::Result<()> {
        self.focus()?;
        // The name field has the focus, its suggested name selected: replace it all.
        xdotool(&["key", "--clearmodifiers", "ctrl+a"])?;
        xdotool(&["type", "--delay", "15", &path.to_string_lossy()])?;
        xdotool(&["key", "--clearmodifiers", "Return"])?;
        self.wait_gone(wait).await
    }

    /// Presses Escape (Cancel); waits for the dialog to go.
    pub async fn cancel(&self, wait: Duration) -> anyhow::Result<()> {
        self.focus()?;
        xdotool(&["key", "--clearmodifiers", "Escape"])?;
        self.wait_gone(wait).await
    }

    fn focus(&self) -> anyhow::Result<()> {
        // No window manager under Xvfb: the dialog gets the keyboard only when given it.
        xdotool(&["windowfocus", "--sync", &self.window])
    }

    async fn wait_gone(&self, wait: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            let out = Command::new("xdotool").args(["search", "--onlyvisible", "--name", &format!("^{}$", regex_escape(&self.title))]).output()?;
            if !String::from_utf8_lossy(&out.stdout).lines().any(|w| w == self.window) {
                return Ok(());
            }
            anyhow::ensure!(started.elapsed() < wait, "the save dialog '{}' is still open after {wait:?}", self.title);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn xdotool(args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("xdotool").args(args).status()?;
    anyhow::ensure!(status.success(), "xdotool {} failed ({status})", args.join(" "));
    Ok(())
}

/// `text` as a literal in xdotool's (POSIX extended) regular expressions.
fn regex_escape(text: &str) -> String {
    text.chars().fold(String::new(), |mut out, c| {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}
