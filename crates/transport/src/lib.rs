//! The HTTP/1.1 transport under reelcast-server's `serve`, over any `tower`
//! service taking axum requests (the server's router): an accept loop that
//! serves at most `[server] max_connections` at once, plus `reserved_connections` that
//! answer only `/health/*`, and closes the rest at once; per connection, a watchdog that
//! closes a connection whose request head is slow (`header_read_timeout_seconds`, with a
//! 408) or which sits idle between requests (`idle_timeout_seconds`); and request bodies
//! that a response left unread are drained, bounded by `body_drain_limit_bytes` and
//! `body_drain_timeout_seconds`, so a client still sending reads the response rather than
//! a broken pipe.
//!
//! Why not `axum::serve`: it has no header-read timeout, no idle timeout and no
//! connection cap, and it stalls its accept loop for a second when the process runs out
//! of file descriptors.
//!
//! The transport knows nothing of the API but two things: `/health/*` is what a
//! reserved connection serves, and its own error answers carry the API's JSON error
//! shape `{"error": {"code", "message"}}`.
//!
//! Graph: no workspace crate; `transport -> server`.
//!
//! ```no_run
//! # async fn run(app: axum::Router) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let limits = reelcast_transport::Limits::default();
//! reelcast_transport::run(listener, app, limits, std::future::pending()).await
//! # }
//! ```

#![forbid(unsafe_code)]

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use pin_project_lite::pin_project;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::util::Oneshot;
use tower::{Service, ServiceExt as _};

mod activity;
mod body;
mod socket;

use activity::{Activity, Busy, Due};
use body::RequestBody;
use socket::Watched;

/// The transport's limits; the server sets them from its `[server]` settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// A request head must arrive complete within this of its first byte, or of the
    /// accept for a connection's first request; else a 408 and the connection is closed
    /// (default 10 s).
    pub header_read_timeout: Duration,
    /// A keep-alive connection with no request for this long is closed (default 60 s).
    pub idle_timeout: Duration,
    /// Most connections served at once, at least 1 (default 1000).
    pub max_connections: usize,
    /// Connections beyond `max_connections` still served, one `/health/*` request each
    /// (others get a 503); beyond these a connection is closed at once (default 16).
    pub reserved_connections: usize,
    /// Bytes of an unread request body read and discarded after the answer, so that a
    /// client still sending reads it; past this the connection is closed (default 32 MiB).
    pub drain_limit_bytes: u64,
    /// How long draining may take (default 5 s).
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1000,
            reserved_connections: 16,
            drain_limit_bytes: 32 * 1024 * 1024,
            drain_timeout: Duration::from_secs(5),
        }
    }
}

impl Limits {
    /// The limits of a reserved connection: its request must arrive within a second (or
    /// the configured timeouts, when shorter), so connections that send nothing hold a
    /// reserved slot only briefly and probes find one free.
    fn reserved(self) -> Self {
        Self {
            header_read_timeout: self.header_read_timeout.min(RESERVED_TIMEOUT),
            idle_timeout: self.idle_timeout.min(RESERVED_TIMEOUT),
            ..self
        }
    }
}

/// The longest a reserved connection waits for its request.
const RESERVED_TIMEOUT: Duration = Duration::from_secs(1);

/// Written, best effort, to a connection refused at accept.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 91\r\nretry-after: 1\r\nconnection: close\r\n\r\n{\"error\":{\"code\":\"service_unavailable\",\"message\":\"too many open connections; retry later\"}}";

/// The body of the 503 a reserved connection answers to anything but `/health/*`.
const HEALTH_ONLY: &str = "{\"error\":{\"code\":\"service_unavailable\",\"message\":\"too many open connections; only /health/* is served on this one; retry later\"}}";

/// Written to a connection whose request head did not arrive in time.
const HEAD_TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: 99\r\nconnection: close\r\n\r\n{\"error\":{\"code\":\"request_timeout\",\"message\":\"the request head did not arrive within the timeout\"}}";

/// Seconds between two warnings that connections are being refused.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Accepts connections on `listener` and serves `app` on each until `shutdown`
/// completes; then stops accepting, lets every connection finish its request in flight,
/// and returns once all are closed.
pub async fn run<A>(
    listener: TcpListener,
    app: A,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()>
where
    A: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    A::Future: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let reserve = Arc::new(Semaphore::new(limits.reserved_connections));
    // Each connection holds a receiver; `closed()` completes once all are dropped.
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut last_warned: Option<Instant> = None;
    let mut refused: u64 = 0;
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors, most likely: wait a little for some to close,
                    // still listening for the shutdown.
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(Duration::from_millis(100)) => continue,
                    }
                }
            },
        };
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(permit) => Slot {
                _permit: permit,
                reserved: false,
            },
            Err(_) => match Arc::clone(&reserve).try_acquire_owned() {
                Ok(permit) => Slot {
                    _permit: permit,
                    reserved: true,
                },
                Err(_) => {
                    refused += 1;
                    if last_warned.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
                        tracing::warn!(
                            max_connections = limits.max_connections,
                            reserved_connections = limits.reserved_connections,
                            refused_so_far = refused,
                            "connection limit reached; refusing connections"
                        );
                        last_warned = Some(Instant::now());
                    }
                    // Best effort and never waiting: a full socket buffer drops it.
                    let _ = stream.try_write(REFUSED);
                    drop(stream);
                    continue;
                }
            },
        };
        tokio::spawn(connection(
            stream,
            slot,
            app.clone(),
            limits,
            stop_rx.clone(),
        ));
    }
    drop(listener);
    drop(stop_rx);
    // Receivers that already went away make `send` fail, which is fine.
    let _ = stop_tx.send(true);
    stop_tx.closed().await;
    Ok(())
}

/// Errors of one connection that do not concern the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// The connection's place under the cap, given back when it closes.
#[derive(Debug)]
struct Slot {
    _permit: OwnedSemaphorePermit,
    /// One of `reserved_connections` (`/health/*` only, one request), not one of
    /// `max_connections` (the whole API, with keep-alive).
    reserved: bool,
}

/// Serves one connection until it closes, the watchdog closes it, or the server shuts
/// down (after the request in flight).
async fn connection<A>(
    stream: TcpStream,
    slot: Slot,
    app: A,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) where
    A: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    A::Future: Send + 'static,
{
    let reserved = slot.reserved;
    let limits = if reserved { limits.reserved() } else { limits };
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity)));
    let service = ConnectionService {
        app,
        activity: Arc::clone(&activity),
        limits,
        reserved,
    };
    let mut conn = http1::Builder::new()
        .keep_alive(!reserved)
        .serve_connection(io, service);
    let mut stopping = false;
    let mut ended = None;
    let mut head_timed_out = false;
    loop {
        let due = match activity.due(&limits) {
            Due::At(at) => at,
            Due::Idle => break,
            Due::Head => {
                head_timed_out = true;
                break;
            }
        };
        tokio::select! {
            result = &mut conn => {
                ended = Some(result);
                break;
            }
            changed = stop.changed(), if !stopping => {
                stopping = true;
                // A connection that never sent a byte has nothing in flight: close it.
                if changed.is_err() || !activity.read_any.load(Ordering::Acquire) {
                    break;
                }
                Pin::new(&mut conn).graceful_shutdown();
            }
            () = tokio::time::sleep_until(due) => {}
        }
    }
    if head_timed_out {
        // The head is incomplete: no request reached the app, so the socket can take a
        // 408 and be closed.
        let mut stream = conn.into_parts().io.into_inner().inner;
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            stream.write_all(HEAD_TIMEOUT).await?;
            stream.shutdown().await
        })
        .await;
    } else if let Some(Err(e)) = ended {
        tracing::debug!(error = %e, "connection ended with an error");
        if e.is_parse() || e.is_parse_too_large() || e.is_parse_status() {
            // hyper answered an unparsable head itself; the client may still be sending.
            linger(conn.into_parts().io.into_inner().inner, limits).await;
        }
    }
    drop(slot);
}

/// Ends the response with a FIN, then reads and discards what the client still sends,
/// bounded by the drain limits, before closing: closing with unread bytes would reset
/// the connection and could discard the response before the client reads it.
async fn linger(mut stream: TcpStream, limits: Limits) {
    let _ = stream.shutdown().await;
    let mut left = limits.drain_limit_bytes;
    let mut buf = [0u8; 8192];
    let _ = tokio::time::timeout(limits.drain_timeout, async {
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            let n = n as u64;
            if n >= left {
                return;
            }
            left -= n;
        }
    })
    .await;
}

/// The app as hyper calls it on one connection: bodies wrapped in [`RequestBody`], and
/// on a reserved connection anything but `/health/*` answered 503.
#[derive(Debug, Clone)]
struct ConnectionService<A> {
    app: A,
    activity: Arc<Activity>,
    limits: Limits,
    reserved: bool,
}

impl<A> hyper::service::Service<hyper::Request<Incoming>> for ConnectionService<A>
where
    A: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ConnectionFuture<A>;

    fn call(&self, request: hyper::Request<Incoming>) -> Self::Future {
        let busy = self.activity.begin();
        if self.reserved && !request.uri().path().starts_with("/health/") {
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, HEALTH_ONLY).into_response();
            let headers = response.headers_mut();
            let json = HeaderValue::from_static("application/json");
            headers.insert(header::CONTENT_TYPE, json);
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            // The unread body, if any, is drained as for any other early answer.
            drop(RequestBody::wrap(request, &self.activity, self.limits));
            return ConnectionFuture::Refused {
                response: Some(response),
                busy: Some(busy),
            };
        }
        let request = RequestBody::wrap(request, &self.activity, self.limits);
        ConnectionFuture::App {
            inner: self.app.clone().oneshot(request),
            busy: Some(busy),
        }
    }
}

pin_project! {
    /// The future of [`ConnectionService`]: keeps the connection busy until the
    /// response is ready.
    #[project = ConnectionFutureProj]
    enum ConnectionFuture<A: Service<Request>> {
        App { #[pin] inner: Oneshot<A, Request>, busy: Option<Busy> },
        Refused { response: Option<Response>, busy: Option<Busy> },
    }
}

impl<A> Future for ConnectionFuture<A>
where
    A: Service<Request, Response = Response, Error = Infallible>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ConnectionFutureProj::App { inner, busy } => {
                let response = ready!(inner.poll(cx));
                drop(busy.take());
                Poll::Ready(response)
            }
            ConnectionFutureProj::Refused { response, busy } => {
                drop(busy.take());
                match response.take() {
                    Some(response) => Poll::Ready(Ok(response)),
                    None => Poll::Ready(Ok(StatusCode::SERVICE_UNAVAILABLE.into_response())),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_responses_declare_their_body_length_and_carry_json() {
        let health_only: serde_json::Value = serde_json::from_str(HEALTH_ONLY).unwrap();
        assert_eq!(health_only["error"]["code"], "service_unavailable");
        for (label, response) in [("503", REFUSED), ("408", HEAD_TIMEOUT)] {
            let text = std::str::from_utf8(response).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(
                head.contains(&format!("content-length: {}\r\n", body.len())),
                "{label}: {head}"
            );
            let json: serde_json::Value = serde_json::from_str(body).unwrap();
            assert!(json["error"]["code"].is_string(), "{label}: {body}");
        }
    }
}
