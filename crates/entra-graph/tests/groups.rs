//! `/groups/delta` and `/users/delta` with `members@delta`, names by `getByIds`, membership
//! writes, and expired delta links: on the reference payloads (tests/fixtures) and against a
//! stand-in server.

mod common;

use common::{setup, Mock, Reply};
use entra_graph::models::{DeltaEntry, DirectoryObject, GroupDelta, MemberRef, UserDelta};
use entra_graph::resources::GroupDeltaPage;
use entra_graph::Page;
use futures::TryStreamExt;
use serde_json::json;

fn documents(name: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let json: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
    serde_json::Deserializer::from_str(&json).into_iter::<serde_json::Value>().map(|v| v.unwrap()).collect()
}

fn decode<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> T {
    serde_path_to_error::deserialize(value).unwrap_or_else(|e| panic!("{}: {}", e.path(), e.inner()))
}

fn changed(entry: &DeltaEntry<GroupDelta>) -> &GroupDelta {
    match entry {
        DeltaEntry::Changed(g) => g,
        other => panic!("expected a changed group, got {other:?}"),
    }
}

#[test]
fn the_walkthrough_decodes_with_members_added_and_removed() {
    let pages: Vec<GroupDeltaPage> = documents("groups-delta.walkthrough.json").iter().map(decode).collect();
    assert_eq!(pages.len(), 7);
    let first = changed(&pages[0].value[0]);
    assert_eq!(first.group.display_name.as_deref(), Some("TestGroup1"));
    let members = first.members.as_ref().unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!((members[0].kind(), members[0].removed), ("user", false));
    assert!(changed(&pages[0].value[1]).members.is_none(), "no members@delta: no membership news");
    assert!(pages[2].delta_link.is_some() && pages[2].next_link.is_none());
    let round = changed(&pages[4].value[0]);
    let refs = round.members.as_ref().unwrap();
    assert_eq!(refs.iter().map(|r| (r.id.as_str(), r.removed)).collect::<Vec<_>>(), [("632f6bb2-3ec8-4c1f-9073-0027a8c6859", true), ("37de1ae3-408f-4702-8636-20824abda004", false)]);
    assert!(round.has("displayName") && round.has("description") && !round.has("mail"));
    // group-delta.md's first example has no id; the minimal one only two properties.
    assert!(changed(&pages[5].value[0]).group.id.is_empty());
    let minimal = changed(&pages[6].value[0]);
    assert!(minimal.has("displayName") && minimal.has("description") && minimal.present.len() == 2);
}

#[test]
fn removed_groups_members_without_type_and_bad_references() {
    let entries: Vec<DeltaEntry<GroupDelta>> = serde_json::from_value(json!([
        {"id": "g-gone", "@removed": {"reason": "changed"}},
        {"id": "g", "members@delta": [{"id": "m"}, {"@odata.type": "#microsoft.graph.device", "id": "d", "@removed": {"reason": "deleted"}}]}
    ]))
    .unwrap();
    assert_eq!(entries[0], DeltaEntry::Removed { id: "g-gone".into(), reason: "changed".into() });
    let refs = changed(&entries[1]).members.clone().unwrap();
    assert_eq!(refs[0], MemberRef { id: "m".into(), odata_type: None, removed: false });
    assert_eq!((refs[1].kind(), refs[1].removed), ("device", true));
    let bad = serde_json::from_value::<Vec<DeltaEntry<GroupDelta>>>(json!([{"id": "g", "members@delta": [{"@odata.type": "#microsoft.graph.user"}]}]));
    assert!(bad.unwrap_err().to_string().contains("members@delta"));
    let user: DeltaEntry<UserDelta> = serde_json::from_value(json!({"id": "u", "displayName": "U", "userPrincipalName": "u@x"})).unwrap();
    assert!(matches!(user, DeltaEntry::Changed(u) if u.present.len() == 3 && !u.present.iter().any(|p| p == "mail") && u.user.id == "u"));
}

#[tokio::test]
async fn a_group_split_over_pages_comes_slice_by_slice_to_the_delta_link() {
    let mock = Mock::start(|r, i| {
        let base = "http://".to_string() + r.header("host").unwrap() + "/v1.0";
        match i {
            0 => {
                assert!(r.target.starts_with("/v1.0/groups/delta?$select=id,displayName,"), "{}", r.target);
                assert!(r.target.contains(",members"), "{}", r.target);
                Reply::ok(json!({"@odata.nextLink": format!("{base}/groups/delta?$skiptoken=p2"), "value": [
                    {"id": "big", "displayName": "Big", "members@delta": [{"@odata.type": "#microsoft.graph.user", "id": "u1"}]}]}))
            }
            1 => {
                assert_eq!(r.target, "/v1.0/groups/delta?$skiptoken=p2");
                Reply::ok(json!({"@odata.deltaLink": format!("{base}/groups/delta?$deltatoken=d1"), "value": [
                    {"id": "big", "displayName": "Big", "members@delta": [{"@odata.type": "#microsoft.graph.user", "id": "u2"}]},
                    {"id": "small", "displayName": "Small"}]}))
            }
            _ => Reply::unexpected(r),
        }
    })
    .await;
    let s = setup(&mock);
    let pages: Vec<GroupDeltaPage> = s.client.groups_delta(None).try_collect().await.unwrap();
    assert_eq!(pages.len(), 2);
    let big: Vec<&str> = pages.iter().flat_map(|p| &p.value).map(changed).filter(|g| g.group.id == "big").flat_map(|g| g.members.as_ref().unwrap()).map(|m| m.id.as_str()).collect();
    assert_eq!(big, ["u1", "u2"]);
    assert!(pages[1].delta_link.as_deref().unwrap().ends_with("$deltatoken=d1"));
}

#[tokio::test]
async fn an_expired_delta_link_is_recognisable() {
    let mock = Mock::start(|r, i| match i {
        0 => Reply::graph_error(410, "syncStateNotFound", "The sync state is not found.").header("Location", &format!("http://{}/v1.0/groups/delta?$deltatoken=", r.header("host").unwrap())),
        1 => Reply::graph_error(400, "resyncRequired", "Resync required."),
        2 => Reply::graph_error(404, "Request_ResourceNotFound", "Nope."),
        _ => Reply::unexpected(r),
    })
    .await;
    let s = setup(&mock);
    let link = format!("{}/groups/delta?$deltatoken=old", mock.base);
    let gone = s.client.groups_delta(Some(&link)).try_collect::<Vec<_>>().await.unwrap_err();
    assert!(gone.is_delta_expired(), "{gone}");
    assert!(gone.to_string().contains("delta link has expired"), "{gone}");
    let resync = s.client.users_delta(Some(&link.replace("groups", "users"))).try_collect::<Vec<Page<DeltaEntry<UserDelta>>>>().await.unwrap_err();
    assert!(resync.is_delta_expired(), "{resync}");
    let other = s.client.groups_delta(Some(&link)).try_collect::<Vec<_>>().await.unwrap_err();
    assert!(!other.is_delta_expired());
}

#[tokio::test]
async fn get_by_ids_goes_a_thousand_at_a_time_and_writes_have_graphs_shape() {
    let mock = Mock::start(|r, _| match (r.method.as_str(), r.target.as_str()) {
        ("POST", "/v1.0/directoryObjects/getByIds") => {
            let ids = r.json()["ids"].as_array().unwrap().clone();
            assert!(ids.len() <= 1000);
            let value: Vec<_> = ids.iter().take(2).map(|id| json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": id, "displayName": "SP"})).collect();
            Reply::ok(json!({ "value": value }))
        }
        ("POST", "/v1.0/groups/g1/members/$ref") => {
            assert!(r.json()["@odata.id"].as_str().unwrap().ends_with("/v1.0/directoryObjects/u1"));
            Reply::status(204)
        }
        ("DELETE", "/v1.0/groups/g1/members/u1/$ref") => Reply::status(204),
        _ => Reply::unexpected(r),
    })
    .await;
    let s = setup(&mock);
    let ids: Vec<String> = (0..1500).map(|i| format!("id-{i}")).collect();
    let found = s.client.directory_objects_by_ids(&ids, &[]).await.unwrap();
    assert_eq!(found.len(), 4, "two answers of two");
    assert!(matches!(&found[0], DirectoryObject::ServicePrincipal(sp) if sp.display_name.as_deref() == Some("SP")));
    assert_eq!(mock.count(), 2);
    s.client.add_group_member("g1", "u1").await.unwrap();
    s.client.remove_group_member("g1", "u1").await.unwrap();
}
