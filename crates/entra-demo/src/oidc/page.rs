//! The HTML the authorization endpoint renders: the sign-in form, the consent
//! page, "Need admin approval", error pages and the `form_post` auto-submit
//! page. Plain server-side HTML (no script except form_post's auto-submit),
//! with a visible "Demo tenant" banner.
//!
//! Contract with [`crate::browser`]: the form a page is about is its first
//! `<form>`; the sign-in form has `id="signin"`, the user name input `login`
//! and the password input `passwd`; an error is the text of the element with
//! `role="alert"`. The consent form has `id="consent"`, one
//! `<li data-permission="…" data-new="true|false">` per permission, the
//! checkbox [`CONSENT_ORG`] (value `true`) only for an administrator, and
//! submit buttons named [`CONSENT_DECISION`] with values `accept` and `cancel`.
//! "Need admin approval" is a form with `id="admin-approval"` whose one button
//! is [`CONSENT_DECISION`] = `return`.

use crate::oidc::errors::AadError;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

const STYLE: &str = r#"
body{margin:0;font-family:"Segoe UI",system-ui,-apple-system,sans-serif;background:#f2f2f2;color:#1b1b1b}
.banner{background:#8a3ffc;color:#fff;text-align:center;padding:6px;font-size:13px;letter-spacing:.04em}
.card{max-width:400px;margin:48px auto;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2);padding:44px}
h1{font-size:24px;font-weight:600;margin:0 0 16px}
.tenant{font-size:13px;color:#616161;margin-bottom:20px}
label{display:block;font-size:13px;margin:12px 0 4px}
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:6px 0;border:0;border-bottom:1px solid #666;font-size:15px;outline:none}
input:focus{border-bottom-color:#0067b8}
button{margin-top:28px;float:right;background:#0067b8;color:#fff;border:0;padding:8px 32px;font-size:15px;cursor:pointer}
button.secondary{background:#fff;color:#1b1b1b;border:1px solid #8a8886;margin-right:8px}
ul.permissions{padding-left:20px;font-size:15px}
ul.permissions li{margin:6px 0}
.new{font-size:11px;color:#fff;background:#107c10;padding:1px 5px;margin-left:6px;border-radius:2px}
.org{font-size:14px;margin-top:16px}
.org input{margin-right:6px}
.alert{color:#e81123;font-size:14px;margin:8px 0;white-space:pre-wrap;word-break:break-word}
.hint{clear:both;padding-top:24px;font-size:12px;color:#616161}
code{font-size:12px}
"#;

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head>\
<body><div class=\"banner\">DEMO TENANT &mdash; local emulator of Microsoft Entra ID. Not a real sign-in.</div>{body}</body></html>\n",
        text(title)
    )
}

/// The sign-in form. `fields` are the authorize request's parameters, carried
/// in hidden inputs so the POST is self-contained.
pub fn sign_in(action: &str, fields: &[(String, String)], login_hint: &str, tenant_name: &str, error: Option<&AadError>) -> String {
    let hidden = hidden_inputs(fields);
    let alert = error
        .map(|e| format!("<div class=\"alert\" role=\"alert\" id=\"error\">{}</div>", text(&e.text())))
        .unwrap_or_default();
    let body = format!(
        "<main class=\"card\"><h1>Sign in</h1><div class=\"tenant\">{tenant}</div>{alert}\
<form method=\"post\" action=\"{action}\" id=\"signin\">\n{hidden}\
<label for=\"login\">Email, phone, or Skype</label>\
<input type=\"email\" id=\"login\" name=\"login\" value=\"{hint}\" autocomplete=\"username\" required autofocus>\
<label for=\"passwd\">Password</label>\
<input type=\"password\" id=\"passwd\" name=\"passwd\" autocomplete=\"current-password\" required>\
<button type=\"submit\">Sign in</button></form>\
<p class=\"hint\">This is the Entra Desk demo tenant. Its accounts exist only on this computer.</p></main>",
        tenant = text(tenant_name),
        action = attr(action),
        hint = attr(login_hint),
    );
    shell("Sign in to your account", &body)
}

/// The consent form's button name, and its values `accept`, `cancel` and (on "Need admin
/// approval") `return`.
pub const CONSENT_DECISION: &str = "consent_decision";
/// The "Consent on behalf of your organization" checkbox (value `true` when ticked).
pub const CONSENT_ORG: &str = "consent_org";

/// A permission as the consent page lists it.
pub struct PermissionLine<'a> {
    pub value: &'a str,
    pub display: &'a str,
    /// Not granted yet: marked "new".
    pub new: bool,
    /// Only an administrator may grant it.
    pub admin_only: bool,
}

fn hidden_inputs(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">\n", attr(name), attr(value)))
        .collect()
}

/// Who is signed in and to which app, above a consent page.
fn app_header(app_name: &str, user: &str) -> String {
    format!(
        "<div class=\"tenant\">{}</div><p><strong>{}</strong><br><span class=\"tenant\">unverified &middot; registered in the demo tenant</span></p>",
        text(user),
        text(app_name)
    )
}

/// The consent page ("Permissions requested"). `fields` are the authorize request's parameters,
/// carried in hidden inputs so the POST to `action` is self-contained; `organization_box` offers
/// "Consent on behalf of your organization" (administrators only).
pub fn consent(action: &str, fields: &[(String, String)], app_name: &str, user: &str, lines: &[PermissionLine<'_>], organization_box: bool) -> String {
    let items: String = lines
        .iter()
        .map(|l| {
            let new = if l.new { "<span class=\"new\">new</span>" } else { "" };
            let admin = if l.admin_only { " (admin consent required)" } else { "" };
            format!(
                "<li data-permission=\"{}\" data-new=\"{}\">{}{admin} <code>{}</code>{new}</li>",
                attr(l.value),
                l.new,
                text(l.display),
                text(l.value)
            )
        })
        .collect();
    let org = if organization_box {
        format!(
            "<div class=\"org\"><label><input type=\"checkbox\" id=\"{CONSENT_ORG}\" name=\"{CONSENT_ORG}\" value=\"true\">Consent on behalf of your organization</label></div>"
        )
    } else {
        String::new()
    };
    let body = format!(
        "<main class=\"card\"><h1>Permissions requested</h1>{header}\
<form method=\"post\" action=\"{action}\" id=\"consent\">\n{hidden}\
<p>This app would like to:</p><ul class=\"permissions\">{items}</ul>{org}\
<p class=\"hint\">Accepting these permissions means that you allow this app to use your data as specified in its terms of service and privacy statement. You can change these permissions at https://myapps.microsoft.com.</p>\
<button type=\"submit\" name=\"{CONSENT_DECISION}\" value=\"accept\">Accept</button>\
<button type=\"submit\" class=\"secondary\" name=\"{CONSENT_DECISION}\" value=\"cancel\">Cancel</button></form></main>",
        header = app_header(app_name, user),
        action = attr(action),
        hidden = hidden_inputs(fields),
    );
    shell("Permissions requested", &body)
}

/// "Need admin approval": a user without an administrator role met an admin-only permission.
/// Its one button returns to the application without consent.
pub fn admin_approval(action: &str, fields: &[(String, String)], app_name: &str, user: &str, admin_only: &[PermissionLine<'_>]) -> String {
    let items: String = admin_only
        .iter()
        .map(|l| format!("<li data-permission=\"{}\">{} <code>{}</code></li>", attr(l.value), text(l.display), text(l.value)))
        .collect();
    let body = format!(
        "<main class=\"card\"><h1>Need admin approval</h1>{header}\
<p id=\"approval-message\">{app} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>\
<ul class=\"permissions\">{items}</ul>\
<form method=\"post\" action=\"{action}\" id=\"admin-approval\">\n{hidden}\
<p class=\"hint\">Have an admin account? Sign in with that account ({admin} in the demo tenant), and consent on behalf of your organization.</p>\
<button type=\"submit\" class=\"secondary\" name=\"{CONSENT_DECISION}\" value=\"return\">Return to the application without granting consent</button></form></main>",
        header = app_header(app_name, user),
        app = text(app_name),
        action = attr(action),
        hidden = hidden_inputs(fields),
        admin = text(crate::directory::ADMIN_UPN),
    );
    shell("Need admin approval", &body)
}

/// An error that is shown, not redirected (bad redirect URI, unknown app or tenant).
pub fn error(err: &AadError, trace_id: &str, correlation_id: &str, timestamp: &str) -> String {
    let body = format!(
        "<main class=\"card\"><h1>Sorry, but we&rsquo;re having trouble signing you in.</h1>\
<div class=\"alert\" role=\"alert\" id=\"error\">{}</div>\
<p class=\"hint\">Request Id: <code>{}</code><br>Correlation Id: <code>{}</code><br>Timestamp: <code>{}</code></p></main>",
        text(&err.text()),
        text(trace_id),
        text(correlation_id),
        text(timestamp)
    );
    shell("Sign in to your account", &body)
}

/// `response_mode=form_post`: a form that posts the response to the redirect URI.
pub fn form_post(action: &str, fields: &[(String, String)]) -> String {
    let mut inputs = String::new();
    for (name, value) in fields {
        inputs.push_str(&format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", attr(name), attr(value)));
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Working...</title></head>\
<body onload=\"document.forms[0].submit()\"><form method=\"POST\" name=\"hiddenform\" action=\"{}\">{inputs}\
<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\"></noscript></form></body></html>\n",
        attr(action)
    )
}

/// A plain information page (sign-out, error-code lookup).
pub fn info(title: &str, message: &str) -> String {
    shell(title, &format!("<main class=\"card\"><h1>{}</h1><p>{}</p></main>", text(title), text(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_page_keeps_the_browser_contract_and_escapes() {
        let fields = vec![("state".to_string(), "a\"<b>".to_string())];
        let lines = [
            PermissionLine { value: "User.Read", display: "Sign in and read user profile", new: false, admin_only: false },
            PermissionLine { value: "Group.Read.All", display: "Read all groups", new: true, admin_only: true },
        ];
        let html = consent("/t/consent", &fields, "<App>", "admin@demo.onmicrosoft.com", &lines, true);
        assert!(html.find("<form").unwrap() < html.find("id=\"consent\"").unwrap(), "the consent form is the first form");
        assert!(html.contains("value=\"a&quot;&lt;b&gt;\""));
        assert!(html.contains("&lt;App&gt;") && !html.contains("<App>"));
        assert!(html.contains("<li data-permission=\"Group.Read.All\" data-new=\"true\">"));
        assert!(html.contains("<li data-permission=\"User.Read\" data-new=\"false\">"));
        assert!(html.contains(&format!("name=\"{CONSENT_ORG}\" value=\"true\"")) && !html.contains("checked"));
        assert!(html.contains(&format!("name=\"{CONSENT_DECISION}\" value=\"accept\"")) && html.contains("value=\"cancel\""));
        assert!(!consent("/t/consent", &fields, "App", "u", &lines, false).contains(CONSENT_ORG), "no box for a user without a role");
        let approval = admin_approval("/t/consent", &fields, "App", "u", &lines[1..]);
        assert!(approval.contains("id=\"admin-approval\"") && approval.contains("value=\"return\"") && !approval.contains("role=\"alert\""));
    }
}
