//! Microsoft Graph's delegated permissions (its `oauth2PermissionScopes`) that the demo tenant
//! knows: the value a `scope` names, the permission's id (what `requiredResourceAccess` holds),
//! whether only an administrator may consent to it (Graph's `type`: `Admin` or `User`), and the
//! line the consent page shows.
//!
//! The OpenID Connect scopes are Graph permissions too (scopes-oidc.md: "also hosted on Microsoft
//! Graph"), user-consentable, so they are listed here and consented like the others.
//!
//! Sources: ids and types from the Microsoft Graph service principal's published scopes and the
//! Graph permissions reference (`User.ReadBasic.All` is `User`; every other `.All` here, and
//! `RoleManagement.Read.Directory`, is `Admin`); display lines are Graph's admin-consent display
//! names.

/// One delegated permission of Microsoft Graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The value a `scope` names, in Graph's case (`User.Read`).
    pub value: &'static str,
    /// Graph's permission id (`requiredResourceAccess[].resourceAccess[].id` for `type: Scope`).
    pub id: &'static str,
    /// Graph's `type: Admin`: a user without an administrator role cannot consent to it.
    pub admin_only: bool,
    /// What the consent page lists for it.
    pub display: &'static str,
}

const fn user(value: &'static str, id: &'static str, display: &'static str) -> Permission {
    Permission { value, id, admin_only: false, display }
}

const fn admin(value: &'static str, id: &'static str, display: &'static str) -> Permission {
    Permission { value, id, admin_only: true, display }
}

/// The OpenID Connect scopes, in the order the consent page lists them.
pub const OIDC: &[&str] = &["openid", "profile", "email", "offline_access"];

/// Every delegated Graph permission the demo tenant accepts in a `scope`.
pub const GRAPH_DELEGATED: &[Permission] = &[
    user("openid", "37f7f235-527c-4136-accd-4a02d197296e", "Sign you in"),
    user("profile", "14dad69e-099b-42c9-810b-d002981feec1", "View your basic profile"),
    user("email", "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "View your email address"),
    user("offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "Maintain access to data you have given it access to"),
    user("User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "Sign in and read user profile"),
    user("User.ReadBasic.All", "b340eb25-3456-403f-be2f-af7a0d370277", "Read all users' basic profiles"),
    admin("User.Read.All", "a154be20-db9c-4678-8ab7-66f6cc099a59", "Read all users' full profiles"),
    user("User.ReadWrite", "b4e74841-8e56-480b-be8b-910348b18b4c", "Read and write access to user profile"),
    admin("User.ReadWrite.All", "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4", "Read and write all users' full profiles"),
    admin("User-PasswordProfile.ReadWrite.All", "56760768-b641-451f-8906-e1b8ab31bca7", "Read and write all password profiles and reset user passwords"),
    admin("User.RevokeSessions.All", "fc30e98b-8810-4501-81f5-c20a3196387b", "Revoke all sign in sessions for a user"),
    admin("Directory.Read.All", "06da0dbc-49e2-44d2-8312-53f166ab848a", "Read directory data"),
    admin("Directory.ReadWrite.All", "c5366453-9fb0-48a5-a156-24f0c49a4b84", "Read and write directory data"),
    admin("Directory.AccessAsUser.All", "0e263e50-5827-48a4-b97c-d940288653c7", "Access directory as the signed in user"),
    admin("Application.Read.All", "c79f8feb-a9db-4090-85f9-90d820caa0eb", "Read applications"),
    admin("Application.ReadWrite.All", "bdfbf15f-ee85-4955-8675-146e8e5296b5", "Read and write all applications"),
    admin("Group.Read.All", "5f8c59db-677d-491f-a6b8-5f174b11ec1d", "Read all groups"),
    admin("Group.ReadWrite.All", "4e46008b-f24c-477d-8fff-7bb4ec7aafe0", "Read and write all groups"),
    admin("GroupMember.Read.All", "bc024368-1153-4739-b217-4326f2e966d0", "Read group memberships"),
    admin("GroupMember.ReadWrite.All", "f81125ac-d3b7-4573-a3b2-7099cc39df9e", "Read and write group memberships"),
    admin("Organization.Read.All", "4908d5b9-3fb2-4b1e-9336-1888b7937185", "Read organization information"),
    admin("AuditLog.Read.All", "e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20", "Read audit log data"),
    admin("Policy.Read.All", "572fea84-0151-49b2-9301-11cb16974376", "Read your organization's policies"),
    admin("RoleManagement.Read.Directory", "741c54c3-0c1e-44a1-818b-3f97ab4e8c83", "Read directory RBAC settings"),
    user("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca", "Read user mail"),
];

/// The permission named `value` (any case).
pub fn find(value: &str) -> Option<&'static Permission> {
    GRAPH_DELEGATED.iter().find(|p| p.value.eq_ignore_ascii_case(value))
}

/// The permission with Graph id `id` (any case).
pub fn by_id(id: &str) -> Option<&'static Permission> {
    GRAPH_DELEGATED.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// Is `value` one of the OpenID Connect scopes (canonical lower case)?
pub fn is_oidc(value: &str) -> bool {
    OIDC.contains(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_ids_are_unique_and_found_in_any_case() {
        for (i, p) in GRAPH_DELEGATED.iter().enumerate() {
            assert!(GRAPH_DELEGATED[i + 1..].iter().all(|q| !q.value.eq_ignore_ascii_case(p.value) && q.id != p.id), "{}", p.value);
            assert_eq!(find(&p.value.to_uppercase()), Some(p));
            assert_eq!(by_id(p.id), Some(p));
        }
        assert!(OIDC.iter().all(|o| find(o).is_some_and(|p| !p.admin_only)));
        assert!(!find("User.ReadBasic.All").unwrap().admin_only && find("User.Read.All").unwrap().admin_only);
        assert_eq!(find("Nope.Read"), None);
    }
}
