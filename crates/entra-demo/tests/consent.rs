//! Consent at `/authorize` and what tokens carry afterwards: user consent, incremental consent,
//! `prompt=consent`, "Need admin approval" for a user without a role, an administrator's consent
//! for the whole organization, Cancel, `prompt=none`, AADSTS65001 at the token endpoint, an
//! inventory application signing users in as a public client, and grants kept across a restart.

mod common;

use common::consent::{inventory_public_client, redeem, sign_in_to, Walk};
use common::*;
use entra_demo::browser::{ConsentChoice, DemoBrowser};
use entra_demo::directory::DEMO_PASSWORD;
use entra_demo::{DemoInfo, DemoOptions, DemoTenant};
use serde_json::Value;

const ADELE: (&str, &str) = ("AdeleV@demo.onmicrosoft.com", DEMO_PASSWORD);
const ALEX: (&str, &str) = ("AlexW@demo.onmicrosoft.com", DEMO_PASSWORD);

/// Small, quick to start, with enough generated apps to hold public clients.
async fn small() -> DemoTenant {
    entra_demo::start(DemoOptions { apps: 60, groups: 12, users: 60, ..Default::default() }).await.expect("demo tenant starts")
}

fn admin(info: &DemoInfo) -> (&str, &str) {
    (&info.user.username, &info.user.password)
}

fn browser() -> DemoBrowser {
    DemoBrowser::new(None).unwrap()
}

fn scp(body: &Value) -> String {
    claims(body["access_token"].as_str().unwrap())["scp"].as_str().unwrap().to_string()
}

fn assert_redirected_error(walk: &Walk, error: &str, code: u32) {
    assert_eq!(walk.error().as_deref(), Some(error), "{}", walk.sign_in.delivered);
    let description = walk.param("error_description").unwrap();
    assert!(description.starts_with(&format!("AADSTS{code}: ")), "{description}");
    assert!(walk.code().is_none());
}

#[tokio::test]
async fn a_user_consents_and_the_token_carries_what_was_granted() {
    let demo = small().await;
    let info = demo.info();
    let client = inventory_public_client(info).await;
    let scope = "openid offline_access Mail.Read";
    let walk = sign_in_to(info, &browser(), &client, ADELE, scope, &[], ConsentChoice::Accept).await;
    let page = walk.sign_in.consent.clone().expect("a consent page");
    // A first consent includes User.Read and offline_access; everything is new; no box for Adele.
    assert_eq!(page.permissions, ["Mail.Read", "User.Read", "openid", "offline_access"]);
    assert_eq!(page.new, page.permissions);
    assert!(!page.organization_box);

    let (status, body) = redeem(info, &client, &walk, Some(scope)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "Mail.Read User.Read openid");
    assert_eq!(scp(&body), "Mail.Read User.Read openid");
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!((access["azp"].as_str(), access["azpacr"].as_str()), (Some(client.as_str()), Some("0")), "a public client");

    // The refresh token of a public client works without a credential, and carries the same.
    let rt = body["refresh_token"].as_str().unwrap();
    let (status, refreshed) = post_token(info, &[("client_id", &client), ("grant_type", "refresh_token"), ("refresh_token", rt)]).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_eq!(scp(&refreshed), "Mail.Read User.Read openid");
}

#[tokio::test]
async fn incremental_consent_asks_only_for_the_new_permission_and_tokens_carry_both() {
    let demo = small().await;
    let info = demo.info();
    let client = inventory_public_client(info).await;
    let browser = browser();
    let first = sign_in_to(info, &browser, &client, ADELE, "openid User.Read", &[], ConsentChoice::Accept).await;
    assert!(first.sign_in.consent.is_some());
    let (_, body) = redeem(info, &client, &first, None).await;
    assert_eq!(scp(&body), "User.Read openid");

    let second = sign_in_to(info, &browser, &client, ADELE, "openid User.ReadWrite", &[], ConsentChoice::Accept).await;
    let page = second.sign_in.consent.clone().expect("a consent page for the new permission");
    assert_eq!(page.permissions, ["User.ReadWrite", "openid"]);
    assert_eq!(page.new, ["User.ReadWrite"]);
    let (_, body) = redeem(info, &client, &second, None).await;
    assert_eq!(scp(&body), "User.Read User.ReadWrite openid", "every permission granted, not only the one asked");

    // Nothing new: no page, and the token still carries both.
    let third = sign_in_to(info, &browser, &client, ADELE, "openid User.Read", &[], ConsentChoice::Accept).await;
    assert!(third.sign_in.consent.is_none());
    let (_, body) = redeem(info, &client, &third, None).await;
    assert_eq!(scp(&body), "User.Read User.ReadWrite openid");
}

#[tokio::test]
async fn prompt_consent_shows_the_page_even_when_everything_is_granted() {
    let demo = small().await;
    let info = demo.info();
    let browser = browser();
    let plain = sign_in_to(info, &browser, &info.public_client_id, admin(info), "openid User.Read", &[], ConsentChoice::Accept).await;
    assert!(plain.sign_in.consent.is_none(), "the demo public client has admin consent for User.Read");
    let forced = sign_in_to(info, &browser, &info.public_client_id, admin(info), "openid User.Read", &[("prompt", "consent")], ConsentChoice::Accept).await;
    let page = forced.sign_in.consent.clone().expect("prompt=consent shows the page");
    assert_eq!(page.permissions, ["User.Read", "openid"]);
    assert!(page.new.is_empty(), "{page:?}");
    assert!(page.organization_box, "the administrator may consent for everyone");
    assert!(forced.code().is_some());
}

#[tokio::test]
async fn a_user_without_a_role_needs_admin_approval_for_an_admin_only_permission() {
    let demo = small().await;
    let info = demo.info();
    let browser = browser();
    // The demo client's listed permissions have admin consent: Alex signs in to them.
    let ok = sign_in_to(info, &browser, &info.public_client_id, ALEX, "openid Directory.Read.All", &[], ConsentChoice::Accept).await;
    assert!(ok.sign_in.consent.is_none() && ok.code().is_some(), "{}", ok.sign_in.delivered);

    // Not User.ReadWrite.All: "Need admin approval", and back to the app with access_denied.
    let refused = sign_in_to(info, &browser, &info.public_client_id, ALEX, "openid User.ReadWrite.All", &[], ConsentChoice::Accept).await;
    assert_eq!(refused.sign_in.admin_approval.as_deref(), Some(&["User.ReadWrite.All".to_string()][..]));
    assert!(refused.sign_in.consent.is_none());
    assert_redirected_error(&refused, "access_denied", 90094);
    assert_eq!(refused.param("error_subcode").as_deref(), Some("cancel"));

    // A user-consentable permission next to it does not help; an inventory app likewise.
    let client = inventory_public_client(info).await;
    let refused = sign_in_to(info, &browser, &client, ALEX, "openid User.Read Group.Read.All", &[], ConsentChoice::Accept).await;
    assert_eq!(refused.sign_in.admin_approval.as_deref(), Some(&["Group.Read.All".to_string()][..]));
    assert_redirected_error(&refused, "access_denied", 90094);

    // prompt=consent asks again for everything, so an admin-only permission needs an admin even
    // though the organization holds it.
    let forced = sign_in_to(info, &browser, &info.public_client_id, ALEX, "openid Directory.Read.All", &[("prompt", "consent")], ConsentChoice::Accept).await;
    assert!(forced.sign_in.admin_approval.is_some());
    assert_redirected_error(&forced, "access_denied", 90094);

    // Nobody else may tick the organization box: Adele's page has none.
    let url = authorize_url(info, &[("client_id", &client), ("response_type", "code"), ("redirect_uri", "http://localhost:9/"), ("scope", "openid Mail.Read")]);
    let err = browser.sign_in_with(&url, ADELE.0, ADELE.1, ConsentChoice::AcceptForOrganization).await.unwrap_err();
    assert!(format!("{err:#}").contains("only an administrator"), "{err:#}");
}

#[tokio::test]
async fn an_administrators_consent_for_the_organization_spares_everyone_the_page() {
    let demo = small().await;
    let info = demo.info();
    let client = inventory_public_client(info).await;
    // The admin consents to Mail.Read for themself only: Adele is still asked.
    let own = sign_in_to(info, &browser(), &client, admin(info), "openid Mail.Read", &[], ConsentChoice::Accept).await;
    assert!(own.sign_in.consent.as_ref().unwrap().organization_box);
    let adele = browser();
    let asked = sign_in_to(info, &adele, &client, ADELE, "openid Mail.Read", &[], ConsentChoice::Cancel).await;
    assert!(asked.sign_in.consent.is_some(), "the admin's own consent is not Adele's");

    // Now for the organization, including an admin-only permission.
    let scope = "openid User.Read Group.Read.All";
    let org = sign_in_to(info, &browser(), &client, admin(info), scope, &[], ConsentChoice::AcceptForOrganization).await;
    let page = org.sign_in.consent.clone().unwrap();
    assert_eq!(page.new, ["Group.Read.All"]);
    let walk = sign_in_to(info, &adele, &client, ADELE, scope, &[], ConsentChoice::Cancel).await;
    assert!(walk.sign_in.consent.is_none() && walk.sign_in.admin_approval.is_none(), "no page for Adele");
    let (status, body) = redeem(info, &client, &walk, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(scp(&body), "Group.Read.All User.Read openid", "Adele holds the organization's grant, not the admin's own Mail.Read");
}

#[tokio::test]
async fn cancel_redirects_access_denied_and_grants_nothing() {
    let demo = small().await;
    let info = demo.info();
    let client = inventory_public_client(info).await;
    let browser = browser();
    let walk = sign_in_to(info, &browser, &client, ADELE, "openid User.Read", &[], ConsentChoice::Cancel).await;
    assert!(walk.sign_in.consent.is_some());
    assert_redirected_error(&walk, "access_denied", 65004);
    assert_eq!(walk.param("error_subcode").as_deref(), Some("cancel"));
    assert!(walk.param("error_description").unwrap().contains("User declined to consent to access the app."));
    let again = sign_in_to(info, &browser, &client, ADELE, "openid User.Read", &[], ConsentChoice::Accept).await;
    assert_eq!(again.sign_in.consent.unwrap().new, ["User.Read", "openid", "offline_access"], "nothing was granted");
}

#[tokio::test]
async fn prompt_none_without_consent_answers_consent_required() {
    let demo = small().await;
    let info = demo.info();
    let client = inventory_public_client(info).await;
    let browser = browser();
    // A session (signed in to the demo client), then a silent request to a client never consented.
    sign_in_to(info, &browser, &info.public_client_id, ADELE, "openid User.Read", &[], ConsentChoice::Accept).await;
    let silent = sign_in_to(info, &browser, &client, ("", ""), "openid User.Read", &[("prompt", "none")], ConsentChoice::Accept).await;
    assert_redirected_error(&silent, "consent_required", 65001);
    // Once consented, the same silent request gets a code.
    sign_in_to(info, &browser, &client, ADELE, "openid User.Read", &[], ConsentChoice::Accept).await;
    let silent = sign_in_to(info, &browser, &client, ("", ""), "openid User.Read", &[("prompt", "none")], ConsentChoice::Accept).await;
    assert!(silent.code().is_some(), "{}", silent.sign_in.delivered);
}

#[tokio::test]
async fn a_token_request_naming_an_unconsented_scope_fails_with_consent_required() {
    let demo = small().await;
    let info = demo.info();
    let public = info.public_client_id.as_str();
    let walk = sign_in_to(info, &browser(), public, admin(info), "openid offline_access User.Read", &[], ConsentChoice::Accept).await;
    let (status, body) = redeem(info, public, &walk, Some("openid offline_access User.ReadWrite.All")).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 65001);
    assert_eq!(body["suberror"], "consent_required");
    let walk = sign_in_to(info, &browser(), public, admin(info), "openid offline_access User.Read", &[], ConsentChoice::Accept).await;
    let (status, tokens) = redeem(info, public, &walk, None).await;
    assert_eq!(status, 200, "{tokens}");
    // The demo client's tokens carry every permission it has admin consent for.
    assert_eq!(tokens["scope"], "Application.ReadWrite.All Directory.Read.All Group.Read.All GroupMember.Read.All User.Read User.Read.All openid");
    let rt = tokens["refresh_token"].as_str().unwrap().to_string();
    let refresh = |scope: &'static str| {
        let rt = rt.clone();
        async move { post_token(info, &[("client_id", public), ("grant_type", "refresh_token"), ("refresh_token", &rt), ("scope", scope)]).await }
    };
    let (status, body) = refresh("User.ReadWrite.All offline_access").await;
    assert_aadsts(status, &body, 400, "invalid_grant", 65001);
    assert_eq!(body["suberror"], "consent_required");
    assert!(body["error_description"].as_str().unwrap().contains(public), "{body}");
    let (status, body) = refresh("Group.Read.All offline_access").await;
    assert_eq!(status, 200, "an admin-consented scope: {body}");

    // After the admin consents (for themself), the same refresh token reaches the new scope.
    sign_in_to(info, &browser(), public, admin(info), "openid User.ReadWrite.All", &[], ConsentChoice::Accept).await;
    let (status, body) = refresh("User.ReadWrite.All offline_access").await;
    assert_eq!(status, 200, "{body}");
    assert!(scp(&body).split(' ').any(|s| s == "User.ReadWrite.All"), "{}", scp(&body));
}

#[tokio::test]
async fn an_inventory_public_client_signs_in_with_its_own_redirect_uris_only() {
    let demo = small().await;
    let info = demo.info();
    let client = inventory_public_client(info).await;
    // Its loopback redirect URI with any port (shown above); another URI is refused on a page.
    let page = reqwest::get(authorize_url(info, &[("client_id", &client), ("response_type", "code"), ("redirect_uri", "https://elsewhere.example/cb"), ("scope", "openid")])).await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("AADSTS50011"));
    // An app that is not a public client has no redirect URI here at all.
    let graph = common::apps::Graph::new(info).await;
    let apps = graph.get("/applications?$select=appId,publicClient,isFallbackPublicClient,web&$top=999").await;
    let web = apps.body["value"].as_array().unwrap().iter().find(|a| a["publicClient"]["redirectUris"].as_array().unwrap().is_empty() && a["isFallbackPublicClient"] == false && !a["web"]["redirectUris"].as_array().unwrap().is_empty()).expect("a web app");
    let uri = web["web"]["redirectUris"][0].as_str().unwrap();
    let page = reqwest::get(authorize_url(info, &[("client_id", web["appId"].as_str().unwrap()), ("response_type", "code"), ("redirect_uri", uri), ("scope", "openid")])).await.unwrap();
    assert!(page.text().await.unwrap().contains("AADSTS50011"));

    // A code redeemed with a secret is judged as from a confidential client: a wrong secret fails.
    let walk = sign_in_to(info, &browser(), &client, admin(info), "openid User.Read", &[], ConsentChoice::Accept).await;
    let code = walk.code().unwrap();
    let (status, body) = post_token(info, &[("client_id", &client), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &walk.redirect_uri), ("code_verifier", &walk.verifier), ("client_secret", "not-its-secret")]).await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000215);
    // Without one it is a public client.
    let (status, body) = redeem(info, &client, &walk, None).await;
    assert_eq!(status, 200, "{body}");
    // An unknown client is AADSTS700016 on a page.
    let page = reqwest::get(authorize_url(info, &[("client_id", "11111111-2222-4333-8444-555555555555"), ("response_type", "code"), ("redirect_uri", "http://localhost"), ("scope", "openid")])).await.unwrap();
    assert!(page.text().await.unwrap().contains("AADSTS700016"));
}

#[tokio::test]
async fn consents_survive_a_restart_with_a_state_folder() {
    let dir = tempfile::tempdir().unwrap();
    let options = || DemoOptions { apps: 12, groups: 12, users: 60, state_dir: Some(dir.path().to_path_buf()), ..Default::default() };
    let demo = entra_demo::start(options()).await.unwrap();
    let info = demo.info().clone();
    let walk = sign_in_to(&info, &browser(), &info.public_client_id, admin(&info), "openid User.ReadWrite.All", &[], ConsentChoice::Accept).await;
    assert!(walk.sign_in.consent.is_some());
    demo.shutdown().await;
    assert!(dir.path().join("consents.json").exists());

    let demo = entra_demo::start(options()).await.unwrap();
    let info = demo.info().clone();
    let walk = sign_in_to(&info, &browser(), &info.public_client_id, admin(&info), "openid User.ReadWrite.All", &[], ConsentChoice::Accept).await;
    assert!(walk.sign_in.consent.is_none(), "the grant was kept");
    let (status, body) = redeem(&info, &info.public_client_id, &walk, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(scp(&body).contains("User.ReadWrite.All"));
}

#[tokio::test]
async fn an_app_registered_at_run_time_signs_in_once_it_has_a_service_principal() {
    let demo = small().await;
    let info = demo.info();
    let graph = common::apps::Graph::new(info).await;
    let registration = serde_json::json!({
        "displayName": "Registered by the consent test",
        "signInAudience": "AzureADMyOrg",
        "isFallbackPublicClient": true,
        "publicClient": {"redirectUris": ["http://localhost"]},
        "requiredResourceAccess": [{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": [
            {"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"},
            {"id": "bdfbf15f-ee85-4955-8675-146e8e5296b5", "type": "Scope"}]}],
    });
    let made = graph.post("/applications", registration).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let client = made.body["appId"].as_str().unwrap().to_string();
    let authorize = |redirect: &str| authorize_url(info, &[("client_id", &client), ("response_type", "code"), ("redirect_uri", redirect), ("scope", "openid User.Read")]);

    // No service principal yet: the tenant does not know the app (a page, never a redirect).
    let page = reqwest::get(authorize("http://localhost:9/")).await.unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("AADSTS700016"));

    let sp = graph.post("/servicePrincipals", serde_json::json!({"appId": client})).await;
    assert_eq!(sp.status, 201, "{}", sp.text);
    // No admin consent until someone grants it: an administrator consents for the organization
    // to what the registration lists (`.default` with prompt=consent, as PnP's registration does).
    let default = "https://graph.microsoft.com/.default openid offline_access";
    let org = sign_in_to(info, &browser(), &client, admin(info), default, &[("prompt", "consent")], ConsentChoice::AcceptForOrganization).await;
    let page = org.sign_in.consent.clone().expect("a consent page");
    assert_eq!(page.permissions, ["User.Read", "Application.ReadWrite.All", "openid", "offline_access"]);
    let (status, body) = redeem(info, &client, &org, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(scp(&body), "Application.ReadWrite.All User.Read openid");

    // Adele signs in without a page and gets the same; her refresh token needs no secret.
    let walk = sign_in_to(info, &browser(), &client, ADELE, default, &[], ConsentChoice::Cancel).await;
    assert!(walk.sign_in.consent.is_none(), "{:?}", walk.sign_in);
    let (status, body) = redeem(info, &client, &walk, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(scp(&body), "Application.ReadWrite.All User.Read openid");
    let (status, refreshed) = post_token(info, &[("client_id", &client), ("grant_type", "refresh_token"), ("refresh_token", body["refresh_token"].as_str().unwrap())]).await;
    assert_eq!(status, 200, "{refreshed}");

    // Deleted (with its service principal), it is unknown again.
    assert_eq!(graph.delete(&format!("/applications/{}", made.body["id"].as_str().unwrap())).await.status, 204);
    assert!(reqwest::get(authorize("http://localhost:9/")).await.unwrap().text().await.unwrap().contains("AADSTS700016"));
}
