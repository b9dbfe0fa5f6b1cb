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
    /// Who made the film, from `title.crew`, `title.principals` and `name.basics`; empty
    /// when the data has no crew files. Not a column of `movies_with_ratings.csv`.
    #[serde(default)]
    pub credits: Credits,
}

/// One credited person: IMDb's `nconst` (`nm` + digits) and, when `name.basics` lists
/// them, their `primaryName`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// IMDb person id, e.g. `nm0000229`.
    pub nconst: String,
    /// `primaryName`, when known.
    pub name: Option<String>,
}

/// The people credited on a film, by role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credits {
    /// Directors, in `title.crew` order.
    pub directors: Vec<Person>,
    /// Writers, in `title.crew` order.
    pub writers: Vec<Person>,
    /// Cast (principals of category actor, actress or self), in billing (`ordering`) order.
    pub cast: Vec<Person>,
}

impl Person {
    /// Longest person id or name a request may give, in characters.
    pub const MAX_CHARS: usize = 200;
}

impl Credits {
    /// Most people a request may give per role.
    pub const MAX_PER_ROLE: usize = 20;

    /// True when no person is credited in any role.
    pub fn is_empty(&self) -> bool {
        self.directors.is_empty() && self.writers.is_empty() && self.cast.is_empty()
    }
}

fn nconsts(people: &[Person]) -> Vec<String> {
    people.iter().map(|p| p.nconst.clone()).collect()
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
            directors: nconsts(&self.credits.directors),
            writers: nconsts(&self.credits.writers),
            cast: nconsts(&self.credits.cast),
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
    /// Directors: IMDb person ids (`nm` + digits) or names, resolved through the model's
    /// people table. Empty = not given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directors: Vec<String>,
    /// Writers, as for `directors`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writers: Vec<String>,
    /// Cast in billing order (top-billed first), as for `directors`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cast: Vec<String>,
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
            credits: Credits {
                directors: vec![Person {
                    nconst: "nm0000122".into(),
                    name: Some("Charles Chaplin".into()),
                }],
                ..Credits::default()
            },
        };
        let input = rec.input();
        assert_eq!(input.title.as_deref(), Some("The Kid"));
        assert_eq!(input.votes, Some(Votes::new(40584)));
        assert_eq!(input.genres.unwrap().len(), 3);
        assert_eq!(input.is_adult, Some(false));
        assert_eq!(input.directors, ["nm0000122"]);
        assert!(input.cast.is_empty());
    }
}
