//! Downloading IMDb's files: streamed to a temporary file beside the target, hashed on the
//! way, checked (whole gzip, IMDb's header; see `download_check`), renamed into place only
//! when complete and valid, and skipped when the server says nothing changed (ETag /
//! Last-Modified kept in a `<file>.meta.json` sidecar).

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::blocking::{Client, Response};
use reqwest::header::{
    HeaderMap, CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use crate::download_check::check_download;
use crate::temp_file::temp_file_in;
use crate::{Error, ImdbFile, Result};

/// IMDb's dataset server.
pub const DEFAULT_BASE_URL: &str = "https://datasets.imdbws.com/";
/// The files reelcast reads: basics and ratings, and the people files of the crew
/// features; `data fetch` downloads them all unless told `--only`.
pub const DEFAULT_FILES: [&str; 5] = [
    ImdbFile::Basics.file_name(),
    ImdbFile::Ratings.file_name(),
    ImdbFile::Crew.file_name(),
    ImdbFile::Principals.file_name(),
    ImdbFile::Names.file_name(),
];
/// Longest wait to connect, seconds.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for the response head or for any one read of the body, seconds.
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// What [`fetch`] did with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchStatus {
    /// A new copy was downloaded.
    Downloaded,
    /// The local copy is current; nothing was downloaded.
    NotModified,
}

/// One file after [`fetch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchedFile {
    /// File name, e.g. `title.basics.tsv.gz`.
    pub name: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Downloaded or not modified.
    pub status: FetchStatus,
}

/// The `<file>.meta.json` sidecar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    size: u64,
    sha256: String,
}

/// Downloads `files` from `base_url` into `dir` (created if missing), skipping files the
/// server reports unchanged. `progress` shows a progress bar on stderr when it is a TTY.
///
/// # Errors
/// [`Error::InvalidBaseUrl`] before anything is requested or created,
/// [`Error::Http`], [`Error::HttpStatus`] (e.g. 404), [`Error::DownloadInterrupted`],
/// [`Error::IncompleteDownload`], [`Error::InvalidDownload`] (a `.gz` body that is not
/// gzip or ends early, a first line that is not the IMDb file's header), [`Error::Io`]. A
/// failed download never leaves a partial file under the real name, nor replaces the
/// file or sidecar already there.
#[tracing::instrument(skip_all, fields(base_url, dir = %dir.display()))]
pub fn fetch(
    base_url: &str,
    dir: &Path,
    files: &[&str],
    progress: bool,
) -> Result<Vec<FetchedFile>> {
    check_base_url(base_url)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let client = Client::builder()
        .user_agent(concat!("reelcast/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(READ_TIMEOUT)
        .build()
        .map_err(|source| Error::Http {
            url: base_url.to_owned(),
            source,
        })?;
    let base = base_url.trim_end_matches('/');
    files
        .iter()
        .map(|name| fetch_one(&client, &format!("{base}/{name}"), dir, name, progress))
        .collect()
}

/// Refuses a base URL the client could not request, naming the rule, so that `not-a-url`
/// does not surface as the client's "builder error: relative URL without a base".
fn check_base_url(base_url: &str) -> Result<()> {
    let invalid = |reason: String| Error::InvalidBaseUrl {
        url: base_url.to_owned(),
        reason,
    };
    let url = reqwest::Url::parse(base_url).map_err(|e| invalid(e.to_string()))?;
    match url.scheme() {
        "http" | "https" if url.has_host() => Ok(()),
        "http" | "https" => Err(invalid("it has no host".to_owned())),
        other => Err(invalid(format!("scheme {other:?} is not http or https"))),
    }
}

fn meta_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".meta.json");
    path.with_file_name(name)
}

/// The sidecar, if it describes the file actually on disk.
fn current_meta(path: &Path) -> Option<FileMeta> {
    let text = std::fs::read_to_string(meta_path(path)).ok()?;
    let meta: FileMeta = serde_json::from_str(&text).ok()?;
    let on_disk = std::fs::metadata(path).ok()?.len();
    (on_disk == meta.size).then_some(meta)
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

fn fetch_one(
    client: &Client,
    url: &str,
    dir: &Path,
    name: &str,
    progress: bool,
) -> Result<FetchedFile> {
    let path = dir.join(name);
    let meta = current_meta(&path);
    let mut request = client.get(url);
    if let Some(m) = &meta {
        if let Some(etag) = &m.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &m.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
    }
    let http_err = |source| Error::Http {
        url: url.to_owned(),
        source,
    };
    let response = request.send().map_err(http_err)?;
    let status = response.status();
    let etag = header(response.headers(), ETAG);
    let length = header(response.headers(), CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    if let Some(m) = meta {
        // 304, or a server that ignores conditional requests but shows the same ETag and size.
        let same =
            status == StatusCode::OK && etag.is_some() && etag == m.etag && length == Some(m.size);
        if status == StatusCode::NOT_MODIFIED || same {
            tracing::info!(file = name, "not modified");
            return Ok(FetchedFile {
                name: name.to_owned(),
                path,
                sha256: m.sha256,
                bytes: m.size,
                status: FetchStatus::NotModified,
            });
        }
    }
    if status != StatusCode::OK {
        return Err(Error::HttpStatus {
            url: url.to_owned(),
            status: status.to_string(),
        });
    }
    let last_modified = header(response.headers(), LAST_MODIFIED);
    let (tmp, sha256, size) = download(response, url, dir, name, length, progress)?;
    // On failure `tmp` is dropped, which removes it; the old file and sidecar stay as they were.
    check_download(tmp.path(), url, name)?;
    tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    let meta = FileMeta {
        url: url.to_owned(),
        etag,
        last_modified,
        size,
        sha256: sha256.clone(),
    };
    write_meta(&path, &meta)?;
    tracing::info!(file = name, bytes = size, sha256 = %sha256, "downloaded");
    Ok(FetchedFile {
        name: name.to_owned(),
        path,
        sha256,
        bytes: size,
        status: FetchStatus::Downloaded,
    })
}

fn progress_bar(name: &str, length: Option<u64>, progress: bool) -> ProgressBar {
    let target = if progress && std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(length, target);
    let template = "{msg:22} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(name.to_owned());
    bar
}

/// Streams the body into a temporary file in `dir`; returns it with its SHA-256 and size.
fn download(
    mut response: Response,
    url: &str,
    dir: &Path,
    name: &str,
    length: Option<u64>,
    progress: bool,
) -> Result<(NamedTempFile, String, u64)> {
    let tmp = temp_file_in(dir, None).map_err(|e| Error::io(dir, e))?;
    let tmp_path = tmp.path().to_owned();
    let mut out = BufWriter::with_capacity(1 << 20, tmp);
    let bar = progress_bar(name, length, progress);
    let mut hasher = Sha256::new();
    let mut received = 0u64;
    let mut chunk = vec![0u8; 256 * 1024];
    loop {
        let n = match response.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => {
                bar.abandon();
                return Err(Error::DownloadInterrupted {
                    url: url.to_owned(),
                    received,
                    reason: error_chain(&source),
                    source,
                });
            }
        };
        hasher.update(&chunk[..n]);
        out.write_all(&chunk[..n])
            .map_err(|e| Error::io(&tmp_path, e))?;
        received += n as u64;
        bar.inc(n as u64);
    }
    bar.finish();
    if let Some(expected) = length.filter(|l| *l != received) {
        return Err(Error::IncompleteDownload {
            url: url.to_owned(),
            expected,
            received,
        });
    }
    let tmp = out
        .into_inner()
        .map_err(|e| Error::io(&tmp_path, e.into_error()))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(&tmp_path, e))?;
    Ok((tmp, hex::encode(hasher.finalize()), received))
}

/// An error and its causes, `: `-joined.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn write_meta(path: &Path, meta: &FileMeta) -> Result<()> {
    let target = meta_path(path);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = temp_file_in(dir, None).map_err(|e| Error::io(dir, e))?;
    let json = serde_json::to_vec_pretty(meta).map_err(|source| Error::Manifest {
        path: target.clone(),
        source,
    })?;
    tmp.write_all(&json).map_err(|e| Error::io(&target, e))?;
    tmp.persist(&target)
        .map_err(|e| Error::io(&target, e.error))?;
    Ok(())
}

/// Hex SHA-256 of a file on disk (for tests and callers checking a download).
///
/// # Errors
/// [`Error::Io`].
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_must_be_absolute_http() {
        let cases = [
            (
                "not-a-url",
                "base URL \"not-a-url\" is not an absolute http(s) URL (relative URL without a base); give one like https://datasets.imdbws.com/",
            ),
            (
                "ftp://example.org/",
                "base URL \"ftp://example.org/\" is not an absolute http(s) URL (scheme \"ftp\" is not http or https); give one like https://datasets.imdbws.com/",
            ),
        ];
        for (url, message) in cases {
            let err = check_base_url(url).unwrap_err();
            assert_eq!(err.to_string(), message, "{url}");
        }
        check_base_url("http://127.0.0.1:8080").unwrap();
        check_base_url(DEFAULT_BASE_URL).unwrap();
    }

    #[test]
    fn sidecar_sits_next_to_the_file() {
        assert_eq!(
            meta_path(Path::new("/d/title.basics.tsv.gz")),
            PathBuf::from("/d/title.basics.tsv.gz.meta.json")
        );
    }
}
