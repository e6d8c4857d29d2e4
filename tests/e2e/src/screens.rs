//! Steps several screens' tests share: keyboard shortcuts, setting an input
//! the way a person's typing does, clicking inside a row, reading data attributes, scrolling a part of
//! the screen into a screenshot, recording what the screen showed when a test
//! failed, and syncing the app inventory and the group cache.

use crate::webdriver::Session;
use anyhow::{bail, Result};
use serde_json::Value;
use std::time::Duration;

/// Quotes `s` as a JavaScript string literal.
pub fn js(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Scrolls the screen (the shell's content pane, and the page) so that `css` sits near its top, for a screenshot.
pub async fn scroll_to(app: &Session, css: &str) -> Result<()> {
    app.execute(&format!(
        "const el = document.querySelector({}); const pane = document.querySelector('[data-testid^=screen-]'); \
         if (el && pane) pane.scrollTop += el.getBoundingClientRect().top - pane.getBoundingClientRect().top - 120; \
         if (el) document.scrollingElement.scrollTop += el.getBoundingClientRect().top - 120;",
        js(css)
    ))
    .await?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    Ok(())
}

/// Keeps what the screen showed when a scenario failed: `failure.png` in `shots` and the page's text on stdout
/// (cargo test prints a failed test's output). Best effort: the app may be the thing that broke.
pub async fn record_failure(app: &Session, shots: &std::path::Path) {
    let _ = app.screenshot(&shots.join("failure.png")).await;
    let text = app.execute("return document.body.innerText").await.unwrap_or_default();
    println!("the screen when the test failed:\n{}", text.as_str().unwrap_or_default());
}

/// Presses Ctrl + `key` on the window (the shell's screen shortcuts).
pub async fn press_ctrl(app: &Session, key: &str) -> Result<()> {
    app.execute(&format!("window.dispatchEvent(new KeyboardEvent('keydown', {{key: {}, ctrlKey: true, bubbles: true}}))", js(key))).await?;
    Ok(())
}

/// Sends a key press to the element with `data-testid` (e.g. arrows and Enter in a table).
pub async fn press_on(app: &Session, testid: &str, key: &str) -> Result<()> {
    app.execute(&format!(
        "const el = document.querySelector('[data-testid={testid}]'); el.focus(); el.dispatchEvent(new KeyboardEvent('keydown', {{key: {}, bubbles: true, cancelable: true}}));",
        js(key)
    ))
    .await?;
    Ok(())
}

/// Replaces the value of the input with `data-testid` and fires `input`, as typing does.
pub async fn set_input(app: &Session, testid: &str, value: &str) -> Result<()> {
    app.execute(&format!(
        "const el = document.querySelector('[data-testid={testid}]'); el.value = {}; el.dispatchEvent(new Event('input', {{bubbles: true}}));",
        js(value)
    ))
    .await?;
    Ok(())
}

/// Clicks the element with `data-testid` through the DOM (for elements a WebDriver click can't reach, e.g. under a sticky header).
pub async fn click_testid(app: &Session, testid: &str) -> Result<()> {
    let found = app.execute(&format!("const el = document.querySelector('[data-testid={testid}]'); if (!el) return false; el.click(); return true;")).await?;
    if found != Value::Bool(true) {
        bail!("no element [data-testid={testid}]");
    }
    Ok(())
}

/// Clicks the element with `data-testid` inside the first element matching the CSS selector `scope` (a row, a
/// definition), through the DOM.
pub async fn click_in(app: &Session, scope: &str, testid: &str) -> Result<()> {
    let found = app
        .execute(&format!(
            "const s = document.querySelector({}); const el = s && s.querySelector('[data-testid={testid}]'); if (!el) return false; el.click(); return true;",
            js(scope)
        ))
        .await?;
    if found != Value::Bool(true) {
        bail!("no [data-testid={testid}] in {scope}");
    }
    Ok(())
}

/// The number of rows a VirtualTable holds (its `data-rows`), or 0 when it is not shown.
pub async fn table_rows(app: &Session, testid: &str) -> Result<u64> {
    let value = app.execute(&format!("const t = document.querySelector('[data-testid={testid}]'); return t ? Number(t.dataset.rows) : 0;")).await?;
    Ok(value.as_u64().unwrap_or(0))
}

/// Waits until the VirtualTable with `testid` holds rows satisfying `pred`, returning the count.
pub async fn wait_rows(app: &Session, testid: &str, timeout: Duration, pred: impl Fn(u64) -> bool) -> Result<u64> {
    let start = std::time::Instant::now();
    loop {
        let n = table_rows(app, testid).await.unwrap_or(0);
        if pred(n) {
            return Ok(n);
        }
        if start.elapsed() > timeout {
            bail!("waited {timeout:?} for the rows of {testid} (has {n})");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// On the App registrations screen: starts a Refresh (or, with `full`, a Full reload) and waits
/// until it has finished and the table holds rows. Fails with the error banner's text if one shows.
pub async fn refresh_inventory(app: &Session, full: bool, timeout: Duration) -> Result<u64> {
    press_ctrl(app, "1").await?;
    app.wait_for("[data-testid=apps-refresh]", timeout).await?;
    if full {
        app.execute("document.querySelector('[aria-label=\"More refresh options\"]').click()").await?;
        app.click(&app.wait_for("[data-testid=apps-full-reload]", timeout).await?).await?;
    } else {
        app.click(&app.find("[data-testid=apps-refresh]").await?).await?;
    }
    // Done when the outcome line says so, or an error shows.
    let outcome = app
        .wait_until(
            "const e = document.querySelector('[data-testid=error-message]'); if (e) return 'error: ' + e.textContent; \
             const o = document.querySelector('[data-testid=apps-outcome]'); \
             return o && document.querySelector('[data-testid=apps-refresh]') ? o.textContent : null;",
            timeout,
            "the refresh to finish",
        )
        .await?;
    let text = outcome.as_str().unwrap_or_default().to_string();
    if text.starts_with("error: ") {
        bail!("the refresh failed: {text}");
    }
    println!("refresh: {}", text.trim());
    wait_rows(app, "apps-table", timeout, |n| n > 0).await
}

/// On the Group caches screen: starts "Refresh now" (or, with `full`, "Rebuild" and its confirmation) and waits
/// until the sync has finished, returning the outcome line. Fails with the error banner's text if one shows.
pub async fn sync_groups(app: &Session, full: bool, timeout: Duration) -> Result<String> {
    press_ctrl(app, "3").await?;
    app.wait_for("[data-testid=groups-refresh]", timeout).await?;
    // A previous outcome line would satisfy the wait below: it goes away when a sync starts.
    if full {
        click_testid(app, "groups-rebuild").await?;
        app.wait_for("[data-testid=groups-rebuild-confirm]", timeout).await?;
        click_testid(app, "groups-rebuild-confirm").await?;
    } else {
        click_testid(app, "groups-refresh").await?;
    }
    let outcome = app
        .wait_until(
            "const e = document.querySelector('[data-testid=groups-screen] [data-testid=error-message]'); if (e) return 'error: ' + e.textContent; \
             const o = document.querySelector('[data-testid=groups-outcome]'); \
             return o && document.querySelector('[data-testid=groups-refresh]') ? o.textContent : null;",
            timeout,
            "the group sync to finish",
        )
        .await?;
    let text = outcome.as_str().unwrap_or_default().trim().to_string();
    if text.starts_with("error: ") {
        bail!("the group sync failed: {text}");
    }
    Ok(text)
}
