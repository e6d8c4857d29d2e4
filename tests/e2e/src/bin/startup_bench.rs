//! Start-up benchmark: cold start to a usable first screen, and idle memory,
//! of the real app next to a bare Tauri window, on the same machine in the
//! same run. Run by `tests/e2e/bench.sh` (under Xvfb); not part of the test suite.
//!
//! Cold start = from the WebDriver "new session" request (which launches the
//! binary) to the moment the first screen's button is in the DOM: the app's
//! "Try the demo tenant" (which needs the app status from Rust, i.e. the
//! embedded demo tenant started), the bare window's only button. Both pay the
//! same WebDriver overhead. Idle memory = the proportional set size (PSS) of
//! the binary and every process it spawned (WebKit's web and network
//! processes), 5 s after the first screen, so shared libraries are not
//! counted twice.

use anyhow::{bail, Context, Result};
use entra_e2e::app::AppHarness;
use entra_e2e::procs::{process_named, tree_pss_kib};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

struct Sample {
    start_ms: f64,
    pss_kib: u64,
}

async fn measure(binary: &Path, ready_css: &str) -> Result<Sample> {
    // A fresh data folder each run: a true first start (the demo tenant derives its keys anew).
    let harness = AppHarness::start_for(binary.to_path_buf()).await?;
    let started = Instant::now();
    let session = harness.launch().await?;
    loop {
        if session.find(ready_css).await.is_ok() {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("{} showed no {ready_css} within 60 s", binary.display());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let start_ms = started.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let app = process_named(harness.driver_pid(), binary).context("the launched process")?;
    let pss = tree_pss_kib(app);
    session.quit().await?;
    Ok(Sample { start_ms, pss_kib: pss })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

#[tokio::main]
async fn main() -> Result<()> {
    let root = entra_e2e::app::workspace_root();
    // `tests/e2e/bench.sh --release` measures the optimised builds (what a package installs).
    let profile = if std::env::args().any(|a| a == "--release") { "release" } else { "debug" };
    let app = match profile {
        "release" => root.join("target/release/entra-desk"),
        _ => entra_e2e::app::app_binary()?,
    };
    let targets: [(&str, PathBuf, &str); 2] = [
        ("bare Tauri window", root.join(format!("target/{profile}/bare-window")), "[data-testid=ready]"),
        ("Entra Desk", app, "[data-testid=try-demo]"),
    ];
    println!("{:<18} {:>16} {:>16} {:>18}", "binary", "cold start (ms)", "min–max (ms)", "idle PSS (MiB)");
    for (label, binary, css) in targets {
        let mut starts = Vec::new();
        let mut pss = Vec::new();
        for _ in 0..RUNS {
            let sample = measure(&binary, css).await?;
            starts.push(sample.start_ms);
            pss.push(sample.pss_kib as f64 / 1024.0);
        }
        let (lo, hi) = (starts.iter().cloned().fold(f64::MAX, f64::min), starts.iter().cloned().fold(0.0, f64::max));
        println!("{label:<18} {:>16.0} {:>16} {:>18.1}", median(starts.clone()), format!("{lo:.0}–{hi:.0}"), median(pss));
    }
    println!("(median of {RUNS} runs each; {profile} builds with the UI embedded, under Xvfb)");
    Ok(())
}
