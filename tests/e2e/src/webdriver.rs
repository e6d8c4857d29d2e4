//! A minimal W3C WebDriver client over HTTP: just what the tests need.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The W3C element identifier key.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session.
pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

/// A found element.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Session {
    /// Opens a session on the driver at `driver_url` with these capabilities.
    pub async fn new(driver_url: &str, capabilities: Value) -> Result<Session> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build()?;
        let response: Value = http
            .post(format!("{driver_url}/session"))
            .json(&json!({ "capabilities": capabilities }))
            .send()
            .await
            .context("cannot reach the WebDriver server")?
            .json()
            .await?;
        let id = response["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("WebDriver refused the session: {response}"))?
            .to_string();
        Ok(Session { http, base: format!("{driver_url}/session/{id}"), id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response: Value = request.send().await?.json().await?;
        if let Some(error) = response["value"]["error"].as_str() {
            bail!("WebDriver {path}: {error}: {}", response["value"]["message"]);
        }
        Ok(response["value"].clone())
    }

    /// Finds an element by CSS selector, or fails.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let value = self.command(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await?;
        value[ELEMENT_KEY].as_str().map(|id| Element(id.to_string())).ok_or_else(|| anyhow!("no element id for {css}"))
    }

    /// Waits up to `timeout` for an element to appear.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let start = Instant::now();
        loop {
            match self.find(css).await {
                Ok(element) => return Ok(element),
                Err(err) if start.elapsed() > timeout => return Err(err.context(format!("waited {timeout:?} for {css}"))),
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        }
    }

    /// Waits until an element's text satisfies `pred`, returning the text.
    pub async fn wait_for_text(&self, css: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> Result<String> {
        let start = Instant::now();
        loop {
            if let Ok(element) = self.find(css).await {
                if let Ok(text) = self.text(&element).await {
                    if pred(&text) {
                        return Ok(text);
                    }
                }
            }
            if start.elapsed() > timeout {
                bail!("waited {timeout:?} for the text of {css}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Runs `script` (a function body that `return`s a value) until its value is truthy
    /// (not null, false, 0 or ""), returning that value; a failing script counts as not yet.
    pub async fn wait_until(&self, script: &str, timeout: Duration, what: &str) -> Result<Value> {
        let start = Instant::now();
        loop {
            if let Ok(value) = self.execute(script).await {
                let truthy = match &value {
                    Value::Null => false,
                    Value::Bool(b) => *b,
                    Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                    Value::String(s) => !s.is_empty(),
                    _ => true,
                };
                if truthy {
                    return Ok(value);
                }
            }
            if start.elapsed() > timeout {
                bail!("waited {timeout:?} for {what}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn click(&self, element: &Element) -> Result<()> {
        self.command(reqwest::Method::POST, &format!("/element/{}/click", element.0), Some(json!({}))).await.map(drop)
    }

    /// Types `text` into an input or textarea (WebDriver "element send keys").
    pub async fn type_text(&self, element: &Element, text: &str) -> Result<()> {
        self.command(reqwest::Method::POST, &format!("/element/{}/value", element.0), Some(json!({"text": text}))).await.map(drop)
    }

    /// The element's `value` property (what an input or textarea holds).
    pub async fn value(&self, element: &Element) -> Result<String> {
        let value = self.command(reqwest::Method::GET, &format!("/element/{}/property/value", element.0), None).await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    pub async fn text(&self, element: &Element) -> Result<String> {
        let value = self.command(reqwest::Method::GET, &format!("/element/{}/text", element.0), None).await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Runs a script in the page and returns its result.
    pub async fn execute(&self, script: &str) -> Result<Value> {
        self.command(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// Runs an asynchronous script in the page: it ends by calling its last argument (WebDriver's
    /// callback) with the result, e.g. `arguments[arguments.length - 1](value)`.
    pub async fn execute_async(&self, script: &str) -> Result<Value> {
        self.command(reqwest::Method::POST, "/execute/async", Some(json!({"script": script, "args": []}))).await
    }

    /// Saves a PNG screenshot to `path`.
    pub async fn screenshot(&self, path: &std::path::Path) -> Result<()> {
        use base64::Engine;
        let value = self.command(reqwest::Method::GET, "/screenshot", None).await?;
        let png = base64::engine::general_purpose::STANDARD.decode(value.as_str().unwrap_or_default())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) -> Result<()> {
        self.http.delete(&self.base).send().await?;
        Ok(())
    }
}
