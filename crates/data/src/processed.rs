//! The processed dataset: `movies_with_ratings.csv` (the original system's 11 columns)
//! plus `manifest.json`, written atomically and read back with per-row checks.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use reelcast_core::{GenreSet, MovieRecord, Rating, Runtime, TitleId, TitleType, Votes, Year};
use time::OffsetDateTime;

use crate::hash::{HashingReader, HashingWriter};
use crate::ingest::Ingested;
use crate::manifest::{DatasetManifest, DatasetVersion, MANIFEST_SCHEMA_VERSION};
use crate::people::{
    attach_credits, movie_index, read_people_files, table_digests, write_people_files, PeopleTables,
};
use crate::report::{BadRows, FileReport, IngestReport};
use crate::temp_file::temp_file_in;
use crate::{Error, Result};

/// The dataset file name.
pub const DATASET_FILE: &str = "movies_with_ratings.csv";
/// The manifest file name.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The CSV's columns, in order: the original system's `movies_with_ratings.csv`.
pub const CSV_COLUMNS: [&str; 11] = [
    "tconst",
    "titleType",
    "primaryTitle",
    "originalTitle",
    "isAdult",
    "startYear",
    "endYear",
    "runtimeMinutes",
    "genres",
    "averageRating",
    "numVotes",
];

/// A processed dataset read back from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedDataset {
    /// The rows, in file order.
    pub movies: Vec<MovieRecord>,
    /// The manifest (its version checked against the CSV bytes).
    pub manifest: DatasetManifest,
    /// The people files' rows, when the dataset has them (the movies' `credits` are
    /// filled from them).
    pub people: Option<PeopleTables>,
}

/// Writes the CSV rows (header first) to `out`: standard quoting, nulls as empty fields,
/// genres in IMDb's comma form, isAdult as 0/1.
fn write_csv<W: Write>(out: W, movies: &[MovieRecord]) -> csv::Result<W> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_COLUMNS)?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    for m in movies {
        let genres = if m.genres.is_empty() {
            String::new()
        } else {
            m.genres.to_imdb()
        };
        writer.write_record([
            m.tconst.as_str(),
            m.title_type.name(),
            &m.primary_title,
            &m.original_title,
            if m.is_adult { "1" } else { "0" },
            &opt(m.start_year.map(|y| y.to_string())),
            &opt(m.end_year.map(|y| y.to_string())),
            &opt(m.runtime.map(|r| r.minutes().to_string())),
            &genres,
            &rating_text(m.rating),
            &m.votes.get().to_string(),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// IMDb's form: `6.0`, `7.3` (shortest exact form, with `.0` for whole numbers, so every
/// value reads back bit-identical).
fn rating_text(rating: Rating) -> String {
    let v = rating.get();
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        v.to_string()
    }
}

/// The SHA-256 (lower-case hex) of the CSV `movies` would be written as, computed
/// without touching disk (the same CSV bytes go through a hashing writer).
///
/// # Errors
/// Never in practice (the sink cannot fail); typed for symmetry with writing.
pub(crate) fn csv_sha256(movies: &[MovieRecord]) -> Result<String> {
    let hashing =
        write_csv(HashingWriter::new(io::sink()), movies).map_err(|source| Error::Csv {
            path: PathBuf::from("<memory>"),
            source,
        })?;
    let (digest, _) = hashing.finish();
    Ok(digest.sha256)
}

/// The dataset version `movies` would get if written, computed without touching disk
/// (the same CSV bytes go through a hashing writer).
///
/// # Errors
/// Never in practice (the sink cannot fail); typed for symmetry with writing.
pub fn dataset_version(movies: &[MovieRecord]) -> Result<DatasetVersion> {
    Ok(DatasetVersion::from_sha256(&csv_sha256(movies)?))
}

/// The dataset version an ingest would get if written: [`dataset_version`] of its movies
/// combined with its people files' hashes (see [`DatasetVersion`]), computed in memory.
///
/// # Errors
/// Never in practice (the sinks cannot fail); typed for symmetry with writing.
pub fn ingested_version(ingested: &Ingested) -> Result<DatasetVersion> {
    let people = match &ingested.people {
        Some(tables) => table_digests(tables)?,
        None => Vec::new(),
    };
    Ok(DatasetVersion::combined(
        &csv_sha256(&ingested.movies)?,
        &people,
    ))
}

/// Writes `movies_with_ratings.csv` and `manifest.json` into `dir` (created if missing),
/// plus the filtered people files (`title.crew.tsv`, `title.principals.tsv`,
/// `name.basics.tsv`) when the ingest had them.
/// Each goes to a temporary file in `dir` first and is renamed into place when complete;
/// the CSV is renamed before the manifest, so a crash in between is caught by
/// [`read_processed`]'s version check.
///
/// # Errors
/// [`Error::Io`], [`Error::Csv`], [`Error::Manifest`].
#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
pub fn write_processed(dir: &Path, ingested: &Ingested) -> Result<DatasetManifest> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let csv_path = dir.join(DATASET_FILE);
    let manifest_path = dir.join(MANIFEST_FILE);

    let tmp = temp_file_in(dir, None).map_err(|e| Error::io(dir, e))?;
    let out = HashingWriter::new(BufWriter::with_capacity(1 << 20, tmp));
    let csv_err = |source| Error::Csv {
        path: csv_path.clone(),
        source,
    };
    let (digest, buffered) = write_csv(out, &ingested.movies).map_err(csv_err)?.finish();
    let tmp = buffered
        .into_inner()
        .map_err(|e| Error::io(&csv_path, e.into_error()))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(&csv_path, e))?;

    let people = match &ingested.people {
        Some(tables) => write_people_files(dir, tables)?,
        None => Vec::new(),
    };
    let people_files: Vec<_> = people.iter().map(|(f, _)| f.clone()).collect();
    let report = &ingested.report;
    let manifest = DatasetManifest {
        schema_version: MANIFEST_SCHEMA_VERSION,
        dataset_version: DatasetVersion::combined(&digest.sha256, &people_files),
        csv_sha256: digest.sha256,
        rows: ingested.movies.len() as u64,
        inputs: vec![report.basics.clone(), report.ratings.clone()],
        counts: report.counts,
        bad_rows: report.bad_rows.counts(),
        options: report.options.clone(),
        created_at: OffsetDateTime::now_utc(),
        people: report.people.clone(),
        people_files,
    };
    let mut manifest_tmp = temp_file_in(dir, None).map_err(|e| Error::io(dir, e))?;
    serde_json::to_writer_pretty(&mut manifest_tmp, &manifest).map_err(|source| {
        Error::Manifest {
            path: manifest_path.clone(),
            source,
        }
    })?;
    manifest_tmp
        .write_all(b"\n")
        .and_then(|()| manifest_tmp.as_file().sync_all())
        .map_err(|e| Error::io(&manifest_path, e))?;

    tmp.persist(&csv_path)
        .map_err(|e| Error::io(&csv_path, e.error))?;
    for (file, tmp) in people {
        let path = dir.join(&file.name);
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    }
    manifest_tmp
        .persist(&manifest_path)
        .map_err(|e| Error::io(&manifest_path, e.error))?;
    tracing::info!(rows = manifest.rows, version = %manifest.dataset_version, "wrote processed dataset");
    Ok(manifest)
}

/// Reads a processed dataset back, checking every row and that the CSV still hashes to
/// the manifest's version.
///
/// # Errors
/// [`Error::MissingProcessed`], [`Error::Manifest`], [`Error::ProcessedHeader`],
/// [`Error::ProcessedRow`] (with line number), [`Error::VersionMismatch`].
pub fn read_processed(dir: &Path) -> Result<ProcessedDataset> {
    let csv_path = dir.join(DATASET_FILE);
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest: DatasetManifest = {
        let file = open_processed(&manifest_path)?;
        serde_json::from_reader(BufReader::new(file)).map_err(|source| Error::Manifest {
            path: manifest_path.clone(),
            source,
        })?
    };
    let file = open_processed(&csv_path)?;
    let mut hashing = HashingReader::new(BufReader::with_capacity(1 << 20, file));
    let mut movies = read_csv(&csv_path, &mut hashing)?;
    let digest = hashing.finish().map_err(|e| Error::io(&csv_path, e))?;
    let actual = DatasetVersion::combined(&digest.sha256, &manifest.people_files);
    if actual != manifest.dataset_version {
        return Err(Error::VersionMismatch {
            path: csv_path,
            expected: manifest.dataset_version.to_string(),
            actual: actual.to_string(),
        });
    }
    let people = if manifest.people_files.is_empty() {
        None
    } else {
        let tables = read_people_files(dir, &manifest.people_files)?;
        let index = movie_index(&movies);
        attach_credits(&mut movies, &index, &tables);
        Some(tables)
    };
    tracing::info!(rows = movies.len(), version = %actual, "read processed dataset");
    Ok(ProcessedDataset {
        movies,
        manifest,
        people,
    })
}

impl ProcessedDataset {
    /// The ingest report its manifest records: the raw inputs' hashes and row counts,
    /// the step counts, the bad-row counts (without the located examples, which only a
    /// raw ingest has), the options and the people counts. [`IngestReport::check`] on it
    /// applies the bad-row gate and the empty-dataset check to the processed dataset.
    ///
    /// # Errors
    /// [`Error::ManifestInputs`] when the manifest does not list the two raw inputs.
    pub fn report(&self) -> Result<IngestReport> {
        let manifest = &self.manifest;
        let [basics, ratings] =
            <[FileReport; 2]>::try_from(manifest.inputs.clone()).map_err(|inputs| {
                Error::ManifestInputs {
                    found: inputs.len(),
                }
            })?;
        Ok(IngestReport {
            basics,
            ratings,
            counts: manifest.counts,
            bad_rows: BadRows::from_counts(&manifest.bad_rows),
            options: manifest.options.clone(),
            people: manifest.people.clone(),
        })
    }
}

fn open_processed(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            Error::MissingProcessed {
                path: path.to_owned(),
            }
        } else {
            Error::io(path, e)
        }
    })
}

fn read_csv<R: io::Read>(path: &Path, input: R) -> Result<Vec<MovieRecord>> {
    let mut reader = csv::Reader::from_reader(input);
    let csv_err = |source| Error::Csv {
        path: path.to_owned(),
        source,
    };
    let header = reader.headers().map_err(csv_err)?;
    if header.iter().ne(CSV_COLUMNS) {
        return Err(Error::ProcessedHeader {
            path: path.to_owned(),
            found: header.iter().collect::<Vec<_>>().join(","),
            expected: CSV_COLUMNS.join(","),
        });
    }
    let mut movies = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line());
        let movie = parse_record(&record).map_err(|message| Error::ProcessedRow {
            path: path.to_owned(),
            line,
            message,
        })?;
        movies.push(movie);
    }
    Ok(movies)
}

/// Accepts `1994` and pandas' float form `1994.0` for integer columns.
fn integer_text(raw: &str) -> &str {
    raw.strip_suffix(".0").unwrap_or(raw)
}

fn parse_record(r: &csv::StringRecord) -> std::result::Result<MovieRecord, String> {
    if r.len() != CSV_COLUMNS.len() {
        return Err(format!(
            "row has {} fields, expected {}",
            r.len(),
            CSV_COLUMNS.len()
        ));
    }
    let field = |i: usize| r.get(i).unwrap_or_default();
    let optional = |i: usize| Some(field(i)).filter(|v| !v.is_empty()).map(integer_text);
    let msg = |e: reelcast_core::Error| e.to_string();
    Ok(MovieRecord {
        tconst: TitleId::parse(field(0)).map_err(msg)?,
        title_type: TitleType::parse(field(1)).map_err(msg)?,
        primary_title: field(2).to_owned(),
        original_title: field(3).to_owned(),
        is_adult: match field(4) {
            "0" => false,
            "1" => true,
            other => return Err(format!("isAdult {other:?} is not 0 or 1")),
        },
        start_year: optional(5)
            .map(|v| Year::parse("startYear", v))
            .transpose()
            .map_err(msg)?,
        end_year: optional(6)
            .map(|v| Year::parse("endYear", v))
            .transpose()
            .map_err(msg)?,
        runtime: optional(7).map(Runtime::parse).transpose().map_err(msg)?,
        genres: GenreSet::parse_imdb(field(8)).map_err(msg)?,
        rating: Rating::parse(field(9)).map_err(msg)?,
        votes: Votes::parse(integer_text(field(10))).map_err(msg)?,
        credits: reelcast_core::Credits::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_pandas_float_years_and_empty_nulls() {
        let record = csv::StringRecord::from(vec![
            "tt0012349",
            "movie",
            "The Kid",
            "The Kid",
            "0",
            "1921.0",
            "",
            "",
            "Comedy,Drama,Family",
            "8.4",
            "40584",
        ]);
        let movie = parse_record(&record).unwrap();
        assert_eq!(movie.start_year.map(Year::get), Some(1921));
        assert_eq!((movie.end_year, movie.runtime), (None, None));
        assert_eq!(movie.genres.len(), 3);
    }

    #[test]
    fn ratings_keep_one_decimal_and_round_trip() {
        for (value, text) in [(6.0, "6.0"), (7.3, "7.3"), (10.0, "10.0"), (1.25, "1.25")] {
            let rating = Rating::new(value).unwrap();
            assert_eq!(rating_text(rating), text);
            assert_eq!(Rating::parse(text).unwrap(), rating);
        }
    }

    #[test]
    fn row_errors_name_field_and_value() {
        let record = csv::StringRecord::from(vec![
            "tt0012349",
            "movie",
            "The Kid",
            "The Kid",
            "0",
            "19x5",
            "",
            "68",
            "",
            "8.4",
            "40584",
        ]);
        assert_eq!(
            parse_record(&record).unwrap_err(),
            "startYear \"19x5\" is not a whole number"
        );
    }
}
