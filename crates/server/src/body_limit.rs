//! [`ContentLengthLimit`]: a request whose declared body is over `[server]
//! body_limit_bytes` gets its 413 at once, before any byte of the body is read, so that a
//! `Content-Length` of 10 GB with no body does not wait for the request timeout. Bodies of
//! unknown length (chunked) are limited as they are read, by `DefaultBodyLimit`; either
//! way the transport drains what the client still sends (see `reelcast-transport`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::error::ApiError;

/// Answers 413 to a request whose body's known length is over `limit` bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContentLengthLimit {
    limit: u64,
}

impl ContentLengthLimit {
    /// Refuses declared bodies over `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        }
    }
}

impl<S> Layer<S> for ContentLengthLimit {
    type Service = LimitContentLength<S>;

    fn layer(&self, inner: S) -> Self::Service {
        LimitContentLength {
            inner,
            limit: self.limit,
        }
    }
}

/// The service of [`ContentLengthLimit`].
#[derive(Debug, Clone)]
pub(crate) struct LimitContentLength<S> {
    inner: S,
    limit: u64,
}

impl<S> Service<Request> for LimitContentLength<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = LimitFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The size hint's lower bound is the `Content-Length` hyper parsed (0 when chunked),
        // without parsing the header again.
        let declared = request.body().size_hint().lower();
        if declared > self.limit {
            let error = ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE);
            let message = format!(
                "the request body ({declared} bytes) is larger than the server's limit of {} bytes",
                self.limit
            );
            return LimitFuture::TooLarge {
                response: Some(ApiError { message, ..error }.into_response()),
            };
        }
        LimitFuture::Inner {
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    /// The future of [`LimitContentLength`].
    #[project = LimitFutureProj]
    pub(crate) enum LimitFuture<F> {
        /// The request went on.
        Inner { #[pin] inner: F },
        /// The 413, answered at once.
        TooLarge { response: Option<Response> },
    }
}

impl<F> Future for LimitFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            LimitFutureProj::Inner { inner } => inner.poll(cx),
            LimitFutureProj::TooLarge { response } => Poll::Ready(Ok(response
                .take()
                .unwrap_or_else(|| StatusCode::PAYLOAD_TOO_LARGE.into_response()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::header;
    use tower::{service_fn, ServiceExt as _};

    use super::*;

    async fn status_for(request: Request) -> StatusCode {
        let inner =
            service_fn(|_: Request| async { Ok::<_, Infallible>(StatusCode::OK.into_response()) });
        let response = ContentLengthLimit::new(10)
            .layer(inner)
            .oneshot(request)
            .await
            .unwrap();
        response.status()
    }

    #[tokio::test]
    async fn refuses_a_declared_body_over_the_limit_and_passes_others() {
        for (label, body, expected) in [
            (
                "11 bytes",
                Body::from("x".repeat(11)),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            ("10 bytes", Body::from("x".repeat(10)), StatusCode::OK),
            ("empty", Body::empty(), StatusCode::OK),
        ] {
            let request = Request::post("/")
                .header(header::CONTENT_TYPE, "application/json")
                .body(body)
                .unwrap();
            assert_eq!(status_for(request).await, expected, "{label}");
        }
    }
}
