//! The crate's error type: things a caller can act on, with the data in fields.
//!
//! Per-row problems in raw IMDb files are *not* errors: they are counted in
//! [`crate::BadRows`] and only become [`Error::TooManyBadRows`] past the threshold.

use std::path::PathBuf;

use crate::{DownloadProblem, Filter, StepCounts};

/// Everything that can go wrong reading, writing or fetching IMDb data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file does not exist.
    #[error(
        "{} not found; download IMDb's files with `reelcast data fetch`, \
         or omit --basics/--ratings to use the embedded sample",
        path.display()
    )]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("{}", path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A gzip file ends early or is not valid gzip.
    #[error(
        "{} is truncated or corrupt; re-download it with `reelcast data fetch`",
        path.display()
    )]
    CorruptGzip {
        /// The gzip file.
        path: PathBuf,
        /// The decompressor's error.
        source: std::io::Error,
    },
    /// The first line is not the header IMDb uses for this file.
    #[error("{file} line 1: header {found:?} is not {expected:?}; is this the right IMDb file?")]
    Header {
        /// File name.
        file: String,
        /// The header found (tab-joined, lossy UTF-8).
        found: String,
        /// The header expected (tab-joined).
        expected: String,
    },
    /// An input file with no line at all, not even IMDb's header (an interrupted copy, a
    /// file truncated to zero bytes).
    #[error(
        "{file} is empty: IMDb's file starts with the header {expected:?}; \
         re-download it with `reelcast data fetch`"
    )]
    EmptyFile {
        /// File name.
        file: String,
        /// The header expected on line 1 (tab-joined).
        expected: String,
    },
    /// More rows were skipped than `max_bad_row_ratio` allows.
    #[error(
        "{file}: {bad} of {rows} rows are bad ({ratio:.4}), above max_bad_row_ratio {max_ratio}; \
         run `reelcast data validate` with the same inputs to see them by reason and line, \
         or raise --max-bad-row-ratio"
    )]
    TooManyBadRows {
        /// File name.
        file: String,
        /// Skipped rows.
        bad: u64,
        /// Data rows read.
        rows: u64,
        /// `bad / rows`.
        ratio: f64,
        /// The threshold in force.
        max_ratio: f64,
    },
    /// No movie survived the filters.
    #[error(
        "no movies left after filters ({counts}); check --title-types, --min-votes and --min-year"
    )]
    EmptyDataset {
        /// Row counts after each step.
        counts: StepCounts,
    },
    /// A name that is not one of IMDb's files (e.g. in `data fetch --only`).
    #[error("unknown IMDb file {name:?}; the accepted names are {accepted}")]
    UnknownImdbFile {
        /// The name given.
        name: String,
        /// The accepted names, comma-separated.
        accepted: String,
    },
    /// An empty list of IMDb files.
    #[error("no IMDb file named; the accepted names are {accepted}")]
    NoImdbFiles {
        /// The accepted names, comma-separated.
        accepted: String,
    },
    /// Invalid ingest options.
    #[error("invalid ingest option {option}: {message}")]
    InvalidOptions {
        /// The option's name.
        option: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A filter looser than the one a processed dataset was ingested with: the titles it
    /// would add are not in the dataset (see [`crate::IngestOptions::resolve_against`]).
    #[error(
        "{filter} {requested} is looser than the {ingested} this processed dataset was \
         ingested with, so the titles it would add are not in it; {}, or read them \
         directly with --imdb-dir",
        reingest_hint(*filter, requested)
    )]
    LooserFilter {
        /// The filter.
        filter: Filter,
        /// Its requested value, as the flag takes it (`false`/`true` for
        /// `--drop-null-years`).
        requested: String,
        /// The value the dataset was ingested with.
        ingested: String,
    },
    /// A processed dataset file (CSV or manifest) does not exist.
    #[error("{} not found; create the processed dataset with `reelcast data ingest --out DIR`", path.display())]
    MissingProcessed {
        /// The missing file.
        path: PathBuf,
    },
    /// A processed CSV whose header is not the 11 expected columns.
    #[error(
        "{} line 1: header {found:?} is not {expected:?}; re-create it with `reelcast data ingest`",
        path.display()
    )]
    ProcessedHeader {
        /// The CSV file.
        path: PathBuf,
        /// The header found.
        found: String,
        /// The header expected.
        expected: String,
    },
    /// A processed CSV row that does not parse.
    #[error("{} line {line}: {message}", path.display())]
    ProcessedRow {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A CSV-level error (bad quoting, I/O) in a processed file.
    #[error("{}", path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// The csv crate's error.
        source: csv::Error,
    },
    /// A manifest that cannot be read or written as JSON.
    #[error("{}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A manifest that does not list the two raw inputs it was made from.
    #[error("manifest.json lists {found} input files, expected title.basics and title.ratings")]
    ManifestInputs {
        /// Inputs listed.
        found: usize,
    },
    /// The processed CSV does not hash to the version its manifest records.
    #[error(
        "{}: dataset version {actual} differs from {expected} in manifest.json; \
         the files were changed after ingest, re-create them with `reelcast data ingest`",
        path.display()
    )]
    VersionMismatch {
        /// The CSV file.
        path: PathBuf,
        /// Version in the manifest.
        expected: String,
        /// Version computed from the CSV bytes.
        actual: String,
    },
    /// A base URL that is not an absolute `http://` or `https://` URL.
    #[error(
        "base URL {url:?} is not an absolute http(s) URL ({reason}); \
         give one like {}",
        crate::fetch::DEFAULT_BASE_URL
    )]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An HTTP request failed before a status was received, or mid-body.
    #[error("GET {url}")]
    Http {
        /// The URL requested.
        url: String,
        /// The client's error.
        source: reqwest::Error,
    },
    /// The server answered with a status other than 200 or 304.
    #[error("GET {url} returned HTTP {status}; check the base URL and the file names")]
    HttpStatus {
        /// The URL requested.
        url: String,
        /// Status code and reason, e.g. `404 Not Found`.
        status: String,
    },
    /// The connection failed while the body was streaming.
    #[error("GET {url}: download interrupted after {received} bytes ({reason}); try again")]
    DownloadInterrupted {
        /// The URL requested.
        url: String,
        /// Bytes received before the failure.
        received: u64,
        /// The read error with its causes, `: `-joined (the client's top-level message
        /// alone is uninformative).
        reason: String,
        /// The read error.
        source: std::io::Error,
    },
    /// The download ended before Content-Length bytes arrived.
    #[error("GET {url}: got {received} of {expected} bytes; the connection was cut, try again")]
    IncompleteDownload {
        /// The URL requested.
        url: String,
        /// Content-Length announced by the server.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// A download that is not the IMDb file asked for (an HTML page, a cut-off gzip,
    /// another file); it was discarded and the previous copy, if any, kept.
    #[error(
        "GET {url}: {problem}; {name} was not replaced; \
         check --base-url, or try again if the download was cut short"
    )]
    InvalidDownload {
        /// The URL requested.
        url: String,
        /// File name, e.g. `title.basics.tsv.gz`.
        name: String,
        /// What is wrong with the body.
        problem: DownloadProblem,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// How to make a dataset with `filter` at `value` (`--drop-null-years` takes no value).
fn reingest_hint(filter: Filter, value: &str) -> String {
    match (filter, value) {
        (Filter::DropNullYears, "false") => {
            "re-ingest the raw files without --drop-null-years".to_owned()
        }
        (Filter::DropNullYears, _) => {
            "re-ingest the raw files with `reelcast data ingest --drop-null-years`".to_owned()
        }
        _ => format!(
            "re-ingest the raw files with `reelcast data ingest {} {value}`",
            filter.flag()
        ),
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
