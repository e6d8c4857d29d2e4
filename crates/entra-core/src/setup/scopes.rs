//! The registration's API permissions: Entra Desk's delegated Graph permissions
//! ([`crate::permissions::ALL_DELEGATED`], each screen's least privileged scope, defined once
//! there) as the ids Microsoft Graph's service principal in this tenant defines for them.
//!
//! The ids are read from Graph (`oauth2PermissionScopes`, matched by `value`), never written
//! down here: Microsoft publishes them, but a copy could only drift, and a national cloud or a
//! stand-in such as the demo tenant is told apart by nothing else. A scope Graph does not define
//! (or has disabled) is an error that names it, never a new registration that silently lacks
//! it; bringing an earlier registration up to date ([`super::upgrade`]) adds the scopes Graph
//! defines and logs the others, as failing would not give the registration them either.

use crate::graph::models::{RequiredResourceAccess, ResourceAccess, ServicePrincipal};
use crate::{Error, ErrorCode, Result};
use entra_graph::resources::GRAPH_APP_ID;

/// Each of `scopes` Graph defines (and has enabled), in `scopes`' order, with the id `graph`'s
/// `oauth2PermissionScopes` give it (`type: Scope`); and those it does not, named (a disabled
/// one or one without an id says so).
pub fn defined<'a>(graph: &ServicePrincipal, scopes: &[&'a str]) -> (Vec<(&'a str, ResourceAccess)>, Vec<String>) {
    let mut access = Vec::with_capacity(scopes.len());
    let mut unknown = Vec::new();
    for &scope in scopes {
        let defined = graph.oauth2_permission_scopes.iter().find(|s| s.value.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(scope)));
        match defined {
            Some(s) if s.is_enabled != Some(false) && crate::ids::is_guid(&s.id) => {
                access.push((scope, ResourceAccess { id: s.id.to_ascii_lowercase(), access_type: "Scope".into() }));
            }
            Some(_) => unknown.push(format!("{scope} (disabled or without an id)")),
            None => unknown.push(scope.to_string()),
        }
    }
    (access, unknown)
}

/// Graph's `requiredResourceAccess` entry asking for `scopes` (delegated: `type: Scope`), with
/// the ids `graph`'s `oauth2PermissionScopes` give them, in `scopes`' order.
pub fn graph_resource_access(graph: &ServicePrincipal, scopes: &[&str]) -> Result<RequiredResourceAccess> {
    let (access, unknown) = defined(graph, scopes);
    if !unknown.is_empty() {
        return Err(Error::new(
            ErrorCode::Graph,
            format!(
                "Microsoft Graph in this tenant does not offer the delegated permission {} (its service principal, appId {GRAPH_APP_ID}, defines {} others), so the registration was not made. Fix: check that the Graph address is Microsoft Graph's for your cloud; if it is, register by hand with the permissions that exist (`entractl setup --print-commands`) and report the missing one",
                unknown.join(", "),
                graph.oauth2_permission_scopes.len()
            ),
        ));
    }
    Ok(RequiredResourceAccess { resource_app_id: GRAPH_APP_ID.to_string(), resource_access: access.into_iter().map(|(_, a)| a).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::PermissionScope;

    fn graph() -> ServicePrincipal {
        let scope = |id: &str, value: &str, enabled: bool| PermissionScope {
            id: id.into(),
            value: Some(value.into()),
            scope_type: Some("Admin".into()),
            is_enabled: Some(enabled),
            ..Default::default()
        };
        // Shaped as Graph's answer to `$select=id,appId,displayName,oauth2PermissionScopes` (ids as
        // Microsoft publishes them; the code under test never knows them).
        serde_json::from_value(serde_json::json!({
            "id": "8b2c4d6e-0000-4000-8000-00000000a001",
            "appId": GRAPH_APP_ID,
            "displayName": "Microsoft Graph",
            "oauth2PermissionScopes": [
                scope("E1FE6DD8-BA31-4D61-89E7-88639DA4683D", "User.Read", true),
                scope("c79f8feb-a9db-4090-85f9-90d820caa0eb", "Application.Read.All", true),
                scope("bdfbf15f-ee85-4955-8675-146e8e5296b5", "Application.ReadWrite.All", true),
                scope("00000000-0000-4000-8000-0000000000d1", "Retired.Scope", false),
            ]
        }))
        .unwrap()
    }

    #[test]
    fn scopes_become_graphs_own_ids_in_order() {
        let access = graph_resource_access(&graph(), &["Application.ReadWrite.All", "user.read"]).unwrap();
        assert_eq!(access.resource_app_id, GRAPH_APP_ID);
        let ids: Vec<(&str, &str)> = access.resource_access.iter().map(|a| (a.id.as_str(), a.access_type.as_str())).collect();
        assert_eq!(ids, [("bdfbf15f-ee85-4955-8675-146e8e5296b5", "Scope"), ("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "Scope")]);
    }

    #[test]
    fn defined_names_each_scope_and_what_graph_lacks() {
        let (access, unknown) = defined(&graph(), &["User.Read", "GroupMember.Read.All", "Retired.Scope"]);
        assert_eq!(access, [("User.Read", ResourceAccess { id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d".into(), access_type: "Scope".into() })]);
        assert_eq!(unknown, ["GroupMember.Read.All", "Retired.Scope (disabled or without an id)"]);
    }

    #[test]
    fn an_unknown_or_disabled_scope_is_an_error_naming_it() {
        let err = graph_resource_access(&graph(), &["User.Read", "GroupMember.Read.All", "Retired.Scope"]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Graph);
        assert!(err.message().contains("GroupMember.Read.All, Retired.Scope (disabled or without an id)"), "{}", err.message());
        assert!(err.message().contains("--print-commands"), "{}", err.message());
    }
}
