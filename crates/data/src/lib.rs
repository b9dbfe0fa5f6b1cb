//! IMDb ingestion for reelcast: the only crate that reads raw files.
//!
//! - [`ingest`] streams `title.basics` and `title.ratings` (plain or gzip, or the
//!   [embedded sample](DataSources::embedded)) on two threads, inner-joins them on
//!   `tconst` and filters by title type, votes and year ([`IngestOptions`]; defaults are
//!   the original system's), returning [`Ingested`]: core [`MovieRecord`]s in
//!   title.basics order plus an [`IngestReport`] (row counts per step, bad rows by reason
//!   with located examples, input SHA-256s, options). Bad rows are skipped and counted;
//!   ingest fails only above `max_bad_row_ratio`. Column counts are checked on every
//!   basics row; UTF-8, values and duplicates only on rows of the kept title types (7% at
//!   full scale). An unknown genre token is dropped and its row kept
//!   ([`BadRowReason::UnknownGenre`]).
//! - [`write_processed`] / [`read_processed`]: `movies_with_ratings.csv` (the original's 11
//!   columns) + `manifest.json` ([`DatasetManifest`]), written atomically; the
//!   [`DatasetVersion`] is a hash of the CSV bytes, also computable in memory with
//!   [`dataset_version`]. [`ProcessedDataset::narrow`] applies stricter filters to a
//!   processed dataset, giving the rows and version a raw ingest with them gives; the
//!   filters themselves are [`IngestOptions`]' predicates ([`IngestOptions::keeps`]),
//!   shared by both paths.
//! - [`validate`] builds a [`ValidationReport`] (nulls, statistics, genres, suspicious
//!   values, bad rows) without modifying anything.
//! - People: [`DataSources::people`] adds `title.crew`, `title.principals` and
//!   `name.basics` ([`PeopleSources`]); ingest keeps their rows of the kept movies, fills
//!   each [`MovieRecord`]'s `credits`, counts bad rows by reason like the other files, and
//!   `write_processed` writes the filtered files beside the CSV under the same manifest.
//! - [`fetch`] downloads IMDb's files with conditional requests and atomic renames, and
//!   replaces a file only with a download that is whole gzip under IMDb's header;
//!   [`ImdbFile`] names the five files (`basics`, `ratings`, `crew`, `principals`,
//!   `names`) and finds them in a directory under IMDb's names.
//! - [`reads_in_progress`]: how far the raw files being read are, for progress displays.
//!
//! Depends on `reelcast-core` only; `reelcast-pipeline` calls it.
//!
//! ```
//! use reelcast_data::{dataset_version, ingest, DataSources, IngestOptions};
//!
//! let ingested = ingest(&DataSources::embedded(), &IngestOptions::default())?;
//! let counts = ingested.report.counts;
//! assert_eq!((counts.basics_rows, counts.after_type_filter), (6208, 6173));
//! assert_eq!(ingested.movies.len(), 6091);
//! println!("dataset {}", dataset_version(&ingested.movies)?);
//! # Ok::<(), reelcast_data::Error>(())
//! ```
//!
//! [`MovieRecord`]: reelcast_core::MovieRecord

#![forbid(unsafe_code)]

mod basics;
mod crew;
mod download_check;
mod embedded;
mod error;
mod fetch;
mod hash;
mod id_map;
mod imdb_file;
mod ingest;
mod manifest;
mod narrow;
mod options;
mod people;
mod processed;
mod progress;
mod ratings;
mod report;
mod source;
mod temp_file;
mod tsv;
mod validate;

pub use crew::{nconst_numeric, nconst_text};
pub use download_check::DownloadProblem;
pub use embedded::EmbeddedFile;
pub use error::{Error, Result};
pub use fetch::{fetch, sha256_file, FetchStatus, FetchedFile, DEFAULT_BASE_URL, DEFAULT_FILES};
pub use imdb_file::ImdbFile;
pub use ingest::{ingest, ingest_lenient, DataSources, Ingested};
pub use manifest::{
    DatasetManifest, DatasetVersion, InvalidDatasetVersion, MANIFEST_SCHEMA_VERSION,
};
pub use options::{Filter, IngestOptions};
pub use people::{
    PeopleCounts, PeopleReport, PeopleSources, PeopleTables, ProcessedFile, CAST_CATEGORIES,
    CREW_FILE, NAMES_FILE, PRINCIPALS_FILE,
};
pub use processed::{
    dataset_version, ingested_version, read_processed, write_processed, ProcessedDataset,
    CSV_COLUMNS, DATASET_FILE, MANIFEST_FILE,
};
pub use progress::{reads_in_progress, ReadProgress};
pub use report::{
    BadRowExample, BadRowReason, BadRows, FileReport, IngestReport, ReasonTally, StepCounts,
    MAX_EXAMPLES,
};
pub use source::{Source, SourceDigest, SourceReader};
pub use temp_file::temp_file_in;
pub use validate::{
    validate, validate_processed, ColumnStats, SuspiciousValue, ValidationReport,
    SUSPICIOUS_RUNTIME_MINUTES, SUSPICIOUS_VOTES, SUSPICIOUS_YEARS_AHEAD,
};
