//! Ingest options and the filters they define. The defaults are the original system's
//! choices. The predicates here ([`IngestOptions::keeps`] and its parts) are the one
//! implementation of the filters: a raw ingest runs them row by row, and
//! [`crate::ProcessedDataset::narrow`] runs them over a processed dataset's rows.

use std::collections::BTreeSet;
use std::fmt;

use reelcast_core::{MovieRecord, TitleType, Votes};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// One setting of [`IngestOptions`], named by the command-line flag that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Filter {
    /// `title_types`, `--title-types`.
    TitleTypes,
    /// `min_votes`, `--min-votes`.
    MinVotes,
    /// `min_year`, `--min-year`.
    MinYear,
    /// `keep_null_year` (negated), `--drop-null-years`.
    DropNullYears,
    /// `max_bad_row_ratio`, `--max-bad-row-ratio` (a gate, not a row filter).
    MaxBadRowRatio,
}

impl Filter {
    /// Every setting, in the order the ingest applies them.
    pub const ALL: [Filter; 5] = [
        Filter::TitleTypes,
        Filter::MinVotes,
        Filter::MinYear,
        Filter::DropNullYears,
        Filter::MaxBadRowRatio,
    ];

    /// The flag, e.g. `--min-votes`.
    pub fn flag(self) -> &'static str {
        match self {
            Filter::TitleTypes => "--title-types",
            Filter::MinVotes => "--min-votes",
            Filter::MinYear => "--min-year",
            Filter::DropNullYears => "--drop-null-years",
            Filter::MaxBadRowRatio => "--max-bad-row-ratio",
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag())
    }
}

/// How raw IMDb rows become the training dataset. Defaults reproduce the original system:
/// movies only, inner join on `tconst`, at least 50 votes, `startYear` null or at least 1900.
///
/// The join is always inner: a [`reelcast_core::MovieRecord`] needs a rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestOptions {
    /// Title types kept from title.basics (default `[movie]`).
    pub title_types: Vec<TitleType>,
    /// Keep titles with at least this many votes (default 50: 50 is kept, 49 is not).
    pub min_votes: u32,
    /// Keep titles released in or after this year (default 1900: 1900 is kept, 1899 is not).
    pub min_year: u16,
    /// Keep titles whose `startYear` is null (default true, as the original did).
    pub keep_null_year: bool,
    /// Largest share of skipped rows per file before ingest fails (default 0.01 = 1%).
    pub max_bad_row_ratio: f64,
    /// Settings asked for explicitly, e.g. by a command-line flag, even where the value
    /// equals the default (default: none; never serialized). A setting is *requested*
    /// when it is listed here or differs from its default; on a processed dataset the
    /// others take the values its manifest records ([`IngestOptions::resolve_against`]).
    #[serde(skip)]
    pub requested: BTreeSet<Filter>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            title_types: vec![TitleType::Movie],
            min_votes: 50,
            min_year: 1900,
            keep_null_year: true,
            max_bad_row_ratio: 0.01,
            requested: BTreeSet::new(),
        }
    }
}

impl IngestOptions {
    /// Checks the options.
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] for an empty `title_types` or a ratio outside 0..=1.
    pub fn check(&self) -> Result<()> {
        if self.title_types.is_empty() {
            return Err(Error::InvalidOptions {
                option: "title_types",
                message: "is empty; name at least one title type, e.g. movie".to_owned(),
            });
        }
        if !(0.0..=1.0).contains(&self.max_bad_row_ratio) {
            return Err(Error::InvalidOptions {
                option: "max_bad_row_ratio",
                message: format!("{} is outside 0..=1", self.max_bad_row_ratio),
            });
        }
        Ok(())
    }

    /// True when a title of type `title_type` passes the title-type filter.
    pub fn keeps_title_type(&self, title_type: TitleType) -> bool {
        self.title_types.contains(&title_type)
    }

    /// The kept title type spelled `raw` (a title.basics `titleType` field's bytes), or
    /// `None` when the row's type is not kept: the title-type filter as ingest runs it on
    /// every raw row, before decoding (most rows are not movies).
    pub fn title_type_kept(&self, raw: &[u8]) -> Option<TitleType> {
        self.title_types
            .iter()
            .copied()
            .find(|t| t.name().as_bytes() == raw)
    }

    /// True when a title with `votes` votes passes the votes filter (`>= min_votes`).
    pub fn keeps_votes(&self, votes: Votes) -> bool {
        votes.get() >= self.min_votes
    }

    /// True when a title released in `year` (None = unknown) passes the year filter.
    pub fn keeps_year(&self, year: Option<u16>) -> bool {
        match year {
            Some(y) => y >= self.min_year,
            None => self.keep_null_year,
        }
    }

    /// True when `movie` passes every filter: title type, votes and year.
    pub fn keeps(&self, movie: &MovieRecord) -> bool {
        self.keeps_title_type(movie.title_type)
            && self.keeps_votes(movie.votes)
            && self.keeps_year(movie.start_year.map(|y| y.get()))
    }

    /// True when `filter` was asked for: listed in [`IngestOptions::requested`], or set to
    /// a value other than its default (e.g. by a config file or the environment).
    pub fn is_requested(&self, filter: Filter) -> bool {
        let default = Self::default();
        self.requested.contains(&filter)
            || match filter {
                Filter::TitleTypes => type_set(&self.title_types) != type_set(&default.title_types),
                Filter::MinVotes => self.min_votes != default.min_votes,
                Filter::MinYear => self.min_year != default.min_year,
                Filter::DropNullYears => self.keep_null_year != default.keep_null_year,
                Filter::MaxBadRowRatio => self.max_bad_row_ratio != default.max_bad_row_ratio,
            }
    }

    /// The options a dataset ingested with `ingested` is read with when these are asked
    /// for: each [requested](IngestOptions::is_requested) setting, the others
    /// `ingested`'s, with nothing marked requested. A requested row filter must be at
    /// least as strict as `ingested`'s (at least its `min_votes` and `min_year`, a subset
    /// of its `title_types`, null years dropped if it dropped them), since the rows a
    /// looser one would add are not in the dataset; `max_bad_row_ratio` may take any
    /// value (the gate is checked again on the recorded counts).
    ///
    /// # Errors
    /// [`Error::LooserFilter`] for the first requested filter looser than `ingested`'s;
    /// [`Error::InvalidOptions`] as [`IngestOptions::check`].
    pub fn resolve_against(&self, ingested: &IngestOptions) -> Result<IngestOptions> {
        let mut resolved = IngestOptions {
            requested: BTreeSet::new(),
            ..ingested.clone()
        };
        for filter in Filter::ALL {
            if !self.is_requested(filter) {
                continue;
            }
            let looser = match filter {
                Filter::TitleTypes => {
                    !type_set(&self.title_types).is_subset(&type_set(&ingested.title_types))
                }
                Filter::MinVotes => self.min_votes < ingested.min_votes,
                Filter::MinYear => self.min_year < ingested.min_year,
                Filter::DropNullYears => self.keep_null_year && !ingested.keep_null_year,
                Filter::MaxBadRowRatio => false,
            };
            if looser {
                return Err(Error::LooserFilter {
                    filter,
                    requested: self.value_text(filter),
                    ingested: ingested.value_text(filter),
                });
            }
            match filter {
                Filter::TitleTypes => resolved.title_types.clone_from(&self.title_types),
                Filter::MinVotes => resolved.min_votes = self.min_votes,
                Filter::MinYear => resolved.min_year = self.min_year,
                Filter::DropNullYears => resolved.keep_null_year = self.keep_null_year,
                Filter::MaxBadRowRatio => resolved.max_bad_row_ratio = self.max_bad_row_ratio,
            }
        }
        resolved.check()?;
        Ok(resolved)
    }

    /// True when `other` keeps exactly the rows these options keep (`max_bad_row_ratio`
    /// and `requested` aside; title types compared as sets).
    pub fn same_rows_as(&self, other: &IngestOptions) -> bool {
        type_set(&self.title_types) == type_set(&other.title_types)
            && self.min_votes == other.min_votes
            && self.min_year == other.min_year
            && self.keep_null_year == other.keep_null_year
    }

    /// `filter`'s value as its flag takes it, e.g. `movie,tvMovie` or `1000`.
    fn value_text(&self, filter: Filter) -> String {
        match filter {
            Filter::TitleTypes => self
                .title_types
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(","),
            Filter::MinVotes => self.min_votes.to_string(),
            Filter::MinYear => self.min_year.to_string(),
            Filter::DropNullYears => (!self.keep_null_year).to_string(),
            Filter::MaxBadRowRatio => self.max_bad_row_ratio.to_string(),
        }
    }
}

fn type_set(types: &[TitleType]) -> BTreeSet<TitleType> {
    types.iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_original_systems() {
        let o = IngestOptions::default();
        assert_eq!(o.title_types, vec![TitleType::Movie]);
        assert_eq!(
            (o.min_votes, o.min_year, o.keep_null_year),
            (50, 1900, true)
        );
        assert!(o.check().is_ok());
    }

    #[test]
    fn year_filter_edges() {
        let o = IngestOptions::default();
        assert!(!o.keeps_year(Some(1899)));
        assert!(o.keeps_year(Some(1900)));
        assert!(o.keeps_year(None));
    }

    fn movie(title_type: TitleType, votes: u32, year: Option<u16>) -> MovieRecord {
        MovieRecord {
            tconst: reelcast_core::TitleId::parse("tt0012349").unwrap(),
            title_type,
            primary_title: "The Kid".to_owned(),
            original_title: "The Kid".to_owned(),
            is_adult: false,
            start_year: year.map(|y| reelcast_core::Year::new(y).unwrap()),
            end_year: None,
            runtime: None,
            genres: reelcast_core::GenreSet::EMPTY,
            rating: reelcast_core::Rating::new(8.4).unwrap(),
            votes: Votes::new(votes),
            credits: reelcast_core::Credits::default(),
        }
    }

    #[test]
    fn keeps_needs_every_filter_to_pass() {
        let o = IngestOptions::default();
        let cases = [
            ("all pass", movie(TitleType::Movie, 50, Some(1900)), true),
            ("null year kept", movie(TitleType::Movie, 50, None), true),
            ("49 votes", movie(TitleType::Movie, 49, Some(1921)), false),
            ("1899", movie(TitleType::Movie, 40584, Some(1899)), false),
            ("a short", movie(TitleType::Short, 40584, Some(1921)), false),
        ];
        for (label, m, kept) in cases {
            assert_eq!(o.keeps(&m), kept, "{label}");
        }
    }

    #[test]
    fn title_type_kept_compares_imdb_spelling_bytes() {
        let o = IngestOptions {
            title_types: vec![TitleType::Movie, TitleType::TvMovie],
            ..IngestOptions::default()
        };
        assert_eq!(o.title_type_kept(b"tvMovie"), Some(TitleType::TvMovie));
        assert_eq!(o.title_type_kept(b"movie"), Some(TitleType::Movie));
        assert_eq!(o.title_type_kept(b"tvmovie"), None);
        assert_eq!(o.title_type_kept(b"short"), None);
        assert!(o.keeps_title_type(TitleType::TvMovie) && !o.keeps_title_type(TitleType::Short));
    }

    #[test]
    fn a_setting_is_requested_when_marked_or_away_from_its_default() {
        let mut o = IngestOptions {
            min_votes: 1000,
            ..IngestOptions::default()
        };
        assert!(o.is_requested(Filter::MinVotes), "a non-default value");
        assert!(!o.is_requested(Filter::MinYear), "a default value");
        o.requested.insert(Filter::MinYear);
        assert!(
            o.is_requested(Filter::MinYear),
            "a default value given by a flag"
        );
        let reordered = IngestOptions {
            title_types: vec![TitleType::Movie, TitleType::Movie],
            ..IngestOptions::default()
        };
        assert!(
            !reordered.is_requested(Filter::TitleTypes),
            "the same set of types"
        );
    }

    #[test]
    fn resolving_takes_stricter_requests_and_the_ingests_other_values() {
        let ingested = IngestOptions {
            title_types: vec![TitleType::Movie, TitleType::Short],
            min_votes: 1000,
            min_year: 1950,
            ..IngestOptions::default()
        };
        let asked = IngestOptions {
            title_types: vec![TitleType::Short],
            min_year: 2010,
            keep_null_year: false,
            max_bad_row_ratio: 0.5,
            ..IngestOptions::default()
        };

        let resolved = asked.resolve_against(&ingested).unwrap();

        assert_eq!(resolved.title_types, vec![TitleType::Short]);
        assert_eq!(resolved.min_votes, 1000, "not requested: the ingest's");
        assert_eq!((resolved.min_year, resolved.keep_null_year), (2010, false));
        assert_eq!(resolved.max_bad_row_ratio, 0.5, "a gate, any value");
        assert!(resolved.requested.is_empty());
        let unchanged = IngestOptions::default().resolve_against(&ingested).unwrap();
        assert_eq!(
            unchanged, ingested,
            "nothing requested: the ingest's options"
        );
    }

    #[test]
    fn resolving_refuses_a_looser_request_naming_the_flag_both_values_and_the_fix() {
        let ingested = IngestOptions {
            title_types: vec![TitleType::Movie, TitleType::Short],
            min_votes: 1000,
            min_year: 1950,
            keep_null_year: false,
            ..IngestOptions::default()
        };
        let flagged = |filter: Filter, o: IngestOptions| IngestOptions {
            requested: BTreeSet::from([filter]),
            ..o
        };
        let cases = [
            (
                "votes at the default, given by a flag",
                flagged(Filter::MinVotes, IngestOptions::default()),
                "--min-votes 50 is looser than the 1000 this processed dataset was ingested with, so the titles it would add are not in it; re-ingest the raw files with `reelcast data ingest --min-votes 50`, or read them directly with --imdb-dir",
            ),
            (
                "an earlier year from config",
                IngestOptions {
                    min_year: 1920,
                    ..IngestOptions::default()
                },
                "--min-year 1920 is looser than the 1950 this processed dataset was ingested with, so the titles it would add are not in it; re-ingest the raw files with `reelcast data ingest --min-year 1920`, or read them directly with --imdb-dir",
            ),
            (
                "a type the ingest dropped",
                IngestOptions {
                    title_types: vec![TitleType::Short, TitleType::TvSeries],
                    ..IngestOptions::default()
                },
                "--title-types short,tvSeries is looser than the movie,short this processed dataset was ingested with, so the titles it would add are not in it; re-ingest the raw files with `reelcast data ingest --title-types short,tvSeries`, or read them directly with --imdb-dir",
            ),
            (
                "null years the ingest dropped",
                flagged(Filter::DropNullYears, IngestOptions::default()),
                "--drop-null-years false is looser than the true this processed dataset was ingested with, so the titles it would add are not in it; re-ingest the raw files without --drop-null-years, or read them directly with --imdb-dir",
            ),
        ];
        for (label, asked, message) in cases {
            let err = asked.resolve_against(&ingested).unwrap_err();
            assert!(
                matches!(err, Error::LooserFilter { .. }),
                "{label}: {err:?}"
            );
            assert_eq!(err.to_string(), message, "{label}");
        }
    }

    #[test]
    fn rejects_bad_ratio_and_empty_types() {
        let ratio = IngestOptions {
            max_bad_row_ratio: 1.5,
            ..IngestOptions::default()
        };
        assert_eq!(
            ratio.check().unwrap_err().to_string(),
            "invalid ingest option max_bad_row_ratio: 1.5 is outside 0..=1"
        );
        let types = IngestOptions {
            title_types: vec![],
            ..IngestOptions::default()
        };
        assert!(types.check().is_err());
    }

    #[test]
    fn partial_json_takes_defaults_and_unknown_keys_fail() {
        let o: IngestOptions = serde_json::from_str(r#"{"min_votes": 10}"#).unwrap();
        assert_eq!(o.min_votes, 10);
        assert_eq!(o.min_year, 1900);
        assert!(serde_json::from_str::<IngestOptions>(r#"{"min_vote": 10}"#).is_err());
    }
}
