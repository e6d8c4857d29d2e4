//! Our reqwest 0.12 client as `azure_core`'s HTTP transport.
//!
//! azure_core 1.x ships a transport for reqwest 0.13 (with aws-lc-rs). Using
//! it would build a second HTTP/TLS stack and install a second rustls crypto
//! provider in the process; instead azure_core's default features are off and
//! this adapter sends its requests through the same client as the rest of the
//! core — which also carries the extra root CA for a TLS demo tenant and the
//! no-redirect rule.

use async_trait::async_trait;
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::{AsyncRawResponse, Body, HttpClient, Method, Request};
use std::collections::HashMap;

/// Adapts a `reqwest::Client` to `azure_core::http::HttpClient`.
#[derive(Debug, Clone)]
pub struct ReqwestTransport(pub reqwest::Client);

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
        _ => reqwest::Method::POST,
    }
}

#[async_trait]
impl HttpClient for ReqwestTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        use azure_core::error::{Error, ErrorKind};
        let mut builder = self.0.request(method(request.method()), request.url().clone());
        for (name, value) in request.headers().iter() {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder = match request.body() {
            Body::Bytes(bytes) => builder.body(bytes.to_vec()),
            #[allow(unreachable_patterns)]
            _ => return Err(Error::with_message(ErrorKind::Other, "streaming request bodies are not supported by Entra Desk's transport")),
        };
        let response = builder.send().await.map_err(|e| {
            let kind = if e.is_connect() { ErrorKind::Connection } else { ErrorKind::Io };
            Error::with_error(kind, e, "the HTTP request failed")
        })?;
        let status = response.status().as_u16();
        let headers: HashMap<HeaderName, HeaderValue> = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((HeaderName::from(k.as_str().to_owned()), HeaderValue::from(v.to_str().ok()?.to_owned()))))
            .collect();
        let body = response.bytes().await.map_err(|e| Error::with_error(ErrorKind::Io, e, "reading the HTTP response failed"))?;
        Ok(AsyncRawResponse::from_bytes(status.into(), Headers::from(headers), body))
    }
}
