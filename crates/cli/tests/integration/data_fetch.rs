//! `reelcast data fetch` against a local tiny_http server serving the embedded sample's
//! real files (no test uses the internet).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::Value;
use tiny_http::{Header, Response, Server};

use crate::helpers::{sample_file, sha256, Sandbox};

const ETAG: &str = "\"sample-v1\"";
const FILES: [&str; 2] = ["title.basics.tsv.gz", "title.ratings.tsv.gz"];

/// What the server was asked: (path, If-None-Match header) per request.
type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Serves `/<name>` from `files` with an ETag (304 when If-None-Match matches) and 404
/// for anything else. Dropping it stops the server thread.
struct TestServer {
    url: String,
    log: Log,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start(files: BTreeMap<String, Vec<u8>>) -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("binding 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let log = Log::default();
        let (srv, seen) = (Arc::clone(&server), Arc::clone(&log));
        // `incoming_requests` ends when `unblock` is called in `drop`.
        let thread = std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                let if_none_match = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("If-None-Match"))
                    .map(|h| h.value.as_str().to_owned());
                let path = request.url().trim_start_matches('/').to_owned();
                seen.lock()
                    .expect("log lock")
                    .push((path.clone(), if_none_match.clone()));
                let etag = Header::from_bytes("ETag", ETAG).expect("a valid header");
                let response = match files.get(&path) {
                    None => Response::from_string("not found").with_status_code(404),
                    Some(_) if if_none_match.as_deref() == Some(ETAG) => {
                        Response::from_data(Vec::new())
                            .with_status_code(304)
                            .with_header(etag)
                    }
                    Some(body) => Response::from_data(body.clone()).with_header(etag),
                };
                let _ = request.respond(response);
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}/"),
            log,
            server,
            thread: Some(thread),
        }
    }

    /// The embedded sample's two real files.
    fn sample() -> Self {
        Self::start(
            FILES
                .iter()
                .map(|name| (name.to_string(), std::fs::read(sample_file(name)).unwrap()))
                .collect(),
        )
    }

    fn requests(&self) -> Vec<(String, Option<String>)> {
        self.log.lock().expect("log lock").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            thread.join().expect("server thread ends cleanly");
        }
    }
}

fn fetch_json(sandbox: &Sandbox, url: &str) -> Vec<Value> {
    let out = sandbox
        .run([
            "data",
            "fetch",
            "--base-url",
            url,
            "--dir",
            "raw",
            "--no-progress",
            "--json",
        ])
        .json();
    out.as_array().expect("a JSON array of files").clone()
}

#[test]
fn fetch_downloads_then_reports_not_modified() {
    let sandbox = Sandbox::new();
    let server = TestServer::sample();

    let first = fetch_json(&sandbox, &server.url);
    let second = fetch_json(&sandbox, &server.url);

    assert_eq!(first.len(), 2);
    for (file, name) in first.iter().zip(FILES) {
        let bytes = std::fs::read(sample_file(name)).unwrap();
        assert_eq!(file["name"], name);
        assert_eq!(file["status"], "downloaded", "{file:#}");
        assert_eq!(file["sha256"], sha256(&bytes), "{name}");
        assert_eq!(file["bytes"], bytes.len());
        assert_eq!(
            std::fs::read(sandbox.join("raw").join(name)).unwrap(),
            bytes,
            "{name} on disk is the served file"
        );
    }
    for (file, before) in second.iter().zip(&first) {
        assert_eq!(file["status"], "not_modified", "{file:#}");
        assert_eq!(file["sha256"], before["sha256"]);
    }
    let requests = server.requests();
    assert_eq!(
        requests,
        [
            (FILES[0].to_owned(), None),
            (FILES[1].to_owned(), None),
            (FILES[0].to_owned(), Some(ETAG.to_owned())),
            (FILES[1].to_owned(), Some(ETAG.to_owned())),
        ],
        "the second run asks conditionally with the stored ETag"
    );
}

#[test]
fn fetched_files_ingest_to_the_dataset_version_of_the_same_files_in_the_sample() {
    let sandbox = Sandbox::new();
    let server = TestServer::sample();

    let fetched = sandbox
        .run([
            "data",
            "fetch",
            "--base-url",
            &server.url,
            "--dir",
            "raw",
            "--no-progress",
        ])
        .success();
    let from_fetched = sandbox.train("a", &["--data", "raw"]);
    // The fetch serves the sample's basics and ratings (the embedded default also carries
    // its crew files, so its version differs): the same two files read from the sample.
    let basics = sample_file("title.basics.tsv.gz");
    let ratings = sample_file("title.ratings.tsv.gz");
    let embedded = sandbox.train(
        "b",
        &[
            "--basics",
            basics.to_str().unwrap(),
            "--ratings",
            ratings.to_str().unwrap(),
        ],
    );

    assert!(
        fetched.stdout.contains(
            "next: reelcast data ingest --basics raw/title.basics.tsv.gz --ratings raw/title.ratings.tsv.gz"
        ),
        "{}",
        fetched.stdout
    );
    assert!(
        fetched
            .stdout
            .starts_with("downloaded raw/title.basics.tsv.gz"),
        "{}",
        fetched.stdout
    );
    assert_eq!(from_fetched["dataset_version"], embedded["dataset_version"]);
}

#[test]
fn fetch_from_a_server_without_the_files_names_the_url_and_status() {
    let sandbox = Sandbox::new();
    let server = TestServer::start(BTreeMap::new());

    let message = sandbox
        .run([
            "data",
            "fetch",
            "--base-url",
            &server.url,
            "--dir",
            "raw",
            "--no-progress",
        ])
        .error();

    let base = server.url.trim_end_matches('/');
    assert_eq!(
        message,
        format!(
            "fetching IMDb datasets from {}: GET {base}/title.basics.tsv.gz returned HTTP 404 Not Found; check the base URL and the file names",
            server.url
        )
    );
    assert!(!sandbox.join("raw/title.basics.tsv.gz").exists());
}
