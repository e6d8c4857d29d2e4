//! The HTML the authorization endpoint renders: the sign-in form, error
//! pages and the `form_post` auto-submit page. Plain server-side HTML (no
//! script except form_post's auto-submit), with a visible "Demo tenant" banner.
//!
//! Contract with [`crate::browser`]: the sign-in form is the page's first
//! `<form>`, the user name input is `login`, the password input is `passwd`,
//! and an error is the text of the element with `role="alert"`.

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
    let mut hidden = String::new();
    for (name, value) in fields {
        hidden.push_str(&format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">\n", attr(name), attr(value)));
    }
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
