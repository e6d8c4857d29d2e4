//! Every example payload of the reference (tests/fixtures, copied from
//! shared/entra-reference/graph) decodes into this crate's types.

use entra_graph::batch::BatchResponse;
use entra_graph::models::{AddedPassword, Application, DeltaEntry, DirectoryObject, Group, Organization, ServicePrincipal, User};
use entra_graph::{ApiError, Page};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The JSON documents of a fixture: `//` comment lines dropped, then one value after another.
fn documents(name: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let json: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
    serde_json::Deserializer::from_str(&json).into_iter::<serde_json::Value>().map(|v| v.unwrap()).collect()
}

fn decode<T: DeserializeOwned>(value: &serde_json::Value) -> T {
    serde_path_to_error::deserialize(value).unwrap_or_else(|e| panic!("{}: {}", e.path(), e.inner()))
}

#[test]
fn list_applications() {
    let docs = documents("list-applications.response.json");
    assert_eq!(docs.len(), 3);
    for doc in &docs {
        let page: Page<Application> = decode(doc);
        assert_eq!(page.value.len(), 1);
        let app = &page.value[0];
        assert_eq!(app.app_id.as_deref(), Some("00000000-0000-0000-0000-000000000000"));
        assert_eq!(app.sign_in_audience.as_deref(), Some("AzureADMyOrg"));
        assert_eq!(app.identifier_uris, ["http://contoso/"]);
        assert!(app.password_credentials.is_empty() && app.owners.is_none());
    }
    assert_eq!(decode::<Page<Application>>(&docs[2]).count, Some(1396));
}

#[test]
fn list_service_principals() {
    let docs = documents("list-servicePrincipals.response.json");
    let page: Page<ServicePrincipal> = decode(&docs[0]);
    let sp = &page.value[0];
    assert_eq!(sp.id, "59e617e5-e447-4adc-8b88-00af644d7c92");
    assert_eq!(sp.app_owner_organization_id.as_deref(), Some("1bc1c026-2f7b-48a5-98da-afa2fd8bc7bc"));
    assert_eq!(sp.account_enabled, Some(true));
    assert_eq!(sp.display_name.as_deref(), Some("foo"));
}

#[test]
fn list_groups() {
    let docs = documents("list-groups.response.json");
    let page: Page<Group> = decode(&docs[0]);
    assert_eq!(page.value.len(), 2);
    assert_eq!(page.value[0].group_types, ["Unified"]);
    assert_eq!(page.value[0].created_date_time.unwrap().to_rfc3339(), "2018-12-22T02:21:05+00:00");
    assert_eq!(page.value[1].visibility, None);
    let selected: Page<Group> = decode(&docs[1]);
    assert_eq!((selected.count, selected.value[1].display_name.as_deref()), (Some(2), Some("Contoso Group 2")));
}

#[test]
fn me_and_organization() {
    let docs = documents("me-and-organization.json");
    let me: User = decode(&docs[0]);
    assert_eq!(me.id, "87d349ed-44d7-43e1-9a83-5f2406dee5bd");
    assert_eq!(me.user_principal_name.as_deref(), Some("AdeleV@contoso.com"));
    assert_eq!(me.business_phones, ["+1 425 555 0109"]);
    let selected: User = decode(&docs[1]);
    assert_eq!((selected.id.as_str(), selected.given_name.as_deref()), ("", Some("Adele")));
    let orgs: Page<Organization> = decode(&docs[2]);
    let org = &orgs.value[0];
    assert_eq!(org.display_name.as_deref(), Some("Contoso"));
    assert!(org.verified_domains[0].is_default && org.verified_domains[0].is_initial);
}

#[test]
fn members_and_member_of_dispatch_on_odata_type() {
    let docs = documents("members-transitive.json");
    assert_eq!(docs.len(), 5);
    let pages: Vec<Page<DirectoryObject>> = docs.iter().map(decode).collect();
    assert!(matches!(&pages[0].value[0], DirectoryObject::Other(o) if o.id == "id-value" && o.odata_type.is_none()));
    assert!(matches!(&pages[1].value[0], DirectoryObject::User(u) if u.mail.as_deref() == Some("group1@contoso.com")));
    // A cast collection: items carry no @odata.type (the context says groups), so they read as Other…
    assert_eq!(pages[2].value[0].display_name(), Some("Executives"));
    assert_eq!(pages[2].count, Some(2));
    // …and decode as groups when asked for groups.
    let groups: Page<Group> = decode(&docs[2]);
    assert_eq!(groups.value[1].mail_enabled, Some(true));
    assert!(matches!(&pages[3].value[0], DirectoryObject::Group(g) if g.security_enabled == Some(true)));
    assert_eq!(pages[4].value[0].id(), "11111111-2222-3333-4444-555555555555");
}

#[test]
fn add_and_remove_password() {
    let docs = documents("addPassword.json");
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0]["passwordCredential"]["displayName"], "Password friendly name");
    let added: AddedPassword = decode(&docs[1]);
    assert_eq!(added.secret_text.expose(), "[6gyXA5S20@MN+WRXAJ]I-TO7g1:h2P8");
    assert_eq!(added.credential.key_id, "f0b0b335-1d71-4883-8f98-567911bfdca6");
    assert_eq!(added.credential.hint.as_deref(), Some("[6g"));
    assert_eq!(added.credential.end_date_time.unwrap().to_rfc3339(), "2021-09-09T19:50:29.308638100+00:00");
    let printed = format!("{added:?}");
    assert!(!printed.contains("6gyXA5S20") && printed.contains("[redacted]"), "{printed}");
    assert_eq!(docs[2]["keyId"], added.credential.key_id);
    assert_eq!(added.request_id, None, "the request-id is a header, never read from the body");
}

#[derive(Deserialize)]
struct BatchAnswer {
    responses: Vec<BatchResponse>,
}

#[test]
fn batch_response_items() {
    let docs = documents("batch.json");
    let request_items = docs[0]["requests"].as_array().unwrap();
    assert_eq!(request_items.len(), 5);
    let answer: BatchAnswer = decode(&docs[1]);
    let r = &answer.responses;
    assert_eq!(r.iter().map(|r| r.status).collect::<Vec<_>>(), [200, 403, 403, 405, 200]);
    let member_of: Page<DirectoryObject> = r[0].json().unwrap();
    assert_eq!(member_of.value[0].odata_type(), Some("#microsoft.graph.directoryRole"));
    assert!(member_of.next_link.is_some());
    let denied = r[2].error().unwrap();
    assert_eq!(denied.graph_code(), Some("Authorization_RequestDenied"));
    assert_eq!(denied.request_id(), Some("93b6f17e-c05d-4f45-ad2a-6665c708d8a0"));
    assert_eq!(denied.client_request_id(), Some("e70c5c1b-8b47-68c0-3171-3d22f5e0bd54"));
    assert!(denied.to_string().contains("grant it"), "{denied}");
    assert_eq!(r[1].error().unwrap().graph_code(), Some("HTTP403"), "an empty code is replaced by the status");
    let users: Page<User> = r[4].json().unwrap();
    assert_eq!((users.count, users.value[0].display_name.as_deref()), (Some(36), Some("Lynne Robbins")));
    assert_eq!(r[4].header("odata-version"), Some("4.0"));
    assert!(r[0].error().is_none());
}

#[test]
fn error_envelopes() {
    let mut docs = documents("errors-429-and-directory.json");
    docs.extend(documents("advanced-query-errors.json"));
    assert_eq!(docs.len(), 7);
    let errors: Vec<ApiError> = docs
        .iter()
        .map(|d| ApiError::decode("GET /v1.0/x", 400, Some("from-header".into()), Some("ours"), d.to_string().as_bytes()))
        .collect();
    assert_eq!(errors[0].code, "TooManyRequests");
    assert_eq!(errors[0].request_id.as_deref(), Some("94fb3b52-452a-4535-a601-69e0a90e3aa2"));
    assert_eq!(errors[0].client_request_id.as_deref(), Some("ours"), "no client-request-id in innerError: ours is kept");
    assert_eq!(errors[1].date.as_deref(), Some("date-time"));
    assert_eq!(errors[2].code, "Request_ResourceNotFound");
    assert_eq!(errors[2].client_request_id.as_deref(), Some("f58cc4de-b427-41de-b37c-46ee4925a26d"));
    assert_eq!(errors[3].message, "$count is not currently supported.");
    assert!(errors[4].to_string().contains("ConsistencyLevel: eventual"), "{}", errors[4]);
    for e in &errors {
        assert!(e.to_string().contains("Fix:"), "{e}");
        assert!(e.request_id.is_some());
    }
}

#[test]
fn groups_delta_walkthrough() {
    let docs = documents("groups-delta.walkthrough.json");
    assert_eq!(docs.len(), 7);
    let pages: Vec<Page<DeltaEntry<Group>>> = docs.iter().map(decode).collect();
    assert!(pages[0].next_link.as_deref().unwrap().contains("$skiptoken="));
    assert!(pages[2].next_link.is_none() && pages[2].delta_link.as_deref().unwrap().contains("$deltatoken="));
    assert!(pages[3].value.is_empty());
    assert!(matches!(&pages[0].value[1], DeltaEntry::Changed(g) if g.display_name.as_deref() == Some("TestGroup2")));
    assert!(matches!(&pages[6].value[0], DeltaEntry::Changed(g) if g.id.is_empty() && g.description.is_none()));
    let removed: DeltaEntry<Application> = serde_json::from_str(r#"{"id":"a-1","@removed":{"reason":"deleted"}}"#).unwrap();
    assert_eq!(removed, DeltaEntry::Removed { id: "a-1".into(), reason: "deleted".into() });
}

#[test]
fn a_decoding_error_names_the_json_path() {
    let body = r#"{"value":[{"id":"1"},{"id":"2","passwordCredentials":[{"keyId":"k","endDateTime":"not a date"}]}]}"#;
    let de = &mut serde_json::Deserializer::from_str(body);
    let err = serde_path_to_error::deserialize::<_, Page<Application>>(de).unwrap_err();
    assert_eq!(err.path().to_string(), "value[1].passwordCredentials[0].endDateTime");
}
