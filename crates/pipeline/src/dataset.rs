//! Loading a training/scoring dataset from wherever the user pointed: the embedded sample,
//! two raw IMDb files, or a directory holding either a processed dataset or raw files.

use std::path::{Path, PathBuf};

use reelcast_core::MovieRecord;
use reelcast_data::{
    ingest, ingested_version, read_processed, DataSources, IngestOptions, IngestReport,
    PeopleSources, Source, DATASET_FILE,
};

use crate::{Error, Result};

/// Raw file names looked for in a `--data` directory, most preferred first.
const BASICS_NAMES: [&str; 2] = ["title.basics.tsv.gz", "title.basics.tsv"];
const RATINGS_NAMES: [&str; 2] = ["title.ratings.tsv.gz", "title.ratings.tsv"];
const CREW_NAMES: [&str; 2] = ["title.crew.tsv.gz", "title.crew.tsv"];
const PRINCIPALS_NAMES: [&str; 2] = ["title.principals.tsv.gz", "title.principals.tsv"];
const NAMES_NAMES: [&str; 2] = ["name.basics.tsv.gz", "name.basics.tsv"];

/// The optional people files given as paths (issue 14).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleFiles {
    /// title.crew.
    pub crew: Option<PathBuf>,
    /// title.principals.
    pub principals: Option<PathBuf>,
    /// name.basics.
    pub names: Option<PathBuf>,
}

impl PeopleFiles {
    /// The people files present in `dir` under IMDb's names (`.tsv.gz` preferred).
    pub fn find_in(dir: &Path) -> Self {
        Self {
            crew: find(dir, &CREW_NAMES),
            principals: find(dir, &PRINCIPALS_NAMES),
            names: find(dir, &NAMES_NAMES),
        }
    }

    fn sources(&self) -> PeopleSources {
        PeopleSources {
            crew: self.crew.as_ref().map(Source::file),
            principals: self.principals.as_ref().map(Source::file),
            names: self.names.as_ref().map(Source::file),
        }
    }
}

/// Where a command's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// The 6,208-film sample compiled into the binary.
    Embedded,
    /// Two raw IMDb files (plain or gzip).
    Raw {
        /// title.basics.
        basics: PathBuf,
        /// title.ratings.
        ratings: PathBuf,
    },
    /// A directory with `movies_with_ratings.csv` (from `data ingest`) or raw files (the
    /// people files are used when present under IMDb's names).
    Directory(PathBuf),
    /// Raw IMDb files with people files (issue 14).
    RawWithPeople {
        /// title.basics.
        basics: PathBuf,
        /// title.ratings.
        ratings: PathBuf,
        /// title.crew, title.principals, name.basics.
        people: PeopleFiles,
    },
}

impl std::fmt::Display for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataSource::Embedded => f.write_str("the embedded sample"),
            DataSource::Raw { basics, ratings } => {
                write!(f, "{} + {}", basics.display(), ratings.display())
            }
            DataSource::Directory(dir) => write!(f, "{}", dir.display()),
            DataSource::RawWithPeople {
                basics, ratings, ..
            } => write!(
                f,
                "{} + {} + people files",
                basics.display(),
                ratings.display()
            ),
        }
    }
}

/// Movies ready for training or scoring, with their content version.
#[derive(Debug, Clone)]
pub struct LoadedDataset {
    /// Joined, filtered movies.
    pub movies: Vec<MovieRecord>,
    /// Content hash, equal for the same rows whether read raw or processed.
    pub version: String,
    /// The ingest report, when the rows came from raw files in this run.
    pub report: Option<IngestReport>,
    /// True when the data has people files (the movies' `credits` are filled).
    pub has_people: bool,
}

fn find(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Resolves a source to the raw files to ingest, or `None` for a processed directory.
pub fn raw_sources(source: &DataSource) -> Result<Option<DataSources>> {
    Ok(match source {
        DataSource::Embedded => Some(DataSources::embedded()),
        DataSource::Raw { basics, ratings } => Some(DataSources::files(basics, ratings)),
        DataSource::RawWithPeople {
            basics,
            ratings,
            people,
        } => Some(DataSources::files(basics, ratings).with_people(people.sources())),
        DataSource::Directory(dir) => {
            if dir.join(DATASET_FILE).is_file() {
                None
            } else {
                match (find(dir, &BASICS_NAMES), find(dir, &RATINGS_NAMES)) {
                    (Some(b), Some(r)) => Some(
                        DataSources::files(b, r).with_people(PeopleFiles::find_in(dir).sources()),
                    ),
                    _ => {
                        return Err(Error::InvalidOption {
                            option: "data",
                            message: format!(
                                "{} holds neither {DATASET_FILE} nor title.basics.tsv[.gz] and title.ratings.tsv[.gz]; run `reelcast data fetch --dir {0}` or `reelcast data ingest --out {0}`, or omit --data to use the embedded sample",
                                dir.display()
                            ),
                        })
                    }
                }
            }
        }
    })
}

/// Loads the movies: ingests raw files with `options`, or reads a processed directory
/// (whose manifest already records the options it was made with).
#[tracing::instrument(skip_all, fields(source = %source))]
pub fn load_dataset(source: &DataSource, options: &IngestOptions) -> Result<LoadedDataset> {
    let loaded = match raw_sources(source)? {
        Some(sources) => {
            let ingested = ingest(&sources, options)?;
            LoadedDataset {
                version: ingested_version(&ingested)?.to_string(),
                has_people: ingested.people.is_some(),
                movies: ingested.movies,
                report: Some(ingested.report),
            }
        }
        None => {
            let DataSource::Directory(dir) = source else {
                unreachable!("only a directory can hold a processed dataset")
            };
            let processed = read_processed(dir)?;
            LoadedDataset {
                version: processed.manifest.dataset_version.to_string(),
                has_people: processed.people.is_some(),
                movies: processed.movies,
                report: None,
            }
        }
    };
    tracing::info!(rows = loaded.movies.len(), version = %loaded.version, "dataset loaded");
    Ok(loaded)
}
