//! The predict use case for files: CSV or JSON in, CSV or JSON out, bad rows reported.

#![expect(
    clippy::wildcard_enum_match_arm,
    reason = "serde_json::Value: every JSON type not named is handled alike"
)]

use std::collections::BTreeMap;
use std::path::Path;

use reelcast_core::MovieInput;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::bundle::ModelBundle;
use crate::request::{movie_from_json, FieldProblem, MovieRequest};
use crate::{Error, Result};

/// File formats `predict` reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects (or `{"movies": [...]}`).
    Json,
}

impl FileFormat {
    /// Picks the format from a file extension (`.json` is JSON, anything else CSV).
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => FileFormat::Json,
            _ => FileFormat::Csv,
        }
    }
}

/// One scored input row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictedRow {
    /// Position in the input (0-based, data rows only).
    pub row: usize,
    /// The input's `tconst`/`id`, when given.
    pub id: Option<String>,
    /// Predicted rating, clipped to 1..=10.
    pub predicted_rating: f64,
    /// Lower end of the 10th-90th percentile band (see [`crate::Band`]), when the model
    /// has one.
    pub lower: Option<f64>,
    /// Upper end of the band.
    pub upper: Option<f64>,
    /// Inputs imputed from training statistics, API spelling.
    pub imputed: Vec<&'static str>,
    /// When the row named people and the model has crew features: each given string and
    /// the nconst it resolved to, `None` when unknown (the prior was used); see
    /// [`reelcast_features::PeopleResolution::into_map`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<BTreeMap<String, Option<String>>>,
}

/// One input row that could not be used, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedRow {
    /// Position in the input (0-based, data rows only).
    pub row: usize,
    /// The field problems.
    pub problems: Vec<FieldProblem>,
}

/// The result of scoring a file: every input row is in exactly one of the two lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictOutcome {
    /// Scored rows, in input order.
    pub predictions: Vec<PredictedRow>,
    /// Rows that could not be used, in input order.
    pub rejected: Vec<RejectedRow>,
}

/// The columns every row needs; a CSV header without one of them cannot give a single
/// prediction, so the file is refused as a whole rather than row by row.
const REQUIRED_COLUMNS: [&str; 3] = MovieRequest::REQUIRED;

/// What a prediction file's columns (or a JSON item's keys) should be, for the errors
/// about a file that is empty or has the wrong header: the required ones, then the
/// optional ones with the spellings [`movie_from_json`] also reads.
fn expected_columns() -> String {
    let optional: Vec<&str> = MovieRequest::FIELDS
        .into_iter()
        .filter(|f| !REQUIRED_COLUMNS.contains(f))
        .map(|f| {
            if f == "title" {
                "title or primaryTitle"
            } else {
                f
            }
        })
        .collect();
    format!(
        "the columns {} (required) and tconst or id, {} (optional)",
        REQUIRED_COLUMNS.join(", "),
        optional.join(", ")
    )
}

fn read_objects(path: &Path) -> Result<Vec<Map<String, Value>>> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_objects(path, &bytes)
}

/// The rows of a prediction file, `bytes` read from `path` (which names the format and
/// the file in errors). A file with no rows, or a CSV header lacking a required column,
/// is an error: it cannot give one prediction, and passing it as an empty or all-rejected
/// outcome would let a caller overwrite earlier results with nothing.
fn parse_objects(path: &Path, bytes: &[u8]) -> Result<Vec<Map<String, Value>>> {
    let bad = |message: String| Error::PredictInput {
        path: path.to_path_buf(),
        message,
    };
    let objects: Vec<Map<String, Value>> = match FileFormat::from_path(path) {
        FileFormat::Json => {
            let value: Value =
                serde_json::from_slice(bytes).map_err(|e| bad(format!("not valid JSON: {e}")))?;
            let items = match value {
                Value::Array(items) => items,
                Value::Object(mut obj) => match obj.remove("movies") {
                    Some(Value::Array(items)) => items,
                    _ => {
                        return Err(bad(
                            "expected an array of movies or {\"movies\": [...]}".into()
                        ))
                    }
                },
                _ => {
                    return Err(bad(
                        "expected an array of movies or {\"movies\": [...]}".into()
                    ))
                }
            };
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Object(o) => Ok(o),
                    other => Err(bad(format!("item {i} is {other}, not an object"))),
                })
                .collect::<Result<_>>()?
        }
        FileFormat::Csv => {
            let mut reader = csv::Reader::from_reader(bytes);
            let headers = reader
                .headers()
                .map_err(|e| bad(format!("cannot read the CSV header: {e}")))?
                .clone();
            if headers.is_empty() {
                return Err(bad(format!(
                    "the file is empty; expected a CSV header row and one movie per row, with {}",
                    expected_columns()
                )));
            }
            let missing: Vec<&str> = REQUIRED_COLUMNS
                .into_iter()
                .filter(|c| !headers.iter().any(|h| h == *c))
                .collect();
            if !missing.is_empty() {
                let found: Vec<&str> = headers.iter().collect();
                let s = if missing.len() == 1 { "" } else { "s" };
                return Err(bad(format!(
                    "the CSV header ({}) lacks the required column{s} {}; expected {}",
                    found.join(","),
                    missing.join(", "),
                    expected_columns()
                )));
            }
            reader
                .records()
                .map(|record| {
                    let record = record.map_err(|e| bad(format!("CSV: {e}")))?;
                    Ok(headers
                        .iter()
                        .zip(record.iter())
                        .map(|(h, v)| (h.to_owned(), Value::String(v.to_owned())))
                        .collect())
                })
                .collect::<Result<_>>()?
        }
    };
    if objects.is_empty() {
        return Err(bad(match FileFormat::from_path(path) {
            FileFormat::Csv => format!(
                "no movie rows after the CSV header; expected one movie per row, with {}",
                expected_columns()
            ),
            FileFormat::Json => format!(
                "no movies in the file; expected an array of movies or {{\"movies\": [...]}} holding at least one, each with {}",
                REQUIRED_COLUMNS.join(", ")
            ),
        }));
    }
    Ok(objects)
}

/// Scores every usable row of `inputs` through the bundle's batch path; unusable rows
/// are returned with their problems, never dropped.
pub fn predict_objects(bundle: &ModelBundle, objects: &[Map<String, Value>]) -> PredictOutcome {
    let mut rejected = Vec::new();
    let mut accepted: Vec<(usize, Option<String>, MovieInput)> = Vec::new();
    for (row, obj) in objects.iter().enumerate() {
        match movie_from_json(obj) {
            Ok((id, input)) => accepted.push((row, id, input)),
            Err(problems) => rejected.push(RejectedRow { row, problems }),
        }
    }
    // One feature matrix serves the batch prediction and each row's band and imputed list.
    let width = bundle.features.width();
    let mut matrix = Vec::with_capacity(accepted.len() * width);
    let transformed: Vec<_> = accepted
        .iter()
        .map(|(_, _, input)| bundle.features.transform_with_people(input, &mut matrix))
        .collect();
    let (ratings, bands) = bundle.predict_matrix_with_bands(&matrix);
    let band = |i: usize| bands.as_ref().map(|b| b[i]);
    let predictions = accepted
        .into_iter()
        .zip(transformed)
        .zip(ratings)
        .enumerate()
        .map(
            |(i, (((row, id, _), (imputed, people)), rating))| PredictedRow {
                row,
                id,
                predicted_rating: round2(rating),
                lower: band(i).map(|b| round2(b.lower)),
                upper: band(i).map(|b| round2(b.upper)),
                imputed: imputed.fields(),
                people: people.into_map(),
            },
        )
        .collect();
    PredictOutcome {
        predictions,
        rejected,
    }
}

/// Rounds a rating to 2 decimals, as every rating reelcast prints.
pub fn round2(rating: f64) -> f64 {
    (rating * 100.0).round() / 100.0
}

/// Reads `input` (CSV or JSON by extension) and scores it.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::PredictInput`] when it is not
/// CSV or JSON of movies as a whole: malformed, no rows, or a CSV header without one of
/// the required columns `startYear`, `runtimeMinutes`, `numVotes`. Problems of single
/// rows are not errors: they are [`PredictOutcome::rejected`].
pub fn predict_file(bundle: &ModelBundle, input: &Path) -> Result<PredictOutcome> {
    Ok(predict_objects(bundle, &read_objects(input)?))
}

/// Writes predictions as CSV or JSON (by `output`'s extension), atomically.
pub fn write_predictions(outcome: &PredictOutcome, output: &Path) -> Result<()> {
    let bytes = match FileFormat::from_path(output) {
        FileFormat::Json => {
            serde_json::to_vec_pretty(outcome).map_err(|e| Error::BundleEncode {
                message: e.to_string(),
            })?
        }
        FileFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let io = |e: csv::Error| Error::PredictInput {
                path: output.to_path_buf(),
                message: e.to_string(),
            };
            w.write_record([
                "row",
                "id",
                "predicted_rating",
                "lower",
                "upper",
                "imputed",
                "people",
            ])
            .map_err(io)?;
            let opt = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
            for p in &outcome.predictions {
                // The people map as JSON text, as the API answers it: names may hold any
                // separator a flatter cell would use.
                let people = match &p.people {
                    Some(map) => serde_json::to_string(map).map_err(|e| Error::BundleEncode {
                        message: e.to_string(),
                    })?,
                    None => String::new(),
                };
                w.write_record([
                    p.row.to_string(),
                    p.id.clone().unwrap_or_default(),
                    format!("{:.2}", p.predicted_rating),
                    opt(p.lower),
                    opt(p.upper),
                    p.imputed.join(";"),
                    people,
                ])
                .map_err(io)?;
            }
            w.into_inner().map_err(|e| Error::PredictInput {
                path: output.to_path_buf(),
                message: e.to_string(),
            })?
        }
    };
    crate::bundle::write_atomic(output, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: &str = "the columns startYear, runtimeMinutes, numVotes (required) and tconst or id, title or primaryTitle, genres, titleType, isAdult, directors, writers, cast (optional)";

    fn parse(name: &str, text: &str) -> Result<Vec<Map<String, Value>>> {
        parse_objects(Path::new(name), text.as_bytes())
    }

    #[test]
    fn a_csv_without_movie_rows_is_an_error_naming_the_file_and_the_columns() {
        let cases = [
            (
                "0-byte file",
                "",
                format!("in.csv: the file is empty; expected a CSV header row and one movie per row, with {EXPECTED}"),
            ),
            (
                "blank line",
                "\n",
                format!("in.csv: the file is empty; expected a CSV header row and one movie per row, with {EXPECTED}"),
            ),
            (
                "header only",
                "startYear,runtimeMinutes,numVotes\n",
                format!("in.csv: no movie rows after the CSV header; expected one movie per row, with {EXPECTED}"),
            ),
        ];

        for (label, text, expected) in cases {
            let message = parse("in.csv", text).unwrap_err().to_string();

            assert_eq!(message, expected, "{label}");
        }
    }

    #[test]
    fn a_csv_header_without_a_required_column_is_an_error_listing_what_is_missing() {
        let cases = [
            (
                "none of them",
                "title,year,runtime,votes\nHeat,1995,170,700000\n",
                "the CSV header (title,year,runtime,votes) lacks the required columns startYear, runtimeMinutes, numVotes",
            ),
            (
                "one of them",
                "startYear,runtimeMinutes,votes\n1995,170,700000\n",
                "the CSV header (startYear,runtimeMinutes,votes) lacks the required column numVotes",
            ),
        ];

        for (label, text, problem) in cases {
            let message = parse("in.csv", text).unwrap_err().to_string();

            assert_eq!(
                message,
                format!("in.csv: {problem}; expected {EXPECTED}"),
                "{label}"
            );
        }
    }

    #[test]
    fn a_csv_in_the_processed_dataset_layout_is_read() {
        let text = format!(
            "{}\ntt0113277,movie,Heat,Heat,0,1995,\\N,170,\"Action,Crime\",8.3,700000\n",
            reelcast_data::CSV_COLUMNS.join(",")
        );

        let rows = parse("movies_with_ratings.csv", &text).unwrap();

        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["primaryTitle"], "Heat");
    }

    #[test]
    fn a_csv_whose_every_row_is_bad_is_read_so_each_row_is_reported() {
        let rows = parse(
            "in.csv",
            "startYear,runtimeMinutes,numVotes\n19x5,90,10\n2001,,10\n",
        )
        .unwrap();

        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_json_file_without_movies_is_an_error_naming_the_file() {
        for (label, text) in [("array", "[]"), ("movies object", r#"{"movies": []}"#)] {
            let message = parse("in.json", text).unwrap_err().to_string();

            assert_eq!(
                message,
                "in.json: no movies in the file; expected an array of movies or {\"movies\": [...]} holding at least one, each with startYear, runtimeMinutes, numVotes",
                "{label}"
            );
        }
    }
}
