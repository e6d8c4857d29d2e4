//! Every documented failure of /authorize and /token, each asserting the
//! AADSTS code and Entra's error shape.

mod common;

use common::*;
use entra_demo::browser::DemoBrowser;

#[tokio::test]
async fn pkce_verifier_mismatch_is_501481() {
    let demo = tenant().await;
    let info = demo.info();
    let (code, redirect_uri, _) = code_for(info, "openid User.Read").await;
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect_uri), ("code_verifier", "not-the-verifier-not-the-verifier-not-the-verifier")]).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 501481);
}

#[tokio::test]
async fn reused_code_is_54005() {
    let demo = tenant().await;
    let info = demo.info();
    let (code, redirect_uri, verifier) = code_for(info, "openid User.Read").await;
    let form = [("client_id", info.public_client_id.as_str()), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect_uri), ("code_verifier", &verifier)];
    let (status, body) = post_token(info, &form).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post_token(info, &form).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 54005);
}

#[tokio::test]
async fn different_redirect_uri_is_500112() {
    let demo = tenant().await;
    let info = demo.info();
    let (code, _, verifier) = code_for(info, "openid User.Read").await;
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", "http://localhost:1/other"), ("code_verifier", &verifier)]).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 500112);
}

#[tokio::test]
async fn public_client_with_a_secret_is_700025() {
    let demo = tenant().await;
    let info = demo.info();
    let (code, redirect_uri, verifier) = code_for(info, "openid User.Read").await;
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("client_secret", "anything"), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect_uri), ("code_verifier", &verifier)]).await;
    assert_aadsts(status, &body, 401, "invalid_client", 700025);
}

#[tokio::test]
async fn expired_code_is_70008() {
    let demo = tenant().await;
    let info = demo.info();
    let (code, redirect_uri, verifier) = code_for(info, "openid User.Read").await;
    demo.advance_clock(chrono::Duration::minutes(11));
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect_uri), ("code_verifier", &verifier)]).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 70008);
}

#[tokio::test]
async fn garbage_refresh_token_is_9002313() {
    let demo = tenant().await;
    let info = demo.info();
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "refresh_token"), ("refresh_token", "not-a-token")]).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 9002313);
}

#[tokio::test]
async fn token_endpoint_request_errors() {
    let demo = tenant().await;
    let info = demo.info();
    // Missing parameter.
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id)]).await;
    assert_aadsts(status, &body, 400, "invalid_request", 900144);
    assert!(body["error_description"].as_str().unwrap().contains("'grant_type'"));
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "authorization_code"), ("redirect_uri", "http://localhost")]).await;
    assert_aadsts(status, &body, 400, "invalid_request", 900144);
    assert!(body["error_description"].as_str().unwrap().contains("'code'"));
    // Unsupported grant.
    let (status, body) = post_token(info, &[("client_id", &info.public_client_id), ("grant_type", "password")]).await;
    assert_aadsts(status, &body, 400, "unsupported_grant_type", 70003);
    // Unknown client.
    let (status, body) = post_token(info, &[("client_id", "11111111-2222-3333-4444-555555555555"), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default"), ("client_secret", "x")]).await;
    assert_aadsts(status, &body, 400, "unauthorized_client", 700016);
    // Unknown tenant.
    let base = info.authority.rsplit_once('/').unwrap().0;
    let response = client().post(format!("{base}/nope.example/oauth2/v2.0/token")).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap();
    assert_aadsts(status, &body, 400, "invalid_request", 90002);
    // A client-request-id becomes the correlation id, as with Entra.
    let correlation = "0b7c4e34-5c36-4f3c-9d53-5b4d2b1f1a11";
    let response = client().post(token_url(info)).header("client-request-id", correlation).form(&[("client_id", "x")]).send().await.unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["correlation_id"], correlation);
}

#[tokio::test]
async fn secret_errors_are_7000215_and_7000222() {
    let demo = tenant().await;
    let info = demo.info();
    let cc = |id: &str, secret: &str| {
        let (id, secret) = (id.to_string(), secret.to_string());
        let info = info.clone();
        async move { post_token(&info, &[("client_id", &id), ("client_secret", &secret), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")]).await }
    };
    let (status, body) = cc(&info.confidential_client.client_id, "wrong-secret").await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000215);
    let (status, body) = cc(&info.expired_secret_client.client_id, &info.expired_secret_client.client_secret).await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000222);
    // The good secret expires too when the emulator clock passes its end date (2 years).
    let (status, _) = cc(&info.confidential_client.client_id, &info.confidential_client.client_secret).await;
    assert_eq!(status, 200);
    demo.advance_clock(chrono::Duration::days(731));
    let (status, body) = cc(&info.confidential_client.client_id, &info.confidential_client.client_secret).await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000222);
}

#[tokio::test]
async fn client_credentials_scope_errors() {
    let demo = tenant().await;
    let info = demo.info();
    let cc = |scope: &'static str| {
        let info = info.clone();
        async move { post_token(&info, &[("client_id", &info.confidential_client.client_id), ("client_secret", &info.confidential_client.client_secret), ("grant_type", "client_credentials"), ("scope", scope)]).await }
    };
    let (status, body) = cc("https://graph.microsoft.com/User.Read").await;
    assert_aadsts(status, &body, 400, "invalid_scope", 1002012);
    let (status, body) = cc("https://graph.microsoft.com/.default https://example.com/.default").await;
    assert_aadsts(status, &body, 400, "invalid_scope", 70011);
    let (status, body) = cc("").await;
    assert_aadsts(status, &body, 400, "invalid_request", 900144);
    // Confidential client with no credential at all.
    let (status, body) = post_token(info, &[("client_id", &info.confidential_client.client_id), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")]).await;
    assert_aadsts(status, &body, 401, "invalid_client", 7000218);
}

/// Fetches an authorize URL without following redirects: (status, Location, body).
async fn authorize(url: &str) -> (u16, Option<String>, String) {
    let response = client().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    (status, location, response.text().await.unwrap())
}

#[tokio::test]
async fn authorize_errors_on_the_page_or_redirected() {
    let demo = tenant().await;
    let info = demo.info();
    let public = info.public_client_id.as_str();
    // Unknown client: error page, never redirected.
    let (status, location, page) = authorize(&authorize_url(info, &[("client_id", "11111111-2222-3333-4444-555555555555"), ("response_type", "code"), ("redirect_uri", "http://localhost:5000"), ("scope", "openid")])).await;
    assert_eq!((status, location), (400, None));
    assert!(page.contains("AADSTS700016"), "{page}");
    // Unregistered redirect URI: AADSTS50011 on the page.
    for bad in ["https://evil.example/cb", "http://localhost:5000/callback", "http://[::1]:5000", "http://LOCALHOST.example"] {
        let (status, location, page) = authorize(&authorize_url(info, &[("client_id", public), ("response_type", "code"), ("redirect_uri", bad), ("scope", "openid")])).await;
        assert_eq!((status, location), (400, None), "{bad}");
        assert!(page.contains("AADSTS50011"), "{bad}: {page}");
    }
    // Loopback: any port matches; a URI without a path comes back with a trailing slash.
    let (status, location, _) = authorize(&authorize_url(info, &[("client_id", public), ("response_type", "code"), ("redirect_uri", "http://localhost:5000"), ("scope", "openid Not.AScope"), ("state", "abc")])).await;
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(location.starts_with("http://localhost:5000/?"), "{location}");
    assert_eq!(query_param(&location, "error").as_deref(), Some("invalid_scope"));
    assert!(query_param(&location, "error_description").unwrap().starts_with("AADSTS70011: "));
    assert_eq!(query_param(&location, "state").as_deref(), Some("abc"));
    // Missing scope.
    let (_, location, _) = authorize(&authorize_url(info, &[("client_id", public), ("response_type", "code"), ("redirect_uri", "http://localhost:5000")])).await;
    assert!(query_param(&location.unwrap(), "error_description").unwrap().starts_with("AADSTS900144: "));
    // Bad response_type.
    let (_, location, _) = authorize(&authorize_url(info, &[("client_id", public), ("response_type", "token"), ("redirect_uri", "http://localhost:5000"), ("scope", "openid")])).await;
    assert_eq!(query_param(&location.unwrap(), "error").as_deref(), Some("unsupported_response_type"));
    // Unknown tenant.
    let base = info.authority.rsplit_once('/').unwrap().0;
    let (status, _, page) = authorize(&format!("{base}/nope.example/oauth2/v2.0/authorize?client_id={public}")).await;
    assert_eq!(status, 400);
    assert!(page.contains("AADSTS90002"));
    // Plain PKCE (method omitted means plain) round-trips.
    let mut app = Loopback::start().await;
    let verifier = "plain-verifier-plain-verifier-plain-verifier-1234";
    let url = authorize_url(info, &[("client_id", public), ("response_type", "code"), ("redirect_uri", &app.redirect_uri()), ("scope", "User.Read"), ("code_challenge", verifier)]);
    let delivered = DemoBrowser::new(None).unwrap().sign_in(&url, &info.user.username, &info.user.password).await.unwrap();
    app.next().await;
    let code = query_param(&delivered, "code").unwrap();
    let (status, body) = post_token(info, &[("client_id", public), ("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &app.redirect_uri()), ("code_verifier", verifier)]).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn sign_in_form_reports_bad_password_and_unknown_user() {
    let demo = tenant().await;
    let info = demo.info();
    let app = Loopback::start().await;
    let url = authorize_url(info, &[("client_id", &info.public_client_id), ("response_type", "code"), ("redirect_uri", &app.redirect_uri()), ("scope", "openid")]);
    let browser = DemoBrowser::new(None).unwrap();
    let err = browser.sign_in(&url, &info.user.username, "wrong password").await.unwrap_err();
    assert!(format!("{err:#}").contains("AADSTS50126"), "{err:#}");
    let err = browser.sign_in(&url, "nobody@demo.onmicrosoft.com", "x").await.unwrap_err();
    assert!(format!("{err:#}").contains("AADSTS50034"), "{err:#}");
    // An error page (bad redirect) is an error of sign_in too, with the AADSTS text.
    let bad = authorize_url(info, &[("client_id", &info.public_client_id), ("response_type", "code"), ("redirect_uri", "https://evil.example"), ("scope", "openid")]);
    let err = browser.sign_in(&bad, &info.user.username, &info.user.password).await.unwrap_err();
    assert!(format!("{err:#}").contains("AADSTS50011"), "{err:#}");
}

/// Hostile or malformed input gets a 4xx, never a 5xx or a dropped connection.
#[tokio::test]
async fn malformed_input_never_breaks_the_server() {
    let demo = tenant().await;
    let info = demo.info();
    let base = info.authority.rsplit_once('/').unwrap().0.to_string();
    let http = client();
    let token = token_url(info);
    let authz = format!("{}/oauth2/v2.0/authorize", info.authority);
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"%%%%&&&==".to_vec(),
        b"grant_type=%FF%FE&client_id=%C3%28".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x01],
        b"{\"grant_type\":\"client_credentials\"}".to_vec(),
        format!("grant_type=client_credentials&client_id={}&scope={}", info.public_client_id, "a".repeat(100_000)).into_bytes(),
        format!("grant_type=client_credentials&client_id={}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=e30.e30.&scope=https://graph.microsoft.com/.default", info.certificate_client.client_id).into_bytes(),
        format!("grant_type=authorization_code&client_id={}&code=%00&redirect_uri=%00", info.public_client_id).into_bytes(),
    ];
    for body in bodies {
        let response = http.post(&token).header("content-type", "application/x-www-form-urlencoded").body(body.clone()).send().await.unwrap();
        assert!(response.status().is_client_error(), "{} for {:?}", response.status(), String::from_utf8_lossy(&body));
    }
    for header in ["Basic !!!", "Basic Og==", "Basic", "Bearer x"] {
        let response = http.post(&token).header("authorization", header).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
        assert!(response.status().is_client_error(), "{header}");
    }
    for query in ["%FF", "client_id=%FF&redirect_uri=%FF", "client_id=&redirect_uri=&scope=", "redirect_uri=http://localhost&client_id=x&client_id=y", "a=b&&&=&"] {
        let response = http.get(format!("{authz}?{query}")).header("cookie", "ESTSAUTH=garbage; ;;=; ESTSAUTH").send().await.unwrap();
        assert!(response.status().is_client_error(), "{query}");
    }
    let response = http.post(format!("{}/login", info.authority)).body("passwd=%FF").send().await.unwrap();
    assert!(response.status().is_client_error());
    for bearer in ["a.b.c", "....", "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJSUzI1NiIsImtpZCI6Inh4In0.e30.c2ln"] {
        let response = http.get(format!("{}/me", info.graph)).bearer_auth(bearer).send().await.unwrap();
        assert_eq!(response.status(), 401, "{bearer}");
    }
    // Still serving.
    assert_eq!(http.get(&info.metadata_url).send().await.unwrap().status(), 200);
    assert_eq!(http.get(format!("{base}/%FF%FE/v2.0/.well-known/openid-configuration")).send().await.unwrap().status(), 400);
}
