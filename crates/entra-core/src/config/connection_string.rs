//! The connection-string form of the configuration:
//! `MicrosoftEntra:TenantId=…;MicrosoftEntra:ClientId=…;MicrosoftEntra:ClientSecret=…`.
//!
//! Admins paste these from other tools (Ivy's `--connection-string`, .NET user
//! secrets), so the parser is forgiving where that is safe: keys are
//! case-insensitive, the `MicrosoftEntra:` prefix is optional, values may be
//! quoted with `"` or `'` (a doubled quote inside stands for one), blank
//! segments are ignored. It is strict where a mistake would go unnoticed:
//! unknown keys, pairs without `=`, duplicated keys and unterminated quotes
//! are errors that name the pair, never its value (the value may be a secret).

use super::layer::{split_scopes, ProfileSettings};
use crate::secret::ClientSecret;
use crate::{Error, Result};

/// The keys a connection string may contain, as documented in error messages.
pub const KEYS: &[&str] = &[
    "TenantId", "ClientId", "ClientSecret", "Authority", "Instance", "Domain", "MetadataAddress",
    "CallbackPath", "RedirectUri", "Scopes", "GraphUrl",
];

/// A parsed connection string: non-secret settings plus, possibly, a client secret.
#[derive(Debug, Clone, Default)]
pub struct ConnectionString {
    /// The non-secret settings it carries.
    pub settings: ProfileSettings,
    /// The client secret, if it carries one. The caller moves it to the keychain.
    pub client_secret: Option<ClientSecret>,
}

/// Splits on `;` outside quotes and unquotes values. Returns (key, value) pairs with their 1-based position.
fn split_pairs(input: &str) -> Result<Vec<(usize, String, String)>> {
    let mut pairs = Vec::new();
    let mut chars = input.chars().peekable();
    let mut position = 0;
    loop {
        // Key: up to '=' or ';'.
        let mut key = String::new();
        let mut saw_eq = false;
        while let Some(&c) = chars.peek() {
            chars.next();
            match c {
                '=' => {
                    saw_eq = true;
                    break;
                }
                ';' => break,
                _ => key.push(c),
            }
        }
        let key = key.trim().to_string();
        if !saw_eq {
            if !key.is_empty() {
                position += 1;
                // Not quoted: text without '=' may be a value (a secret pasted on its own).
                return Err(Error::config(format!(
                    "Connection string: pair {position} has no '=': write each pair as Key=value, separated from the next pair by ';'"
                )));
            }
            if chars.peek().is_none() {
                break;
            }
            continue; // A blank segment such as a trailing ';'.
        }
        position += 1;
        if key.is_empty() {
            return Err(Error::config(format!("Connection string: pair {position} has no key before '=': write it as Key=value")));
        }
        // Value: quoted or up to the next ';'.
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut value = String::new();
        match chars.peek().copied() {
            Some(q @ ('"' | '\'')) => {
                chars.next();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    if c == q {
                        if chars.peek() == Some(&q) {
                            chars.next();
                            value.push(q);
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        value.push(c);
                    }
                }
                if !closed {
                    return Err(Error::config(format!("Connection string: the value of `{key}` opens a {q} quote that is never closed: close it or remove it")));
                }
                // Only blanks may follow a closing quote.
                for c in chars.by_ref() {
                    match c {
                        ';' => break,
                        ' ' | '\t' => {}
                        _ => {
                            return Err(Error::config(format!(
                                "Connection string: unexpected text after the quoted value of `{key}`: put a ';' after the closing quote"
                            )))
                        }
                    }
                }
            }
            _ => {
                for c in chars.by_ref() {
                    if c == ';' {
                        break;
                    }
                    value.push(c);
                }
                value = value.trim().to_string();
            }
        }
        pairs.push((position, key, value));
    }
    Ok(pairs)
}

/// A key for an error message: quoted when it looks like a key name (letters, digits, `:`, `_`,
/// `.`, `-`, at most 40 characters), otherwise "a key that is not a name", so that a value pasted
/// where a key belongs (possibly a secret) is never echoed.
fn quoted_key(key: &str) -> String {
    let looks_like_a_name = !key.is_empty() && key.len() <= 40 && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-' | ' '));
    if looks_like_a_name {
        format!("the key `{key}`")
    } else {
        "a key that is not a name".to_string()
    }
}

/// Parses a connection string. Errors name the offending pair and the fix, never a value.
pub fn parse(input: &str) -> Result<ConnectionString> {
    let mut out = ConnectionString::default();
    let mut seen: Vec<String> = Vec::new();
    let mut instance: Option<String> = None;
    let mut domain: Option<String> = None;
    let mut callback_path: Option<String> = None;
    for (position, raw_key, value) in split_pairs(input)? {
        let key = match raw_key.split_once(':') {
            Some((prefix, rest)) if prefix.trim().eq_ignore_ascii_case("MicrosoftEntra") || prefix.trim().eq_ignore_ascii_case("AzureAd") => rest.trim(),
            Some(_) => {
                return Err(Error::config(format!(
                    "Connection string: pair {position} has {}, whose prefix is not `MicrosoftEntra:`: use MicrosoftEntra:<Key> with a key among {}",
                    quoted_key(&raw_key),
                    KEYS.join(", ")
                )))
            }
            None => raw_key.as_str(),
        };
        let canonical = KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)).copied().ok_or_else(|| {
            Error::config(format!("Connection string: {} (pair {position}) is not a known key: use one of {}", quoted_key(&raw_key), KEYS.join(", ")))
        })?;
        if seen.iter().any(|k| k == canonical) {
            return Err(Error::config(format!("Connection string: `{canonical}` is given twice (pair {position}): keep one")));
        }
        seen.push(canonical.to_string());
        if value.is_empty() {
            return Err(Error::config(format!("Connection string: `{canonical}` has an empty value (pair {position}): give a value or remove the pair")));
        }
        let s = &mut out.settings;
        match canonical {
            "TenantId" => s.tenant_id = Some(value),
            "ClientId" => s.client_id = Some(value),
            "ClientSecret" => out.client_secret = Some(ClientSecret::new(value)),
            "Authority" => s.authority = Some(value),
            "Instance" => instance = Some(value),
            "Domain" => domain = Some(value),
            "MetadataAddress" => s.metadata_address = Some(value),
            "CallbackPath" => callback_path = Some(value),
            "RedirectUri" => s.redirect_uri = Some(value),
            "Scopes" => s.scopes = Some(split_scopes(&value)),
            "GraphUrl" => s.graph_url = Some(value),
            _ => unreachable!("every key in KEYS is handled"),
        }
    }
    // Microsoft.Identity.Web style: Instance + TenantId (or Domain) make the authority.
    if out.settings.authority.is_none() {
        if let Some(instance) = instance {
            let tenant = out.settings.tenant_id.clone().or(domain).ok_or_else(|| {
                Error::config("Connection string: `Instance` needs `TenantId` or `Domain` to form the authority: add MicrosoftEntra:TenantId=<tenant ID>")
            })?;
            out.settings.authority = Some(format!("{}/{}", instance.trim_end_matches('/'), tenant));
        }
    }
    if out.settings.redirect_uri.is_none() {
        if let Some(path) = callback_path {
            let path = if path.starts_with('/') { path } else { format!("/{path}") };
            out.settings.redirect_uri = Some(format!("http://localhost{path}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn parses_the_documented_form() {
        let cs = parse("MicrosoftEntra:TenantId=contoso-tid;MicrosoftEntra:ClientId=app-123;MicrosoftEntra:ClientSecret=s3cr3t~value").unwrap();
        assert_eq!(cs.settings.tenant_id.as_deref(), Some("contoso-tid"));
        assert_eq!(cs.settings.client_id.as_deref(), Some("app-123"));
        assert_eq!(cs.client_secret.unwrap().expose(), "s3cr3t~value");
    }

    #[test]
    fn keys_are_case_insensitive_prefix_optional_and_values_may_be_quoted() {
        let cs = parse(" microsoftentra:clientid = app ; Authority=\"https://login.example.com/t;1\";SCOPES='User.Read, Group.Read.All' ; ").unwrap();
        assert_eq!(cs.settings.client_id.as_deref(), Some("app"));
        assert_eq!(cs.settings.authority.as_deref(), Some("https://login.example.com/t;1"));
        assert_eq!(cs.settings.scopes.unwrap(), vec!["User.Read", "Group.Read.All"]);
        let cs = parse("ClientSecret=\"a\"\"b\"").unwrap();
        assert_eq!(cs.client_secret.unwrap().expose(), "a\"b");
    }

    #[test]
    fn instance_and_callback_path_build_authority_and_redirect() {
        let cs = parse("Instance=https://login.microsoftonline.com/;Domain=contoso.onmicrosoft.com;CallbackPath=/signin-oidc;ClientId=x").unwrap();
        assert_eq!(cs.settings.authority.as_deref(), Some("https://login.microsoftonline.com/contoso.onmicrosoft.com"));
        assert_eq!(cs.settings.redirect_uri.as_deref(), Some("http://localhost/signin-oidc"));
    }

    #[test]
    fn malformed_strings_give_config_errors_that_never_echo_values() {
        let cases = [
            ("MicrosoftEntra:TenantId", "has no '='"),
            ("ClientId=a;Bogus=secretvalue", "the key `Bogus` (pair 2) is not a known key"),
            // A secret pasted alone, or where a key belongs, is never quoted.
            ("ClientId=a;abc8Q~secretvalue", "pair 2 has no '='"),
            ("ClientId=a;secretvalue/+==x", "a key that is not a name"),
            ("ClientId=a;clientid=b", "given twice"),
            ("ClientSecret=\"secretvalue", "never closed"),
            ("ClientSecret=\"secretvalue\"x", "after the quoted value"),
            ("=secretvalue", "no key"),
            ("TenantId=", "empty value"),
            ("Other:ClientId=a", "prefix"),
            ("Instance=https://login.microsoftonline.com", "needs `TenantId`"),
        ];
        for (input, expected) in cases {
            let err = parse(input).expect_err(input);
            assert_eq!(err.code(), ErrorCode::Config);
            assert!(err.message().contains(expected), "{input}: {}", err.message());
            assert!(!err.message().contains("secretvalue"), "{input}: {}", err.message());
        }
    }

    #[test]
    fn blank_input_is_empty() {
        let cs = parse(" ; ;").unwrap();
        assert!(cs.settings.client_id.is_none() && cs.client_secret.is_none());
    }
}
