//! `reelcast serve` end to end: the real binary on a free port, first start training the
//! default model, one prediction, `reelcast healthcheck` (0 while ready, 1 once stopped),
//! SIGTERM, exit 0.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::Sandbox;

/// One HTTP/1.1 request over a fresh connection; returns the status and the body.
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_trains_on_first_start_answers_and_stops_cleanly_on_sigterm() {
    let sandbox = Sandbox::new();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_reelcast"))
        .current_dir(sandbox.path())
        .env_remove("RUST_LOG")
        .env_remove("APP_ENV")
        .args(["serve", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let started = Instant::now();
    while !matches!(http(port, "GET", "/health/ready", None), Ok((200, _))) {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("not ready after 60s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let movie = r#"{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":40584,"genres":["Comedy","Drama"]}"#;
    let (status, body) = http(port, "POST", "/predict/movie", Some(movie)).unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let healthy = sandbox.run(["healthcheck", "--url", &url]);
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stopped = sandbox.run(["healthcheck", "--url", &url, "--timeout-seconds", "2"]);

    assert_eq!(healthy.code, 0, "{}", healthy.stdout);
    assert_eq!(stopped.code, 1, "{}", stopped.stdout);
    assert_eq!(status, 200, "{body}");
    let prediction: Value = serde_json::from_str(&body).unwrap();
    let rating = prediction["predicted_rating"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&rating), "{rating}");
    assert!(kill.success());
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("training the default"), "{stderr}");
    assert!(sandbox.join("artifacts/model.bundle").is_file());
}

#[test]
fn openapi_prints_the_committed_document() {
    let sandbox = Sandbox::new();

    let run = sandbox.run(["openapi"]).success();

    let committed = include_str!("../../../../openapi.json");
    assert_eq!(run.stdout, committed);
}
