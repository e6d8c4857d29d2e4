//! `DemoBrowser`: a form-filling stand-in for the system browser, for tests
//! (feature `browser`).
//!
//! It does what a person with a browser does: opens the authorize URL, reads
//! the sign-in form from the real HTML (its `action` and hidden inputs), types
//! the user name and password, submits, answers the consent page when the
//! tenant shows one (Accept by default; the caller may tick "Consent on behalf
//! of your organization" or press Cancel, see [`ConsentChoice`]), presses
//! "Return to the application" on "Need admin approval", and then lets the
//! final redirect reach its target (a GET of the redirect URL, or the
//! auto-submitted POST of a `form_post` page), which is how an app's loopback
//! listener receives the code. Cookies are kept, so `prompt=none` works after a
//! first sign-in. It reads pages by the contract in `oidc::page`.

use crate::oidc::page::{CONSENT_DECISION, CONSENT_ORG};
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
    id: Option<String>,
    action: String,
    method: String,
    fields: Vec<(String, String)>,
}

/// What the user does when the tenant shows the consent page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ConsentChoice {
    /// Accept, leaving "Consent on behalf of your organization" unticked (its default) when the
    /// page offers it: consent for the signed-in user only.
    #[default]
    Accept,
    /// Tick "Consent on behalf of your organization", then Accept. Only an administrator's page
    /// has the box; on another, the sign-in fails saying so.
    AcceptForOrganization,
    /// Cancel: the app receives `access_denied` (AADSTS65004).
    Cancel,
}

/// The consent page as the user saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentPage {
    /// The permissions listed (`User.Read`, `openid`, …), in order.
    pub permissions: Vec<String>,
    /// Those marked new (not granted to the app for the user yet).
    pub new: Vec<String>,
    /// The page offered "Consent on behalf of your organization" (an administrator's does).
    pub organization_box: bool,
}

/// What a sign-in went through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    /// The URL the final redirect was delivered to (with `code` and `state`, or with `error`).
    pub delivered: String,
    /// The consent page, when the tenant showed one.
    pub consent: Option<ConsentPage>,
    /// The admin-only permissions "Need admin approval" listed, when the tenant showed it (its
    /// return button was then pressed).
    pub admin_approval: Option<Vec<String>>,
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

    /// Signs in through `authorize_url`, accepting the consent page if the tenant shows one, and
    /// delivers the final redirect to its target; returns the URL it delivered (with `code` and
    /// `state`, or with `error` when the tenant redirected an error). Fails with the page's
    /// AADSTS text when the tenant shows an error instead of redirecting.
    pub async fn sign_in(&self, authorize_url: &str, username: &str, password: &str) -> anyhow::Result<String> {
        Ok(self.sign_in_with(authorize_url, username, password, ConsentChoice::Accept).await?.delivered)
    }

    /// [`DemoBrowser::sign_in`], answering a consent page with `choice`, and saying which pages
    /// the tenant showed on the way.
    pub async fn sign_in_with(&self, authorize_url: &str, username: &str, password: &str, choice: ConsentChoice) -> anyhow::Result<SignIn> {
        let mut at = Url::parse(authorize_url).context("the authorize URL is not a URL")?;
        let mut response = self.client.get(at.clone()).send().await.context("cannot open the authorize URL")?;
        let mut walk = SignIn::default();
        let mut signed_in = false;
        // The form, the consent page and the redirect: a few steps, never a loop.
        for _ in 0..6 {
            let (status, location, body) = read(response).await?;
            if let Some(location) = location {
                // Silent sign-in (prompt=none), the code, or an error redirect.
                walk.delivered = self.deliver(&at, &location).await?;
                return Ok(walk);
            }
            let Some(mut form) = parse_form(&body) else {
                match alert(&body) {
                    Some(alert) if signed_in => bail!("sign-in failed: {alert}"),
                    Some(alert) => bail!("the authorize page (HTTP {status}) has no sign-in form: {alert}"),
                    None => bail!("unexpected answer from the tenant (HTTP {status})"),
                }
            };
            match form.id.as_deref() {
                Some("consent") => {
                    let page = consent_page(&body);
                    form.fields.retain(|(k, _)| k != CONSENT_ORG && k != CONSENT_DECISION);
                    let decision = match choice {
                        ConsentChoice::Accept => "accept",
                        ConsentChoice::AcceptForOrganization if page.organization_box => {
                            form.fields.push((CONSENT_ORG.to_string(), "true".to_string()));
                            "accept"
                        }
                        ConsentChoice::AcceptForOrganization => {
                            bail!("the consent page offers no \"Consent on behalf of your organization\" box: only an administrator sees it")
                        }
                        ConsentChoice::Cancel => "cancel",
                    };
                    form.fields.push((CONSENT_DECISION.to_string(), decision.to_string()));
                    walk.consent = Some(page);
                }
                Some("admin-approval") => {
                    walk.admin_approval = Some(consent_page(&body).permissions);
                    form.fields.retain(|(k, _)| k != CONSENT_DECISION);
                    form.fields.push((CONSENT_DECISION.to_string(), "return".to_string()));
                }
                _ if form.fields.iter().any(|(k, _)| k == "passwd") => {
                    if let Some(alert) = alert(&body) {
                        if signed_in {
                            bail!("sign-in failed: {alert}");
                        }
                        bail!("the sign-in page shows an error: {alert}");
                    }
                    if signed_in {
                        bail!("the tenant showed the sign-in form again");
                    }
                    form.fields.retain(|(k, _)| k != "login" && k != "passwd");
                    form.fields.push(("login".to_string(), username.to_string()));
                    form.fields.push(("passwd".to_string(), password.to_string()));
                    signed_in = true;
                }
                // response_mode=form_post: the page auto-submits a form to the redirect URI.
                _ if form.method.eq_ignore_ascii_case("post") => {
                    let target = at.join(&form.action).context("the form_post action is not a URL")?;
                    self.client
                        .post(target.clone())
                        .form(&form.fields)
                        .send()
                        .await
                        .with_context(|| format!("cannot deliver the response to {target}"))?;
                    walk.delivered = target.to_string();
                    return Ok(walk);
                }
                _ => bail!("unexpected form on the tenant's page (HTTP {status})"),
            }
            let action = at.join(&form.action).context("the form action is not a URL")?;
            response = self.client.post(action.clone()).form(&form.fields).send().await.context("cannot submit the form")?;
            at = action;
        }
        bail!("the sign-in did not reach the application")
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

/// The permissions a consent (or "Need admin approval") page lists: its `<li data-permission>`.
fn consent_page(body: &str) -> ConsentPage {
    let lower = body.to_ascii_lowercase();
    let mut page = ConsentPage { organization_box: body.contains(&format!("name=\"{CONSENT_ORG}\"")), ..Default::default() };
    let mut cursor = 0;
    while let Some(pos) = lower[cursor..].find("<li") {
        let start = cursor + pos;
        let Some(close) = lower[start..].find('>').map(|c| start + c) else { break };
        let tag = &body[start..close];
        cursor = close;
        if let Some(permission) = attribute(tag, "data-permission") {
            if attribute(tag, "data-new").as_deref() == Some("true") {
                page.new.push(permission.clone());
            }
            page.permissions.push(permission);
        }
    }
    page
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

/// Does the tag carry the boolean attribute `name` (`checked`, `checked="checked"`)?
fn has_flag(tag: &str, name: &str) -> bool {
    tag.to_ascii_lowercase()
        .split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .any(|word| word == name || word.starts_with(&format!("{name}=")))
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
        // A box is sent only when ticked; none is ticked by default on the tenant's pages.
        if (kind == "checkbox" || kind == "radio") && !has_flag(tag, "checked") {
            continue;
        }
        if let Some(name) = attribute(tag, "name") {
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        }
    }
    Some(Form {
        id: attribute(form_tag, "id"),
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

    #[test]
    fn reads_the_consent_page_and_sends_only_ticked_boxes() {
        let html = r#"<ul><li data-permission="User.Read" data-new="false">Read</li><li data-permission="Mail.Read" data-new="true">Mail</li></ul>
<form method="post" action="/t/consent" id="consent"><input type="hidden" name="client_id" value="c">
<input type="checkbox" name="consent_org" value="true"><input type="checkbox" name="other" value="x" checked></form>"#;
        let form = parse_form(html).unwrap();
        assert_eq!(form.id.as_deref(), Some("consent"));
        assert_eq!(form.fields, vec![("client_id".into(), "c".into()), ("other".into(), "x".into())]);
        let page = consent_page(html);
        assert_eq!(page.permissions, ["User.Read", "Mail.Read"]);
        assert_eq!(page.new, ["Mail.Read"]);
        assert!(page.organization_box);
    }
}
