//! Parsing prediction inputs (JSON objects or CSV rows) into [`MovieInput`], field by field.
//!
//! Accepted fields use the original API's names: `title` (or `primaryTitle`), `startYear`,
//! `runtimeMinutes`, `numVotes`, `genres` (array or IMDb comma string), `titleType`,
//! `isAdult` (bool or 0/1), plus an optional `tconst`/`id` echoed back. Numbers may be JSON
//! numbers or numeric strings; `null`, `""` and `\N` mean missing.

#![expect(
    clippy::wildcard_enum_match_arm,
    reason = "serde_json::Value: every JSON type not named is handled alike"
)]

use reelcast_core::{GenreSet, MovieInput, Runtime, TitleType, Votes, Year};
use serde_json::{Map, Value};

/// A problem with one field of one input row, naming the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    /// The field, API spelling.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// A text field as IMDb's files mean it: empty and `\N` are missing.
pub fn present_text(s: &str) -> Option<&str> {
    (!s.is_empty() && s != "\\N").then_some(s)
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => present_text(s).map(str::to_owned),
        other => Some(other.to_string()),
    }
}

fn field<'a>(obj: &'a Map<String, Value>, names: &[&str]) -> Option<(&'a str, &'a Value)> {
    names
        .iter()
        .find_map(|n| obj.get_key_value(*n).map(|(k, v)| (k.as_str(), v)))
}

fn parse_field<T>(
    obj: &Map<String, Value>,
    names: &[&str],
    problems: &mut Vec<FieldProblem>,
    parse: impl FnOnce(&Value) -> Result<Option<T>, String>,
) -> Option<T> {
    let (name, value) = field(obj, names)?;
    match parse(value) {
        Ok(v) => v,
        Err(message) => {
            problems.push(FieldProblem {
                field: name.to_owned(),
                message,
            });
            None
        }
    }
}

fn parse_genres(value: &Value) -> Result<Option<GenreSet>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => reelcast_core::Genre::parse(s).map_err(|e| e.to_string()),
                other => Err(format!("genre {other} is not a string")),
            })
            .collect::<Result<GenreSet, String>>()
            .map(Some),
        other => match text(other) {
            None => Ok(None),
            Some(s) => GenreSet::parse_imdb(&s)
                .map(Some)
                .map_err(|e| e.to_string()),
        },
    }
}

fn parse_flag(value: &Value) -> Result<Option<bool>, String> {
    match value {
        Value::Bool(b) => Ok(Some(*b)),
        other => match text(other).as_deref() {
            None => Ok(None),
            Some("0") | Some("false") => Ok(Some(false)),
            Some("1") | Some("true") => Ok(Some(true)),
            Some(s) => Err(format!("isAdult {s:?} is not 0, 1, true or false")),
        },
    }
}

/// Converts one JSON object into an optional id and a [`MovieInput`], or every field
/// problem found in it.
pub fn movie_from_json(
    obj: &Map<String, Value>,
) -> Result<(Option<String>, MovieInput), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let p = &mut problems;
    let id = field(obj, &["tconst", "id"]).and_then(|(_, v)| text(v));
    let input = MovieInput {
        title: parse_field(obj, &["title", "primaryTitle"], p, |v| Ok(text(v))),
        start_year: parse_field(obj, &["startYear"], p, |v| {
            text(v)
                .map(|s| Year::parse("startYear", &s))
                .transpose()
                .map_err(|e| e.to_string())
        }),
        runtime: parse_field(obj, &["runtimeMinutes"], p, |v| {
            text(v)
                .map(|s| Runtime::parse(&s))
                .transpose()
                .map_err(|e| e.to_string())
        }),
        votes: parse_field(obj, &["numVotes"], p, |v| {
            text(v)
                .map(|s| Votes::parse(&s))
                .transpose()
                .map_err(|e| e.to_string())
        }),
        genres: parse_field(obj, &["genres"], p, parse_genres),
        title_type: parse_field(obj, &["titleType"], p, |v| {
            text(v)
                .map(|s| TitleType::parse(&s))
                .transpose()
                .map_err(|e| e.to_string())
        }),
        is_adult: parse_field(obj, &["isAdult"], p, parse_flag),
    };
    if problems.is_empty() {
        Ok((id, input))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn accepts_numbers_strings_arrays_and_nulls() {
        let (id, m) = movie_from_json(&obj(serde_json::json!({
            "tconst": "tt0012349", "title": "The Kid", "startYear": 1921, "runtimeMinutes": "68",
            "numVotes": 40584, "genres": ["Comedy", "Drama"], "titleType": "movie", "isAdult": 0
        })))
        .unwrap();
        assert_eq!(id.as_deref(), Some("tt0012349"));
        assert_eq!(m.start_year.unwrap().get(), 1921);
        assert_eq!(m.runtime.unwrap().minutes(), 68);
        assert_eq!(m.genres.unwrap().len(), 2);
        assert_eq!(m.is_adult, Some(false));
        let (_, empty) = movie_from_json(&obj(
            serde_json::json!({"startYear": "\\N", "genres": null}),
        ))
        .unwrap();
        assert_eq!(empty, MovieInput::default());
    }

    #[test]
    fn reports_every_bad_field_with_its_rule() {
        let problems = movie_from_json(&obj(serde_json::json!({
            "startYear": "19x5", "numVotes": -3, "genres": "Drama,Comdy"
        })))
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["startYear", "numVotes", "genres"]);
        assert_eq!(
            problems[0].message,
            "startYear \"19x5\" is not a whole number"
        );
    }
}
