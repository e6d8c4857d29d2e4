//! The core's use of Entra Desk's one HTTP policy (`entra_http`): the client for
//! identity requests, capped body reads, and transport errors that name the fix.

use crate::{Error, Result};
use entra_http::HttpError;
use std::path::Path;

/// A client for requests that carry credentials (no redirects), trusting `extra_root_ca` too, if given.
pub fn client(extra_root_ca: Option<&Path>) -> Result<reqwest::Client> {
    entra_http::client(extra_root_ca).map_err(map_http_error)
}

/// Reads a response body of at most `cap` bytes; `what` names it in the error (e.g. "the signing keys").
pub async fn read_body(response: reqwest::Response, cap: usize, what: &str, url: &str) -> Result<Vec<u8>> {
    entra_http::read_capped(response, cap).await.map_err(|e| match e {
        HttpError::Transport(err) => network_error(&format!("read {what}"), url, err),
        HttpError::TooLarge { .. } => Error::network(format!("{url} sent {what} that is too large ({e}): check that the URL is the right one")),
        other => map_http_error(other),
    })
}

/// Maps a client-building failure: a bad CA file is the user's to fix.
pub fn map_http_error(err: HttpError) -> Error {
    match err {
        HttpError::CaCert { .. } => Error::config(format!("{err}: pass the demo tenant's CA certificate file with --ca-cert")).with_source(err),
        HttpError::Transport(e) => network_error("reach the server", e.url().map(|u| u.to_string()).as_deref().unwrap_or("?"), e),
        other => Error::internal(other.to_string()).with_source(other),
    }
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
