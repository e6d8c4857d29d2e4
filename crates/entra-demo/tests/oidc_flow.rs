//! The happy paths over real HTTP: discovery, JWKS, authorization code + PKCE
//! through DemoBrowser, refresh rotation, prompt=none, form_post, key
//! rotation, the emulator clock and persistence across restarts.

mod common;

use common::*;
use entra_demo::browser::DemoBrowser;
use entra_demo::DemoOptions;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

async fn get_json(url: &str) -> (reqwest::header::HeaderMap, Value) {
    let response = client().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    (headers, response.json().await.unwrap())
}

#[tokio::test]
async fn discovery_documents_have_entras_fields() {
    let demo = tenant().await;
    let info = demo.info();
    let (headers, doc) = get_json(&info.metadata_url).await;
    assert_eq!(headers["cache-control"], "max-age=86400, private");
    assert_eq!(headers["access-control-allow-origin"], "*");
    let base = info.authority.trim_end_matches(&info.tenant_id).trim_end_matches('/');
    assert_eq!(doc["issuer"], format!("{}/v2.0", info.authority));
    assert_eq!(doc["authorization_endpoint"], format!("{}/oauth2/v2.0/authorize", info.authority));
    assert_eq!(doc["token_endpoint"], format!("{}/oauth2/v2.0/token", info.authority));
    assert_eq!(doc["jwks_uri"], format!("{}/discovery/v2.0/keys", info.authority));
    assert_eq!(doc["token_endpoint_auth_methods_supported"], serde_json::json!(["client_secret_post", "private_key_jwt", "client_secret_basic"]));
    assert_eq!(doc["id_token_signing_alg_values_supported"], serde_json::json!(["RS256"]));
    assert_eq!(doc["subject_types_supported"], serde_json::json!(["pairwise"]));
    assert_eq!(doc["response_modes_supported"], serde_json::json!(["query", "fragment", "form_post"]));
    assert_eq!(doc["scopes_supported"], serde_json::json!(["openid", "profile", "email", "offline_access"]));
    assert_eq!(doc["request_uri_parameter_supported"], false);
    assert_eq!(doc["tenant_region_scope"], "WW");
    assert_eq!(doc["msgraph_host"], "graph.microsoft.com");
    for field in ["device_authorization_endpoint", "end_session_endpoint", "userinfo_endpoint", "kerberos_endpoint", "claims_supported", "response_types_supported", "cloud_instance_name", "cloud_graph_host_name", "rbac_url"] {
        assert!(!doc[field].is_null(), "{field}");
    }
    assert_eq!(doc["http_logout_supported"], true);
    assert_eq!(doc["frontchannel_logout_supported"], true);

    // common / organizations use the {tenantid} template; the domain resolves to the GUID.
    for alias in ["common", "organizations"] {
        let (_, doc) = get_json(&format!("{base}/{alias}/v2.0/.well-known/openid-configuration")).await;
        assert_eq!(doc["issuer"], format!("{base}/{{tenantid}}/v2.0"));
        assert_eq!(doc["token_endpoint"], format!("{base}/{alias}/oauth2/v2.0/token"));
        assert!(doc["tenant_region_scope"].is_null());
    }
    let (_, doc) = get_json(&format!("{base}/demo.onmicrosoft.com/v2.0/.well-known/openid-configuration")).await;
    assert_eq!(doc["issuer"], format!("{}/v2.0", info.authority));
    let (_, v1) = get_json(&format!("{}/.well-known/openid-configuration", info.authority)).await;
    assert_eq!(v1["issuer"], format!("{}/", info.authority));

    // MSAL's instance discovery answers for our host.
    let (_, instance) = get_json(&format!("{base}/common/discovery/instance?api-version=1.1&authorization_endpoint={}/oauth2/v2.0/authorize", info.authority)).await;
    assert_eq!(instance["tenant_discovery_endpoint"], info.metadata_url);
    assert_eq!(instance["api-version"], "1.1");
    let host = base.split("://").nth(1).unwrap();
    assert_eq!(instance["metadata"][0]["aliases"][0], host);

    // Unknown tenant: AADSTS90002.
    let response = client().get(format!("{base}/nosuchtenant.example/v2.0/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_codes"][0], 90002);
    assert!(body["error_description"].as_str().unwrap().starts_with("AADSTS90002: "));
}

fn decoding_keys(jwks: &Value) -> Vec<(String, DecodingKey)> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["kid"].as_str().unwrap().to_string(), DecodingKey::from_rsa_components(k["n"].as_str().unwrap(), k["e"].as_str().unwrap()).unwrap()))
        .collect()
}

fn verify(jwt: &str, jwks: &Value, aud: &str, iss: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    let kid = header.kid.expect("kid");
    assert!(header.x5t.is_none(), "v2 tokens carry no x5t");
    let keys = decoding_keys(jwks);
    let (_, key) = keys.iter().find(|(k, _)| *k == kid).expect("signing key is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[aud]);
    validation.set_issuer(&[iss]);
    jsonwebtoken::decode::<Value>(jwt, key, &validation).unwrap().claims
}

#[tokio::test]
async fn jwks_publishes_two_keys_with_certificates_and_verifies_tokens() {
    let demo = tenant().await;
    let info = demo.info().clone();
    let (_, jwks) = get_json(&format!("{}/discovery/v2.0/keys", info.authority)).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert!(keys.len() >= 2);
    for key in keys {
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["kid"], key["x5t"]);
        assert_eq!(key["e"], "AQAB");
        let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, key["x5c"][0].as_str().unwrap()).unwrap();
        let thumb = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, <sha1::Sha1 as sha2::Digest>::digest(&der));
        assert_eq!(key["x5t"], thumb, "x5t is the SHA-1 of the x5c certificate");
        assert!(key["issuer"].as_str().unwrap().ends_with("/{tenantid}/v2.0"));
    }
    let tokens = sign_in_tokens(&info).await;
    let iss = format!("{}/v2.0", info.authority);
    let access = verify(tokens["access_token"].as_str().unwrap(), &jwks, "00000003-0000-0000-c000-000000000000", &iss);
    assert_eq!(access["ver"], "2.0");
    assert_eq!(access["tid"], info.tenant_id);
    assert_eq!(access["azp"], info.public_client_id);
    assert_eq!(access["azpacr"], "0");
    assert_eq!(access["preferred_username"], info.user.username);
    assert!(access["scp"].as_str().unwrap().split(' ').any(|s| s == "User.Read"));
    for claim in ["aio", "name", "oid", "rh", "sub", "uti", "iat", "nbf", "exp"] {
        assert!(!access[claim].is_null(), "{claim}");
    }
    let lifetime = access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap();
    assert!((3600..=5400).contains(&lifetime), "{lifetime}");
    assert_eq!(header(tokens["access_token"].as_str().unwrap())["typ"], "JWT");

    let id = verify(tokens["id_token"].as_str().unwrap(), &jwks, &info.public_client_id, &iss);
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["oid"], access["oid"]);
    assert_eq!(id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(), 3600);
}

#[tokio::test]
async fn auth_code_flow_returns_entras_token_response() {
    let demo = tenant().await;
    let info = demo.info();
    let tokens = sign_in_tokens(info).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["expires_in"].is_i64() && tokens["ext_expires_in"].is_i64());
    // Every permission the public client has admin consent for, not only User.Read (Entra's
    // token carries all that is granted for the resource), then the OIDC scopes asked.
    assert_eq!(tokens["scope"], "Application.ReadWrite.All Directory.Read.All Group.Read.All GroupMember.Read.All User.Read User.Read.All profile openid");
    assert!(tokens["refresh_token"].is_string());
    assert!(tokens["id_token"].is_string());

    // Without openid and offline_access: neither an ID token nor a refresh token.
    let (code, redirect_uri, verifier) = code_for(info, "User.Read").await;
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect_uri), ("code_verifier", &verifier)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none(), "{body}");
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn refresh_rotates_and_keeps_the_old_token_valid() {
    let demo = tenant().await;
    let info = demo.info();
    let tokens = sign_in_tokens(info).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let refresh = |rt: String| {
        let info = info.clone();
        async move { post_token(&info, &[("client_id", &info.public_client_id), ("grant_type", "refresh_token"), ("refresh_token", &rt), ("scope", "openid offline_access User.Read")]).await }
    };
    let (status, second) = refresh(first.clone()).await;
    assert_eq!(status, 200, "{second}");
    let second_rt = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second_rt, first, "a new refresh token every time");
    assert!(second["id_token"].is_string() && second["access_token"].is_string());
    // The old one is not revoked (Entra docs).
    let (status, third) = refresh(first).await;
    assert_eq!(status, 200, "{third}");
    // Scope omitted: the original grant's scope.
    let (status, fourth) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "refresh_token"), ("refresh_token", &second_rt)]).await;
    assert_eq!(status, 200, "{fourth}");
    assert!(fourth["id_token"].is_string());
}

#[tokio::test]
async fn advance_clock_expires_refresh_tokens_after_90_days() {
    let demo = tenant().await;
    let info = demo.info();
    let rt = sign_in_tokens(info).await["refresh_token"].as_str().unwrap().to_string();
    demo.advance_clock(chrono::Duration::days(89));
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "refresh_token"), ("refresh_token", &rt)]).await;
    assert_eq!(status, 200, "{body}");
    demo.advance_clock(chrono::Duration::days(2));
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "refresh_token"), ("refresh_token", &rt)]).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 700082);
}

#[tokio::test]
async fn rotation_signs_with_the_new_key_and_keeps_the_old_one_published() {
    let demo = tenant().await;
    let info = demo.info().clone();
    let before = sign_in_tokens(&info).await;
    let old_kid = header(before["access_token"].as_str().unwrap())["kid"].as_str().unwrap().to_string();
    demo.rotate_signing_key();
    let after = sign_in_tokens(&info).await;
    let new_kid = header(after["access_token"].as_str().unwrap())["kid"].as_str().unwrap().to_string();
    assert_ne!(old_kid, new_kid);
    let (_, jwks) = get_json(&format!("{}/discovery/v2.0/keys", info.authority)).await;
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()), "{kids:?}");
    let iss = format!("{}/v2.0", info.authority);
    verify(before["access_token"].as_str().unwrap(), &jwks, "00000003-0000-0000-c000-000000000000", &iss);
    verify(after["access_token"].as_str().unwrap(), &jwks, "00000003-0000-0000-c000-000000000000", &iss);
}

#[tokio::test]
async fn prompt_none_uses_the_session_cookie() {
    let demo = tenant().await;
    let info = demo.info();
    let mut app = Loopback::start().await;
    let browser = DemoBrowser::new(None).unwrap();
    let params = |prompt: &'static str, redirect: String| {
        authorize_url(info, &[("client_id", &info.public_client_id), ("response_type", "code"), ("redirect_uri", &redirect), ("scope", "openid User.Read"), ("state", "s1"), ("prompt", prompt)])
    };
    // No session yet: login_required, redirected with AADSTS50058.
    let delivered = browser.sign_in(&params("none", app.redirect_uri()), "x", "y").await.unwrap();
    app.next().await;
    assert_eq!(query_param(&delivered, "error").as_deref(), Some("login_required"));
    assert!(query_param(&delivered, "error_description").unwrap().starts_with("AADSTS50058: "));
    assert_eq!(query_param(&delivered, "state").as_deref(), Some("s1"));
    // Interactive sign-in sets the cookie; then prompt=none succeeds silently.
    browser.sign_in(&params("login", app.redirect_uri()), &info.user.username, &info.user.password).await.unwrap();
    app.next().await;
    let delivered = browser.sign_in(&params("none", app.redirect_uri()), "", "").await.unwrap();
    app.next().await;
    assert!(query_param(&delivered, "code").is_some(), "{delivered}");
}

#[tokio::test]
async fn form_post_and_127_0_0_1_redirects() {
    let demo = tenant().await;
    let info = demo.info();
    let mut app = Loopback::start().await;
    let redirect = format!("http://127.0.0.1:{}/", app.port);
    let url = authorize_url(info, &[("client_id", &info.public_client_id), ("response_type", "code"), ("redirect_uri", &redirect), ("scope", "User.Read"), ("response_mode", "form_post"), ("state", "fp")]);
    let browser = DemoBrowser::new(None).unwrap();
    let delivered = browser.sign_in(&url, &info.user.username, &info.user.password).await.unwrap();
    assert_eq!(delivered, redirect);
    assert_eq!(app.next().await, "/");
    // login_hint prefills the user name.
    let hinted = authorize_url(info, &[("client_id", &info.public_client_id), ("response_type", "code"), ("redirect_uri", &redirect), ("scope", "User.Read"), ("login_hint", "AdeleV@demo.onmicrosoft.com")]);
    let page = client().get(hinted).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"AdeleV@demo.onmicrosoft.com\""));
    assert!(page.contains("DEMO TENANT"));
}

#[tokio::test]
async fn state_dir_keeps_refresh_tokens_and_key_generation_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let options = || DemoOptions { state_dir: Some(dir.path().to_path_buf()), ..Default::default() };
    let demo = entra_demo::start(options()).await.unwrap();
    let info = demo.info().clone();
    let rt = sign_in_tokens(&info).await["refresh_token"].as_str().unwrap().to_string();
    demo.rotate_signing_key();
    let kid_before = header(sign_in_tokens(&info).await["access_token"].as_str().unwrap())["kid"].clone();
    demo.shutdown().await;
    let persisted = std::fs::read_to_string(dir.path().join("grants.json")).unwrap();
    assert!(!persisted.contains(&rt), "refresh tokens are stored only as hashes");
    let key_mode = std::fs::metadata(&info.certificate_client.private_key_path).unwrap();
    #[cfg(unix)]
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&key_mode.permissions()) & 0o777, 0o600);

    let demo = entra_demo::start(options()).await.unwrap();
    let info = demo.info().clone();
    assert_eq!(info.tenant_id, info.tenant_id);
    let (status, body) = post_token(&info, &[("client_id", &info.public_client_id), ("grant_type", "refresh_token"), ("refresh_token", &rt)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(body["access_token"].as_str().unwrap())["kid"], kid_before, "the rotated key is still current");
}

#[tokio::test]
async fn everything_follows_the_seed() {
    let a = entra_demo::start(DemoOptions { seed: 42, ..Default::default() }).await.unwrap();
    let b = entra_demo::start(DemoOptions { seed: 42, ..Default::default() }).await.unwrap();
    let c = tenant().await;
    assert_eq!(a.info().tenant_id, b.info().tenant_id);
    assert_eq!(a.info().confidential_client.client_secret, b.info().confidential_client.client_secret);
    assert_eq!(a.info().public_client_id, b.info().public_client_id);
    assert_ne!(a.info().tenant_id, c.info().tenant_id);
}

#[tokio::test]
async fn unexpected_requests_get_a_readable_error() {
    let demo = tenant().await;
    let base = demo.info().authority.rsplit_once('/').unwrap().0.to_string();
    let response = client().get(format!("{base}/nothing/here/at/all")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert!(body["error_description"].as_str().unwrap().contains("GET /nothing/here/at/all"));
}

#[tokio::test]
async fn confidential_client_redeems_a_code_with_its_secret_via_common() {
    let demo = tenant().await;
    let info = demo.info();
    let cc = &info.confidential_client;
    let base = info.authority.rsplit_once('/').unwrap().0;
    let mut app = Loopback::start().await;
    let mut url = url::Url::parse(&format!("{base}/common/oauth2/v2.0/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs([("client_id", cc.client_id.as_str()), ("response_type", "code"), ("redirect_uri", &app.redirect_uri()), ("scope", "openid https://graph.microsoft.com/.default"), ("response_mode", "fragment")]);
    let delivered = DemoBrowser::new(None).unwrap().sign_in(url.as_str(), &info.user.username, &info.user.password).await.unwrap();
    app.next().await;
    // Fragment mode: the code is after '#', which a browser does not send to the server.
    let fragment = url::Url::parse(&delivered).unwrap().fragment().unwrap().to_string();
    let code = url::form_urlencoded::parse(fragment.as_bytes()).find(|(k, _)| k == "code").unwrap().1.into_owned();
    let token_url = format!("{base}/common/oauth2/v2.0/token");
    let form = |secret: Option<&str>| {
        let mut f = vec![("client_id", cc.client_id.clone()), ("grant_type", "authorization_code".into()), ("code", code.clone()), ("redirect_uri", app.redirect_uri())];
        if let Some(s) = secret {
            f.push(("client_secret", s.to_string()));
        }
        f
    };
    let response = client().post(&token_url).form(&form(None)).send().await.unwrap();
    let status = response.status().as_u16();
    assert_aadsts(status, &response.json().await.unwrap(), 401, "invalid_client", 7000218);
    // Client authentication fails before the code is looked at, so the code is still good.
    let response = client().post(&token_url).form(&form(Some(&cc.client_secret))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["azpacr"], "1");
    assert_eq!(access["iss"], format!("{}/v2.0", info.authority), "tokens name the tenant even via /common");
    assert!(access["scp"].as_str().unwrap().contains("Application.ReadWrite.All"), ".default expands to the consented permissions");
    assert!(body["id_token"].is_string() && body.get("refresh_token").is_none());
}
