//! Transforming: one code path from [`MovieInput`] to a feature row, for training and serving.

use reelcast_core::{Genre, MovieInput};
use serde::{Deserialize, Serialize};

use crate::{FeatureSet, FittedFeatures, PeopleResolution};

/// Which inputs were missing and filled in from training statistics for one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imputed {
    /// `startYear` was missing: training median used.
    pub start_year: bool,
    /// `runtimeMinutes` was missing: training median used.
    pub runtime: bool,
    /// `numVotes` was missing: training median used.
    pub num_votes: bool,
    /// `title` was missing: training median length and word count used.
    pub title: bool,
    /// `genres` was missing: no genre assumed.
    pub genres: bool,
    /// `titleType` was missing: no type indicator set.
    pub title_type: bool,
    /// `isAdult` was missing: not adult assumed (the training mode).
    pub is_adult: bool,
}

impl Imputed {
    /// Every input that can be imputed, API spelling, in the order [`Imputed::fields`]
    /// lists them.
    pub const FIELDS: [&'static str; 7] = [
        "startYear",
        "runtimeMinutes",
        "numVotes",
        "title",
        "genres",
        "titleType",
        "isAdult",
    ];

    /// For each of [`Imputed::FIELDS`], in order, whether it was imputed.
    pub fn flags(&self) -> [bool; 7] {
        [
            self.start_year,
            self.runtime,
            self.num_votes,
            self.title,
            self.genres,
            self.title_type,
            self.is_adult,
        ]
    }

    /// Names (API spelling) of the imputed inputs, e.g. `["runtimeMinutes", "genres"]`.
    pub fn fields(&self) -> Vec<&'static str> {
        Self::FIELDS
            .into_iter()
            .zip(self.flags())
            .filter_map(|(name, set)| set.then_some(name))
            .collect()
    }

    /// True when nothing was imputed.
    pub fn is_empty(&self) -> bool {
        !self.flags().contains(&true)
    }
}

/// Title length in characters and word count.
pub(crate) fn title_stats(title: &str) -> (f32, f32) {
    (
        title.chars().count() as f32,
        title.split_whitespace().count() as f32,
    )
}

impl FittedFeatures {
    /// Appends this row's [`width`](Self::width) features to `out` and reports what was
    /// imputed. Allocation-free when `out` has capacity and the input names nobody.
    pub fn transform(&self, input: &MovieInput, out: &mut Vec<f32>) -> Imputed {
        self.row(input, out, None)
    }

    /// [`FittedFeatures::transform`], also returning how each person string of `input`
    /// resolved through the people table (empty when the model has no crew features):
    /// one resolution serves both the crew columns and the `people` answer.
    pub fn transform_with_people(
        &self,
        input: &MovieInput,
        out: &mut Vec<f32>,
    ) -> (Imputed, PeopleResolution) {
        let mut people = PeopleResolution::default();
        let imputed = self.row(input, out, Some(&mut people));
        (imputed, people)
    }

    /// The row of [`FittedFeatures::transform`], recording the people's resolution in
    /// `people` when given.
    fn row(
        &self,
        input: &MovieInput,
        out: &mut Vec<f32>,
        people: Option<&mut PeopleResolution>,
    ) -> Imputed {
        let mut imputed = Imputed {
            start_year: input.start_year.is_none(),
            runtime: input.runtime.is_none(),
            num_votes: input.votes.is_none(),
            ..Imputed::default()
        };
        let year = input
            .start_year
            .map_or(self.year_median, |y| f32::from(y.get()));
        let runtime = input
            .runtime
            .map_or(self.runtime_median, |r| r.minutes() as f32);
        let votes = input.votes.map_or(self.votes_median, |v| v.get() as f32);

        match self.spec.set {
            FeatureSet::Original => out.extend_from_slice(&[year, runtime, votes]),
            FeatureSet::Full => {
                imputed.title = input.title.is_none();
                imputed.genres = input.genres.is_none();
                imputed.title_type = input.title_type.is_none();
                imputed.is_adult = input.is_adult.is_none();
                let genres = input.genres.unwrap_or_default();
                let (title_len, title_words) = input.title.as_deref().map_or(
                    (self.title_len_median, self.title_words_median),
                    title_stats,
                );
                // Votes accumulate with age: normalising by years on release separates a
                // popular new film from an old one with the same count.
                let years_out = (self.reference_year - year + 1.0).max(1.0);
                let votes = f64::from(votes);
                out.extend_from_slice(&[
                    year,
                    f32::from(u8::from(input.start_year.is_none())),
                    runtime,
                    f32::from(u8::from(input.runtime.is_none())),
                    votes.ln_1p() as f32,
                    (votes / f64::from(years_out)).ln_1p() as f32,
                    f32::from(u8::from(input.is_adult.unwrap_or(false))),
                    genres.len() as f32,
                    title_len,
                    title_words,
                ]);
                out.extend(
                    Genre::ALL
                        .iter()
                        .map(|g| f32::from(u8::from(genres.contains(*g)))),
                );
                out.extend(
                    self.title_types
                        .iter()
                        .map(|t| f32::from(u8::from(input.title_type == Some(*t)))),
                );
            }
        }
        if let Some(crew) = &self.crew {
            crew.transform(input, out, people);
        }
        imputed
    }

    /// Row-major feature matrix for many inputs (`inputs.len() * width()` values).
    pub fn transform_batch(&self, inputs: &[MovieInput]) -> Vec<f32> {
        let mut out = Vec::with_capacity(inputs.len() * self.width());
        for input in inputs {
            self.transform(input, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::FeatureSpec;
    use reelcast_core::{GenreSet, Runtime, TitleType, Votes, Year};

    use super::*;

    fn kid() -> MovieInput {
        MovieInput {
            title: Some("The Kid".into()),
            start_year: Some(Year::new(1921).unwrap()),
            runtime: Some(Runtime::new(68).unwrap()),
            votes: Some(Votes::new(40584)),
            genres: Some(GenreSet::parse_imdb("Comedy,Drama,Family").unwrap()),
            title_type: Some(TitleType::Movie),
            is_adult: Some(false),
            ..MovieInput::default()
        }
    }

    fn value(f: &FittedFeatures, row: &[f32], name: &str) -> f32 {
        row[f.names().iter().position(|n| n == name).unwrap()]
    }

    #[test]
    fn full_row_has_expected_values() {
        let f = FeatureSpec::default().fit(&[kid()]).unwrap();
        let mut row = Vec::new();
        let imputed = f.transform(&kid(), &mut row);
        assert!(imputed.is_empty());
        assert_eq!(row.len(), f.width());
        assert_eq!(value(&f, &row, "start_year"), 1921.0);
        assert_eq!(value(&f, &row, "runtime_missing"), 0.0);
        assert!((value(&f, &row, "log1p_num_votes") - (40585f32).ln()).abs() < 1e-5);
        assert_eq!(value(&f, &row, "genre_count"), 3.0);
        assert_eq!(value(&f, &row, "genre_comedy"), 1.0);
        assert_eq!(value(&f, &row, "genre_music"), 0.0);
        assert_eq!(value(&f, &row, "title_length"), 7.0);
        assert_eq!(value(&f, &row, "title_word_count"), 2.0);
        assert_eq!(value(&f, &row, "title_type_movie"), 1.0);
    }

    #[test]
    fn missing_inputs_are_imputed_with_training_medians_and_flagged() {
        let mut other = kid();
        other.start_year = Some(Year::new(2001).unwrap());
        other.runtime = Some(Runtime::new(100).unwrap());
        other.title = Some("A Much Longer Title".into());
        let f = FeatureSpec::default()
            .fit(&[kid(), other.clone(), other])
            .unwrap();
        let mut row = Vec::new();
        let imputed = f.transform(&MovieInput::default(), &mut row);
        assert_eq!(
            imputed.fields(),
            [
                "startYear",
                "runtimeMinutes",
                "numVotes",
                "title",
                "genres",
                "titleType",
                "isAdult"
            ]
        );
        assert_eq!(value(&f, &row, "start_year"), 2001.0);
        assert_eq!(value(&f, &row, "start_year_missing"), 1.0);
        assert_eq!(value(&f, &row, "runtime_minutes"), 100.0);
        assert_eq!(value(&f, &row, "title_length"), 19.0);
        assert_eq!(value(&f, &row, "genre_count"), 0.0);
    }

    #[test]
    fn votes_per_year_uses_the_training_reference_year_not_the_clock() {
        let mut new = kid();
        new.start_year = Some(Year::new(2011).unwrap());
        let f = FeatureSpec::default().fit(&[kid(), new.clone()]).unwrap();
        let mut row = Vec::new();
        f.transform(&kid(), &mut row);
        let expected = (40584f64 / 91.0).ln_1p() as f32;
        assert!((value(&f, &row, "log1p_votes_per_year") - expected).abs() < 1e-6);
    }

    #[test]
    fn unseen_title_type_sets_no_indicator() {
        let f = FeatureSpec::default().fit(&[kid()]).unwrap();
        let mut tv = kid();
        tv.title_type = Some(TitleType::TvMovie);
        let mut row = Vec::new();
        f.transform(&tv, &mut row);
        assert_eq!(value(&f, &row, "title_type_movie"), 0.0);
        assert_eq!(row.len(), f.width());
    }

    #[test]
    fn batch_equals_single_rows_and_survives_serialization() {
        let f = FeatureSpec::default().fit(&[kid()]).unwrap();
        let inputs = [kid(), MovieInput::default()];
        let batch = f.transform_batch(&inputs);
        let restored: FittedFeatures =
            serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        let mut single = Vec::new();
        for i in &inputs {
            restored.transform(i, &mut single);
        }
        assert_eq!(batch, single);
    }
}
