//! `GET /ui` and its assets: a page to try predictions, read the served model and watch it
//! live, compiled into the binary so that it works offline with no build step.
//!
//! The page is plain HTML, CSS and one script (`crates/server/ui/`). It is served with a
//! Content-Security-Policy that allows only this server's own script, style, images and
//! API (no inline script, no CDN), and `X-Content-Type-Options: nosniff`. [`PageAtRoot`]
//! answers `GET /` with the same page when the client prefers `text/html` over JSON (a
//! browser), and with the service information otherwise.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::extract::{Path, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The page.
const INDEX: &str = include_str!("../../ui/index.html");

/// The page's assets, by the file name after `/ui/`: content, content type.
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "app.js",
        include_str!("../../ui/app.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "app.css",
        include_str!("../../ui/app.css"),
        "text/css; charset=utf-8",
    ),
    (
        "icon.svg",
        include_str!("../../ui/icon.svg"),
        "image/svg+xml",
    ),
];

/// The page's policy: its own script, style and icon, requests to this server only, and
/// nothing inline (charts are SVG built through the DOM, styled by class). No frames,
/// no form posts (the script sends JSON), no `<base>`.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The page and its assets.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/ui", get(page))
        .route("/ui/", get(page))
        .route("/ui/{file}", get(asset))
}

/// Headers every response of the page carries. `no-cache` makes a browser revalidate, so
/// a new binary's page is seen at once.
fn with_headers(content_type: &'static str, body: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-cache"),
    ];
    (headers, body).into_response()
}

/// `GET /ui`: the page.
async fn page() -> Response {
    with_headers("text/html; charset=utf-8", INDEX)
}

/// `GET /ui/{file}`: one of [`ASSETS`], else a 404 naming the assets.
async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, body, content_type)) => with_headers(content_type, body),
        None => {
            let names: Vec<&str> = ASSETS.iter().map(|(name, _, _)| *name).collect();
            let message = format!(
                "no page asset {file:?}; the page's assets are {}",
                names.join(", ")
            );
            ApiError::new(ErrorCode::NotFound, message)
                .with_field("file")
                .into_response()
        }
    }
}

/// The weight (`q`) a client's `Accept` header gives to `kind/sub`: that of the most
/// specific range matching it (`kind/sub`, then `kind/*`, then `*/*`), 0 when none does.
/// Without the header every type weighs 1 (RFC 9110, 12.5.1).
fn weight(accept: &str, kind: &str, sub: &str) -> f32 {
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim();
        let Some((k, s)) = media.split_once('/') else {
            continue;
        };
        let specificity = match (k.trim(), s.trim()) {
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(sub) => 3,
            (k, "*") if k.eq_ignore_ascii_case(kind) => 2,
            ("*", "*") => 1,
            _ => continue,
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// Whether a `GET /` should get the page: the client weighs `text/html` above
/// `application/json`. A browser does (`text/html` 1, `*/*` 0.8); `curl` (`*/*`) and
/// clients without `Accept` weigh both alike and keep getting JSON.
fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    weight(accept, "text", "html") > weight(accept, "application", "json")
}

/// Serves the page at `GET /` to clients that prefer HTML (see [`prefers_html`]), by
/// routing the request to `/ui`, and adds `Vary: Accept` to every answer of `/` so that a
/// cache keeps the two apart. Other requests pass untouched, at the cost of one path
/// comparison.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageAtRoot;

impl<S> Layer<S> for PageAtRoot {
    type Service = PageAtRootService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PageAtRootService { inner }
    }
}

/// The service of [`PageAtRoot`].
#[derive(Debug, Clone)]
pub(crate) struct PageAtRootService<S> {
    inner: S,
}

impl<S> Service<Request> for PageAtRootService<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = VaryFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let at_root = request.uri().path() == "/";
        let reads = matches!(*request.method(), Method::GET | Method::HEAD);
        if at_root && reads && prefers_html(request.headers()) {
            *request.uri_mut() = Uri::from_static("/ui");
        }
        VaryFuture {
            inner: self.inner.call(request),
            vary: at_root,
        }
    }
}

pin_project! {
    /// The future of [`PageAtRootService`]: adds `Vary: Accept` when `vary` is set.
    pub(crate) struct VaryFuture<F> {
        #[pin]
        inner: F,
        vary: bool,
    }
}

impl<F, E> Future for VaryFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if *this.vary {
            response
                .headers_mut()
                .append(header::VARY, HeaderValue::from_static("accept"));
        }
        Poll::Ready(Ok(response))
    }
}
