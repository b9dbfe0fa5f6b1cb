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
use crate::request::{movie_from_json, FieldProblem};
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
    /// [`ModelBundle::people_map`].
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

fn read_objects(path: &Path) -> Result<Vec<Map<String, Value>>> {
    let bad = |message: String| Error::PredictInput {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    match FileFormat::from_path(path) {
        FileFormat::Json => {
            let value: Value =
                serde_json::from_slice(&bytes).map_err(|e| bad(format!("not valid JSON: {e}")))?;
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
                .collect()
        }
        FileFormat::Csv => {
            let mut reader = csv::Reader::from_reader(bytes.as_slice());
            let headers = reader
                .headers()
                .map_err(|e| bad(format!("cannot read the CSV header: {e}")))?
                .clone();
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
                .collect()
        }
    }
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
    let imputed: Vec<_> = accepted
        .iter()
        .map(|(_, _, input)| bundle.features.transform(input, &mut matrix))
        .collect();
    let (ratings, bands) = bundle.predict_matrix_with_bands(&matrix);
    let band = |i: usize| bands.as_ref().map(|b| b[i]);
    let predictions = accepted
        .into_iter()
        .zip(imputed)
        .zip(ratings)
        .enumerate()
        .map(|(i, (((row, id, input), imputed), rating))| PredictedRow {
            row,
            id,
            predicted_rating: round2(rating),
            lower: band(i).map(|b| round2(b.lower)),
            upper: band(i).map(|b| round2(b.upper)),
            imputed: imputed.fields(),
            people: bundle.people_map(&input),
        })
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
