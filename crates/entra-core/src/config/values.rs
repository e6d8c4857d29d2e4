//! How a setting's value is read: `${ENV}` substitution, the `{TenantId}`
//! placeholder, and URL checks (https, or http on loopback only).

use crate::{Error, Result};
use url::Url;

/// Replaces `${NAME}` with environment variables; `$$` is a literal `$`.
pub fn substitute_env(setting: &str, value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or_else(|| {
                Error::config(format!("Setting `{setting}` has a `${{` without a closing `}}`: write ${{NAME}}, or $$ for a literal $"))
            })?;
            let name = &body[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(Error::config(format!(
                    "Setting `{setting}` refers to `${{{name}}}`, which is not a valid environment variable name: use letters, digits and _"
                )));
            }
            let v = lookup(name).ok_or_else(|| {
                Error::config(format!("Setting `{setting}` uses ${{{name}}}, but the environment variable {name} is not set: set {name} or change the setting"))
            })?;
            out.push_str(&v);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Replaces `{TenantId}` (any case) with `tenant`.
pub fn replace_tenant_placeholder(value: &str, tenant: &str) -> String {
    const NEEDLE: &str = "{tenantid}";
    let lower = value.to_ascii_lowercase();
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(NEEDLE) {
        out.push_str(&value[last..at]);
        out.push_str(tenant);
        last = at + NEEDLE.len();
    }
    out.push_str(&value[last..]);
    out
}

pub(crate) fn parse_url(setting: &str, value: &str, fix: &str) -> Result<Url> {
    let url = Url::parse(value).map_err(|e| Error::config(format!("Setting `{setting}` is not a valid URL ({e}): {fix}")))?;
    match url.scheme() {
        "https" => Ok(url),
        // Plain http only on loopback (the demo tenant); anything else would send tokens in clear.
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::config(format!("Setting `{setting}` uses http:// for a host other than this machine: use https:// ({fix})"))),
        // The scheme is not quoted: the value may have come from an expanded ${VARIABLE}.
        _ => Err(Error::config(format!("Setting `{setting}` is not an https:// URL: use https:// ({fix})"))),
    }
}

/// True for `localhost`, `127.0.0.0/8` and `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

pub(crate) fn trim_slash(mut url: Url) -> Url {
    if url.path().len() > 1 && url.path().ends_with('/') {
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
    }
    url
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_substitution_escapes_and_errors() {
        let env = |k: &str| (k == "MY_APP").then(|| "app-7".to_string());
        assert_eq!(substitute_env("x", "a$$b$c${MY_APP}", &env).unwrap(), "a$b$capp-7");
        let err = substitute_env("authority", "${OPEN", &env).unwrap_err();
        assert!(err.message().contains("closing"));
        let err = substitute_env("clientId", "${NOT SET}", &env).unwrap_err();
        assert!(err.message().contains("not a valid environment variable name"));
    }

    #[test]
    fn loopback_hosts() {
        for (url, expected) in [("http://localhost/x", true), ("http://127.0.0.2", true), ("http://[::1]", true), ("http://example.com", false)] {
            assert_eq!(is_loopback(&Url::parse(url).unwrap()), expected, "{url}");
        }
    }
}
