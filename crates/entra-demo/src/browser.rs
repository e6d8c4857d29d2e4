//! `DemoBrowser`: a form-filling stand-in for the system browser, for tests
//! (feature `browser`).
//!
//! It does what a person with a browser does: opens the authorize URL, reads
//! the sign-in form from the real HTML (its `action` and hidden inputs), types
//! the user name and password, submits, and then lets the final redirect reach
//! its target (a GET of the redirect URL, or the auto-submitted POST of a
//! `form_post` page), which is how an app's loopback listener receives the
//! code. Cookies are kept, so `prompt=none` works after a first sign-in.

use anyhow::{bail, Context};
use reqwest::header::LOCATION;
use std::path::Path;
use url::Url;

/// A headless browser that only knows how to sign in to the demo tenant.
pub struct DemoBrowser {
    client: reqwest::Client,
}

/// A parsed HTML form.
#[derive(Debug)]
struct Form {
    action: String,
    method: String,
    fields: Vec<(String, String)>,
}

impl DemoBrowser {
    /// `ca_cert`: the demo tenant's CA (`DemoInfo::ca_cert`) when it runs with TLS.
    pub fn new(ca_cert: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .timeout(std::time::Duration::from_secs(30));
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path).with_context(|| format!("cannot read the CA certificate {}", path.display()))?;
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
        }
        Ok(Self { client: builder.build()? })
    }

    /// Signs in through `authorize_url` and delivers the final redirect to its
    /// target; returns the URL it delivered (with `code` and `state`, or with
    /// `error` when the tenant redirected an error). Fails with the page's
    /// AADSTS text when the tenant shows an error instead of redirecting.
    pub async fn sign_in(&self, authorize_url: &str, username: &str, password: &str) -> anyhow::Result<String> {
        let page_url = Url::parse(authorize_url).context("the authorize URL is not a URL")?;
        let response = self.client.get(page_url.clone()).send().await.context("cannot open the authorize URL")?;
        let (status, location, body) = read(response).await?;
        if let Some(location) = location {
            // Silent sign-in (prompt=none) or an error redirect.
            return self.deliver(&page_url, &location).await;
        }
        let mut form = parse_form(&body)
            .with_context(|| format!("the authorize page (HTTP {status}) has no sign-in form{}", alert_suffix(&body)))?;
        if let Some(alert) = alert(&body) {
            bail!("the sign-in page shows an error: {alert}");
        }
        form.fields.retain(|(k, _)| k != "login" && k != "passwd");
        form.fields.push(("login".to_string(), username.to_string()));
        form.fields.push(("passwd".to_string(), password.to_string()));
        let action = page_url.join(&form.action).context("the form action is not a URL")?;
        let response = self.client.post(action.clone()).form(&form.fields).send().await.context("cannot submit the sign-in form")?;
        let (status, location, body) = read(response).await?;
        if let Some(location) = location {
            return self.deliver(&action, &location).await;
        }
        if let Some(alert) = alert(&body) {
            bail!("sign-in failed: {alert}");
        }
        // response_mode=form_post: the page auto-submits a form to the redirect URI.
        match parse_form(&body) {
            Some(post) if post.method.eq_ignore_ascii_case("post") && !post.fields.iter().any(|(k, _)| k == "passwd") => {
                let target = action.join(&post.action).context("the form_post action is not a URL")?;
                self.client
                    .post(target.clone())
                    .form(&post.fields)
                    .send()
                    .await
                    .with_context(|| format!("cannot deliver the response to {target}"))?;
                Ok(target.to_string())
            }
            _ => bail!("unexpected answer to the sign-in form (HTTP {status})"),
        }
    }

    /// GETs the redirect target, as a browser following the redirect would.
    async fn deliver(&self, from: &Url, location: &str) -> anyhow::Result<String> {
        let target = from.join(location).context("the redirect Location is not a URL")?;
        self.client
            .get(target.clone())
            .send()
            .await
            .with_context(|| format!("cannot deliver the redirect to {target} (is the app listening?)"))?;
        Ok(target.to_string())
    }
}

async fn read(response: reqwest::Response) -> anyhow::Result<(u16, Option<String>, String)> {
    let status = response.status();
    let location = if status.is_redirection() {
        response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string)
    } else {
        None
    };
    let body = response.text().await.unwrap_or_default();
    Ok((status.as_u16(), location, body))
}

fn alert_suffix(body: &str) -> String {
    alert(body).map(|a| format!(": {a}")).unwrap_or_default()
}

/// The text of the element with `role="alert"` (where the tenant shows AADSTS errors).
fn alert(body: &str) -> Option<String> {
    let at = body.find("role=\"alert\"")?;
    let start = at + body[at..].find('>')? + 1;
    let end = start + body[start..].find('<')?;
    let text = html_escape::decode_html_entities(body[start..end].trim()).into_owned();
    (!text.is_empty()).then_some(text)
}

/// The value of `name="…"` (or single-quoted) inside one tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        // Must be a whole attribute name followed by '='.
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = tag[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let quote = rest.chars().next()?;
        let value = if quote == '"' || quote == '\'' {
            let inner = &rest[1..];
            &inner[..inner.find(quote)?]
        } else {
            &rest[..rest.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(rest.len())]
        };
        return Some(html_escape::decode_html_entities(value).into_owned());
    }
    None
}

/// The first `<form>` with its inputs.
fn parse_form(body: &str) -> Option<Form> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<form")?;
    let tag_end = start + lower[start..].find('>')?;
    let form_tag = &body[start..tag_end];
    let end = lower[tag_end..].find("</form").map(|e| tag_end + e).unwrap_or(body.len());
    let mut fields = Vec::new();
    let mut cursor = tag_end;
    while let Some(pos) = lower[cursor..end].find("<input") {
        let tag_start = cursor + pos;
        let close = tag_start + lower[tag_start..].find('>')?;
        let tag = &body[tag_start..close];
        cursor = close;
        let kind = attribute(tag, "type").unwrap_or_else(|| "text".to_string()).to_ascii_lowercase();
        if kind == "submit" || kind == "button" {
            continue;
        }
        if let Some(name) = attribute(tag, "name") {
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        }
    }
    Some(Form {
        action: attribute(form_tag, "action").unwrap_or_default(),
        method: attribute(form_tag, "method").unwrap_or_else(|| "get".to_string()),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms_and_alerts() {
        let html = r#"<div role="alert" id="error">AADSTS50126: bad &amp; wrong</div>
<form method="post" action="/t/login"><input type="hidden" name="state" value="a&quot;b">
<input type='email' name='login' value=''><input type="submit" value="Go"></form>"#;
        let form = parse_form(html).unwrap();
        assert_eq!(form.action, "/t/login");
        assert_eq!(form.fields, vec![("state".into(), "a\"b".into()), ("login".into(), String::new())]);
        assert_eq!(alert(html).unwrap(), "AADSTS50126: bad & wrong");
    }
}
