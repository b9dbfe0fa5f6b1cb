//! Ingest options. The defaults are the original system's choices.

use reelcast_core::TitleType;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

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
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            title_types: vec![TitleType::Movie],
            min_votes: 50,
            min_year: 1900,
            keep_null_year: true,
            max_bad_row_ratio: 0.01,
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

    /// True when a title released in `year` (None = unknown) passes the year filter.
    pub fn keeps_year(&self, year: Option<u16>) -> bool {
        match year {
            Some(y) => y >= self.min_year,
            None => self.keep_null_year,
        }
    }
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
