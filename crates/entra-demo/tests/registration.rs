//! Registering an app through Graph as a set-up assistant does, over real HTTP against
//! the tenant: Microsoft Graph's service principal with its permission ids, `POST
//! /applications` (201, `Location`, owners, `tags/any`, `$count`, delta, Graph's 400s and
//! 403s), `POST /servicePrincipals` (201, 409, 400), the deletes (an application takes its
//! service principal with it), `PATCH /applications/{id}` (204, a partial update that replaces
//! what it names, checked as a create is, in delta), and who may change an application: a
//! directory role or ownership for delegated callers, ownership for
//! `Application.ReadWrite.OwnedBy` apps.

mod common;

use common::apps::{assert_error, Answer, Graph};
use common::leases::{client_credentials, graph_as, sign_in, small_tenant};
use entra_demo::directory::DEMO_PASSWORD;
use entra_demo::DemoInfo;
use serde_json::{json, Value};
use std::time::Duration;

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const ADELE: &str = "AdeleV@demo.onmicrosoft.com";
const ALEX: &str = "AlexW@demo.onmicrosoft.com";
/// Microsoft's ids (Graph permissions reference).
const USER_READ: &str = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";
const APP_RW_DELEGATED: &str = "bdfbf15f-ee85-4955-8675-146e8e5296b5";
const APP_RW_ROLE: &str = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9";
const APP_RW_OWNED_BY_ROLE: &str = "18a4783c-866b-4cc7-a460-3d5e5662c884";

/// Graph as `username` signed in to the public client with delegated `Application.ReadWrite.All`.
async fn as_user(info: &DemoInfo, username: &str, password: &str) -> Graph {
    let tokens = sign_in(info, username, password, "openid Application.ReadWrite.All").await.unwrap();
    graph_as(info, tokens["access_token"].as_str().unwrap())
}

fn registration(name: &str, tag: &str) -> Value {
    json!({
        "displayName": name,
        "signInAudience": "AzureADMyOrg",
        "isFallbackPublicClient": true,
        "publicClient": {"redirectUris": ["http://localhost", "https://login.microsoftonline.com/common/oauth2/nativeclient"]},
        "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [
            {"id": USER_READ, "type": "Scope"}, {"id": APP_RW_DELEGATED, "type": "Scope"}]}],
        "tags": [tag],
        "notes": "made by the registration test",
    })
}

async fn create_app(graph: &Graph, name: &str, tag: &str) -> Answer {
    graph.post("/applications", registration(name, tag)).await
}

fn id(a: &Answer) -> String {
    a.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", a.text)).to_string()
}

async fn count(graph: &Graph, set: &str) -> u64 {
    let a = graph.get_eventual(&format!("/{set}/$count")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.text.parse().unwrap()
}

#[tokio::test]
async fn graph_publishes_its_permissions_with_microsofts_ids() {
    let demo = small_tenant(Duration::ZERO).await;
    let graph = Graph::new(demo.info()).await;
    let a = graph.get(&format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'&$select=id,appId,oauth2PermissionScopes")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let value = a.body["value"].as_array().unwrap();
    assert_eq!(value.len(), 1, "{}", a.text);
    assert_eq!(value[0].as_object().unwrap().len(), 3, "only the selected properties");
    let scopes = value[0]["oauth2PermissionScopes"].as_array().unwrap();
    let scope = |name: &str| scopes.iter().find(|s| s["value"] == name).unwrap_or_else(|| panic!("{name} not published")).clone();
    assert_eq!(scope("User.Read")["id"], USER_READ);
    assert_eq!(scope("User.Read")["type"], "User");
    assert_eq!(scope("Application.ReadWrite.All")["id"], APP_RW_DELEGATED);
    assert_eq!(scope("Application.ReadWrite.All")["type"], "Admin");
    assert_eq!(scope("offline_access")["id"], "7427e0e9-2fba-42fe-b0c0-848c9e6a8182");
    for s in scopes {
        assert_eq!(s["isEnabled"], true);
        for text in ["adminConsentDisplayName", "adminConsentDescription", "userConsentDisplayName", "userConsentDescription"] {
            assert!(s[text].as_str().is_some_and(|t| !t.is_empty()), "{text} of {s}");
        }
    }

    let sp = graph.get(&format!("/servicePrincipals(appId='{GRAPH_APP_ID}')")).await;
    assert_eq!(sp.status, 200, "{}", sp.text);
    assert_eq!(sp.body["displayName"], "Microsoft Graph");
    assert_eq!(sp.body["appOwnerOrganizationId"], "f8cdef31-a31e-4b4a-93e4-5f571e91255a");
    assert_eq!(sp.body["servicePrincipalType"], "Application");
    assert!(sp.body["servicePrincipalNames"].as_array().unwrap().iter().any(|n| n == "https://graph.microsoft.com"));
    assert_eq!(sp.body["id"], value[0]["id"]);
    let role = sp.body["appRoles"].as_array().unwrap().iter().find(|r| r["value"] == "Application.ReadWrite.All").unwrap().clone();
    assert_eq!(role["id"], APP_RW_ROLE);
    assert_eq!(role["allowedMemberTypes"], json!(["Application"]));
    // Other service principals publish nothing.
    let cc = &demo.info().confidential_client.client_id;
    let other = graph.get(&format!("/servicePrincipals(appId='{cc}')?$select=oauth2PermissionScopes,appRoles")).await;
    assert_eq!(other.body, json!({"@odata.context": other.body["@odata.context"], "oauth2PermissionScopes": [], "appRoles": []}));
}

#[tokio::test]
async fn a_set_up_assistant_registers_an_app_and_finds_it_again() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let reader = Graph::new(info).await;
    let admin = as_user(info, &info.user.username, &info.user.password).await;
    let (apps_before, sps_before) = (count(&reader, "applications").await, count(&reader, "servicePrincipals").await);
    let delta = reader.get("/applications/delta?$deltatoken=latest").await.body["@odata.deltaLink"].as_str().unwrap().to_string();

    // The ids come from Graph's service principal, as m365 setup reads them.
    let graph_sp = reader.get(&format!("/servicePrincipals?$filter=appId eq '{GRAPH_APP_ID}'&$select=id,appId,oauth2PermissionScopes")).await;
    let scopes = graph_sp.body["value"][0]["oauth2PermissionScopes"].as_array().unwrap().clone();
    let id_of = |v: &str| scopes.iter().find(|s| s["value"] == v).unwrap()["id"].clone();
    assert_eq!((id_of("User.Read"), id_of("Application.ReadWrite.All")), (json!(USER_READ), json!(APP_RW_DELEGATED)));

    let made = create_app(&admin, "Entra Desk (set-up test)", "EntraDesk:setup").await;
    assert_eq!(made.status, 201, "{}", made.text);
    let app = id(&made);
    let app_id = made.body["appId"].as_str().unwrap().to_string();
    assert!(made.headers["location"].to_str().unwrap().ends_with(&format!("/v1.0/applications/{app}")));
    assert!(made.body["@odata.context"].as_str().unwrap().ends_with("/$metadata#applications/$entity"));
    assert_eq!(made.body["signInAudience"], "AzureADMyOrg");
    assert_eq!(made.body["isFallbackPublicClient"], true);
    assert_eq!(made.body["publicClient"]["redirectUris"][0], "http://localhost");
    assert_eq!(made.body["requiredResourceAccess"][0]["resourceAccess"][1], json!({"id": APP_RW_DELEGATED, "type": "Scope"}));
    assert_eq!(made.body["passwordCredentials"], json!([]));
    // The same JSON as a GET of the new application.
    let got = reader.get(&format!("/applications/{app}")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body, made.body);

    // The signed-in user owns it; a rerun finds it by its tag; it counts and shows in delta.
    let owners = reader.get(&format!("/applications/{app}/owners?$select=id,userPrincipalName")).await;
    assert_eq!(owners.body["value"][0]["userPrincipalName"], info.user.username.as_str(), "{}", owners.text);
    let found = reader.get("/applications?$filter=tags/any(t:t eq 'EntraDesk:setup')&$select=id,displayName").await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.body["value"], json!([{"id": app, "displayName": "Entra Desk (set-up test)"}]));
    assert_eq!(count(&reader, "applications").await, apps_before + 1);
    let changes = reader.get(&delta).await;
    assert_eq!(changes.body["value"].as_array().unwrap().iter().map(|v| v["id"].clone()).collect::<Vec<_>>(), vec![json!(app)], "{}", changes.text);

    // Its service principal; a second one is a conflict; an appId of no application is refused.
    let sp = admin.post("/servicePrincipals", json!({"appId": app_id})).await;
    assert_eq!(sp.status, 201, "{}", sp.text);
    let sp_id = id(&sp);
    assert!(sp.headers["location"].to_str().unwrap().ends_with(&format!("/v1.0/servicePrincipals/{sp_id}")));
    assert_eq!((sp.body["appId"].as_str(), sp.body["displayName"].as_str()), (Some(app_id.as_str()), Some("Entra Desk (set-up test)")));
    assert_eq!(sp.body["appOwnerOrganizationId"], info.tenant_id.as_str());
    assert_eq!(reader.get(&format!("/servicePrincipals(appId='{app_id}')")).await.body, sp.body);
    assert_eq!(count(&reader, "servicePrincipals").await, sps_before + 1);
    let again = admin.post("/servicePrincipals", json!({"appId": app_id})).await;
    assert_error(&again, 409, "Request_MultipleObjectsWithSameKeyValue");
    assert!(again.body["error"]["message"].as_str().unwrap().contains(&format!("service principal name {app_id} is already in use")));
    assert_error(&admin.post("/servicePrincipals", json!({"appId": GRAPH_APP_ID})).await, 409, "Request_MultipleObjectsWithSameKeyValue");
    let orphan = admin.post("/servicePrincipals", json!({"appId": "0b8f7c6e-1111-4222-8333-944445555666"})).await;
    assert_error(&orphan, 400, "Request_BadRequest");
    assert!(orphan.body["error"]["message"].as_str().unwrap().contains("does not reference a valid application object"));
    assert_error(&admin.post("/servicePrincipals", json!({})).await, 400, "Request_BadRequest");

    // The new app signs in with a secret of its own (it has a service principal now).
    let secret = admin.post(&format!("/applications/{app}/addPassword"), json!({"passwordCredential": {"displayName": "setup"}})).await;
    assert_eq!(secret.status, 200, "{}", secret.text);
    let (status, token) = client_credentials(info, &app_id, secret.body["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{token}");

    // Deleting the application deletes its service principal too.
    assert_eq!(admin.delete(&format!("/applications/{app}")).await.status, 204);
    assert_error(&reader.get(&format!("/servicePrincipals/{sp_id}")).await, 404, "Request_ResourceNotFound");
    assert_eq!((count(&reader, "applications").await, count(&reader, "servicePrincipals").await), (apps_before, sps_before));
    let gone = reader.get("/applications?$filter=tags/any(t:t eq 'EntraDesk:setup')").await;
    assert_eq!(gone.body["value"], json!([]));
    // Both are in deleted items, and can be purged.
    assert_eq!(admin.delete(&format!("/directory/deletedItems/{sp_id}")).await.status, 204);
    assert_eq!(admin.delete(&format!("/directory/deletedItems/{app}")).await.status, 204);
}

#[tokio::test]
async fn creating_validates_like_graph() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let graph = Graph::new(info).await;

    let a = graph.post("/applications", json!({"signInAudience": "AzureADMyOrg"})).await;
    assert_error(&a, 400, "Request_BadRequest");
    assert_eq!(a.body["error"]["message"], "A value is required for property 'displayName' of resource 'Application'.");
    let url = format!("{}/applications", info.graph);
    let not_json = graph.send(graph.client.post(&url).header("content-type", "application/json").body("{\"displayName\":")).await;
    assert_error(&not_json, 400, "BadRequest");
    let empty = graph.send(graph.client.post(&url).header("content-type", "application/json")).await;
    assert_error(&empty, 400, "BadRequest");
    assert_error(&graph.post("/applications", json!(["x"])).await, 400, "BadRequest");
    assert_error(&graph.post("/applications", json!({"displayName": "x", "signInAudience": "Everyone"})).await, 400, "Request_BadRequest");
    assert_error(&graph.post("/applications", json!({"displayName": "x", "web": {"redirectUris": ["http://example.com/signin"]}})).await, 400, "Request_BadRequest");
    assert_error(&graph.post("/applications", json!({"displayName": "x", "favouriteColour": "blue"})).await, 400, "BadRequest");

    // Permission ids must be Graph's, with the right type.
    let with = |id: &str, kind: &str| json!({"displayName": "x", "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": id, "type": kind}]}]});
    for (id, kind) in [("0b8f7c6e-1111-4222-8333-944445555666", "Scope"), (APP_RW_DELEGATED, "Role"), (APP_RW_ROLE, "Scope")] {
        let a = graph.post("/applications", with(id, kind)).await;
        assert_error(&a, 400, "Request_BadRequest");
        assert_eq!(a.body["error"]["message"], "Property requiredResourceAccess.resourceAccess is invalid.");
    }
    assert_eq!(graph.post("/applications", with(APP_RW_ROLE, "Role")).await.status, 201);
    // Another resource's ids are kept as sent.
    let other = json!({"displayName": "y", "requiredResourceAccess": [{"resourceAppId": "00000003-0000-0ff1-ce00-000000000000", "resourceAccess": [{"id": "0b8f7c6e-1111-4222-8333-944445555666", "type": "Scope"}]}]});
    assert_eq!(graph.post("/applications", other).await.status, 201);

    // No write permission (an app holding only User.Read.All): 403. (A delegated token of the
    // demo's public client carries every permission consented to it, Application.ReadWrite.All
    // among them, as Entra's tokens do.)
    let user_reader = json!({"displayName": "Reader", "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": "df021288-bdef-4463-88db-98f22de89214", "type": "Role"}]}]});
    let made = graph.post("/applications", user_reader).await;
    assert_eq!(graph.post("/servicePrincipals", json!({"appId": made.body["appId"]})).await.status, 201);
    let secret = graph.post(&format!("/applications/{}/addPassword", id(&made)), json!({})).await;
    let (status, token) = client_credentials(info, made.body["appId"].as_str().unwrap(), secret.body["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(common::claims(token["access_token"].as_str().unwrap())["roles"], json!(["User.Read.All"]));
    let reader = graph_as(info, token["access_token"].as_str().unwrap());
    let denied = reader.post("/applications", json!({"displayName": "x"})).await;
    assert_error(&denied, 403, "Authorization_RequestDenied");
    assert_error(&reader.post("/servicePrincipals", json!({"appId": info.confidential_client.client_id})).await, 403, "Authorization_RequestDenied");
}

#[tokio::test]
async fn ordinary_users_register_apps_but_change_only_their_own() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let admin = as_user(info, &info.user.username, &info.user.password).await;
    let adele = as_user(info, ADELE, DEMO_PASSWORD).await;
    let alex = as_user(info, ALEX, DEMO_PASSWORD).await;
    let reader = Graph::new(info).await;
    // The confidential client's registration: the admin owns it, Adele does not.
    let theirs = reader.get(&format!("/applications(appId='{}')?$select=id", info.confidential_client.client_id)).await.body["id"].as_str().unwrap().to_string();
    let their_sp = reader.get(&format!("/servicePrincipals(appId='{}')?$select=id", info.confidential_client.client_id)).await.body["id"].as_str().unwrap().to_string();

    // Any member may register an application ("users can register applications"), and owns it.
    let made = create_app(&adele, "Adele's tool", "adele").await;
    assert_eq!(made.status, 201, "{}", made.text);
    let mine = id(&made);
    let owners = reader.get(&format!("/applications/{mine}/owners?$select=userPrincipalName")).await;
    assert_eq!(owners.body["value"], json!([{"@odata.type": "#microsoft.graph.user", "userPrincipalName": ADELE}]));

    // Her own: she may.
    let added = adele.post(&format!("/applications/{mine}/addPassword"), json!({})).await;
    assert_eq!(added.status, 200, "{}", added.text);
    let key = added.body["keyId"].clone();
    assert_eq!(adele.post(&format!("/applications/{mine}/removePassword"), json!({"keyId": key})).await.status, 204);
    let sp = adele.post("/servicePrincipals", json!({"appId": made.body["appId"]})).await;
    assert_eq!(sp.status, 201, "{}", sp.text);

    // Someone else's: the permission alone is not enough without a directory role.
    let denied = |a: &Answer| {
        assert_error(a, 403, "Authorization_RequestDenied");
        assert_eq!(a.body["error"]["message"], "Insufficient privileges to complete the operation.");
    };
    denied(&adele.post(&format!("/applications/{theirs}/addPassword"), json!({})).await);
    denied(&adele.post(&format!("/applications/{theirs}/removePassword"), json!({"keyId": "0b8f7c6e-1111-4222-8333-944445555666"})).await);
    denied(&adele.delete(&format!("/applications/{theirs}")).await);
    denied(&adele.post(&format!("/servicePrincipals/{their_sp}/addPassword"), json!({})).await);
    denied(&adele.delete(&format!("/servicePrincipals/{their_sp}")).await);
    denied(&alex.post(&format!("/applications/{mine}/addPassword"), json!({})).await);
    denied(&alex.delete(&format!("/applications/{mine}")).await);
    let other_app = create_app(&adele, "Adele's second tool", "adele").await;
    denied(&alex.post("/servicePrincipals", json!({"appId": other_app.body["appId"]})).await);
    assert_eq!(reader.get(&format!("/applications/{theirs}")).await.status, 200, "nothing was deleted");

    // The admin holds a role: any application.
    assert_eq!(admin.post(&format!("/applications/{mine}/addPassword"), json!({})).await.status, 200);
    // Adele removes what she made.
    assert_eq!(adele.delete(&format!("/servicePrincipals(appId='{}')", made.body["appId"].as_str().unwrap())).await.status, 204);
    assert_error(&reader.get(&format!("/servicePrincipals/{}", id(&sp))).await, 404, "Request_ResourceNotFound");
    assert_eq!(reader.get(&format!("/applications/{mine}")).await.status, 200, "deleting the service principal leaves the application");
    assert_eq!(adele.delete(&format!("/applications/{mine}")).await.status, 204);
}

#[tokio::test]
async fn an_owned_by_app_manages_only_what_it_owns() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let graph = Graph::new(info).await;
    // An automation app asking for Application.ReadWrite.OwnedBy, with its service principal and a secret.
    let body = json!({"displayName": "Provisioner", "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": APP_RW_OWNED_BY_ROLE, "type": "Role"}]}]});
    let robot = graph.post("/applications", body).await;
    assert_eq!(robot.status, 201, "{}", robot.text);
    let robot_app_id = robot.body["appId"].as_str().unwrap().to_string();
    assert_eq!(graph.post("/servicePrincipals", json!({"appId": robot_app_id})).await.status, 201);
    let secret = graph.post(&format!("/applications/{}/addPassword", id(&robot)), json!({})).await;
    let (status, token) = client_credentials(info, &robot_app_id, secret.body["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{token}");
    let robot = graph_as(info, token["access_token"].as_str().unwrap());

    // It may create applications, and owns them (its service principal is the owner).
    let made = robot.post("/applications", json!({"displayName": "Made by the provisioner"})).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let owners = graph.get(&format!("/applications/{}/owners?$select=appId", id(&made))).await;
    assert_eq!(owners.body["value"], json!([{"@odata.type": "#microsoft.graph.servicePrincipal", "appId": robot_app_id}]));
    assert_eq!(robot.post(&format!("/applications/{}/addPassword", id(&made)), json!({})).await.status, 200);
    let sp = robot.post("/servicePrincipals", json!({"appId": made.body["appId"]})).await;
    assert_eq!(sp.status, 201, "{}", sp.text);
    // Not anyone else's.
    let theirs = graph.get(&format!("/applications(appId='{}')?$select=id", info.confidential_client.client_id)).await.body["id"].as_str().unwrap().to_string();
    assert_error(&robot.post(&format!("/applications/{theirs}/addPassword"), json!({})).await, 403, "Authorization_RequestDenied");
    assert_error(&robot.delete(&format!("/applications/{theirs}")).await, 403, "Authorization_RequestDenied");
    assert_eq!(robot.delete(&format!("/servicePrincipals/{}", id(&sp))).await.status, 204);
    assert_eq!(robot.delete(&format!("/applications/{}", id(&made))).await.status, 204);
}

/// Graph's id of the delegated permission `value`, read from its service principal.
async fn scope_id(graph: &Graph, value: &str) -> String {
    let sp = graph.get(&format!("/servicePrincipals(appId='{GRAPH_APP_ID}')?$select=oauth2PermissionScopes")).await;
    let scopes = sp.body["oauth2PermissionScopes"].as_array().unwrap_or_else(|| panic!("{}", sp.text));
    scopes.iter().find(|s| s["value"] == value).unwrap_or_else(|| panic!("{value} not published"))["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_update_replaces_what_it_names_and_nothing_else() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let reader = Graph::new(info).await;
    let admin = as_user(info, &info.user.username, &info.user.password).await;
    let made = create_app(&admin, "Entra Desk (older version)", "EntraDesk:setup").await;
    assert_eq!(made.status, 201, "{}", made.text);
    let (app, app_id) = (id(&made), made.body["appId"].as_str().unwrap().to_string());
    let delta = reader.get("/applications/delta?$deltatoken=latest").await.body["@odata.deltaLink"].as_str().unwrap().to_string();

    // Adding a permission means sending the old ones with it: the collection is replaced whole.
    let group_read = scope_id(&reader, "GroupMember.Read.All").await;
    let access = json!([{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [
        {"id": USER_READ, "type": "Scope"}, {"id": APP_RW_DELEGATED, "type": "Scope"}, {"id": group_read, "type": "Scope"}]}]);
    let patched = admin
        .patch(&format!("/applications/{app}"), json!({"requiredResourceAccess": access, "publicClient": {"redirectUris": ["http://localhost"]}, "isFallbackPublicClient": false}))
        .await;
    assert_eq!((patched.status, patched.text.as_str()), (204, ""), "204 No Content, no body");
    let after = reader.get(&format!("/applications/{app}")).await.body;
    assert_eq!(after["requiredResourceAccess"], access);
    assert_eq!(after["publicClient"]["redirectUris"], json!(["http://localhost"]));
    assert_eq!(after["isFallbackPublicClient"], false);
    for kept in ["displayName", "tags", "notes", "signInAudience", "appId", "createdDateTime"] {
        assert_eq!(after[kept], made.body[kept], "{kept} was not in the body: it keeps its value");
    }
    // It shows in delta, as any change does.
    let changes = reader.get(&delta).await;
    assert_eq!(changes.body["value"].as_array().unwrap().iter().map(|v| v["id"].clone()).collect::<Vec<_>>(), vec![json!(app)], "{}", changes.text);
    let delta = changes.body["@odata.deltaLink"].as_str().unwrap().to_string();

    // By appId too; `null` clears notes and tags; an empty body changes nothing.
    let by_app_id = format!("/applications(appId='{app_id}')");
    assert_eq!(admin.patch(&by_app_id, json!({"displayName": "Entra Desk", "notes": null, "tags": ["EntraDesk:setup", "second"]})).await.status, 204);
    let after = reader.get(&format!("/applications/{app}?$select=displayName,notes,tags,requiredResourceAccess")).await.body;
    assert_eq!((after["displayName"].as_str(), after["notes"].clone(), after["tags"].clone()), (Some("Entra Desk"), Value::Null, json!(["EntraDesk:setup", "second"])));
    assert_eq!(after["requiredResourceAccess"], access, "left alone");
    assert_eq!(admin.patch(&format!("/applications/{app}"), json!({"tags": null})).await.status, 204);
    assert_eq!(reader.get(&format!("/applications/{app}?$select=tags")).await.body["tags"], json!([]));
    let delta = reader.get(&delta).await.body["@odata.deltaLink"].as_str().unwrap().to_string();
    assert_eq!(admin.patch(&format!("/applications/{app}"), json!({})).await.status, 204);
    assert_eq!(reader.get(&delta).await.body["value"], json!([]), "an empty update is no change");

    // Checked as a create is, and nothing is changed by a refused update.
    let invalid = admin.patch(&format!("/applications/{app}"), json!({"requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": APP_RW_ROLE, "type": "Scope"}]}]})).await;
    assert_error(&invalid, 400, "Request_BadRequest");
    assert_eq!(invalid.body["error"]["message"], "Property requiredResourceAccess.resourceAccess is invalid.");
    let unnamed = admin.patch(&format!("/applications/{app}"), json!({"displayName": null})).await;
    assert_error(&unnamed, 400, "Request_BadRequest");
    assert_eq!(unnamed.body["error"]["message"], "A value is required for property 'displayName' of resource 'Application'.");
    assert_error(&admin.patch(&format!("/applications/{app}"), json!({"signInAudience": "Everyone"})).await, 400, "Request_BadRequest");
    assert_error(&admin.patch(&format!("/applications/{app}"), json!({"publicClient": {"redirectUris": ["http://example.com/cb"]}})).await, 400, "Request_BadRequest");
    let secret = admin.patch(&format!("/applications/{app}"), json!({"passwordCredentials": [{"displayName": "x"}]})).await;
    assert_error(&secret, 400, "Request_BadRequest");
    assert!(secret.body["error"]["message"].as_str().unwrap().contains("not emulated"), "{}", secret.text);
    assert_error(&admin.patch(&format!("/applications/{app}"), json!({"favouriteColour": "blue"})).await, 400, "BadRequest");
    assert_error(&admin.patch(&format!("/applications/{app}"), json!(["x"])).await, 400, "BadRequest");
    let url = format!("{}/applications/{app}", info.graph);
    assert_error(&admin.send(admin.client.patch(&url).header("content-type", "application/json")).await, 400, "BadRequest");
    let other = create_app(&admin, "Another", "other").await;
    let uri = "https://demo.onmicrosoft.com/entra-desk-test".to_string();
    assert_eq!(admin.patch(&format!("/applications/{}", id(&other)), json!({"identifierUris": [uri.clone()]})).await.status, 204);
    let taken = admin.patch(&format!("/applications/{app}"), json!({"identifierUris": [uri.clone()]})).await;
    assert_error(&taken, 400, "Request_BadRequest");
    assert_eq!(admin.patch(&format!("/applications/{}", id(&other)), json!({"identifierUris": [uri.clone()]})).await.status, 204, "its own URI again");
    assert_eq!(reader.get(&delta).await.body["value"].as_array().unwrap().iter().filter(|v| v["id"] == app.as_str()).count(), 0, "refused updates change nothing");
    assert_error(&admin.patch("/applications/0b8f7c6e-1111-4222-8333-944445555666", json!({"notes": "x"})).await, 404, "Request_ResourceNotFound");
    assert_error(&admin.patch("/applications(appId='0b8f7c6e-1111-4222-8333-944445555666')", json!({"notes": "x"})).await, 404, "Request_ResourceNotFound");
}

#[tokio::test]
async fn who_may_update_an_application() {
    let demo = small_tenant(Duration::ZERO).await;
    let info = demo.info();
    let admin = as_user(info, &info.user.username, &info.user.password).await;
    let adele = as_user(info, ADELE, DEMO_PASSWORD).await;
    let reader = Graph::new(info).await;
    let theirs = reader.get(&format!("/applications(appId='{}')?$select=id,notes", info.confidential_client.client_id)).await.body;
    let theirs_id = theirs["id"].as_str().unwrap().to_string();
    let mine = id(&create_app(&adele, "Adele's tool", "adele").await);

    // A member with the permission changes what she owns, not someone else's.
    assert_eq!(adele.patch(&format!("/applications/{mine}"), json!({"notes": "hers"})).await.status, 204);
    let denied = adele.patch(&format!("/applications/{theirs_id}"), json!({"notes": "not hers"})).await;
    assert_error(&denied, 403, "Authorization_RequestDenied");
    assert_eq!(denied.body["error"]["message"], "Insufficient privileges to complete the operation.");
    let by_app_id = adele.patch(&format!("/applications(appId='{}')", info.confidential_client.client_id), json!({"notes": "not hers"})).await;
    assert_error(&by_app_id, 403, "Authorization_RequestDenied");
    assert_eq!(reader.get(&format!("/applications/{theirs_id}?$select=notes")).await.body["notes"], theirs["notes"], "nothing changed");
    // The admin holds a role, and an app with Application.ReadWrite.All may change any.
    assert_eq!(admin.patch(&format!("/applications/{mine}"), json!({"notes": "the admin's"})).await.status, 204);
    assert_eq!(reader.patch(&format!("/applications/{theirs_id}"), json!({"notes": theirs["notes"]})).await.status, 204);
    assert_eq!(reader.get(&format!("/applications/{mine}?$select=notes")).await.body["notes"], "the admin's");

    // An app holding only User.Read.All may not.
    let body = json!({"displayName": "Reader", "requiredResourceAccess": [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": "df021288-bdef-4463-88db-98f22de89214", "type": "Role"}]}]});
    let made = reader.post("/applications", body).await;
    assert_eq!(reader.post("/servicePrincipals", json!({"appId": made.body["appId"]})).await.status, 201);
    let secret = reader.post(&format!("/applications/{}/addPassword", id(&made)), json!({})).await;
    let (status, token) = client_credentials(info, made.body["appId"].as_str().unwrap(), secret.body["secretText"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{token}");
    let user_reader = graph_as(info, token["access_token"].as_str().unwrap());
    assert_error(&user_reader.patch(&format!("/applications/{}", id(&made)), json!({"notes": "x"})).await, 403, "Authorization_RequestDenied");
}
