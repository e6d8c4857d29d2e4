//! The HTTP server: the router of every endpoint, the catch-all for requests
//! nobody expected, and the plain or TLS accept loop with graceful stop.

use crate::oidc::{authorize, discovery, token};
use crate::state::Shared;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/{tenant}/v2.0/.well-known/openid-configuration", get(discovery::openid_configuration_v2))
        .route("/{tenant}/.well-known/openid-configuration", get(discovery::openid_configuration_v1))
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::jwks))
        .route("/{tenant}/discovery/keys", get(discovery::jwks))
        .route("/{tenant}/discovery/instance", get(discovery::instance))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize).post(authorize::authorize_post))
        .route("/{tenant}/login", post(authorize::login))
        .route("/{tenant}/consent", post(authorize::consent))
        .route("/{tenant}/oauth2/v2.0/logout", get(authorize::logout))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route("/error", get(authorize::error_lookup))
        .route("/oidc/userinfo", get(crate::graph::userinfo).post(crate::graph::userinfo))
        .nest("/v1.0", crate::graph::router(state.clone()))
        .merge(crate::graph::emulator::router(state.clone()))
        .fallback(catch_all)
        .with_state(state)
}

/// Any request no route expected: a readable JSON error naming what was asked, except under
/// `/_emulator`, whose paths hold a token (the emulator's own 404, which echoes nothing).
async fn catch_all(request: Request) -> Response {
    let path = request.uri().path();
    if path == crate::graph::emulator::PREFIX || path.starts_with(&format!("{}/", crate::graph::emulator::PREFIX)) {
        return crate::graph::emulator::not_found();
    }
    let body = serde_json::json!({
        "error": "not_found",
        "error_description": format!(
            "The demo tenant has no endpoint for {} {}. It serves /{{tenant}}/v2.0/.well-known/openid-configuration, /{{tenant}}/discovery/v2.0/keys, /{{tenant}}/oauth2/v2.0/authorize, /{{tenant}}/oauth2/v2.0/token and Graph under /v1.0.",
            request.method(),
            request.uri().path()
        ),
    });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// A spawned server and the means to stop it.
pub struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Running {
    /// Asks the server to stop, without waiting.
    pub fn signal(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops the server and waits for its task.
    pub async fn stop(self) {
        self.signal();
        let _ = self.task.await;
    }
}

pub fn spawn(listener: tokio::net::TcpListener, state: Shared, tls: Option<Arc<rustls::ServerConfig>>) -> Running {
    let (stop, mut stopped) = watch::channel(false);
    let app = router(state);
    let task = match tls {
        None => tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(err) = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown).await {
                tracing::error!("demo tenant server failed: {err}");
            }
        }),
        Some(config) => tokio::spawn(serve_tls(listener, app, config, stopped)),
    };
    Running { stop, task }
}

async fn serve_tls(
    listener: tokio::net::TcpListener,
    app: Router,
    config: Arc<rustls::ServerConfig>,
    mut stopped: watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::service::TowerToHyperService;

    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stopped.wait_for(|s| *s) => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                tracing::warn!("accept failed: {err}");
                continue;
            }
        };
        let acceptor = acceptor.clone();
        // The peer's address, as axum::serve's connect info gives it on the plain path.
        let service = TowerToHyperService::new(app.clone().layer(axum::Extension(axum::extract::ConnectInfo(peer))));
        connections.spawn(async move {
            // A failed handshake (e.g. a client that does not trust the CA) is the client's problem.
            let Ok(tls) = acceptor.accept(stream).await else { return };
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection_with_upgrades(TokioIo::new(tls), service)
                .await;
        });
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
    }
    connections.shutdown().await;
}
