//! The writes that change groups (members/$ref add and remove, POST and
//! DELETE /groups) with Graph's errors, inside `$batch` too; deleted groups in
//! delta; delta-link expiry (410 with a Location); permissions; getByIds.

mod common;

use common::apps::*;
use common::groups::*;
use serde_json::json;

fn reference(id: &str) -> serde_json::Value {
    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")})
}

#[tokio::test]
async fn membership_writes_answer_like_graph() {
    let demo = tenant_sized(20, 500).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    let (g5, nested, admin) = (&fx.nested_chain[4], &fx.nested_user, &fx.admin_user);
    let missing = "00000000-0000-4000-8000-000000000000";

    let a = graph.post(&format!("/groups/{g5}/members/$ref"), reference(nested)).await;
    assert_error(&a, 400, "Request_BadRequest");
    assert_eq!(a.body["error"]["message"], "One or more added object references already exist for the following modified properties: 'members'.");
    assert_error(&graph.post(&format!("/groups/{g5}/members/$ref"), reference(missing)).await, 404, "Request_ResourceNotFound");
    assert_error(&graph.post(&format!("/groups/{missing}/members/$ref"), reference(nested)).await, 404, "Request_ResourceNotFound");
    assert_error(&graph.post(&format!("/groups/{g5}/members/$ref"), json!({"id": nested})).await, 400, "BadRequest");
    assert_error(&graph.post(&format!("/groups/{g5}/members/$ref"), reference(g5)).await, 400, "Request_BadRequest");

    // Move the nested user from G5 to G4: G5 no longer lists it, the chain above still holds it.
    assert_eq!(graph.delete(&format!("/groups/{g5}/members/{nested}/$ref")).await.status, 204);
    assert_error(&graph.delete(&format!("/groups/{g5}/members/{nested}/$ref")).await, 404, "Request_ResourceNotFound");
    assert_error(&graph.delete(&format!("/groups/{missing}/members/{nested}/$ref")).await, 404, "Request_ResourceNotFound");
    assert_eq!(graph.post(&format!("/groups/{}/members/$ref", fx.nested_chain[3]), reference(nested)).await.status, 204);
    let up = ids(&graph, &format!("/users/{nested}/transitiveMemberOf")).await;
    assert_eq!(up.len(), 4);
    assert!(!up.contains(g5));
    // Service principals and groups are members too.
    let sp = graph.get("/servicePrincipals?$top=1&$select=id").await.body["value"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(graph.post(&format!("/groups/{g5}/members/$ref"), reference(&sp)).await.status, 204);
    let members = graph.get(&format!("/groups/{g5}/members?$select=id")).await;
    let sp_item = members.body["value"].as_array().unwrap().iter().find(|v| v["id"] == sp.as_str()).unwrap().clone();
    assert_eq!(sp_item["@odata.type"], "#microsoft.graph.servicePrincipal");

    // POST /groups validates the four required properties.
    let ok = json!({"displayName": "Release Team", "mailEnabled": false, "mailNickname": "release-team", "securityEnabled": true,
                    "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/users/{admin}")]});
    for field in ["displayName", "mailEnabled", "mailNickname", "securityEnabled"] {
        let mut body = ok.clone();
        body.as_object_mut().unwrap().remove(field);
        let a = graph.post("/groups", body).await;
        assert_error(&a, 400, "Request_BadRequest");
        assert!(a.body["error"]["message"].as_str().unwrap().contains(&format!("'{field}'")), "{}", a.text);
    }
    assert_error(&graph.post("/groups", json!({"displayName": "x", "mailEnabled": "no", "mailNickname": "x", "securityEnabled": true})).await, 400, "Request_BadRequest");
    let created = graph.post("/groups", ok).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(created.body["@odata.context"].as_str().unwrap().ends_with("$metadata#groups/$entity"));
    assert_eq!((created.body["displayName"].as_str(), created.body["mail"].as_str()), (Some("Release Team"), None));
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(ids(&graph, &format!("/groups/{id}/members")).await, vec![admin.clone()]);
    // Nest it under G5: the admin reaches it, and the old groups keep their members (indices shifted right).
    assert_eq!(graph.post(&format!("/groups/{g5}/members/$ref"), reference(&id)).await.status, 204);
    assert!(ids(&graph, &format!("/groups/{}/transitiveMembers", fx.nested_chain[0])).await.contains(&id));
    assert!(ids(&graph, &format!("/users/{admin}/memberOf")).await.contains(&id));
    assert_eq!(ids(&graph, &format!("/groups/{}/members?$top=999", fx.large_group)).await.len(), fx.large_group_members);

    // DELETE /groups/{id}: gone from lists and from the groups it was in.
    assert_eq!(graph.delete(&format!("/groups/{id}")).await.status, 204);
    assert_error(&graph.get(&format!("/groups/{id}")).await, 404, "Request_ResourceNotFound");
    assert_error(&graph.delete(&format!("/groups/{id}")).await, 404, "Request_ResourceNotFound");
    assert!(!ids(&graph, &format!("/groups/{g5}/members")).await.contains(&id));
    assert!(!ids(&graph, &format!("/users/{admin}/memberOf")).await.contains(&id));
}

#[tokio::test]
async fn deleted_groups_come_back_removed_and_expired_links_answer_410() {
    let demo = tenant_sized(15, 300).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    let mut state = Memberships::new();
    let round = delta_round(&graph, "/groups/delta?$select=displayName,members", &mut state).await;
    let created = graph.post("/groups", json!({"displayName": "M365 Team", "mailEnabled": true, "mailNickname": "m365team", "securityEnabled": false, "groupTypes": ["Unified"]})).await;
    let unified = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["mail"], "m365team@demo.onmicrosoft.com");
    let mid = graph.get(&round.delta_link).await.body["@odata.deltaLink"].as_str().unwrap().to_string();
    assert_eq!(graph.delete(&format!("/groups/{unified}")).await.status, 204);
    assert_eq!(graph.delete(&format!("/groups/{}", fx.cycle[1])).await.status, 204);

    let a = graph.get(&mid).await;
    let values = a.body["value"].as_array().unwrap();
    let find = |id: &str| values.iter().find(|v| v["id"] == id).cloned().unwrap_or_else(|| panic!("{id} missing in {}", a.text));
    // A Microsoft 365 group is soft-deleted ("changed"), a security group deleted for good.
    assert_eq!(find(&unified), json!({"id": unified, "@removed": {"reason": "changed"}}));
    assert_eq!(find(&fx.cycle[1]), json!({"id": fx.cycle[1], "@removed": {"reason": "deleted"}}));
    // Cycle A lost its member B, and says so.
    let a_entries = find(&fx.cycle[0])["members@delta"].clone();
    assert_eq!(a_entries, json!([{"@odata.type": "#microsoft.graph.group", "id": fx.cycle[1], "@removed": {"reason": "deleted"}}]));
    delta_round(&graph, &mid, &mut state).await;
    assert!(!state.contains_key(&fx.cycle[1]) && !state.contains_key(&unified));

    // Expiry on demand: every delta link answers 410 Gone with a Location; latest still works.
    let link = graph.get("/groups/delta?$deltatoken=latest&$select=displayName,members").await.body["@odata.deltaLink"].as_str().unwrap().to_string();
    let users_link = graph.get("/users/delta?$deltatoken=latest").await.body["@odata.deltaLink"].as_str().unwrap().to_string();
    let apps_link = graph.get("/applications/delta?$deltatoken=latest").await.body["@odata.deltaLink"].as_str().unwrap().to_string();
    let faults = common::client().post(format!("{}/faults", demo.info().emulator)).json(&json!({"expire_delta_tokens": true})).send().await.unwrap();
    assert_eq!(faults.status(), 200);
    let a = graph.get(&link).await;
    assert_error(&a, 410, "syncStateNotFound");
    let location = a.headers["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("/v1.0/groups/delta?$select=displayName,members&$deltatoken="), "{location}");
    assert_error(&graph.get(&users_link).await, 410, "syncStateNotFound");
    assert_error(&graph.get(&apps_link).await, 410, "syncStateNotFound");
    // The Location starts a new round of the same shape.
    let mut fresh = Memberships::new();
    let restarted = delta_round(&graph, &location, &mut fresh).await;
    assert_eq!(fresh, state);
    demo.set_faults(Default::default()).unwrap();
    assert_eq!(graph.get(&restarted.delta_link).await.status, 200);

    // Expiry by age: 7 days on the emulator clock.
    demo.advance_clock(chrono::Duration::days(8));
    let graph = Graph::new(demo.info()).await;
    assert_error(&graph.get(&restarted.delta_link).await, 410, "syncStateNotFound");
    assert_error(&graph.get(&restarted.delta_link.replace("$deltatoken=", "$deltatoken=AA")).await, 400, "Request_BadRequest");
}

#[tokio::test]
async fn permissions_batch_and_get_by_ids() {
    let demo = tenant_sized(20, 400).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    let g5 = &fx.nested_chain[4];

    // User.Read only: no groups, no users, no writes. Group.Read.All: reads but no writes. (The
    // demo public client's tokens carry all its admin-consented permissions, so the User.Read-only
    // token comes from an inventory client the admin consented User.Read to.)
    let weak = Graph { token: common::consent::token_consented_to(demo.info(), "openid User.Read").await, ..Graph::new(demo.info()).await };
    assert_error(&weak.get("/groups").await, 403, "Authorization_RequestDenied");
    assert_error(&weak.get("/groups/delta").await, 403, "Authorization_RequestDenied");
    assert_error(&weak.get(&format!("/users/{}/transitiveMemberOf", fx.admin_user)).await, 403, "Authorization_RequestDenied");
    assert_error(&weak.post(&format!("/groups/{g5}/members/$ref"), reference(&fx.admin_user)).await, 403, "Authorization_RequestDenied");
    let reader = Graph { token: delegated_token(demo.info(), "openid Group.Read.All").await, ..Graph::new(demo.info()).await };
    assert_eq!(reader.get(&format!("/groups/{g5}/members")).await.status, 200);
    assert_eq!(reader.get("/users?$top=1").await.status, 200);
    assert_error(&reader.delete(&format!("/groups/{g5}/members/{}/$ref", fx.nested_user)).await, 403, "Authorization_RequestDenied");
    assert_error(&reader.post("/groups", json!({"displayName": "x", "mailEnabled": false, "mailNickname": "x", "securityEnabled": true})).await, 403, "Authorization_RequestDenied");
    // The public client's default permissions read groups (the app's sign-in).
    let default = Graph { token: delegated_token(demo.info(), "openid https://graph.microsoft.com/.default").await, ..Graph::new(demo.info()).await };
    assert_eq!(default.get("/groups/delta?$deltatoken=latest").await.status, 200);

    // A member write inside $batch, with a dependent read.
    let user = ids(&graph, "/users?$top=5&$select=id").await.into_iter().find(|u| *u != fx.admin_user && *u != fx.nested_user).unwrap();
    let batch = json!({"requests": [
        {"id": "1", "method": "POST", "url": format!("/groups/{g5}/members/$ref"), "headers": {"Content-Type": "application/json"},
         "body": {"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")}},
        {"id": "2", "method": "GET", "url": format!("/groups/{g5}/members?$select=id"), "dependsOn": ["1"]},
        {"id": "3", "method": "POST", "url": format!("/groups/{g5}/members/$ref"), "headers": {"Content-Type": "application/json"},
         "body": {"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")}, "dependsOn": ["2"]},
        {"id": "4", "method": "DELETE", "url": format!("/groups/{g5}/members/{user}/$ref"), "dependsOn": ["3"]}
    ]});
    let a = graph.post("/$batch", batch).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let r = a.body["responses"].as_array().unwrap();
    assert_eq!(r[0]["status"], 204, "{}", a.text);
    assert!(r[1]["body"]["value"].as_array().unwrap().iter().any(|v| v["id"] == user.as_str()));
    assert_eq!((r[2]["status"].as_u64(), r[2]["body"]["error"]["code"].as_str()), (Some(400), Some("Request_BadRequest")));
    assert_eq!(r[3]["status"], 424);
    // Batch items are counted under their own templates (the refused one above counts too).
    let stats = demo.stats();
    assert_eq!(stats.requests.get("POST /v1.0/groups/{id}/members/$ref"), Some(&3));
    assert_eq!(stats.requests.get("DELETE /v1.0/groups/{id}/members/{id}/$ref"), Some(&1), "the 424 item never ran");

    // getByIds: the asked objects that exist, typed; the types filter; more than 1000 ids is 400.
    let sp = graph.get("/servicePrincipals?$top=1&$select=id").await.body["value"][0]["id"].as_str().unwrap().to_string();
    let body = json!({"ids": [fx.admin_user, g5, sp, "00000000-0000-4000-8000-000000000000"]});
    let a = graph.post("/directoryObjects/getByIds", body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let types: Vec<&str> = a.body["value"].as_array().unwrap().iter().map(|v| v["@odata.type"].as_str().unwrap()).collect();
    assert_eq!(types, ["#microsoft.graph.user", "#microsoft.graph.group", "#microsoft.graph.servicePrincipal"]);
    let a = graph.post("/directoryObjects/getByIds", json!({"ids": [fx.admin_user, g5], "types": ["group"]})).await;
    assert_eq!(a.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(a.body["value"][0]["displayName"], "Engineering Level 5");
    let many: Vec<String> = (0..1001).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    assert_error(&graph.post("/directoryObjects/getByIds", json!({"ids": many})).await, 400, "Request_BadRequest");
    assert_error(&graph.post("/directoryObjects/getByIds", json!({"ids": [g5], "types": ["planet"]})).await, 400, "Request_BadRequest");
}
