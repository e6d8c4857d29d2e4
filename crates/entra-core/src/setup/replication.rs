//! Waiting out Entra's replication after a registration is made.
//!
//! Entra writes a new object to one replica and answers; the next request may reach another
//! that has not seen it yet. Right after `POST /applications`, `POST /servicePrincipals` can
//! answer 400 ("… does not reference a valid application object") or 404, and a read of the new
//! application can 404 (PnP's `Register-PnPEntraIDAppForInteractiveLogin` simply sleeps 30 s).
//! We poll instead: a service principal is created once the app is seen, then both objects are
//! read until they answer, pausing 1 s, then longer up to 5 s, for at most [`Wait::timeout`],
//! every pause cancellable. A timeout is not a failure of the registration: the error says to
//! run the set-up again, which finds it by its tag and finishes.

use super::SetupProgress;
use crate::graph::map_error;
use crate::graph::models::ServicePrincipal;
use crate::graph::GraphClient;
use crate::{Error, ErrorCode, Result};
use entra_graph::resources::{SETUP_APPLICATION_SELECT, SETUP_SERVICE_PRINCIPAL_SELECT};
use entra_graph::GraphError;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How long to wait for replication, and how often to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// The longest wait (default two minutes; replication usually takes seconds).
    pub timeout: Duration,
    /// The first pause between two looks (default 1 s); it doubles up to `max_pause`.
    pub first_pause: Duration,
    /// The longest pause (default 5 s).
    pub max_pause: Duration,
}

impl Default for Wait {
    fn default() -> Self {
        Wait { timeout: Duration::from_secs(120), first_pause: Duration::from_secs(1), max_pause: Duration::from_secs(5) }
    }
}

/// One wait in progress.
struct Poll<'a> {
    wait: Wait,
    started: Instant,
    pause: Duration,
    progress: &'a (dyn Fn(SetupProgress) + Send + Sync),
    cancel: &'a CancellationToken,
}

impl<'a> Poll<'a> {
    fn new(wait: Wait, progress: &'a (dyn Fn(SetupProgress) + Send + Sync), cancel: &'a CancellationToken) -> Self {
        Poll { wait, started: Instant::now(), pause: wait.first_pause, progress, cancel }
    }

    /// Pauses before the next look; `false` when the wait is over instead.
    async fn pause(&mut self) -> Result<bool> {
        if self.started.elapsed() + self.pause > self.wait.timeout {
            return Ok(false);
        }
        (self.progress)(SetupProgress::Replicating { waited_seconds: self.started.elapsed().as_secs() as u32 });
        tokio::select! {
            _ = tokio::time::sleep(self.pause) => {}
            _ = self.cancel.cancelled() => return Err(Error::new(ErrorCode::Cancelled, "The set-up was cancelled: run it again to finish (it finds the registration by its tag)")),
        }
        self.pause = (self.pause * 2).min(self.wait.max_pause);
        Ok(true)
    }

    fn timed_out(&self, app_id: &str, what: &str, last: Option<GraphError>) -> Error {
        let last = last.map(|e| format!(" (last answer: {e})")).unwrap_or_default();
        Error::new(
            ErrorCode::Graph,
            format!(
                "The app registration (client ID {app_id}) was made, but Entra has not made {what} readable after {} s{last}. Fix: it usually takes under a minute; run the set-up again, which finds the registration by its tag and finishes",
                self.started.elapsed().as_secs()
            ),
        )
    }
}

/// Whether Graph's refusal may only mean "not replicated yet".
fn not_yet(err: &GraphError) -> bool {
    matches!(err.status(), Some(400 | 404))
}

/// The app's service principal: the one it has, else a new one (`true`: made now). A refusal
/// that may mean the app has not replicated yet is retried within `wait`.
pub(super) async fn ensure_service_principal(
    graph: &GraphClient,
    app_id: &str,
    wait: Wait,
    progress: &(dyn Fn(SetupProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<(ServicePrincipal, bool)> {
    let mut poll = Poll::new(wait, progress, cancel);
    loop {
        if let Some(sp) = graph.service_principal_by_app_id(app_id, SETUP_SERVICE_PRINCIPAL_SELECT).await.map_err(map_error)? {
            return Ok((sp, false));
        }
        progress(SetupProgress::CreatingServicePrincipal);
        let refusal = match graph.create_service_principal(app_id).await {
            Ok(sp) => return Ok((sp, true)),
            // 409: made meanwhile (another run, or our own POST whose answer was lost): read it.
            Err(e) if not_yet(&e) || e.status() == Some(409) || e.may_have_been_carried_out() => e,
            Err(e) => return Err(map_error(e)),
        };
        if !poll.pause().await? {
            return Err(poll.timed_out(app_id, "it visible to create its service principal", Some(refusal)));
        }
    }
}

/// Reads the application (by object ID) and its service principal (by appId) until both answer.
pub(super) async fn until_readable(
    graph: &GraphClient,
    object_id: &str,
    app_id: &str,
    wait: Wait,
    progress: &(dyn Fn(SetupProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<()> {
    let mut poll = Poll::new(wait, progress, cancel);
    loop {
        let last = match graph.get_application_selected(object_id, SETUP_APPLICATION_SELECT).await {
            Ok(_) => match graph.service_principal_by_app_id(app_id, SETUP_SERVICE_PRINCIPAL_SELECT).await {
                Ok(Some(_)) => return Ok(()),
                Ok(None) => None,
                Err(e) if not_yet(&e) => Some(e),
                Err(e) => return Err(map_error(e)),
            },
            Err(e) if not_yet(&e) => Some(e),
            Err(e) => return Err(map_error(e)),
        };
        if !poll.pause().await? {
            return Err(poll.timed_out(app_id, "it and its service principal", last));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_graph::{BearerToken, TokenError, TokenSource};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    struct Token;

    #[async_trait::async_trait]
    impl TokenSource for Token {
        async fn token(&self) -> std::result::Result<BearerToken, TokenError> {
            Ok(BearerToken::new("t"))
        }
    }

    type Answer = fn(&str, usize) -> (u16, String);

    /// A Graph stand-in on loopback: each request line ("POST /v1.0/servicePrincipals") and its
    /// index go to `answer`; what it sent is kept in order.
    async fn graph(answer: Answer) -> (GraphClient, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v1.0", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, count) = (seen.clone(), Arc::new(AtomicUsize::new(0)));
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (log, count) = (log.clone(), count.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_string();
                    let line = head.rsplit_once(' ').map_or(head.clone(), |(l, _)| l.to_string());
                    log.lock().unwrap().push(line.clone());
                    let (status, body) = answer(&line, count.fetch_add(1, Ordering::SeqCst));
                    let reply = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                    let _ = stream.write_all(reply.as_bytes()).await;
                });
            }
        });
        let client = GraphClient::new(url::Url::parse(&base).unwrap(), crate::http::client(None).unwrap(), Arc::new(Token));
        (client, seen)
    }

    const WAIT: Wait = Wait { timeout: Duration::from_millis(300), first_pause: Duration::from_millis(10), max_pause: Duration::from_millis(40) };
    const NOT_YET: &str = r#"{"error":{"code":"Request_BadRequest","message":"The appId 'a' of the service principal does not reference a valid application object."}}"#;

    #[tokio::test]
    async fn a_service_principal_is_created_once_the_new_app_has_replicated() {
        let (graph, seen) = graph(|line, i| match (line.starts_with("GET"), i) {
            (true, _) => (200, r#"{"value":[]}"#.into()),
            (false, 1 | 3) => (400, NOT_YET.into()),
            (false, _) => (201, r#"{"id":"sp-1","appId":"a"}"#.into()),
        })
        .await;
        let progress = Mutex::new(Vec::new());
        let report = |p: SetupProgress| progress.lock().unwrap().push(p);
        let (sp, created) = ensure_service_principal(&graph, "a", WAIT, &report, &CancellationToken::new()).await.unwrap();
        assert_eq!((sp.id.as_str(), created), ("sp-1", true));
        let posts = seen.lock().unwrap().iter().filter(|l| l.starts_with("POST /v1.0/servicePrincipals")).count();
        assert_eq!(posts, 3, "{:?}", seen.lock().unwrap());
        assert!(progress.lock().unwrap().iter().any(|p| matches!(p, SetupProgress::Replicating { .. })));
    }

    #[tokio::test]
    async fn an_existing_service_principal_is_used_and_none_is_made() {
        let (graph, seen) = graph(|_, _| (200, r#"{"value":[{"id":"sp-0","appId":"a"}]}"#.into())).await;
        let (sp, created) = ensure_service_principal(&graph, "a", WAIT, &|_| {}, &CancellationToken::new()).await.unwrap();
        assert_eq!((sp.id.as_str(), created), ("sp-0", false));
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_wait_is_bounded_and_says_to_run_the_set_up_again() {
        let (graph, _) = graph(|_, _| (404, r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'o' does not exist."}}"#.into())).await;
        let started = Instant::now();
        let err = until_readable(&graph, "o", "client-1", WAIT, &|_| {}, &CancellationToken::new()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(err.code(), ErrorCode::Graph);
        assert!(err.message().contains("client ID client-1") && err.message().contains("run the set-up again"), "{}", err.message());
        assert!(err.message().contains("Request_ResourceNotFound"), "the last answer is named: {}", err.message());
    }

    #[tokio::test]
    async fn a_cancel_stops_the_wait() {
        let (graph, _) = graph(|_, _| (404, "{}".into())).await;
        let cancel = CancellationToken::new();
        let later = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            later.cancel();
        });
        let long = Wait { timeout: Duration::from_secs(30), ..WAIT };
        let err = until_readable(&graph, "o", "a", long, &|_| {}, &cancel).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::Cancelled, "{}", err.message());
    }

    #[tokio::test]
    async fn a_refusal_that_is_not_about_replication_is_not_retried() {
        let (graph, seen) = graph(|line, _| match line.starts_with("GET") {
            true => (200, r#"{"value":[]}"#.into()),
            false => (403, r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#.into()),
        })
        .await;
        let err = ensure_service_principal(&graph, "a", WAIT, &|_| {}, &CancellationToken::new()).await.unwrap_err();
        assert_eq!(err.graph().map(|g| g.status), Some(403));
        assert_eq!(seen.lock().unwrap().len(), 2, "one look, one refused create");
    }
}
