//! The set-up assistant's second way to Graph: the admin's own Azure CLI sign-in (`az login`),
//! through azure_identity's `AzureCliCredential` ([`crate::auth::app_only::azure_cli`]).
//!
//! It is the `az` tool that signs in and holds the session; Entra Desk only asks it for a
//! Graph token (`az account get-access-token --scope …`), as any Azure SDK does, and never
//! presents the Azure CLI's client ID itself. The credential runs `az` on every call, so the
//! token is kept here, in memory, until five minutes before it ends; it is never written or
//! logged. Its `scp` explains a 403 ([`AzureCliTokens::granted`]).

use crate::auth::app_only::{self, Credential};
use crate::permissions::Granted;
use crate::secret::AccessToken;
use crate::Result;
use chrono::{DateTime, Utc};
use entra_graph::{BearerToken, GraphClient, TokenError, TokenSource};
use std::path::PathBuf;
use std::sync::Arc;
use url::Url;

/// Microsoft Graph's hosts in Microsoft's clouds: a token for one of them is asked for that
/// host's `/.default`.
const GRAPH_HOSTS: &[&str] = &["graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"];

/// Where the Azure CLI path registers: the tenant `az` signs in to and the Graph to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureCliTarget {
    /// The tenant to ask `az` for (`--tenant`); `None`: the CLI's default tenant.
    pub tenant_id: Option<String>,
    /// Graph's base URL (the default: `https://graph.microsoft.com/v1.0`).
    pub graph_url: Url,
    /// An extra root certificate (PEM) for a Graph behind a private CA (the TLS demo tenant).
    pub ca_cert: Option<PathBuf>,
}

impl AzureCliTarget {
    /// The target from what the admin gave: a tenant (else the CLI's default), a Graph base URL
    /// (else Microsoft Graph's, [`crate::config::DEFAULT_GRAPH_URL`]; https, or http on loopback
    /// only), and an extra root certificate.
    pub fn new(tenant_id: Option<String>, graph_url: Option<&str>, ca_cert: Option<PathBuf>) -> Result<AzureCliTarget> {
        let graph_url = crate::config::values::parse_url(
            "graphUrl",
            graph_url.unwrap_or(crate::config::DEFAULT_GRAPH_URL),
            "for Microsoft Graph use https://graph.microsoft.com/v1.0",
        )?;
        let tenant_id = tenant_id.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        if let Some(tenant) = tenant_id.as_deref().filter(|t| !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')) {
            return Err(crate::Error::invalid_input(format!(
                "`{tenant}` is not a tenant ID or domain: use the directory (tenant) ID GUID or a domain such as contoso.onmicrosoft.com"
            )));
        }
        Ok(AzureCliTarget { tenant_id, graph_url: crate::config::values::trim_slash(graph_url), ca_cert })
    }
}

/// The scope to ask `az` for: `https://{host}/.default` for a Microsoft Graph host, else the
/// public cloud's (a Graph stand-in such as the demo tenant accepts its audience).
pub fn graph_scope(graph_url: &Url) -> String {
    match graph_url.host_str() {
        Some(host) if GRAPH_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) => format!("https://{}/.default", host.to_ascii_lowercase()),
        _ => "https://graph.microsoft.com/.default".to_string(),
    }
}

/// Tokens from `az`, kept until shortly before they end.
pub(crate) struct AzureCliTokens {
    credential: Credential,
    scope: String,
    cached: tokio::sync::Mutex<Option<(AccessToken, DateTime<Utc>)>>,
}

impl AzureCliTokens {
    /// What the current token grants (its `scp`), to explain a 403; `None` before the first
    /// token or for an unreadable one.
    pub(crate) async fn granted(&self) -> Option<Granted> {
        self.cached.lock().await.as_ref().and_then(|(token, _)| Granted::of_token(token.expose()))
    }
}

#[async_trait::async_trait]
impl TokenSource for AzureCliTokens {
    async fn token(&self) -> std::result::Result<BearerToken, TokenError> {
        let mut cached = self.cached.lock().await;
        let now = Utc::now();
        if let Some((token, _)) = cached.as_ref().filter(|(_, at)| *at - now > chrono::Duration::minutes(5)) {
            return Ok(BearerToken::new(token.expose()));
        }
        match app_only::token(&self.credential, &self.scope, "Azure CLI", now).await {
            Ok((token, expires_at)) => {
                let bearer = BearerToken::new(token.expose());
                *cached = Some((token, expires_at));
                Ok(bearer)
            }
            Err(err) => Err(TokenError::new(err.message().to_string()).with_source(err)),
        }
    }

    async fn token_rejected(&self) {
        self.cached.lock().await.take();
    }
}

/// A Graph client whose tokens come from `az`, and its token source (for [`AzureCliTokens::granted`]).
pub(crate) fn client(target: &AzureCliTarget) -> Result<(GraphClient, Arc<AzureCliTokens>)> {
    let credential = app_only::azure_cli(target.tenant_id.as_deref())?;
    let tokens = Arc::new(AzureCliTokens { credential, scope: graph_scope(&target.graph_url), cached: tokio::sync::Mutex::new(None) });
    let http = crate::http::client(target.ca_cert.as_deref())?;
    Ok((GraphClient::new(target.graph_url.clone(), http, tokens.clone()), tokens))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_follows_microsofts_graph_hosts_else_the_public_cloud() {
        let scope = |url: &str| graph_scope(&Url::parse(url).unwrap());
        assert_eq!(scope("https://graph.microsoft.com/v1.0"), "https://graph.microsoft.com/.default");
        assert_eq!(scope("https://Graph.Microsoft.US/v1.0"), "https://graph.microsoft.us/.default");
        assert_eq!(scope("https://microsoftgraph.chinacloudapi.cn/v1.0"), "https://microsoftgraph.chinacloudapi.cn/.default");
        assert_eq!(scope("https://127.0.0.1:4321/v1.0"), "https://graph.microsoft.com/.default");
    }
}
