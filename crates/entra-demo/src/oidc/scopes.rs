//! Scope parsing for the Microsoft identity platform: OIDC scopes, Graph
//! permissions in short (`User.Read`) or resource-qualified
//! (`https://graph.microsoft.com/User.Read`) form, and `/.default`.
//!
//! Graph is the only resource in the demo tenant. Its access tokens use the
//! GUID audience `00000003-0000-0000-c000-000000000000` (REFERENCE.md §3: v2
//! access tokens carry the API's client-ID GUID); the Graph emulator accepts
//! `https://graph.microsoft.com` as well.
//!
//! Which permissions a token carries is not decided here but by what was
//! consented (`oidc::consent`); which permissions a `scope` may name is
//! `oidc::permissions`.

use crate::oidc::errors::{self, AadError};
use crate::oidc::permissions;

pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
/// Azure Database for PostgreSQL's (and MySQL's) Entra resource: what a client asks a token
/// for to sign in to such a database with Entra (the token is sent as the password).
pub const OSSRDBMS_RESOURCE: &str = "https://ossrdbms-aad.database.windows.net";

/// The resource a client-credentials token is for (its `aud`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Microsoft Graph (`aud` = Graph's app ID, `roles` = the app's Graph app roles).
    Graph,
    /// Azure's open-source databases (`aud` = the resource URI, no roles: the database maps the
    /// token's `oid`/name to a database role of its own).
    OssRdbms,
}

/// A delegated scope request, normalised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delegated {
    pub openid: bool,
    pub profile: bool,
    pub email: bool,
    pub offline_access: bool,
    /// Graph permissions named (not the OIDC scopes), canonical case, in request order.
    pub graph: Vec<&'static str>,
    /// `/.default` was asked for Graph.
    pub graph_default: bool,
}

impl Delegated {
    /// The OIDC scopes asked for, in the order the consent page lists them.
    pub fn oidc(&self) -> Vec<&'static str> {
        [(self.openid, "openid"), (self.profile, "profile"), (self.email, "email"), (self.offline_access, "offline_access")]
            .into_iter()
            .filter_map(|(asked, name)| asked.then_some(name))
            .collect()
    }

    /// The `scp` claim and the response `scope`: the Graph permissions the token
    /// carries (`graph`, as `oidc::consent` decides them), then the OIDC scopes
    /// Entra echoes when asked (`offline_access` is not echoed).
    pub fn scp(&self, graph: &[&str]) -> String {
        let mut parts: Vec<&str> = graph.to_vec();
        for (asked, name) in [(self.profile, "profile"), (self.openid, "openid"), (self.email, "email")] {
            if asked {
                parts.push(name);
            }
        }
        parts.join(" ")
    }

    /// The scope string to remember in a refresh grant, re-parseable by [`parse_delegated`].
    pub fn to_scope_string(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.graph_default {
            parts.push(format!("{GRAPH_RESOURCE}/.default"));
        }
        parts.extend(self.graph.iter().map(|g| g.to_string()));
        for (asked, name) in [
            (self.openid, "openid"),
            (self.profile, "profile"),
            (self.email, "email"),
            (self.offline_access, "offline_access"),
        ] {
            if asked {
                parts.push(name.to_string());
            }
        }
        parts.join(" ")
    }
}

/// Strips a Graph resource prefix: `Some(rest)` for Graph, `None` for a bare
/// scope, `Err` for another resource.
fn graph_part(scope: &str) -> Result<Option<&str>, ()> {
    for prefix in [GRAPH_RESOURCE, GRAPH_APP_ID] {
        if scope.len() > prefix.len()
            && scope.is_char_boundary(prefix.len())
            && scope[..prefix.len()].eq_ignore_ascii_case(prefix)
            && scope[prefix.len()..].starts_with('/')
        {
            return Ok(Some(&scope[prefix.len() + 1..]));
        }
    }
    if scope.contains('/') || scope.contains(':') {
        Err(())
    } else {
        Ok(None)
    }
}

/// Parses a delegated `scope` parameter (authorize, code redemption, refresh).
pub fn parse_delegated(scope: &str) -> Result<Delegated, AadError> {
    let mut out = Delegated::default();
    let mut any = false;
    for item in scope.split_whitespace() {
        any = true;
        match item.to_ascii_lowercase().as_str() {
            "openid" => out.openid = true,
            "profile" => out.profile = true,
            "email" => out.email = true,
            "offline_access" => out.offline_access = true,
            _ => {
                let name = match graph_part(item) {
                    Ok(Some(rest)) => rest,
                    Ok(None) => item,
                    Err(()) => return Err(errors::invalid_scope(item)),
                };
                if name == ".default" {
                    out.graph_default = true;
                } else if let Some(known) = permissions::find(name).filter(|p| !permissions::is_oidc(p.value)) {
                    // A qualified OIDC scope (`https://graph.microsoft.com/openid`) stays unknown, as before.
                    if !out.graph.contains(&known.value) {
                        out.graph.push(known.value);
                    }
                } else {
                    return Err(errors::invalid_scope(item));
                }
            }
        }
    }
    if !any {
        return Err(errors::missing_parameter("scope"));
    }
    // Mixing `/.default` with named permissions of the same resource is an error.
    if out.graph_default && !out.graph.is_empty() {
        return Err(errors::invalid_scope(scope.trim()));
    }
    Ok(out)
}

/// Parses a client-credentials `scope`: exactly one `{resource}/.default`, for a resource this
/// tenant knows (Graph, or Azure's open-source databases).
pub fn parse_client_credentials(scope: &str, tenant: &str) -> Result<Resource, AadError> {
    let items: Vec<&str> = scope.split_whitespace().collect();
    let [item] = items.as_slice() else {
        return Err(if items.is_empty() {
            errors::missing_parameter("scope")
        } else {
            errors::invalid_scope(scope.trim())
        });
    };
    match item.strip_suffix("/.default") {
        None => Err(errors::scope_needs_default(item)),
        Some(resource) => {
            let resource = resource.trim_end_matches('/');
            if resource.eq_ignore_ascii_case(GRAPH_RESOURCE) || resource.eq_ignore_ascii_case(GRAPH_APP_ID) {
                Ok(Resource::Graph)
            } else if resource.eq_ignore_ascii_case(OSSRDBMS_RESOURCE) {
                Ok(Resource::OssRdbms)
            } else {
                Err(errors::resource_not_found(resource, tenant))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_qualified_graph_scopes_are_the_same() {
        let a = parse_delegated("openid profile offline_access User.Read").unwrap();
        let b = parse_delegated("openid profile offline_access https://graph.microsoft.com/user.read").unwrap();
        assert_eq!(a, b);
        assert!(a.openid && a.offline_access && !a.email);
    }

    #[test]
    fn unknown_and_mixed_scopes_are_rejected() {
        assert_eq!(parse_delegated("openid Foo.Bar").unwrap_err().code, 70011);
        assert_eq!(parse_delegated("https://example.com/x").unwrap_err().code, 70011);
        assert_eq!(parse_delegated("User.Read https://graph.microsoft.com/.default").unwrap_err().code, 70011);
        assert_eq!(parse_delegated("  ").unwrap_err().code, 900144);
    }

    #[test]
    fn client_credentials_need_one_default() {
        assert_eq!(parse_client_credentials("https://graph.microsoft.com/.default", "t").unwrap(), Resource::Graph);
        assert_eq!(parse_client_credentials("https://ossrdbms-aad.database.windows.net/.default", "t").unwrap(), Resource::OssRdbms);
        assert!(parse_client_credentials("00000003-0000-0000-c000-000000000000/.default", "t").is_ok());
        assert_eq!(parse_client_credentials("User.Read", "t").unwrap_err().code, 1002012);
        assert_eq!(parse_client_credentials("https://example.com/.default", "t").unwrap_err().code, 500011);
    }
}
