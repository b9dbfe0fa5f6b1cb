//! Fitting: learn imputation values and vocabularies from the training split.

use reelcast_core::{Genre, MovieInput, TitleType};
use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use crate::crew::{crew_names, FittedCrew};
use crate::spec::LegacyFeatureSpec;
use crate::{
    reference::ReferenceProfile, transform::title_stats, Error, FeatureSet, FeatureSpec, Result,
    FEATURE_SPEC_VERSION,
};

/// Imputation fallbacks used only when the training split has no value at all for a
/// column (every row `\N`); real IMDb data always has some.
const FALLBACK_YEAR: f32 = 2000.0;
const FALLBACK_RUNTIME: f32 = 90.0;

/// A [`FeatureSpec`] fitted on a training split: everything needed to build feature
/// vectors identically at training and serving time. Serialized into the model bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedFeatures {
    pub(crate) spec: FeatureSpec,
    /// Training median of startYear (imputation value).
    pub(crate) year_median: f32,
    /// Training median of runtimeMinutes (imputation value).
    pub(crate) runtime_median: f32,
    /// Training median of numVotes (imputation value; the contract normally sends it).
    pub(crate) votes_median: f32,
    /// Training medians of title length (chars) and word count.
    pub(crate) title_len_median: f32,
    pub(crate) title_words_median: f32,
    /// Latest startYear in training: "now" for the votes-per-year feature, so the feature
    /// does not drift with the wall clock.
    pub(crate) reference_year: f32,
    /// Title types seen in training, one indicator column each (unseen types get zeros).
    pub(crate) title_types: Vec<TitleType>,
    pub(crate) names: Vec<String>,
    pub(crate) reference: ReferenceProfile,
    /// Crew statistics, when the model uses crew features (their columns come last).
    pub(crate) crew: Option<FittedCrew>,
}

/// [`FittedFeatures`] as bundles of format 1 and 2 stored it (no crew features): read
/// old bundles as basics-only models.
#[derive(Debug, Clone, Deserialize)]
pub struct LegacyFittedFeatures {
    spec: LegacyFeatureSpec,
    year_median: f32,
    runtime_median: f32,
    votes_median: f32,
    title_len_median: f32,
    title_words_median: f32,
    reference_year: f32,
    title_types: Vec<TitleType>,
    names: Vec<String>,
    reference: ReferenceProfile,
}

impl From<LegacyFittedFeatures> for FittedFeatures {
    fn from(old: LegacyFittedFeatures) -> Self {
        Self {
            spec: old.spec.into(),
            year_median: old.year_median,
            runtime_median: old.runtime_median,
            votes_median: old.votes_median,
            title_len_median: old.title_len_median,
            title_words_median: old.title_words_median,
            reference_year: old.reference_year,
            title_types: old.title_types,
            names: old.names,
            reference: old.reference,
            crew: None,
        }
    }
}

fn median(mut values: Vec<f32>) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f32::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

impl FeatureSpec {
    /// Fits the spec on rated training inputs only (never on rows that will be scored):
    /// `targets[i]` is `train[i]`'s rating and `names` maps an nconst to its primaryName.
    /// Crew features are fitted when the spec asks for them and some training row names a
    /// person; build the training matrix with [`FittedFeatures::transform_training`].
    pub fn fit_rated(
        &self,
        train: &[MovieInput],
        targets: &[f32],
        names: &HashMap<String, String>,
    ) -> Result<FittedFeatures> {
        let has_people = train
            .iter()
            .any(|m| !(m.directors.is_empty() && m.writers.is_empty() && m.cast.is_empty()));
        let crew = match self.crew {
            Some(spec) if has_people && targets.len() == train.len() => {
                Some(FittedCrew::fit(spec, train, targets, names))
            }
            _ => None,
        };
        self.fit_with(train, crew)
    }

    /// Fits the spec's non-crew features on training inputs only (crew features need
    /// ratings: see [`FeatureSpec::fit_rated`]).
    pub fn fit(&self, train: &[MovieInput]) -> Result<FittedFeatures> {
        self.fit_with(train, None)
    }

    fn fit_with(&self, train: &[MovieInput], crew: Option<FittedCrew>) -> Result<FittedFeatures> {
        if self.version > FEATURE_SPEC_VERSION {
            return Err(Error::UnsupportedVersion {
                found: self.version,
                supported: FEATURE_SPEC_VERSION,
            });
        }
        if train.is_empty() {
            return Err(Error::EmptyTrainingSet);
        }
        let years: Vec<f32> = train
            .iter()
            .filter_map(|m| m.start_year.map(|y| f32::from(y.get())))
            .collect();
        let reference_year = years.iter().copied().fold(f32::MIN, f32::max);
        let year_median = median(years).unwrap_or(FALLBACK_YEAR);
        let runtime_median = median(
            train
                .iter()
                .filter_map(|m| m.runtime.map(|r| r.minutes() as f32))
                .collect(),
        )
        .unwrap_or(FALLBACK_RUNTIME);
        let votes_median = median(
            train
                .iter()
                .filter_map(|m| m.votes.map(|v| v.get() as f32))
                .collect(),
        )
        .unwrap_or(0.0);
        let titles: Vec<(f32, f32)> = train
            .iter()
            .filter_map(|m| m.title.as_deref().map(title_stats))
            .collect();
        let title_len_median = median(titles.iter().map(|t| t.0).collect()).unwrap_or(0.0);
        let title_words_median = median(titles.iter().map(|t| t.1).collect()).unwrap_or(0.0);
        let mut title_types: Vec<TitleType> = train.iter().filter_map(|m| m.title_type).collect();
        title_types.sort();
        title_types.dedup();

        let mut fitted = FittedFeatures {
            spec: *self,
            year_median,
            runtime_median,
            votes_median,
            title_len_median,
            title_words_median,
            reference_year: if reference_year.is_finite() && reference_year > 0.0 {
                reference_year
            } else {
                year_median
            },
            title_types,
            names: Vec::new(),
            reference: ReferenceProfile::default(),
            crew,
        };
        fitted.names = fitted.build_names();
        fitted.reference = ReferenceProfile::fit(&fitted, train);
        Ok(fitted)
    }
}

impl FittedFeatures {
    fn build_names(&self) -> Vec<String> {
        let mut names = match self.spec.set {
            FeatureSet::Original => ["startYear", "runtimeMinutes", "numVotes"]
                .map(String::from)
                .to_vec(),
            FeatureSet::Full => {
                let mut names: Vec<String> = [
                    "start_year",
                    "start_year_missing",
                    "runtime_minutes",
                    "runtime_missing",
                    "log1p_num_votes",
                    "log1p_votes_per_year",
                    "is_adult",
                    "genre_count",
                    "title_length",
                    "title_word_count",
                ]
                .map(String::from)
                .to_vec();
                names.extend(
                    Genre::ALL
                        .iter()
                        .map(|g| format!("genre_{}", g.name().to_lowercase().replace('-', "_"))),
                );
                names.extend(
                    self.title_types
                        .iter()
                        .map(|t| format!("title_type_{}", t.name())),
                );
                names
            }
        };
        if self.crew.is_some() {
            names.extend(crew_names());
        }
        names
    }

    /// Feature names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of features (columns).
    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// The spec this was fitted from.
    pub fn spec(&self) -> FeatureSpec {
        self.spec
    }

    /// Training medians used for imputation: (startYear, runtimeMinutes, numVotes).
    pub fn imputation_values(&self) -> (f32, f32, f32) {
        (self.year_median, self.runtime_median, self.votes_median)
    }

    /// Reference distributions of the training split, for drift checks.
    pub fn reference(&self) -> &ReferenceProfile {
        &self.reference
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reelcast_core::{Runtime, Votes, Year};

    fn movie(year: Option<u16>, runtime: Option<u32>) -> MovieInput {
        MovieInput {
            start_year: year.map(|y| Year::new(y).unwrap()),
            runtime: runtime.map(|r| Runtime::new(r).unwrap()),
            votes: Some(Votes::new(100)),
            ..Default::default()
        }
    }

    #[test]
    fn medians_come_from_training_rows_with_values_only() {
        let train = [
            movie(Some(1990), Some(100)),
            movie(None, Some(80)),
            movie(Some(2000), None),
            movie(Some(2010), Some(120)),
        ];
        let fitted = FeatureSpec::default().fit(&train).unwrap();
        assert_eq!(fitted.imputation_values(), (2000.0, 100.0, 100.0));
        assert_eq!(fitted.reference_year, 2010.0);
    }

    #[test]
    fn even_count_median_is_the_midpoint() {
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn empty_training_split_is_rejected() {
        assert_eq!(
            FeatureSpec::default().fit(&[]).unwrap_err(),
            Error::EmptyTrainingSet
        );
    }

    #[test]
    fn newer_spec_version_is_rejected_with_upgrade_hint() {
        let spec = FeatureSpec {
            version: FEATURE_SPEC_VERSION + 1,
            ..FeatureSpec::default()
        };
        let err = spec.fit(&[movie(Some(1990), Some(90))]).unwrap_err();
        assert!(err.to_string().contains("upgrade reelcast"));
    }

    #[test]
    fn original_set_has_the_three_raw_columns() {
        let fitted = FeatureSpec::original()
            .fit(&[movie(Some(1990), Some(90))])
            .unwrap();
        assert_eq!(fitted.names(), ["startYear", "runtimeMinutes", "numVotes"]);
    }

    #[test]
    fn genre_columns_use_exact_imdb_vocabulary() {
        let fitted = FeatureSpec::default()
            .fit(&[movie(Some(1990), Some(90))])
            .unwrap();
        let genre_cols: Vec<_> = fitted
            .names()
            .iter()
            .filter(|n| n.starts_with("genre_") && *n != "genre_count")
            .collect();
        assert_eq!(genre_cols.len(), 28);
        assert!(fitted.names().contains(&"genre_sci_fi".to_string()));
        assert!(fitted.names().contains(&"genre_film_noir".to_string()));
    }
}
