//! `fetch` against local servers on 127.0.0.1:0 (no test uses the internet).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use reelcast_data::{fetch, sha256_file, Error, FetchStatus};
use tiny_http::{Header, Response, Server};

use crate::helpers::{excerpt_basics, excerpt_ratings, gzip};

const ETAG: &str = "\"v1\"";
/// The ETag of [`Mode::Replaced`]: a new version of the file.
const NEW_ETAG: &str = "\"v2\"";

#[derive(Clone, Copy)]
enum Mode {
    /// 200 with an ETag; 304 when If-None-Match matches.
    Normal,
    /// 200 with an ETag, ignoring conditional headers (same ETag and size every time).
    IgnoresConditional,
    /// 404 for everything.
    NotFound,
    /// 200 with a new ETag whatever the request says: the file changed on the server.
    Replaced,
}

struct TestServer {
    url: String,
    bodies_sent: Arc<AtomicUsize>,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start(mode: Mode, body: Vec<u8>) -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let bodies_sent = Arc::new(AtomicUsize::new(0));
        let (srv, sent) = (Arc::clone(&server), Arc::clone(&bodies_sent));
        let thread = std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                serve(request, mode, &body, &sent);
            }
        });
        Self {
            url: format!("http://127.0.0.1:{port}/"),
            bodies_sent,
            server,
            thread: Some(thread),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

fn serve(request: tiny_http::Request, mode: Mode, body: &[u8], sent: &AtomicUsize) {
    let etag = Header::from_bytes("ETag", ETAG).unwrap();
    let matches = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == ETAG);
    match mode {
        Mode::NotFound => request
            .respond(Response::from_string("nope").with_status_code(404))
            .unwrap(),
        Mode::Normal if matches => request
            .respond(Response::empty(304).with_header(etag))
            .unwrap(),
        Mode::Normal | Mode::IgnoresConditional => {
            sent.fetch_add(1, Ordering::SeqCst);
            request
                .respond(Response::from_data(body.to_vec()).with_header(etag))
                .unwrap();
        }
        Mode::Replaced => {
            sent.fetch_add(1, Ordering::SeqCst);
            let etag = Header::from_bytes("ETag", NEW_ETAG).unwrap();
            request
                .respond(Response::from_data(body.to_vec()).with_header(etag))
                .unwrap();
        }
    }
}

/// A server that announces the full length, sends half the body and closes the
/// connection. Raw TCP: tiny_http keeps connections open, so it cannot cut one short.
fn start_cut_short(body: Vec<u8>) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
            head.push(byte[0]);
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {ETAG}\r\n\r\n",
            body.len()
        );
        stream.write_all(response.as_bytes()).unwrap();
        stream.write_all(&body[..body.len() / 2]).unwrap();
        stream.shutdown(Shutdown::Both).unwrap();
    });
    (url, thread)
}

fn fixture_bytes() -> Vec<u8> {
    std::fs::read(excerpt_ratings()).unwrap()
}

#[test]
fn downloads_then_reports_not_modified_on_304() {
    let body = fixture_bytes();
    let server = TestServer::start(Mode::Normal, body.clone());
    let dir = tempfile::tempdir().unwrap();

    let first = fetch(&server.url, dir.path(), &["title.ratings.tsv"], false).unwrap();
    assert_eq!(first[0].status, FetchStatus::Downloaded);
    assert_eq!(first[0].bytes, body.len() as u64);
    assert_eq!(first[0].sha256, sha256_file(&excerpt_ratings()).unwrap());
    assert_eq!(std::fs::read(&first[0].path).unwrap(), body);
    assert!(dir.path().join("title.ratings.tsv.meta.json").exists());

    let second = fetch(&server.url, dir.path(), &["title.ratings.tsv"], false).unwrap();
    assert_eq!(second[0].status, FetchStatus::NotModified);
    assert_eq!(second[0].sha256, first[0].sha256);
    assert_eq!(
        server.bodies_sent.load(Ordering::SeqCst),
        1,
        "the body was sent once"
    );
}

#[test]
fn same_etag_and_size_skip_even_without_304() {
    let server = TestServer::start(Mode::IgnoresConditional, fixture_bytes());
    let dir = tempfile::tempdir().unwrap();
    fetch(&server.url, dir.path(), &["title.ratings.tsv"], false).unwrap();
    let second = fetch(&server.url, dir.path(), &["title.ratings.tsv"], false).unwrap();
    assert_eq!(second[0].status, FetchStatus::NotModified);
}

#[test]
fn a_deleted_local_file_is_downloaded_again() {
    let server = TestServer::start(Mode::Normal, fixture_bytes());
    let dir = tempfile::tempdir().unwrap();
    let first = fetch(&server.url, dir.path(), &["title.ratings.tsv"], false).unwrap();
    std::fs::remove_file(&first[0].path).unwrap();
    let second = fetch(&server.url, dir.path(), &["title.ratings.tsv"], false).unwrap();
    assert_eq!(second[0].status, FetchStatus::Downloaded);
    assert!(second[0].path.exists());
}

#[test]
fn a_body_cut_short_leaves_no_file_under_the_real_name() {
    let (url, server) = start_cut_short(fixture_bytes());
    let dir = tempfile::tempdir().unwrap();
    let err = fetch(&url, dir.path(), &["title.ratings.tsv"], false).unwrap_err();
    server.join().unwrap();
    assert!(
        matches!(
            err,
            Error::DownloadInterrupted { .. } | Error::IncompleteDownload { .. }
        ),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .starts_with(&format!("GET {}title.ratings.tsv: ", url)));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file, no temp file"
    );
}

#[test]
fn a_404_names_the_url_and_status() {
    let server = TestServer::start(Mode::NotFound, Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let err = fetch(&server.url, dir.path(), &["title.basics.tsv.gz"], false).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "GET {}title.basics.tsv.gz returned HTTP 404 Not Found; check the base URL and the file names",
            server.url
        )
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_relative_base_url_is_refused_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("raw");

    let err = fetch("not-a-url", &target, &["title.basics.tsv.gz"], false).unwrap_err();

    assert!(matches!(err, Error::InvalidBaseUrl { .. }), "{err:?}");
    assert!(!target.exists());
}

/// The names in `dir`, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_bad_download_is_refused_and_the_old_file_and_sidecar_survive_byte_for_byte() {
    const NAME: &str = "title.ratings.tsv.gz";
    let good = gzip(&fixture_bytes());
    let cases = [
        (
            "truncated gzip",
            good[..good.len() / 2].to_vec(),
            format!("gzip stream truncated after {} bytes", good.len() / 2),
        ),
        (
            "html page",
            b"<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>\n".to_vec(),
            "not gzip: starts with `<!DOCTYPE`".to_owned(),
        ),
        (
            "another file's header",
            gzip(&std::fs::read(excerpt_basics()).unwrap()),
            "header is \"tconst\\ttitleType\\tprimaryTitle\\toriginalTitle\\tisAdult\\tstartYear\\tendYear\\truntimeMinutes\\tgenres\", expected \"tconst\\taverageRating\\tnumVotes\"".to_owned(),
        ),
    ];
    for (label, body, problem) in cases {
        let dir = tempfile::tempdir().unwrap();
        let first = TestServer::start(Mode::Normal, good.clone());
        fetch(&first.url, dir.path(), &[NAME], false).unwrap();
        let file = dir.path().join(NAME);
        let sidecar = dir.path().join(format!("{NAME}.meta.json"));
        let (old_file, old_sidecar) = (
            std::fs::read(&file).unwrap(),
            std::fs::read(&sidecar).unwrap(),
        );
        let bad = TestServer::start(Mode::Replaced, body);

        let err = fetch(&bad.url, dir.path(), &[NAME], false).unwrap_err();

        assert!(
            matches!(err, Error::InvalidDownload { .. }),
            "{label}: {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "GET {}{NAME}: {problem}; {NAME} was not replaced; check --base-url, or try again if the download was cut short",
                bad.url
            ),
            "{label}"
        );
        assert_eq!(
            bad.bodies_sent.load(Ordering::SeqCst),
            1,
            "{label}: downloaded"
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            old_file,
            "{label}: the file survives"
        );
        assert_eq!(
            std::fs::read(&sidecar).unwrap(),
            old_sidecar,
            "{label}: the sidecar survives"
        );
        assert_eq!(
            names_in(dir.path()),
            [NAME.to_owned(), format!("{NAME}.meta.json")],
            "{label}: no temporary file left"
        );
    }
}

#[test]
fn a_bad_first_download_leaves_nothing() {
    let server = TestServer::start(
        Mode::Normal,
        b"<html>\n<head><title>Moved</title></head>\n</html>\n".to_vec(),
    );
    let dir = tempfile::tempdir().unwrap();

    let err = fetch(&server.url, dir.path(), &["title.basics.tsv.gz"], false).unwrap_err();

    assert!(
        err.to_string().starts_with(&format!(
            "GET {}title.basics.tsv.gz: not gzip: starts with `<html>`; ",
            server.url
        )),
        "{err}"
    );
    assert!(names_in(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn a_fetched_file_and_its_sidecar_get_the_mode_of_a_created_file() {
    use crate::helpers::{created_mode, mode};

    let server = TestServer::start(Mode::Normal, gzip(&fixture_bytes()));
    let dir = tempfile::tempdir().unwrap();

    let fetched = fetch(&server.url, dir.path(), &["title.ratings.tsv.gz"], false).unwrap();

    let expected = created_mode(dir.path());
    assert_eq!(mode(&fetched[0].path), expected, "the file");
    assert_eq!(
        mode(&dir.path().join("title.ratings.tsv.gz.meta.json")),
        expected,
        "the sidecar"
    );
}
