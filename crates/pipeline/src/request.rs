//! [`MovieRequest`]: one movie as a client sends it, over HTTP or in a file, and its one
//! conversion into the model's [`MovieInput`].
//!
//! Every reader of a movie goes through this type: the API's `POST /predict/movie`, the
//! items of `POST /predict/batch` and `POST /feedback`, the movie part of `POST /predict`
//! (with `#[serde(flatten)]`), and `reelcast predict`'s files and flags. The fields stay
//! raw JSON until [`MovieInput::try_from`] checks them all at once, so a request with
//! several problems hears about every one of them, each naming the field and the rule,
//! and the same movie gives the same answer, or the same error, whichever way it came.
//!
//! The rules, with the bounds of the core types:
//! - `startYear`, `runtimeMinutes`, `numVotes` are required whole numbers (a JSON number
//!   such as `1994` or `1994.0`, or a string holding one, as in a CSV file) within
//!   [`Year`], [`Runtime`] and [`Votes`]'s ranges;
//! - `title` is a string of at most [`MAX_TITLE_CHARS`] characters;
//! - `genres` is a list of IMDb genre names or IMDb's comma-separated string;
//! - `titleType` is one of IMDb's title types; `isAdult` is a boolean, `0` or `1`;
//! - `null`, `""` and IMDb's `\N` mean "not given" for the optional fields;
//! - any other key is refused, naming it and listing the accepted ones.

#![expect(
    clippy::wildcard_enum_match_arm,
    reason = "serde_json::Value: every JSON type not named is refused alike"
)]

use reelcast_core::{
    Credits, Genre, GenreSet, MovieInput, Person, Runtime, TitleType, Votes, Year, MAX_TITLE_CHARS,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::ToSchema;

/// A problem with one field of one input, naming the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The field, API spelling.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl FieldProblem {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A text field as IMDb's files mean it: empty and `\N` are missing.
pub fn present_text(s: &str) -> Option<&str> {
    (!s.is_empty() && s != "\\N").then_some(s)
}

/// One movie to score, as a client sends it. `startYear`, `runtimeMinutes` and `numVotes`
/// are required; missing optional fields are imputed as in training. Unknown keys are
/// refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", expecting = "a JSON object of movie fields")]
#[schema(example = json!({"title": "The Kid", "startYear": 1921, "runtimeMinutes": 68,
    "numVotes": 40584, "genres": ["Comedy", "Drama"], "titleType": "movie", "isAdult": false}))]
pub struct MovieRequest {
    /// Primary title, at most 500 characters.
    #[schema(value_type = Option<String>, max_length = 500)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Value>,
    /// Release year, 1874 to 2100.
    #[schema(value_type = i64, required = true, minimum = 1874, maximum = 2100)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_year: Option<Value>,
    /// Runtime in whole minutes, 1 to 60000.
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 60000)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_minutes: Option<Value>,
    /// IMDb votes, 0 to 4294967295.
    #[schema(value_type = i64, required = true, minimum = 0, maximum = 4294967295.0)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_votes: Option<Value>,
    /// Genres from IMDb's vocabulary: a list, or IMDb's comma-separated string.
    #[schema(schema_with = genres_schema)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genres: Option<Value>,
    /// IMDb title type, e.g. `movie`, `tvMovie`.
    #[schema(schema_with = title_type_schema)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_type: Option<Value>,
    /// Adult title flag.
    #[schema(value_type = Option<bool>)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_adult: Option<Value>,
    /// Directors: IMDb person ids (`nm` + digits) or names, at most 20 of at most 200
    /// characters; resolved through the model's people table.
    #[schema(schema_with = directors_schema)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directors: Option<Value>,
    /// Writers, as for `directors`.
    #[schema(schema_with = writers_schema)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writers: Option<Value>,
    /// Cast in billing order (top-billed first), as for `directors`.
    #[schema(schema_with = cast_schema)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cast: Option<Value>,
    /// Keys that are not movie fields: each is refused with the list of accepted ones.
    #[schema(ignore)]
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

impl MovieRequest {
    /// The accepted keys, in the order problems are reported.
    pub const FIELDS: [&'static str; 10] = [
        "title",
        "startYear",
        "runtimeMinutes",
        "numVotes",
        "genres",
        "titleType",
        "isAdult",
        "directors",
        "writers",
        "cast",
    ];

    /// The required keys.
    pub const REQUIRED: [&'static str; 3] = ["startYear", "runtimeMinutes", "numVotes"];

    /// Reads one movie from a JSON value (a file row); `field` names where it came from,
    /// for the problem when the value is not an object of movie fields.
    pub fn from_value(value: Value, field: &str) -> Result<Self, FieldProblem> {
        serde_json::from_value(value).map_err(|e| unreadable(field, &e))
    }

    /// Reads one movie from its JSON text (a batch item); `field` names the list it came
    /// from. Reading the text directly spares the batch a `Value` tree per movie.
    pub fn from_json(json: &RawValue, field: &str) -> Result<Self, FieldProblem> {
        serde_json::from_str(json.get()).map_err(|e| unreadable(field, &e))
    }

    /// The title as sent, when it is text.
    pub fn title(&self) -> Option<&str> {
        self.title.as_ref().and_then(Value::as_str)
    }

    /// The required fields that are not given (`POST /predict` predicts a rating only
    /// when none is missing).
    pub fn missing_required(&self) -> Vec<&'static str> {
        let values = [&self.start_year, &self.runtime_minutes, &self.num_votes];
        Self::REQUIRED
            .into_iter()
            .zip(values)
            .filter_map(|(name, value)| given(value).is_none().then_some(name))
            .collect()
    }
}

/// The problem of a value under `field` that does not read as a [`MovieRequest`], the
/// same from a value or from text: serde's message without its position, which lies
/// within the item (the problem's index names the item).
fn unreadable(field: &str, e: &serde_json::Error) -> FieldProblem {
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    FieldProblem::new(field, format!("{field}: {message}"))
}

/// `genres` in the OpenAPI document: a list of IMDb's genre names, or IMDb's
/// comma-separated string of them, or null. Built from [`Genre::ALL_NAMES`], so the
/// document lists exactly the names the reader accepts.
fn genres_schema() -> Schema {
    let name = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Genre::ALL_NAMES));
    let list = ArrayBuilder::new()
        .items(name)
        .max_items(Some(Genre::ALL.len()));
    let one = Genre::ALL_NAMES.join("|");
    let imdb_string = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^({one})(,({one}))*$")));
    OneOfBuilder::new()
        .item(list)
        .item(imdb_string)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "Genres from IMDb's vocabulary: a list, or IMDb's comma-separated string.",
        ))
        .into()
}

/// `titleType` in the OpenAPI document: one of IMDb's title types, or null.
fn title_type_schema() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            TitleType::ALL
                .iter()
                .map(|t| Value::from(t.name()))
                .chain([Value::Null]),
        ))
        .description(Some("IMDb title type, e.g. `movie`, `tvMovie`."))
        .into()
}

/// A list (or null) of `min_items..=max_items` strings of 1 to `max_chars` characters,
/// not only whitespace, in the OpenAPI document: a role's people here, the batch's texts
/// in the server.
pub fn string_list_schema(
    max_chars: usize,
    min_items: Option<usize>,
    max_items: Option<usize>,
    description: &str,
) -> Schema {
    let string = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max_chars))
        .pattern(Some(r"\S"));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(string)
        .min_items(min_items)
        .max_items(max_items)
        .description(Some(description))
        .into()
}

/// A role's people in the OpenAPI document: at most [`Credits::MAX_PER_ROLE`] of at
/// most [`Person::MAX_CHARS`] characters.
fn people_schema(description: &str) -> Schema {
    string_list_schema(
        Person::MAX_CHARS,
        None,
        Some(Credits::MAX_PER_ROLE),
        description,
    )
}

fn directors_schema() -> Schema {
    people_schema(
        "Directors: IMDb person ids (`nm` + digits) or names, at most 20 of at most 200\n\
         characters; resolved through the model's people table.",
    )
}

fn writers_schema() -> Schema {
    people_schema("Writers, as for `directors`.")
}

fn cast_schema() -> Schema {
    people_schema("Cast in billing order (top-billed first), as for `directors`.")
}

/// The value unless it is absent, `null`, `""` or `\N`.
fn given(value: &Option<Value>) -> Option<&Value> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if present_text(s).is_none() => None,
        Some(v) => Some(v),
    }
}

/// A whole number within `min..=max` from a JSON number (`1994`, `1994.0`, `1.994e3`) or
/// a string holding one (`"1994"`, or `"1994.0"` as CSV files written from float columns
/// have it). A whole number out of the range is named as such, however large.
fn whole_number(field: &str, value: &Value, (min, max): (i64, i64)) -> Result<i64, String> {
    let number = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match number {
        Some(f) if f.is_finite() && f.fract() == 0.0 => {
            if (min as f64..=max as f64).contains(&f) {
                // Exact: the range is far inside f64's whole numbers.
                Ok(f as i64)
            } else {
                // A string shows the number it holds; a JSON number shows as sent.
                let shown = match value {
                    Value::String(_) => f.to_string(),
                    _ => value.to_string(),
                };
                Err(format!("{field} {shown} is not between {min} and {max}"))
            }
        }
        _ => Err(format!("{field} {value} is not a whole number")),
    }
}

/// A required whole-number field converted by `make` (the core type's range check).
fn required<T>(
    field: &'static str,
    value: &Option<Value>,
    range: (i64, i64),
    make: impl FnOnce(i64) -> Option<T>,
) -> Result<T, String> {
    let (min, max) = range;
    let Some(value) = given(value) else {
        return Err(format!(
            "{field} is required: a whole number from {min} to {max}"
        ));
    };
    let n = whole_number(field, value, range)?;
    make(n).ok_or_else(|| format!("{field} {n} is not between {min} and {max}"))
}

fn text<'a>(field: &str, value: &'a Option<Value>) -> Result<Option<&'a str>, String> {
    match given(value) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("{field} {other} is not a string")),
    }
}

/// The title, trimmed; one of only whitespace is not given (imputed, as `""` is).
fn title(value: &Option<Value>) -> Result<Option<String>, String> {
    let Some(t) = text("title", value)?
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let n = t.chars().count();
    if n > MAX_TITLE_CHARS {
        return Err(format!(
            "title has {n} characters; the limit is {MAX_TITLE_CHARS}"
        ));
    }
    Ok(Some(t.to_owned()))
}

fn genres(value: &Option<Value>) -> Result<Option<GenreSet>, String> {
    match given(value) {
        None => Ok(None),
        Some(Value::Array(items)) if items.len() > Genre::ALL.len() => Err(format!(
            "genres has {} entries; IMDb has {} genres",
            items.len(),
            Genre::ALL.len()
        )),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Genre::parse(s).map_err(|e| e.to_string()),
                other => Err(format!("genres[{i}] {other} is not a string")),
            })
            .collect::<Result<GenreSet, String>>()
            .map(Some),
        Some(Value::String(s)) => GenreSet::parse_imdb(s).map(Some).map_err(|e| e.to_string()),
        Some(other) => Err(format!(
            "genres {other} is not a list of genre names or IMDb's comma-separated string"
        )),
    }
}

fn title_type(value: &Option<Value>) -> Result<Option<TitleType>, String> {
    text("titleType", value)?
        .map(TitleType::parse)
        .transpose()
        .map_err(|e| e.to_string())
}

fn flag(value: &Option<Value>) -> Result<Option<bool>, String> {
    let Some(v) = given(value) else {
        return Ok(None);
    };
    let parsed = match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    };
    parsed
        .map(Some)
        .ok_or_else(|| format!("isAdult {v} is not true, false, 0 or 1"))
}

/// A role's people: a list of non-empty strings, at most [`Credits::MAX_PER_ROLE`] of
/// at most [`Person::MAX_CHARS`] characters (a comma-separated string, as in
/// a CSV cell, is split on commas).
fn people(field: &str, value: &Option<Value>) -> Result<Vec<String>, String> {
    let names: Vec<String> = match given(value) {
        None => return Ok(Vec::new()),
        Some(Value::String(s)) => s.split(',').map(|n| n.trim().to_owned()).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.trim().to_owned()),
                other => Err(format!("{field}[{i}] {other} is not a string")),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(format!(
                "{field} {other} is not a list of IMDb person ids or names"
            ))
        }
    };
    if names.len() > Credits::MAX_PER_ROLE {
        return Err(format!(
            "{field} has {} people; the limit is {}",
            names.len(),
            Credits::MAX_PER_ROLE
        ));
    }
    for (i, name) in names.iter().enumerate() {
        let n = name.chars().count();
        if n == 0 {
            return Err(format!(
                "{field}[{i}] is empty; send an IMDb person id or a name"
            ));
        }
        if n > Person::MAX_CHARS {
            return Err(format!(
                "{field}[{i}] has {n} characters; the limit is {}",
                Person::MAX_CHARS
            ));
        }
    }
    Ok(names)
}

impl TryFrom<&MovieRequest> for MovieInput {
    type Error = Vec<FieldProblem>;

    /// Checks every field and reports every problem: the required numbers first, then
    /// the optional fields, then unknown keys.
    fn try_from(req: &MovieRequest) -> Result<Self, Self::Error> {
        req.to_input_within(&[])
    }
}

impl MovieRequest {
    /// [`MovieInput::try_from`] for a movie flattened into a request that has fields of
    /// its own, `also` (such as `text` of `POST /predict`): an unknown key's message
    /// lists them with the movie's fields.
    pub fn to_input_within(&self, also: &[&str]) -> Result<MovieInput, Vec<FieldProblem>> {
        let req = self;
        let mut problems = Vec::new();
        let mut check = |field: &str, result: Result<(), String>| {
            if let Err(message) = result {
                problems.push(FieldProblem::new(field, message));
            }
        };
        let mut input = MovieInput::default();
        let years = (i64::from(Year::MIN), i64::from(Year::MAX));
        let minutes = (i64::from(Runtime::MIN), i64::from(Runtime::MAX));
        let votes = (0, i64::from(u32::MAX));
        check(
            "startYear",
            required("startYear", &req.start_year, years, |n| {
                u16::try_from(n).ok().and_then(|y| Year::new(y).ok())
            })
            .map(|y| input.start_year = Some(y)),
        );
        check(
            "runtimeMinutes",
            required("runtimeMinutes", &req.runtime_minutes, minutes, |n| {
                u32::try_from(n).ok().and_then(|m| Runtime::new(m).ok())
            })
            .map(|r| input.runtime = Some(r)),
        );
        check(
            "numVotes",
            required("numVotes", &req.num_votes, votes, |n| {
                u32::try_from(n).ok().map(Votes::new)
            })
            .map(|v| input.votes = Some(v)),
        );
        check("title", title(&req.title).map(|t| input.title = t));
        check("genres", genres(&req.genres).map(|g| input.genres = g));
        check(
            "titleType",
            title_type(&req.title_type).map(|t| input.title_type = t),
        );
        check("isAdult", flag(&req.is_adult).map(|f| input.is_adult = f));
        check(
            "directors",
            people("directors", &req.directors).map(|p| input.directors = p),
        );
        check(
            "writers",
            people("writers", &req.writers).map(|p| input.writers = p),
        );
        check("cast", people("cast", &req.cast).map(|p| input.cast = p));
        if !req.unknown.is_empty() {
            let accepted = [also, &MovieRequest::FIELDS[..]].concat().join(", ");
            problems.extend(req.unknown.keys().map(|key| {
                FieldProblem::new(
                    key.as_str(),
                    format!("unknown field `{key}`; the accepted fields are {accepted}"),
                )
            }));
        }
        if problems.is_empty() {
            Ok(input)
        } else {
            Err(problems)
        }
    }
}

/// IMDb columns of `movies_with_ratings.csv` that are not model inputs: a file in that
/// layout is read with them left aside.
const IMDB_COLUMNS_NOT_INPUTS: [&str; 3] = ["originalTitle", "endYear", "averageRating"];

/// Reads one row of a prediction file (a JSON object or a CSV row as strings): the
/// optional row id (`tconst` or `id`, echoed back) and the movie, under
/// [`MovieRequest`]'s rules. A file in the layout of `movies_with_ratings.csv` is read as
/// it is: `primaryTitle` is the title, and the IMDb columns that are not model inputs
/// (`originalTitle`, `endYear`, `averageRating`) are left aside.
pub fn movie_from_json(
    obj: &Map<String, Value>,
) -> Result<(Option<String>, MovieInput), Vec<FieldProblem>> {
    let mut obj = obj.clone();
    let id = ["tconst", "id"]
        .into_iter()
        .filter_map(|key| obj.remove(key))
        .find_map(|v| match v {
            Value::String(s) => present_text(&s).map(str::to_owned),
            Value::Null => None,
            other => Some(other.to_string()),
        });
    for column in IMDB_COLUMNS_NOT_INPUTS {
        obj.remove(column);
    }
    if let Some(title) = obj.remove("primaryTitle") {
        obj.entry("title").or_insert(title);
    }
    let request = MovieRequest::from_value(Value::Object(obj), "movie").map_err(|p| vec![p])?;
    MovieInput::try_from(&request).map(|input| (id, input))
}

#[cfg(test)]
mod tests;
