//! The writes leases make, against a stand-in that answers as Graph's documentation
//! and the reference payloads say: `request-id` receipts, addPassword's `request_id`,
//! the password reset (`PATCH /users/{id}` `passwordProfile`, 204), `revokeSignInSessions`
//! (200 `{"value":true}`), `application_credentials`' `$select`, `get_user`, and the
//! request counter (every attempt on the wire).

mod common;

use common::{hang_up_server, setup, setup_with, policy, Mock, Reply};
use entra_graph::{GraphError, WriteReceipt};
use serde_json::json;
use std::sync::atomic::Ordering;

/// The addPassword answer of the reference (graph/addPassword.json), with the `@odata.context` real answers carry.
fn added_password() -> serde_json::Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential",
        "customKeyIdentifier": null,
        "endDateTime": "2021-09-09T19:50:29.3086381Z",
        "keyId": "f0b0b335-1d71-4883-8f98-567911bfdca6",
        "startDateTime": "2019-09-09T19:50:29.3086381Z",
        "secretText": "[6gyXA5S20@MN+WRXAJ]I-TO7g1:h2P8",
        "hint": "[6g",
        "displayName": "Password friendly name"
    })
}

#[tokio::test]
async fn add_and_remove_password_hand_back_graphs_request_id() {
    let mock = Mock::start(|r, _| {
        if r.target.ends_with("/addPassword") {
            Reply::ok(added_password()).header("request-id", "7d0c7d8f-0000-4000-8000-0000000000a1")
        } else if r.target.ends_with("/removePassword") {
            Reply::status(204).header("request-id", "7d0c7d8f-0000-4000-8000-0000000000a2")
        } else {
            Reply::unexpected(r)
        }
    })
    .await;
    let s = setup(&mock);
    let added = s.client.add_application_password("app-1", "entra-desk:store:lease", None).await.unwrap();
    assert_eq!(added.request_id.as_deref(), Some("7d0c7d8f-0000-4000-8000-0000000000a1"));
    assert_eq!(added.credential.key_id, "f0b0b335-1d71-4883-8f98-567911bfdca6");
    assert!(!format!("{added:?}").contains("6gyXA5S20"), "Debug keeps the secret out");
    let receipt = s.client.remove_application_password("app-1", &added.credential.key_id).await.unwrap();
    assert_eq!(receipt, WriteReceipt { request_id: Some("7d0c7d8f-0000-4000-8000-0000000000a2".into()) });
    let receipt = s.client.remove_service_principal_password("sp-1", &added.credential.key_id).await.unwrap();
    assert_eq!(receipt.request_id.as_deref(), Some("7d0c7d8f-0000-4000-8000-0000000000a2"));
    let r = mock.requests();
    assert_eq!(r[1].json(), json!({"keyId": "f0b0b335-1d71-4883-8f98-567911bfdca6"}));
    assert_eq!(r[2].target, "/v1.0/servicePrincipals/sp-1/removePassword");
}

#[tokio::test]
async fn a_write_without_a_request_id_header_still_succeeds() {
    let mock = Mock::start(|_, _| Reply::status(204)).await;
    let s = setup(&mock);
    assert_eq!(s.client.remove_application_password("app-1", "key-1").await.unwrap(), WriteReceipt::default());
}

#[tokio::test]
async fn update_user_password_patches_password_profile() {
    let mock = Mock::start(|_, _| Reply::status(204).header("request-id", "req-patch")).await;
    let s = setup(&mock);
    let receipt = s.client.update_user_password("87d349ed-44d7-43e1-9a83-5f2406dee5bd", "Xy7!secret-pass", false).await.unwrap();
    assert_eq!(receipt.request_id.as_deref(), Some("req-patch"));
    let r = &mock.requests()[0];
    assert_eq!((r.method.as_str(), r.target.as_str()), ("PATCH", "/v1.0/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json(), json!({"passwordProfile": {"password": "Xy7!secret-pass", "forceChangePasswordNextSignIn": false}}));
}

#[tokio::test]
async fn a_refused_password_keeps_graphs_words_and_not_the_password() {
    let mock = Mock::start(|_, _| {
        Reply::graph_error(400, "Request_BadRequest", "The specified password does not comply with password complexity requirements. Please provide a different password.")
    })
    .await;
    let s = setup(&mock);
    let err = s.client.update_user_password("u-1", "weakpass", true).await.unwrap_err();
    assert_eq!((err.status(), err.graph_code(), err.request_id()), (Some(400), Some("Request_BadRequest"), Some("req-400")));
    assert_eq!(mock.requests()[0].json()["passwordProfile"]["forceChangePasswordNextSignIn"], true);
    assert!(!err.to_string().contains("weakpass") && !format!("{err:?}").contains("weakpass"), "{err:?}");
}

#[tokio::test]
async fn a_password_reset_is_retried_after_a_transport_error() {
    // Setting the same password again ends in the same state, so it is safe to re-send.
    let (base, count) = hang_up_server().await;
    let s = setup_with(&base, policy());
    let err = s.client.update_user_password("u-1", "Xy7!secret-pass", false).await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { attempts: 4, .. }), "{err:?}");
    assert_eq!(count.load(Ordering::SeqCst), 4);
    assert!(!err.to_string().contains("Xy7!"));
}

#[tokio::test]
async fn revoke_sign_in_sessions_reads_graphs_boolean() {
    let mock = Mock::start(|r, _| {
        if r.target.ends_with("/u-false/revokeSignInSessions") {
            Reply::ok(json!({"value": false}))
        } else {
            Reply::ok(json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", "value": true})).header("request-id", "req-revoke")
        }
    })
    .await;
    let s = setup(&mock);
    let receipt = s.client.revoke_sign_in_sessions("u-1").await.unwrap();
    assert_eq!(receipt.request_id.as_deref(), Some("req-revoke"));
    let r = &mock.requests()[0];
    assert_eq!((r.method.as_str(), r.target.as_str()), ("POST", "/v1.0/users/u-1/revokeSignInSessions"));
    let err = s.client.revoke_sign_in_sessions("u-false").await.unwrap_err();
    assert!(matches!(err, GraphError::Decode { .. }) && err.to_string().contains("not revoked"), "{err}");
}

#[tokio::test]
async fn application_credentials_and_get_user_ask_only_for_what_they_read() {
    let mock = Mock::start(|r, _| {
        if r.target.starts_with("/v1.0/applications/") {
            Reply::ok(json!({
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications(id,appId,displayName,passwordCredentials)/$entity",
                "id": "03ef14b0-ca33-4840-8f4f-d6e91916010e", "appId": "00000000-0000-0000-0000-000000000000", "displayName": "Contoso",
                "passwordCredentials": [{"customKeyIdentifier": null, "displayName": "entra-desk:s:l", "endDateTime": "2021-09-09T19:50:29.3086381Z",
                    "hint": "[6g", "keyId": "f0b0b335-1d71-4883-8f98-567911bfdca6", "secretText": null, "startDateTime": "2019-09-09T19:50:29.3086381Z"}]
            }))
        } else {
            Reply::ok(json!({"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "displayName": "Adele Vance", "userPrincipalName": "AdeleV@contoso.com"}))
        }
    })
    .await;
    let s = setup(&mock);
    let app = s.client.application_credentials("03ef14b0-ca33-4840-8f4f-d6e91916010e").await.unwrap();
    assert_eq!((app.app_id.as_deref(), app.display_name.as_deref()), (Some("00000000-0000-0000-0000-000000000000"), Some("Contoso")));
    assert_eq!(app.password_credentials[0].display_name.as_deref(), Some("entra-desk:s:l"));
    let user = s.client.get_user("87d349ed-44d7-43e1-9a83-5f2406dee5bd").await.unwrap();
    assert_eq!(user.user_principal_name.as_deref(), Some("AdeleV@contoso.com"));
    let r = mock.requests();
    assert_eq!(r[0].target, "/v1.0/applications/03ef14b0-ca33-4840-8f4f-d6e91916010e?$select=id,appId,displayName,passwordCredentials");
    assert_eq!(r[1].target, "/v1.0/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd?$select=id,displayName,userPrincipalName");
}

#[tokio::test]
async fn the_request_count_counts_every_attempt_across_clones() {
    let mock = Mock::start(|_, i| if i == 0 { Reply::status(503).header("Retry-After", "1") } else { Reply::status(204) }).await;
    let s = setup(&mock);
    assert_eq!(s.client.request_count(), 0);
    s.client.remove_application_password("app-1", "key-1").await.unwrap();
    assert_eq!(s.client.request_count(), 2, "the 503 and the retry");
    let clone = s.client.with_cancellation(Default::default());
    clone.remove_application_password("app-1", "key-2").await.unwrap();
    assert_eq!((s.client.request_count(), clone.request_count()), (3, 3));
    assert_eq!(mock.count(), 3);
}
