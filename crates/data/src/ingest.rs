//! Ingest: stream title.basics and title.ratings in parallel, inner-join on `tconst`,
//! filter by votes and year, and report what happened at each step.

use reelcast_core::MovieRecord;
use serde::Serialize;

use crate::basics::{read_basics, BasicsScan};
use crate::embedded::EmbeddedFile;
use crate::options::IngestOptions;
use crate::ratings::{read_ratings, RatingEntry, RatingsScan};
use crate::report::{FileReport, IngestReport, StepCounts};
use crate::source::Source;
use crate::Result;

/// The two raw files an ingest reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSources {
    /// `title.basics.tsv(.gz)`.
    pub basics: Source,
    /// `title.ratings.tsv(.gz)`.
    pub ratings: Source,
}

impl DataSources {
    /// The embedded sample (6,208 real films): the default when a command is given no data.
    pub fn embedded() -> Self {
        Self {
            basics: Source::Embedded(EmbeddedFile::Basics),
            ratings: Source::Embedded(EmbeddedFile::Ratings),
        }
    }

    /// Two files on disk (plain or gzip).
    pub fn files(
        basics: impl Into<std::path::PathBuf>,
        ratings: impl Into<std::path::PathBuf>,
    ) -> Self {
        Self {
            basics: Source::file(basics),
            ratings: Source::file(ratings),
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
}

/// Reads, joins and filters the raw files, then fails if a file has more bad rows than
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
        let basics = read_basics(&sources.basics, &options.title_types);
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
    Ok(join_and_filter(basics, ratings, options))
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
        if votes.get() < options.min_votes {
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
        },
    }
}
