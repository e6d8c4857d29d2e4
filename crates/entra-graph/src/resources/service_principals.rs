//! `/servicePrincipals`: enterprise applications, and their client secrets.

use crate::client::{GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{AddedPassword, ServicePrincipal};
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
