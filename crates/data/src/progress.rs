//! How far the raw files being read are, for progress displays (an ingest of
//! IMDb's full files reads several GB for a minute or more).
//!
//! Every [`Source`](crate::Source) counts the raw bytes it has read into a process-wide
//! meter while it is open; [`reads_in_progress`] is a snapshot of it. Like the `metrics`
//! facade, the library only records: the binary decides whether to draw a bar or log a
//! line. Counting costs one relaxed atomic add per 128 KB read.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// One raw file being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProgress {
    /// File name, e.g. `title.principals.tsv.gz`.
    pub name: String,
    /// Raw (possibly compressed) bytes read so far.
    pub read: u64,
    /// Raw size in bytes, when known.
    pub total: Option<u64>,
}

impl ReadProgress {
    /// Share read, 0 to 1, when the size is known.
    pub fn fraction(&self) -> Option<f64> {
        self.total
            .filter(|t| *t > 0)
            .map(|t| (self.read as f64 / t as f64).min(1.0))
    }
}

struct Meter {
    name: String,
    total: Option<u64>,
    read: AtomicU64,
}

/// The files being read now, in the order they were opened.
static ACTIVE: Mutex<Vec<Arc<Meter>>> = Mutex::new(Vec::new());

/// A snapshot of the raw files being read now, in the order they were opened (empty when
/// nothing is being read). A file leaves the list once it has been read to its end or
/// its reader is dropped.
pub fn reads_in_progress() -> Vec<ReadProgress> {
    ACTIVE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|m| ReadProgress {
            name: m.name.clone(),
            read: m.read.load(Ordering::Relaxed),
            total: m.total,
        })
        .collect()
}

/// A reader that counts the bytes it passes on into the meter; it is listed from
/// creation until dropped.
pub(crate) struct CountingReader<R> {
    inner: R,
    meter: Arc<Meter>,
}

impl<R: Read> CountingReader<R> {
    /// Lists `name` (of `total` bytes, when known) as being read.
    pub(crate) fn new(inner: R, name: String, total: Option<u64>) -> Self {
        let meter = Arc::new(Meter {
            name,
            total,
            read: AtomicU64::new(0),
        });
        ACTIVE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&meter));
        Self { inner, meter }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R> Drop for CountingReader<R> {
    fn drop(&mut self) {
        ACTIVE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|m| !Arc::ptr_eq(m, &self.meter));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    fn find(name: &str) -> Option<ReadProgress> {
        reads_in_progress().into_iter().find(|r| r.name == name)
    }

    #[test]
    fn an_open_source_is_listed_with_its_bytes_read_until_it_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress-meter-test.tsv");
        // Larger than the chunks the reading thread may buffer ahead, so it is still
        // reading when the test looks.
        let text = "a\tb\n".repeat(3_000_000);
        std::fs::write(&path, &text).unwrap();

        let mut reader = Source::file(&path).open().unwrap();
        reader.next_line().unwrap();
        let during = find("progress-meter-test.tsv").expect("listed while open");
        reader.finish().unwrap();

        assert_eq!(during.total, Some(text.len() as u64));
        assert!(during.read > 0, "{during:?}");
        assert_eq!(find("progress-meter-test.tsv"), None, "gone once read");
    }

    #[test]
    fn fraction_is_capped_and_absent_without_a_size() {
        let p = |read, total| ReadProgress {
            name: "f".into(),
            read,
            total,
        };
        assert_eq!(p(50, Some(200)).fraction(), Some(0.25));
        assert_eq!(p(300, Some(200)).fraction(), Some(1.0));
        assert_eq!(p(5, None).fraction(), None);
        assert_eq!(p(0, Some(0)).fraction(), None);
    }
}
