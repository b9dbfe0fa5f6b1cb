//! What an ingest saw: row counts after each step, bad rows by reason with examples, and
//! the inputs' hashes. Serializable, so it goes into the manifest and `--json` output.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::options::IngestOptions;
use crate::{Error, Result};

/// Examples kept per reason (the count covers every row).
pub const MAX_EXAMPLES: usize = 5;

/// Why a raw row was skipped (or, for [`BadRowReason::UnknownGenre`], repaired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadRowReason {
    /// Not the file's number of tab-separated fields (checked on every row).
    ColumnCount,
    /// Bytes that are not UTF-8 (checked on rows that pass the title-type filter).
    InvalidUtf8,
    /// A `tconst` that is not `tt` + digits.
    BadTconst,
    /// `startYear`/`endYear` not a whole number in 1874..=2100.
    BadYear,
    /// `runtimeMinutes` not a whole number in 1..=60000.
    BadRuntime,
    /// `isAdult` not `0` or `1`.
    BadIsAdult,
    /// `averageRating` not a number in 1..=10.
    BadRating,
    /// `numVotes` negative or not a whole number.
    BadVotes,
    /// A `tconst` seen before in the same file; the first occurrence is kept.
    DuplicateTconst,
    /// A genre token outside IMDb's 28 genres. The token is dropped and the row *kept*
    /// (a new IMDb genre should not silently remove every title carrying it), so these
    /// rows do not count towards `max_bad_row_ratio`.
    UnknownGenre,
    /// An `nconst` that is not `nm` + digits (title.crew, title.principals, name.basics).
    BadNconst,
    /// A title.principals `ordering` that is not a whole number >= 1.
    BadOrdering,
    /// A (tconst, ordering) pair seen before in title.principals; the first row is kept.
    DuplicatePrincipal,
    /// An `nconst` seen before in name.basics; the first row is kept.
    DuplicateNconst,
}

impl BadRowReason {
    /// True when rows with this problem are left out of the dataset.
    pub fn skips_row(self) -> bool {
        !matches!(self, BadRowReason::UnknownGenre)
    }

    /// A short label for reports, e.g. `wrong column count`.
    pub fn label(self) -> &'static str {
        match self {
            BadRowReason::ColumnCount => "wrong column count",
            BadRowReason::InvalidUtf8 => "invalid UTF-8",
            BadRowReason::BadTconst => "bad tconst",
            BadRowReason::BadYear => "bad year",
            BadRowReason::BadRuntime => "bad runtime",
            BadRowReason::BadIsAdult => "bad isAdult",
            BadRowReason::BadRating => "bad rating",
            BadRowReason::BadVotes => "bad votes",
            BadRowReason::DuplicateTconst => "duplicate tconst",
            BadRowReason::UnknownGenre => "unknown genre (token dropped, row kept)",
            BadRowReason::BadNconst => "bad nconst",
            BadRowReason::BadOrdering => "bad ordering",
            BadRowReason::DuplicatePrincipal => "duplicate (tconst, ordering)",
            BadRowReason::DuplicateNconst => "duplicate nconst",
        }
    }
}

/// One bad row, located: `title.basics.tsv line 17: startYear "19x5" is not a whole number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRowExample {
    /// File name.
    pub file: String,
    /// 1-based line number (the header is line 1).
    pub line: u64,
    /// What is wrong, naming the value and the rule.
    pub message: String,
}

impl fmt::Display for BadRowExample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}: {}", self.file, self.line, self.message)
    }
}

/// Count and first examples for one reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonTally {
    /// Rows with this problem.
    pub count: u64,
    /// Up to [`MAX_EXAMPLES`] of them, in file order.
    pub examples: Vec<BadRowExample>,
}

/// Bad rows by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BadRows(BTreeMap<BadRowReason, ReasonTally>);

impl BadRows {
    /// Counts one row; builds the message only while examples are still being kept.
    pub fn record(
        &mut self,
        reason: BadRowReason,
        file: &str,
        line: u64,
        message: impl FnOnce() -> String,
    ) {
        let tally = self.0.entry(reason).or_default();
        tally.count += 1;
        if tally.examples.len() < MAX_EXAMPLES {
            tally.examples.push(BadRowExample {
                file: file.to_owned(),
                line,
                message: message(),
            });
        }
    }

    /// Counts without examples, e.g. as a manifest records them.
    pub fn from_counts(counts: &BTreeMap<BadRowReason, u64>) -> Self {
        Self(
            counts
                .iter()
                .map(|(reason, count)| {
                    let tally = ReasonTally {
                        count: *count,
                        examples: Vec::new(),
                    };
                    (*reason, tally)
                })
                .collect(),
        )
    }

    /// Adds `other`'s counts, keeping at most [`MAX_EXAMPLES`] examples per reason.
    pub fn merge(&mut self, other: BadRows) {
        for (reason, tally) in other.0 {
            let mine = self.0.entry(reason).or_default();
            mine.count += tally.count;
            let room = MAX_EXAMPLES.saturating_sub(mine.examples.len());
            mine.examples.extend(tally.examples.into_iter().take(room));
        }
    }

    /// Rows with this problem.
    pub fn count(&self, reason: BadRowReason) -> u64 {
        self.0.get(&reason).map_or(0, |t| t.count)
    }

    /// Rows left out of the dataset (every reason that [skips rows](BadRowReason::skips_row)).
    pub fn skipped(&self) -> u64 {
        self.0
            .iter()
            .filter(|(r, _)| r.skips_row())
            .map(|(_, t)| t.count)
            .sum()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reasons with their tallies, in [`BadRowReason`] order.
    pub fn iter(&self) -> impl Iterator<Item = (BadRowReason, &ReasonTally)> {
        self.0.iter().map(|(r, t)| (*r, t))
    }

    /// Counts only, for the manifest.
    pub fn counts(&self) -> BTreeMap<BadRowReason, u64> {
        self.0.iter().map(|(r, t)| (*r, t.count)).collect()
    }
}

/// One raw input file as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// File name, e.g. `title.basics.tsv.gz`.
    pub name: String,
    /// Lower-case hex SHA-256 of the raw (possibly compressed) bytes.
    pub sha256: String,
    /// Raw size in bytes.
    pub bytes: u64,
    /// True when the file is gzip.
    pub gzip: bool,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows skipped as bad.
    pub skipped: u64,
}

impl FileReport {
    /// `skipped / rows` (0 for an empty file).
    pub fn bad_row_ratio(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.skipped as f64 / self.rows as f64
        }
    }
}

/// Rows left after each step of the ingest, in pipeline order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCounts {
    /// Data rows in title.basics.
    pub basics_rows: u64,
    /// Good basics rows whose titleType is in `title_types`.
    pub after_type_filter: u64,
    /// Data rows in title.ratings.
    pub ratings_rows: u64,
    /// Of those, rows with a rating (inner join on tconst).
    pub after_join: u64,
    /// Of those, rows with `numVotes >= min_votes`.
    pub after_votes_filter: u64,
    /// Of those, rows with `startYear` null or `>= min_year`: the dataset.
    pub after_year_filter: u64,
}

impl fmt::Display for StepCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "basics rows {}, after type filter {}, ratings rows {}, after join {}, \
             after votes filter {}, after year filter {}",
            self.basics_rows,
            self.after_type_filter,
            self.ratings_rows,
            self.after_join,
            self.after_votes_filter,
            self.after_year_filter
        )
    }
}

/// Everything an ingest saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    /// title.basics as read.
    pub basics: FileReport,
    /// title.ratings as read.
    pub ratings: FileReport,
    /// Rows after each step.
    pub counts: StepCounts,
    /// Bad rows of both files by reason (examples name their file).
    pub bad_rows: BadRows,
    /// The options used.
    pub options: IngestOptions,
    /// The people files (title.crew, title.principals, name.basics), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<crate::people::PeopleReport>,
}

impl IngestReport {
    /// Files whose bad-row ratio exceeds `options.max_bad_row_ratio`.
    pub fn files_over_threshold(&self) -> Vec<&FileReport> {
        [&self.basics, &self.ratings]
            .into_iter()
            .chain(self.people.iter().flat_map(|p| p.files.iter()))
            .filter(|f| f.bad_row_ratio() > self.options.max_bad_row_ratio)
            .collect()
    }

    /// Fails when a file has too many bad rows or no movie is left.
    ///
    /// # Errors
    /// [`Error::TooManyBadRows`] (first offending file), [`Error::EmptyDataset`].
    pub fn check(&self) -> Result<()> {
        if let Some(file) = self.files_over_threshold().first() {
            return Err(Error::TooManyBadRows {
                file: file.name.clone(),
                bad: file.skipped,
                rows: file.rows,
                ratio: file.bad_row_ratio(),
                max_ratio: self.options.max_bad_row_ratio,
            });
        }
        if self.counts.after_year_filter == 0 {
            return Err(Error::EmptyDataset {
                counts: self.counts,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_five_examples_but_counts_every_row() {
        let mut bad = BadRows::default();
        for line in 2..12 {
            bad.record(BadRowReason::BadYear, "title.basics.tsv", line, || {
                format!("startYear \"19x{line}\" is not a whole number")
            });
        }
        bad.record(
            BadRowReason::UnknownGenre,
            "title.basics.tsv",
            3,
            String::new,
        );
        assert_eq!(bad.count(BadRowReason::BadYear), 10);
        assert_eq!(bad.skipped(), 10, "unknown genres keep the row");
        let (_, tally) = bad.iter().next().unwrap();
        assert_eq!(tally.examples.len(), MAX_EXAMPLES);
        assert_eq!(
            tally.examples[0].to_string(),
            "title.basics.tsv line 2: startYear \"19x2\" is not a whole number"
        );
    }

    #[test]
    fn merge_adds_counts_and_caps_examples() {
        let mut a = BadRows::default();
        let mut b = BadRows::default();
        for line in 0..4 {
            a.record(BadRowReason::BadVotes, "a", line, String::new);
            b.record(BadRowReason::BadVotes, "b", line, String::new);
        }
        a.merge(b);
        assert_eq!(a.count(BadRowReason::BadVotes), 8);
        let (_, tally) = a.iter().next().unwrap();
        assert_eq!(tally.examples.len(), MAX_EXAMPLES);
        assert_eq!(tally.examples[4].file, "b");
    }

    #[test]
    fn reasons_serialize_as_snake_case_keys() {
        let mut bad = BadRows::default();
        bad.record(BadRowReason::ColumnCount, "f", 2, String::new);
        let json = serde_json::to_string(&bad.counts()).unwrap();
        assert_eq!(json, r#"{"column_count":1}"#);
    }
}
