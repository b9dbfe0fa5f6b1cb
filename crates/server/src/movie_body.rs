//! [`MovieBody`]: a movie request read in place, and the API's rules for turning one into
//! a [`MovieInput`].
//!
//! `POST /predict/movie` deserializes its body straight into a [`MovieBody`]: the texts
//! borrow from the body (copied only when they hold escapes) and the genres are looked
//! up in IMDb's vocabulary as they are read, so a request allocates nothing for them.
//! The owned [`MovieRequest`] (batches, feedback, the documented schema) is checked
//! through the same view, [`MovieRequest::body`].

use std::borrow::Cow;

use reelcast_core::{Genre, GenreSet, MovieInput, Runtime, TitleType, Votes, Year};
use reelcast_pipeline::{present_text, FieldProblem};
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use crate::dto::{GenresField, MovieRequest};

/// Earliest accepted `startYear` (the first films).
pub(crate) const MIN_YEAR: i64 = 1874;
/// Years past the current one that `startYear` may reach (announced titles).
pub(crate) const YEARS_AHEAD: i64 = 10;
/// Accepted `runtimeMinutes`.
pub(crate) const RUNTIME_RANGE: std::ops::RangeInclusive<i64> = 1..=1500;
/// Accepted `numVotes`.
pub(crate) const VOTES_RANGE: std::ops::RangeInclusive<i64> = 0..=1_000_000_000;
/// Longest accepted `title`, in characters.
pub(crate) const MAX_TITLE_CHARS: usize = 500;

/// A [`MovieRequest`] borrowing its texts: the same fields, accepting the same JSON.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MovieBody<'a> {
    /// Primary title.
    #[serde(borrow)]
    pub title: Option<Text<'a>>,
    /// Release year.
    pub start_year: i64,
    /// Runtime in minutes.
    pub runtime_minutes: i64,
    /// IMDb votes.
    pub num_votes: i64,
    /// Genres, already looked up.
    pub genres: Option<Genres>,
    /// IMDb title type.
    #[serde(borrow)]
    pub title_type: Option<Text<'a>>,
    /// Adult title flag.
    pub is_adult: Option<bool>,
}

/// A JSON string, borrowed from the body unless it holds escapes. (serde's own
/// `Option<Cow<str>>` always copies.)
#[derive(Debug)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Borrowing;

        impl<'de> Visitor<'de> for Borrowing {
            type Value = Text<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                text: &'de str,
            ) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }

        deserializer.deserialize_str(Borrowing)
    }
}

/// `genres` looked up in IMDb's vocabulary: the set, `None` for IMDb's empty string or
/// `\N`, or the first unknown genre (reported with the request's other problems).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Genres(Result<Option<GenreSet>, reelcast_core::Error>);

impl Genres {
    /// IMDb's comma-separated form.
    pub(crate) fn imdb(text: &str) -> Self {
        Self(present_text(text).map(GenreSet::parse_imdb).transpose())
    }
}

/// A list of genre names looked up one by one as they are read: the genres found, and
/// the first unknown name (which is the list's error). Every reader of a list (the owned
/// request, serde's visitor, [`crate::movie_scan`]) goes through it.
#[derive(Debug, Default)]
pub(crate) struct GenreList {
    set: GenreSet,
    first_error: Option<reelcast_core::Error>,
}

impl GenreList {
    /// Adds one looked-up name.
    pub(crate) fn push(&mut self, genre: reelcast_core::Result<Genre>) {
        match genre {
            Ok(genre) => self.set.insert(genre),
            Err(e) => {
                self.first_error.get_or_insert(e);
            }
        }
    }

    /// The genres, or the first unknown name's error.
    pub(crate) fn finish(self) -> Genres {
        Genres(self.first_error.map_or(Ok(Some(self.set)), Err))
    }
}

impl From<&GenresField> for Genres {
    fn from(field: &GenresField) -> Self {
        match field {
            GenresField::List(names) => {
                let mut list = GenreList::default();
                for name in names {
                    list.push(Genre::parse(name));
                }
                list.finish()
            }
            GenresField::Imdb(text) => Self::imdb(text),
        }
    }
}

/// A list's names are looked up one by one as they are read, never collected; like
/// [`GenresField`], a string is IMDb's comma-separated form.
impl<'de> Deserialize<'de> for Genres {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LookedUp;

        impl<'de> Visitor<'de> for LookedUp {
            type Value = Genres;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of genre names or IMDb's comma-separated string")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Genres, E> {
                Ok(Genres::imdb(text))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Genres, A::Error> {
                // Every element is read (a later non-string is still a type error); the
                // first unknown name is kept.
                let mut list = GenreList::default();
                while let Some(GenreName(genre)) = seq.next_element()? {
                    list.push(genre);
                }
                Ok(list.finish())
            }
        }

        deserializer.deserialize_any(LookedUp)
    }
}

/// One name of a genre list, looked up.
struct GenreName(reelcast_core::Result<Genre>);

impl<'de> Deserialize<'de> for GenreName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;

        impl Visitor<'_> for Name {
            type Value = GenreName;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<GenreName, E> {
                Ok(GenreName(Genre::parse(name)))
            }
        }

        deserializer.deserialize_str(Name)
    }
}

impl MovieRequest {
    /// The request as a [`MovieBody`] (for its checks and conversion).
    pub(crate) fn body(&self) -> MovieBody<'_> {
        fn text(t: &Option<String>) -> Option<Text<'_>> {
            t.as_deref().map(|t| Text(Cow::Borrowed(t)))
        }
        MovieBody {
            title: text(&self.title),
            start_year: self.start_year,
            runtime_minutes: self.runtime_minutes,
            num_votes: self.num_votes,
            genres: self.genres.as_ref().map(Genres::from),
            title_type: text(&self.title_type),
            is_adult: self.is_adult,
        }
    }
}

fn problem(field: &str, message: String) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message,
    }
}

fn current_year() -> i64 {
    i64::from(time::OffsetDateTime::now_utc().year())
}

impl MovieBody<'_> {
    /// The request's title, as sent.
    pub(crate) fn title(&self) -> Option<&str> {
        self.title.as_ref().map(|t| &*t.0)
    }

    fn title_type(&self) -> Option<&str> {
        self.title_type.as_ref().map(|t| &*t.0)
    }

    /// The API's bounds, stricter than the core types' (which also accept IMDb's data).
    fn bound_problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let max_year = current_year() + YEARS_AHEAD;
        if !(MIN_YEAR..=max_year).contains(&self.start_year) {
            let msg = format!(
                "startYear {} is not between {MIN_YEAR} and {max_year}",
                self.start_year
            );
            problems.push(problem("startYear", msg));
        }
        if !RUNTIME_RANGE.contains(&self.runtime_minutes) {
            let msg = format!(
                "runtimeMinutes {} is not between 1 and 1500",
                self.runtime_minutes
            );
            problems.push(problem("runtimeMinutes", msg));
        }
        if !VOTES_RANGE.contains(&self.num_votes) {
            let msg = format!(
                "numVotes {} is not between 0 and 1000000000",
                self.num_votes
            );
            problems.push(problem("numVotes", msg));
        }
        if let Some(n) = self.title().map(|t| t.chars().count()) {
            if n > MAX_TITLE_CHARS {
                let msg = format!("title has {n} characters; the limit is {MAX_TITLE_CHARS}");
                problems.push(problem("title", msg));
            }
        }
        problems
    }
}

impl TryFrom<&MovieBody<'_>> for MovieInput {
    type Error = Vec<FieldProblem>;

    /// Checks the API bounds, then builds the typed input with the core types' own rules
    /// (IMDb's genre vocabulary, title types), reporting every problem. The same rules as
    /// [`reelcast_pipeline::movie_from_json`] for files, without going back through JSON.
    fn try_from(req: &MovieBody<'_>) -> Result<Self, Self::Error> {
        let mut problems = req.bound_problems();
        let mut check = |field: &str, result: Result<(), String>| {
            if let Err(message) = result {
                problems.push(problem(field, message));
            }
        };
        let mut input = MovieInput {
            title: req.title().and_then(present_text).map(str::to_owned),
            is_adult: req.is_adult,
            ..MovieInput::default()
        };
        // Within the API bounds (checked above) the core constructors cannot fail; an
        // out-of-bounds value is already reported and stays missing here.
        input.start_year = u16::try_from(req.start_year)
            .ok()
            .and_then(|y| Year::new(y).ok());
        input.runtime = u32::try_from(req.runtime_minutes)
            .ok()
            .and_then(|m| Runtime::new(m).ok());
        input.votes = u32::try_from(req.num_votes).ok().map(Votes::new);
        let genres = req.genres.clone().map_or(Ok(None), |Genres(g)| g);
        check(
            "genres",
            genres.map(|g| input.genres = g).map_err(|e| e.to_string()),
        );
        if let Some(raw) = req.title_type().and_then(present_text) {
            let title_type = TitleType::parse(raw).map(|t| input.title_type = Some(t));
            check("titleType", title_type.map_err(|e| e.to_string()));
        }
        if problems.is_empty() {
            Ok(input)
        } else {
            Err(problems)
        }
    }
}

impl TryFrom<&MovieRequest> for MovieInput {
    type Error = Vec<FieldProblem>;

    /// Checks the API bounds, then builds the typed input with the core types' own rules
    /// (IMDb's genre vocabulary, title types), reporting every problem: the rules of
    /// `POST /predict/movie`, and of [`reelcast_pipeline::movie_from_json`] for files.
    fn try_from(req: &MovieRequest) -> Result<Self, Self::Error> {
        MovieInput::try_from(&req.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read in place or owned, a body is accepted or rejected alike and converts alike.
    #[test]
    fn the_body_reads_like_the_owned_request() {
        let base = r#""startYear":1921,"runtimeMinutes":68,"numVotes":40584"#;
        let bodies = [
            format!(
                r#"{{"title":"The Kid",{base},"genres":["Comedy","Drama"],"titleType":"movie","isAdult":false}}"#
            ),
            format!(r#"{{"title":"Am\u00e9lie \"x\"",{base},"genres":"Comedy,Drama"}}"#),
            format!(r#"{{"title":"\\N",{base},"genres":"\\N","titleType":""}}"#),
            format!(r#"{{"title":null,{base},"genres":null,"titleType":null,"isAdult":null}}"#),
            format!(r#"{{{base},"genres":[],"titleType":"tv\u004dovie","extra":[1,{{}}]}}"#),
            format!(r#"{{{base},"genres":["Comdy","Drama","Dramma"],"titleType":"feature"}}"#),
            format!(
                r#"{{{base},"genres":[" Drama ","Sci-Fi"],"title":"{}"}}"#,
                "x".repeat(501)
            ),
            format!(r#"{{{base},"genres":"Horror, Thriller,Nope"}}"#),
            format!(r#"{{{base},"genres":["Comdy",1]}}"#),
            format!(r#"{{{base},"genres":[null]}}"#),
            format!(r#"{{{base},"genres":{{}}}}"#),
            format!(r#"{{{base},"title":1}}"#),
            format!(r#"{{{base},"titleType":["movie"]}}"#),
            format!(r#"{{{base},"title":"a","title":"b"}}"#),
            format!(r#"{{{base},"isAdult":"no"}}"#),
            r#"{"startYear":1921,"runtimeMinutes":68}"#.to_owned(),
            r#"{"startYear":1873,"runtimeMinutes":0,"numVotes":-1}"#.to_owned(),
            r#"{"startYear":1921.5,"runtimeMinutes":68,"numVotes":1}"#.to_owned(),
            "[1921,68,40584]".to_owned(),
        ];
        for json in &bodies {
            let owned = serde_json::from_str::<MovieRequest>(json);
            let body = serde_json::from_str::<MovieBody<'_>>(json);
            assert_eq!(owned.is_ok(), body.is_ok(), "{json}: {owned:?} {body:?}");
            if let (Ok(owned), Ok(body)) = (owned, body) {
                assert_eq!(owned.title.as_deref(), body.title(), "{json}");
                assert_eq!(
                    MovieInput::try_from(&owned),
                    MovieInput::try_from(&body),
                    "{json}"
                );
            }
        }
    }

    #[test]
    fn unescaped_texts_are_borrowed() {
        let json = r#"{"title":"The Kid","startYear":1921,"runtimeMinutes":68,"numVotes":1,"titleType":"mo\u0076ie"}"#;
        let body: MovieBody<'_> = serde_json::from_str(json).unwrap();
        assert!(matches!(body.title, Some(Text(Cow::Borrowed("The Kid")))));
        assert!(matches!(body.title_type, Some(Text(Cow::Owned(ref t))) if t == "movie"));
    }
}
