//! The HTTP client every outgoing request of the core uses.
//!
//! One place decides the rules: no redirects (a token endpoint that redirects
//! would let a hostile provider aim our form posts elsewhere — the SSRF risk
//! oauth2-rs's msgraph example warns about), bounded time-outs, rustls with
//! the public web roots plus, optionally, one extra root certificate for a
//! TLS demo tenant whose CA was generated on this machine.

use crate::{Error, Result};
use std::path::Path;
use std::time::Duration;

/// Builds a client that trusts the public roots plus `extra_root_ca` (a PEM file), if given.
pub fn client(extra_root_ca: Option<&Path>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("entra-desk/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = extra_root_ca {
        let pem = std::fs::read(path).map_err(|e| {
            Error::config(format!("Cannot read the CA certificate {} ({e}): check the --ca-cert path", path.display())).with_source(e)
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            Error::config(format!("{} is not a PEM certificate ({e}): pass the demo tenant's CA certificate file", path.display())).with_source(e)
        })?;
        if certs.is_empty() {
            return Err(Error::config(format!("{} holds no PEM certificate: pass the demo tenant's CA certificate file", path.display())));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| Error::internal(format!("Cannot build the HTTP client: {e}")).with_source(e))
}

/// Turns a transport failure into a network error that names the host and the likely fix.
pub fn network_error(what: &str, url: &str, err: reqwest::Error) -> Error {
    let fix = if err.is_timeout() {
        "the server did not answer in time; check the network and try again"
    } else if err.is_connect() {
        "check the URL, the network, and (for a TLS demo tenant) pass its CA with --ca-cert"
    } else {
        "check the URL and the network"
    };
    // reqwest's Display includes the URL, which never carries secrets here (tokens go in headers or bodies).
    Error::network(format!("Cannot {what} at {url} ({err}): {fix}")).with_source(err)
}
