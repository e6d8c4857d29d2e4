//! What the Microsoft Graph service principal publishes: its delegated
//! permissions (`oauth2PermissionScopes`) and application permissions
//! (`appRoles`), with Microsoft's real permission ids, so a client that reads
//! the ids from `GET /servicePrincipals?$filter=appId eq '00000003-…'` (as
//! `m365 setup` and the set-up assistant do) builds the same
//! `requiredResourceAccess` it would against Entra.
//!
//! Source of the ids, display texts, descriptions and admin-consent flags:
//! Microsoft's "Microsoft Graph permissions reference"
//! (learn.microsoft.com/graph/permissions-reference), as stored in
//! microsoftgraph/microsoft-graph-docs-contrib `concepts/includes/permissions-ids.md`
//! (commit 43b498394ec440e548985309e1d8689c9e16adcf, the auto-generated id table of
//! 2023-04-14) and, for the permissions added since (`User-PasswordProfile.ReadWrite.All`,
//! `User.RevokeSessions.All`, the application `User.ReadBasic.All`), the generated
//! `concepts/permissions-reference.md` of 2026-03-31 (ms.date; read from a fork's copy,
//! mavaddat/microsoft-graph-docs-contrib 53c9b968c943b9c2766582c060b84fa6846b2327).
//! The admin texts are the reference's "DisplayText"/"Description"; the user-consent
//! texts are not in the reference and are written here in the same manner ("… you …").
//!
//! This is the demo's one table of Graph's permissions. The sign-in side (scope parsing, consent
//! and its page) reads its delegated permissions from here too, through `oidc::permissions`,
//! which only says which of them a `scope` may name.
//!
//! Only the permissions the demo tenant knows are listed: the delegated permissions sign-in
//! accepts (`oidc::permissions::ACCEPTED`, among them the OpenID Connect scopes, which Graph
//! publishes too), the delegated permissions the generator puts in apps' `requiredResourceAccess`
//! (`catalog::GRAPH_SCOPES`), and the application permissions the demo grants, checks or
//! generates. Tests hold the catalogue's ids and the sign-in side's values to this table.

/// One entry of `oauth2PermissionScopes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelegatedPermission {
    pub value: &'static str,
    pub id: &'static str,
    /// `type`: "Admin" when only an administrator may consent, else "User".
    pub admin_only: bool,
    pub admin_name: &'static str,
    pub admin_description: &'static str,
    pub user_name: &'static str,
    pub user_description: &'static str,
}

/// One entry of `appRoles` (an application permission).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationPermission {
    pub value: &'static str,
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

const fn scope(
    value: &'static str,
    id: &'static str,
    admin_only: bool,
    admin: (&'static str, &'static str),
    user: (&'static str, &'static str),
) -> DelegatedPermission {
    DelegatedPermission { value, id, admin_only, admin_name: admin.0, admin_description: admin.1, user_name: user.0, user_description: user.1 }
}

const fn role(value: &'static str, id: &'static str, name: &'static str, description: &'static str) -> ApplicationPermission {
    ApplicationPermission { value, id, name, description }
}

/// Graph's delegated permissions the demo knows (see the module documentation for the source).
pub const DELEGATED: &[DelegatedPermission] = &[
    scope("openid", "37f7f235-527c-4136-accd-4a02d197296e", false,
        ("Sign users in", "Allows users to sign in to the app with their work or school accounts and allows the app to see basic user profile information."),
        ("Sign you in", "Allows you to sign in to the app with your work or school account and allows the app to read your basic profile information.")),
    scope("profile", "14dad69e-099b-42c9-810b-d002981feec1", false,
        ("View users' basic profile", "Allows the app to see your users' basic profile (e.g., name, picture, user name, email address)"),
        ("View your basic profile", "Allows the app to see your basic profile (e.g., name, picture, user name, email address)")),
    scope("email", "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", false,
        ("View users' email address", "Allows the app to read your users' primary email address"),
        ("View your email address", "Allows the app to read your primary email address")),
    scope("offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", false,
        ("Maintain access to data you have given it access to", "Allows the app to see and update the data you gave it access to, even when users are not currently using the app. This does not give the app any additional permissions."),
        ("Maintain access to data you have given it access to", "Allows the app to see and update the data you gave it access to, even when you are not currently using the app. This does not give the app any additional permissions.")),
    scope("User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d", false,
        ("Sign in and read user profile", "Allows users to sign-in to the app, and allows the app to read the profile of signed-in users. It also allows the app to read basic company information of signed-in users."),
        ("Sign you in and read your profile", "Allows you to sign in to the app with your organizational account and let the app read your profile. It also allows the app to read basic company information.")),
    scope("User.ReadBasic.All", "b340eb25-3456-403f-be2f-af7a0d370277", false,
        ("Read all users' basic profiles", "Allows the app to read a basic set of profile properties of other users in your organization on behalf of the signed-in user. This includes display name, first and last name, email address and photo."),
        ("Read all users' basic profiles", "Allows the app to read a basic set of profile properties of other users in your organization on your behalf. This includes display name, first and last name, email address and photo.")),
    scope("User.Read.All", "a154be20-db9c-4678-8ab7-66f6cc099a59", true,
        ("Read all users' full profiles", "Allows the app to read the full set of profile properties, reports, and managers of other users in your organization, on behalf of the signed-in user."),
        ("Read all users' full profiles", "Allows the app to read the full set of profile properties, reports, and managers of other users in your organization, on your behalf.")),
    scope("User.ReadWrite", "b4e74841-8e56-480b-be8b-910348b18b4c", false,
        ("Read and write access to user profile", "Allows the app to read your profile. It also allows the app to update your profile information on your behalf."),
        ("Read and update your profile", "Allows the app to read your profile, and discover your group membership, reports and manager. It also allows the app to update your profile information on your behalf.")),
    scope("User.ReadWrite.All", "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4", true,
        ("Read and write all users' full profiles", "Allows the app to read and write the full set of profile properties, reports, and managers of other users in your organization, on behalf of the signed-in user."),
        ("Read and write all users' full profiles", "Allows the app to read and write the full set of profile properties, reports, and managers of other users in your organization, on your behalf.")),
    scope("User-PasswordProfile.ReadWrite.All", "56760768-b641-451f-8906-e1b8ab31bca7", true,
        ("Read and write password profiles and reset user passwords", "Allows the app to read and write password profiles and reset passwords for all users, on behalf of the signed-in user."),
        ("Read and write password profiles and reset user passwords", "Allows the app to read and write password profiles and reset passwords for all users, on your behalf.")),
    scope("User.RevokeSessions.All", "fc30e98b-8810-4501-81f5-c20a3196387b", true,
        ("Revoke all sign in sessions for a user", "Allow the app to revoke all sign in sessions for a user, on behalf of a signed-in user."),
        ("Revoke all sign in sessions for a user", "Allow the app to revoke all sign in sessions for a user, on your behalf.")),
    scope("Directory.Read.All", "06da0dbc-49e2-44d2-8312-53f166ab848a", true,
        ("Read directory data", "Allows the app to read data in your organization's directory, such as users, groups and apps."),
        ("Read directory data", "Allows the app to read data in your organization's directory.")),
    scope("Directory.ReadWrite.All", "c5366453-9fb0-48a5-a156-24f0c49a4b84", true,
        ("Read and write directory data", "Allows the app to read and write data in your organization's directory, such as users, and groups. It does not allow the app to delete users or groups, or reset user passwords."),
        ("Read and write directory data", "Allows the app to read and write data in your organization's directory, such as other users, groups. It does not allow the app to delete users or groups, or reset user passwords.")),
    scope("Directory.AccessAsUser.All", "0e263e50-5827-48a4-b97c-d940288653c7", true,
        ("Access directory as the signed in user", "Allows the app to have the same access to information in the directory as the signed-in user."),
        ("Access the directory as you", "Allows the app to have the same access to information in your work or school directory as you do.")),
    scope("Application.Read.All", "c79f8feb-a9db-4090-85f9-90d820caa0eb", true,
        ("Read applications", "Allows the app to read applications and service principals on behalf of the signed-in user."),
        ("Read applications", "Allows the app to read applications and service principals on your behalf.")),
    scope("Application.ReadWrite.All", "bdfbf15f-ee85-4955-8675-146e8e5296b5", true,
        ("Read and write all applications", "Allows the app to create, read, update and delete applications and service principals on behalf of the signed-in user. Does not allow management of consent grants."),
        ("Read and write applications", "Allows the app to create, read, update and delete applications and service principals on your behalf. Does not allow management of consent grants.")),
    scope("Group.Read.All", "5f8c59db-677d-491f-a6b8-5f174b11ec1d", true,
        ("Read all groups", "Allows the app to list groups, and to read their properties and all group memberships on behalf of the signed-in user. Also allows the app to read calendar, conversations, files, and other group content for all groups the signed-in user can access."),
        ("Read all groups", "Allows the app to list groups, and to read their properties and all group memberships on your behalf. Also allows the app to read calendar, conversations, files, and other group content for all groups you can access.")),
    scope("Group.ReadWrite.All", "4e46008b-f24c-477d-8fff-7bb4ec7aafe0", true,
        ("Read and write all groups", "Allows the app to create groups and read all group properties and memberships on behalf of the signed-in user. Additionally allows group owners to manage their groups and allows group members to update group content."),
        ("Read and write all groups", "Allows the app to create groups and read all group properties and memberships on your behalf. Additionally allows the app to manage your groups and to update group content for groups you are a member of.")),
    scope("GroupMember.Read.All", "bc024368-1153-4739-b217-4326f2e966d0", true,
        ("Read group memberships", "Allows the app to list groups, read basic group properties and read membership of all groups the signed-in user has access to."),
        ("Read group memberships", "Allows the app to list groups, read basic group properties and read membership of all your groups.")),
    scope("GroupMember.ReadWrite.All", "f81125ac-d3b7-4573-a3b2-7099cc39df9e", true,
        ("Read and write group memberships", "Allows the app to list groups, read basic properties, read and update the membership of the groups the signed-in user has access to."),
        ("Read and write group memberships", "Allows the app to list groups, read basic properties, read and update the membership of your groups.")),
    scope("Organization.Read.All", "4908d5b9-3fb2-4b1e-9336-1888b7937185", true,
        ("Read organization information", "Allows the app to read the organization and related resources, on behalf of the signed-in user."),
        ("Read organization information", "Allows the app to read the organization and related resources, on your behalf.")),
    scope("AuditLog.Read.All", "e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20", true,
        ("Read audit log data", "Allows the app to read and query your audit log activities, on behalf of the signed-in user."),
        ("Read audit log data", "Allows the app to read and query your audit log activities, on your behalf.")),
    scope("Policy.Read.All", "572fea84-0151-49b2-9301-11cb16974376", true,
        ("Read your organization's policies", "Allows the app to read your organization's policies on behalf of the signed-in user."),
        ("Read your organization's policies", "Allows the app to read your organization's policies on your behalf.")),
    scope("RoleManagement.Read.Directory", "741c54c3-0c1e-44a1-818b-3f97ab4e8c83", true,
        ("Read directory RBAC settings", "Allows the app to read the role-based access control (RBAC) settings for your company's directory, on behalf of the signed-in user. This includes reading directory role templates, directory roles and memberships."),
        ("Read directory RBAC settings", "Allows the app to read the role-based access control (RBAC) settings for your company's directory, on your behalf. This includes reading directory role templates, directory roles and memberships.")),
    scope("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca", false,
        ("Read user mail", "Allows the app to read the signed-in user's mailbox."),
        ("Read your mail", "Allows the app to read email in your mailbox.")),
    scope("Files.Read.All", "df85f4d6-205c-4ac5-a5ea-6bf408dba283", false,
        ("Read all files that user can access", "Allows the app to read all files the signed-in user can access."),
        ("Read all files that you have access to", "Allows the app to read all files you can access.")),
    scope("Calendars.Read", "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42", false,
        ("Read user calendars", "Allows the app to read events in user calendars."),
        ("Read your calendars", "Allows the app to read events in your calendars.")),
];

/// Graph's application permissions the demo knows (see the module documentation for the source).
pub const APPLICATION: &[ApplicationPermission] = &[
    role("User.Read.All", "df021288-bdef-4463-88db-98f22de89214", "Read all users' full profiles", "Allows the app to read user profiles without a signed in user."),
    role("User.ReadBasic.All", "97235f07-e226-4f63-ace3-39588e11d3a1", "Read all users' basic profiles", "Allows the app to read a basic set of profile properties of other users in your organization without a signed-in user. Includes display name, first and last name, email address, open extensions, and photo."),
    role("User.ReadWrite.All", "741f803b-c850-494e-b5df-cde7c675a1ca", "Read and write all users' full profiles", "Allows the app to read and update user profiles without a signed in user."),
    role("User-PasswordProfile.ReadWrite.All", "cc117bb9-00cf-4eb8-b580-ea2a878fe8f7", "Read and write all password profiles and reset user passwords", "Allows the app to read and write password profiles and reset passwords for all users, without a signed-in user."),
    role("User.RevokeSessions.All", "77f3a031-c388-4f99-b373-dc68676a979e", "Revoke all sign in sessions for a user", "Allow the app to revoke all sign in sessions for a user, without a signed-in user."),
    role("Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Read directory data", "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user."),
    role("Directory.ReadWrite.All", "19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Read and write directory data", "Allows the app to read and write data in your organization's directory, such as users, and groups, without a signed-in user. Does not allow user or group deletion."),
    role("Application.Read.All", "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Read all applications", "Allows the app to read all applications and service principals without a signed-in user."),
    role("Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Read and write all applications", "Allows the app to create, read, update and delete applications and service principals without a signed-in user. Does not allow management of consent grants."),
    role("Application.ReadWrite.OwnedBy", "18a4783c-866b-4cc7-a460-3d5e5662c884", "Manage apps that this app creates or owns", "Allows the app to create other applications, and fully manage those applications (read, update, update application secrets and delete), without a signed-in user. It cannot update any apps that it is not an owner of."),
    role("Group.Read.All", "5b567255-7703-4780-807c-7be8301ae99b", "Read all groups", "Allows the app to read group properties and memberships, and read conversations for all groups, without a signed-in user."),
    role("Group.ReadWrite.All", "62a82d76-70ea-41e2-9197-370581804d09", "Read and write all groups", "Allows the app to create groups, read all group properties and memberships, update group properties and memberships, and delete groups. Also allows the app to read and write conversations. All of these operations can be performed by the app without a signed-in user."),
    role("Group.Create", "bf7b1a76-6e77-406b-b258-bf5c7720e98f", "Create groups", "Allows the app to create groups without a signed-in user."),
    role("GroupMember.Read.All", "98830695-27a2-44f7-8c18-0c3ebc9698f6", "Read all group memberships", "Allows the app to read memberships and basic group properties for all groups without a signed-in user."),
    role("GroupMember.ReadWrite.All", "dbaae8cf-10b5-4b86-a4a1-f871c94c6695", "Read and write all group memberships", "Allows the app to list groups, read basic properties, read and update the membership of the groups this app has access to without a signed-in user. Group properties and owners cannot be updated and groups cannot be deleted."),
    role("Organization.Read.All", "498476ce-e0fe-48b0-b801-37ba7e2685c6", "Read organization information", "Allows the app to read the organization and related resources, without a signed-in user."),
    role("AuditLog.Read.All", "b0afded3-3588-46d8-8b3d-9842eff778da", "Read all audit log data", "Allows the app to read and query your audit log activities, without a signed-in user."),
    role("Policy.Read.All", "246dd0d5-5bd0-4def-940b-0421030a5b68", "Read your organization's policies", "Allows the app to read all your organization's policies without a signed in user."),
    role("RoleManagement.Read.Directory", "483bed4a-2ad3-4361-a73b-c83ccdbdc53c", "Read all directory RBAC settings", "Allows the app to read the role-based access control (RBAC) settings for your company's directory, without a signed-in user. This includes reading directory role templates, directory roles and memberships."),
    role("Mail.Read", "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Read mail in all mailboxes", "Allows the app to read mail in all mailboxes without a signed-in user."),
    role("Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96", "Send mail as any user", "Allows the app to send mail as any user without a signed-in user."),
    role("Sites.Read.All", "332a536c-c7ef-4017-ab91-336970924f0d", "Read items in all site collections", "Allows the app to read documents and list items in all site collections without a signed in user."),
];

/// The delegated permission with this id (case-insensitive), if Graph publishes it here.
pub fn delegated_by_id(id: &str) -> Option<&'static DelegatedPermission> {
    DELEGATED.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// The application permission with this id (case-insensitive).
pub fn application_by_id(id: &str) -> Option<&'static ApplicationPermission> {
    APPLICATION.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::catalog;

    #[test]
    fn values_and_ids_are_unique() {
        // Lookups ignore case, so uniqueness does too.
        for table in [DELEGATED.iter().map(|p| (p.value, p.id)).collect::<Vec<_>>(), APPLICATION.iter().map(|p| (p.value, p.id)).collect()] {
            let mut values: Vec<String> = table.iter().map(|(v, _)| v.to_ascii_lowercase()).collect();
            let mut ids: Vec<String> = table.iter().map(|(_, i)| i.to_ascii_lowercase()).collect();
            values.sort_unstable();
            ids.sort_unstable();
            let (n_values, n_ids) = (values.len(), ids.len());
            values.dedup();
            ids.dedup();
            assert_eq!((values.len(), ids.len()), (n_values, n_ids), "duplicates");
            assert!(ids.iter().all(|id| uuid::Uuid::parse_str(id).is_ok()));
        }
    }

    #[test]
    fn the_generators_ids_are_graphs() {
        for (name, id) in catalog::GRAPH_SCOPES {
            assert_eq!(delegated_by_id(id).map(|p| p.value), Some(*name));
        }
        for (name, id) in catalog::GRAPH_ROLES.iter().chain(catalog::GRAPH_WRITE_ROLES) {
            assert_eq!(application_by_id(id).map(|p| p.value), Some(*name));
        }
    }

    #[test]
    fn spot_checks_against_the_reference() {
        // The two forms of Application.ReadWrite.All have different ids.
        assert_eq!(delegated_by_id("bdfbf15f-ee85-4955-8675-146e8e5296b5").map(|p| p.value), Some("Application.ReadWrite.All"));
        assert_eq!(application_by_id("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9").map(|p| p.value), Some("Application.ReadWrite.All"));
        assert!(delegated_by_id("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9").is_none());
        assert!(!DELEGATED.iter().find(|p| p.value == "User.Read").unwrap().admin_only);
    }
}
