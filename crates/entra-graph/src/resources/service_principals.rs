//! `/servicePrincipals`: enterprise applications, and their client secrets; creating one for an
//! app registration, finding one by its appId, and the delegated permissions an API defines.

use crate::client::{odata_string, GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{AddedPassword, ServicePrincipal};
use crate::paging::Page;
use crate::receipt::WriteReceipt;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;

/// The `$select` of the enterprise-applications screen.
pub const SERVICE_PRINCIPAL_SELECT: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "servicePrincipalType",
    "appOwnerOrganizationId",
    "accountEnabled",
    "passwordCredentials",
    "keyCredentials",
    "preferredSingleSignOnMode",
    "tags",
];

/// Microsoft Graph's appId, the same in every tenant: its service principal defines the ids of
/// Graph's permissions, and a client's `requiredResourceAccess` names it as `resourceAppId`.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The `$select` of [`GraphClient::resource_permission_scopes`].
pub const PERMISSION_SCOPES_SELECT: &[&str] = &["id", "appId", "displayName", "oauth2PermissionScopes"];

/// The `$select` of the set-up assistant's look-ups of a service principal.
pub const SETUP_SERVICE_PRINCIPAL_SELECT: &[&str] = &["id", "appId", "displayName", "servicePrincipalType", "tags"];

impl GraphClient {
    /// `GET /servicePrincipals?$select=…&$top=999`, item by item.
    pub fn list_service_principals(&self) -> BoxStream<'static, Result<ServicePrincipal, GraphError>> {
        self.items(GraphRequest::get("servicePrincipals").select(SERVICE_PRINCIPAL_SELECT).top(999))
    }

    /// `GET /servicePrincipals/{id}?$select=id,appId,displayName,passwordCredentials`: one
    /// service principal's client secrets (metadata only). Every other field is left empty.
    pub async fn service_principal_credentials(&self, id: &str) -> Result<ServicePrincipal, GraphError> {
        let path = format!("servicePrincipals/{}", crate::request::path_segment(id));
        self.send(&GraphRequest::get(&path).select(super::APPLICATION_CREDENTIALS_SELECT)).await
    }

    /// `POST /servicePrincipals` `{"appId": …}` (201, the new service principal): the app
    /// registration's instance in this tenant, which sign-in and consent need. Not idempotent;
    /// Graph answers 409 when the app already has one.
    pub async fn create_service_principal(&self, app_id: &str) -> Result<ServicePrincipal, GraphError> {
        self.send(&GraphRequest::post("servicePrincipals", serde_json::json!({ "appId": app_id }))).await
    }

    /// `GET /servicePrincipals?$filter=appId eq '{app_id}'&$select=…`: the app's service principal
    /// in this tenant, if it has one (an appId has at most one per tenant).
    pub async fn service_principal_by_app_id(&self, app_id: &str, select: &[&str]) -> Result<Option<ServicePrincipal>, GraphError> {
        let request = GraphRequest::get("servicePrincipals").filter(&format!("appId eq {}", odata_string(app_id))).select(select);
        Ok(self.send::<Page<ServicePrincipal>>(&request).await?.value.into_iter().next())
    }

    /// The service principal of the API `resource_app_id` (e.g. [`GRAPH_APP_ID`]) with the
    /// delegated permissions it defines (`oauth2PermissionScopes`), if the tenant has it.
    pub async fn resource_permission_scopes(&self, resource_app_id: &str) -> Result<Option<ServicePrincipal>, GraphError> {
        self.service_principal_by_app_id(resource_app_id, PERMISSION_SCOPES_SELECT).await
    }

    /// `POST /servicePrincipals/{id}/addPassword`. See [`GraphClient::add_application_password`].
    pub async fn add_service_principal_password(
        &self,
        id: &str,
        display_name: &str,
        end: Option<DateTime<Utc>>,
    ) -> Result<AddedPassword, GraphError> {
        self.add_password("servicePrincipals", id, display_name, end).await
    }

    /// `POST /servicePrincipals/{id}/removePassword` (204). The receipt carries Graph's `request-id`.
    pub async fn remove_service_principal_password(&self, id: &str, key_id: &str) -> Result<WriteReceipt, GraphError> {
        self.remove_password("servicePrincipals", id, key_id).await
    }
}
