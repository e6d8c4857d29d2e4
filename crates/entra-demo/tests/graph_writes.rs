//! addPassword/removePassword, delete, delta and $batch.

mod common;

use common::apps::*;
use serde_json::{json, Value};

#[tokio::test]
async fn add_and_remove_password_follow_graph() {
    let demo = tenant_with(20).await;
    let graph = Graph::new(demo.info()).await;
    let app = graph.get("/applications?$top=1&$select=id").await.body["value"][0]["id"].as_str().unwrap().to_string();
    let a = graph.post(&format!("/applications/{app}/addPassword"), json!({"passwordCredential": {"displayName": "ci secret"}})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let secret = a.body["secretText"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 40);
    assert_eq!(a.body["hint"], &secret[..3]);
    assert_eq!(a.body["displayName"], "ci secret");
    assert!(a.body["@odata.context"].as_str().unwrap().ends_with("$metadata#microsoft.graph.passwordCredential"));
    let key_id = a.body["keyId"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&key_id).is_ok());
    let start = chrono::DateTime::parse_from_rfc3339(a.body["startDateTime"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(a.body["endDateTime"].as_str().unwrap()).unwrap();
    assert_eq!((end - start).num_days(), 730);
    assert!((chrono::Utc::now() - start.with_timezone(&chrono::Utc)).num_seconds().abs() < 60);

    // Never readable again.
    let got = graph.get(&format!("/applications/{app}?$select=passwordCredentials")).await;
    let cred = got.body["passwordCredentials"].as_array().unwrap().iter().find(|c| c["keyId"] == key_id.as_str()).unwrap().clone();
    assert!(cred["secretText"].is_null());
    assert_eq!(cred["hint"], &secret[..3]);
    assert!(!got.text.contains(&secret));

    let a = graph.post(&format!("/applications/{app}/removePassword"), json!({"keyId": key_id})).await;
    assert_eq!(a.status, 204, "{}", a.text);
    let a = graph.post(&format!("/applications/{app}/removePassword"), json!({"keyId": key_id})).await;
    assert_error(&a, 400, "Request_BadRequest");
    assert_error(&graph.post(&format!("/applications/{app}/addPassword"), json!("nope")).await, 400, "BadRequest");
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_error(&graph.post(&format!("/applications/{missing}/addPassword"), json!({})).await, 404, "Request_ResourceNotFound");

    // By appId, and on a service principal.
    let cc = demo.info().confidential_client.client_id.clone();
    let a = graph.post(&format!("/applications(appId='{cc}')/addPassword"), json!({})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let sp = graph.get(&format!("/servicePrincipals(appId='{cc}')?$select=id")).await.body["id"].as_str().unwrap().to_string();
    let a = graph.post(&format!("/servicePrincipals/{sp}/addPassword"), json!({"passwordCredential": {"displayName": "sp"}})).await;
    assert_eq!(a.status, 200, "{}", a.text);

    // A delegated token with only User.Read may not write (nor read) applications. (Not the demo
    // public client's: its tokens carry Application.ReadWrite.All, which it has admin consent for.)
    let user_token = common::consent::token_consented_to(demo.info(), "openid User.Read").await;
    let weak = Graph { token: user_token, ..Graph::new(demo.info()).await };
    assert_error(&weak.post(&format!("/applications/{app}/addPassword"), json!({})).await, 403, "Authorization_RequestDenied");
}

#[tokio::test]
async fn delta_reports_changes_and_removals() {
    let demo = tenant_with(450).await;
    let graph = Graph::new(demo.info()).await;
    let mut url = "/applications/delta?$select=displayName,passwordCredentials".to_string();
    let mut seen = 0;
    let delta_link = loop {
        let a = graph.get(&url).await;
        assert_eq!(a.status, 200, "{}", a.text);
        seen += a.body["value"].as_array().unwrap().len();
        assert!(a.body["value"][0]["id"].is_string() && a.body["value"][0]["displayName"].is_string());
        assert!(a.body["value"][0].get("appId").is_none());
        if let Some(next) = a.body["@odata.nextLink"].as_str() {
            assert!(a.body.get("@odata.deltaLink").is_none());
            url = next.to_string();
        } else {
            break a.body["@odata.deltaLink"].as_str().unwrap().to_string();
        }
    };
    assert_eq!(seen, 454);
    let a = graph.get(&delta_link).await;
    assert_eq!(a.body["value"], json!([]), "{}", a.text);
    let next_link = a.body["@odata.deltaLink"].as_str().unwrap().to_string();

    let all = graph.get("/applications?$select=id&$top=3").await;
    let ids: Vec<String> = all.body["value"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(graph.post(&format!("/applications/{}/addPassword", ids[0]), json!({})).await.status, 200);
    assert_eq!(graph.delete(&format!("/applications/{}", ids[1])).await.status, 204);
    assert_eq!(graph.delete(&format!("/applications/{}", ids[2])).await.status, 204);
    assert_eq!(graph.delete(&format!("/directory/deletedItems/{}", ids[2])).await.status, 204);
    assert_error(&graph.get(&format!("/applications/{}", ids[1])).await, 404, "Request_ResourceNotFound");

    let a = graph.get(&next_link).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let value = a.body["value"].as_array().unwrap();
    assert_eq!(value.len(), 3, "{}", a.text);
    let by_id = |id: &str| value.iter().find(|v| v["id"] == id).unwrap().clone();
    assert!(by_id(&ids[0])["passwordCredentials"].is_array());
    assert_eq!(by_id(&ids[1])["@removed"], json!({"reason": "changed"}));
    assert_eq!(by_id(&ids[2])["@removed"], json!({"reason": "deleted"}));

    // Tampered → 400; older than 7 days → 410 Gone with a Location to start over.
    let tampered = next_link.replace("$deltatoken=", "$deltatoken=AA");
    assert_error(&graph.get(&tampered).await, 400, "Request_BadRequest");
    demo.advance_clock(chrono::Duration::days(8));
    let graph = Graph::new(demo.info()).await;
    let a = graph.get(&next_link).await;
    assert_error(&a, 410, "syncStateNotFound");
    assert!(a.headers["location"].to_str().unwrap().ends_with("/v1.0/applications/delta"));
    let a = graph.get("/servicePrincipals/delta?$deltatoken=latest").await;
    assert_eq!(a.body["value"], json!([]));
    assert!(a.body["@odata.deltaLink"].is_string());
}

#[tokio::test]
async fn batch_runs_up_to_20_with_dependencies() {
    let demo = tenant_with(40).await;
    let graph = Graph::new(demo.info()).await;
    let ids: Vec<String> = graph.get("/applications?$select=id&$top=20").await.body["value"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    let requests: Vec<Value> = ids.iter().enumerate().map(|(k, id)| json!({"id": k.to_string(), "method": "GET", "url": format!("/applications/{id}/owners?$select=id")})).collect();
    let a = graph.post("/$batch", json!({"requests": requests})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let responses = a.body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 20);
    assert!(responses.iter().all(|r| r["status"] == 200 && r["body"]["value"].is_array()));
    assert!(responses[0]["headers"]["Content-Type"].as_str().unwrap().starts_with("application/json"));

    let mut too_many = requests.clone();
    too_many.push(json!({"id": "20", "method": "GET", "url": "/applications"}));
    assert_error(&graph.post("/$batch", json!({"requests": too_many})).await, 400, "BadRequest");
    let dup = json!({"requests": [{"id": "1", "method": "GET", "url": "/applications"}, {"id": "1", "method": "GET", "url": "/applications"}]});
    assert_error(&graph.post("/$batch", dup).await, 400, "BadRequest");

    let missing = "00000000-0000-4000-8000-000000000000";
    let chained = json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/applications/{missing}")},
        {"id": "2", "method": "POST", "url": format!("/applications/{}/addPassword", ids[0]), "dependsOn": ["1"], "headers": {"Content-Type": "application/json"}, "body": {}},
        {"id": "3", "method": "POST", "url": format!("/applications/{}/addPassword", ids[0]), "headers": {"Content-Type": "application/json"}, "body": {"passwordCredential": {"displayName": "batched"}}},
        {"id": "4", "method": "GET", "url": "applications/$count", "headers": {"ConsistencyLevel": "eventual"}, "dependsOn": ["3"]}
    ]});
    let a = graph.post("/$batch", chained).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let r = a.body["responses"].as_array().unwrap();
    assert_eq!(r[0]["status"], 404);
    assert_eq!(r[0]["body"]["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(r[1]["status"], 424);
    assert_eq!(r[2]["status"], 200);
    assert_eq!(r[2]["body"]["displayName"], "batched");
    assert_eq!((r[3]["status"].as_u64(), r[3]["body"].as_str()), (Some(200), Some("44")));
}
