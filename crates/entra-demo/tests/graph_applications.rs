//! /applications and /servicePrincipals: paging, $top, $select, $filter,
//! $search, $orderby, $count with the ConsistencyLevel rules, $expand=owners,
//! get by id and appId, and owners.

mod common;

use common::apps::*;
use serde_json::Value;
use std::collections::HashSet;

#[tokio::test]
async fn pages_through_a_large_tenant_at_999_and_at_the_default_size() {
    let demo = tenant_with(1_200).await;
    let graph = Graph::new(demo.info()).await;
    let (items, pages) = collect(&graph, "/applications?$top=999").await;
    assert_eq!(pages, 2);
    assert_eq!(items.len(), 1_204);
    let ids: HashSet<&str> = items.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1_204, "no duplicates across pages");

    let first = graph.get("/applications").await;
    assert_eq!(first.body["value"].as_array().unwrap().len(), 100);
    assert!(first.body["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#applications"));
    assert!(first.headers["content-type"].to_str().unwrap().starts_with("application/json;odata.metadata=minimal"));
    let next = first.body["@odata.nextLink"].as_str().unwrap();
    assert!(next.contains("$skiptoken="), "{next}");
    let (items, pages) = collect(&graph, "/applications").await;
    assert_eq!((items.len(), pages), (1_204, 13));

    // Credentials as Graph shows them: no secret text, a hint, certificates with usage.
    let creds: Vec<&Value> = items.iter().flat_map(|a| a["passwordCredentials"].as_array().unwrap()).collect();
    assert!(creds.iter().all(|c| c["secretText"].is_null() && c["keyId"].is_string()));
    let keys: Vec<&Value> = items.iter().flat_map(|a| a["keyCredentials"].as_array().unwrap()).collect();
    assert!(keys.iter().any(|k| k["usage"] == "Sign") && keys.iter().any(|k| k["usage"] == "Verify"));
    assert!(keys.iter().all(|k| k["type"] == "AsymmetricX509Cert" && k["key"].is_null()));
    let audiences: HashSet<&str> = items.iter().map(|a| a["signInAudience"].as_str().unwrap()).collect();
    assert_eq!(audiences.len(), 4, "{audiences:?}");

    let (sps, _) = collect(&graph, "/servicePrincipals?$top=999").await;
    assert!(sps.len() > 1_204);
    assert!(sps.iter().any(|s| s["preferredSingleSignOnMode"] == "saml" && s["keyCredentials"].as_array().unwrap().len() == 2));
    assert!(sps.iter().any(|s| s["appId"] == "00000003-0000-0000-c000-000000000000" && s["displayName"] == "Microsoft Graph"));
}

#[tokio::test]
async fn top_select_and_skip_token_errors() {
    let demo = tenant_with(50).await;
    let graph = Graph::new(demo.info()).await;
    let a = graph.get("/applications?$top=1000").await;
    assert_error(&a, 400, "Request_UnsupportedQuery");
    assert_eq!(a.body["error"]["message"], "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
    assert_error(&graph.get("/applications?$top=0").await, 400, "Request_UnsupportedQuery");
    assert_error(&graph.get("/applications?$top=ten").await, 400, "BadRequest");

    let a = graph.get("/applications?$select=id,appId,displayName&$top=5").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["@odata.context"].as_str().unwrap().ends_with("#applications(id,appId,displayName)"));
    let first = &a.body["value"][0];
    assert_eq!(first.as_object().unwrap().len(), 3, "{first}");
    let next = a.body["@odata.nextLink"].as_str().unwrap();
    assert!(next.contains("$select=id%2CappId%2CdisplayName") || next.contains("$select=id,appId,displayName"), "{next}");
    assert_eq!(graph.get(next).await.body["value"][0].as_object().unwrap().len(), 3);

    let a = graph.get("/applications?$select=id,nope").await;
    assert_error(&a, 400, "BadRequest");
    assert!(a.body["error"]["message"].as_str().unwrap().contains("'nope'"));

    // A tampered or foreign skip token.
    let tampered = next.replace("$skiptoken=", "$skiptoken=x");
    assert_error(&graph.get(&tampered).await, 400, "Request_BadRequest");
    assert_error(&graph.get("/applications?$skiptoken=garbage").await, 400, "Request_BadRequest");

    // keyCredentials[].key only when selected.
    let cert = &demo.info().certificate_client.client_id;
    let a = graph.get(&format!("/applications(appId='{cert}')?$select=keyCredentials")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["keyCredentials"][0]["key"].as_str().unwrap().len() > 100);
}

#[tokio::test]
async fn filters_search_orderby_and_count_follow_the_consistency_rules() {
    let demo = tenant_with(400).await;
    let graph = Graph::new(demo.info()).await;
    let cc = demo.info().confidential_client.client_id.clone();
    let a = graph.get(&format!("/applications?$filter=appId eq '{cc}'")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(a.body["value"][0]["appId"], cc.as_str());

    let a = graph.get("/applications?$filter=startswith(displayName,'Finance')&$top=999").await;
    let names: Vec<&str> = a.body["value"].as_array().unwrap().iter().map(|v| v["displayName"].as_str().unwrap()).collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.starts_with("Finance")), "{names:?}");

    // Advanced-only operators without the parameters.
    let a = graph.get("/applications?$filter=displayName ne 'x'").await;
    assert_error(&a, 400, "Request_UnsupportedQuery");
    assert!(a.body["error"]["message"].as_str().unwrap().starts_with("Operator 'ne' is not supported because the required parameters might be missing."));
    assert_error(&graph.get("/applications?$filter=endswith(displayName,'Web')").await, 400, "Request_UnsupportedQuery");
    let a = graph.get_eventual("/applications?$filter=displayName ne 'x'&$count=true&$top=1").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["@odata.count"], 404);
    assert_error(&graph.get("/applications?$filter=nothing eq 'x'").await, 400, "BadRequest");
    assert_error(&graph.get("/applications?$filter=displayName eq").await, 400, "BadRequest");

    // $search needs the header; $count without it is ignored.
    let a = graph.get("/applications?$search=\"displayName:Web\"").await;
    assert_error(&a, 400, "Request_UnsupportedQuery");
    assert_eq!(a.body["error"]["message"], "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
    let a = graph.get_eventual("/applications?$search=\"displayName:Web\"&$count=true&$select=displayName&$top=999").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let n = a.body["@odata.count"].as_u64().unwrap();
    assert!(n > 0 && n as usize == a.body["value"].as_array().unwrap().len());
    assert!(a.body["value"].as_array().unwrap().iter().all(|v| v["displayName"].as_str().unwrap().contains("Web")));
    let a = graph.get("/applications?$count=true").await;
    assert_eq!(a.status, 200);
    assert!(a.body.get("@odata.count").is_none());

    // /$count segment.
    let a = graph.get("/applications/$count").await;
    assert_error(&a, 400, "Request_BadRequest");
    assert_eq!(a.body["error"]["message"], "$count is not currently supported.");
    let a = graph.get_eventual("/applications/$count").await;
    assert_eq!((a.status, a.text.as_str()), (200, "404"));
    assert!(a.headers["content-type"].to_str().unwrap().starts_with("text/plain"));

    // $orderby needs ConsistencyLevel + $count.
    assert_error(&graph.get("/applications?$orderby=displayName").await, 400, "Request_UnsupportedQuery");
    let a = graph.get_eventual("/applications?$orderby=displayName desc&$count=true&$top=50&$select=displayName").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let names: Vec<String> = a.body["value"].as_array().unwrap().iter().map(|v| v["displayName"].as_str().unwrap().to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");

    let a = graph.get("/servicePrincipals?$filter=preferredSingleSignOnMode eq 'saml'&$top=999").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["value"].as_array().unwrap().iter().all(|s| s["preferredSingleSignOnMode"] == "saml"));
}

#[tokio::test]
async fn expand_owners_caps_the_page_and_owners_list_is_directory_objects() {
    let demo = tenant_with(600).await;
    let graph = Graph::new(demo.info()).await;
    let a = graph.get("/applications?$expand=owners&$top=999").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let page = a.body["value"].as_array().unwrap();
    assert_eq!(page.len(), 100, "the page is capped at 100 with $expand");
    assert!(a.body["@odata.nextLink"].is_string());
    let (all, _) = collect(&graph, "/applications?$expand=owners($select=id,displayName)&$top=999").await;
    assert_eq!(all.len(), 604);
    assert!(all.iter().all(|a| a["owners"].as_array().unwrap().len() <= 20));
    let crowded = all.iter().find(|a| a["owners"].as_array().unwrap().len() == 20).expect("an app with more than 20 owners");
    assert!(all.iter().any(|a| a["owners"].as_array().unwrap().is_empty()));
    assert!(all.iter().flat_map(|a| a["owners"].as_array().unwrap()).any(|o| o["@odata.type"] == "#microsoft.graph.servicePrincipal"));
    assert_error(&graph.get_eventual("/applications?$expand=owners&$count=true").await, 400, "Request_UnsupportedQuery");

    // The owners endpoint: all 25, paged, typed.
    let id = crowded["id"].as_str().unwrap();
    let a = graph.get(&format!("/applications/{id}/owners?$top=10&$select=id,displayName")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["@odata.context"].as_str().unwrap().ends_with("#directoryObjects"));
    assert_eq!(a.body["value"][0]["@odata.type"], "#microsoft.graph.user");
    assert_eq!(a.body["value"][0].as_object().unwrap().len(), 3);
    let (owners, pages) = collect(&graph, &format!("/applications/{id}/owners?$top=10")).await;
    assert!(owners.len() >= 25 && pages == 3, "{} owners on {pages} pages", owners.len());
    assert!(owners[0]["userPrincipalName"].is_string());

    // Get by id, by appId, unknown and malformed ids.
    let app_id = crowded["appId"].as_str().unwrap();
    let a = graph.get(&format!("/applications/{id}")).await;
    assert_eq!((a.status, a.body["appId"].as_str()), (200, Some(app_id)));
    assert!(a.body["@odata.context"].as_str().unwrap().ends_with("#applications/$entity"));
    let a = graph.get(&format!("/applications(appId='{app_id}')?$select=id")).await;
    assert_eq!(a.body["id"], id, "{}", a.text);
    let missing = "00000000-0000-4000-8000-000000000000";
    let a = graph.get(&format!("/applications/{missing}")).await;
    assert_error(&a, 404, "Request_ResourceNotFound");
    assert!(a.body["error"]["message"].as_str().unwrap().starts_with(&format!("Resource '{missing}' does not exist")));
    assert_error(&graph.get("/applications/not-a-guid").await, 400, "Request_BadRequest");
    let sp = graph.get(&format!("/servicePrincipals(appId='{app_id}')")).await;
    assert_eq!(sp.status, 200, "{}", sp.text);
    let a = graph.get(&format!("/servicePrincipals/{}/owners", sp.body["id"].as_str().unwrap())).await;
    assert_eq!(a.status, 200, "{}", a.text);
}
