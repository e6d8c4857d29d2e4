//! Bound functions and actions in every spelling Graph accepts (`delta`,
//! `delta()`, `microsoft.graph.delta`, `microsoft.graph.delta()`; likewise the
//! actions) answer like the short form, their links work, directly and in a
//! `$batch`; an unknown function is still refused in Graph's error shape.

mod common;

use common::apps::*;
use common::groups::tenant_sized;
use serde_json::{json, Value};

/// The long spellings of `name` (the short one is the reference).
fn long_forms(name: &str) -> [String; 3] {
    [format!("{name}()"), format!("microsoft.graph.{name}"), format!("microsoft.graph.{name}()")]
}

fn ids(page: &Value) -> Vec<String> {
    page["value"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn delta_answers_in_every_form() {
    let demo = tenant_sized(12, 30).await;
    let graph = Graph::new(demo.info()).await;
    for (set, select) in [("groups", "displayName,members"), ("users", "id,displayName"), ("applications", "displayName"), ("servicePrincipals", "appId")] {
        let short = graph.get(&format!("/{set}/delta?$select={select}")).await;
        assert_eq!(short.status, 200, "{}", short.text);
        assert!(!ids(&short.body).is_empty(), "{set}: {}", short.text);
        for form in long_forms("delta") {
            let a = graph.get(&format!("/{set}/{form}?$select={select}")).await;
            assert_eq!(a.status, 200, "{set}/{form}: {}", a.text);
            assert_eq!(a.body["value"], short.body["value"], "{set}/{form}");
            assert_eq!(a.body["@odata.context"], short.body["@odata.context"], "{set}/{form}");
            // The link keeps the short form, and works.
            let link = a.body["@odata.nextLink"].as_str().or(a.body["@odata.deltaLink"].as_str()).unwrap().to_string();
            assert!(link.contains(&format!("/v1.0/{set}/delta?")), "{link}");
            assert_eq!(graph.get(&link).await.status, 200, "{link}");
        }
        // `$deltatoken=latest` passes through the rewrite with its query.
        let latest = graph.get(&format!("/{set}/microsoft.graph.delta()?$deltatoken=latest")).await;
        assert_eq!(latest.status, 200, "{}", latest.text);
        assert_eq!(latest.body["value"], json!([]), "{set}");
        assert!(latest.body["@odata.deltaLink"].is_string(), "{set}: {}", latest.text);
    }
}

#[tokio::test]
async fn add_and_remove_password_answer_in_every_form() {
    let demo = tenant_sized(5, 10).await;
    let graph = Graph::new(demo.info()).await;
    let app = graph.get("/applications?$top=1&$select=id").await.body["value"][0]["id"].as_str().unwrap().to_string();
    let cc = demo.info().confidential_client.client_id.clone();
    let sp = graph.get(&format!("/servicePrincipals(appId='{cc}')?$select=id")).await.body["id"].as_str().unwrap().to_string();
    let targets = [format!("/applications/{app}"), format!("/servicePrincipals/{sp}"), format!("/applications(appId='{cc}')")];
    for target in &targets {
        for (add, remove) in long_forms("addPassword").into_iter().zip(long_forms("removePassword")) {
            let a = graph.post(&format!("{target}/{add}"), json!({"passwordCredential": {"displayName": add}})).await;
            assert_eq!(a.status, 200, "{target}/{add}: {}", a.text);
            assert_eq!(a.body["displayName"], add.as_str());
            assert!(a.body["@odata.context"].as_str().unwrap().ends_with("$metadata#microsoft.graph.passwordCredential"));
            let key_id = a.body["keyId"].clone();
            let r = graph.post(&format!("{target}/{remove}"), json!({"keyId": key_id})).await;
            assert_eq!(r.status, 204, "{target}/{remove}: {}", r.text);
            // Removed indeed: a second removal is refused as with the short form.
            assert_error(&graph.post(&format!("{target}/{remove}"), json!({"keyId": key_id})).await, 400, "Request_BadRequest");
        }
    }
}

#[tokio::test]
async fn get_by_ids_and_revoke_answer_in_every_form() {
    let demo = tenant_sized(5, 10).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    let body = json!({"ids": [fx.admin_user, "00000000-0000-4000-8000-000000000000"]});
    let short = graph.post("/directoryObjects/getByIds", body.clone()).await;
    assert_eq!(short.status, 200, "{}", short.text);
    assert_eq!(ids(&short.body), vec![fx.admin_user.as_str()]);
    for form in long_forms("getByIds") {
        let a = graph.post(&format!("/directoryObjects/{form}"), body.clone()).await;
        assert_eq!(a.status, 200, "{form}: {}", a.text);
        assert_eq!(a.body["value"], short.body["value"], "{form}");
    }
    let user = demo.lease_targets().user.id.clone();
    for form in long_forms("revokeSignInSessions") {
        let a = graph.post(&format!("/users/{user}/{form}"), json!({})).await;
        assert_eq!(a.status, 200, "{form}: {}", a.text);
        assert_eq!(a.body["value"], true, "{form}");
    }
}

#[tokio::test]
async fn long_forms_work_inside_a_batch_and_are_counted_as_the_short_form() {
    let demo = tenant_sized(5, 10).await;
    let graph = Graph::new(demo.info()).await;
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/groups/microsoft.graph.delta()?$select=displayName"},
        {"id": "2", "method": "GET", "url": "/users/delta()?$select=id"},
    ]});
    let a = graph.post("/$batch", batch).await;
    assert_eq!(a.status, 200, "{}", a.text);
    for r in a.body["responses"].as_array().unwrap() {
        assert_eq!(r["status"], 200, "{}", a.text);
        assert!(!r["body"]["value"].as_array().unwrap().is_empty(), "{}", a.text);
    }
    graph.get("/groups/microsoft.graph.delta").await;
    let stats = demo.stats();
    assert_eq!(stats.requests.get("GET /v1.0/groups/delta"), Some(&2), "{:?}", stats.requests);
    assert_eq!(stats.requests.get("GET /v1.0/users/delta"), Some(&1), "{:?}", stats.requests);
}

#[tokio::test]
async fn unknown_functions_are_still_refused() {
    let demo = tenant_sized(5, 10).await;
    let graph = Graph::new(demo.info()).await;
    let app = graph.get("/applications?$top=1&$select=id").await.body["value"][0]["id"].as_str().unwrap().to_string();
    // In a collection's key position, the segment is no object identifier.
    for path in ["/groups/microsoft.graph.nope()", "/users/nope()", "/applications/microsoft.graph.nope"] {
        let a = graph.get(path).await;
        assert_eq!(a.status, 400, "{path}: {}", a.text);
        assert!(a.body["error"]["code"].as_str().unwrap().contains("BadRequest"), "{path}: {}", a.text);
    }
    // After an object, an unknown (or misplaced) function is an unknown segment.
    for path in [format!("/applications/{app}/microsoft.graph.nope()"), format!("/applications/{app}/delta()")] {
        assert_error(&graph.get(&path).await, 400, "BadRequest");
    }
    assert_error(&graph.post(&format!("/applications/{app}/microsoft.graph.addKey()"), json!({})).await, 400, "BadRequest");
    assert_error(&graph.post("/directoryObjects/microsoft.graph.nope()", json!({})).await, 400, "BadRequest");
    // A namespace alone is not a function.
    assert_error(&graph.get("/groups/x/microsoft.graph.()").await, 400, "BadRequest");
}
