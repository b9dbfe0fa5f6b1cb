//! Where raw bytes come from: a file (plain or gzip, told apart by magic bytes) or the
//! embedded sample, streamed and hashed as they are read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use flate2::bufread::MultiGzDecoder;

use crate::embedded::EmbeddedFile;
use crate::hash::{HashingReader, StreamDigest};
use crate::progress::CountingReader;
use crate::{Error, Result};

/// Size of the decompressed chunks handed from the reading thread to the parser.
const CHUNK: usize = 1 << 20;
/// Chunks in flight between the two threads (bounds memory to a few MB).
const IN_FLIGHT: usize = 4;
/// Buffer size for raw (compressed) bytes.
const RAW_BUFFER: usize = 128 * 1024;
/// The two bytes every gzip member starts with (RFC 1952).
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A raw IMDb file: a path on disk or one of the embedded sample's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file on disk, plain TSV or gzip (detected by its first bytes, not its extension).
    File(PathBuf),
    /// A file of the embedded sample.
    Embedded(EmbeddedFile),
}

impl Source {
    /// A source reading `path`.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Source::File(path.into())
    }

    /// The file name used in messages, e.g. `title.basics.tsv.gz`.
    pub fn name(&self) -> String {
        match self {
            Source::File(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            Source::Embedded(file) => file.file_name().to_owned(),
        }
    }

    /// The path used in errors (`embedded:title.basics.tsv.gz` for the sample).
    pub fn path(&self) -> PathBuf {
        match self {
            Source::File(path) => path.clone(),
            Source::Embedded(file) => PathBuf::from(format!("embedded:{}", file.file_name())),
        }
    }

    /// Opens the source for streaming. Reading, hashing and decompressing run on a
    /// thread of their own, a few MB ahead of the caller (decompression is the largest
    /// cost of an ingest, so it overlaps with parsing).
    ///
    /// # Errors
    /// [`Error::NotFound`] for a missing file, [`Error::Io`] for other I/O errors.
    pub fn open(&self) -> Result<SourceReader> {
        let (raw, total): (Box<dyn Read + Send>, Option<u64>) = match self {
            Source::File(path) => {
                let file = File::open(path).map_err(|e| open_error(path, e))?;
                let total = file.metadata().ok().map(|m| m.len());
                (Box::new(file), total)
            }
            Source::Embedded(file) => (Box::new(file.bytes()), Some(file.bytes().len() as u64)),
        };
        let raw: Box<dyn Read + Send> = Box::new(CountingReader::new(raw, self.name(), total));
        let path = self.path();
        let mut raw = BufReader::with_capacity(RAW_BUFFER, HashingReader::new(raw));
        let head = raw.fill_buf().map_err(|e| Error::io(&path, e))?;
        let gzip = head.starts_with(&GZIP_MAGIC);
        let inner = if gzip {
            Inner::Gzip(Box::new(MultiGzDecoder::new(raw)))
        } else {
            Inner::Plain(raw)
        };
        let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
        let (recycle_tx, recycle_rx) = mpsc::channel();
        let producer = std::thread::Builder::new()
            .name(format!("read {}", self.name()))
            .spawn(move || produce(inner, &tx, &recycle_rx))
            .map_err(|e| Error::io(&path, e))?;
        Ok(SourceReader {
            chunks: rx,
            recycle: recycle_tx,
            producer: Some(producer),
            digest: None,
            chunk: Vec::new(),
            pos: 0,
            spill: Vec::new(),
            gzip,
            path,
            name: self.name(),
        })
    }
}

fn open_error(path: &Path, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        Error::NotFound {
            path: path.to_owned(),
        }
    } else {
        Error::io(path, e)
    }
}

type RawReader = BufReader<HashingReader<Box<dyn Read + Send>>>;

enum Inner {
    Plain(RawReader),
    Gzip(Box<MultiGzDecoder<RawReader>>),
}

impl Inner {
    fn reader(&mut self) -> &mut dyn Read {
        match self {
            Inner::Plain(r) => r,
            Inner::Gzip(r) => r,
        }
    }
}

/// The reading thread: fills chunks of decompressed bytes and sends them until the end,
/// an error (sent on), or the receiver hangs up. Returns the raw digest after a full read.
fn produce(
    mut inner: Inner,
    chunks: &mpsc::SyncSender<io::Result<Vec<u8>>>,
    recycled: &mpsc::Receiver<Vec<u8>>,
) -> Option<StreamDigest> {
    loop {
        let mut buf = recycled.try_recv().unwrap_or_default();
        buf.resize(CHUNK, 0);
        let mut filled = 0;
        while filled < CHUNK {
            match inner.reader().read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // The receiver may be gone; either way this thread is done.
                    let _ = chunks.send(Err(e));
                    return None;
                }
            }
        }
        if filled == 0 {
            break;
        }
        buf.truncate(filled);
        if chunks.send(Ok(buf)).is_err() {
            return None;
        }
    }
    let raw = match inner {
        Inner::Plain(r) => r,
        Inner::Gzip(r) => r.into_inner(),
    };
    // The hasher sits below the BufReader, so bytes still buffered were hashed already;
    // `finish` hashes whatever follows (e.g. bytes after the last gzip member).
    match raw.into_inner().finish() {
        Ok(digest) => Some(digest),
        Err(e) => {
            let _ = chunks.send(Err(e));
            None
        }
    }
}

/// An open [`Source`]: decompressed lines out, SHA-256 of the raw bytes kept on the side.
pub struct SourceReader {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    recycle: mpsc::Sender<Vec<u8>>,
    producer: Option<std::thread::JoinHandle<Option<StreamDigest>>>,
    digest: Option<StreamDigest>,
    chunk: Vec<u8>,
    pos: usize,
    /// A line that spans two chunks.
    spill: Vec<u8>,
    gzip: bool,
    path: PathBuf,
    name: String,
}

/// SHA-256 and size of a source's raw (possibly compressed) bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDigest {
    /// Lower-case hex SHA-256 of the raw bytes.
    pub sha256: String,
    /// Raw size in bytes.
    pub bytes: u64,
}

impl SourceReader {
    /// True when the raw bytes are gzip.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The file name used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next line without its `\n` (or `\r\n`); `None` at the end. The slice borrows
    /// an internal buffer (no copy unless the line spans two chunks).
    ///
    /// # Errors
    /// [`Error::CorruptGzip`] when a gzip stream ends early or is corrupt, else [`Error::Io`].
    pub fn next_line(&mut self) -> Result<Option<&[u8]>> {
        self.spill.clear();
        let found = loop {
            let rest = &self.chunk[self.pos..];
            if let Some(i) = memchr::memchr(b'\n', rest) {
                let start = self.pos;
                self.pos += i + 1;
                break Some(start..start + i);
            }
            self.spill.extend_from_slice(rest);
            self.pos = self.chunk.len();
            if !self.next_chunk()? {
                break None;
            }
        };
        let line = match found {
            Some(range) if self.spill.is_empty() => &self.chunk[range],
            Some(range) => {
                self.spill.extend_from_slice(&self.chunk[range]);
                &self.spill
            }
            None if self.spill.is_empty() => return Ok(None),
            None => &self.spill,
        };
        Ok(Some(line.strip_suffix(b"\r").unwrap_or(line)))
    }

    /// Moves to the next chunk; false at the end of the stream.
    fn next_chunk(&mut self) -> Result<bool> {
        if self.digest.is_some() {
            return Ok(false);
        }
        let used = std::mem::take(&mut self.chunk);
        // The producer may have finished and dropped its end; then the buffer is just freed.
        let _ = self.recycle.send(used);
        self.pos = 0;
        match self.chunks.recv() {
            Ok(Ok(chunk)) => {
                self.chunk = chunk;
                Ok(true)
            }
            Ok(Err(e)) => Err(self.read_error(e)),
            Err(mpsc::RecvError) => {
                let digest = self.producer.take().map(|p| {
                    p.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                });
                let digest = digest.flatten().ok_or_else(|| {
                    Error::io(&self.path, io::Error::other("reading thread stopped early"))
                })?;
                self.digest = Some(digest);
                Ok(false)
            }
        }
    }

    /// Reads (and hashes) whatever is left, then returns the digest of the whole raw file.
    ///
    /// # Errors
    /// The errors of [`SourceReader::next_line`].
    pub fn finish(mut self) -> Result<SourceDigest> {
        while self.next_chunk()? {}
        let StreamDigest { sha256, bytes } = self
            .digest
            .take()
            .ok_or_else(|| Error::io(&self.path, io::Error::other("stream not finished")))?;
        Ok(SourceDigest { sha256, bytes })
    }

    fn read_error(&self, e: io::Error) -> Error {
        let decoder_error = matches!(
            e.kind(),
            io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
        );
        if self.gzip && decoder_error {
            Error::CorruptGzip {
                path: self.path.clone(),
                source: e,
            }
        } else {
            Error::io(&self.path, e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(reader: &mut SourceReader) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn embedded_sample_is_detected_as_gzip_and_hashes_its_raw_bytes() {
        let mut reader = Source::Embedded(EmbeddedFile::Ratings).open().unwrap();
        assert!(reader.is_gzip());
        let text = read_all(&mut reader);
        assert!(text.starts_with(b"tconst\taverageRating\tnumVotes\n"));
        let digest = reader.finish().unwrap();
        let raw = EmbeddedFile::Ratings.bytes();
        assert_eq!(digest.bytes, raw.len() as u64);
        assert_eq!(digest.sha256, crate::hash::sha256_hex(raw));
    }

    #[test]
    fn missing_file_suggests_fetch_and_the_embedded_sample() {
        let err = Source::file("/nonexistent/title.basics.tsv.gz")
            .open()
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "/nonexistent/title.basics.tsv.gz not found; download IMDb's files with \
             `reelcast data fetch`, or omit --basics/--ratings to use the embedded sample"
        );
    }

    #[test]
    fn lines_spanning_chunks_and_missing_final_newline_are_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.tsv");
        let long = "x".repeat(CHUNK + 17);
        std::fs::write(&path, format!("a\r\n{long}\nlast")).unwrap();
        let mut reader = Source::file(&path).open().unwrap();
        assert_eq!(reader.next_line().unwrap(), Some(&b"a"[..]));
        assert_eq!(reader.next_line().unwrap(), Some(long.as_bytes()));
        assert_eq!(reader.next_line().unwrap(), Some(&b"last"[..]));
        assert_eq!(reader.next_line().unwrap(), None);
        let digest = reader.finish().unwrap();
        assert_eq!(digest.bytes, (long.len() + 3 + 1 + 4) as u64);
    }

    #[test]
    fn finish_hashes_the_unread_rest() {
        let mut reader = Source::Embedded(EmbeddedFile::Basics).open().unwrap();
        reader.next_line().unwrap();
        let digest = reader.finish().unwrap();
        assert_eq!(
            digest.sha256,
            crate::hash::sha256_hex(EmbeddedFile::Basics.bytes())
        );
    }

    #[test]
    fn embedded_name_and_path() {
        let s = Source::Embedded(EmbeddedFile::Basics);
        assert_eq!(s.name(), "title.basics.tsv.gz");
        assert_eq!(s.path(), PathBuf::from("embedded:title.basics.tsv.gz"));
    }
}
