//! The loopback listener that receives the browser's redirect (RFC 8252 §7.3).
//!
//! Modelled on Modrinth's `auth_code_reply.rs`: a small tokio TCP listener on
//! the loopback host the redirect URI names, at a port the OS picks, answering
//! exactly one redirect. For `localhost` it listens on both `127.0.0.1` and
//! `[::1]` at the same port, because the browser may resolve `localhost` to
//! either; for `127.0.0.1` only there. Each connection is handled on its own
//! task, so a browser's idle pre-connection cannot hold up the real redirect.
//! Only a request for the redirect path carrying our `state` ends the wait:
//! other paths (`/favicon.ico`, probes) get a 404, and a redirect with another
//! `state` (a stale tab, a forged link) gets a small error page, while the
//! sign-in keeps waiting for the real one. An accept error (e.g. out of file
//! descriptors) backs off instead of spinning. The accept loops stop when the
//! waiter is done (result received, cancelled or timed out).

use crate::aadsts::identity_error;
use crate::error::IdentityErrorDetails;
use crate::{Error, ErrorCode, Result};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The largest request head the listener reads; a redirect is far smaller.
const MAX_REQUEST: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound listener, before the browser is sent off.
#[derive(Debug)]
pub struct LoopbackListener {
    listeners: Vec<TcpListener>,
    redirect_uri: Url,
}

fn bind_error(host: &str, e: std::io::Error) -> Error {
    Error::new(ErrorCode::Internal, format!("Cannot listen on {host} for the sign-in redirect ({e}): check local firewall rules")).with_source(e)
}

impl LoopbackListener {
    /// Binds the loopback host of `template` (both `127.0.0.1` and `[::1]` for `localhost`) at a
    /// free port, and forms the redirect URI from `template`'s scheme, host and path plus that port.
    pub async fn bind(template: &Url) -> Result<LoopbackListener> {
        let v4 = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| bind_error("127.0.0.1", e))?;
        let port = v4.local_addr().map_err(|e| Error::internal(format!("Cannot read the listener's port: {e}")))?.port();
        let mut listeners = vec![v4];
        if template.host_str().is_some_and(|h| h.eq_ignore_ascii_case("localhost")) {
            // Best effort: a machine without IPv6 loopback resolves localhost to 127.0.0.1 only.
            match TcpListener::bind(("::1", port)).await {
                Ok(v6) => listeners.push(v6),
                Err(e) => tracing::debug!("no IPv6 loopback listener for the sign-in redirect: {e}"),
            }
        }
        let mut redirect_uri = template.clone();
        redirect_uri.set_port(Some(port)).map_err(|_| Error::config("Setting `redirectUri` cannot take a port: use http://localhost"))?;
        redirect_uri.set_query(None);
        redirect_uri.set_fragment(None);
        Ok(LoopbackListener { listeners, redirect_uri })
    }

    /// The redirect URI to send to the provider (with the chosen port).
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Waits for the redirect carrying `expected_state` and returns its authorization code.
    ///
    /// Fails with [`ErrorCode::SignInCancelled`] when `cancel` fires or the provider says
    /// `access_denied`, [`ErrorCode::SignInTimeout`] after `timeout`, and [`ErrorCode::Identity`]
    /// for a provider error. A redirect whose `state` is not ours is answered and ignored.
    pub async fn wait_for_code(self, expected_state: &str, cancel: CancellationToken, timeout: Duration) -> Result<String> {
        let (results_tx, mut results_rx) = mpsc::channel::<Result<String>>(1);
        let shutdown = CancellationToken::new();
        let expected = Arc::new(CallbackCheck { state: expected_state.to_string(), path: self.redirect_uri.path().to_string() });
        for listener in self.listeners {
            tokio::spawn(accept_loop(listener, expected.clone(), results_tx.clone(), shutdown.clone()));
        }
        drop(results_tx);

        let outcome = tokio::select! {
            r = results_rx.recv() => r.unwrap_or_else(|| Err(Error::internal("The sign-in listener stopped unexpectedly: try again"))),
            _ = cancel.cancelled() => Err(Error::new(ErrorCode::SignInCancelled, "The sign-in was cancelled: start it again when ready")),
            _ = tokio::time::sleep(timeout) => Err(Error::new(
                ErrorCode::SignInTimeout,
                format!("The sign-in was not completed within {} seconds: start it again, and finish signing in in the browser (or raise the time-out)", timeout.as_secs()),
            )),
        };
        shutdown.cancel();
        outcome
    }
}

#[derive(Debug)]
struct CallbackCheck {
    state: String,
    path: String,
}

/// The first and the longest pause after a failed `accept` (e.g. EMFILE), so a persistent
/// error does not spin a core.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

async fn accept_loop(listener: TcpListener, check: Arc<CallbackCheck>, results: mpsc::Sender<Result<String>>, shutdown: CancellationToken) {
    let mut backoff = ACCEPT_BACKOFF.0;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::debug!("sign-in listener accept failed, pausing {backoff:?}: {e}");
                        tokio::select! {
                            _ = shutdown.cancelled() => break,
                            _ = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                        continue;
                    }
                };
                backoff = ACCEPT_BACKOFF.0;
                let check = check.clone();
                let results = results.clone();
                tokio::spawn(async move {
                    if let Some(result) = handle(stream, &check).await {
                        // Only the first result matters; later ones find the channel full or closed.
                        let _ = results.try_send(result);
                    }
                });
            }
        }
    }
}

/// Serves one connection. Returns `Some` when it was the redirect (successful or not).
async fn handle(mut stream: TcpStream, check: &CallbackCheck) -> Option<Result<String>> {
    let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Some(head)) => head,
        _ => return None,
    };
    let target = parse_request_line(&head)?;
    let url = Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if url.path() != check.path {
        let _ = respond(&mut stream, "404 Not Found", "Not found", "Entra Desk is waiting for a sign-in redirect; nothing else is served here.").await;
        return None;
    }
    if url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v) != Some(check.state.as_str().into()) {
        // Not our redirect: say so in that tab, keep waiting for the real one.
        let _ = respond(&mut stream, "400 Bad Request", "Not this sign-in", &format!("{STATE_MISMATCH}. If you are signing in to Entra Desk, finish in the tab it opened last.")).await;
        return None;
    }
    let result = interpret(&url, &check.state);
    let (status, title, body) = match &result {
        Ok(_) => ("200 OK", "Signed in", "You are signed in to Entra Desk. You can close this tab and return to the app.".to_string()),
        Err(e) if e.code() == ErrorCode::SignInCancelled => ("200 OK", "Sign-in cancelled", format!("{} You can close this tab.", e.message())),
        Err(e) => ("400 Bad Request", "Sign-in failed", format!("{} You can close this tab.", e.message())),
    };
    let _ = respond(&mut stream, status, title, &body).await;
    Some(result)
}

/// Reads up to the end of the request head (`\r\n\r\n`).
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > MAX_REQUEST {
            break;
        }
    }
    String::from_utf8(buf).ok()
}

/// `GET /path?query HTTP/1.1` → `/path?query`. Other methods are ignored.
fn parse_request_line(head: &str) -> Option<&str> {
    let mut parts = head.lines().next()?.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    (method == "GET" && target.starts_with('/')).then_some(target)
}

/// The start of the message for a redirect that is not this sign-in's.
const STATE_MISMATCH: &str = "This redirect did not carry the state of the sign-in in progress (a stale browser tab, or a forged link)";

/// Decides what a redirect means: a code (state checked), a provider error, or a forged/stale redirect.
pub(crate) fn interpret(url: &Url, expected_state: &str) -> Result<String> {
    let get = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let state = get("state");
    if state.as_deref() != Some(expected_state) {
        // Checked first: a redirect without our state could come from anyone (CSRF); believe nothing in it.
        return Err(Error::new(ErrorCode::Identity, format!("{STATE_MISMATCH}: start the sign-in again")));
    }
    if let Some(error) = get("error") {
        let details = IdentityErrorDetails { error: error.clone(), description: get("error_description"), ..Default::default() };
        let code = if error == "access_denied" { ErrorCode::SignInCancelled } else { ErrorCode::Identity };
        return Err(identity_error(code, details));
    }
    match get("code") {
        Some(code) if !code.is_empty() => Ok(code),
        _ => Err(Error::new(ErrorCode::Identity, "The sign-in redirect carried neither a code nor an error: start the sign-in again")),
    }
}

async fn respond(stream: &mut TcpStream, status: &str, title: &str, message: &str) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} – Entra Desk</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1b1b1b}}h1{{font-size:1.4rem}}</style>\
</head><body><h1>{title}</h1><p>{}</p></body></html>",
        html_escape(message)
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> (u16, String) {
        let url = Url::parse(url).unwrap();
        let mut s = TcpStream::connect(("127.0.0.1", url.port().unwrap())).await.unwrap();
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        (out[9..12].parse().unwrap(), out)
    }

    async fn listener(path: &str) -> LoopbackListener {
        LoopbackListener::bind(&Url::parse(&format!("http://localhost{path}")).unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn returns_the_code_and_ignores_favicon() {
        let l = listener("/cb").await;
        let base = l.redirect_uri().to_string();
        assert!(base.starts_with("http://localhost:") && base.ends_with("/cb"), "{base}");
        let waiter = tokio::spawn(l.wait_for_code("s1", CancellationToken::new(), Duration::from_secs(10)));
        let (status, _) = get(&base.replace("/cb", "/favicon.ico")).await;
        assert_eq!(status, 404);
        // An idle connection (browser pre-connect) must not block the redirect.
        let _idle = TcpStream::connect(("127.0.0.1", Url::parse(&base).unwrap().port().unwrap())).await.unwrap();
        let (status, page) = get(&format!("{base}?code=abc&state=s1")).await;
        assert_eq!(status, 200);
        assert!(page.contains("You can close this tab"));
        assert_eq!(waiter.await.unwrap().unwrap(), "abc");
    }

    #[tokio::test]
    async fn a_wrong_state_gets_an_error_page_and_the_sign_in_keeps_waiting() {
        let l = listener("/cb").await;
        let base = l.redirect_uri().to_string();
        let waiter = tokio::spawn(l.wait_for_code("good", CancellationToken::new(), Duration::from_secs(10)));
        let (status, page) = get(&format!("{base}?code=abc&state=evil")).await;
        assert_eq!(status, 400);
        assert!(page.contains("did not carry the state"), "{page}");
        let (status, _) = get(&format!("{base}?code=abc")).await;
        assert_eq!(status, 400);
        assert!(!waiter.is_finished(), "a stray redirect must not end the sign-in");
        let (status, _) = get(&format!("{base}?code=real&state=good")).await;
        assert_eq!(status, 200);
        assert_eq!(waiter.await.unwrap().unwrap(), "real");
    }

    #[tokio::test]
    async fn localhost_listens_on_both_loopback_families_and_127_0_0_1_on_ipv4_only() {
        let l = listener("/cb").await;
        let port = l.redirect_uri().port().unwrap();
        let v6_available = std::net::TcpListener::bind(("::1", 0)).is_ok();
        let waiter = tokio::spawn(l.wait_for_code("s", CancellationToken::new(), Duration::from_secs(10)));
        if v6_available {
            let mut s = TcpStream::connect(("::1", port)).await.expect("localhost must be served on [::1] too");
            s.write_all(b"GET /cb?code=six&state=s HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).await.unwrap();
            assert!(out.starts_with("HTTP/1.1 200"), "{out}");
            assert_eq!(waiter.await.unwrap().unwrap(), "six");
        } else {
            waiter.abort();
        }

        let l = LoopbackListener::bind(&Url::parse("http://127.0.0.1/cb").unwrap()).await.unwrap();
        assert_eq!(l.listeners.len(), 1);
        assert!(l.redirect_uri().as_str().starts_with("http://127.0.0.1:"));
    }

    #[tokio::test]
    async fn error_redirect_becomes_an_identity_error() {
        let l = listener("/").await;
        let base = l.redirect_uri().to_string();
        let waiter = tokio::spawn(l.wait_for_code("s", CancellationToken::new(), Duration::from_secs(10)));
        get(&format!("{base}?error=invalid_request&error_description=AADSTS900144%3A+The+request+body+must+contain+client_id.&state=s")).await;
        let err = waiter.await.unwrap().unwrap_err();
        assert_eq!(err.code(), ErrorCode::Identity);
        assert_eq!(err.identity().unwrap().aadsts, Some(900144));
        assert!(err.message().starts_with("AADSTS900144: a required request parameter is missing"), "{}", err.message());

        let l = listener("/").await;
        let base = l.redirect_uri().to_string();
        let waiter = tokio::spawn(l.wait_for_code("s", CancellationToken::new(), Duration::from_secs(10)));
        get(&format!("{base}?error=access_denied&error_description=AADSTS65004%3A+User+declined&state=s")).await;
        assert_eq!(waiter.await.unwrap().unwrap_err().code(), ErrorCode::SignInCancelled);
    }

    #[tokio::test]
    async fn cancel_and_timeout() {
        let cancel = CancellationToken::new();
        let l = listener("/").await;
        let port = l.redirect_uri().port().unwrap();
        let waiter = tokio::spawn(l.wait_for_code("s", cancel.clone(), Duration::from_secs(30)));
        cancel.cancel();
        assert_eq!(waiter.await.unwrap().unwrap_err().code(), ErrorCode::SignInCancelled);
        // The listener has shut down: the port stops accepting.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());

        let l = listener("/").await;
        let err = l.wait_for_code("s", CancellationToken::new(), Duration::from_millis(100)).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::SignInTimeout);
    }
}
