//! OpenID Connect discovery and the provider's signing keys (JWKS).
//!
//! Any standards-compliant provider works: the profile lists candidate
//! discovery URLs (explicit metadata address; `{issuer}/.well-known/…`;
//! Entra's `{authority}/v2.0/.well-known/…`, then `{authority}/.well-known/…`)
//! and the first that answers with a document wins. Keys are cached per JWKS
//! URL and refetched when a token names an unknown `kid` (key rollover).
//! Entra's guidance rate-limits such refetches to one per five minutes, to
//! stop a stream of forged tokens from hammering the JWKS endpoint; the core
//! only verifies ID tokens it just received from the token endpoint itself,
//! so it refetches at once (a sign-in right after a key roll must work).

use crate::http::{network_error, read_body};
use crate::{Error, ErrorCode, Result};
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use url::Url;

/// The fields of a discovery document the core uses.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    /// The issuer; Entra's multi-tenant documents contain the `{tenantid}` template.
    pub issuer: String,
    /// Where the browser signs in.
    pub authorization_endpoint: Url,
    /// Where codes and refresh tokens are redeemed.
    pub token_endpoint: Url,
    /// The signing keys.
    pub jwks_uri: Url,
    /// Sign-out endpoint, if any.
    #[serde(default)]
    pub end_session_endpoint: Option<Url>,
    /// The UserInfo endpoint, if any: where a provider that keeps the profile claims out of
    /// the ID token (OpenID Connect Core §5.4, for the code flow) gives them.
    #[serde(default)]
    pub userinfo_endpoint: Option<Url>,
    /// Supported PKCE methods, if the provider says.
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// The `prompt` values the provider supports (from OpenID Connect Prompt Create 1.0).
    #[serde(default)]
    pub prompt_values_supported: Option<Vec<String>>,
    /// Entra's own field naming its cloud (`microsoftonline.com`, `microsoftonline.us`, …):
    /// present only in Microsoft's documents (and the demo tenant's, which copies them).
    #[serde(default)]
    pub cloud_instance_name: Option<String>,
    /// The URL the document was fetched from (filled in by [`discover`]).
    #[serde(skip)]
    pub metadata_url: Option<Url>,
}

/// Fetches the first discovery document that answers among `candidates`.
pub async fn discover(http: &reqwest::Client, candidates: &[Url]) -> Result<ProviderMetadata> {
    let mut last_problem = String::from("no discovery URL could be formed from the authority");
    for url in candidates {
        let response = http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| network_error("fetch the OpenID discovery document", url.as_str(), e))?;
        let status = response.status();
        if !status.is_success() {
            last_problem = format!("{url} answered HTTP {status}");
            continue;
        }
        let bytes = read_body(response, entra_http::caps::DISCOVERY, "the OpenID discovery document", url.as_str()).await?;
        match serde_json::from_slice::<ProviderMetadata>(&bytes) {
            Ok(mut metadata) => {
                metadata.check_endpoints(url)?;
                metadata.metadata_url = Some(url.clone());
                return Ok(metadata);
            }
            Err(e) => last_problem = format!("{url} is not an OpenID discovery document ({e})"),
        }
    }
    Err(Error::new(
        ErrorCode::Config,
        format!(
            "Cannot find the identity provider's OpenID configuration: {last_problem}. Fix: check the authority (e.g. https://login.microsoftonline.com/<tenant ID>), or set the metadata address explicitly"
        ),
    ))
}

impl ProviderMetadata {
    /// Refuses endpoints a browser or this app must never be sent to: anything but `https`,
    /// except `http` on a loopback host when the document itself came from one (the demo
    /// tenant). A `file:` or custom-scheme authorize endpoint would be opened by the system
    /// browser; an `http` token endpoint would carry the code and verifier in clear text.
    pub fn check_endpoints(&self, document_url: &Url) -> Result<()> {
        let endpoints = [
            ("authorization_endpoint", Some(&self.authorization_endpoint)),
            ("token_endpoint", Some(&self.token_endpoint)),
            ("jwks_uri", Some(&self.jwks_uri)),
            ("end_session_endpoint", self.end_session_endpoint.as_ref()),
            ("userinfo_endpoint", self.userinfo_endpoint.as_ref()),
        ];
        for (name, url) in endpoints {
            if let Some(url) = url {
                check_endpoint(name, url, document_url)?;
            }
        }
        Ok(())
    }

    /// The `prompt` value to send: `wanted` when the provider advertises it, none when it
    /// advertises a list without it. A document without the list (Entra's published one has
    /// none: `../shared/entra-reference`) gets `wanted` only if every provider must take it:
    /// `none`, `login` and `consent` (OpenID Connect Core). `select_account` is in Core too, but
    /// as a value a provider may refuse, and certified providers do (panva's `oidc-provider`
    /// answers `invalid_request: unsupported prompt value requested`): without a list it goes
    /// only to Microsoft's own authorities, which document it.
    pub fn supported_prompt(&self, wanted: &str) -> Option<String> {
        const EVERY_PROVIDER: &[&str] = &["none", "login", "consent"];
        let sent = match &self.prompt_values_supported {
            Some(supported) => supported.iter().any(|v| v == wanted),
            None => EVERY_PROVIDER.contains(&wanted) || (wanted == "select_account" && self.is_microsoft()),
        };
        sent.then(|| wanted.to_string())
    }

    /// True for Microsoft's identity platform: a document carrying Entra's own
    /// `cloud_instance_name`, or an authorize endpoint on one of Microsoft's sign-in hosts.
    pub fn is_microsoft(&self) -> bool {
        const HOSTS: &[&str] = &["login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn", "login.chinacloudapi.cn"];
        self.cloud_instance_name.is_some() || self.authorization_endpoint.host_str().is_some_and(|h| HOSTS.iter().any(|m| h.eq_ignore_ascii_case(m)))
    }
}

/// `https`, or loopback `http` advertised by a loopback `http` document (the demo tenant).
fn check_endpoint(name: &str, url: &Url, document_url: &Url) -> Result<()> {
    use crate::config::is_loopback;
    let allowed = match url.scheme() {
        "https" => true,
        "http" => is_loopback(url) && document_url.scheme() == "http" && is_loopback(document_url),
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    Err(Error::config(format!(
        "The identity provider's discovery document at {document_url} gives `{name}` as {}://{}…, which Entra Desk refuses: endpoints must be https (plain http only on this machine, for the demo tenant). Fix: check the authority or metadata address; a document that points elsewhere may be forged",
        url.scheme(),
        url.host_str().unwrap_or_default(),
    )))
}

/// Fetches a JWKS document.
pub async fn fetch_jwks(http: &reqwest::Client, jwks_uri: &Url) -> Result<JwkSet> {
    let response = http.get(jwks_uri.clone()).send().await.map_err(|e| network_error("fetch the signing keys", jwks_uri.as_str(), e))?;
    if !response.status().is_success() {
        return Err(Error::network(format!(
            "The identity provider's signing keys at {jwks_uri} answered HTTP {}: check the provider, then try again",
            response.status()
        )));
    }
    let bytes = read_body(response, entra_http::caps::JWKS, "the signing keys", jwks_uri.as_str()).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::network(format!("The signing keys at {jwks_uri} are not a JWKS document ({e}): check the provider's jwks_uri"))
    })
}

/// How long fetched keys are trusted without a refresh.
const KEYS_TTL: Duration = Duration::from_secs(24 * 3600);

/// Caches discovery documents and JWKS per URL (in memory only).
#[derive(Debug, Default)]
pub struct ProviderCache {
    metadata: Mutex<HashMap<String, ProviderMetadata>>,
    keys: Mutex<HashMap<String, (JwkSet, Instant)>>,
}

impl ProviderCache {
    /// The discovery document for `candidates`, cached by the first candidate.
    pub async fn metadata(&self, http: &reqwest::Client, candidates: &[Url]) -> Result<ProviderMetadata> {
        let key = candidates.first().map(|u| u.to_string()).unwrap_or_default();
        if let Some(m) = self.metadata.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(m.clone());
        }
        let m = discover(http, candidates).await?;
        self.metadata.lock().unwrap_or_else(|p| p.into_inner()).insert(key, m.clone());
        Ok(m)
    }

    /// Keys from `jwks_uri` that contain `kid`, refetching on an unknown `kid` or after the TTL.
    pub async fn keys_with(&self, http: &reqwest::Client, jwks_uri: &Url, kid: Option<&str>) -> Result<JwkSet> {
        let cached = self.keys.lock().unwrap_or_else(|p| p.into_inner()).get(jwks_uri.as_str()).cloned();
        if let Some((set, fetched)) = &cached {
            let fresh = fetched.elapsed() < KEYS_TTL;
            let has_kid = kid.is_none_or(|k| set.find(k).is_some());
            if fresh && has_kid {
                return Ok(set.clone());
            }
        }
        let set = fetch_jwks(http, jwks_uri).await?;
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).insert(jwks_uri.to_string(), (set.clone(), Instant::now()));
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(authorize: &str, token: &str, jwks: &str, end_session: Option<&str>) -> ProviderMetadata {
        let mut doc = serde_json::json!({
            "issuer": "https://login.example.com/t/v2.0",
            "authorization_endpoint": authorize,
            "token_endpoint": token,
            "jwks_uri": jwks,
        });
        if let Some(e) = end_session {
            doc["end_session_endpoint"] = e.into();
        }
        serde_json::from_value(doc).unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn https_endpoints_pass() {
        let m = metadata("https://a.example/authorize", "https://a.example/token", "https://a.example/keys", Some("https://a.example/logout"));
        m.check_endpoints(&url("https://a.example/.well-known/openid-configuration")).unwrap();
    }

    #[test]
    fn loopback_http_passes_only_from_a_loopback_http_document() {
        let m = metadata("http://127.0.0.1:5000/authorize", "http://127.0.0.1:5000/token", "http://localhost:5000/keys", None);
        m.check_endpoints(&url("http://127.0.0.1:5000/.well-known/openid-configuration")).unwrap();
        // An https document may not send the browser or the code to plain http, even locally.
        let err = m.check_endpoints(&url("https://a.example/.well-known/openid-configuration")).unwrap_err();
        assert!(err.message().contains("authorization_endpoint"), "{}", err.message());
    }

    #[test]
    fn remote_http_file_and_custom_schemes_are_refused_naming_the_endpoint() {
        let doc = url("https://a.example/.well-known/openid-configuration");
        let cases = [
            (metadata("file:///etc/passwd", "https://a.example/token", "https://a.example/keys", None), "authorization_endpoint"),
            (metadata("https://a.example/authorize", "http://a.example/token", "https://a.example/keys", None), "token_endpoint"),
            (metadata("https://a.example/authorize", "https://a.example/token", "ms-app://keys", None), "jwks_uri"),
            (metadata("https://a.example/authorize", "https://a.example/token", "https://a.example/keys", Some("javascript:alert(1)")), "end_session_endpoint"),
        ];
        for (m, name) in cases {
            let err = m.check_endpoints(&doc).unwrap_err();
            assert_eq!(err.code(), ErrorCode::Config);
            assert!(err.message().contains(name), "{}", err.message());
            assert!(err.message().contains("must be https"), "{}", err.message());
        }
    }

    #[test]
    fn prompt_is_sent_only_when_advertised() {
        let mut m = metadata("https://a.example/authorize", "https://a.example/token", "https://a.example/keys", None);
        assert_eq!(m.supported_prompt("select_account"), None, "no list, not Microsoft: select_account may be refused");
        assert_eq!(m.supported_prompt("login").as_deref(), Some("login"), "no list: what every provider takes");
        assert_eq!(m.supported_prompt("consent").as_deref(), Some("consent"));
        assert_eq!(m.supported_prompt("create"), None, "no list: nothing beyond OIDC Core");
        // Microsoft's documents publish no list, and take select_account: known by their own field or host.
        m.cloud_instance_name = Some("microsoftonline.com".into());
        assert_eq!(m.supported_prompt("select_account").as_deref(), Some("select_account"));
        m.cloud_instance_name = None;
        m.authorization_endpoint = Url::parse("https://login.microsoftonline.us/t/oauth2/v2.0/authorize").unwrap();
        assert_eq!(m.supported_prompt("select_account").as_deref(), Some("select_account"));
        m.authorization_endpoint = Url::parse("https://login.microsoftonline.com.evil.example/authorize").unwrap();
        assert_eq!(m.supported_prompt("select_account"), None, "only Microsoft's own hosts");
        m.prompt_values_supported = Some(vec!["login".into(), "consent".into()]);
        assert_eq!(m.supported_prompt("select_account"), None);
        assert_eq!(m.supported_prompt("login").as_deref(), Some("login"));
        m.prompt_values_supported = Some(vec!["login".into(), "none".into(), "consent".into(), "select_account".into()]);
        assert_eq!(m.supported_prompt("select_account").as_deref(), Some("select_account"));
    }
}
