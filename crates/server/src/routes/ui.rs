//! `GET /ui` and its assets: a page to try predictions, read the served model and watch it
//! live (issue 17), compiled into the binary so that it works offline with no build step.
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
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    use super::*;
    use crate::startup::{app, ServerSettings};

    /// What the test looks at in a response.
    struct Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: String,
    }

    async fn send(method: Method, path: &str, accept: Option<&str>) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        let request = request.body(Body::empty()).unwrap();
        let state = AppState::new(ServerSettings::default());
        let response = app(state).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    fn header_of(answer: &Answer, name: header::HeaderName) -> &str {
        answer
            .headers
            .get(&name)
            .map_or("", |v| v.to_str().unwrap())
    }

    const BROWSER: &str =
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

    #[tokio::test]
    async fn serves_the_page_and_each_asset_with_its_type_a_strict_csp_and_nosniff() {
        let cases = [
            ("/ui", "text/html; charset=utf-8"),
            ("/ui/", "text/html; charset=utf-8"),
            ("/ui/app.js", "text/javascript; charset=utf-8"),
            ("/ui/app.css", "text/css; charset=utf-8"),
            ("/ui/icon.svg", "image/svg+xml"),
        ];
        for (path, content_type) in cases {
            let answer = send(Method::GET, path, Some(BROWSER)).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
            assert_eq!(
                header_of(&answer, header::CONTENT_TYPE),
                content_type,
                "{path}"
            );
            assert_eq!(
                header_of(&answer, header::X_CONTENT_TYPE_OPTIONS),
                "nosniff",
                "{path}"
            );
            let csp = header_of(&answer, header::CONTENT_SECURITY_POLICY);
            assert_eq!(csp, CONTENT_SECURITY_POLICY, "{path}");
            assert!(!answer.body.is_empty(), "{path}");
        }
    }

    #[test]
    fn the_policy_allows_nothing_inline_and_nothing_from_elsewhere() {
        let directives: Vec<&str> = CONTENT_SECURITY_POLICY.split("; ").collect();
        assert!(directives.contains(&"default-src 'none'"));
        assert!(directives.contains(&"script-src 'self'"));
        assert!(directives.contains(&"connect-src 'self'"));
        for banned in [
            "unsafe-inline",
            "unsafe-eval",
            "http:",
            "https:",
            "data:",
            "*",
        ] {
            assert!(!CONTENT_SECURITY_POLICY.contains(banned), "{banned}");
        }
    }

    #[tokio::test]
    async fn an_unknown_asset_is_a_json_404_naming_the_assets() {
        let answer = send(Method::GET, "/ui/chart.js", None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert_eq!(body["error"]["field"], "file");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("\"chart.js\"") && message.contains("app.js"));
    }

    #[tokio::test]
    async fn root_answers_the_page_to_browsers_and_json_to_everyone_else() {
        let cases = [
            ("a browser", Method::GET, Some(BROWSER), true),
            ("text/html only", Method::GET, Some("text/html"), true),
            ("HEAD from a browser", Method::HEAD, Some(BROWSER), true),
            ("curl", Method::GET, Some("*/*"), false),
            ("no Accept", Method::GET, None, false),
            ("json", Method::GET, Some("application/json"), false),
            (
                "json preferred",
                Method::GET,
                Some("application/json, text/html;q=0.5"),
                false,
            ),
            (
                "html refused",
                Method::GET,
                Some("text/html;q=0, */*"),
                false,
            ),
            (
                "text/* over */*",
                Method::GET,
                Some("text/*, */*;q=0.1"),
                true,
            ),
        ];
        for (label, method, accept, html) in cases {
            let head = method == Method::HEAD;
            let answer = send(method, "/", accept).await;
            assert_eq!(answer.status, StatusCode::OK, "{label}");
            assert_eq!(header_of(&answer, header::VARY), "accept", "{label}");
            let content_type = header_of(&answer, header::CONTENT_TYPE);
            if html {
                assert_eq!(content_type, "text/html; charset=utf-8", "{label}");
                assert_eq!(
                    header_of(&answer, header::CONTENT_SECURITY_POLICY),
                    CONTENT_SECURITY_POLICY,
                    "{label}"
                );
                assert!(head || answer.body == INDEX, "{label}");
            } else {
                assert_eq!(content_type, "application/json", "{label}");
                let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
                assert_eq!(body["service"], "reelcast", "{label}");
            }
        }
    }

    #[tokio::test]
    async fn other_paths_get_no_vary_and_post_to_root_is_not_rerouted() {
        let answer = send(Method::GET, "/health", Some(BROWSER)).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.headers.get(header::VARY).is_none());
        let answer = send(Method::POST, "/", Some(BROWSER)).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header_of(&answer, header::CONTENT_TYPE), "application/json");
    }

    /// The values of `attr="..."` in `html`.
    fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
        let needle = format!(" {attr}=\"");
        html.match_indices(&needle)
            .filter_map(|(at, _)| html[at + needle.len()..].split('"').next())
            .collect()
    }

    #[tokio::test]
    async fn the_page_links_only_assets_it_serves_and_has_nothing_inline() {
        let mut linked = attribute_values(INDEX, "src");
        linked.extend(
            attribute_values(INDEX, "href")
                .into_iter()
                .filter(|h| !h.starts_with('#')),
        );
        assert!(linked.len() >= 4, "{linked:?}");
        for path in linked {
            assert!(path.starts_with('/'), "{path} is not on this server");
            let answer = send(Method::GET, path, None).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
        }
        // Every script has a source; no inline handlers or styles, which the policy blocks.
        assert_eq!(
            INDEX.matches("<script").count(),
            INDEX.matches("<script src=\"/ui/").count()
        );
        for inline in [
            " style=",
            " onclick=",
            " onload=",
            " onsubmit=",
            "javascript:",
        ] {
            assert!(!INDEX.contains(inline), "{inline}");
        }
    }

    /// Paths the script may call that are not in the spec yet: the people suggestions of
    /// issue 17's crew inputs, called only when the model reports a `crew` feature group.
    const AWAITED: [&str; 1] = ["/model/people"];

    #[test]
    fn the_script_calls_only_documented_endpoints() {
        let script = ASSETS[0].1;
        let api = crate::openapi::openapi();
        let called: Vec<&str> = script
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| s.starts_with('/') && !s.starts_with("/ui/"))
            .collect();
        assert!(called.len() >= 8, "{called:?}");
        for path in called {
            let path = path.split('?').next().unwrap_or(path);
            assert!(
                api.paths.paths.contains_key(path) || AWAITED.contains(&path),
                "{path} is not a documented endpoint"
            );
        }
    }

    #[test]
    fn the_page_and_its_assets_fit_in_300_kb() {
        let total = INDEX.len() + ASSETS.iter().map(|(_, body, _)| body.len()).sum::<usize>();
        assert!(total <= 300 * 1024, "{total} bytes");
    }
}
