//! Narrowing a processed dataset to stricter filters: the rows, people files and counts a
//! raw ingest with those filters would have given, without the raw files.

use reelcast_core::MovieRecord;

use crate::manifest::DatasetVersion;
use crate::options::IngestOptions;
use crate::people::{attach_credits, movie_index, table_digests};
use crate::processed::{csv_sha256, ProcessedDataset};
use crate::report::StepCounts;
use crate::Result;

impl ProcessedDataset {
    /// This dataset under `options` ([resolved](IngestOptions::resolve_against) against the
    /// options its manifest records: a setting not requested keeps the manifest's value,
    /// and a requested row filter must be at least as strict as the manifest's).
    ///
    /// The movies `options` drops are removed, the people tables cut to the kept movies
    /// and the names they mention, and the manifest updated to describe the result as
    /// [`crate::write_processed`] would write it: rows, CSV SHA-256, people files, dataset
    /// version, step counts, people counts and options. The movies, people tables and
    /// dataset version are those a raw ingest with the same filters gives (the filters are
    /// per row, and IMDb order is kept). Step counts before the first narrowed filter and
    /// the last one (the dataset) are exact; a step in between counts the dataset's rows
    /// that pass it, which can be fewer than the raw files hold (after narrowing
    /// `title_types`, `after_type_filter` counts the kept rated titles of those types,
    /// not every title.basics row of them). Input hashes and bad-row counts stay those
    /// of the ingest. With the same row filters nothing is recomputed (only a requested
    /// `max_bad_row_ratio` is taken).
    ///
    /// ```
    /// use reelcast_data::{ingest, ingested_version, read_processed, write_processed};
    /// use reelcast_data::{DataSources, IngestOptions};
    ///
    /// let dir = tempfile::tempdir().expect("a temporary directory");
    /// write_processed(dir.path(), &ingest(&DataSources::embedded(), &IngestOptions::default())?)?;
    /// let stricter = IngestOptions { min_votes: 100_000, ..IngestOptions::default() };
    ///
    /// let narrowed = read_processed(dir.path())?.narrow(&stricter)?;
    ///
    /// let raw = ingest(&DataSources::embedded(), &stricter)?;
    /// assert_eq!(narrowed.movies, raw.movies);
    /// assert_eq!(narrowed.manifest.dataset_version, ingested_version(&raw)?);
    /// # Ok::<(), reelcast_data::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::LooserFilter`] for a requested filter looser than the manifest's;
    /// [`crate::Error::InvalidOptions`].
    #[tracing::instrument(skip_all)]
    pub fn narrow(mut self, options: &IngestOptions) -> Result<ProcessedDataset> {
        let ingested = &self.manifest.options;
        let resolved = options.resolve_against(ingested)?;
        if resolved.same_rows_as(ingested) {
            self.manifest.options = resolved;
            return Ok(self);
        }
        let counts = narrowed_counts(&self.movies, &self.manifest.counts, ingested, &resolved);
        self.movies.retain(|m| resolved.keeps(m));
        let people_files = match &mut self.people {
            Some(tables) => {
                let index = movie_index(&self.movies);
                tables.retain_titles(&index);
                let people = attach_credits(&mut self.movies, &index, tables);
                if let Some(report) = &mut self.manifest.people {
                    report.counts = people;
                }
                table_digests(tables)?
            }
            None => Vec::new(),
        };
        let csv_sha256 = csv_sha256(&self.movies)?;
        let manifest = &mut self.manifest;
        tracing::info!(
            from = manifest.rows,
            to = self.movies.len(),
            "narrowed processed dataset"
        );
        manifest.dataset_version = DatasetVersion::combined(&csv_sha256, &people_files);
        manifest.csv_sha256 = csv_sha256;
        manifest.rows = self.movies.len() as u64;
        manifest.counts = counts;
        manifest.options = resolved;
        manifest.people_files = people_files;
        Ok(self)
    }
}

/// The step counts of `movies` (a dataset ingested with `ingested`, whose ingest counted
/// `recorded`) under the stricter `resolved` (see [`ProcessedDataset::narrow`]).
fn narrowed_counts(
    movies: &[MovieRecord],
    recorded: &StepCounts,
    ingested: &IngestOptions,
    resolved: &IngestOptions,
) -> StepCounts {
    let types_narrowed = !ingested
        .title_types
        .iter()
        .all(|t| resolved.keeps_title_type(*t));
    let votes_narrowed = types_narrowed || resolved.min_votes != ingested.min_votes;
    let (mut of_types, mut of_votes, mut kept) = (0, 0, 0);
    for m in movies
        .iter()
        .filter(|m| resolved.keeps_title_type(m.title_type))
    {
        of_types += 1;
        if resolved.keeps_votes(m.votes) {
            of_votes += 1;
            if resolved.keeps_year(m.start_year.map(|y| y.get())) {
                kept += 1;
            }
        }
    }
    StepCounts {
        after_type_filter: if types_narrowed {
            of_types
        } else {
            recorded.after_type_filter
        },
        after_join: if types_narrowed {
            of_types
        } else {
            recorded.after_join
        },
        after_votes_filter: if votes_narrowed {
            of_votes
        } else {
            recorded.after_votes_filter
        },
        after_year_filter: kept,
        ..*recorded
    }
}
