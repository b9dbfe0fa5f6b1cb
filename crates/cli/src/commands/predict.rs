//! `reelcast predict`: one movie from flags, or a CSV/JSON file.
//!
//! A file run exits 2 (nothing written) when the file cannot be used as a whole: it is
//! malformed, has no rows, or its CSV header lacks a required column. It exits 1 when the
//! file is usable but no row could be scored (every row is listed as rejected, and the
//! outcome is still written), and 0 when at least one row was scored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use reelcast_pipeline::{
    movie_from_json, predict_file, round2, write_predictions, Band, FileFormat, ModelKind,
};
use serde_json::{json, Map, Value};

use crate::args::PredictArgs;
use crate::commands::load_bundle;
use crate::output::outln;
use crate::settings::Settings;
use crate::Outcome;

/// The flags as a [`reelcast_pipeline::MovieRequest`] body, checked by the same rules as
/// the API's.
fn flags_object(a: &PredictArgs) -> Map<String, Value> {
    let text = [
        ("title", &a.title),
        ("startYear", &a.start_year),
        ("runtimeMinutes", &a.runtime_minutes),
        ("numVotes", &a.num_votes),
        ("genres", &a.genres),
        ("titleType", &a.title_type),
        ("isAdult", &a.is_adult),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), Value::String(v))));
    let people = [
        ("directors", &a.directors),
        ("writers", &a.writers),
        ("cast", &a.cast),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), json!(v))));
    text.chain(people).collect()
}

/// The short line on who was recognised, e.g. `people: 2 of 3 recognised (Ann Lee =
/// nm0000001, nm0000002); unknown, so the prior is used: Nobody`.
fn people_line(people: &BTreeMap<String, Option<String>>) -> String {
    let known: Vec<String> = people
        .iter()
        .filter_map(|(given, id)| {
            id.as_ref().map(|id| {
                if given == id {
                    id.clone()
                } else {
                    format!("{given} = {id}")
                }
            })
        })
        .collect();
    let unknown: Vec<&str> = people
        .iter()
        .filter(|(_, id)| id.is_none())
        .map(|(given, _)| given.as_str())
        .collect();
    let mut line = format!("people: {} of {} recognised", known.len(), people.len());
    if !known.is_empty() {
        line.push_str(&format!(" ({})", known.join(", ")));
    }
    if !unknown.is_empty() {
        line.push_str(&format!(
            "; unknown, so the prior is used: {}",
            unknown.join(", ")
        ));
    }
    line
}

/// Where `--output` writes, checked before any work: `output` itself when it is absent or
/// a regular file, or the file a symlink leads to (so the link stays a link and the file
/// it names gets the predictions). A directory, FIFO, socket or device is refused rather
/// than replaced by a regular file, and so is the `--input` file itself.
fn output_target(input: &Path, output: &Path) -> Result<PathBuf> {
    let shown = output.display();
    let meta = match std::fs::metadata(output) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(output).is_ok() {
                bail!("--output {shown} is a symlink to a missing file; choose another --output or remove the link");
            }
            return Ok(output.to_path_buf());
        }
        Err(e) => return Err(e).with_context(|| format!("--output {shown}")),
    };
    if !meta.is_file() {
        bail!(
            "--output {shown} is {}, not a regular file; --output writes a new file or replaces a regular one",
            file_kind(&meta.file_type())
        );
    }
    if is_same_file(input, output, &meta) {
        bail!("--output {shown} would overwrite the input; choose another --output");
    }
    // Follows every symlink on the way, so the atomic rename happens in the directory of
    // the file that is replaced.
    std::fs::canonicalize(output).with_context(|| format!("--output {shown}"))
}

/// Whether `output` (an existing file, `output_meta`) is the file at `input`: the same
/// device and inode, so another spelling, a symlink or a hard link is recognised.
#[cfg(unix)]
fn is_same_file(input: &Path, _output: &Path, output_meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(input)
        .is_ok_and(|i| (i.dev(), i.ino()) == (output_meta.dev(), output_meta.ino()))
}

/// Whether `output` is the file at `input`, by canonical path.
#[cfg(not(unix))]
fn is_same_file(input: &Path, output: &Path, _output_meta: &std::fs::Metadata) -> bool {
    match (std::fs::canonicalize(input), std::fs::canonicalize(output)) {
        (Ok(i), Ok(o)) => i == o,
        _ => false,
    }
}

/// "a directory", "a FIFO", ...: what a path that is not a regular file is, for errors.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

pub(crate) fn run(a: PredictArgs, settings: &Settings) -> Result<Outcome> {
    // clap's `requires = "input"` on --output does not fire when a movie flag is given:
    // the flags conflict with --input, and clap then treats --input as not required.
    if a.output.is_some() && a.input.is_none() {
        bail!("--output writes the predictions of an --input file; for one movie from flags, drop --output (add --json and redirect stdout to keep the answer)");
    }
    let output = match (&a.input, &a.output) {
        (Some(input), Some(out)) => Some((out, output_target(input, out)?)),
        _ => None,
    };
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
        match &output {
            Some((out, target)) => {
                write_predictions(&outcome, target)?;
                eprintln!(
                    "{} rows scored, {} rejected; written to {}",
                    outcome.predictions.len(),
                    outcome.rejected.len(),
                    out.display()
                );
            }
            None => outln!("{}", serde_json::to_string_pretty(&outcome)?)?,
        }
        if outcome.predictions.is_empty() {
            eprintln!(
                "no row of {} could be scored: every row was rejected",
                input.display()
            );
            return Ok(Outcome::GateFailed);
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
    let names_people =
        !(movie.directors.is_empty() && movie.writers.is_empty() && movie.cast.is_empty());
    if names_people && !bundle.feature_groups().contains(&"crew") {
        eprintln!(
            "warning: {} has no crew features, so --directors, --writers and --cast do not change its prediction; train on data with people files for a crew-aware model",
            bundle.metadata.model_name
        );
    }
    let p = bundle.predict(&movie);
    let people = p.people.into_map();
    if a.json {
        let out = json!({
            "title": movie.title,
            "predicted_rating": round2(p.rating),
            "interval": p.band.map(|b| json!({"lower": round2(b.lower), "upper": round2(b.upper)})),
            "imputed": p.imputed.fields(),
            "model_name": bundle.metadata.model_name,
        });
        let mut out = out;
        if let Some(people) = &people {
            out["people"] = json!(people);
        }
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        let band = p
            .band
            .map(|b| band_text(bundle.metadata.model_kind, b))
            .unwrap_or_default();
        outln!("predicted rating {:.2}/10{band}", p.rating)?;
        if !p.imputed.is_empty() {
            outln!(
                "imputed from training data: {}",
                p.imputed.fields().join(", ")
            )?;
        }
        if let Some(people) = &people {
            outln!("{}", people_line(people))?;
        }
    }
    Ok(Outcome::Ok)
}

/// The band after the rating, named for where it comes from: the spread of a forest's
/// trees, or a boosted model's two quantile models (not "80% of trees"), calibrated to
/// hold about 80% of held-out ratings.
fn band_text(kind: ModelKind, b: Band) -> String {
    match kind {
        ModelKind::RandomForest => {
            format!(" (80% of trees between {:.2} and {:.2})", b.lower, b.upper)
        }
        ModelKind::GradientBoosting => format!(
            " (10th-90th percentile {:.2} to {:.2}, from the quantile models)",
            b.lower, b.upper
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_is_named_for_the_model_that_gives_it() {
        let band = Band {
            lower: 6.5,
            upper: 8.25,
        };

        assert_eq!(
            band_text(ModelKind::RandomForest, band),
            " (80% of trees between 6.50 and 8.25)"
        );
        assert_eq!(
            band_text(ModelKind::GradientBoosting, band),
            " (10th-90th percentile 6.50 to 8.25, from the quantile models)"
        );
    }

    #[test]
    fn people_line_names_the_recognised_and_the_unknown() {
        let people = BTreeMap::from([
            ("Ann Lee".to_owned(), Some("nm0000001".to_owned())),
            ("Nobody".to_owned(), None),
        ]);
        let all_known = BTreeMap::from([("nm0000002".to_owned(), Some("nm0000002".to_owned()))]);

        assert_eq!(
            people_line(&people),
            "people: 1 of 2 recognised (Ann Lee = nm0000001); unknown, so the prior is used: Nobody"
        );
        assert_eq!(
            people_line(&all_known),
            "people: 1 of 1 recognised (nm0000002)"
        );
    }
}
