//! Checks a finished download before it replaces the file it updates: a `.gz` file must
//! be gzip that decompresses to its end, and an IMDb file must start with its header. A
//! server answering 200 with an HTML page, a body cut short without a Content-Length, or
//! the wrong file would otherwise replace a good copy.
//!
//! The check is a second streaming pass over the temporary file, not decompression while
//! downloading: the file was just written and synced, so the pass reads it back from the
//! page cache, memory stays at two buffers whatever the size, it checks the bytes that are
//! actually on disk, and its errors stay apart from the network's. Inflating costs a few
//! seconds for IMDb's largest file, small next to downloading it.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use crate::source::GZIP_MAGIC;
use crate::{Error, ImdbFile, Result};

/// Buffer size for the compressed and the decompressed bytes.
const BUFFER: usize = 256 * 1024;
/// Longest first line read (IMDb's headers are under 100 bytes).
const MAX_HEADER: u64 = 1024;
/// Longest text shown of a wrong header.
const SHOWN_HEADER_CHARS: usize = 100;
/// Longest text shown of what a non-gzip body starts with.
const SHOWN_START_CHARS: usize = 16;

/// What is wrong with a download (see [`Error::InvalidDownload`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadProblem {
    /// A `.gz` file that does not start with gzip's magic bytes: an HTML error page, a
    /// plain file.
    #[error("not gzip: starts with `{start}`")]
    NotGzip {
        /// The body's first characters, up to the first white space (lossy UTF-8,
        /// control characters escaped).
        start: String,
    },
    /// A `.gz` file with no byte at all.
    #[error("not gzip: the body is empty")]
    EmptyBody,
    /// The gzip stream stops before its end (the download was cut short).
    #[error("gzip stream truncated after {after} bytes")]
    TruncatedGzip {
        /// Compressed bytes read before the stream ended.
        after: u64,
    },
    /// The gzip stream is corrupt (bad data or checksum, garbage after a member).
    #[error("gzip stream corrupt after {after} bytes ({reason})")]
    CorruptGzip {
        /// Compressed bytes read when the error was found.
        after: u64,
        /// The decompressor's message.
        reason: String,
    },
    /// A file without a line (an empty body, or gzip of nothing).
    #[error("no header line, expected {expected:?}")]
    NoHeader {
        /// The header the file should start with (tab-joined).
        expected: String,
    },
    /// The first line is not the header of the file asked for.
    #[error("header is {found:?}, expected {expected:?}")]
    Header {
        /// The first line (lossy UTF-8, shortened past 100 characters).
        found: String,
        /// The header the file should start with (tab-joined).
        expected: String,
    },
}

/// Checks the download of `name` from `url` saved at `path`: gzip to its end when `name`
/// ends in `.gz`, and IMDb's header on the first line when `name` is one of IMDb's files
/// ([`ImdbFile::from_file_name`]; other names get no header check).
///
/// # Errors
/// [`Error::InvalidDownload`] naming the problem, [`Error::Io`] when `path` cannot be read.
pub(crate) fn check_download(path: &Path, url: &str, name: &str) -> Result<()> {
    let header = ImdbFile::from_file_name(name).map(ImdbFile::header);
    let gzip = name.ends_with(".gz");
    if !gzip && header.is_none() {
        return Ok(());
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut raw = BufReader::with_capacity(BUFFER, CountedReader::new(file));
    let problem = if gzip {
        check_gzip(&mut raw, header).map_err(|e| Error::io(path, e))?
    } else {
        check_text(&mut raw, header).map_err(|e| Error::io(path, e))?
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Error::InvalidDownload {
            url: url.to_owned(),
            name: name.to_owned(),
            problem,
        }),
    }
}

/// Decompresses `raw` to its end, checking the header on the way. The outer `Err` is an
/// error reading the file itself.
fn check_gzip(
    raw: &mut BufReader<CountedReader<File>>,
    header: Option<&[&str]>,
) -> io::Result<Option<DownloadProblem>> {
    let head = raw.fill_buf()?;
    if head.is_empty() {
        return Ok(Some(DownloadProblem::EmptyBody));
    }
    if !head.starts_with(&GZIP_MAGIC) {
        return Ok(Some(DownloadProblem::NotGzip {
            start: start_of(head),
        }));
    }
    let mut text = BufReader::with_capacity(BUFFER, MultiGzDecoder::new(raw));
    match check_text(&mut text, header) {
        Ok(problem) => Ok(problem),
        Err(e) => {
            let counted = text.get_ref().get_ref().get_ref();
            if counted.failed {
                return Err(e);
            }
            let after = counted.bytes;
            Ok(Some(if e.kind() == io::ErrorKind::UnexpectedEof {
                DownloadProblem::TruncatedGzip { after }
            } else {
                DownloadProblem::CorruptGzip {
                    after,
                    reason: e.to_string(),
                }
            }))
        }
    }
}

/// Checks the first line against `header` (when given), then reads `text` to its end.
fn check_text(
    text: &mut impl BufRead,
    header: Option<&[&str]>,
) -> io::Result<Option<DownloadProblem>> {
    if let Some(header) = header {
        let mut line = Vec::new();
        text.by_ref()
            .take(MAX_HEADER)
            .read_until(b'\n', &mut line)?;
        let expected = header.join("\t");
        if line.is_empty() {
            return Ok(Some(DownloadProblem::NoHeader { expected }));
        }
        let line = line.strip_suffix(b"\n").unwrap_or(&line);
        // Ingest accepts `\r\n` line ends too.
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line != expected.as_bytes() {
            return Ok(Some(DownloadProblem::Header {
                found: shorten(&String::from_utf8_lossy(line), SHOWN_HEADER_CHARS),
                expected,
            }));
        }
    }
    io::copy(text, &mut io::sink())?;
    Ok(None)
}

/// What a body starts with, for a message: up to the first white space.
fn start_of(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(head);
    let word = text.split(char::is_whitespace).next().unwrap_or_default();
    let shown = shorten(word, SHOWN_START_CHARS);
    shown.escape_debug().to_string()
}

/// `text` cut to `max` characters, `…` marking a cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Counts the bytes read from the file and remembers whether reading it failed, so that
/// the decompressor's errors can be told apart from the disk's and located.
struct CountedReader<R> {
    inner: R,
    bytes: u64,
    failed: bool,
}

impl<R> CountedReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            bytes: 0,
            failed: false,
        }
    }
}

impl<R: Read> Read for CountedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.bytes += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failed = e.kind() != io::ErrorKind::Interrupted;
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const RATINGS: &str = "tconst\taverageRating\tnumVotes\ntt0000001\t5.7\t2100\n";

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    /// The check of `body` saved as `name`, as its message.
    fn check(name: &str, body: &[u8]) -> std::result::Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("download");
        std::fs::write(&path, body).unwrap();
        check_download(&path, "http://h/f", name).map_err(|e| {
            let Error::InvalidDownload { problem, .. } = &e else {
                panic!("not a download problem: {e:?}")
            };
            problem.to_string()
        })
    }

    #[test]
    fn accepts_imdb_files_gzipped_in_one_or_more_members_and_plain() {
        let (head, rest) = RATINGS.split_at(20);
        let two_members = [gzip(head.as_bytes()), gzip(rest.as_bytes())].concat();
        let cases = [
            (
                "one member",
                "title.ratings.tsv.gz",
                gzip(RATINGS.as_bytes()),
            ),
            ("two members", "title.ratings.tsv.gz", two_members),
            ("plain", "title.ratings.tsv", RATINGS.as_bytes().to_vec()),
            (
                "crlf",
                "title.ratings.tsv",
                RATINGS.replace('\n', "\r\n").into(),
            ),
            ("other gzip", "title.akas.tsv.gz", gzip(b"anything")),
            ("other file", "notes.txt", b"<!DOCTYPE html>".to_vec()),
        ];
        for (label, name, body) in cases {
            assert_eq!(check(name, &body), Ok(()), "{label}");
        }
    }

    #[test]
    fn names_what_is_wrong_with_a_bad_download() {
        let good = gzip(RATINGS.as_bytes());
        let mut bad_crc = good.clone();
        let crc_at = bad_crc.len() - 8;
        bad_crc[crc_at] ^= 0xff;
        let expected = "\"tconst\\taverageRating\\tnumVotes\"";
        let cases = [
            (
                "html",
                "title.ratings.tsv.gz",
                b"<!DOCTYPE html>\n<html>".to_vec(),
                "not gzip: starts with `<!DOCTYPE`".to_owned(),
            ),
            (
                "empty",
                "title.ratings.tsv.gz",
                Vec::new(),
                "not gzip: the body is empty".to_owned(),
            ),
            (
                "binary",
                "title.ratings.tsv.gz",
                b"PK\x03\x04\x00rest".to_vec(),
                "not gzip: starts with `PK\\u{3}\\u{4}\\0rest`".to_owned(),
            ),
            (
                "truncated",
                "title.ratings.tsv.gz",
                good[..good.len() - 4].to_vec(),
                format!("gzip stream truncated after {} bytes", good.len() - 4),
            ),
            (
                "cut in the deflate data",
                "title.ratings.tsv.gz",
                good[..good.len() / 2].to_vec(),
                format!("gzip stream truncated after {} bytes", good.len() / 2),
            ),
            (
                "bad checksum",
                "title.ratings.tsv.gz",
                bad_crc,
                format!("gzip stream corrupt after {} bytes (corrupt gzip stream does not have a matching checksum)", good.len()),
            ),
            (
                "wrong header",
                "title.ratings.tsv.gz",
                gzip(b"tconst\ttitleType\nx\n"),
                format!("header is \"tconst\\ttitleType\", expected {expected}"),
            ),
            (
                "empty gzip",
                "title.ratings.tsv.gz",
                gzip(b""),
                format!("no header line, expected {expected}"),
            ),
            (
                "plain html",
                "title.ratings.tsv",
                b"<html><body>Not here</body></html>\n".to_vec(),
                format!("header is \"<html><body>Not here</body></html>\", expected {expected}"),
            ),
        ];
        for (label, name, body, message) in cases {
            assert_eq!(check(name, &body), Err(message), "{label}");
        }
    }

    #[test]
    fn a_long_first_line_is_shortened() {
        let line = "x".repeat(5000);
        let message = check("title.ratings.tsv", line.as_bytes()).unwrap_err();
        assert_eq!(
            message,
            format!(
                "header is \"{}…\", expected \"tconst\\taverageRating\\tnumVotes\"",
                "x".repeat(100)
            )
        );
    }
}
