//! Building the router ([`app`]) and running it ([`serve`]) until a shutdown signal.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Extension};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Deserialize;
use tower_http::timeout::TimeoutLayer;

use crate::dto::ErrorDetail;
use crate::error::ApiError;
use crate::openapi::{endpoints, router};
use crate::state::AppState;

/// The `[server]` settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to bind (default `127.0.0.1`).
    pub host: String,
    /// Port to bind (default 8000; 0 picks a free one).
    pub port: u16,
    /// Largest accepted request body, in bytes (default 1 MiB).
    pub body_limit_bytes: usize,
    /// Requests running longer get a 408, in seconds (default 30).
    pub request_timeout_seconds: f64,
    /// Most movies in one `POST /predict/batch` (default 1000).
    pub max_batch_size: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8000,
            body_limit_bytes: 1024 * 1024,
            request_timeout_seconds: 30.0,
            max_batch_size: 1000,
        }
    }
}

/// The endpoint list, shared with the 404 handler and `GET /`.
#[derive(Debug, Clone)]
pub(crate) struct Endpoints(pub Arc<Vec<String>>);

async fn not_found(Extension(Endpoints(list)): Extension<Endpoints>) -> ApiError {
    let mut e = ApiError::from_status(StatusCode::NOT_FOUND);
    e.message = format!("no such endpoint; available: {}", list.join(", "));
    e.details = list
        .iter()
        .map(|ep| ErrorDetail {
            index: None,
            field: "endpoint".into(),
            message: ep.clone(),
        })
        .collect();
    e
}

/// Gives framework-made errors (405, 408, 413 from layers) the API's JSON shape.
async fn reshape_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == HeaderValue::from_static("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut reshaped = ApiError::from_status(status).into_response();
    if let Some(allow) = allow {
        reshaped.headers_mut().insert(header::ALLOW, allow);
    }
    reshaped
}

/// The whole API over `state`: routes, OpenAPI + Swagger UI, JSON errors for everything,
/// the body limit and the request timeout from the state's settings.
pub fn app(state: AppState) -> Router {
    let settings = state.settings().clone();
    let (routes, api) = router().split_for_parts();
    let list = Endpoints(Arc::new(endpoints(&api)));
    routes
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", api))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::map_response(reshape_errors))
        .layer(Extension(list))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            // Settings are checked at load; a nonsensical value falls back to the default.
            Duration::try_from_secs_f64(settings.request_timeout_seconds)
                .unwrap_or(Duration::from_secs(30)),
        ))
}

/// Serves `app(state)` on `listener` until `shutdown` completes; requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
