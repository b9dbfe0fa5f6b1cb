//! `reelcast evaluate`.

use anyhow::{Context, Result};
use reelcast_pipeline::{evaluate_rows, held_out_rows, load_dataset, trained_on};
use serde_json::json;

use crate::args::EvaluateArgs;
use crate::commands::{data_source, ingest_options, is_bad_row_gate, load_bundle};
use crate::output::outln;
use crate::settings::Settings;
use crate::Outcome;

pub(crate) fn run(a: EvaluateArgs, settings: &Settings) -> Result<Outcome> {
    let (model_path, bundle) = load_bundle(a.model.as_deref(), settings)?;
    let source = data_source(&a.data)?;
    let dataset = match load_dataset(&source, &ingest_options(&a.data.filters, settings)?)
        .with_context(|| format!("loading {source}"))
    {
        Ok(dataset) => dataset,
        // The data over the bad-row limit is a failed gate, as in `data ingest`: exit 1.
        Err(e) if is_bad_row_gate(&e) => {
            eprintln!("error: {e:#}");
            return Ok(Outcome::GateFailed);
        }
        Err(e) => return Err(e),
    };
    let meta = &bundle.metadata;
    let prior_only = bundle.feature_groups().contains(&"crew") && !dataset.has_people;
    if prior_only {
        // Scoring still works, every crew feature taking the training prior, so
        // the numbers understate the model.
        eprintln!(
            "warning: {} uses crew features but {source} has no people files: every film's crew features use the prior, so these scores understate the model; pass --crew, --principals and --names (or --imdb-dir DIR) to score it with its crew",
            meta.model_name
        );
    }
    let films = dataset.movies.len();
    // The rows scored, and how many of them are on the training side of the model's
    // held-out rule (`None` when that cannot be known here: a seeded-shuffle bundle on
    // another dataset version).
    let (rows, n_training_side): (Vec<usize>, Option<usize>) = if a.held_out_only {
        (
            held_out_rows(&bundle, &dataset.movies, &dataset.version)?,
            Some(0),
        )
    } else {
        let trained = trained_on(&bundle, &dataset.movies, &dataset.version);
        let n = trained.map(|t| t.iter().filter(|&&on| on).count());
        ((0..films).collect(), n)
    };
    let m = evaluate_rows(&bundle, &dataset.movies, &rows)?;
    if a.json {
        let out = json!({
            "rmse": m.rmse, "mae": m.mae, "r2": m.r2, "n": m.n,
            "n_training_side": n_training_side,
            "held_out_only": a.held_out_only,
            "model_name": meta.model_name,
            "model_path": model_path,
            "dataset_version": dataset.version,
            "trained_on": meta.dataset_version,
            "feature_groups": bundle.feature_groups(),
            "crew_features_from_prior": prior_only,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
        return Ok(Outcome::Ok);
    }
    let titles = if a.held_out_only {
        format!("{} held-out titles of {films}", m.n)
    } else {
        format!("{} titles", m.n)
    };
    outln!(
        "{} on {source} ({titles}, dataset {})",
        meta.model_name,
        dataset.version
    )?;
    outln!(
        "rmse {:.4}  mae {:.4}  r2 {:.4}  n {}",
        m.rmse,
        m.mae,
        m.r2,
        m.n
    )?;
    match n_training_side {
        Some(0) => {}
        Some(n) if n == m.n => outln!(
            "note: all {n} films are on the training side of the model's held-out rule: if they were in its training data these numbers are optimistic; none is held out for --held-out-only to score"
        )?,
        Some(n) => outln!(
            "note: {n} of the {} films are on the training side of the model's held-out rule: if they were in its training data these numbers are optimistic; --held-out-only scores the {} it never trained on",
            m.n,
            m.n - n
        )?,
        None => outln!(
            "note: {} was trained with a seeded split on dataset {}, so which of these {} films it trained on is unknown: if they were in its training data these numbers are optimistic (a model trained by this reelcast holds films out by tconst, which --held-out-only can score on any data)",
            meta.model_name, meta.dataset_version, m.n
        )?,
    }
    Ok(Outcome::Ok)
}
