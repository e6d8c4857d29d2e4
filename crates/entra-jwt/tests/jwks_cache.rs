//! Keys from URLs: discovery → jwks_uri over a local HTTP server, the disk cache
//! (offline use, duration expiry, disabled), and the unknown-kid refresh rate limit
//! with an injected clock.
mod common;

use common::*;
use entra_jwt::jwks_cache::{resolve_keys, Fetcher, JwksCache, KeySource};
use entra_jwt::{Error, HttpFetcher, Result};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A fake network: a JWKS that can change, a switch to go offline, and a call counter.
struct FakeNet {
    jwks: Mutex<String>,
    online: Mutex<bool>,
    calls: AtomicUsize,
}

impl FakeNet {
    fn new(jwks: &str) -> Self {
        FakeNet { jwks: Mutex::new(jwks.into()), online: Mutex::new(true), calls: AtomicUsize::new(0) }
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Fetcher for FakeNet {
    fn get(&self, url: &str) -> impl std::future::Future<Output = Result<String>> + Send {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let result = if *self.online.lock().unwrap() {
            Ok(self.jwks.lock().unwrap().clone())
        } else {
            Err(Error::Fetch(format!("GET {url} failed: offline")))
        };
        async move { result }
    }
}

const URL: &str = "https://login.example/common/discovery/v2.0/keys";

fn jwks_with(kids: &[&str]) -> String {
    let doc: serde_json::Value = serde_json::from_str(&read("test-jwks.json")).unwrap();
    let keys: Vec<_> = doc["keys"].as_array().unwrap().iter().filter(|k| kids.contains(&k["kid"].as_str().unwrap())).cloned().collect();
    serde_json::json!({ "keys": keys }).to_string()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn cached_keys_are_used_offline_until_and_after_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = JwksCache::new(dir.path(), Duration::from_secs(3600));
    let net = FakeNet::new(&jwks_with(&["test-rsa"]));
    let src = KeySource::JwksUrl(URL.into());
    rt().block_on(async {
        let first = resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0)).await.unwrap();
        assert!(first.origin.contains("fetched"));
        assert_eq!(net.calls(), 1);
        assert!(cache.path_for(URL).exists());
        *net.online.lock().unwrap() = false;
        // Fresh: no network at all.
        let cached = resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0 + 3599)).await.unwrap();
        assert!(cached.origin.contains("cached"), "{}", cached.origin);
        assert_eq!(net.calls(), 1);
        // Stale: the network is tried, fails, and the stale keys are used with a note.
        let stale = resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0 + 3601)).await.unwrap();
        assert_eq!(net.calls(), 2);
        assert!(stale.notes.iter().any(|n| n.contains("Offline")), "{:?}", stale.notes);
        assert_eq!(stale.keys.keys.len(), 1);
        // Stale and online: refreshed.
        *net.online.lock().unwrap() = true;
        let refreshed = resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0 + 3700)).await.unwrap();
        assert!(refreshed.origin.contains("fetched"));
        assert_eq!(net.calls(), 3);
    });
}

#[test]
fn zero_duration_disables_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = JwksCache::new(dir.path(), Duration::ZERO);
    let net = FakeNet::new(&jwks_with(&["test-rsa"]));
    let src = KeySource::JwksUrl(URL.into());
    rt().block_on(async {
        resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0)).await.unwrap();
        resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0 + 1)).await.unwrap();
        assert_eq!(net.calls(), 2);
        assert!(!cache.path_for(URL).exists());
        *net.online.lock().unwrap() = false;
        assert!(resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0 + 2)).await.is_err());
    });
}

#[test]
fn unknown_kid_forces_one_refresh_at_most_every_five_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = JwksCache::new(dir.path(), Duration::from_secs(86_400));
    let net = FakeNet::new(&jwks_with(&["test-rsa"]));
    let src = KeySource::JwksUrl(URL.into());
    rt().block_on(async {
        resolve_keys(&src, Some("test-rsa"), Some(&cache), &net, at(T0)).await.unwrap();
        assert_eq!(net.calls(), 1);
        // Within 5 minutes of the last fetch an unknown kid does not hit the network.
        let r = resolve_keys(&src, Some("new-kid"), Some(&cache), &net, at(T0 + 120)).await.unwrap();
        assert_eq!(net.calls(), 1);
        assert!(r.notes.iter().any(|n| n.contains("at most once every 5 minutes")), "{:?}", r.notes);
        // After 5 minutes it does, once; the key has rolled in.
        *net.jwks.lock().unwrap() = jwks_with(&["test-rsa", "test-ec"]);
        let r = resolve_keys(&src, Some("test-ec"), Some(&cache), &net, at(T0 + 301)).await.unwrap();
        assert_eq!(net.calls(), 2);
        assert!(r.keys.keys.iter().any(|k| k.kid.as_deref() == Some("test-ec")));
        // A still-unknown kid right after that refresh is rate limited again.
        resolve_keys(&src, Some("other"), Some(&cache), &net, at(T0 + 400)).await.unwrap();
        assert_eq!(net.calls(), 2);
        resolve_keys(&src, Some("other"), Some(&cache), &net, at(T0 + 602)).await.unwrap();
        assert_eq!(net.calls(), 3);
        // Known kids keep being served from the cache.
        resolve_keys(&src, Some("test-ec"), Some(&cache), &net, at(T0 + 700)).await.unwrap();
        assert_eq!(net.calls(), 3);
    });
}

/// A tiny HTTP/1.1 server on 127.0.0.1:0 serving discovery + JWKS, counting requests.
fn serve(jwks: String) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let (base2, hits2) = (base.clone(), hits.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            hits2.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, body) = match path.as_str() {
                "/tenant/v2.0/.well-known/openid-configuration" => ("200 OK", format!("{{\"issuer\":\"x\",\"jwks_uri\":\"{base2}/tenant/discovery/v2.0/keys\"}}")),
                "/tenant/discovery/v2.0/keys" => ("200 OK", jwks.clone()),
                "/nojwks/.well-known/openid-configuration" => ("200 OK", "{\"issuer\":\"x\"}".to_string()),
                _ => ("404 Not Found", "{\"error\":\"not found\"}".to_string()),
            };
            let _ = write!(s, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    (base, hits)
}

#[test]
fn metadata_address_discovers_the_jwks_over_http_and_caches_it() {
    let (base, hits) = serve(jwks_with(&["test-rsa", "test-ec"]));
    let dir = tempfile::tempdir().unwrap();
    let cache = JwksCache::new(dir.path(), Duration::from_secs(3600));
    let fetcher = HttpFetcher::new().unwrap();
    let src = KeySource::Metadata(format!("{base}/tenant/v2.0/.well-known/openid-configuration"));
    rt().block_on(async {
        let r = resolve_keys(&src, Some("test-ec"), Some(&cache), &fetcher, at(T0)).await.unwrap();
        assert_eq!(r.keys.keys.len(), 2);
        assert_eq!(hits.load(Ordering::SeqCst), 2, "discovery + JWKS");
        let again = resolve_keys(&src, Some("test-ec"), Some(&cache), &fetcher, at(T0 + 10)).await.unwrap();
        assert!(again.origin.contains("cached"));
        assert_eq!(hits.load(Ordering::SeqCst), 2);
        // A whole inspection through the profile pipeline verifies against the fetched keys.
        let token = sign(jsonwebtoken::Algorithm::ES256, Some("test-ec"), &v2_claims());
        let ins = entra_jwt::inspect_with_profile(&token, &settings(), Some(&src), Some(&cache), &fetcher, &entra_jwt::NoGroupNames, at(T0)).await.unwrap();
        assert!(ins.valid, "{:#?}", ins.checks);
        assert!(ins.keys_from.unwrap().contains("cached"));

        let missing = KeySource::Metadata(format!("{base}/nojwks/.well-known/openid-configuration"));
        let err = resolve_keys(&missing, None, None, &fetcher, at(T0)).await.unwrap_err();
        assert!(err.to_string().contains("no jwks_uri"), "{err}");
        let not_found = KeySource::JwksUrl(format!("{base}/wrong"));
        let err = resolve_keys(&not_found, None, None, &fetcher, at(T0)).await.unwrap_err();
        assert!(err.to_string().contains("404"), "{err}");
        // A key failure becomes a failed signature check, not an error.
        let ins = entra_jwt::inspect_with_profile(&token, &settings(), Some(&not_found), None, &fetcher, &entra_jwt::NoGroupNames, at(T0)).await.unwrap();
        assert!(check(&ins, "signature").detail.contains("could not be loaded"));
    });
}

/// Answers a metadata document naming `jwks_uri` for `.well-known` addresses, the JWKS otherwise; records every URL asked for.
struct Recorder {
    jwks_uri: String,
    asked: Mutex<Vec<String>>,
}

impl Fetcher for Recorder {
    fn get(&self, url: &str) -> impl std::future::Future<Output = Result<String>> + Send {
        self.asked.lock().unwrap().push(url.to_string());
        let body = if url.contains(".well-known") { serde_json::json!({ "jwks_uri": self.jwks_uri }).to_string() } else { jwks_with(&["test-rsa"]) };
        async move { Ok(body) }
    }
}

#[test]
fn key_addresses_must_be_https_or_loopback_http_and_nothing_else_is_fetched() {
    let now = at(T0);
    let run = |source: KeySource, jwks_uri: &str| {
        let net = Recorder { jwks_uri: jwks_uri.into(), asked: Mutex::new(Vec::new()) };
        let result = rt().block_on(resolve_keys(&source, Some("test-rsa"), None, &net, now)).map(|r| r.keys.keys.len());
        (result, net.asked.into_inner().unwrap())
    };
    for bad in ["http://keys.example/jwks", "file:///etc/passwd", "ftp://keys.example/jwks", "javascript:alert(1)"] {
        let (result, asked) = run(KeySource::JwksUrl(bad.into()), "");
        let err = result.unwrap_err().to_string();
        assert!(err.contains("https://"), "{bad}: {err}");
        assert!(asked.is_empty(), "{bad} must not be fetched: {asked:?}");
    }
    // Loopback http (the demo tenant) is fine, and so is https.
    assert_eq!(run(KeySource::JwksUrl("http://127.0.0.1:5000/keys".into()), "").0.unwrap(), 1);
    assert_eq!(run(KeySource::JwksUrl(URL.into()), "").0.unwrap(), 1);
    // An https metadata document may not send us to http, not even on this machine.
    let metadata = "https://login.example/t/v2.0/.well-known/openid-configuration";
    let (result, asked) = run(KeySource::Metadata(metadata.into()), "http://127.0.0.1:5000/keys");
    assert!(result.unwrap_err().to_string().contains("jwks_uri"));
    assert_eq!(asked, [metadata], "the http jwks_uri was not fetched");
    let (result, _) = run(KeySource::Metadata(metadata.into()), "file:///etc/passwd");
    assert!(result.is_err());
    assert_eq!(run(KeySource::Metadata(metadata.into()), "https://login.example/t/keys").0.unwrap(), 1);
    // A loopback http document may name loopback http keys (the demo tenant).
    let local = "http://127.0.0.1:5000/t/v2.0/.well-known/openid-configuration";
    assert_eq!(run(KeySource::Metadata(local.into()), "http://127.0.0.1:5000/t/keys").0.unwrap(), 1);
}
