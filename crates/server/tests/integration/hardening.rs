//! Hardening at the transport: idle and half-open connections, the connection cap, large
//! bodies, malformed request heads and graceful shutdown, against `serve` on a loopback
//! port with short timeouts. Every wait is bounded.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use reelcast_server::{serve, ServerSettings};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::helpers::{state_with, the_kid};

/// A server on a free loopback port; dropping it (or [`Server::stop`]) shuts it down.
struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: Option<std::sync::mpsc::Receiver<()>>,
}

impl Server {
    /// Serves the test model with `settings` (host and port are picked here) on a
    /// runtime of its own, so tests can use blocking sockets.
    fn start(settings: ServerSettings) -> Self {
        let state = state_with(settings);
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                serve(listener, state, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
            let _ = done_tx.send(());
        });
        Self {
            addr: addr_rx.recv_timeout(Duration::from_secs(30)).unwrap(),
            stop: Some(stop_tx),
            done: Some(done_rx),
        }
    }

    /// Asks the server to shut down and waits, at most `within`, for `serve` to return.
    fn stop(&mut self, within: Duration) -> Result<(), String> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.done.take() {
            Some(done) => done
                .recv_timeout(within)
                .map_err(|e| format!("serve did not return within {within:?}: {e}")),
            None => Ok(()),
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop(Duration::from_secs(10));
    }
}

/// Settings with short connection timeouts for tests.
fn quick(header_read: f64, idle: f64) -> ServerSettings {
    ServerSettings {
        header_read_timeout_seconds: header_read,
        idle_timeout_seconds: idle,
        ..ServerSettings::default()
    }
}

/// Reads until the peer closes (or resets), at most `within`; the bytes read, or an
/// error naming what was read when the connection stayed open.
fn read_to_close(stream: &mut TcpStream, within: Duration) -> Result<Vec<u8>, String> {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let left = within.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(format!(
                "still open after {within:?}; read {:?}",
                String::from_utf8_lossy(&got)
            ));
        }
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return Ok(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return Ok(got),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(format!("read failed: {e}")),
        }
    }
}

/// A parsed HTTP/1.1 response: status and JSON body (`Null` when not JSON).
fn parse_response(bytes: &[u8]) -> (u16, Value) {
    let text = String::from_utf8_lossy(bytes);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Reads one response framed by its `content-length`, at most 10 s; status and JSON body.
fn read_response(stream: &mut TcpStream) -> (u16, Value) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if got.len() >= end + 4 + length {
                return parse_response(&got[..end + 4 + length]);
            }
        }
        let n = stream
            .read(&mut buf)
            .unwrap_or_else(|e| panic!("reading a response: {e}; got {got:?}"));
        assert!(
            n > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
}

/// One request on a new connection; its status and JSON body.
fn one_request(server: &Server, head_and_body: &[u8]) -> (u16, Value) {
    let mut stream = server.connect();
    stream.write_all(head_and_body).unwrap();
    read_response(&mut stream)
}

const LIVE: &[u8] = b"GET /health/live HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n";

#[test]
fn idle_and_half_open_connections_are_closed() {
    let server = Server::start(quick(0.5, 0.5));
    let started = Instant::now();
    let idle: Vec<TcpStream> = (0..150).map(|_| server.connect()).collect();
    let half_open: Vec<TcpStream> = (0..150)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"POST /predict/movie HTTP/1.1\r\nhost: t\r\ncontent-")
                .unwrap();
            s
        })
        .collect();
    // A keep-alive connection after one answered request.
    let mut kept = server.connect();
    kept.write_all(b"GET /health/live HTTP/1.1\r\nhost: t\r\n\r\n")
        .unwrap();

    for (i, mut s) in idle.into_iter().enumerate() {
        let got = read_to_close(&mut s, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("idle connection {i}: {e}"));
        assert!(got.is_empty(), "idle connection {i} got {got:?}");
    }
    for (i, mut s) in half_open.into_iter().enumerate() {
        let got = read_to_close(&mut s, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("half-open connection {i}: {e}"));
        let (status, body) = parse_response(&got);
        assert_eq!(status, 408, "half-open connection {i}: {body}");
        assert_eq!(body["error"]["code"], "request_timeout", "{body}");
    }
    let got = read_to_close(&mut kept, Duration::from_secs(10)).unwrap();
    assert_eq!(parse_response(&got).0, 200, "the keep-alive request");
    // All closed by their timeouts, not by the 10 s bound of the reads.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    // And the server still serves.
    assert_eq!(one_request(&server, LIVE).0, 200);
}

#[test]
fn connection_cap_refuses_the_excess_and_health_live_still_answers() {
    let settings = ServerSettings {
        max_connections: 40,
        reserved_connections: 2,
        ..quick(30.0, 30.0)
    };
    let server = Server::start(settings);
    // Fill the cap with idle connections; each is served (a request proves it).
    let mut holders = Vec::new();
    for _ in 0..40 {
        let mut s = server.connect();
        s.write_all(b"GET /health/live HTTP/1.1\r\nhost: t\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut s).0, 200);
        holders.push(s);
    }

    // Over the cap, /health/live answers on a reserved connection, and the rest of the
    // API is refused there with a JSON 503.
    let (status, body) = one_request(&server, LIVE);
    assert_eq!(status, 200, "{body}");
    let movie = serde_json::to_vec(&the_kid()).unwrap();
    let mut request = format!(
        "POST /predict/movie HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        movie.len()
    )
    .into_bytes();
    request.extend_from_slice(&movie);
    let (status, body) = one_request(&server, &request);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "service_unavailable", "{body}");

    // With the reserve held too, a connection is closed at once, with a 503.
    let started = Instant::now();
    let (refused, reserve) = loop {
        let reserve: Vec<TcpStream> = (0..2).map(|_| server.connect()).collect();
        let mut s = server.connect();
        let got = read_to_close(&mut s, Duration::from_secs(5)).unwrap();
        // The reserve is taken once the server accepted both; until then a probe may
        // take a reserved slot and wait for its request. A reserved connection that
        // sends nothing is closed within a second, so each try holds a fresh reserve.
        if !got.is_empty() {
            break (got, reserve);
        }
        assert!(started.elapsed() < Duration::from_secs(5), "never refused");
    };
    let (status, body) = parse_response(&refused);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "service_unavailable", "{body}");

    // Freed slots serve again.
    drop(reserve);
    drop(holders);
    let started = Instant::now();
    loop {
        let (status, _) = one_request(&server, &request);
        if status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still {status} after the connections closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_declared_body_over_the_limit_gets_413_at_once() {
    let server = Server::start(quick(10.0, 10.0));
    let mut stream = server.connect();
    let started = Instant::now();
    stream
        .write_all(b"POST /predict/batch HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: 10000000000\r\n\r\n")
        .unwrap();
    let (status, body) = read_response(&mut stream);
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("10000000000 bytes"),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// A JSON batch of about `bytes` bytes.
fn big_batch(bytes: usize) -> Vec<u8> {
    let movie = serde_json::to_string(&the_kid()).unwrap();
    let count = bytes / (movie.len() + 1) + 1;
    format!("{{\"movies\":[{}]}}", vec![movie; count].join(",")).into_bytes()
}

#[test]
fn a_client_that_writes_the_whole_body_first_reads_the_413() {
    let server = Server::start(quick(10.0, 10.0));
    let body = big_batch(4 * 1024 * 1024);
    for chunked in [false, true] {
        let mut stream = server.connect();
        let mut request =
            b"POST /predict/batch HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n"
                .to_vec();
        if chunked {
            request.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
            for chunk in body.chunks(64 * 1024) {
                request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                request.extend_from_slice(chunk);
                request.extend_from_slice(b"\r\n");
            }
            request.extend_from_slice(b"0\r\n\r\n");
        } else {
            request.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
            request.extend_from_slice(&body);
        }
        // The whole request first, as a naive client does: a server that closed before
        // reading it would break this write's pipe.
        stream
            .write_all(&request)
            .unwrap_or_else(|e| panic!("chunked {chunked}: writing the body: {e}"));
        let (status, reply) = read_response(&mut stream);
        assert_eq!(status, 413, "chunked {chunked}: {reply}");
        assert_eq!(reply["error"]["code"], "payload_too_large", "{reply}");
        // The body was drained whole, so the connection serves the next request.
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nhost: t\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut stream).0, 200, "chunked {chunked}");
    }
}

#[test]
fn python_http_client_reads_the_413_of_a_10_mb_batch() {
    let server = Server::start(quick(10.0, 10.0));
    let script = r#"
import http.client, json, sys
port = int(sys.argv[1])
movie = json.dumps({"startYear": 1994, "runtimeMinutes": 142, "numVotes": 2500000})
body = ('{"movies":[' + ",".join([movie] * 160000) + ']}').encode()
assert len(body) > 10_000_000, len(body)
for chunked in (False, True):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"content-type": "application/json"}
    if chunked:
        chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
        conn.request("POST", "/predict/batch", chunks, headers, encode_chunked=True)
    else:
        conn.request("POST", "/predict/batch", body, headers)
    reply = conn.getresponse()
    print(chunked, reply.status, json.loads(reply.read())["error"]["code"])
    conn.close()
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(server.addr.port().to_string())
        .output()
        .expect("python3 runs (it is required by this test and by CI)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "stdout {stdout}\nstderr {stderr}");
    assert_eq!(
        stdout, "False 413 payload_too_large\nTrue 413 payload_too_large\n",
        "{stderr}"
    );
}

#[test]
fn malformed_heads_get_a_json_error_and_a_close() {
    let server = Server::start(quick(10.0, 10.0));
    let huge_header = format!(
        "GET /health/live HTTP/1.1\r\nhost: t\r\nx-big: {}\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let many_headers = format!(
        "GET /health/live HTTP/1.1\r\nhost: t\r\n{}\r\n",
        (0..1000)
            .map(|i| format!("x-h{i}: v\r\n"))
            .collect::<String>()
    );
    let long_uri = format!(
        "GET /health/live?q={} HTTP/1.1\r\nhost: t\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    for (label, request, expected, code) in [
        (
            "1 MB header",
            huge_header,
            431,
            "request_header_fields_too_large",
        ),
        (
            "1,000 headers",
            many_headers,
            431,
            "request_header_fields_too_large",
        ),
        ("100 KB URL", long_uri, 414, "uri_too_long"),
        (
            "garbage request line",
            "\x01\x02 nonsense\r\n\r\n".to_owned(),
            400,
            "bad_request",
        ),
    ] {
        let mut stream = server.connect();
        // The server may answer and close before reading everything.
        let _ = stream.write_all(request.as_bytes());
        let got = read_to_close(&mut stream, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let (status, body) = parse_response(&got);
        assert_eq!(
            status,
            expected,
            "{label}: {:?}",
            String::from_utf8_lossy(&got)
        );
        assert_eq!(body["error"]["code"], code, "{label}: {body}");
    }
    assert_eq!(one_request(&server, LIVE).0, 200);
}

#[test]
fn shutdown_finishes_the_request_in_flight_and_closes_idle_connections() {
    let mut server = Server::start(quick(30.0, 30.0));
    let _idle = server.connect();
    let mut in_flight = server.connect();
    // The head and half of a chunked body: the request is in the app, reading its body.
    let movie = serde_json::to_vec(&the_kid()).unwrap();
    let (first, second) = movie.split_at(movie.len() / 2);
    let mut head = b"POST /predict/movie HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    head.extend_from_slice(format!("{:x}\r\n", first.len()).as_bytes());
    head.extend_from_slice(first);
    head.extend_from_slice(b"\r\n");
    in_flight.write_all(&head).unwrap();
    // The server has the head once a probe on another connection is answered after it.
    assert_eq!(one_request(&server, LIVE).0, 200);

    let stop = server.stop.take().unwrap();
    let _ = stop.send(());
    let mut rest = format!("{:x}\r\n", second.len()).into_bytes();
    rest.extend_from_slice(second);
    rest.extend_from_slice(b"\r\n0\r\n\r\n");
    in_flight.write_all(&rest).unwrap();
    let got = read_to_close(&mut in_flight, Duration::from_secs(10)).unwrap();
    let (status, body) = parse_response(&got);
    assert_eq!(status, 200, "{body}");
    assert!(body["predicted_rating"].is_number(), "{body}");
    server.stop(Duration::from_secs(10)).unwrap();
}
