//! [`RequestBody`]: a request body drained in the background when the app answers
//! without reading all of it, so the client still sending reads the answer.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;

use super::activity::{Activity, Busy};
use super::Limits;

/// A request body that, dropped before its end (the app answered without reading it
/// all), is drained in a task of its own: at most `body_drain_limit_bytes` for at most
/// `body_drain_timeout_seconds`, the connection counted busy meanwhile. hyper writes the
/// response meanwhile and closes the connection once the body is read or dropped.
#[derive(Debug)]
pub(super) struct RequestBody {
    /// `None` once handed to a drain.
    inner: Option<Incoming>,
    ended: bool,
    drain: bool,
    busy: Option<Busy>,
    limits: Limits,
}

impl RequestBody {
    /// `request` with its body wrapped, as the app takes it.
    pub(super) fn wrap(
        request: hyper::Request<Incoming>,
        activity: &Arc<Activity>,
        limits: Limits,
    ) -> Request {
        // A client waiting for `100 Continue` sends no body unless it is read: a drain
        // would only invite it.
        let drain = !request
            .headers()
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        request.map(|inner| {
            let ended = http_body::Body::is_end_stream(&inner);
            Body::new(Self {
                busy: (!ended).then(|| activity.begin_body()),
                inner: Some(inner),
                ended,
                drain,
                limits,
            })
        })
    }
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let frame = ready!(Pin::new(inner).poll_frame(cx));
        if !matches!(frame, Some(Ok(_))) {
            self.ended = true;
            self.busy = None;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.ended || self.inner.as_ref().is_none_or(Incoming::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Incoming::size_hint)
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        if self.ended || !self.drain {
            return;
        }
        let Some(body) = self.inner.take().filter(|b| !b.is_end_stream()) else {
            return;
        };
        // Outside a runtime (never under `serve`) the body is dropped as is.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(drain(body, self.busy.take(), self.limits));
        }
    }
}

/// Reads and discards `body`, bounded by the drain limits, then drops it.
async fn drain(mut body: Incoming, busy: Option<Busy>, limits: Limits) {
    let mut left = limits.drain_limit_bytes;
    let bounded = tokio::time::timeout(limits.drain_timeout, async {
        while let Some(Ok(frame)) = body.frame().await {
            let len = frame.data_ref().map_or(0, |d| d.len() as u64);
            if len > left {
                return;
            }
            left -= len;
        }
    });
    let _ = bounded.await;
    drop(body);
    drop(busy);
}
