//! The set-up assistant's Graph calls against a stand-in that answers in Graph's shapes
//! (Microsoft Graph's v1.0 reference pages for `application: create`, `servicePrincipal: create`,
//! `servicePrincipal: list` with `$filter=appId eq …`, `application: update`, `application:
//! delete`): the request each sends, and that each answer decodes.

mod common;

use common::{setup, Mock, Reply};
use entra_graph::models::{ApplicationPatch, NewApplication, RedirectUris, RequiredResourceAccess, ResourceAccess};
use entra_graph::resources::{GRAPH_APP_ID, PERMISSION_SCOPES_SELECT, SETUP_APPLICATION_SELECT, SETUP_SERVICE_PRINCIPAL_SELECT};
use serde_json::json;

const APP_ID: &str = "2f6d1c5e-8a0b-4c1d-9e2f-3a4b5c6d7e8f";
const OBJECT_ID: &str = "7b1a3c9d-5e2f-4a6b-8c0d-1e2f3a4b5c6d";
const USER_READ: &str = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";

fn new_application() -> NewApplication {
    NewApplication {
        display_name: "Entra Desk".into(),
        sign_in_audience: "AzureADMyOrg".into(),
        public_client: RedirectUris { redirect_uris: vec!["http://localhost".into()] },
        is_fallback_public_client: true,
        required_resource_access: vec![RequiredResourceAccess {
            resource_app_id: GRAPH_APP_ID.into(),
            resource_access: vec![ResourceAccess { id: USER_READ.into(), access_type: "Scope".into() }],
        }],
        tags: vec!["EntraDesk:setup".into()],
        notes: Some("Registered by Entra Desk's set-up assistant.".into()),
    }
}

/// `POST /applications`' 201 as Graph sends it: the whole entity, most properties null or empty.
fn created_application() -> serde_json::Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
        "id": OBJECT_ID,
        "deletedDateTime": null,
        "appId": APP_ID,
        "applicationTemplateId": null,
        "createdDateTime": "2025-03-01T09:30:12.5470281Z",
        "displayName": "Entra Desk",
        "description": null,
        "groupMembershipClaims": null,
        "identifierUris": [],
        "isDeviceOnlyAuthSupported": null,
        "isFallbackPublicClient": true,
        "notes": "Registered by Entra Desk's set-up assistant.",
        "publisherDomain": "contoso.onmicrosoft.com",
        "signInAudience": "AzureADMyOrg",
        "tags": ["EntraDesk:setup"],
        "tokenEncryptionKeyId": null,
        "api": {"acceptMappedClaims": null, "knownClientApplications": [], "requestedAccessTokenVersion": null, "oauth2PermissionScopes": [], "preAuthorizedApplications": []},
        "appRoles": [],
        "info": {"logoUrl": null, "marketingUrl": null, "privacyStatementUrl": null, "supportUrl": null, "termsOfServiceUrl": null},
        "keyCredentials": [],
        "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
        "passwordCredentials": [],
        "publicClient": {"redirectUris": ["http://localhost"]},
        "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": USER_READ, "type": "Scope"}]}],
        "web": {"homePageUrl": null, "logoutUrl": null, "redirectUris": [], "implicitGrantSettings": {"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false}},
        "spa": {"redirectUris": []}
    })
}

#[tokio::test]
async fn create_application_posts_the_typed_body_and_reads_the_entity() {
    let mock = Mock::start(|r, _| match (r.method.as_str(), r.target.as_str()) {
        ("POST", "/v1.0/applications") => Reply::json(201, created_application()),
        _ => Reply::unexpected(r),
    })
    .await;
    let s = setup(&mock);
    let app = s.client.create_application(&new_application()).await.unwrap();
    assert_eq!((app.id.as_str(), app.app_id.as_deref()), (OBJECT_ID, Some(APP_ID)));
    assert_eq!(app.public_client.unwrap().redirect_uris, ["http://localhost"]);
    assert_eq!((app.is_fallback_public_client, app.tags.as_slice()), (Some(true), ["EntraDesk:setup".to_string()].as_slice()));
    assert_eq!(app.required_resource_access[0].resource_access[0].access_type, "Scope");
    assert_eq!(
        mock.requests()[0].json(),
        json!({
            "displayName": "Entra Desk",
            "signInAudience": "AzureADMyOrg",
            "publicClient": {"redirectUris": ["http://localhost"]},
            "isFallbackPublicClient": true,
            "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": USER_READ, "type": "Scope"}]}],
            "tags": ["EntraDesk:setup"],
            "notes": "Registered by Entra Desk's set-up assistant."
        })
    );
}

#[tokio::test]
async fn a_create_is_never_re_sent_after_a_504() {
    let mock = Mock::start(|_, _| Reply::graph_error(504, "UnknownError", "Gateway timeout")).await;
    let s = setup(&mock);
    let err = s.client.create_application(&new_application()).await.unwrap_err();
    assert!(err.may_have_been_carried_out(), "{err}");
    assert_eq!(mock.count(), 1, "a POST behind a 504 may have been carried out: not sent again");
}

#[tokio::test]
async fn applications_tagged_filters_with_a_lambda_and_follows_pages() {
    let mock = Mock::start(move |r, i| match i {
        0 => Reply::ok(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications(id,appId)",
            "value": [{"id": OBJECT_ID, "appId": APP_ID, "tags": ["EntraDesk:setup"], "publicClient": {"redirectUris": ["http://localhost"]}}],
            "@odata.nextLink": format!("http://{}/v1.0/applications?$skiptoken=abc", r.header("host").unwrap())
        })),
        1 => Reply::ok(json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications(id,appId)", "value": []})),
        _ => Reply::unexpected(r),
    })
    .await;
    let s = setup(&mock);
    let apps = s.client.applications_tagged("EntraDesk:setup", SETUP_APPLICATION_SELECT).await.unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].app_id.as_deref(), Some(APP_ID));
    let target = &mock.requests()[0].target;
    assert!(target.starts_with("/v1.0/applications?$filter=tags/any(t:t%20eq%20%27EntraDesk:setup%27)&$select=id,appId,"), "{target}");
    assert_eq!(mock.requests()[1].target, "/v1.0/applications?$skiptoken=abc");
}

#[tokio::test]
async fn graphs_service_principal_lists_its_permission_scopes() {
    let mock = Mock::start(|r, _| {
        Reply::ok(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals(id,appId,displayName,oauth2PermissionScopes)",
            "value": [{
                "id": "8b2c4d6e-0000-4000-8000-00000000a001",
                "appId": GRAPH_APP_ID,
                "displayName": "Microsoft Graph",
                "oauth2PermissionScopes": [
                    {"adminConsentDescription": "Allows users to sign-in to the app, and allows the app to read the profile of signed-in users.",
                     "adminConsentDisplayName": "Sign in and read user profile", "id": USER_READ, "isEnabled": true, "type": "User",
                     "userConsentDescription": "Allows you to sign in to the app with your organizational account and let the app read your profile.",
                     "userConsentDisplayName": "Sign you in and read your profile", "value": "User.Read"},
                    {"adminConsentDescription": "Allows the app to create, read, update and delete applications and service principals on behalf of the signed-in user.",
                     "adminConsentDisplayName": "Read and write all applications", "id": "bdfbf15f-ee85-4955-8675-146e8e5296b5", "isEnabled": true,
                     "type": "Admin", "userConsentDescription": null, "userConsentDisplayName": null, "value": "Application.ReadWrite.All"}
                ]
            }]
        }))
        .header("request-id", &r.target)
    })
    .await;
    let s = setup(&mock);
    let graph = s.client.resource_permission_scopes(GRAPH_APP_ID).await.unwrap().unwrap();
    assert_eq!(graph.display_name.as_deref(), Some("Microsoft Graph"));
    let scopes = &graph.oauth2_permission_scopes;
    assert_eq!(scopes.len(), 2);
    assert_eq!((scopes[0].value.as_deref(), scopes[0].id.as_str(), scopes[0].scope_type.as_deref()), (Some("User.Read"), USER_READ, Some("User")));
    assert_eq!((scopes[1].scope_type.as_deref(), scopes[1].is_enabled, scopes[1].user_consent_display_name.as_deref()), (Some("Admin"), Some(true), None));
    assert_eq!(
        mock.requests()[0].target,
        format!("/v1.0/servicePrincipals?$filter=appId%20eq%20%27{GRAPH_APP_ID}%27&$select={}", PERMISSION_SCOPES_SELECT.join(","))
    );
}

#[tokio::test]
async fn service_principals_are_created_and_looked_up_by_app_id() {
    let mock = Mock::start(|r, _| match (r.method.as_str(), r.target.starts_with("/v1.0/servicePrincipals?")) {
        ("POST", false) => Reply::json(
            201,
            json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
                   "id": "59e617e5-e447-4adc-8b88-00af644d7c92", "deletedDateTime": null, "accountEnabled": true, "appDisplayName": "Entra Desk",
                   "appId": APP_ID, "appOwnerOrganizationId": "1bc1c026-2f7b-48a5-98da-afa2fd8bc7bc", "appRoleAssignmentRequired": false,
                   "displayName": "Entra Desk", "servicePrincipalNames": [APP_ID], "servicePrincipalType": "Application", "tags": [],
                   "appRoles": [], "keyCredentials": [], "oauth2PermissionScopes": [], "passwordCredentials": []}),
        ),
        ("GET", true) => Reply::ok(json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals", "value": []})),
        _ => Reply::unexpected(r),
    })
    .await;
    let s = setup(&mock);
    let sp = s.client.create_service_principal(APP_ID).await.unwrap();
    assert_eq!((sp.id.as_str(), sp.app_id.as_deref(), sp.service_principal_type.as_deref()), ("59e617e5-e447-4adc-8b88-00af644d7c92", Some(APP_ID), Some("Application")));
    assert!(sp.oauth2_permission_scopes.is_empty());
    assert_eq!(mock.requests()[0].json(), json!({"appId": APP_ID}));
    assert_eq!(s.client.service_principal_by_app_id(APP_ID, SETUP_SERVICE_PRINCIPAL_SELECT).await.unwrap(), None, "an empty page: no such service principal");
}

#[tokio::test]
async fn delete_application_hands_back_the_request_id_and_a_404_keeps_graphs_code() {
    let mock = Mock::start(|r, i| match (r.method.as_str(), i) {
        ("DELETE", 0) => Reply::status(204).header("request-id", "0f0e0d0c-0000-4000-8000-00000000d001"),
        ("DELETE", _) => Reply::graph_error(404, "Request_ResourceNotFound", &format!("Resource '{OBJECT_ID}' does not exist or one of its queried reference-property objects are not present.")),
        _ => Reply::unexpected(r),
    })
    .await;
    let s = setup(&mock);
    let receipt = s.client.delete_application(OBJECT_ID).await.unwrap();
    assert_eq!(receipt.request_id.as_deref(), Some("0f0e0d0c-0000-4000-8000-00000000d001"));
    assert_eq!(mock.requests()[0].target, format!("/v1.0/applications/{OBJECT_ID}"));
    let err = s.client.delete_application(OBJECT_ID).await.unwrap_err();
    assert_eq!((err.status(), err.graph_code()), (Some(404), Some("Request_ResourceNotFound")));
}

#[tokio::test]
async fn update_application_patches_only_the_properties_named_and_is_retried_after_a_504() {
    let mock = Mock::start(|r, i| match (r.method.as_str(), i) {
        ("PATCH", 0) => Reply::graph_error(504, "UnknownError", "Gateway timeout"),
        ("PATCH", _) => Reply::status(204).header("request-id", "0f0e0d0c-0000-4000-8000-00000000e001"),
        _ => Reply::unexpected(r),
    })
    .await;
    let s = setup(&mock);
    let patch = ApplicationPatch {
        public_client: Some(RedirectUris { redirect_uris: vec!["https://login.microsoftonline.com/common/oauth2/nativeclient".into(), "http://localhost".into()] }),
        is_fallback_public_client: Some(true),
        required_resource_access: Some(vec![RequiredResourceAccess {
            resource_app_id: GRAPH_APP_ID.into(),
            resource_access: vec![ResourceAccess { id: USER_READ.into(), access_type: "Scope".into() }],
        }]),
        ..ApplicationPatch::default()
    };
    assert!(!patch.is_empty() && ApplicationPatch::default().is_empty());
    let receipt = s.client.update_application(OBJECT_ID, &patch).await.unwrap();
    assert_eq!(receipt.request_id.as_deref(), Some("0f0e0d0c-0000-4000-8000-00000000e001"));
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "setting the same values again is safe: a 504 is retried");
    for r in &requests {
        assert_eq!((r.method.as_str(), r.target.as_str()), ("PATCH", format!("/v1.0/applications/{OBJECT_ID}").as_str()));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            r.json(),
            json!({
                "publicClient": {"redirectUris": ["https://login.microsoftonline.com/common/oauth2/nativeclient", "http://localhost"]},
                "isFallbackPublicClient": true,
                "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": USER_READ, "type": "Scope"}]}]
            }),
            "only what is named: Graph keeps what a PATCH leaves out"
        );
    }
    let names = ApplicationPatch { display_name: Some("Entra Desk".into()), tags: Some(vec!["EntraDesk:setup".into()]), notes: Some("n".into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&names).unwrap(), json!({"displayName": "Entra Desk", "tags": ["EntraDesk:setup"], "notes": "n"}));
}
