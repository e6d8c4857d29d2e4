//! The 401 re-send, error decoding, and the resource methods against a local server.

mod common;

use common::*;
use entra_graph::models::{DeltaEntry, DirectoryObject};
use entra_graph::Progress;
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use std::sync::atomic::Ordering;

#[tokio::test]
async fn a_401_makes_the_token_source_forget_and_the_request_is_re_sent_once() {
    let mock = Mock::start(|r, _| match r.header("authorization") {
        Some("Bearer token-0") => Reply::graph_error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."),
        _ => Reply::ok(json!({"id": "u-1", "displayName": "Adele", "businessPhones": null})),
    })
    .await;
    let s = setup(&mock);
    let me = s.client.me().await.unwrap();
    assert_eq!((me.id.as_str(), me.business_phones.len()), ("u-1", 0));
    assert_eq!((s.tokens.rejected.load(Ordering::SeqCst), mock.count()), (1, 2));
    assert_eq!(mock.requests()[1].header("retry-attempt"), None, "a new token is not a retry");
}

#[tokio::test]
async fn a_second_401_is_an_error_that_says_sign_in_again() {
    let mock = Mock::start(|_, _| Reply::graph_error(401, "InvalidAuthenticationToken", "Access token validation failure.")).await;
    let s = setup(&mock);
    let err = s.client.me().await.unwrap_err();
    assert_eq!((err.status(), mock.count()), (Some(401), 2));
    assert!(err.to_string().contains("Fix: sign in again"), "{err}");
    assert!(!format!("{err} {err:?}").contains("token-"), "no token in messages: {err:?}");
}

#[tokio::test]
async fn a_claims_challenge_is_kept_and_not_re_sent_with_a_new_token() {
    // Graph's answer to a token without the authentication context a Conditional Access policy
    // wants (the header as Graph shapes it, the body as Graph was seen to send it).
    let challenge = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19""#;
    let mock = Mock::start(move |_, _| {
        Reply::graph_error(401, "InvalidAuthenticationToken", "Exception of type 'Microsoft.Graph.AGS.Contracts.ClaimsChallengeRequiredException' was thrown.")
            .header("www-authenticate", challenge)
    })
    .await;
    let s = setup(&mock);
    let err = s.client.me().await.unwrap_err();
    assert_eq!(err.claims_challenge(), Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#));
    assert_eq!((err.status(), err.graph_code()), (Some(401), Some("InvalidAuthenticationToken")));
    assert_eq!((mock.count(), s.tokens.rejected.load(Ordering::SeqCst)), (1, 0), "no re-send, and the token is not dropped for nothing");
    assert!(err.to_string().contains("claims challenge"), "{err}");
    assert!(!err.to_string().contains("acrs"), "the claims themselves are not quoted: {err}");

    // An ordinary 401 still gets its one re-send with a new token, and carries no challenge.
    let mock = Mock::start(|_, _| Reply::graph_error(401, "InvalidAuthenticationToken", "Access token validation failure.")).await;
    let s = setup(&mock);
    let err = s.client.me().await.unwrap_err();
    assert_eq!((err.claims_challenge(), mock.count()), (None, 2));
}

#[tokio::test]
async fn errors_keep_graph_ids_from_inner_error_else_the_header() {
    let mock = Mock::start(|_, i| match i {
        0 => Reply::graph_error(404, "Request_ResourceNotFound", "Resource 'x' does not exist.").header("request-id", "hdr"),
        _ => Reply { status: 502, headers: vec![("request-id".into(), "hdr-502".into())], body: "<html>bad gateway</html>".into() },
    })
    .await;
    let s = setup(&mock);
    let err = s.client.get_application("x").await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.request_id.as_deref(), api.client_request_id.as_deref(), api.date.as_deref()), (Some("req-404"), Some("echo"), Some("2024-05-01T10:00:00")));
    assert_eq!(err.graph_code(), Some("Request_ResourceNotFound"));
    assert!(err.to_string().contains("GET /v1.0/applications/x") && err.to_string().contains("the object may have been deleted"), "{err}");
    let err = s.client.me().await.unwrap_err();
    assert_eq!((err.graph_code(), err.request_id()), (Some("HTTP502"), Some("hdr-502")));
    let sent = mock.requests()[1].header("client-request-id").unwrap().to_string();
    assert_eq!(err.client_request_id(), Some(sent.as_str()), "no echo: the id we sent");
}

#[tokio::test]
async fn organization_and_token_errors() {
    let mock = Mock::start(|_, _| Reply::ok(json!({"value": [{"id": "t-1", "displayName": "Contoso", "verifiedDomains": [{"name": "contoso.com", "isDefault": true}]}]}))).await;
    let s = setup(&mock);
    let orgs = s.client.organization().await.unwrap();
    assert_eq!(orgs[0].verified_domains[0].name, "contoso.com");
    assert_eq!(mock.requests()[0].target, "/v1.0/organization");
}

#[tokio::test]
async fn add_password_holds_the_secret_in_a_secret_type() {
    let mock = Mock::start(|_, _| {
        Reply::ok(json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential",
            "customKeyIdentifier": null, "endDateTime": "2026-01-01T00:00:00Z", "keyId": "k-1", "startDateTime": "2025-01-01T00:00:00Z",
            "secretText": "Abc~very-secret-value", "hint": "Abc", "displayName": "ci"}))
    })
    .await;
    let s = setup(&mock);
    let end = "2026-01-01T00:00:00Z".parse().unwrap();
    let added = s.client.add_service_principal_password("sp-1", "ci", Some(end)).await.unwrap();
    assert_eq!(added.secret_text.expose(), "Abc~very-secret-value");
    assert!(!format!("{added:?}").contains("very-secret"));
    let r = &mock.requests()[0];
    assert_eq!((r.method.as_str(), r.target.as_str()), ("POST", "/v1.0/servicePrincipals/sp-1/addPassword"));
    assert_eq!(r.json(), json!({"passwordCredential": {"displayName": "ci", "endDateTime": "2026-01-01T00:00:00Z"}}));
}

#[tokio::test]
async fn applications_delta_follows_next_links_to_the_delta_link() {
    let mock = Mock::start(|r, i| {
        let base = r.header("host").map(|h| format!("http://{h}/v1.0")).unwrap();
        match i {
            0 => Reply::ok(json!({"value": [{"id": "a-1", "displayName": "One"}], "@odata.nextLink": format!("{base}/applications/delta?$skiptoken=s1")})),
            1 => Reply::ok(json!({"value": [{"id": "a-2", "@removed": {"reason": "changed"}}], "@odata.deltaLink": format!("{base}/applications/delta?$deltatoken=d1")})),
            _ => Reply::ok(json!({"value": [], "@odata.deltaLink": format!("{base}/applications/delta?$deltatoken=d2")})),
        }
    })
    .await;
    let s = setup(&mock);
    let round = s.client.applications_delta(None).await.unwrap();
    assert_eq!(round.entries.len(), 2);
    assert!(matches!(&round.entries[0], DeltaEntry::Changed(a) if a.display_name.as_deref() == Some("One")));
    assert_eq!(round.entries[1], DeltaEntry::Removed { id: "a-2".into(), reason: "changed".into() });
    assert!(round.delta_link.ends_with("/applications/delta?$deltatoken=d1"));
    let next = s.client.applications_delta(Some(&round.delta_link)).await.unwrap();
    assert!(next.entries.is_empty() && next.delta_link.ends_with("d2"));
    let r = mock.requests();
    assert!(r[0].target.starts_with("/v1.0/applications/delta?$select=id,appId,"));
    assert_eq!(r[2].target, "/v1.0/applications/delta?$deltatoken=d1");
}

fn owners_server() -> impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static {
    |r, _| {
        let owner = |app: &str| json!({"@odata.type": "#microsoft.graph.user", "id": format!("owner-of-{app}"), "userPrincipalName": "o@contoso.com"});
        if r.target == "/v1.0/$batch" {
            let requests = r.json()["requests"].as_array().unwrap().clone();
            let responses: Vec<_> = requests
                .iter()
                .map(|q| {
                    let url = q["url"].as_str().unwrap();
                    let app = url.split('/').nth(2).unwrap();
                    if app == "gone" {
                        json!({"id": q["id"], "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}})
                    } else {
                        json!({"id": q["id"], "status": 200, "body": {"value": [owner(app)]}})
                    }
                })
                .collect();
            return Reply::ok(json!({"responses": responses}));
        }
        if r.target.starts_with("/v1.0/applications?") {
            let mut apps: Vec<_> = (0..45).map(|i| json!({"id": format!("app-{i}"), "displayName": format!("App {i}")})).collect();
            apps.push(json!({"id": "gone"}));
            if r.target.contains("$expand=owners") {
                for a in &mut apps {
                    a["owners"] = json!([owner(a["id"].as_str().unwrap())]);
                }
            }
            return Reply::ok(json!({"value": apps}));
        }
        if let Some(app) = r.target.strip_prefix("/v1.0/applications/").and_then(|t| t.split('/').next()) {
            if app == "gone" {
                return Reply::graph_error(404, "Request_ResourceNotFound", "gone");
            }
            return Reply::ok(json!({"value": [owner(app)]}));
        }
        Reply::unexpected(r)
    }
}

#[tokio::test]
async fn owners_by_expand_ask_for_pages_of_100() {
    let mock = Mock::start(owners_server()).await;
    let s = setup(&mock);
    let apps: Vec<_> = s.client.applications_with_owners_expanded().try_collect().await.unwrap();
    assert_eq!(apps[3].owners.as_ref().unwrap()[0].id(), "owner-of-app-3");
    let target = &mock.requests()[0].target;
    assert!(target.contains("$expand=owners($select=id,displayName,userPrincipalName,mail,appId)") && target.ends_with("$top=100"), "{target}");
}

#[tokio::test]
async fn owners_by_batches_come_after_the_list() {
    let mock = Mock::start(owners_server()).await;
    let (sink, log) = progress_log();
    let s = setup(&mock);
    let (apps, owners) = s.client.with_progress(sink).applications_then_owners(4).await.unwrap();
    assert_eq!(apps.len(), 46);
    assert_eq!(mock.count(), 1, "the list is usable before any owners request");
    assert!(mock.requests()[0].target.ends_with("$top=999"));
    let batches: Vec<_> = owners.try_collect().await.unwrap();
    assert_eq!(batches.len(), 3);
    let all: Vec<_> = batches.into_iter().flatten().collect();
    assert_eq!(all.len(), 46);
    let gone = all.iter().find(|o| o.application_id == "gone").unwrap();
    assert_eq!(gone.owners.as_ref().unwrap_err().graph_code(), Some("Request_ResourceNotFound"));
    let app7 = all.iter().find(|o| o.application_id == "app-7").unwrap();
    assert!(matches!(&app7.owners.as_ref().unwrap()[0], DirectoryObject::User(u) if u.id == "owner-of-app-7"));
    assert_eq!(mock.count(), 4);
    assert!(log.lock().unwrap().contains(&Progress::OwnersFetched { done: 46, total: 46 }));
}

#[tokio::test]
async fn owners_naively_one_request_per_application() {
    let mock = Mock::start(owners_server()).await;
    let s = setup(&mock);
    let (apps, owners) = s.client.applications_owners_naive().await.unwrap();
    assert_eq!((apps.len(), owners.len()), (46, 46));
    assert_eq!(owners[45].owners.as_ref().unwrap_err().status(), Some(404));
    assert_eq!(owners[0].owners.as_ref().unwrap()[0].id(), "owner-of-app-0");
    let r = mock.requests();
    assert!(!r[0].target.contains("$top"));
    assert_eq!(r[1].target, "/v1.0/applications/app-0/owners?$select=id,displayName,userPrincipalName,mail,appId");
    assert_eq!(r.len(), 47);
}

#[tokio::test]
async fn list_streams_send_top_999() {
    let mock = Mock::start(|_, _| Reply::ok(json!({"value": [{"id": "x"}]}))).await;
    let s = setup(&mock);
    assert_eq!(s.client.list_service_principals().collect::<Vec<_>>().await.len(), 1);
    assert_eq!(s.client.list_users().collect::<Vec<_>>().await.len(), 1);
    assert_eq!(s.client.list_groups().collect::<Vec<_>>().await.len(), 1);
    for r in mock.requests() {
        assert!(r.target.ends_with("&$top=999") && r.target.contains("$select=id,"), "{}", r.target);
    }
}
