//! Names and places outside the cache: the Entra admin center page of an object, and the
//! display names of well-known APIs (so a permission summary says "Microsoft Graph", not a GUID).

use super::ObjectType;

/// The Entra admin center page of an application (by appId) or service principal (by object id and appId).
pub fn portal_url(object_type: ObjectType, object_id: &str, app_id: &str) -> String {
    // The IDs come from the cache (i.e. from Graph): encode them so a hostile value cannot
    // change the page the fragment points at.
    let (id, app) = (encode(object_id), encode(app_id));
    match object_type {
        ObjectType::Application => {
            format!("https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/{app}")
        }
        ObjectType::ServicePrincipal => format!(
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/{id}/appId/{app}"
        ),
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Microsoft's first-party APIs that app registrations most often ask permissions of, by appId.
const WELL_KNOWN_APIS: &[(&str, &str)] = &[
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    ("00000002-0000-0000-c000-000000000000", "Azure Active Directory Graph"),
    ("00000003-0000-0ff1-ce00-000000000000", "SharePoint Online"),
    ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
    ("00000004-0000-0ff1-ce00-000000000000", "Skype for Business Online"),
    ("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Azure Service Management"),
    ("e406a681-f3d4-42a8-90b6-c2b029497af1", "Azure Storage"),
    ("cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "Azure Key Vault"),
    ("00000009-0000-0000-c000-000000000000", "Power BI Service"),
    ("c5393580-f805-4401-95e8-94b7a6ef2fc2", "Office 365 Management APIs"),
    ("00000007-0000-0000-c000-000000000000", "Dynamics CRM"),
    ("499b84ac-1321-427f-aa17-267ca6975798", "Azure DevOps"),
    ("https://graph.microsoft.com", "Microsoft Graph"),
];

/// The name of a well-known API, by its appId (case-insensitive).
pub fn api_name(resource_app_id: &str) -> Option<&'static str> {
    WELL_KNOWN_APIS.iter().find(|(id, _)| id.eq_ignore_ascii_case(resource_app_id)).map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_urls_follow_the_admin_center_layout() {
        assert_eq!(
            portal_url(ObjectType::Application, "o-1", "a-1"),
            "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/a-1"
        );
        assert_eq!(
            portal_url(ObjectType::ServicePrincipal, "o-1", "a-1"),
            "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/o-1/appId/a-1"
        );
        assert!(portal_url(ObjectType::Application, "x", "a/../b#c").ends_with("/appId/a%2F..%2Fb%23c"));
        assert_eq!(api_name("00000003-0000-0000-C000-000000000000"), Some("Microsoft Graph"));
        assert_eq!(api_name("11111111-0000-0000-0000-000000000000"), None);
    }
}
