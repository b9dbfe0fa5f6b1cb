//! Data-quality report over an ingest: nulls, summary statistics, genre distribution,
//! duplicates, suspicious values and bad rows. Reads only; never modifies data.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use reelcast_core::{Genre, MovieRecord};
use serde::Serialize;

use crate::ingest::Ingested;
use crate::people::{people_per_film, PeopleCounts};
use crate::processed::ProcessedDataset;
use crate::report::{BadRowReason, BadRows, FileReport, IngestReport, StepCounts};
use crate::Result;

/// Runtimes above this many minutes are flagged (a few real art films run longer; most
/// such values are data-entry errors).
pub const SUSPICIOUS_RUNTIME_MINUTES: u32 = 1000;
/// Start years more than this many years past the current year are flagged.
pub const SUSPICIOUS_YEARS_AHEAD: u16 = 2;
/// Vote counts above this are flagged (IMDb's most-voted title has about 3 million).
pub const SUSPICIOUS_VOTES: u32 = 5_000_000;
/// Suspicious values listed per report (the counts cover all).
const MAX_SUSPICIOUS_LISTED: usize = 20;

/// Count, min, max, mean, median and sample standard deviation of one column's non-null values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ColumnStats {
    /// Non-null values.
    pub count: u64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (mean of the middle two for an even count).
    pub median: f64,
    /// Sample standard deviation (n - 1; 0 for a single value).
    pub std: f64,
}

impl ColumnStats {
    /// Statistics of `values`; `None` when empty.
    pub fn of(mut values: Vec<f64>) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Some(Self {
            count: n as u64,
            min: values[0],
            max: values[n - 1],
            mean,
            median,
            std: var.sqrt(),
        })
    }
}

/// One value outside its plausible range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuspiciousValue {
    /// The title.
    pub tconst: String,
    /// The column (`runtimeMinutes`, `startYear`, `numVotes`).
    pub column: &'static str,
    /// The value.
    pub value: u64,
    /// The rule it breaks, e.g. `> 1000 minutes`.
    pub rule: String,
}

/// The people part of a [`ValidationReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleValidation {
    /// Rows kept, films with people, distinct and unknown people.
    pub counts: PeopleCounts,
    /// People per film with any credit, by role: `directors`, `writers`, `cast`.
    pub per_film: BTreeMap<&'static str, Option<ColumnStats>>,
    /// title.principals rows repeating a (tconst, ordering) pair.
    pub duplicate_principals: u64,
    /// nconsts credited on kept films that name.basics does not list.
    pub unknown_nconsts: u64,
}

/// The data-quality report. `Display` renders text; `Serialize` gives `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    /// Rows in the dataset.
    pub total_rows: u64,
    /// Rows after each ingest step.
    pub counts: StepCounts,
    /// Raw inputs (with bad-row ratios via [`FileReport::bad_row_ratio`]).
    pub inputs: Vec<FileReport>,
    /// Null (empty) values per CSV column.
    pub nulls: BTreeMap<&'static str, u64>,
    /// Statistics per numeric column: averageRating, numVotes, startYear, runtimeMinutes.
    pub stats: BTreeMap<&'static str, Option<ColumnStats>>,
    /// Titles per genre (exact genres; a title counts once per genre it has).
    pub genres: BTreeMap<&'static str, u64>,
    /// Titles with no genre.
    pub no_genre: u64,
    /// tconsts appearing more than once in the dataset.
    pub duplicate_tconsts: Vec<String>,
    /// Values flagged per column.
    pub suspicious_counts: BTreeMap<&'static str, u64>,
    /// The first flagged values.
    pub suspicious: Vec<SuspiciousValue>,
    /// Bad raw rows by reason, with examples.
    pub bad_rows: BadRows,
    /// The threshold the files were checked against.
    pub max_bad_row_ratio: f64,
    /// True when every file is within `max_bad_row_ratio`, no tconst is duplicated and the
    /// dataset is not empty. Suspicious values are reported but do not fail validation.
    pub passed: bool,
    /// Why validation failed, one sentence per broken rule (empty when it passed): files
    /// over the bad-row threshold, duplicated tconsts, inputs without data rows, filters
    /// that left no movie, so that a failure says which rule it broke.
    pub failures: Vec<String>,
    /// People checks, when the dataset has people files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<PeopleValidation>,
}

/// Builds the report for a processed directory: its rows, with the input hashes, step
/// counts, bad-row counts and options of [`ProcessedDataset::report`] (the located
/// bad-row examples exist only in a raw ingest's report). For stricter filters than the
/// ingest's, [narrow](ProcessedDataset::narrow) the dataset first.
///
/// # Errors
/// [`crate::Error::ManifestInputs`] when the manifest does not list the two raw inputs.
pub fn validate_processed(dataset: &ProcessedDataset) -> Result<ValidationReport> {
    let ingested = Ingested {
        movies: dataset.movies.clone(),
        report: dataset.report()?,
        people: dataset.people.clone(),
    };
    Ok(validate(&ingested))
}

/// Builds the report for an ingest (see [`crate::ingest_lenient`]).
pub fn validate(ingested: &Ingested) -> ValidationReport {
    let movies = &ingested.movies;
    let report = &ingested.report;
    let this_year = u16::try_from(time::OffsetDateTime::now_utc().year()).unwrap_or(u16::MAX);
    let mut nulls: BTreeMap<&'static str, u64> =
        crate::CSV_COLUMNS.iter().map(|c| (*c, 0)).collect();
    let mut bump = |column: &'static str, is_null: bool| {
        if is_null {
            *nulls.entry(column).or_default() += 1;
        }
    };
    let mut genres: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut no_genre = 0;
    let mut seen = HashSet::new();
    let mut duplicate_tconsts = Vec::new();
    let mut suspicious = Vec::new();
    let mut suspicious_counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut flag = |m: &MovieRecord, column: &'static str, value: u64, rule: String| {
        *suspicious_counts.entry(column).or_default() += 1;
        if suspicious.len() < MAX_SUSPICIOUS_LISTED {
            suspicious.push(SuspiciousValue {
                tconst: m.tconst.to_string(),
                column,
                value,
                rule,
            });
        }
    };
    for m in movies {
        bump("primaryTitle", m.primary_title.is_empty());
        bump("originalTitle", m.original_title.is_empty());
        bump("startYear", m.start_year.is_none());
        bump("endYear", m.end_year.is_none());
        bump("runtimeMinutes", m.runtime.is_none());
        bump("genres", m.genres.is_empty());
        if m.genres.is_empty() {
            no_genre += 1;
        }
        for g in m.genres.iter() {
            *genres.entry(Genre::name(g)).or_default() += 1;
        }
        if !seen.insert(m.tconst.as_str()) {
            duplicate_tconsts.push(m.tconst.to_string());
        }
        if let Some(r) = m
            .runtime
            .filter(|r| r.minutes() > SUSPICIOUS_RUNTIME_MINUTES)
        {
            let rule = format!("> {SUSPICIOUS_RUNTIME_MINUTES} minutes");
            flag(m, "runtimeMinutes", r.minutes().into(), rule);
        }
        let latest = this_year.saturating_add(SUSPICIOUS_YEARS_AHEAD);
        if let Some(y) = m.start_year.filter(|y| y.get() > latest) {
            flag(
                m,
                "startYear",
                y.get().into(),
                format!("> {latest} (current year + {SUSPICIOUS_YEARS_AHEAD})"),
            );
        }
        if m.votes.get() > SUSPICIOUS_VOTES {
            flag(
                m,
                "numVotes",
                m.votes.get().into(),
                format!("> {SUSPICIOUS_VOTES} votes"),
            );
        }
    }
    let column = |f: &dyn Fn(&MovieRecord) -> Option<f64>| {
        ColumnStats::of(movies.iter().filter_map(f).collect())
    };
    let stats = BTreeMap::from([
        // Through the shortest decimal form, so 1.9f32 reports as 1.9, not 1.899999976158142.
        (
            "averageRating",
            column(&|m| m.rating.get().to_string().parse().ok()),
        ),
        ("numVotes", column(&|m| Some(m.votes.get().into()))),
        (
            "startYear",
            column(&|m| m.start_year.map(|y| y.get().into())),
        ),
        (
            "runtimeMinutes",
            column(&|m| m.runtime.map(|r| r.minutes().into())),
        ),
    ]);
    let failures = failures(report, &duplicate_tconsts, movies.is_empty());
    let people = report.people.as_ref().map(|p| {
        let [directors, writers, cast] = people_per_film(movies);
        PeopleValidation {
            counts: p.counts,
            per_film: BTreeMap::from([
                ("directors", ColumnStats::of(directors)),
                ("writers", ColumnStats::of(writers)),
                ("cast", ColumnStats::of(cast)),
            ]),
            duplicate_principals: report.bad_rows.count(BadRowReason::DuplicatePrincipal),
            unknown_nconsts: p.counts.unknown_nconsts,
        }
    });
    let mut inputs = vec![report.basics.clone(), report.ratings.clone()];
    inputs.extend(report.people.iter().flat_map(|p| p.files.iter().cloned()));
    ValidationReport {
        total_rows: movies.len() as u64,
        counts: report.counts,
        inputs,
        people,
        nulls,
        stats,
        genres,
        no_genre,
        duplicate_tconsts,
        suspicious_counts,
        suspicious,
        bad_rows: report.bad_rows.clone(),
        max_bad_row_ratio: report.options.max_bad_row_ratio,
        passed: failures.is_empty(),
        failures,
    }
}

/// The broken rules of [`ValidationReport::failures`], in the order a reader would fix them.
fn failures(report: &IngestReport, duplicate_tconsts: &[String], no_movies: bool) -> Vec<String> {
    let max_ratio = report.options.max_bad_row_ratio;
    let mut out: Vec<String> = report
        .files_over_threshold()
        .iter()
        .map(|f| {
            format!(
                "{}: {} of {} rows are bad ({:.4}), above max_bad_row_ratio {max_ratio}",
                f.name,
                f.skipped,
                f.rows,
                f.bad_row_ratio()
            )
        })
        .collect();
    if let Some(first) = duplicate_tconsts.first() {
        out.push(format!(
            "{} duplicate tconsts (first {first}): each title must appear once",
            duplicate_tconsts.len()
        ));
    }
    if no_movies {
        let empty: Vec<&str> = [&report.basics, &report.ratings]
            .into_iter()
            .filter(|f| f.rows == 0)
            .map(|f| f.name.as_str())
            .collect();
        if empty.is_empty() {
            out.push(format!(
                "no movies left after the filters ({}); check --title-types, --min-votes and --min-year",
                report.counts
            ));
        } else {
            out.push(format!(
                "no movies: {} {} no data rows, only the header",
                empty.join(" and "),
                if empty.len() == 1 { "has" } else { "have" }
            ));
        }
    }
    out
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "PASSED" } else { "FAILED" };
        writeln!(f, "validation {verdict}: {} rows", self.total_rows)?;
        for why in &self.failures {
            writeln!(f, "  failed: {why}")?;
        }
        writeln!(f, "steps: {}", self.counts)?;
        writeln!(
            f,
            "\ninputs (max_bad_row_ratio {}):",
            self.max_bad_row_ratio
        )?;
        for i in &self.inputs {
            let sha = i.sha256.get(..12).unwrap_or(&i.sha256);
            writeln!(
                f,
                "  {:<22} {:>10} rows  {:>6} skipped ({:.4})  sha256 {sha}…",
                i.name,
                i.rows,
                i.skipped,
                i.bad_row_ratio()
            )?;
        }
        writeln!(f, "\nnulls:")?;
        for (column, n) in self.nulls.iter().filter(|(_, n)| **n > 0) {
            writeln!(f, "  {column:<16} {n}")?;
        }
        writeln!(
            f,
            "\nstatistics:          count        min        max       mean     median        std"
        )?;
        for (column, s) in &self.stats {
            match s {
                Some(s) => writeln!(
                    f,
                    "  {column:<16} {:>8} {:>10.1} {:>10.1} {:>10.2} {:>10.1} {:>10.2}",
                    s.count, s.min, s.max, s.mean, s.median, s.std
                )?,
                None => writeln!(f, "  {column:<16} (no values)")?,
            }
        }
        writeln!(f, "\ngenres:")?;
        let mut by_count: Vec<_> = self.genres.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (genre, n) in by_count {
            writeln!(f, "  {genre:<12} {n}")?;
        }
        writeln!(f, "  {:<12} {}", "(none)", self.no_genre)?;
        writeln!(f, "\nduplicate tconsts: {}", self.duplicate_tconsts.len())?;
        for t in self.duplicate_tconsts.iter().take(MAX_SUSPICIOUS_LISTED) {
            writeln!(f, "  {t}")?;
        }
        writeln!(
            f,
            "\nsuspicious values: {}",
            self.suspicious_counts.values().sum::<u64>()
        )?;
        for s in &self.suspicious {
            writeln!(f, "  {} {} {} ({})", s.tconst, s.column, s.value, s.rule)?;
        }
        writeln!(f, "\nbad rows: {}", self.bad_rows.skipped())?;
        for (reason, tally) in self.bad_rows.iter() {
            writeln!(f, "  {}: {}", reason.label(), tally.count)?;
            for e in &tally.examples {
                writeln!(f, "    {e}")?;
            }
        }
        if let Some(p) = &self.people {
            let c = &p.counts;
            writeln!(
                f,
                "\npeople: {} films with people, {} distinct people, {} unknown nconsts, {} duplicate (tconst, ordering) rows",
                c.films_with_people, c.distinct_people, p.unknown_nconsts, p.duplicate_principals
            )?;
            writeln!(
                f,
                "  kept rows: title.crew {}, title.principals {}, name.basics {}",
                c.crew_rows, c.principals_rows, c.names_rows
            )?;
            writeln!(
                f,
                "  people per film:  count        min        max       mean     median"
            )?;
            for (role, s) in &p.per_film {
                match s {
                    Some(s) => writeln!(
                        f,
                        "  {role:<12} {:>8} {:>10.0} {:>10.0} {:>10.2} {:>10.1}",
                        s.count, s.min, s.max, s.mean, s.median
                    )?,
                    None => writeln!(f, "  {role:<12} (none)")?,
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_match_hand_computation() {
        let s = ColumnStats::of(vec![4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (s.count, s.min, s.max, s.mean, s.median),
            (4, 1.0, 4.0, 2.5, 2.5)
        );
        assert!((s.std - 1.2909944).abs() < 1e-6);
        assert_eq!(ColumnStats::of(vec![7.0]).unwrap().std, 0.0);
        assert!(ColumnStats::of(vec![]).is_none());
    }
}
