//! `reelcast predict`: one movie from flags, or a CSV/JSON file.

use anyhow::{bail, Result};
use reelcast_pipeline::{movie_from_json, predict_file, round2, write_predictions, FileFormat};
use serde_json::{json, Map, Value};

use crate::args::PredictArgs;
use crate::commands::load_bundle;
use crate::settings::Settings;
use crate::Outcome;

fn flags_object(a: &PredictArgs) -> Map<String, Value> {
    [
        ("title", &a.title),
        ("startYear", &a.start_year),
        ("runtimeMinutes", &a.runtime_minutes),
        ("numVotes", &a.num_votes),
        ("genres", &a.genres),
        ("titleType", &a.title_type),
        ("isAdult", &a.is_adult),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), Value::String(v))))
    .collect()
}

pub(crate) fn run(a: PredictArgs, settings: &Settings) -> Result<Outcome> {
    let (_, bundle) = load_bundle(a.model.as_deref(), settings)?;
    if let Some(input) = &a.input {
        let outcome = predict_file(&bundle, input)?;
        for r in &outcome.rejected {
            let problems: Vec<String> = r
                .problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect();
            let place = match FileFormat::from_path(input) {
                FileFormat::Csv => format!("row {} (CSV line {})", r.row, r.row + 2),
                FileFormat::Json => format!("item {}", r.row),
            };
            eprintln!("{place} rejected: {}", problems.join("; "));
        }
        match &a.output {
            Some(out) => {
                write_predictions(&outcome, out)?;
                eprintln!(
                    "{} rows scored, {} rejected; written to {}",
                    outcome.predictions.len(),
                    outcome.rejected.len(),
                    out.display()
                );
            }
            None => println!("{}", serde_json::to_string_pretty(&outcome)?),
        }
        return Ok(Outcome::Ok);
    }

    let (_, movie) = match movie_from_json(&flags_object(&a)) {
        Ok(m) => m,
        Err(problems) => {
            let msgs: Vec<String> = problems
                .iter()
                .map(|p| format!("--{}: {}", kebab(&p.field), p.message))
                .collect();
            bail!("{}", msgs.join("; "));
        }
    };
    let p = bundle.predict(&movie);
    if a.json {
        let out = json!({
            "title": movie.title,
            "predicted_rating": round2(p.rating),
            "interval": p.band.map(|b| json!({"lower": round2(b.lower), "upper": round2(b.upper)})),
            "imputed": p.imputed.fields(),
            "model_name": bundle.metadata.model_name,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let band = p
            .band
            .map(|b| format!(" (80% of trees between {:.2} and {:.2})", b.lower, b.upper))
            .unwrap_or_default();
        println!("predicted rating {:.2}/10{band}", p.rating);
        if !p.imputed.is_empty() {
            println!(
                "imputed from training data: {}",
                p.imputed.fields().join(", ")
            );
        }
    }
    Ok(Outcome::Ok)
}

/// `startYear` -> `start-year`, to name the flag in errors.
fn kebab(field: &str) -> String {
    let mut out = String::new();
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
