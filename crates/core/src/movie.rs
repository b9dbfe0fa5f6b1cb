//! A joined training row and the model's input contract.

use serde::{Deserialize, Serialize};

use crate::{GenreSet, Rating, Runtime, TitleId, TitleType, Votes, Year};

/// One row of the processed dataset: an IMDb title joined with its rating.
///
/// Field order follows `movies_with_ratings.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovieRecord {
    /// `tconst`.
    pub tconst: TitleId,
    /// `titleType`.
    pub title_type: TitleType,
    /// `primaryTitle`.
    pub primary_title: String,
    /// `originalTitle`.
    pub original_title: String,
    /// `isAdult`.
    pub is_adult: bool,
    /// `startYear` (`None` for IMDb's `\N`).
    pub start_year: Option<Year>,
    /// `endYear` (`None` for IMDb's `\N`; set only for series).
    pub end_year: Option<Year>,
    /// `runtimeMinutes` (`None` for IMDb's `\N`).
    pub runtime: Option<Runtime>,
    /// `genres`.
    pub genres: GenreSet,
    /// `averageRating`: the training target.
    pub rating: Rating,
    /// `numVotes`.
    pub votes: Votes,
}

impl MovieRecord {
    /// The part of the record a client can also send: the model's input.
    pub fn input(&self) -> MovieInput {
        MovieInput {
            title: Some(self.primary_title.clone()),
            start_year: self.start_year,
            runtime: self.runtime,
            votes: Some(self.votes),
            genres: Some(self.genres),
            title_type: Some(self.title_type),
            is_adult: Some(self.is_adult),
        }
    }
}

/// The model's input for one movie: the original API's contract (`startYear`,
/// `runtimeMinutes`, `numVotes`, plus optional `title`, `genres`, `titleType`, `isAdult`).
///
/// Every field may be absent; the fitted features impute what is missing exactly as they
/// did in training and say which values were imputed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MovieInput {
    /// Primary title.
    pub title: Option<String>,
    /// Release year.
    pub start_year: Option<Year>,
    /// Runtime in minutes.
    pub runtime: Option<Runtime>,
    /// Number of IMDb votes.
    pub votes: Option<Votes>,
    /// Genres (`None` = unknown, `Some(EMPTY)` = IMDb's `\N`).
    pub genres: Option<GenreSet>,
    /// IMDb title type.
    pub title_type: Option<TitleType>,
    /// Adult flag.
    pub is_adult: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_input_carries_every_contract_field() {
        let rec = MovieRecord {
            tconst: TitleId::parse("tt0012349").unwrap(),
            title_type: TitleType::Movie,
            primary_title: "The Kid".into(),
            original_title: "The Kid".into(),
            is_adult: false,
            start_year: Some(Year::new(1921).unwrap()),
            end_year: None,
            runtime: Some(Runtime::new(68).unwrap()),
            genres: GenreSet::parse_imdb("Comedy,Drama,Family").unwrap(),
            rating: Rating::new(8.4).unwrap(),
            votes: Votes::new(40584),
        };
        let input = rec.input();
        assert_eq!(input.title.as_deref(), Some("The Kid"));
        assert_eq!(input.votes, Some(Votes::new(40584)));
        assert_eq!(input.genres.unwrap().len(), 3);
        assert_eq!(input.is_adult, Some(false));
    }
}
