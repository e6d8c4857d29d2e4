//! The delegated Microsoft Graph permissions the sign-in side accepts: what a `scope` may name,
//! what consent is asked and recorded for, and what a delegated token's `scp` may carry. A view
//! over [`crate::inventory::graph_permissions`], the one table of Graph's permissions (ids,
//! `Admin`/`User` types and consent texts, with its sources): this module only says which of that
//! table's delegated permissions sign-in accepts ([`ACCEPTED`], by value), and its lookups return
//! the table's entries.
//!
//! The OpenID Connect scopes are Graph permissions too (scopes-oidc.md: "also hosted on Microsoft
//! Graph"), user-consentable, so they are accepted and consented like the others.
//!
//! The consent page shows a permission by the table's admin-consent display name to an
//! administrator and by its user-consent display name to anyone else (Graph's
//! `adminConsentDisplayName` and `userConsentDisplayName`: [`display`]).

use crate::inventory::graph_permissions::{self, DelegatedPermission};

/// The OpenID Connect scopes, in the order the consent page lists them.
pub const OIDC: &[&str] = &["openid", "profile", "email", "offline_access"];

/// The delegated Graph permissions the demo tenant accepts in a `scope`, by value (each one of
/// `graph_permissions::DELEGATED`, in its case). The table publishes a few more
/// (`Files.Read.All`, `Calendars.Read`: only the generated apps' `requiredResourceAccess` names
/// them); a `scope` naming those is refused as unknown.
pub const ACCEPTED: &[&str] = &[
    "openid",
    "profile",
    "email",
    "offline_access",
    "User.Read",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite",
    "User.ReadWrite.All",
    "User-PasswordProfile.ReadWrite.All",
    "User.RevokeSessions.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Organization.Read.All",
    "AuditLog.Read.All",
    "Policy.Read.All",
    "RoleManagement.Read.Directory",
    "Mail.Read",
];

fn accepted(p: &&'static DelegatedPermission) -> bool {
    ACCEPTED.contains(&p.value)
}

/// The accepted permission named `value` (any case).
pub fn find(value: &str) -> Option<&'static DelegatedPermission> {
    graph_permissions::DELEGATED.iter().find(|p| p.value.eq_ignore_ascii_case(value)).filter(accepted)
}

/// The accepted permission with Graph id `id` (any case).
pub fn by_id(id: &str) -> Option<&'static DelegatedPermission> {
    graph_permissions::delegated_by_id(id).filter(accepted)
}

/// Is `value` one of the OpenID Connect scopes (canonical lower case)?
pub fn is_oidc(value: &str) -> bool {
    OIDC.contains(&value)
}

/// What the consent page lists for `p`: its admin-consent display name when an administrator
/// is consenting, else its user-consent display name.
pub fn display(p: &DelegatedPermission, admin: bool) -> &'static str {
    if admin {
        p.admin_name
    } else {
        p.user_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_permission_is_in_the_table_once_and_found_in_any_case() {
        for (i, value) in ACCEPTED.iter().enumerate() {
            assert!(!ACCEPTED[i + 1..].iter().any(|v| v.eq_ignore_ascii_case(value)), "{value} twice");
            let p = find(&value.to_uppercase()).unwrap_or_else(|| panic!("{value} is not in graph_permissions::DELEGATED"));
            assert_eq!(p.value, *value, "the table's case");
            assert_eq!(by_id(&p.id.to_uppercase()), Some(p));
        }
        assert!(OIDC.iter().all(|o| find(o).is_some_and(|p| !p.admin_only)));
        assert!(!find("User.ReadBasic.All").unwrap().admin_only && find("User.Read.All").unwrap().admin_only);
        assert_eq!(find("Nope.Read"), None);
        // Published by Graph's service principal, but not accepted at sign-in.
        let files = graph_permissions::DELEGATED.iter().find(|p| p.value == "Files.Read.All").unwrap();
        assert_eq!((find(files.value), by_id(files.id)), (None, None));
    }

    #[test]
    fn the_consent_page_shows_the_texts_for_its_reader() {
        let p = find("User.Read").unwrap();
        assert_eq!(display(p, true), "Sign in and read user profile");
        assert_eq!(display(p, false), "Sign you in and read your profile");
    }
}
