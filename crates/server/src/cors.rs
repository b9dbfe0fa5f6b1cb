//! CORS from the settings: tower-http's layer, with a short path for the default (any
//! origin) on requests that are not preflights.
//!
//! With any origin allowed, tower-http adds exactly one header to an answer that is not a
//! preflight, `access-control-allow-origin: *` (no credentials, no `Vary`, nothing
//! exposed), but builds a header map for it on every request. [`Cors`] inserts that
//! header itself and leaves preflights (`OPTIONS`) and origin lists to tower-http.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::http::{header, HeaderValue, Method, Request, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, CorsLayer as TowerCorsLayer};

use crate::startup::ServerSettings;

/// CORS from the settings: any origin for `*` (or an empty list), else the listed ones
/// (settings checked them at load; unparsable ones are skipped). No credentials.
///
/// With any origin every CORS answer is the same whatever the request's `Origin` and
/// preflight headers (`*` and fixed method and header lists), so responses carry no
/// `Vary` (tower-http's default `Vary` is built and added to every response); with a list
/// the allowed origin is echoed, so they vary by `Origin` and the preflight headers.
pub(crate) fn cors(settings: &ServerSettings) -> CorsLayer {
    let origins = &settings.cors_allowed_origins;
    let any_origin = origins.is_empty() || origins.iter().any(|o| o == "*");
    let layer = TowerCorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]);
    let layer = if any_origin {
        layer.allow_origin(AllowOrigin::any()).vary([])
    } else {
        layer.allow_origin(AllowOrigin::list(
            origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()),
        ))
    };
    CorsLayer {
        layer: Arc::new(layer),
        any_origin,
    }
}

/// Layer of [`Cors`]; see [`cors`].
#[derive(Debug, Clone)]
pub(crate) struct CorsLayer {
    /// Shared: the service stack is cloned for every request.
    layer: Arc<TowerCorsLayer>,
    any_origin: bool,
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            layer: self.layer.clone(),
            any_origin: self.any_origin,
        }
    }
}

/// tower-http's CORS, answering requests other than preflights itself when any origin is
/// allowed (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) struct Cors<S> {
    inner: S,
    layer: Arc<TowerCorsLayer>,
    any_origin: bool,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = CorsFuture<S::Future, tower_http::cors::ResponseFuture<S::Future>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        if self.any_origin && request.method() != Method::OPTIONS {
            return CorsFuture::AnyOrigin {
                inner: self.inner.call(request),
            };
        }
        // The service made ready by `poll_ready` serves the request; a clone stays.
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        CorsFuture::Layer {
            inner: self.layer.layer(ready).call(request),
        }
    }
}

pin_project! {
    /// The future of [`Cors`].
    #[project = CorsFutureProj]
    pub(crate) enum CorsFuture<F, L> {
        /// Any origin, not a preflight: the inner service's answer, plus the header.
        AnyOrigin { #[pin] inner: F },
        /// tower-http's.
        Layer { #[pin] inner: L },
    }
}

impl<F, L, B, E> std::future::Future for CorsFuture<F, L>
where
    F: std::future::Future<Output = Result<Response<B>, E>>,
    L: std::future::Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            CorsFutureProj::AnyOrigin { inner } => {
                let mut response = ready!(inner.poll(cx))?;
                response.headers_mut().insert(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                );
                Poll::Ready(Ok(response))
            }
            CorsFutureProj::Layer { inner } => inner.poll(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::body::Body;
    use axum::http::StatusCode;
    use tower::ServiceExt as _;

    use super::*;

    /// Answers 200 with a header set, or 404, like a route.
    fn inner(
    ) -> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future = impl Send>
           + Clone {
        tower::service_fn(|request: Request<Body>| async move {
            let mut response = Response::new(Body::empty());
            if request.uri().path() == "/missing" {
                *response.status_mut() = StatusCode::NOT_FOUND;
            }
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            Ok::<_, Infallible>(response)
        })
    }

    /// With any origin, every request gets the headers tower-http's layer gives it.
    #[tokio::test]
    async fn answers_like_tower_http() {
        let settings = ServerSettings::default();
        let requests = || {
            let origin = |o: Option<&str>, method: Method, path: &str| {
                let mut request = Request::builder().method(method).uri(path);
                if let Some(o) = o {
                    request = request.header(header::ORIGIN, o);
                }
                request
            };
            [
                origin(Some("https://example.org"), Method::POST, "/predict/movie"),
                origin(None, Method::GET, "/health"),
                origin(Some("null"), Method::PUT, "/missing"),
                origin(
                    Some("https://example.org"),
                    Method::OPTIONS,
                    "/predict/movie",
                )
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST"),
                origin(None, Method::OPTIONS, "/health"),
            ]
            .map(|r| r.body(Body::empty()).unwrap())
        };
        let theirs_layer = {
            let CorsLayer { layer, .. } = cors(&settings);
            (*layer).clone()
        };
        for (request, twin) in requests().into_iter().zip(requests()) {
            let describe = format!("{} {}", request.method(), request.uri());
            let ours = cors(&settings)
                .layer(inner())
                .oneshot(request)
                .await
                .unwrap();
            let theirs = theirs_layer.layer(inner()).oneshot(twin).await.unwrap();
            assert_eq!(ours.status(), theirs.status(), "{describe}");
            assert_eq!(ours.headers(), theirs.headers(), "{describe}");
        }
    }
}
