//! Shapes of the inventory: Graph's objects → cache rows (what is kept, what never is), cache
//! rows → the screen's rows and detail (certificate twins merged by [`crate::cache::twins`]).


use super::{ApiPermission, AppDetail, AppRow, CredentialSummary, Owner, RedirectUris};
use crate::cache::twins::{days_left, merge_twins};
use crate::graph::models::{Application, DirectoryObject, KeyCredential, PasswordCredential, ServicePrincipal};
use chrono::{DateTime, Utc};
use entra_store::queries::apps::{CredentialRow, CredentialType, ObjectRow, ObjectType, OwnerRow};
use serde_json::json;

/// An application as the cache keeps it. Credentials are metadata only (Graph never lists a value).
pub(crate) fn application_row(app: Application, now: DateTime<Utc>) -> ObjectRow {
    let detail = json!({
        "web": app.web, "spa": app.spa, "publicClient": app.public_client,
        "requiredResourceAccess": app.required_resource_access,
        "identifierUris": app.identifier_uris, "notes": app.notes, "tags": app.tags,
    });
    let credentials = credential_rows(&app.password_credentials, &app.key_credentials);
    ObjectRow {
        id: app.id,
        object_type: ObjectType::Application,
        app_id: app.app_id.unwrap_or_default(),
        display_name: app.display_name,
        sign_in_audience: app.sign_in_audience,
        created: app.created_date_time,
        publisher_domain: app.publisher_domain,
        service_principal_type: None,
        detail,
        synced_at: now,
        owners_loaded_at: None,
        credentials,
        owners: None,
    }
}

/// A service principal as the cache keeps it.
pub(crate) fn service_principal_row(sp: ServicePrincipal, now: DateTime<Utc>) -> ObjectRow {
    let detail = json!({
        "appOwnerOrganizationId": sp.app_owner_organization_id, "accountEnabled": sp.account_enabled,
        "preferredSingleSignOnMode": sp.preferred_single_sign_on_mode, "tags": sp.tags,
    });
    let credentials = credential_rows(&sp.password_credentials, &sp.key_credentials);
    ObjectRow {
        id: sp.id,
        object_type: ObjectType::ServicePrincipal,
        app_id: sp.app_id.unwrap_or_default(),
        display_name: sp.display_name,
        sign_in_audience: None,
        created: None,
        publisher_domain: None,
        service_principal_type: sp.service_principal_type,
        detail,
        synced_at: now,
        owners_loaded_at: None,
        credentials,
        owners: None,
    }
}

fn credential_rows(passwords: &[PasswordCredential], keys: &[KeyCredential]) -> Vec<CredentialRow> {
    let passwords = passwords.iter().map(|p| CredentialRow {
        key_id: p.key_id.clone(),
        credential_type: CredentialType::Password,
        usage: None,
        display_name: p.display_name.clone(),
        custom_key_identifier: p.custom_key_identifier.clone(),
        hint: p.hint.clone(),
        start: p.start_date_time,
        end: p.end_date_time,
    });
    let keys = keys.iter().map(|k| CredentialRow {
        key_id: k.key_id.clone(),
        credential_type: CredentialType::Certificate,
        usage: k.usage.clone(),
        display_name: k.display_name.clone(),
        custom_key_identifier: k.custom_key_identifier.clone(),
        hint: None,
        start: k.start_date_time,
        end: k.end_date_time,
    });
    passwords.chain(keys).collect()
}

/// An owner as the cache keeps it: who, and how to reach them (mail, UPN).
pub(crate) fn owner_row(owner: &DirectoryObject) -> OwnerRow {
    let (owner_type, upn, mail) = match owner {
        DirectoryObject::User(u) => ("user".to_string(), u.user_principal_name.clone(), u.mail.clone()),
        DirectoryObject::Group(g) => ("group".to_string(), None, g.mail.clone()),
        DirectoryObject::ServicePrincipal(_) => ("servicePrincipal".to_string(), None, None),
        DirectoryObject::Application(_) => ("application".to_string(), None, None),
        DirectoryObject::Other(o) => {
            let t = o.odata_type.as_deref().unwrap_or("directoryObject");
            (t.trim_start_matches("#microsoft.graph.").to_string(), None, None)
        }
    };
    OwnerRow {
        owner_id: owner.id().to_string(),
        owner_type,
        display_name: owner.display_name().map(String::from),
        user_principal_name: upn,
        mail,
    }
}

pub(crate) fn owners_of(row: &ObjectRow) -> Option<Vec<Owner>> {
    row.owners.as_ref().map(|owners| owners.iter().map(Owner::from).collect())
}

/// The inventory row of a cached object, judged at `now` (public for the page benchmark,
/// which times the whole-inventory load it replaced: `examples/apps_page_bench.rs`).
pub fn app_row(row: &ObjectRow, now: DateTime<Utc>) -> AppRow {
    let merged = merge_twins(&row.credentials);
    let expired = merged.iter().filter(|c| c.end.is_some_and(|e| e <= now)).count();
    AppRow {
        id: row.id.clone(),
        object_type: row.object_type,
        app_id: row.app_id.clone(),
        display_name: row.display_name.clone().unwrap_or_default(),
        sign_in_audience: row.sign_in_audience.clone(),
        created: row.created,
        credential_count: merged.len() as u32,
        expired_count: expired as u32,
        next_expiry: merged.iter().filter_map(|c| c.end).filter(|e| *e > now).min(),
        owners: owners_of(row),
    }
}

fn redirect_uris(detail: &serde_json::Value) -> RedirectUris {
    let uris = |platform: &str| -> Vec<String> {
        detail
            .get(platform)
            .and_then(|p| p.get("redirectUris"))
            .and_then(|u| u.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    RedirectUris { web: uris("web"), spa: uris("spa"), public_client: uris("publicClient") }
}

fn api_permissions(detail: &serde_json::Value) -> Vec<ApiPermission> {
    let Some(resources) = detail.get("requiredResourceAccess").and_then(|r| r.as_array()) else {
        return Vec::new();
    };
    resources
        .iter()
        .map(|r| {
            let id = r.get("resourceAppId").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let access: &[serde_json::Value] = r.get("resourceAccess").and_then(|v| v.as_array()).map_or(&[], |v| v.as_slice());
            let count = |kind: &str| access.iter().filter(|a| a.get("type").and_then(|t| t.as_str()) == Some(kind)).count() as u32;
            ApiPermission {
                resource_name: super::portal::api_name(&id).map(String::from),
                resource_app_id: id,
                delegated: count("Scope"),
                application: count("Role"),
            }
        })
        .collect()
}

/// Everything the detail pane shows about a cached object.
pub(crate) fn app_detail(row: &ObjectRow, now: DateTime<Utc>) -> AppDetail {
    let credentials = merge_twins(&row.credentials)
        .into_iter()
        .map(|c| CredentialSummary { days_left: c.end.map(|e| days_left(e, now)), credential: c })
        .collect();
    AppDetail {
        row: app_row(row, now),
        credentials,
        redirect_uris: redirect_uris(&row.detail),
        api_permissions: api_permissions(&row.detail),
        publisher_domain: row.publisher_domain.clone(),
        service_principal_type: row.service_principal_type.clone(),
        portal_url: super::portal::portal_url(row.object_type, &row.id, &row.app_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cert(key: &str, usage: &str, thumb: &str, end: DateTime<Utc>) -> CredentialRow {
        CredentialRow {
            key_id: key.into(),
            credential_type: CredentialType::Certificate,
            usage: Some(usage.into()),
            display_name: Some("CN=x".into()),
            custom_key_identifier: Some(thumb.into()),
            hint: None,
            start: None,
            end: Some(end),
        }
    }

    #[test]
    fn sign_verify_twins_and_the_password_half_are_one_credential() {
        let end = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        let mut half = cert("p", "", "T", end);
        (half.credential_type, half.usage) = (CredentialType::Password, None);
        let rows = vec![cert("v", "Verify", "T", end), half, cert("s", "Sign", "T", end), cert("o", "Verify", "U", end)];
        let merged = merge_twins(&rows);
        assert_eq!(merged.len(), 2);
        let twin = merged.iter().find(|c| c.key_id == "s").unwrap();
        assert_eq!(twin.usage.as_deref(), Some("Sign+Verify"));
        assert_eq!(twin.key_ids, ["s", "v", "p"]);
        assert_eq!(days_left(end, end - chrono::Duration::hours(36)), 1);
        assert_eq!(days_left(end, end + chrono::Duration::hours(1)), -1);
    }
}
