//! The HTTP/1.1 transport under [`serve`](crate::serve) (issue 16): an accept loop that
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

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use pin_project_lite::pin_project;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::util::Oneshot;
use tower::{Service, ServiceExt as _};

use crate::error::ApiError;
use crate::startup::ServerSettings;

/// The transport's limits, from [`ServerSettings`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    header_read_timeout: Duration,
    idle_timeout: Duration,
    max_connections: usize,
    reserved_connections: usize,
    drain_limit_bytes: u64,
    drain_timeout: Duration,
}

impl Limits {
    /// The limits of `settings`; a nonsensical duration (checked at load) falls back to
    /// its default.
    pub(crate) fn from_settings(settings: &ServerSettings) -> Self {
        let seconds = |s: f64, default: u64| {
            Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .unwrap_or(Duration::from_secs(default))
        };
        Self {
            header_read_timeout: seconds(settings.header_read_timeout_seconds, 10),
            idle_timeout: seconds(settings.idle_timeout_seconds, 60),
            max_connections: settings.max_connections.max(1),
            reserved_connections: settings.reserved_connections,
            drain_limit_bytes: settings.body_drain_limit_bytes,
            drain_timeout: seconds(settings.body_drain_timeout_seconds, 5),
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
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 94\r\nretry-after: 1\r\nconnection: close\r\n\r\n{\"error\":{\"code\":\"too_many_connections\",\"message\":\"too many open connections; retry later\"}}";

/// Written to a connection whose request head did not arrive in time.
const HEAD_TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: 99\r\nconnection: close\r\n\r\n{\"error\":{\"code\":\"request_timeout\",\"message\":\"the request head did not arrive within the timeout\"}}";

/// Seconds between two warnings that connections are being refused.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Accepts connections on `listener` and serves `app` on each until `shutdown`
/// completes; then stops accepting, lets every connection finish its request in flight,
/// and returns once all are closed.
pub(crate) async fn run<A>(
    listener: TcpListener,
    app: A,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()>
where
    A: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    A::Future: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
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

/// Sentinel of [`Activity::head_since_ms`]: no request head is being read.
const NO_HEAD: u64 = u64::MAX;

/// What a connection is doing, for its watchdog: updated by its socket ([`Watched`]),
/// its requests and their bodies ([`Busy`]).
#[derive(Debug)]
struct Activity {
    start: Instant,
    /// Requests in the app, plus request bodies not yet read or drained.
    busy: AtomicUsize,
    /// Whether any byte arrived.
    read_any: AtomicBool,
    /// Milliseconds from `start` to when the connection last became not busy.
    idle_since_ms: AtomicU64,
    /// Milliseconds from `start` to the first byte of the request head being read (0 for
    /// the first request: its head is due from the accept), or [`NO_HEAD`].
    head_since_ms: AtomicU64,
}

/// The watchdog's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Nothing is overdue; check again at this instant.
    At(Instant),
    /// Idle for `idle_timeout`: close.
    Idle,
    /// A head took longer than `header_read_timeout`: answer 408 and close.
    Head,
}

impl Activity {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            busy: AtomicUsize::new(0),
            read_any: AtomicBool::new(false),
            idle_since_ms: AtomicU64::new(0),
            head_since_ms: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(NO_HEAD - 1)
    }

    /// A request reached the app (its head is complete).
    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.head_since_ms.store(NO_HEAD, Ordering::Release);
        Busy(Arc::clone(self))
    }

    /// Bytes arrived; when nothing is in flight they start a request head.
    fn on_read(&self) {
        if !self.read_any.load(Ordering::Relaxed) {
            self.read_any.store(true, Ordering::Release);
        }
        if self.busy.load(Ordering::Acquire) == 0
            && self.head_since_ms.load(Ordering::Acquire) == NO_HEAD
        {
            self.head_since_ms.store(self.now_ms(), Ordering::Release);
        }
    }

    /// When the connection is next due for a check, or what is overdue.
    fn due(&self, limits: &Limits) -> Due {
        if self.busy.load(Ordering::Acquire) > 0 {
            // A request runs (bounded by the request timeout); look again later.
            let every = limits.header_read_timeout.min(limits.idle_timeout);
            return Due::At(Instant::now() + every);
        }
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 4);
        let (since, limit, verdict) = match self.head_since_ms.load(Ordering::Acquire) {
            NO_HEAD => (
                self.idle_since_ms.load(Ordering::Acquire),
                ms(limits.idle_timeout),
                Due::Idle,
            ),
            // A connection that never sent a byte is closed without a word.
            head if !self.read_any.load(Ordering::Acquire) => {
                (head, ms(limits.header_read_timeout), Due::Idle)
            }
            head => (head, ms(limits.header_read_timeout), Due::Head),
        };
        let due_ms = since.saturating_add(limit);
        if self.now_ms() >= due_ms {
            verdict
        } else {
            // One more millisecond: the check must land after the deadline.
            Due::At(self.start + Duration::from_millis(due_ms + 1))
        }
    }
}

/// Keeps its connection busy (not idle, no head due) while alive.
#[derive(Debug)]
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .idle_since_ms
            .store(activity.now_ms(), Ordering::Release);
        activity.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The socket, reporting reads to the connection's [`Activity`], and giving the
/// responses hyper writes by itself, without the app, for request heads it cannot parse
/// (400, 414, 431, with no body) the API's JSON error body (see [`hyper_error`]).
#[derive(Debug)]
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    /// A JSON error being written in place of hyper's, and how much of it is written.
    replacing: Option<(Vec<u8>, usize)>,
}

impl Watched {
    fn new(inner: TcpStream, activity: Arc<Activity>) -> Self {
        Self {
            inner,
            activity,
            replacing: None,
        }
    }

    /// Writes the replacement of `original` (hyper's error head), reporting `original`
    /// written once all of the replacement is.
    fn poll_replace(&mut self, cx: &mut Context<'_>, original: usize) -> Poll<io::Result<usize>> {
        while let Some((bytes, written)) = self.replacing.as_mut() {
            if *written == bytes.len() {
                self.replacing = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(original))
    }
}

/// The JSON response that replaces `head` when it is one hyper wrote by itself: a 400,
/// 414 or 431 with no `content-type`. The app never writes such a head: every error of
/// its own is JSON. Costs one comparison of 10 bytes for any other write.
fn hyper_error(head: &[u8]) -> Option<Vec<u8>> {
    if !head.starts_with(b"HTTP/1.1 4") {
        return None;
    }
    let (status, code, message) = match head.get(9..13)? {
        b"400 " => (
            "400 Bad Request",
            "bad_request",
            "the request line or a header is malformed",
        ),
        b"414 " => (
            "414 URI Too Long",
            "uri_too_long",
            "the request target is longer than 65534 bytes",
        ),
        b"431 " => (
            "431 Request Header Fields Too Large",
            "request_header_fields_too_large",
            "the request head is over 400 KB or has more than 100 headers",
        ),
        _ => return None,
    };
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let has_type = head[..end]
        .split(|&b| b == b'\n')
        .any(|line| line.to_ascii_lowercase().starts_with(b"content-type:"));
    if has_type || end + 4 != head.len() {
        return None;
    }
    let body = format!("{{\"error\":{{\"code\":\"{code}\",\"message\":\"{message}\"}}}}");
    Some(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.activity.on_read();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replacing.is_none() {
            match hyper_error(buf) {
                Some(json) => self.replacing = Some((json, 0)),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        self.poll_replace(cx, buf.len())
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut parts = bufs.iter().filter(|b| !b.is_empty());
        // hyper's own error heads come alone, in one slice.
        if let (Some(only), None) = (parts.next(), parts.next()) {
            if self.replacing.is_some() || only.starts_with(b"HTTP/1.1 4") {
                return self.poll_write(cx, only);
            }
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
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
            let mut response = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_connections",
                "too many open connections; only /health/* is served on this one; retry later",
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
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

/// A request body that, dropped before its end (the app answered without reading it
/// all), is drained in a task of its own: at most `body_drain_limit_bytes` for at most
/// `body_drain_timeout_seconds`, the connection counted busy meanwhile. hyper writes the
/// response meanwhile and closes the connection once the body is read or dropped.
#[derive(Debug)]
struct RequestBody {
    /// `None` once handed to a drain.
    inner: Option<Incoming>,
    ended: bool,
    drain: bool,
    busy: Option<Busy>,
    limits: Limits,
}

impl RequestBody {
    /// `request` with its body wrapped, as the app takes it.
    fn wrap(
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

impl Activity {
    /// A request body is still to be read.
    fn begin_body(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        Busy(Arc::clone(self))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_error_heads_get_a_json_body_and_app_responses_do_not() {
        let hyper_431 =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let json = String::from_utf8(hyper_error(hyper_431).unwrap()).unwrap();
        let (head, body) = json.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"]["code"], "request_header_fields_too_large");

        for (label, head) in [
            (
                "the app's JSON 400",
                &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n"[..],
            ),
            (
                "a head with its body",
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}",
            ),
            ("a 200", b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
            ("a 404", b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
        ] {
            assert!(hyper_error(head).is_none(), "{label}");
        }
    }

    #[test]
    fn the_watchdog_times_idle_connections_and_heads_from_their_start() {
        let limits = Limits {
            header_read_timeout: Duration::from_millis(100),
            idle_timeout: Duration::from_secs(100),
            ..Limits::from_settings(&ServerSettings::default())
        };
        let activity = Arc::new(Activity::new());
        // A new connection's first head is due from the accept.
        assert!(matches!(activity.due(&limits), Due::At(_)));
        activity.head_since_ms.store(0, Ordering::Release);
        let busy = activity.begin();
        assert_eq!(activity.head_since_ms.load(Ordering::Acquire), NO_HEAD);
        assert!(matches!(activity.due(&limits), Due::At(_)), "busy");
        drop(busy);
        // Idle since now, for 100 s: not due.
        assert!(matches!(activity.due(&limits), Due::At(_)), "idle");
        // A head that started 1 s ago is overdue, and so is a connection idle for 100 s.
        let old = Activity {
            start: Instant::now() - Duration::from_secs(200),
            ..Activity::new()
        };
        old.head_since_ms
            .store(old.now_ms() - 1000, Ordering::Release);
        assert_eq!(old.due(&limits), Due::Idle, "no byte yet: closed silently");
        old.read_any.store(true, Ordering::Release);
        assert_eq!(old.due(&limits), Due::Head);
        old.head_since_ms.store(NO_HEAD, Ordering::Release);
        old.idle_since_ms
            .store(old.now_ms() - 100_000, Ordering::Release);
        assert_eq!(old.due(&limits), Due::Idle);
        // Bytes while busy start no head.
        activity.head_since_ms.store(NO_HEAD, Ordering::Release);
        let busy = activity.begin();
        activity.on_read();
        assert_eq!(activity.head_since_ms.load(Ordering::Acquire), NO_HEAD);
        drop(busy);
        activity.on_read();
        assert_ne!(activity.head_since_ms.load(Ordering::Acquire), NO_HEAD);
    }
}
