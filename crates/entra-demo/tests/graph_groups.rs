//! `/groups`, `/users` and membership reads: shapes, paging, the nested chain
//! and the cycle, and `/groups/delta` rounds (a large group merged across
//! pages, changes since a delta link, deleted groups, `$deltaToken=latest`).

mod common;

use common::apps::*;
use common::groups::*;
use serde_json::json;
use std::collections::BTreeSet;

#[tokio::test]
async fn groups_and_users_list_with_graph_shapes() {
    let demo = tenant_sized(40, 300).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    assert_eq!(demo.info().groups, fx);

    let a = graph.get("/groups?$top=5").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#groups"));
    let first = &a.body["value"][0];
    for p in ["id", "displayName", "description", "mail", "mailEnabled", "mailNickname", "securityEnabled", "groupTypes", "membershipRule", "createdDateTime"] {
        assert!(first.get(p).is_some(), "{p} missing in {first}");
    }
    assert!(a.body["@odata.nextLink"].as_str().unwrap().contains("$skiptoken="));
    let (all, pages) = collect(&graph, "/groups?$top=7&$select=id,displayName").await;
    assert_eq!((all.len(), pages), (40, 6));
    assert!(all.windows(2).all(|w| w[0]["id"].as_str() < w[1]["id"].as_str()), "ordered by id");
    assert_eq!(all[0].as_object().unwrap().len(), 2);

    let a = graph.get("/groups?$filter=startswith(displayName,'Cycle')&$select=id").await;
    let cycle: BTreeSet<_> = a.body["value"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(cycle, fx.cycle.iter().cloned().collect());
    let a = graph.get_eventual("/groups?$count=true&$top=1").await;
    assert_eq!(a.body["@odata.count"], 40);
    assert_eq!(graph.get_eventual("/groups/$count").await.text, "40");

    assert_error(&graph.get("/groups?$top=1000").await, 400, "Request_UnsupportedQuery");
    assert_error(&graph.get("/groups?$top=0").await, 400, "Request_UnsupportedQuery");
    assert_error(&graph.get("/groups?$select=nope").await, 400, "BadRequest");
    assert_error(&graph.get("/groups/00000000-0000-4000-8000-000000000000").await, 404, "Request_ResourceNotFound");
    assert_error(&graph.get("/groups/not-a-guid").await, 400, "Request_BadRequest");

    let g = graph.get(&format!("/groups/{}", fx.large_group)).await;
    assert_eq!(g.body["displayName"], "All Employees");
    assert!(g.body["@odata.context"].as_str().unwrap().ends_with("$metadata#groups/$entity"));

    let users = ids(&graph, "/users?$top=999&$select=id").await;
    assert_eq!(users.len(), 300);
    assert!(users.contains(&fx.admin_user) && users.contains(&fx.nested_user));
    let u = graph.get(&format!("/users/{}", fx.admin_user)).await;
    assert_eq!(u.body["userPrincipalName"], demo.info().user.username.as_str());
    assert!(u.body["@odata.context"].as_str().unwrap().ends_with("$metadata#users/$entity"));
    assert_error(&graph.get("/users/00000000-0000-4000-8000-000000000000").await, 404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn transitive_lists_follow_the_chain_and_end_in_the_cycle() {
    let demo = tenant_sized(30, 10_500).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    assert_eq!(fx.nested_chain.len(), 5);
    assert!(fx.large_group_members > 10_000, "{}", fx.large_group_members);

    // The nested user is directly in G5 only, and transitively in the whole chain.
    let direct = graph.get(&format!("/users/{}/memberOf", fx.nested_user)).await;
    assert_eq!(direct.status, 200, "{}", direct.text);
    assert!(direct.body["@odata.context"].as_str().unwrap().ends_with("$metadata#directoryObjects"));
    assert_eq!(direct.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(direct.body["value"][0]["@odata.type"], "#microsoft.graph.group");
    assert_eq!(direct.body["value"][0]["id"], fx.nested_chain[4].as_str());
    let up = ids(&graph, &format!("/users/{}/transitiveMemberOf", fx.nested_user)).await;
    assert_eq!(up.iter().cloned().collect::<BTreeSet<_>>(), fx.nested_chain.iter().cloned().collect());
    assert_eq!(up.len(), 5);

    // G1's transitive members hold G2..G5, the nested user and the admin, each once.
    let down = ids(&graph, &format!("/groups/{}/transitiveMembers?$top=999", fx.nested_chain[0])).await;
    let set: BTreeSet<_> = down.iter().cloned().collect();
    assert_eq!(set.len(), down.len(), "each object once");
    for id in fx.nested_chain[1..].iter().chain([&fx.nested_user, &fx.admin_user]) {
        assert!(set.contains(id), "{id} missing");
    }
    assert!(!set.contains(&fx.nested_chain[0]));
    let direct = ids(&graph, &format!("/groups/{}/members", fx.nested_chain[0])).await;
    assert!(direct.contains(&fx.nested_chain[1]) && !direct.contains(&fx.nested_chain[2]));

    // The cycle ends: A's transitive members include B and C once, never A.
    let a = graph.get(&format!("/groups/{}/transitiveMembers?$select=id,displayName", fx.cycle[0])).await;
    let items = a.body["value"].as_array().unwrap();
    let got: Vec<&str> = items.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), got.len());
    assert!(got.contains(&fx.cycle[1].as_str()) && got.contains(&fx.cycle[2].as_str()) && !got.contains(&fx.cycle[0].as_str()));
    assert!(items.iter().all(|v| v["@odata.type"].is_string() && v.get("mail").is_none()));
    let admin_up = ids(&graph, &format!("/users/{}/transitiveMemberOf", fx.admin_user)).await;
    for g in fx.cycle.iter().chain(&fx.nested_chain).chain([&fx.large_group]) {
        assert!(admin_up.contains(g), "admin not in {g}");
    }
    assert_eq!(admin_up.iter().collect::<BTreeSet<_>>().len(), admin_up.len());

    // The large group pages at 999 with a count under ConsistencyLevel.
    let a = graph.get_eventual(&format!("/groups/{}/members?$count=true&$top=999&$select=id", fx.large_group)).await;
    assert_eq!(a.body["@odata.count"], fx.large_group_members);
    assert_eq!(a.body["value"].as_array().unwrap().len(), 999);
    assert_eq!(ids(&graph, &format!("/groups/{}/members?$top=999", fx.large_group)).await.len(), fx.large_group_members);
    assert_error(&graph.get(&format!("/groups/{}/members?$top=1000", fx.large_group)).await, 400, "Request_UnsupportedQuery");
    assert_error(&graph.get(&format!("/groups/{}/members?$select=bogus", fx.large_group)).await, 400, "BadRequest");
    assert_error(&graph.get("/groups/00000000-0000-4000-8000-000000000000/members").await, 404, "Request_ResourceNotFound");
    assert_error(&graph.get("/users/00000000-0000-4000-8000-000000000000/transitiveMemberOf").await, 404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn a_delta_round_rebuilds_every_membership_and_splits_the_large_group() {
    let demo = tenant_sized(60, 10_500).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    let mut state = Memberships::new();
    let round = delta_round(&graph, "/groups/delta?$select=id,displayName,securityEnabled,members", &mut state).await;
    assert_eq!(state.len(), 60);
    for page in &round.pages {
        let values = page["value"].as_array().unwrap();
        assert!(values.len() <= 200);
        let refs: usize = values.iter().map(|v| v["members@delta"].as_array().map_or(0, Vec::len)).sum();
        assert!(refs <= 500, "{refs}");
        assert!(page["@odata.context"].as_str().unwrap().ends_with("$metadata#groups(id,displayName,securityEnabled)"));
        assert!(values.iter().all(|v| v["displayName"].is_string() && v.get("mail").is_none()));
    }
    let large_pages = round.pages.iter().filter(|p| p["value"].as_array().unwrap().iter().any(|v| v["id"] == fx.large_group.as_str())).count();
    assert!(large_pages > 10, "the large group comes back on {large_pages} pages");
    assert_eq!(state[&fx.large_group].len(), fx.large_group_members);
    for (group, members) in &state {
        let listed: BTreeSet<String> = ids(&graph, &format!("/groups/{group}/members?$top=999&$select=id")).await.into_iter().collect();
        assert_eq!(&listed, members, "group {group}");
    }

    // A change to the large group in the middle of a round loses nothing: the round
    // pages through the members as of its start, and the next round brings the change.
    let mut mid = Memberships::new();
    let mut url = "/groups/delta?$select=displayName,members".to_string();
    let mut removed = None;
    let link = loop {
        let a = graph.get(&url).await;
        for g in a.body["value"].as_array().unwrap() {
            let members = mid.entry(g["id"].as_str().unwrap().to_string()).or_default();
            members.extend(g["members@delta"].as_array().into_iter().flatten().map(|m| m["id"].as_str().unwrap().to_string()));
        }
        if removed.is_none() {
            if let Some(sent) = mid.get(&fx.large_group).and_then(|m| m.iter().next().cloned()) {
                assert_eq!(graph.delete(&format!("/groups/{}/members/{sent}/$ref", fx.large_group)).await.status, 204);
                removed = Some(sent);
            }
        }
        match a.body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break a.body["@odata.deltaLink"].as_str().unwrap().to_string(),
        }
    };
    assert_eq!(mid[&fx.large_group].len(), fx.large_group_members, "every member as of the round's start");
    delta_round(&graph, &link, &mut mid).await;
    let listed: BTreeSet<String> = ids(&graph, &format!("/groups/{}/members?$top=999&$select=id", fx.large_group)).await.into_iter().collect();
    assert_eq!(listed.len(), fx.large_group_members - 1);
    assert_eq!(mid[&fx.large_group], listed);

    // Without $select: every default property, and members too.
    let a = graph.get("/groups/delta").await;
    let v = &a.body["value"][0];
    assert!(v["mailNickname"].is_string() && v["groupTypes"].is_array(), "{v}");
    assert!(a.body["value"].as_array().unwrap().iter().any(|v| v["members@delta"].is_array()));
    assert_error(&graph.get("/groups/delta?$orderby=displayName").await, 400, "Request_UnsupportedQuery");
    assert_error(&graph.get("/groups/delta?$select=members,nope").await, 400, "BadRequest");
}

#[tokio::test]
async fn a_delta_link_returns_just_the_changes_in_one_page() {
    let demo = tenant_sized(50, 2_000).await;
    let graph = Graph::new(demo.info()).await;
    let fx = demo.group_fixture();
    let mut state = Memberships::new();
    let round = delta_round(&graph, "/groups/delta?$select=displayName,members", &mut state).await;
    let quiet = graph.get(&round.delta_link).await;
    assert_eq!(quiet.body["value"], json!([]), "{}", quiet.text);
    let link = quiet.body["@odata.deltaLink"].as_str().unwrap().to_string();

    // 6 adds (users, a device-free mix) and 4 removals, across groups.
    let users = ids(&graph, "/users?$top=50&$select=id").await;
    // Dynamic groups refuse manual members: leave them out.
    let (listed, _) = collect(&graph, "/groups?$select=id,groupTypes&$top=999").await;
    let dynamic: Vec<&str> = listed.iter().filter(|g| g["groupTypes"].to_string().contains("DynamicMembership")).map(|g| g["id"].as_str().unwrap()).collect();
    let groups: Vec<String> = state
        .keys()
        .filter(|g| **g != fx.large_group && !fx.cycle.contains(g) && !fx.nested_chain.contains(g) && !dynamic.contains(&g.as_str()))
        .cloned()
        .collect();
    let mut added = Vec::new();
    for (k, g) in groups.iter().take(6).enumerate() {
        let user = users.iter().find(|u| !state[g].contains(*u)).unwrap().clone();
        let a = graph.post(&format!("/groups/{g}/members/$ref"), json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")})).await;
        assert_eq!(a.status, 204, "{k}: {}", a.text);
        added.push((g.clone(), user));
    }
    let mut removed = Vec::new();
    for g in groups.iter().skip(6).filter(|g| !state[*g].is_empty()).take(4) {
        let member = state[g].iter().next().unwrap().clone();
        assert_eq!(graph.delete(&format!("/groups/{g}/members/{member}/$ref")).await.status, 204);
        removed.push((g.clone(), member));
    }
    // An add then remove of the same member nets out.
    let (g0, u0) = (&groups[0], users.iter().find(|u| !state[&groups[0]].contains(*u) && **u != added[0].1).unwrap().clone());
    assert_eq!(graph.post(&format!("/groups/{g0}/members/$ref"), json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{u0}")})).await.status, 204);
    assert_eq!(graph.delete(&format!("/groups/{g0}/members/{u0}/$ref")).await.status, 204);

    let a = graph.get(&link).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["@odata.deltaLink"].is_string() && a.body.get("@odata.nextLink").is_none(), "one page: {}", a.text);
    let values = a.body["value"].as_array().unwrap();
    assert_eq!(values.len(), 10, "{}", a.text);
    let entries = |g: &str| values.iter().find(|v| v["id"] == g).unwrap()["members@delta"].as_array().unwrap().clone();
    for (g, u) in &added {
        assert_eq!(entries(g), vec![json!({"@odata.type": "#microsoft.graph.user", "id": u})], "{g}");
    }
    for (g, m) in &removed {
        let e = entries(g);
        assert_eq!(e.len(), 1);
        assert_eq!((e[0]["id"].as_str(), &e[0]["@removed"]), (Some(m.as_str()), &json!({"reason": "deleted"})));
    }
    assert!(values.iter().all(|v| v["displayName"].is_string()));

    // Applied to the state, the client matches the tenant again; the next link is quiet.
    let mut again = state.clone();
    let next = delta_round(&graph, &link, &mut again).await;
    for (g, _) in added.iter().chain(&removed) {
        let listed: BTreeSet<String> = ids(&graph, &format!("/groups/{g}/members?$select=id")).await.into_iter().collect();
        assert_eq!(listed, again[g]);
    }
    assert_eq!(graph.get(&next.delta_link).await.body["value"], json!([]));

    // $deltaToken=latest: no values, just a link that reports later changes only.
    let latest = graph.get("/groups/delta?$deltaToken=latest&$select=displayName,members").await;
    assert_eq!(latest.body["value"], json!([]));
    let latest = latest.body["@odata.deltaLink"].as_str().unwrap().to_string();
    let (g, u) = &added[1];
    assert_eq!(graph.delete(&format!("/groups/{g}/members/{u}/$ref")).await.status, 204);
    let a = graph.get(&latest).await;
    assert_eq!(a.body["value"].as_array().unwrap().len(), 1, "{}", a.text);
    assert_eq!(a.body["value"][0]["members@delta"][0]["@removed"]["reason"], "deleted");

    // /users/delta: ~200 a page, every user once, then quiet.
    let (mut seen, mut url, mut pages) = (BTreeSet::new(), "/users/delta?$select=id,displayName,userPrincipalName,mail".to_string(), 0);
    let link = loop {
        let a = graph.get(&url).await;
        assert_eq!(a.status, 200, "{}", a.text);
        pages += 1;
        let values = a.body["value"].as_array().unwrap();
        assert!(values.len() <= 200);
        seen.extend(values.iter().map(|v| v["id"].as_str().unwrap().to_string()));
        match a.body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break a.body["@odata.deltaLink"].as_str().unwrap().to_string(),
        }
    };
    assert_eq!((seen.len(), pages), (2_000, 10));
    assert_eq!(graph.get(&link).await.body["value"], json!([]));
}
