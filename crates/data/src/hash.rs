//! SHA-256 computed while bytes stream through a reader or writer.
//!
//! Inputs are hashed as they are read (no second pass over a 200 MB file), and the
//! processed CSV is hashed as it is written, which is also how the in-memory dataset
//! version is computed.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};

/// Hex SHA-256 and byte count of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StreamDigest {
    /// Lower-case hex SHA-256.
    pub(crate) sha256: String,
    /// Bytes hashed.
    pub(crate) bytes: u64,
}

/// A reader that hashes every byte it passes on.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Reads what is left (so the digest covers the whole stream), then returns the digest.
    pub(crate) fn finish(mut self) -> io::Result<StreamDigest> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(StreamDigest {
            sha256: hex::encode(self.hasher.finalize()),
            bytes: self.bytes,
        })
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A writer that hashes every byte written before passing it on.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The digest so far and the inner writer.
    pub(crate) fn finish(self) -> (StreamDigest, W) {
        let digest = StreamDigest {
            sha256: hex::encode(self.hasher.finalize()),
            bytes: self.bytes,
        };
        (digest, self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hex SHA-256 of a byte slice.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_and_writer_agree_with_one_shot_digest() {
        let data = b"tconst\taverageRating\tnumVotes\n".repeat(1000);
        let mut reader = HashingReader::new(&data[..]);
        let mut first = [0u8; 10];
        reader.read_exact(&mut first).unwrap();
        let read = reader.finish().unwrap();

        let mut writer = HashingWriter::new(Vec::new());
        writer.write_all(&data).unwrap();
        let (written, out) = writer.finish();

        assert_eq!(read.sha256, sha256_hex(&data));
        assert_eq!(written.sha256, sha256_hex(&data));
        assert_eq!(read.bytes, data.len() as u64);
        assert_eq!(out, data);
    }
}
