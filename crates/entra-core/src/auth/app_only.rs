//! App-only sign-in (client credentials) through `azure_identity` 1.x:
//! `ClientSecretCredential`, `ClientCertificateCredential` and `AzureCliCredential`.
//!
//! - azure_identity builds the token endpoint as `{authority host}/{tenant}/oauth2/v2.0/token`
//!   from a cloud configuration; we give it a custom cloud whose authority host is the
//!   profile authority's scheme, host and port. (A path prefix before the tenant in the
//!   authority is therefore not supported for app-only sign-in.) It refuses plain-http
//!   authorities, so app-only sign-in against the demo tenant needs its TLS mode.
//! - Certificates: the PEM certificate and private key are checked to belong together and
//!   bundled into PKCS#12 in memory (never on disk) for `ClientCertificateCredential`, which
//!   signs an RS256 assertion with an `x5t` thumbprint. (azure_identity writes that thumbprint
//!   in standard base64 with padding, not base64url; Entra accepts both, and so does the demo
//!   tenant.)
//! - HTTP goes through our reqwest client ([`super::azure_transport`]).
//! - Errors: azure_identity keeps Entra's raw response inside its error; we decode it
//!   into the same AADSTS message as interactive sign-in.

use super::azure_transport::ReqwestTransport;
use super::token_endpoint::ProviderError;
use crate::aadsts::{self, identity_error};
use crate::config::{Profile, DEFAULT_TENANT};
use crate::error::IdentityErrorDetails;
use crate::secret::{AccessToken, ClientSecret};
use crate::{Error, ErrorCode, Result};
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, SecretBytes, TokenCredential};
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientCertificateCredential, ClientCertificateCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions,
};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Microsoft Graph's app-only scope: every application permission granted to the app.
pub const GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";

/// The credential an app signs in with.
#[derive(Debug, Clone)]
pub enum AppCredential {
    /// A client secret (from `ENTRA_CLIENT_SECRET` or the keychain; never a command-line value).
    ClientSecret(ClientSecret),
    /// A certificate and its RSA private key, as PEM files.
    Certificate {
        /// The certificate (PEM).
        certificate_path: PathBuf,
        /// The private key (PEM, PKCS#8 or PKCS#1).
        private_key_path: PathBuf,
    },
    /// The Azure CLI's session (`az login`).
    AzureCli,
}

/// A built credential, ready to mint tokens (it caches them itself as well).
pub type Credential = Arc<dyn TokenCredential>;

/// Which app in which tenant an app-only credential signs in as, and where.
/// Built from a resolved profile at sign-in and from the account afterwards.
#[derive(Debug, Clone, Copy)]
pub struct AppTarget<'a> {
    /// Tenant ID or domain.
    pub tenant_id: &'a str,
    /// Application (client) ID.
    pub client_id: &'a str,
    /// The authority (its host becomes azure_identity's authority host).
    pub authority: &'a url::Url,
}

impl<'a> AppTarget<'a> {
    /// The app and tenant an app-only sign-in with `profile` signs in as.
    pub fn of(profile: &'a Profile) -> Self {
        AppTarget { tenant_id: &profile.tenant_id, client_id: &profile.client_id, authority: &profile.authority }
    }
}

/// `https://host[:port]` of the profile's authority: azure_identity's "authority host".
fn authority_host(target: AppTarget<'_>) -> Result<String> {
    let authority = target.authority;
    if authority.scheme() != "https" {
        return Err(Error::config(format!(
            "App-only sign-in needs an https authority, and {authority} is plain http (azure_identity refuses it): for the demo tenant, start it with TLS and pass its CA with --ca-cert"
        )));
    }
    let host = authority.host_str().unwrap_or_default();
    Ok(match authority.port() {
        Some(port) => format!("https://{host}:{port}"),
        None => format!("https://{host}"),
    })
}

fn client_options(target: AppTarget<'_>, http: reqwest::Client) -> Result<ClientOptions> {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = authority_host(target)?;
    Ok(ClientOptions {
        cloud: Some(Arc::new(CloudConfiguration::from(cloud))),
        transport: Some(Transport::new(Arc::new(ReqwestTransport(http)))),
        // A token endpoint that refuses or does not answer is mostly a wrong authority or a network
        // down: say so within seconds. azure_core's default (8 retries within a minute) made a
        // refused connection an error only after 81 s, a hang to a pipeline step or a person.
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            max_retries: 3,
            max_total_elapsed: azure_core::time::Duration::seconds(10),
            ..Default::default()
        }),
        ..Default::default()
    })
}

fn read_pem(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::invalid_input(format!("Cannot read the {what} {} ({e}): check the path", path.display())).with_source(e)
    })
}

/// Bundles a PEM certificate and private key into PKCS#12 (DER, empty password) for azure_identity.
pub fn pem_to_pkcs12(certificate_path: &Path, private_key_path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let (cert, key) = read_certificate_and_key(certificate_path, private_key_path)?;
    let bundle = openssl::pkcs12::Pkcs12::builder()
        .name("entra-desk")
        .pkey(&key)
        .cert(&cert)
        .build2("")
        .and_then(|p| p.to_der())
        .map_err(|e| Error::internal(format!("Cannot bundle the certificate and key as PKCS#12: {e}")))?;
    Ok(zeroize::Zeroizing::new(bundle))
}

/// Reads a PEM certificate and its RSA private key, checking that they belong together.
fn read_certificate_and_key(
    certificate_path: &Path,
    private_key_path: &Path,
) -> Result<(openssl::x509::X509, openssl::pkey::PKey<openssl::pkey::Private>)> {
    let cert_pem = read_pem(certificate_path, "certificate")?;
    let key_pem = zeroize::Zeroizing::new(read_pem(private_key_path, "private key")?);
    let cert = openssl::x509::X509::from_pem(&cert_pem).map_err(|e| {
        Error::invalid_input(format!("{} is not a PEM certificate ({e}): pass the certificate uploaded to the app registration", certificate_path.display()))
    })?;
    let key = openssl::pkey::PKey::private_key_from_pem(&key_pem).map_err(|_| {
        // The OpenSSL error text is not shown: it could quote parts of the key file.
        Error::invalid_input(format!("{} is not an unencrypted PEM private key: export the key without a passphrase (PKCS#8 or RSA)", private_key_path.display()))
    })?;
    if key.id() != openssl::pkey::Id::RSA {
        return Err(Error::invalid_input(format!("{} is not an RSA key: Entra app certificates need RSA keys", private_key_path.display())));
    }
    let matches = cert.public_key().map(|pk| pk.public_eq(&key)).unwrap_or(false);
    if !matches {
        return Err(Error::invalid_input(format!(
            "The private key {} does not belong to the certificate {}: pass the key the certificate was made from",
            private_key_path.display(),
            certificate_path.display()
        )));
    }
    Ok((cert, key))
}

/// Builds the azure_identity credential for `credential`.
pub fn build(target: AppTarget<'_>, credential: &AppCredential, http: reqwest::Client) -> Result<Credential> {
    let tenant = target.tenant_id.to_string();
    let built: Credential = match credential {
        AppCredential::ClientSecret(secret) => {
            #[allow(clippy::needless_update)] // The options struct has more fields under cfg(test) upstream.
            let options = ClientSecretCredentialOptions { client_options: client_options(target, http)?, ..Default::default() };
            ClientSecretCredential::new(&tenant, target.client_id.to_string(), Secret::new(secret.expose().to_string()), Some(options))
                .map_err(|e| map_error(e, "client secret"))?
        }
        AppCredential::Certificate { certificate_path, private_key_path } => {
            let pkcs12 = pem_to_pkcs12(certificate_path, private_key_path)?;
            #[allow(clippy::needless_update)] // The options struct has more fields under cfg(test) upstream.
            let options = ClientCertificateCredentialOptions { client_options: client_options(target, http)?, ..Default::default() };
            ClientCertificateCredential::new(tenant, target.client_id.to_string(), SecretBytes::new(pkcs12.to_vec()), Some(options))
                .map_err(|e| map_error(e, "certificate"))?
        }
        // The default "organizations" is not a tenant the CLI can select: use its own default then.
        AppCredential::AzureCli => azure_cli(Some(tenant.as_str()).filter(|t| *t != DEFAULT_TENANT))?,
    };
    Ok(built)
}

/// The Azure CLI's session (`az login`) as a credential: `az account get-access-token` for
/// `tenant`, or for the CLI's default tenant. Its tokens are the signed-in person's, issued to
/// the Azure CLI by Entra (we never present the CLI's client ID ourselves).
pub fn azure_cli(tenant: Option<&str>) -> Result<Credential> {
    let options = AzureCliCredentialOptions { tenant_id: tenant.map(str::to_string), ..Default::default() };
    Ok(AzureCliCredential::new(Some(options)).map_err(|e| map_error(e, "Azure CLI"))?)
}

/// Gets a token for `scope` and its expiry on the caller's clock (`now`).
pub async fn token(credential: &Credential, scope: &str, what: &str, now: DateTime<Utc>) -> Result<(AccessToken, DateTime<Utc>)> {
    let token = credential.get_token(&[scope], None).await.map_err(|e| map_error(e, what))?;
    let remaining = (token.expires_on - azure_core::time::OffsetDateTime::now_utc()).whole_seconds();
    Ok((AccessToken::new(token.token.secret().to_string()), super::token_endpoint::expires_at(now, remaining)))
}

fn raw_provider_error(err: &azure_core::Error) -> Option<ProviderError> {
    if let azure_core::error::ErrorKind::HttpResponse { raw_response: Some(raw), .. } = err.kind() {
        return serde_json::from_slice::<ProviderError>(raw.body().as_ref()).ok();
    }
    err.downcast_ref::<azure_core::Error>().and_then(raw_provider_error)
}

fn is_connection(err: &azure_core::Error) -> bool {
    matches!(err.kind(), azure_core::error::ErrorKind::Connection | azure_core::error::ErrorKind::Io)
        || err.downcast_ref::<azure_core::Error>().is_some_and(is_connection)
}

/// Translates an azure_identity error into the core's, keeping AADSTS details.
pub fn map_error(err: azure_core::Error, what: &str) -> Error {
    if let Some(provider) = raw_provider_error(&err) {
        return identity_error(ErrorCode::Identity, provider.details()).with_source(err);
    }
    let text = err.to_string();
    if let Some(code) = aadsts::code_in(&text) {
        let details = IdentityErrorDetails {
            error: aadsts::lookup(code).map(|i| i.error.to_string()).unwrap_or_else(|| "invalid_client".into()),
            aadsts: Some(code),
            description: Some(text),
            ..Default::default()
        };
        return identity_error(ErrorCode::Identity, details).with_source(err);
    }
    if what == "Azure CLI" && (text.contains("not found on PATH") || text.contains("wasn't found on PATH")) {
        return Error::new(
            ErrorCode::NotSignedIn,
            "The Azure CLI (az) is not installed or not on PATH: install it (https://aka.ms/azcli) and run `az login`, or sign in with a certificate or ENTRA_CLIENT_SECRET",
        )
        .with_source(err);
    }
    if what == "Azure CLI" && text.contains("az login") {
        return Error::new(ErrorCode::NotSignedIn, "The Azure CLI has no signed-in session: run `az login`, then try again").with_source(err);
    }
    if is_connection(&err) {
        return Error::network(format!("Cannot reach the token endpoint for the {what} sign-in ({text}): check the authority, the network and --ca-cert")).with_source(err);
    }
    // azure_identity's own text, minus its troubleshooting link (we add our own fix).
    let first = text.lines().next().unwrap_or("").trim();
    Error::new(ErrorCode::Identity, format!("App-only sign-in with the {what} failed: {first}. Fix: check the tenant ID, client ID and the {what}")).with_source(err)
}
