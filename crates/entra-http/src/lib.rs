//! The one HTTP client policy of Entra Desk.
//!
//! Every outgoing request of the core, of the Graph client and of the JWT
//! inspector's key fetcher uses a client built here, so the rules live in one
//! place:
//!
//! - **Redirects:** none for anything that carries a credential (a token
//!   endpoint or Graph that redirects would let a hostile server aim our form
//!   posts or bearer tokens elsewhere — the SSRF risk oauth2-rs's msgraph
//!   example warns about). Public documents (JWKS, metadata) may follow at most
//!   three redirects and never from https down to http.
//! - **Time-outs:** 15 s to connect, 60 s per request (15 s for key documents).
//! - **Trust:** rustls with the public web roots plus, optionally, one extra root
//!   certificate for a TLS demo tenant whose CA was generated on this machine.
//! - **Size caps:** a body is read chunk by chunk and abandoned as soon as it
//!   passes its cap ([`read_capped`]), so a hostile server cannot make us hold
//!   gigabytes before we notice.
//!
//! Errors are this crate's own ([`HttpError`]); each caller maps them to its
//! error type and adds the fix that fits its context.

#![deny(missing_docs)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Caps for the bodies Entra Desk reads. Generous for real answers, small enough to refuse abuse.
pub mod caps {
    /// An OpenID discovery document (Entra's is ~1.7 KiB).
    pub const DISCOVERY: usize = 1 << 20;
    /// A JWKS (Entra's is ~10 KiB).
    pub const JWKS: usize = 1 << 20;
    /// A token endpoint answer (tokens are a few KiB; Entra caps headers at 64 KiB).
    pub const TOKEN: usize = 1 << 20;
    /// One Graph response: a page of 999 full application objects runs to a few MiB; `$batch` of 20 pages more.
    pub const GRAPH: usize = 64 << 20;
}

/// How a client treats redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// Never follow one (requests that carry credentials).
    None,
    /// Follow at most this many, and never from https to anything else (public documents).
    SameSchemeAtMost(usize),
}

/// What kind of client to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Redirect handling.
    pub redirects: Redirects,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for a whole request and its answer.
    pub timeout: Duration,
    /// An extra trusted root certificate (PEM file), for a TLS demo tenant.
    pub extra_root_ca: Option<PathBuf>,
}

impl Policy {
    /// For identity and Graph requests, which carry credentials: no redirects, 60 s.
    pub fn credentialed(extra_root_ca: Option<&Path>) -> Policy {
        Policy {
            redirects: Redirects::None,
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(60),
            extra_root_ca: extra_root_ca.map(Path::to_path_buf),
        }
    }

    /// For public documents (JWKS, metadata): at most 3 redirects, never a downgrade, 15 s.
    pub fn public_documents(extra_root_ca: Option<&Path>) -> Policy {
        Policy {
            redirects: Redirects::SameSchemeAtMost(3),
            connect_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(15),
            extra_root_ca: extra_root_ca.map(Path::to_path_buf),
        }
    }

    /// Builds the client.
    pub fn build(&self) -> Result<reqwest::Client, HttpError> {
        let redirect = match self.redirects {
            Redirects::None => reqwest::redirect::Policy::none(),
            Redirects::SameSchemeAtMost(max) => reqwest::redirect::Policy::custom(move |attempt| {
                // A document must not be swapped for a plain-http one behind the user's back.
                let downgrade = attempt.previous().iter().any(|u| u.scheme() == "https") && attempt.url().scheme() != "https";
                if downgrade || attempt.previous().len() > max {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }),
        };
        let mut builder = reqwest::Client::builder()
            .redirect(redirect)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(concat!("entra-desk/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &self.extra_root_ca {
            for cert in read_ca(path)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        builder.build().map_err(|e| HttpError::Build(e.to_string()))
    }
}

fn read_ca(path: &Path) -> Result<Vec<reqwest::Certificate>, HttpError> {
    let pem = std::fs::read(path).map_err(|e| HttpError::CaCert { path: path.to_path_buf(), problem: e.to_string() })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| HttpError::CaCert { path: path.to_path_buf(), problem: format!("not a PEM certificate ({e})") })?;
    if certs.is_empty() {
        return Err(HttpError::CaCert { path: path.to_path_buf(), problem: "it holds no PEM certificate".into() });
    }
    Ok(certs)
}

/// A client for requests that carry credentials (see [`Policy::credentialed`]).
pub fn client(extra_root_ca: Option<&Path>) -> Result<reqwest::Client, HttpError> {
    Policy::credentialed(extra_root_ca).build()
}

/// Reads a response body, failing as soon as it passes `cap` bytes (checked on the
/// announced `Content-Length` first, then on every chunk as it arrives).
pub async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, HttpError> {
    if let Some(len) = response.content_length() {
        if len > cap as u64 {
            return Err(HttpError::TooLarge { cap });
        }
    }
    let mut body = Vec::with_capacity(response.content_length().map_or(8 * 1024, |l| l as usize));
    while let Some(chunk) = response.chunk().await.map_err(HttpError::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(HttpError::TooLarge { cap });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// What went wrong below the caller's protocol.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpError {
    /// The extra root certificate could not be used.
    CaCert {
        /// The file given.
        path: PathBuf,
        /// Why it could not be used.
        problem: String,
    },
    /// The HTTP client could not be built (a TLS back-end problem).
    Build(String),
    /// The body passed its cap and was abandoned.
    TooLarge {
        /// The cap, in bytes.
        cap: usize,
    },
    /// The connection failed while the body was being read.
    Transport(reqwest::Error),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::CaCert { path, problem } => write!(f, "cannot use the CA certificate {} ({problem})", path.display()),
            HttpError::Build(e) => write!(f, "cannot build the HTTP client ({e})"),
            HttpError::TooLarge { cap } => write!(f, "the answer is larger than {} KiB and was abandoned", cap / 1024),
            HttpError::Transport(e) => write!(f, "the connection failed while reading the answer ({e})"),
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpError::Transport(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// Serves one raw HTTP answer on loopback and returns its URL.
    fn serve_once(answer: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(&answer);
            }
        });
        format!("http://{addr}/")
    }

    fn chunked(body_len: usize) -> Vec<u8> {
        // No Content-Length: the cap must hold while streaming.
        let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
        let mut left = body_len;
        while left > 0 {
            let n = left.min(1000);
            out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
            out.extend(std::iter::repeat_n(b'a', n));
            out.extend_from_slice(b"\r\n");
            left -= n;
        }
        out.extend_from_slice(b"0\r\n\r\n");
        out
    }

    #[tokio::test]
    async fn a_body_within_its_cap_is_read_whole() {
        let url = serve_once(chunked(5_000));
        let response = client(None).unwrap().get(url).send().await.unwrap();
        assert_eq!(read_capped(response, 5_000).await.unwrap().len(), 5_000);
    }

    #[tokio::test]
    async fn a_streamed_body_past_its_cap_is_abandoned() {
        let url = serve_once(chunked(50_000));
        let response = client(None).unwrap().get(url).send().await.unwrap();
        let err = read_capped(response, 10_000).await.unwrap_err();
        assert!(matches!(err, HttpError::TooLarge { cap: 10_000 }), "{err}");
    }

    #[tokio::test]
    async fn an_announced_length_past_the_cap_is_refused_before_reading() {
        let url = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 999999\r\nConnection: close\r\n\r\nabc".to_vec());
        let response = client(None).unwrap().get(url).send().await.unwrap();
        assert!(matches!(read_capped(response, 1000).await, Err(HttpError::TooLarge { .. })));
    }

    #[tokio::test]
    async fn credentialed_clients_do_not_follow_redirects() {
        let url = serve_once(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec());
        let response = client(None).unwrap().get(url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 302);
    }

    #[test]
    fn a_missing_ca_file_names_the_file() {
        let err = client(Some(Path::new("/nonexistent/ca.pem"))).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }
}
