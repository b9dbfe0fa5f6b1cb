//! [`Watched`]: the socket of one connection, reporting reads to its [`Activity`] and
//! giving hyper's own error responses the API's JSON body.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::activity::Activity;

/// The socket, reporting reads to the connection's [`Activity`], and giving the
/// responses hyper writes by itself, without the app, for request heads it cannot parse
/// (400, 414, 431, with no body) the API's JSON error body (see [`hyper_error`]).
#[derive(Debug)]
pub(super) struct Watched {
    pub(super) inner: TcpStream,
    activity: Arc<Activity>,
    /// A JSON error being written in place of hyper's, and how much of it is written.
    replacing: Option<(Vec<u8>, usize)>,
}

impl Watched {
    pub(super) fn new(inner: TcpStream, activity: Arc<Activity>) -> Self {
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
}
