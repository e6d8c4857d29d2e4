//! `/applications`: app registrations, their client secrets, and delta rounds; and the
//! set-up assistant's calls: create one (`POST /applications`), find ours by a tag
//! (`$filter=tags/any(t:t eq '…')`), bring one up to date (`PATCH /applications/{id}`),
//! delete one.

use crate::client::{odata_string, path_segment, GraphClient, GraphRequest};
use crate::error::GraphError;
use crate::models::{AddedPassword, Application, ApplicationPatch, DeltaEntry, NewApplication};
use crate::paging::Page;
use crate::receipt::WriteReceipt;
use chrono::{DateTime, Utc};
use futures::stream::{BoxStream, TryStreamExt};

/// The `$select` of the app-registrations screen.
///
/// `keyCredentials` is selected without `key` (the certificate body), which Graph
/// returns only when asked and throttles harder.
pub const APPLICATION_SELECT: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "signInAudience",
    "createdDateTime",
    "publisherDomain",
    "passwordCredentials",
    "keyCredentials",
    "web",
    "spa",
    "publicClient",
    "requiredResourceAccess",
    "notes",
    "tags",
];

/// The `$select` of [`GraphClient::application_credentials`]: enough to name the app and
/// list its client secrets, nothing a lease's reconciliation does not read.
pub const APPLICATION_CREDENTIALS_SELECT: &[&str] = &["id", "appId", "displayName", "passwordCredentials"];

/// The `$select` of the set-up assistant's reads of a registration: what it checks and shows.
pub const SETUP_APPLICATION_SELECT: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "createdDateTime",
    "signInAudience",
    "publicClient",
    "isFallbackPublicClient",
    "requiredResourceAccess",
    "tags",
    "notes",
];

/// One finished delta round: what changed, and the link to ask for the next changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeltaRound<T> {
    /// Changed and removed objects, in Graph's order (an object may appear twice: apply in order).
    pub entries: Vec<DeltaEntry<T>>,
    /// `@odata.deltaLink`: store it (directory delta links last 7 days).
    pub delta_link: String,
}

impl GraphClient {
    /// The request of the app-registrations list: `$select` of the screen, `$top=999`.
    pub fn applications_request() -> GraphRequest {
        GraphRequest::get("applications").select(APPLICATION_SELECT).top(999)
    }

    /// `GET /applications?$select=…&$top=999`, item by item.
    pub fn list_applications(&self) -> BoxStream<'static, Result<Application, GraphError>> {
        self.items(GraphClient::applications_request())
    }

    /// `GET /applications/{id}?$select=…`.
    pub async fn get_application(&self, id: &str) -> Result<Application, GraphError> {
        self.send(&GraphRequest::get(&format!("applications/{}", path_segment(id))).select(APPLICATION_SELECT)).await
    }

    /// `GET /applications/{id}?$select=id,appId,displayName,passwordCredentials`: one app
    /// registration's client secrets (metadata only; Graph never lists a secret's text).
    /// Every other field of the returned [`Application`] is left empty.
    pub async fn application_credentials(&self, id: &str) -> Result<Application, GraphError> {
        self.send(&GraphRequest::get(&format!("applications/{}", path_segment(id))).select(APPLICATION_CREDENTIALS_SELECT)).await
    }

    /// `GET /applications/{id}?$select=…` with the caller's `$select` (the other fields stay empty).
    pub async fn get_application_selected(&self, id: &str, select: &[&str]) -> Result<Application, GraphError> {
        self.send(&GraphRequest::get(&format!("applications/{}", path_segment(id))).select(select)).await
    }

    /// `POST /applications` (201, the new application). Not idempotent: after a transport error
    /// or a 504 ([`GraphError::may_have_been_carried_out`]) the app may exist; look for it
    /// (e.g. by a tag it was given) before creating another.
    pub async fn create_application(&self, application: &NewApplication) -> Result<Application, GraphError> {
        let body = serde_json::to_value(application)
            .map_err(|e| GraphError::InvalidRequest(format!("cannot encode the new application ({e})")))?;
        self.send(&GraphRequest::post("applications", body)).await
    }

    /// `PATCH /applications/{id}` (204): changes the properties `patch` names, and only those
    /// (each replaced whole: see [`ApplicationPatch`]). Marked idempotent, so a transport failure
    /// or a 504 is retried: sending the same values again ends in the same state. Graph needs
    /// `Application.ReadWrite.All` (app-only: or `Application.ReadWrite.OwnedBy` on an app it
    /// owns), and a delegated caller must own the application or hold a role that manages it.
    pub async fn update_application(&self, id: &str, patch: &ApplicationPatch) -> Result<WriteReceipt, GraphError> {
        let body = serde_json::to_value(patch).map_err(|e| GraphError::InvalidRequest(format!("cannot encode the application update ({e})")))?;
        self.send_write(&GraphRequest::patch(&format!("applications/{}", path_segment(id)), body).idempotent(true)).await
    }

    /// `GET /applications?$filter=tags/any(t:t eq '{tag}')&$select=…`, every page: the app
    /// registrations carrying `tag` (exact match, as Graph compares tags).
    pub async fn applications_tagged(&self, tag: &str, select: &[&str]) -> Result<Vec<Application>, GraphError> {
        let request = GraphRequest::get("applications").filter(&format!("tags/any(t:t eq {})", odata_string(tag))).select(select);
        self.collect_all(request).await
    }

    /// `DELETE /applications/{id}` (204): the registration goes to the tenant's deleted items
    /// (restorable for 30 days), and with it its service principal in this tenant.
    pub async fn delete_application(&self, id: &str) -> Result<WriteReceipt, GraphError> {
        self.send_write(&GraphRequest::delete(&format!("applications/{}", path_segment(id)))).await
    }

    /// `POST /applications/{id}/addPassword`: a new client secret, valid until `end` (Graph's default: two years).
    /// The secret text is returned once, in [`AddedPassword::secret_text`]; the answer's `request-id`
    /// in [`AddedPassword::request_id`].
    pub async fn add_application_password(&self, id: &str, display_name: &str, end: Option<DateTime<Utc>>) -> Result<AddedPassword, GraphError> {
        self.add_password("applications", id, display_name, end).await
    }

    /// `POST /applications/{id}/removePassword` (204). The receipt carries Graph's `request-id`.
    pub async fn remove_application_password(&self, id: &str, key_id: &str) -> Result<WriteReceipt, GraphError> {
        self.remove_password("applications", id, key_id).await
    }

    pub(crate) async fn add_password(&self, collection: &str, id: &str, display_name: &str, end: Option<DateTime<Utc>>) -> Result<AddedPassword, GraphError> {
        let mut credential = serde_json::json!({ "displayName": display_name });
        if let Some(end) = end {
            credential["endDateTime"] = end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
        }
        let request = GraphRequest::post(&format!("{collection}/{}/addPassword", path_segment(id)), serde_json::json!({ "passwordCredential": credential }));
        let answer = self.send_raw(&request).await?;
        let mut added: AddedPassword = answer.decode()?;
        added.request_id = answer.request_id.clone();
        Ok(added)
    }

    pub(crate) async fn remove_password(&self, collection: &str, id: &str, key_id: &str) -> Result<WriteReceipt, GraphError> {
        let request = GraphRequest::post(&format!("{collection}/{}/removePassword", path_segment(id)), serde_json::json!({ "keyId": key_id }));
        self.send_write(&request).await
    }

    /// One delta round of `/applications`: from the start (`None`: `GET /applications/delta?$select=…`)
    /// or from a stored delta link, following nextLinks to the `@odata.deltaLink`.
    pub async fn applications_delta(&self, delta_link: Option<&str>) -> Result<DeltaRound<Application>, GraphError> {
        let pages = match delta_link {
            None => self.pages::<DeltaEntry<Application>>(GraphRequest::get("applications/delta").select(APPLICATION_SELECT)),
            Some(link) => self.pages_from_link(link.to_string(), false),
        };
        let mut pages = std::pin::pin!(pages);
        let mut entries = Vec::new();
        while let Some(page) = pages.try_next().await? {
            let Page { value, delta_link, .. } = page;
            entries.extend(value);
            if let Some(delta_link) = delta_link {
                return Ok(DeltaRound { entries, delta_link });
            }
        }
        Err(GraphError::Decode {
            what: "GET /applications/delta".into(),
            path: "@odata.deltaLink".into(),
            message: "the last page carried neither a nextLink nor a deltaLink".into(),
            request_id: None,
            client_request_id: None,
        })
    }
}
