//! Loading a training/scoring dataset from wherever the user pointed: the embedded sample,
//! two raw IMDb files, or a directory holding either a processed dataset or raw files.

use std::path::{Path, PathBuf};

use reelcast_core::MovieRecord;
use reelcast_data::{
    ingest, ingested_version, read_processed, DataSources, ImdbFile, IngestOptions, IngestReport,
    PeopleSources, Source, DATASET_FILE,
};

use crate::{Error, Result};

/// The optional people files given as paths.
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
            crew: ImdbFile::Crew.find_in(dir),
            principals: ImdbFile::Principals.find_in(dir),
            names: ImdbFile::Names.find_in(dir),
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
    /// Raw IMDb files with people files.
    RawWithPeople {
        /// title.basics.
        basics: PathBuf,
        /// title.ratings.
        ratings: PathBuf,
        /// title.crew, title.principals, name.basics.
        people: PeopleFiles,
    },
}

impl DataSource {
    /// The raw files IMDb publishes, found in `dir` under IMDb's own names (`.tsv.gz` or
    /// `.tsv`, see [`ImdbFile::find_in`]): `title.basics` and `title.ratings` must be there;
    /// `title.crew`, `title.principals` and `name.basics` are used when present (none:
    /// [`DataSource::Raw`], basics-only data). This is `--imdb-dir`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`imdb-dir`) when `dir` is not a directory or lacks
    /// title.basics or title.ratings, naming what it does hold.
    pub fn imdb_dir(dir: &Path) -> Result<Self> {
        let invalid = |message: String| Error::InvalidOption {
            option: "imdb-dir",
            message,
        };
        if !dir.is_dir() {
            return Err(invalid(format!(
                "{} is not a directory; download IMDb's files into it with `reelcast data fetch --dir {0}`",
                dir.display()
            )));
        }
        let found = ImdbFile::ALL.map(|f| f.find_in(dir));
        let [basics, ratings, crew, principals, names] = found.clone();
        let (Some(basics), Some(ratings)) = (basics, ratings) else {
            let missing: Vec<String> = ImdbFile::ALL[..2]
                .iter()
                .zip(&found)
                .filter(|(_, path)| path.is_none())
                .map(|(f, _)| format!("{}.tsv[.gz]", f.stem()))
                .collect();
            let present: Vec<String> = found
                .iter()
                .flatten()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect();
            let present = if present.is_empty() {
                "no IMDb file".to_owned()
            } else {
                present.join(", ")
            };
            return Err(invalid(format!(
                "{} has no {} (it holds {present}); download them with `reelcast data fetch --dir {0}`, or name the files with --basics and --ratings",
                dir.display(),
                missing.join(" or "),
            )));
        };
        let people = PeopleFiles {
            crew,
            principals,
            names,
        };
        tracing::info!(
            dir = %dir.display(),
            crew = people.crew.is_some(),
            principals = people.principals.is_some(),
            names = people.names.is_some(),
            "IMDb files found"
        );
        Ok(Self::raw_files(basics, ratings, people))
    }

    /// Raw files on disk: [`DataSource::Raw`] without people files (basics-only data), else
    /// [`DataSource::RawWithPeople`].
    pub fn raw_files(basics: PathBuf, ratings: PathBuf, people: PeopleFiles) -> Self {
        if people == PeopleFiles::default() {
            DataSource::Raw { basics, ratings }
        } else {
            DataSource::RawWithPeople {
                basics,
                ratings,
                people,
            }
        }
    }
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
    /// Content hash, equal for the same rows whether read raw or processed (a processed
    /// directory narrowed by stricter filters gets the version a raw ingest with those
    /// filters gets).
    pub version: String,
    /// The ingest report: this run's, when the rows came from raw files, or the one a
    /// processed directory's manifest records (narrowed with the rows; its bad rows are
    /// counted without examples).
    pub report: Option<IngestReport>,
    /// True when the data has people files (the movies' `credits` are filled).
    pub has_people: bool,
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
                match (
                    ImdbFile::Basics.find_in(dir),
                    ImdbFile::Ratings.find_in(dir),
                ) {
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
/// and [narrows](reelcast_data::ProcessedDataset::narrow) it to `options` (a setting left
/// at its default, and not marked [requested](IngestOptions::requested), takes the value
/// the directory was ingested with; a requested row filter must be at least as strict).
/// Either way the bad-row gate and the empty-dataset check apply.
///
/// # Errors
/// [`reelcast_data::Error::LooserFilter`] (wrapped in [`Error::Data`]) for a filter looser
/// than a processed directory's, [`reelcast_data::Error::TooManyBadRows`],
/// [`reelcast_data::Error::EmptyDataset`], and the errors of reading the data.
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
            let processed = read_processed(dir)?.narrow(options)?;
            let report = processed.report()?;
            report.check()?;
            LoadedDataset {
                version: processed.manifest.dataset_version.to_string(),
                has_people: processed.people.is_some(),
                movies: processed.movies,
                report: Some(report),
            }
        }
    };
    tracing::info!(rows = loaded.movies.len(), version = %loaded.version, "dataset loaded");
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        dir
    }

    #[test]
    fn imdb_dir_uses_every_file_present_under_imdb_names() {
        let dir = dir_with(&[
            "title.basics.tsv.gz",
            "title.ratings.tsv",
            "title.crew.tsv.gz",
            "name.basics.tsv",
            "title.akas.tsv.gz",
        ]);
        let d = dir.path();

        let source = DataSource::imdb_dir(d).unwrap();

        assert_eq!(
            source,
            DataSource::RawWithPeople {
                basics: d.join("title.basics.tsv.gz"),
                ratings: d.join("title.ratings.tsv"),
                people: PeopleFiles {
                    crew: Some(d.join("title.crew.tsv.gz")),
                    principals: None,
                    names: Some(d.join("name.basics.tsv")),
                },
            }
        );
    }

    #[test]
    fn imdb_dir_without_people_files_is_basics_only() {
        let dir = dir_with(&["title.basics.tsv", "title.ratings.tsv"]);

        let source = DataSource::imdb_dir(dir.path()).unwrap();

        assert!(matches!(source, DataSource::Raw { .. }), "{source:?}");
    }

    #[test]
    fn imdb_dir_without_ratings_names_what_is_missing_and_what_is_there() {
        let dir = dir_with(&["title.basics.tsv.gz", "title.crew.tsv"]);
        let d = dir.path().display();

        let err = DataSource::imdb_dir(dir.path()).unwrap_err();

        assert_eq!(
            err.to_string(),
            format!("--imdb-dir: {d} has no title.ratings.tsv[.gz] (it holds title.basics.tsv.gz, title.crew.tsv); download them with `reelcast data fetch --dir {d}`, or name the files with --basics and --ratings")
        );
    }

    #[test]
    fn imdb_dir_that_is_empty_or_missing_is_refused() {
        let dir = dir_with(&[]);
        let d = dir.path().display();
        let empty = DataSource::imdb_dir(dir.path()).unwrap_err().to_string();
        let gone = dir.path().join("nope");
        let missing = DataSource::imdb_dir(&gone).unwrap_err().to_string();

        assert!(
            empty.starts_with(&format!(
                "--imdb-dir: {d} has no title.basics.tsv[.gz] or title.ratings.tsv[.gz] (it holds no IMDb file)"
            )),
            "{empty}"
        );
        assert_eq!(
            missing,
            format!(
                "--imdb-dir: {} is not a directory; download IMDb's files into it with `reelcast data fetch --dir {0}`",
                gone.display()
            )
        );
    }
}
