//! The interactive sign-in: authorization code + PKCE (S256) through the
//! system browser, with a loopback redirect (RFC 8252).
//!
//! Steps: discover the provider; bind the loopback listener (which fixes the
//! redirect URI's port); build the authorize URL with `state`, `nonce` and the
//! PKCE challenge, and `claims` as [`capabilities`] makes it (at Microsoft's identity platform,
//! the client capability `cp1`, with the claims challenge being met if any; elsewhere only that
//! challenge); open the browser; wait for the redirect (state checked,
//! cancellable, timed out); redeem the code from Rust (never from a web page,
//! see AADSTS9002326) with the verifier; verify the ID token. Every step
//! honours the cancellation token.

use super::capabilities;
use super::discovery::{ProviderCache, ProviderMetadata};
use super::id_token::{self, IdTokenClaims};
use super::loopback::LoopbackListener;
use super::token_endpoint::{map_token_error, oauth_client, OAuthClient, TokenHttp, Tokens};
use super::{BrowserOpener, SignInProgress};
use crate::clock::Clock;
use crate::config::Profile;
use crate::{Error, ErrorCode, Result};
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, Scope};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The default time the user has to finish signing in in the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Options of one interactive sign-in.
#[derive(Debug, Clone)]
pub struct SignInOptions {
    /// How long to wait for the browser (default 5 minutes).
    pub timeout: Duration,
    /// The OIDC `prompt` value; `select_account` by default so a second account can be added.
    /// Sent only when the provider's discovery document lists it in `prompt_values_supported`.
    pub prompt: Option<String>,
    /// A `login_hint` (user name) for the provider's page.
    pub login_hint: Option<String>,
    /// A claims request (JSON, OpenID Connect Core §5.5) to meet: the claims challenge of a Graph
    /// refusal ([`crate::Error::claims_challenge`]), so the new tokens meet what the tenant's
    /// Conditional Access policy asks for. Sent as the `claims` parameter, merged with the client
    /// capability `cp1` at Microsoft's identity platform ([`capabilities`]). The account
    /// remembers it as given ([`crate::accounts::Account::step_up_claims`]).
    pub claims: Option<String>,
}

impl Default for SignInOptions {
    fn default() -> Self {
        SignInOptions { timeout: DEFAULT_TIMEOUT, prompt: Some("select_account".into()), login_hint: None, claims: None }
    }
}

/// What a successful interactive sign-in yields.
#[derive(Debug)]
pub struct SignInOutcome {
    /// The tokens.
    pub tokens: Tokens,
    /// The verified ID token's claims.
    pub claims: IdTokenClaims,
    /// The provider's configuration.
    pub metadata: ProviderMetadata,
}

fn cancelled() -> Error {
    Error::new(ErrorCode::SignInCancelled, "The sign-in was cancelled: start it again when ready")
}

/// Runs the whole browser sign-in.
#[allow(clippy::too_many_arguments)] // Each argument is a separate concern the caller owns; a struct would only rename them.
pub async fn sign_in(
    http: &reqwest::Client,
    providers: &ProviderCache,
    profile: &Profile,
    opener: &dyn BrowserOpener,
    cancel: CancellationToken,
    progress: &(dyn Fn(SignInProgress) + Send + Sync),
    options: &SignInOptions,
    clock: &dyn Clock,
) -> Result<SignInOutcome> {
    progress(SignInProgress::DiscoveringProvider);
    let candidates = profile.discovery_candidates();
    let metadata = tokio::select! {
        m = providers.metadata(http, &candidates) => m?,
        _ = cancel.cancelled() => return Err(cancelled()),
    };
    if let Some(methods) = &metadata.code_challenge_methods_supported {
        if !methods.iter().any(|m| m == "S256") {
            return Err(Error::config(format!(
                "The identity provider at {} does not support PKCE with S256, which Entra Desk requires: use a provider that does",
                profile.authority
            )));
        }
    }

    let listener = LoopbackListener::bind(&profile.redirect_uri).await?;
    let client = oauth_client(&profile.client_id, &metadata.authorization_endpoint, &metadata.token_endpoint, Some(listener.redirect_uri()));
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random();
    let (authorize_url, state) = authorize_request(&client, &metadata, profile.interactive_scopes(), options, challenge, &nonce)?;

    progress(SignInProgress::WaitingForBrowser { authorize_url: authorize_url.to_string() });
    opener.open(authorize_url.as_str())?;
    let code = listener.wait_for_code(state.secret(), cancel.clone(), options.timeout).await?;

    progress(SignInProgress::RedeemingCode);
    let token_url = metadata.token_endpoint.to_string();
    let token_http = TokenHttp(http.clone());
    let response = tokio::select! {
        r = client.exchange_code(AuthorizationCode::new(code)).set_pkce_verifier(verifier).request_async(&token_http) => {
            r.map_err(|e| map_token_error(e, &token_url, ErrorCode::Identity))?
        }
        _ = cancel.cancelled() => return Err(cancelled()),
    };
    let tokens = Tokens::from_response(&response, clock.now());
    let raw_id_token = tokens.id_token.as_deref().ok_or_else(|| {
        Error::new(ErrorCode::Identity, "The identity provider returned no ID token although `openid` was requested: check that the provider supports OpenID Connect")
    })?;
    let kid = jsonwebtoken::decode_header(raw_id_token).ok().and_then(|h| h.kid);
    let keys = providers.keys_with(http, &metadata.jwks_uri, kid.as_deref()).await?;
    let mut claims = id_token::verify(raw_id_token, &keys, &metadata.issuer, &profile.client_id, nonce.secret(), clock.now())?;
    if claims.preferred_username.is_none() && claims.email.is_none() && claims.name.is_none() {
        if let Some(endpoint) = &metadata.userinfo_endpoint {
            let said = tokio::select! {
                u = userinfo(http, endpoint, tokens.access_token.expose()) => u,
                _ = cancel.cancelled() => return Err(cancelled()),
            };
            merge_userinfo(&mut claims, said)?;
        }
    }
    progress(SignInProgress::Done);
    Ok(SignInOutcome { tokens, claims, metadata })
}

/// The authorize URL and its `state`: the scopes, the PKCE challenge and `nonce`; `prompt` only as
/// far as the provider advertises it (an unknown value is an error at some providers);
/// `login_hint`; `claims` as [`capabilities::claims_parameter`] makes it for this provider.
fn authorize_request(
    client: &OAuthClient,
    metadata: &ProviderMetadata,
    scopes: Vec<String>,
    options: &SignInOptions,
    challenge: PkceCodeChallenge,
    nonce: &CsrfToken,
) -> Result<(url::Url, CsrfToken)> {
    let claims = capabilities::claims_parameter(metadata, options.claims.as_deref())?;
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.into_iter().map(Scope::new))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.secret().clone());
    if let Some(prompt) = options.prompt.as_deref().and_then(|p| metadata.supported_prompt(p)) {
        request = request.add_extra_param("prompt", prompt);
    }
    if let Some(hint) = &options.login_hint {
        request = request.add_extra_param("login_hint", hint.clone());
    }
    if let Some(claims) = claims {
        request = request.add_extra_param("claims", claims);
    }
    Ok(request.url())
}

/// The profile claims of the UserInfo response: name and sign-in name, for an account that
/// people can tell apart. `sub` must be the ID token's (OpenID Connect Core §5.3.2).
#[derive(Debug, Default, serde::Deserialize)]
struct UserInfo {
    sub: Option<String>,
    preferred_username: Option<String>,
    name: Option<String>,
    email: Option<String>,
}

/// Asks the provider's UserInfo endpoint who signed in. Best effort: a provider that cannot
/// answer leaves the account named by its `sub` (`None`), which is not worth failing a
/// sign-in for; an answer about someone else is (see [`merge_userinfo`]).
async fn userinfo(http: &reqwest::Client, endpoint: &url::Url, access_token: &str) -> Option<UserInfo> {
    let response = http.get(endpoint.clone()).bearer_auth(access_token).header(reqwest::header::ACCEPT, "application/json").send().await.ok()?;
    if !response.status().is_success() {
        tracing::warn!(status = %response.status(), "the provider's UserInfo endpoint refused: the account is named by its subject");
        return None;
    }
    let body = crate::http::read_body(response, 64 * 1024, "the UserInfo response", endpoint.as_str()).await.ok()?;
    serde_json::from_slice(&body).ok()
}

/// Takes the profile claims of a UserInfo answer about the ID token's subject; refuses one
/// about another subject (a mix-up or a substitution attack).
fn merge_userinfo(claims: &mut IdTokenClaims, said: Option<UserInfo>) -> Result<()> {
    let Some(said) = said else { return Ok(()) };
    if said.sub.as_deref() != Some(claims.sub.as_str()) {
        return Err(Error::new(
            ErrorCode::Identity,
            "The identity provider's UserInfo endpoint answered for another subject than the ID token's: nothing was saved; sign in again, and report it to the provider's operator if it happens again",
        ));
    }
    claims.preferred_username = said.preferred_username;
    claims.name = said.name;
    claims.email = said.email;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(authorize: &str, cloud_instance_name: Option<&str>) -> ProviderMetadata {
        let mut doc = serde_json::json!({
            "issuer": "https://op.example/v2.0",
            "authorization_endpoint": authorize,
            "token_endpoint": "https://op.example/token",
            "jwks_uri": "https://op.example/keys",
        });
        if let Some(name) = cloud_instance_name {
            doc["cloud_instance_name"] = name.into();
        }
        serde_json::from_value(doc).unwrap()
    }

    /// The authorize URL's `claims` for `provider` and a step-up's `claims`, parsed.
    fn claims_sent(provider: &ProviderMetadata, claims: Option<&str>) -> Option<serde_json::Value> {
        let redirect = url::Url::parse("http://127.0.0.1:53117/").unwrap();
        let client = oauth_client("c", &provider.authorization_endpoint, &provider.token_endpoint, Some(&redirect));
        let options = SignInOptions { claims: claims.map(str::to_string), ..SignInOptions::default() };
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let (url, _) = authorize_request(&client, provider, vec!["openid".into()], &options, challenge, &CsrfToken::new_random()).unwrap();
        let sent: Vec<String> = url.query_pairs().filter(|(k, _)| k == "claims").map(|(_, v)| v.into_owned()).collect();
        assert!(sent.len() <= 1, "{url}");
        sent.first().map(|c| serde_json::from_str(c).unwrap())
    }

    #[test]
    fn the_authorize_request_declares_cp1_to_microsoft_only() {
        let c1 = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
        let cp1 = serde_json::json!({"access_token": {"xms_cc": {"values": ["cp1"]}}});
        let cp1_c1 = serde_json::json!({"access_token": {"xms_cc": {"values": ["cp1"]}, "acrs": {"essential": true, "value": "c1"}}});
        for microsoft in [
            provider("https://login.microsoftonline.com/t/oauth2/v2.0/authorize", None),
            provider("https://login.microsoftonline.us/t/oauth2/v2.0/authorize", None),
            provider("http://127.0.0.1:5000/t/oauth2/v2.0/authorize", Some("microsoftonline.com")),
        ] {
            assert_eq!(claims_sent(&microsoft, None), Some(cp1.clone()), "{}", microsoft.authorization_endpoint);
            assert_eq!(claims_sent(&microsoft, Some(c1)), Some(cp1_c1.clone()));
        }
        // Another OpenID provider: no claims unless a step-up's, as given.
        let other = provider("https://op.example/authorize", None);
        assert_eq!(claims_sent(&other, None), None);
        assert_eq!(claims_sent(&other, Some(c1)), Some(serde_json::from_str(c1).unwrap()));
        assert_eq!(claims_sent(&provider("https://login.microsoftonline.com.evil.example/authorize", None), None), None);
        // A malformed claims request is refused before any URL exists.
        let redirect = url::Url::parse("http://127.0.0.1:53117/").unwrap();
        let ms = provider("https://login.microsoftonline.com/t/oauth2/v2.0/authorize", None);
        let client = oauth_client("c", &ms.authorization_endpoint, &ms.token_endpoint, Some(&redirect));
        let options = SignInOptions { claims: Some(r#"{"access_token":"c1"}"#.into()), ..SignInOptions::default() };
        let err = authorize_request(&client, &ms, vec![], &options, PkceCodeChallenge::new_random_sha256().0, &CsrfToken::new_random()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
    }

    fn claims() -> IdTokenClaims {
        serde_json::from_value(serde_json::json!({"iss": "https://op.example", "sub": "u-1", "exp": 1})).unwrap()
    }

    #[test]
    fn userinfo_names_the_account_only_for_the_id_tokens_subject() {
        let mut c = claims();
        let said = UserInfo { sub: Some("u-1".into()), preferred_username: Some("olive@op.example".into()), name: Some("Olive".into()), email: None };
        merge_userinfo(&mut c, Some(said)).unwrap();
        assert_eq!((c.preferred_username.as_deref(), c.name.as_deref()), (Some("olive@op.example"), Some("Olive")));

        let mut c = claims();
        let other = UserInfo { sub: Some("u-2".into()), preferred_username: Some("mallory".into()), ..Default::default() };
        let err = merge_userinfo(&mut c, Some(other)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Identity);
        assert!(c.preferred_username.is_none(), "nothing taken from an answer about someone else");
        let unsigned = UserInfo { sub: None, preferred_username: Some("x".into()), ..Default::default() };
        assert!(merge_userinfo(&mut claims(), Some(unsigned)).is_err(), "an answer without sub is about no one");

        let mut c = claims();
        merge_userinfo(&mut c, None).unwrap();
        assert!(c.preferred_username.is_none(), "no answer: the account keeps its subject");
    }
}
