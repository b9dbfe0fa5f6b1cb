//! Fixture paths and small helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use reelcast_data::{ingest_lenient, DataSources, IngestOptions, Ingested};

/// `crates/data/tests/fixtures`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The real excerpt's basics file.
pub fn excerpt_basics() -> PathBuf {
    fixtures().join("imdb-excerpt/title.basics.tsv")
}

/// The real excerpt's ratings file.
pub fn excerpt_ratings() -> PathBuf {
    fixtures().join("imdb-excerpt/title.ratings.tsv")
}

/// A file of a broken-fixture case.
pub fn bad(case: &str, file: &str) -> PathBuf {
    fixtures().join("bad").join(case).join(file)
}

/// The excerpt with `case`'s broken basics file.
pub fn with_bad_basics(case: &str) -> DataSources {
    DataSources::files(bad(case, "title.basics.tsv"), excerpt_ratings())
}

/// The excerpt with `case`'s broken ratings file.
pub fn with_bad_ratings(case: &str) -> DataSources {
    DataSources::files(excerpt_basics(), bad(case, "title.ratings.tsv"))
}

/// Options that never fail on bad rows (the fixtures have 1 bad row in ~12-75).
pub fn tolerant() -> IngestOptions {
    IngestOptions {
        max_bad_row_ratio: 1.0,
        ..IngestOptions::default()
    }
}

/// Lenient ingest that must succeed.
pub fn scan(sources: &DataSources, options: &IngestOptions) -> Ingested {
    ingest_lenient(sources, options).expect("fixture ingests")
}

/// tconsts of the ingested movies, in order.
pub fn ids(ingested: &Ingested) -> Vec<&str> {
    ingested.movies.iter().map(|m| m.tconst.as_str()).collect()
}

/// Gzips `bytes` into `path`.
pub fn write_gzip(path: &Path, bytes: &[u8]) {
    std::fs::write(path, gzip(bytes)).unwrap();
}

/// `bytes` gzipped.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// A file's permission bits, in octal (readable in an assert message).
#[cfg(unix)]
pub fn mode(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    format!("{:o}", mode & 0o777)
}

/// The permission bits `File::create` gives a new file in `dir` (0666 minus the umask),
/// in octal.
#[cfg(unix)]
pub fn created_mode(dir: &Path) -> String {
    let probe = tempfile::tempdir_in(dir).unwrap();
    let path = probe.path().join("probe");
    std::fs::File::create(&path).unwrap();
    mode(&path)
}
