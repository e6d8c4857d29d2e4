//! The lease writes of the Graph client against the demo tenant (in-process,
//! real HTTP): receipts carry the tenant's `request-id`, a reset password is the
//! only one the sign-in check accepts, `revokeSignInSessions` answers true,
//! `application_credentials` reads a target's secrets, a secret works at the
//! token endpoint once propagated, 503s injected only on removePassword are
//! retried, and `request_count` matches the tenant's own count.

mod demo_support;

use demo_support::demo_client;
use entra_demo::{DemoOptions, DemoTenant, Faults};
use entra_graph::client::ClientOptions;
use entra_graph::{GraphClient, RetryPolicy};
use std::time::Duration;

async fn tenant(propagation: Duration) -> DemoTenant {
    let options = DemoOptions { apps: 12, groups: 12, users: 60, secret_propagation: propagation, ..Default::default() };
    entra_demo::start(options).await.expect("demo tenant starts")
}

fn client(demo: &DemoTenant) -> GraphClient {
    let retry = RetryPolicy { base_delay: Duration::from_millis(20), jitter: 0.0, ..RetryPolicy::default() };
    demo_client(demo.info(), ClientOptions { retry, ..ClientOptions::default() }).0
}

async fn client_credentials(demo: &DemoTenant, client_id: &str, secret: &str) -> (u16, serde_json::Value) {
    let form = [("client_id", client_id), ("client_secret", secret), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")];
    let response = reqwest::Client::new().post(format!("{}/oauth2/v2.0/token", demo.info().authority)).form(&form).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_user_password_lease_round_trip() {
    let demo = tenant(Duration::ZERO).await;
    let c = client(&demo);
    let target = demo.lease_targets().user;
    let user = c.get_user(&target.id).await.unwrap();
    assert_eq!((user.user_principal_name.as_deref(), user.display_name.as_deref()), (Some(target.user_principal_name.as_str()), Some("Adele Vance")));

    let receipt = c.update_user_password(&target.id, "Lease-1!aZ-random-64-characters-would-go-here", false).await.unwrap();
    assert!(receipt.request_id.as_deref().is_some_and(|r| uuid::Uuid::parse_str(r).is_ok()), "{receipt:?}");
    assert!(demo.password_accepted(&target.id, "Lease-1!aZ-random-64-characters-would-go-here"));
    assert!(!demo.password_accepted(&target.id, entra_demo::directory::DEMO_PASSWORD));

    let revoked = c.revoke_sign_in_sessions(&target.id).await.unwrap();
    assert!(revoked.request_id.is_some() && revoked.request_id != receipt.request_id);

    let err = c.update_user_password(&target.id, "weak", false).await.unwrap_err();
    assert_eq!((err.status(), err.graph_code()), (Some(400), Some("Request_BadRequest")), "{err}");
    assert!(!err.to_string().contains("weak"), "{err}");
    let err = c.get_user("0b8f7c6e-1111-4222-8333-944445555666").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn an_app_secret_lease_round_trip_with_503s_on_remove() {
    let demo = tenant(Duration::from_secs(60)).await;
    let c = client(&demo);
    let target = demo.lease_targets().application;
    let foreign = demo.add_foreign_password(&target.object_id, "entra-desk:other-store:x", chrono::Utc::now() + chrono::Duration::days(3)).unwrap();

    let end = chrono::Utc::now() + chrono::Duration::hours(1);
    let added = c.add_application_password(&target.object_id, "entra-desk:store-a:lease-1", Some(end)).await.unwrap();
    assert!(added.request_id.as_deref().is_some_and(|r| uuid::Uuid::parse_str(r).is_ok()), "{added:?}");
    let app = c.application_credentials(&target.object_id).await.unwrap();
    assert_eq!((app.id.as_str(), app.app_id.as_deref()), (target.object_id.as_str(), Some(target.app_id.as_str())));
    assert!(app.password_credentials.iter().any(|p| p.key_id == added.credential.key_id && p.display_name.as_deref() == Some("entra-desk:store-a:lease-1")));
    assert!(app.password_credentials.iter().any(|p| p.key_id == foreign));
    assert!(app.key_credentials.is_empty() && app.required_resource_access.is_empty(), "only the $select came back");

    // Not propagated yet: AADSTS7000215; a minute later (emulator clock) it works.
    let (status, body) = client_credentials(&demo, &target.app_id, added.secret_text.expose()).await;
    assert_eq!((status, body["error_codes"].clone()), (401, serde_json::json!([7000215])), "{body}");
    demo.advance_clock(chrono::Duration::seconds(61));
    let (status, body) = client_credentials(&demo, &target.app_id, added.secret_text.expose()).await;
    assert_eq!(status, 200, "{body}");

    // Revocation while removePassword answers 503 twice: retried, then gone; the foreign one stays.
    demo.set_faults(Faults { unavailable_fraction: 1.0, retry_after: "0.05".parse().unwrap(), only_paths: vec!["removePassword".into()], ..Default::default() }).unwrap();
    let before = c.request_count();
    let err = c.remove_application_password(&target.object_id, &added.credential.key_id).await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(c.request_count() - before, 4, "the retry policy's 4 attempts");
    demo.set_faults(Faults::default()).unwrap();
    let receipt = c.remove_application_password(&target.object_id, &added.credential.key_id).await.unwrap();
    assert!(receipt.request_id.is_some());
    let left = demo.application_passwords(&target.object_id);
    assert!(left.iter().all(|p| p.key_id != added.credential.key_id) && left.iter().any(|p| p.key_id == foreign));
    let (status, body) = client_credentials(&demo, &target.app_id, added.secret_text.expose()).await;
    assert_eq!(status, 401, "removed: refused at once: {body}");
    assert_eq!(c.request_count(), demo.stats().total, "the client's count is the tenant's");
}
