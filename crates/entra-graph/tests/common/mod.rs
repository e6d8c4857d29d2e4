//! Test support: a local Graph stand-in (axum), a fake clock, a counting token source.
//!
//! The server answers every request through one closure the test gives it, and
//! records what it received (method, the request target exactly as sent, headers,
//! body). A request the closure does not expect gets a readable 599 (octocrab's
//! `mock_error` idea), so a wrong URL fails with a message instead of a hang.
#![allow(dead_code)]

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use entra_graph::client::ClientOptions;
use entra_graph::{BearerToken, Clock, GraphClient, RetryPolicy, TokenError, TokenSource};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// What the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query exactly as sent.
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// An answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply { status, headers: vec![("content-type".into(), "application/json".into())], body: body.to_string() }
    }
    pub fn ok(body: serde_json::Value) -> Reply {
        Reply::json(200, body)
    }
    pub fn status(status: u16) -> Reply {
        Reply { status, headers: vec![], body: String::new() }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn graph_error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            serde_json::json!({"error": {"code": code, "message": message,
                "innerError": {"date": "2024-05-01T10:00:00", "request-id": format!("req-{status}"), "client-request-id": "echo"}}}),
        )
    }
    pub fn unexpected(r: &Recorded) -> Reply {
        Reply::json(599, serde_json::json!({"error": {"code": "UnexpectedRequest", "message": format!("the test did not expect {} {}", r.method, r.target)}}))
    }
}

pub type Handler = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

/// A running stand-in.
pub struct Mock {
    pub base: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Mock {
    /// Starts a server; `handler` gets each request and its index (0 for the first).
    pub async fn start(handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Mock {
        let handler: Handler = Arc::new(handler);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let (handler, recorded) = (handler.clone(), recorded.clone());
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 1 << 24).await.unwrap();
                let r = Recorded {
                    method: parts.method.to_string(),
                    target: parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default(),
                    headers: parts.headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string())).collect(),
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                let index = {
                    let mut all = recorded.lock().unwrap();
                    all.push(r.clone());
                    all.len() - 1
                };
                let reply = handler(&r, index);
                let mut response = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
                for (k, v) in reply.headers {
                    response = response.header(k, v);
                }
                response.body(Body::from(reply.body)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Mock { base: format!("http://{addr}/v1.0"), requests }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// A server that reads each request and closes the connection without answering; counts requests.
pub async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let mut buf = vec![0u8; 16 * 1024];
            let mut seen = Vec::new();
            while let Ok(n) = stream.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
                if seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    c.fetch_add(1, Ordering::SeqCst);
                    break;
                }
            }
            drop(stream);
        }
    });
    (format!("http://{addr}/v1.0"), count)
}

/// A clock that never sleeps: `sleep` records the duration and moves time forward.
pub struct FakeClock {
    now: Mutex<SystemTime>,
    sleeps: Mutex<Vec<Duration>>,
}

impl FakeClock {
    pub fn new() -> Arc<FakeClock> {
        // A whole second, so HTTP dates (second precision) compare exactly.
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_557_600);
        Arc::new(FakeClock { now: Mutex::new(start), sleeps: Mutex::new(Vec::new()) })
    }
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
    pub fn total_slept(&self) -> Duration {
        self.sleeps().iter().sum()
    }
}

#[async_trait]
impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap()
    }
    async fn sleep(&self, duration: Duration) {
        self.sleeps.lock().unwrap().push(duration);
        *self.now.lock().unwrap() += duration;
        tokio::task::yield_now().await;
    }
}

/// A token source that counts: `token()` returns `token-<generation>`; `token_rejected()` moves to the next generation.
#[derive(Default)]
pub struct Tokens {
    pub issued: AtomicUsize,
    pub rejected: AtomicUsize,
}

#[async_trait]
impl TokenSource for Tokens {
    async fn token(&self) -> Result<BearerToken, TokenError> {
        self.issued.fetch_add(1, Ordering::SeqCst);
        Ok(BearerToken::new(format!("token-{}", self.rejected.load(Ordering::SeqCst))))
    }
    async fn token_rejected(&self) {
        self.rejected.fetch_add(1, Ordering::SeqCst);
    }
}

/// No jitter, so waits are exact.
pub fn policy() -> RetryPolicy {
    RetryPolicy { jitter: 0.0, ..RetryPolicy::default() }
}

pub struct Setup {
    pub client: GraphClient,
    pub clock: Arc<FakeClock>,
    pub tokens: Arc<Tokens>,
}

pub fn setup_with(base: &str, retry: RetryPolicy) -> Setup {
    let clock = FakeClock::new();
    let tokens = Arc::new(Tokens::default());
    let options = ClientOptions { retry, clock: clock.clone(), max_concurrent_requests: 8, ..ClientOptions::default() };
    let client = GraphClient::with_options(base.parse().unwrap(), entra_http::client(None).unwrap(), tokens.clone(), options);
    Setup { client, clock, tokens }
}

pub fn setup(mock: &Mock) -> Setup {
    setup_with(&mock.base, policy())
}

/// A collection page.
pub fn page(items: serde_json::Value, next_link: Option<&str>) -> serde_json::Value {
    let mut page = serde_json::json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications", "value": items});
    if let Some(link) = next_link {
        page["@odata.nextLink"] = link.into();
    }
    page
}

/// Collects progress events.
pub fn progress_log() -> (entra_graph::ProgressSink, Arc<Mutex<Vec<entra_graph::Progress>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    (Arc::new(move |p| l.lock().unwrap().push(p)), log)
}
