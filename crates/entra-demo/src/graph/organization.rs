//! `GET /v1.0/organization`: the tenant, as a one-item collection.

use super::auth::authenticate;
use super::GraphRequest;
use crate::directory::{DOMAIN, TENANT_NAME};
use crate::state::Shared;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

pub async fn list(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let graph = GraphRequest::from_headers(&headers);
    if let Err(response) = authenticate(&state, &graph, &headers).await {
        return response;
    }
    let created = state.dir.created.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    graph.ok(serde_json::json!({
        "@odata.context": format!("{}/v1.0/$metadata#organization", state.base),
        "value": [{
            "id": state.dir.tenant_id,
            "deletedDateTime": null,
            "businessPhones": ["+1 425 555 0100"],
            "city": null,
            "country": null,
            "countryLetterCode": "US",
            "createdDateTime": created,
            "defaultUsageLocation": null,
            "displayName": TENANT_NAME,
            "isMultipleDataLocationsForServicesEnabled": null,
            "marketingNotificationEmails": [],
            "onPremisesLastSyncDateTime": null,
            "onPremisesSyncEnabled": null,
            "partnerTenantType": null,
            "postalCode": null,
            "preferredLanguage": "en",
            "securityComplianceNotificationMails": [],
            "securityComplianceNotificationPhones": [],
            "state": null,
            "street": null,
            "technicalNotificationMails": [format!("admin@{DOMAIN}")],
            "tenantType": "AAD",
            "directorySizeQuota": { "used": state.dir.users.len() + state.dir.apps.len(), "total": 50000 },
            "assignedPlans": [],
            "privacyProfile": null,
            "provisionedPlans": [],
            "verifiedDomains": [{
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": true,
                "isInitial": true,
                "name": DOMAIN,
                "type": "Managed"
            }]
        }]
    }))
}
