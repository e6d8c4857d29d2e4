//! `/v1.0/servicePrincipals`: list, get (also `servicePrincipals(appId='…')`),
//! `$count`, delta, owners and addPassword/removePassword, through the same
//! machinery as applications: this module describes the resource, and the
//! router serves it through the generic `handlers` (the alternate key is
//! dispatched in `applications`); creating and deleting one is in `sp_writes`.
//!
//! Microsoft Graph's own service principal (appId `00000003-0000-0000-c000-000000000000`)
//! publishes its delegated permissions as `oauth2PermissionScopes` (`type` "User" or
//! "Admin") and its application permissions as `appRoles`, with Microsoft's ids
//! (`inventory::graph_permissions`), so a client can look a permission's id up by its
//! `value` as it would in Entra. Every other service principal publishes none.

use super::credentials::{key_json, password_json};
use super::dates::graph_date;
use super::filter::{Field, FilterSpec};
use super::resource::{RenderCtx, Resource};
use crate::inventory::graph_permissions::{ApplicationPermission, DelegatedPermission};
use crate::inventory::{Inventory, Meta, ServicePrincipal};
use serde_json::{json, Value};

/// A `permissionScope` as Graph lists it on the resource's service principal.
fn scope_json(p: &DelegatedPermission) -> Value {
    json!({
        "adminConsentDescription": p.admin_description,
        "adminConsentDisplayName": p.admin_name,
        "id": p.id,
        "isEnabled": true,
        "type": if p.admin_only { "Admin" } else { "User" },
        "userConsentDescription": p.user_description,
        "userConsentDisplayName": p.user_name,
        "value": p.value,
    })
}

/// An `appRole` (application permission) as Graph lists it.
fn role_json(p: &ApplicationPermission) -> Value {
    json!({
        "allowedMemberTypes": ["Application"],
        "description": p.description,
        "displayName": p.name,
        "id": p.id,
        "isEnabled": true,
        "origin": "Application",
        "value": p.value,
    })
}

impl Resource for ServicePrincipal {
    const SET: &'static str = "servicePrincipals";
    const ODATA_TYPE: &'static str = "microsoft.graph.servicePrincipal";
    const RESOURCE: &'static str = "ServicePrincipal";
    const PROPS: &'static [&'static str] = &[
        "id", "deletedDateTime", "accountEnabled", "alternativeNames", "appDisplayName", "appDescription", "appId",
        "applicationTemplateId", "appOwnerOrganizationId", "appRoleAssignmentRequired", "description",
        "disabledByMicrosoftStatus", "displayName", "homepage", "loginUrl", "logoutUrl", "notes",
        "notificationEmailAddresses", "preferredSingleSignOnMode", "preferredTokenSigningKeyThumbprint", "replyUrls",
        "servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId",
        "samlSingleSignOnSettings", "addIns", "appRoles", "info", "keyCredentials", "oauth2PermissionScopes",
        "passwordCredentials", "resourceSpecificApplicationPermissions", "verifiedPublisher",
    ];
    const FILTERS: &'static [FilterSpec] = &[
        ("id", &["eq", "ne", "in"]),
        ("appId", &["eq", "in"]),
        ("displayName", &["eq", "ne", "ge", "le", "in", "startswith", "null"]),
        ("accountEnabled", &["eq", "ne"]),
        ("servicePrincipalType", &["eq", "ne"]),
        ("preferredSingleSignOnMode", &["eq", "ne", "null"]),
        ("appOwnerOrganizationId", &["eq", "ne", "in"]),
        ("servicePrincipalNames", &["any"]),
        ("tags", &["any"]),
    ];
    const ORDERBY: &'static [&'static str] = &["displayName"];
    const SEARCH: &'static [&'static str] = &["displayName"];

    fn all(inv: &Inventory) -> &[Self] {
        &inv.sps
    }
    fn find(inv: &Inventory, id: &str) -> Option<usize> {
        inv.sp(id)
    }
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "id" => Field::Str(Some(&self.meta.id)),
            "appId" => Field::Str(Some(&self.app_id)),
            "displayName" => Field::Str(Some(&self.display_name)),
            "accountEnabled" => Field::Bool(self.account_enabled),
            "servicePrincipalType" => Field::Str(Some("Application")),
            "preferredSingleSignOnMode" => Field::Str(self.preferred_single_sign_on_mode),
            "appOwnerOrganizationId" => Field::Str(Some(&self.app_owner_organization_id)),
            "servicePrincipalNames" => Field::List(self.service_principal_names.iter().map(String::as_str).collect()),
            "tags" => Field::List(self.tags.iter().map(String::as_str).collect()),
            _ => Field::Str(None),
        }
    }
    fn prop(&self, name: &str, r: &RenderCtx) -> Value {
        match name {
            "id" => self.meta.id.clone().into(),
            "accountEnabled" => self.account_enabled.into(),
            "alternativeNames" | "notificationEmailAddresses" | "addIns" | "resourceSpecificApplicationPermissions" => json!([]),
            "oauth2PermissionScopes" => self.scopes.iter().map(scope_json).collect(),
            "appRoles" => self.app_roles.iter().map(role_json).collect(),
            "appDisplayName" => self.app_display_name.clone().into(),
            "appId" => self.app_id.clone().into(),
            "appOwnerOrganizationId" => self.app_owner_organization_id.clone().into(),
            "appRoleAssignmentRequired" => self.app_role_assignment_required.into(),
            "displayName" => self.display_name.clone().into(),
            "preferredSingleSignOnMode" => json!(self.preferred_single_sign_on_mode),
            "preferredTokenSigningKeyThumbprint" => json!(self.preferred_token_signing_key_thumbprint),
            "replyUrls" => json!(self.reply_urls),
            "servicePrincipalNames" => json!(self.service_principal_names),
            "servicePrincipalType" => "Application".into(),
            "signInAudience" => self.sign_in_audience.into(),
            "tags" => json!(self.tags),
            "samlSingleSignOnSettings" => match self.preferred_single_sign_on_mode {
                Some("saml") => json!({"relayState": null}),
                _ => Value::Null,
            },
            "info" => json!({"logoUrl": null, "marketingUrl": null, "privacyStatementUrl": null, "supportUrl": null, "termsOfServiceUrl": null}),
            "keyCredentials" => self.keys.iter().map(|k| key_json(k, r.with_key)).collect(),
            "passwordCredentials" => self.passwords.iter().map(password_json).collect(),
            "verifiedPublisher" => json!({"displayName": null, "verifiedPublisherId": null, "addedDateTime": null}),
            "deletedDateTime" => self.meta.removed.map(|(_, at)| graph_date(at)).into(),
            _ => Value::Null,
        }
    }
}
