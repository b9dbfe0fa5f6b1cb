//! Ingest: stream title.basics and title.ratings in parallel, inner-join on `tconst`,
//! filter by votes and year (the predicates of [`IngestOptions`]), and report what
//! happened at each step.

use reelcast_core::MovieRecord;
use serde::Serialize;

use crate::basics::{read_basics, BasicsScan};
use crate::embedded::EmbeddedFile;
use crate::options::IngestOptions;
use crate::people::{
    attach_credits, movie_index, read_people, PeopleReport, PeopleSources, PeopleTables,
};
use crate::ratings::{read_ratings, RatingEntry, RatingsScan};
use crate::report::{FileReport, IngestReport, StepCounts};
use crate::source::Source;
use crate::Result;

/// The raw files an ingest reads: basics and ratings, plus the optional people files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSources {
    /// `title.basics.tsv(.gz)`.
    pub basics: Source,
    /// `title.ratings.tsv(.gz)`.
    pub ratings: Source,
    /// title.crew, title.principals, name.basics (each optional; none = basics-only data).
    pub people: PeopleSources,
}

impl DataSources {
    /// The embedded sample (6,208 real films with their crew): the default when a command
    /// is given no data.
    pub fn embedded() -> Self {
        Self {
            basics: Source::Embedded(EmbeddedFile::Basics),
            ratings: Source::Embedded(EmbeddedFile::Ratings),
            people: PeopleSources {
                crew: Some(Source::Embedded(EmbeddedFile::Crew)),
                principals: Some(Source::Embedded(EmbeddedFile::Principals)),
                names: Some(Source::Embedded(EmbeddedFile::Names)),
            },
        }
    }

    /// The embedded sample without its people files (basics and ratings only).
    pub fn embedded_basics_only() -> Self {
        Self {
            people: PeopleSources::default(),
            ..Self::embedded()
        }
    }

    /// These sources with `people` as the people files.
    pub fn with_people(self, people: PeopleSources) -> Self {
        Self { people, ..self }
    }

    /// Two files on disk (plain or gzip).
    pub fn files(
        basics: impl Into<std::path::PathBuf>,
        ratings: impl Into<std::path::PathBuf>,
    ) -> Self {
        Self {
            basics: Source::file(basics),
            ratings: Source::file(ratings),
            people: PeopleSources::default(),
        }
    }
}

/// The dataset and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ingested {
    /// Joined, filtered movies in title.basics order.
    pub movies: Vec<MovieRecord>,
    /// Counts, bad rows, hashes and options.
    pub report: IngestReport,
    /// The people files' rows of the kept movies, when people files were given (the
    /// movies' `credits` are filled from them).
    #[serde(skip)]
    pub people: Option<PeopleTables>,
}

/// Reads, joins and filters the raw files (and attaches the people files' credits to
/// the kept movies), then fails if a file has more bad rows than
/// `options.max_bad_row_ratio` allows or no movie is left.
///
/// ```
/// use reelcast_data::{ingest, DataSources, IngestOptions};
/// let ingested = ingest(&DataSources::embedded(), &IngestOptions::default()).unwrap();
/// assert_eq!(ingested.movies.len(), 6091);
/// ```
///
/// # Errors
/// [`crate::Error::TooManyBadRows`], [`crate::Error::EmptyDataset`], and those of
/// [`ingest_lenient`].
pub fn ingest(sources: &DataSources, options: &IngestOptions) -> Result<Ingested> {
    let ingested = ingest_lenient(sources, options)?;
    ingested.report.check()?;
    Ok(ingested)
}

/// Like [`ingest`] but never fails on bad rows or an empty result: for `validate`, which
/// reports those instead.
///
/// # Errors
/// Invalid options, missing files, wrong headers, I/O errors, truncated gzip.
#[tracing::instrument(skip_all, fields(basics = %sources.basics.name(), ratings = %sources.ratings.name()))]
pub fn ingest_lenient(sources: &DataSources, options: &IngestOptions) -> Result<Ingested> {
    options.check()?;
    // Two cores: ratings (small) on a helper thread while this thread streams basics.
    let (basics, ratings) = std::thread::scope(|scope| {
        let ratings = scope.spawn(|| read_ratings(&sources.ratings));
        let basics = read_basics(&sources.basics, options);
        let ratings = ratings
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (basics, ratings)
    });
    let (basics, ratings) = (basics?, ratings?);
    tracing::info!(
        rows = basics.rows_read,
        kept = basics.rows.len(),
        skipped = basics.bad.skipped(),
        "read title.basics"
    );
    tracing::info!(
        rows = ratings.rows_read,
        skipped = ratings.bad.skipped(),
        "read title.ratings"
    );
    let mut ingested = join_and_filter(basics, ratings, options);
    if !sources.people.is_empty() {
        let index = movie_index(&ingested.movies);
        let (tables, files, bad) = read_people(&sources.people, &index)?;
        let counts = attach_credits(&mut ingested.movies, &index, &tables);
        tracing::info!(
            films_with_people = counts.films_with_people,
            people = counts.distinct_people,
            unknown_nconsts = counts.unknown_nconsts,
            "read people files"
        );
        ingested.report.bad_rows.merge(bad);
        ingested.report.people = Some(PeopleReport { files, counts });
        ingested.people = Some(tables);
    }
    Ok(ingested)
}

fn join_and_filter(basics: BasicsScan, ratings: RatingsScan, options: &IngestOptions) -> Ingested {
    let mut counts = StepCounts {
        basics_rows: basics.rows_read,
        after_type_filter: basics.rows.len() as u64,
        ratings_rows: ratings.rows_read,
        ..StepCounts::default()
    };
    let mut movies = Vec::new();
    for row in basics.rows {
        let Some(&RatingEntry { rating, votes, .. }) = ratings.by_id.get(&row.numeric_id) else {
            continue;
        };
        counts.after_join += 1;
        if !options.keeps_votes(votes) {
            continue;
        }
        counts.after_votes_filter += 1;
        if !options.keeps_year(row.start_year.map(|y| y.get())) {
            continue;
        }
        counts.after_year_filter += 1;
        movies.push(row.into_record(rating, votes));
    }
    tracing::info!(
        after_join = counts.after_join,
        after_votes_filter = counts.after_votes_filter,
        after_year_filter = counts.after_year_filter,
        "joined and filtered"
    );
    let file_report =
        |name: String, digest: crate::source::SourceDigest, gzip, rows, skipped| FileReport {
            name,
            sha256: digest.sha256,
            bytes: digest.bytes,
            gzip,
            rows,
            skipped,
        };
    let basics_report = file_report(
        basics.name,
        basics.digest,
        basics.gzip,
        basics.rows_read,
        basics.bad.skipped(),
    );
    let ratings_report = file_report(
        ratings.name,
        ratings.digest,
        ratings.gzip,
        ratings.rows_read,
        ratings.bad.skipped(),
    );
    let mut bad_rows = basics.bad;
    bad_rows.merge(ratings.bad);
    Ingested {
        movies,
        report: IngestReport {
            basics: basics_report,
            ratings: ratings_report,
            counts,
            bad_rows,
            options: options.clone(),
            people: None,
        },
        people: None,
    }
}
