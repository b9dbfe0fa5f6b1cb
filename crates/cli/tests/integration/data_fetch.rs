//! `reelcast data fetch` against a local tiny_http server serving the embedded sample's
//! real files (no test uses the internet).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::Value;
use tiny_http::{Header, Response, Server};

use crate::helpers::{sample_arg, sample_file, sha256, Sandbox, SAMPLE_FILES};

const ETAG: &str = "\"sample-v1\"";
/// The ETag of a server with a new (bad) version of the files.
const NEW_ETAG: &str = "\"sample-v2\"";
/// What `data fetch` downloads by default: all five files.
const FILES: [&str; 5] = SAMPLE_FILES;

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
        Self::start_with_etag(files, ETAG)
    }

    /// Like [`TestServer::start`], with `etag` on every file (a new ETag is a new version
    /// of the files, downloaded over the copies fetched with the old one).
    fn start_with_etag(files: BTreeMap<String, Vec<u8>>, etag: &'static str) -> Self {
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
                let header = Header::from_bytes("ETag", etag).expect("a valid header");
                let response = match files.get(&path) {
                    None => Response::from_string("not found").with_status_code(404),
                    Some(_) if if_none_match.as_deref() == Some(etag) => {
                        Response::from_data(Vec::new())
                            .with_status_code(304)
                            .with_header(header)
                    }
                    Some(body) => Response::from_data(body.clone()).with_header(header),
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

    /// The embedded sample's five real files.
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

fn fetch_json(sandbox: &Sandbox, url: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "data",
        "fetch",
        "--base-url",
        url,
        "--dir",
        "raw",
        "--no-progress",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = sandbox.run(&args).json();
    out.as_array().expect("a JSON array of files").clone()
}

#[test]
fn fetch_downloads_all_five_files_then_reports_not_modified() {
    let sandbox = Sandbox::new();
    let server = TestServer::sample();

    let first = fetch_json(&sandbox, &server.url, &[]);
    let second = fetch_json(&sandbox, &server.url, &[]);

    assert_eq!(first.len(), 5);
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
    let expected: Vec<_> = FILES
        .iter()
        .map(|f| (f.to_string(), None))
        .chain(FILES.iter().map(|f| (f.to_string(), Some(ETAG.to_owned()))))
        .collect();
    assert_eq!(
        server.requests(),
        expected,
        "the second run asks conditionally with the stored ETag"
    );
}

#[test]
fn fetch_only_downloads_just_the_named_files_in_the_order_given() {
    let sandbox = Sandbox::new();
    let server = TestServer::sample();

    let pair = fetch_json(&sandbox, &server.url, &["--only", "basics,ratings"]);
    let people = fetch_json(&sandbox, &server.url, &["--only", "names,crew,principals"]);
    let again = fetch_json(&sandbox, &server.url, &["--only", "ratings"]);

    let names = |files: &[Value]| -> Vec<String> {
        files
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&pair),
        ["title.basics.tsv.gz", "title.ratings.tsv.gz"]
    );
    assert_eq!(
        names(&people),
        [
            "name.basics.tsv.gz",
            "title.crew.tsv.gz",
            "title.principals.tsv.gz"
        ],
        "in the order given"
    );
    assert_eq!(again[0]["status"], "not_modified", "{again:#?}");
    let requested: Vec<String> = server.requests().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        requested,
        [
            "title.basics.tsv.gz",
            "title.ratings.tsv.gz",
            "name.basics.tsv.gz",
            "title.crew.tsv.gz",
            "title.principals.tsv.gz",
            "title.ratings.tsv.gz"
        ]
    );
    for name in FILES {
        assert_eq!(
            sha256(&std::fs::read(sandbox.join("raw").join(name)).unwrap()),
            sha256(&std::fs::read(sample_file(name)).unwrap()),
            "{name}"
        );
    }
}

#[test]
fn fetch_only_with_an_unknown_name_lists_the_accepted_names_and_downloads_nothing() {
    let sandbox = Sandbox::new();
    let server = TestServer::sample();

    let message = sandbox
        .run([
            "data",
            "fetch",
            "--base-url",
            &server.url,
            "--dir",
            "raw",
            "--only",
            "basics,akas",
        ])
        .error();

    assert_eq!(
        message,
        "--only: unknown IMDb file \"akas\"; the accepted names are basics, ratings, crew, principals, names"
    );
    assert!(server.requests().is_empty());
    assert!(!sandbox.join("raw").exists());
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
    let from_fetched = sandbox.train("a", &["--imdb-dir", "raw"]);
    // All five files are the embedded sample's: the same dataset, crew included.
    let embedded = sandbox.train("b", &[]);

    assert!(
        fetched
            .stdout
            .ends_with("next: reelcast data ingest --imdb-dir raw\n"),
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
    assert_eq!(
        from_fetched["feature_groups"],
        serde_json::json!(["basics", "crew"])
    );
}

#[test]
fn the_old_pair_fetched_with_only_trains_the_basics_only_model() {
    let sandbox = Sandbox::new();
    let server = TestServer::sample();
    sandbox
        .run([
            "data",
            "fetch",
            "--base-url",
            &server.url,
            "--dir",
            "raw",
            "--only",
            "basics,ratings",
        ])
        .success();

    let from_fetched = sandbox.train("a", &["--imdb-dir", "raw"]);
    let from_flags = sandbox.train(
        "b",
        &[
            "--basics",
            &sample_arg("title.basics.tsv.gz"),
            "--ratings",
            &sample_arg("title.ratings.tsv.gz"),
        ],
    );

    assert_eq!(
        from_fetched["dataset_version"],
        from_flags["dataset_version"]
    );
    assert_eq!(
        from_fetched["feature_groups"],
        serde_json::json!(["basics"])
    );
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

/// The files in `dir` with their bytes, sorted by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fetch_refuses_a_bad_download_and_keeps_the_good_copy_byte_for_byte() {
    let sample = |name: &str| std::fs::read(sample_file(name)).unwrap();
    let cases = [
        (
            "truncated gzip",
            "basics",
            "title.basics.tsv.gz",
            sample("title.basics.tsv.gz")[..20_000].to_vec(),
            "gzip stream truncated after 20000 bytes".to_owned(),
        ),
        (
            "html page",
            "ratings",
            "title.ratings.tsv.gz",
            b"<!DOCTYPE html>\n<html><head><title>503</title></head></html>\n".to_vec(),
            "not gzip: starts with `<!DOCTYPE`".to_owned(),
        ),
        (
            "another file's header",
            "ratings",
            "title.ratings.tsv.gz",
            sample("title.crew.tsv.gz"),
            "header is \"tconst\\tdirectors\\twriters\", expected \"tconst\\taverageRating\\tnumVotes\"".to_owned(),
        ),
    ];
    for (label, only, name, body, problem) in cases {
        let sandbox = Sandbox::new();
        let good = TestServer::sample();
        fetch_json(&sandbox, &good.url, &["--only", "basics,ratings"]);
        let raw = sandbox.join("raw");
        let before = snapshot(&raw);
        let bad = TestServer::start_with_etag(BTreeMap::from([(name.to_owned(), body)]), NEW_ETAG);

        let run = sandbox.run([
            "data",
            "fetch",
            "--base-url",
            &bad.url,
            "--dir",
            "raw",
            "--only",
            only,
            "--no-progress",
        ]);

        assert_eq!(
            run.error(),
            format!(
                "fetching IMDb datasets from {url}: GET {url}{name}: {problem}; {name} was not replaced; check --base-url, or try again if the download was cut short",
                url = bad.url
            ),
            "{label}"
        );
        assert!(!run.stdout.contains("next:"), "{label}: {}", run.stdout);
        assert_eq!(bad.requests().len(), 1, "{label}: downloaded");
        let after = snapshot(&raw);
        assert!(
            after == before,
            "{label}: raw/ changed: {:?} -> {:?}",
            before.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            after.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
    }
}

/// The permission bits of `path` and of a file `File::create` makes in a new directory
/// under `dir`, in octal (equal when `path` was written like an ordinary file, whatever
/// the umask).
#[cfg(unix)]
pub(crate) fn mode_and_created_mode(path: &Path, dir: &Path) -> (String, String) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| {
        let bits = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        format!("{bits:o}")
    };
    let probe = tempfile::tempdir_in(dir).unwrap();
    let created = probe.path().join("probe");
    std::fs::File::create(&created).unwrap();
    (mode(path), mode(&created))
}

#[cfg(unix)]
#[test]
fn fetched_files_and_sidecars_get_the_mode_of_a_created_file() {
    let sandbox = Sandbox::new();
    let server = TestServer::sample();

    fetch_json(&sandbox, &server.url, &["--only", "ratings"]);

    for name in ["title.ratings.tsv.gz", "title.ratings.tsv.gz.meta.json"] {
        let (mode, created) =
            mode_and_created_mode(&sandbox.join("raw").join(name), sandbox.path());
        assert_eq!(mode, created, "{name}");
    }
}
