//! What each operation needs from Microsoft Graph, and why Graph answered 403.
//!
//! **Least privilege.** Each operation that calls Graph declares its [`Need`]s: the delegated
//! permissions that would do (least privileged first, the one to ask for), the application
//! permissions that would do for an app-only account, and the directory roles Graph also wants
//! of the signed-in person for a write. The permissions come from Microsoft's "least privileged
//! permissions" tables of each Graph call we make; [`ALL_DELEGATED`] is what a registration made
//! for Entra Desk lists, so every screen's scope can be granted to it.
//!
//! **A 403 that explains itself.** Graph answers `Authorization_RequestDenied` both when the token
//! lacks the permission and when the person lacks the directory role (Microsoft's "resolve
//! authorization errors"). The token tells them apart: its `scp` (delegated) or `roles`
//! (app-only) either holds none of the operation's permissions — then the fix is to grant one
//! ([`ErrorCode::MissingScope`], carrying the scope to ask for: v2.0 incremental consent asks only
//! for the new one) — or holds one, and what is missing is a role or the ownership of the object
//! ([`ErrorCode::MissingRole`], naming the roles). A token we cannot read (some providers' are
//! opaque) gets a message naming both possibilities.
//!
//! A Conditional Access policy that wants a stronger sign-in for an operation (an
//! authentication context) is not a 403: Graph answers 401 with a claims challenge, which
//! `crate::graph::map_error` makes [`ErrorCode::ClaimsRequired`] and
//! `crate::signin::SignIn::step_up` meets by a sign-in as the same person sending its claims.

use crate::error::{Error, ErrorCode};
use base64::Engine;

/// One permission an operation needs: any of `delegated` (for a person) or of `application` (for
/// an app-only account), and, for a person, one of `roles` (or being an owner, where `owners` says
/// so). Permissions are written as Graph's `value`s (`Application.Read.All`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// What the operation does, for messages: "read app registrations".
    pub action: &'static str,
    /// Delegated permissions that allow it, least privileged first.
    pub delegated: &'static [&'static str],
    /// Application permissions that allow it, least privileged first.
    pub application: &'static [&'static str],
    /// Directory roles Graph wants of the signed-in person as well (empty: any member).
    pub roles: &'static [&'static str],
    /// Owning the object is enough instead of a role (applications, groups).
    pub owners: bool,
}

impl Need {
    /// The delegated scope to ask for when none is granted: the least privileged one.
    pub fn scope_to_grant(&self) -> &'static str {
        self.delegated[0]
    }
}

/// Signing in and reading one's own profile.
pub const SIGN_IN: Need = Need {
    action: "sign in and read your profile",
    delegated: &["User.Read"],
    application: &[],
    roles: &[],
    owners: false,
};

/// Listing app registrations and service principals, their owners and credentials.
pub const READ_APPS: Need = Need {
    action: "read app registrations and service principals",
    delegated: &["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    roles: &[],
    owners: false,
};

/// Adding and removing client secrets (rotation, app-secret leases).
pub const WRITE_APP_SECRETS: Need = Need {
    action: "add or remove client secrets",
    delegated: &["Application.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"],
    roles: &["Application Administrator", "Cloud Application Administrator"],
    owners: true,
};

/// Reading groups and their members (the group cache).
pub const READ_GROUPS: Need = Need {
    action: "read groups and their members",
    delegated: &["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    roles: &[],
    owners: false,
};

/// Reading users (the group cache's members, lease targets).
pub const READ_USERS: Need = Need {
    action: "read users",
    delegated: &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    roles: &[],
    owners: false,
};

/// Adding and removing group members (group-membership leases).
pub const WRITE_GROUP_MEMBERS: Need = Need {
    action: "add or remove group members",
    delegated: &["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"],
    roles: &["Groups Administrator", "User Administrator"],
    owners: true,
};

/// Setting a user's password and revoking their sessions (user-password leases).
pub const WRITE_USER_PASSWORDS: Need = Need {
    action: "set users' passwords and revoke their sessions",
    delegated: &["User.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["User.ReadWrite.All", "Directory.ReadWrite.All"],
    roles: &["User Administrator", "Privileged Authentication Administrator"],
    owners: false,
};

/// Registering an application and its service principal (the set-up assistant).
pub const REGISTER_APPS: Need = Need {
    action: "register an application",
    delegated: &["Application.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"],
    roles: &[],
    owners: false,
};

/// Changing an app registration (the set-up assistant bringing one an earlier version made up to
/// date): unlike registering, a delegated caller must own it or hold a role that manages apps.
pub const UPDATE_APPS: Need = Need {
    action: "change an app registration",
    delegated: &["Application.ReadWrite.All", "Directory.AccessAsUser.All"],
    application: &["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"],
    roles: &["Application Administrator", "Cloud Application Administrator"],
    owners: true,
};

/// Every need of the app, in screen order.
pub const ALL: &[Need] = &[SIGN_IN, READ_APPS, WRITE_APP_SECRETS, READ_GROUPS, READ_USERS, WRITE_GROUP_MEMBERS, WRITE_USER_PASSWORDS];

/// The delegated scopes a registration for Entra Desk lists (each need's least privileged one,
/// once): what the set-up assistant asks for, and what an admin may grant.
pub const ALL_DELEGATED: &[&str] = &[
    "User.Read",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "GroupMember.Read.All",
    "User.Read.All",
    "GroupMember.ReadWrite.All",
    "User.ReadWrite.All",
];

/// What a token grants: delegated scopes (`scp`) or application permissions (`roles`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Granted {
    /// A person's token: its `scp`.
    Delegated(Vec<String>),
    /// An app-only token: its `roles`.
    Application(Vec<String>),
}

impl Granted {
    /// Reads the `scp` or `roles` claim of an access token without checking it (we hold the
    /// token: this only explains a refusal). `None` for a token that is not a readable JWT.
    pub fn of_token(token: &str) -> Option<Granted> {
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        if let Some(scp) = claims.get("scp").and_then(|v| v.as_str()) {
            return Some(Granted::Delegated(scp.split_whitespace().map(str::to_string).collect()));
        }
        let roles = claims.get("roles").and_then(|v| v.as_array())?;
        Some(Granted::Application(roles.iter().filter_map(|r| r.as_str().map(str::to_string)).collect()))
    }

    /// Whether the token holds one of the permissions `need` accepts.
    pub fn covers(&self, need: &Need) -> bool {
        let (held, accepted) = match self {
            Granted::Delegated(held) => (held, need.delegated),
            Granted::Application(held) => (held, need.application),
        };
        held.iter().any(|h| accepted.iter().any(|a| h.eq_ignore_ascii_case(a)))
    }
}

/// Explains Graph's 403 for an operation with `needs`, given what the token granted (`None`:
/// unreadable). Any other error is returned as it was. The error keeps Graph's request IDs.
pub fn explain_forbidden(err: Error, needs: &[Need], granted: Option<&Granted>) -> Error {
    if err.graph().map(|g| g.status) != Some(403) || needs.is_empty() {
        return err;
    }
    let actions = needs.iter().map(|n| n.action).collect::<Vec<_>>().join(" and ");
    let Some(granted) = granted else {
        return reworded(err, ErrorCode::Graph, format!(
            "Microsoft Graph refused to let this account {actions}. Either the sign-in lacks a permission ({}) or your account lacks a directory role that allows it: ask your administrator which.",
            needs.iter().map(Need::scope_to_grant).collect::<Vec<_>>().join(", ")
        ));
    };
    let missing: Vec<&Need> = needs.iter().filter(|n| !granted.covers(n)).collect();
    match (granted, missing.is_empty()) {
        (Granted::Delegated(_), false) => {
            let scopes: Vec<String> = missing.iter().map(|n| n.scope_to_grant().to_string()).collect();
            let what = missing.iter().map(|n| n.action).collect::<Vec<_>>().join(" and ");
            let message = format!(
                "This sign-in has not been granted {}, which it needs to {what}. Grant it by signing in again asking for it (Entra asks only for the new permission; some need an administrator's consent): in the app, choose \"Grant access\"; with entractl, `entractl login --scopes {}` with the account's tenant and client ID.",
                scopes.join(" and "),
                scopes.join(",")
            );
            reworded(err, ErrorCode::MissingScope, message).with_scopes_to_grant(scopes)
        }
        (Granted::Application(_), false) => {
            let permissions: Vec<&str> = missing.iter().map(|n| n.application.first().copied().unwrap_or("an application permission")).collect();
            let what = missing.iter().map(|n| n.action).collect::<Vec<_>>().join(" and ");
            reworded(err, ErrorCode::MissingScope, format!(
                "This app has not been granted the application permission {}, which it needs to {what}. An administrator adds it under API permissions and grants admin consent, then sign in again.",
                permissions.join(" and ")
            ))
        }
        (Granted::Application(_), true) => reworded(err, ErrorCode::MissingRole, format!(
            "Microsoft Graph refused to let this app {actions} although it holds a permission that allows it: the object may be outside what the permission reaches (Application.ReadWrite.OwnedBy reaches only apps it owns). Make the app an owner, or grant Application.ReadWrite.All."
        )),
        (Granted::Delegated(_), true) => {
            let with_roles: Vec<&Need> = needs.iter().filter(|n| !n.roles.is_empty()).collect();
            if with_roles.is_empty() {
                return reworded(err, ErrorCode::MissingRole, format!(
                    "Microsoft Graph refused to let you {actions} although this sign-in holds the permission: your tenant restricts it to certain roles, or a Conditional Access policy blocks it. Ask your administrator."
                ));
            }
            let roles: Vec<&str> = with_roles.iter().flat_map(|n| n.roles.iter().copied()).collect();
            let owners = if with_roles.iter().any(|n| n.owners) { ", or to own the object" } else { "" };
            reworded(err, ErrorCode::MissingRole, format!(
                "Microsoft Graph refused to let you {actions}: this sign-in holds the permission, but your account also needs a directory role that allows it ({}, or Global Administrator){owners}. Ask a Privileged Role Administrator to assign one (or activate it in Privileged Identity Management), then try again.",
                roles.join(", ")
            ))
        }
    }
}

fn reworded(err: Error, code: ErrorCode, message: String) -> Error {
    err.recoded(code).reworded(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GraphErrorDetails;

    fn token(claims: serde_json::Value) -> String {
        let b = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", b(&serde_json::json!({"alg": "RS256"})), b(&claims))
    }

    fn denied() -> Error {
        Error::new(ErrorCode::Graph, "Insufficient privileges to complete the operation.")
            .with_graph(GraphErrorDetails { status: 403, code: "Authorization_RequestDenied".into(), request_id: Some("r-1".into()), client_request_id: None })
    }

    #[test]
    fn the_token_says_what_it_grants() {
        let delegated = Granted::of_token(&token(serde_json::json!({"scp": "User.Read Application.Read.All"}))).unwrap();
        assert!(delegated.covers(&READ_APPS) && delegated.covers(&SIGN_IN) && !delegated.covers(&WRITE_APP_SECRETS));
        let app = Granted::of_token(&token(serde_json::json!({"roles": ["Application.ReadWrite.OwnedBy"]}))).unwrap();
        assert!(app.covers(&WRITE_APP_SECRETS) && !app.covers(&READ_GROUPS));
        assert_eq!(Granted::of_token("opaque"), None);
        assert_eq!(Granted::of_token("a.%%%.c"), None);
    }

    #[test]
    fn a_missing_scope_names_the_least_privileged_one_to_grant() {
        let granted = Granted::Delegated(vec!["User.Read".into()]);
        let err = explain_forbidden(denied(), &[READ_GROUPS, READ_USERS], Some(&granted));
        assert_eq!(err.code(), ErrorCode::MissingScope);
        assert_eq!(err.scopes_to_grant(), Some(&["GroupMember.Read.All".to_string(), "User.Read.All".to_string()][..]));
        assert!(err.message().contains("GroupMember.Read.All and User.Read.All, which it needs to read groups and their members and read users"), "{}", err.message());
        assert_eq!(err.graph().and_then(|g| g.request_id.as_deref()), Some("r-1"), "the request IDs stay");
    }

    #[test]
    fn a_granted_scope_means_a_missing_role() {
        let granted = Granted::Delegated(vec!["Application.ReadWrite.All".into()]);
        let err = explain_forbidden(denied(), &[WRITE_APP_SECRETS], Some(&granted));
        assert_eq!(err.code(), ErrorCode::MissingRole);
        assert!(err.message().contains("Application Administrator, Cloud Application Administrator, or Global Administrator"), "{}", err.message());
        assert!(err.message().contains("or to own the object"), "{}", err.message());
        assert_eq!(err.scopes_to_grant(), None);
    }

    #[test]
    fn other_errors_and_unreadable_tokens() {
        let not_found = Error::new(ErrorCode::Graph, "gone").with_graph(GraphErrorDetails { status: 404, ..Default::default() });
        assert_eq!(explain_forbidden(not_found, &[READ_APPS], None).message(), "gone");
        let err = explain_forbidden(denied(), &[READ_APPS], None);
        assert_eq!(err.code(), ErrorCode::Graph);
        assert!(err.message().contains("Application.Read.All") && err.message().contains("directory role"), "{}", err.message());
    }

    #[test]
    fn every_least_privileged_scope_is_listed_for_registration() {
        for need in ALL {
            assert!(ALL_DELEGATED.contains(&need.scope_to_grant()), "{}", need.action);
        }
    }
}
