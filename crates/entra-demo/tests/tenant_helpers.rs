//! The `DemoTenant` helpers of the lease tests: their targets, a target's
//! credentials read straight from the tenant, and foreign credentials seeded
//! without Graph (seen by Graph, as someone else's would be).

mod common;

use common::apps::Graph;
use common::leases::small_tenant;
use std::time::Duration;

#[tokio::test]
async fn lease_targets_name_a_generated_app_and_a_user_that_is_not_the_admin() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let targets = demo.lease_targets();
    assert_eq!(targets, info.lease_targets);
    let app = &targets.application;
    assert!(uuid::Uuid::parse_str(&app.object_id).is_ok() && uuid::Uuid::parse_str(&app.app_id).is_ok());
    for demo_client in [&info.public_client_id, &info.confidential_client.client_id, &info.certificate_client.client_id] {
        assert_ne!(&app.app_id, demo_client, "not one of the demo clients");
    }
    assert_eq!(demo.application(&app.object_id).as_ref(), Some(app));
    assert!(demo.applications().contains(app));
    assert_eq!(demo.applications().len(), info.apps);
    assert_ne!(targets.user.user_principal_name, info.user.username);
    let graph = Graph::new(info).await;
    let user = graph.get(&format!("/users/{}?$select=id,userPrincipalName", targets.user.id)).await;
    assert_eq!(user.body["userPrincipalName"], targets.user.user_principal_name.as_str(), "{}", user.text);

    // The JSON line of `entractl demo serve` carries them; an older line without them still reads.
    let line = serde_json::to_value(info).unwrap();
    assert_eq!(line["leaseTargets"]["application"]["objectId"], app.object_id.as_str());
    let mut old = line.clone();
    old.as_object_mut().unwrap().remove("leaseTargets");
    old.as_object_mut().unwrap().remove("secretPropagationMs");
    let parsed: entra_demo::DemoInfo = serde_json::from_value(old).unwrap();
    assert_eq!(parsed.lease_targets, Default::default());

    // Without generated apps, the confidential client's application is the target.
    let bare = entra_demo::start(entra_demo::DemoOptions { apps: 0, groups: 12, users: 20, ..Default::default() }).await.unwrap();
    assert_eq!(bare.lease_targets().application.app_id, bare.info().confidential_client.client_id);
}

#[tokio::test]
async fn foreign_passwords_are_seen_by_graph_and_listed_by_the_tenant() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let target = demo.lease_targets().application;
    let before = demo.application_passwords(&target.object_id);
    let end = chrono::Utc::now() + chrono::Duration::days(7);
    let key_id = demo.add_foreign_password(&target.object_id, "entra-desk:another-store:lease-9", end).unwrap();
    let after = demo.application_passwords(&target.object_id);
    assert_eq!(after.len(), before.len() + 1);
    let foreign = after.iter().find(|p| p.key_id == key_id).unwrap();
    assert_eq!(foreign.display_name.as_deref(), Some("entra-desk:another-store:lease-9"));
    assert_eq!(foreign.end, end);
    assert_eq!(foreign.hint.len(), 3);

    let graph = Graph::new(info).await;
    let listed = graph.get(&format!("/applications/{}?$select=id,passwordCredentials", target.object_id)).await;
    let credentials = listed.body["passwordCredentials"].as_array().unwrap();
    assert!(credentials.iter().any(|c| c["keyId"] == key_id.as_str() && c["displayName"] == "entra-desk:another-store:lease-9"), "{}", listed.text);
    // Reading straight from the tenant is not a Graph request.
    let stats = demo.stats();
    demo.application_passwords(&target.object_id);
    assert_eq!(demo.stats(), stats);

    // No panic on bad input.
    assert!(demo.application_passwords("not-an-app").is_empty());
    assert!(demo.add_foreign_password("0b8f7c6e-1111-4222-8333-944445555666", "x", end).is_err());
    assert!(demo.add_foreign_password(&target.object_id, "x", chrono::Utc::now() - chrono::Duration::days(1)).is_err());
}
