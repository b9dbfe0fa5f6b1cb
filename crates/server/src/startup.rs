//! Building the router ([`app`]) and running it ([`serve`]) until a shutdown signal.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use serde::Deserialize;
use tower::{Layer, Service, ServiceBuilder};

use crate::body_limit::ContentLengthLimit;
use crate::cors::cors;
use crate::dto::ErrorDetail;
use crate::error::ApiError;
use crate::openapi::{endpoint_list, routes_and_document};
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
    /// Origins allowed by CORS, e.g. `["https://example.org"]`; `["*"]` (the default)
    /// allows any origin. Credentials are never allowed.
    pub cors_allowed_origins: Vec<String>,
    /// Feature rows of the last this many predicted movies (`/predict/movie`,
    /// `/predict/batch`) kept for `POST /monitoring/data-drift/check` without a body
    /// (default 1000; 0 keeps none).
    pub drift_window: usize,
    /// Rows of that window older than this many seconds age out, so that the drift
    /// gauges describe recent traffic and clear when it stops (default 900; 0 keeps rows
    /// until newer ones evict them).
    pub drift_window_seconds: f64,
    /// PSI at or above which a feature's drift is `low` (default 0.1).
    pub drift_psi_low: f64,
    /// PSI at or above which a feature's drift is `high` (default 0.25).
    pub drift_psi_high: f64,
    /// Seconds between refreshes of the `reelcast_feature_drift_psi` gauges from the
    /// recent-traffic window (default 60).
    pub drift_refresh_seconds: f64,
    /// `POST /feedback` pairs kept for `reelcast_live_rmse` and `reelcast_live_mae`
    /// (default 500).
    pub feedback_window: usize,
    /// Bearer token of `POST /model/reload`; empty (the default) disables the endpoint.
    pub admin_token: String,
    /// What `reelcast serve` serves: empty (the default) for the tracking registry's
    /// `models:/movie_rating_<model>@champion`, a `models:/NAME@ALIAS` or
    /// `models:/NAME/VERSION` URI, or the path of a bundle file.
    pub model: String,
    /// Seconds between checks of the registry alias for a new version; 0 checks only on
    /// `POST /model/reload` (default 30).
    pub model_poll_seconds: f64,
    /// Alertmanager base URL (e.g. `http://127.0.0.1:9093`) proxied by
    /// `GET /monitoring/alerts/active`; empty (the default) disables it.
    pub alertmanager_url: String,
    /// Prometheus base URL reported by `GET /monitoring/status`; empty (the default) for
    /// none.
    pub prometheus_url: String,
    /// A request head (request line and headers) must arrive complete within this many
    /// seconds of its first byte, or of the accept for a connection's first request;
    /// otherwise the connection gets a 408 and is closed (default 10).
    pub header_read_timeout_seconds: f64,
    /// A keep-alive connection with no request for this many seconds is closed
    /// (default 60).
    pub idle_timeout_seconds: f64,
    /// Most connections served at once (default 1000); see `reserved_connections` for
    /// the ones beyond.
    pub max_connections: usize,
    /// Connections beyond `max_connections` that are still served, one request each, but
    /// only for `/health/*` (others get a 503), so probes answer while the cap is
    /// reached; their request must arrive within a second. Connections beyond these are
    /// closed at once with a best-effort 503 (default 16).
    pub reserved_connections: usize,
    /// Bytes of a request body the server reads and discards after answering without
    /// reading it (a 413, say), so the client, still sending, reads the answer rather
    /// than a broken pipe; past this the connection is closed (default 32 MiB).
    pub body_drain_limit_bytes: u64,
    /// Seconds that draining may take (default 5).
    pub body_drain_timeout_seconds: f64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8000,
            body_limit_bytes: 1024 * 1024,
            request_timeout_seconds: 30.0,
            max_batch_size: 1000,
            cors_allowed_origins: vec!["*".into()],
            drift_window: 1000,
            drift_window_seconds: 900.0,
            drift_psi_low: 0.1,
            drift_psi_high: 0.25,
            drift_refresh_seconds: 60.0,
            feedback_window: 500,
            admin_token: String::new(),
            model: String::new(),
            model_poll_seconds: 30.0,
            alertmanager_url: String::new(),
            prometheus_url: String::new(),
            header_read_timeout_seconds: 10.0,
            idle_timeout_seconds: 60.0,
            max_connections: 1000,
            reserved_connections: 16,
            body_drain_limit_bytes: 32 * 1024 * 1024,
            body_drain_timeout_seconds: 5.0,
        }
    }
}

impl ServerSettings {
    /// The transport's limits; a nonsensical duration falls back to its default.
    fn transport_limits(&self) -> reelcast_transport::Limits {
        reelcast_transport::Limits {
            header_read_timeout: seconds(self.header_read_timeout_seconds, 10),
            idle_timeout: seconds(self.idle_timeout_seconds, 60),
            max_connections: self.max_connections,
            reserved_connections: self.reserved_connections,
            drain_limit_bytes: self.body_drain_limit_bytes,
            drain_timeout: seconds(self.body_drain_timeout_seconds, 5),
        }
    }
}

/// `s` seconds, or `default` seconds when `s` is zero, negative or not finite (settings
/// are checked at load; this is the fallback for a nonsensical value).
fn seconds(s: f64, default: u64) -> Duration {
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .unwrap_or(Duration::from_secs(default))
}

async fn not_found() -> ApiError {
    let list = endpoint_list();
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
fn reshape_errors(response: Response) -> Response {
    let status = response.status();
    // Successes pass untouched, without looking up their headers.
    let is_json = || {
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v == HeaderValue::from_static("application/json"))
    };
    if !(status.is_client_error() || status.is_server_error()) || is_json() {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let matched = response.extensions().get::<MatchedPath>().cloned();
    let mut reshaped = ApiError::from_status(status).into_response();
    if let Some(allow) = allow {
        reshaped.headers_mut().insert(header::ALLOW, allow);
    }
    // Keeps the route label of [`Observe`].
    if let Some(matched) = matched {
        reshaped.extensions_mut().insert(matched);
    }
    reshaped
}

/// A bounded method label: the standard methods, else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Per route: the request timeout (answering 408), then the route's matched pattern put
/// on its responses, 405s and 408s included, for [`Observe`], which runs outside routing
/// and cannot see it otherwise. Layered on the routes before the fallback is set, so 404s
/// carry none.
///
/// Written as a plain `tower` layer rather than `axum::middleware::from_fn` (which boxes a
/// future and clones the inner service on every request), and as one layer, because axum
/// boxes and clones each route layer separately per request.
#[derive(Debug, Clone, Copy)]
struct RouteLayer {
    timeout: Duration,
}

impl<S> Layer<S> for RouteLayer {
    type Service = TagRoute<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TagRoute {
            inner,
            timeout: self.timeout,
        }
    }
}

/// Times out and tags responses with the matched route (see [`RouteLayer`]).
#[derive(Debug, Clone)]
struct TagRoute<S> {
    inner: S,
    timeout: Duration,
}

impl<S> Service<Request> for TagRoute<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = TagRouteFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let matched = request.extensions().get::<MatchedPath>().cloned();
        TagRouteFuture {
            deadline: tokio::time::Instant::now() + self.timeout,
            inner: self.inner.call(request),
            matched,
            timer: None,
        }
    }
}

pin_project! {
    /// The future of [`TagRoute`].
    struct TagRouteFuture<F> {
        #[pin]
        inner: F,
        matched: Option<MatchedPath>,
        deadline: tokio::time::Instant,
        // Armed only when the handler first returns `Pending`: most requests finish in
        // their first poll and so never pay for inserting into and removing from the
        // runtime's timer wheel, a noticeable cost under load with a timer per request.
        timer: Option<Pin<Box<tokio::time::Sleep>>>,
    }
}

impl<F, E> Future for TagRouteFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.inner.poll(cx) {
            Poll::Ready(result) => result?,
            Poll::Pending => {
                let deadline = *this.deadline;
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                ready!(timer.as_mut().poll(cx));
                StatusCode::REQUEST_TIMEOUT.into_response()
            }
        };
        if let Some(matched) = this.matched.take() {
            response.extensions_mut().insert(matched);
        }
        Poll::Ready(Ok(response))
    }
}

/// The outermost service of [`app`]: gives framework-made errors the API's JSON shape,
/// then counts and times every request once, labelled by method, matched route (for a
/// request answered before routing, its path when that is a route, else `unmatched`)
/// and status.
#[derive(Debug, Clone)]
pub(crate) struct Observe<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for Observe<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ObserveFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = method_label(request.method());
        let unrouted = unrouted_label(request.uri().path());
        ObserveFuture {
            started: Instant::now(),
            inner: self.inner.call(request),
            method,
            unrouted,
            state: self.state.clone(),
        }
    }
}

/// The route label of a request answered before routing (a 413 of the body limit, a CORS
/// preflight): its path when that is one of the API's routes without parameters, so that
/// the endpoint's series counts it, else `unmatched` (the label set stays bounded).
fn unrouted_label(path: &str) -> &'static str {
    static ROUTES: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| {
            crate::openapi::endpoint_list()
                .iter()
                .filter_map(|e| e.split_once(' ').map(|(_, path)| path))
                .filter(|path| !path.contains('{'))
                .collect()
        });
    ROUTES.get(path).copied().unwrap_or("unmatched")
}

pin_project! {
    /// The future of [`Observe`].
    pub(crate) struct ObserveFuture<F> {
        #[pin]
        inner: F,
        method: &'static str,
        // The route label when no route matched.
        unrouted: &'static str,
        started: Instant,
        state: AppState,
    }
}

impl<F> Future for ObserveFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = reshape_errors(ready!(this.inner.poll(cx))?);
        let elapsed = this.started.elapsed();
        let route = response
            .extensions()
            .get::<MatchedPath>()
            .map_or(*this.unrouted, MatchedPath::as_str);
        let status = response.status().as_u16();
        let state = &*this.state;
        state
            .metrics()
            .record_http(this.method, route, status, elapsed);
        state.stats().record_request(route, status, elapsed);
        Poll::Ready(Ok(response))
    }
}

/// The whole API over `state`: routes, OpenAPI + Swagger UI, JSON errors for everything,
/// the body limit and the request timeout from the state's settings, CORS, and request
/// metrics around all of it (so 404s, 413s and 408s are counted too).
///
/// The layers wrap the router once rather than each route (`Router::layer`), so that a
/// request does not clone and box every layer of its route.
pub fn app(
    state: AppState,
) -> impl Service<
    Request,
    Response = Response,
    Error = Infallible,
    Future = impl Future<Output = Result<Response, Infallible>> + Send,
> + Clone
       + Send
       + Sync
       + 'static {
    let settings = state.settings().clone();
    let (routes, api) = routes_and_document();
    // Settings are checked at load; a nonsensical value falls back to the default.
    let timeout = Duration::try_from_secs_f64(settings.request_timeout_seconds)
        .unwrap_or(Duration::from_secs(30));
    let router = routes
        .merge(utoipa_swagger_ui::SwaggerUi::new("/docs").url("/openapi.json", api))
        .merge(crate::routes::ui::router())
        .layer(RouteLayer { timeout })
        .fallback(not_found)
        .with_state(state.clone());
    let inner = ServiceBuilder::new()
        .layer(cors(&settings))
        .layer(ContentLengthLimit::new(settings.body_limit_bytes))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(crate::routes::ui::PageAtRoot)
        .service(router);
    Observe { inner, state }
}

/// How often histogram samples are drained into their buckets. The recorder keeps every
/// sample until then, so its memory grows with the request rate times this interval (at
/// 60,000 requests/s and four samples each, about 2 MB per second).
const UPKEEP_EVERY: Duration = Duration::from_secs(1);

/// Serves `app(state)` on `listener` until `shutdown` completes; requests in flight finish.
///
/// Connections are capped, and closed when idle or slow to send a request head, by the
/// `[server]` connection settings (see [`ServerSettings::max_connections`]).
///
/// In the background it drains histogram samples every second (so memory stays bounded
/// between scrapes), refreshes the drift gauges from the recent-traffic window every
/// `[server] drift_refresh_seconds`, and, when the state has a model source, checks it
/// for a new model every `[server] model_poll_seconds` (0: only on `POST /model/reload`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = state.settings().clone();
    let background = state.clone();
    let upkeep = tokio::spawn(async move {
        let mut tick = tokio::time::interval(UPKEEP_EVERY);
        loop {
            tick.tick().await;
            background.metrics().run_upkeep();
        }
    });
    let background = state.clone();
    let drift_every = seconds(settings.drift_refresh_seconds, 60);
    let drift = tokio::spawn(async move {
        let mut tick = tokio::time::interval(drift_every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let state = background.clone();
            // PSI over the window is CPU work (about a millisecond for 1000 rows).
            let _ = tokio::task::spawn_blocking(move || state.refresh_drift_gauges()).await;
        }
    });
    let poller = (state.source().is_some() && settings.model_poll_seconds > 0.0).then(|| {
        let background = state.clone();
        let every = seconds(settings.model_poll_seconds, 30);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                // Failures are logged and counted by `reload`; the served model stays.
                let _ = background.reload().await;
            }
        })
    });
    let limits = settings.transport_limits();
    let served = reelcast_transport::run(listener, app(state), limits, shutdown).await;
    upkeep.abort();
    drift.abort();
    if let Some(poller) = poller {
        poller.abort();
    }
    served
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
