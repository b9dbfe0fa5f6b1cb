//! `reelcast evaluate`.

use anyhow::{Context, Result};
use reelcast_pipeline::{evaluate, load_dataset};
use serde_json::json;

use crate::args::EvaluateArgs;
use crate::commands::{data_source, ingest_options, is_bad_row_gate, load_bundle};
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
    let prior_only = bundle.feature_groups().contains(&"crew") && !dataset.has_people;
    if prior_only {
        // Scoring still works, every crew feature taking the training prior, so
        // the numbers understate the model.
        eprintln!(
            "warning: {} uses crew features but {source} has no people files: every film's crew features use the prior, so these scores understate the model; pass --crew, --principals and --names (or --imdb-dir DIR) to score it with its crew",
            bundle.metadata.model_name
        );
    }
    let m = evaluate(&bundle, &dataset.movies)?;
    if a.json {
        let out = json!({
            "rmse": m.rmse, "mae": m.mae, "r2": m.r2, "n": m.n,
            "model_name": bundle.metadata.model_name,
            "model_path": model_path,
            "dataset_version": dataset.version,
            "trained_on": bundle.metadata.dataset_version,
            "feature_groups": bundle.feature_groups(),
            "crew_features_from_prior": prior_only,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{} on {} ({} titles, dataset {})",
            bundle.metadata.model_name, source, m.n, dataset.version
        );
        println!(
            "rmse {:.4}  mae {:.4}  r2 {:.4}  n {}",
            m.rmse, m.mae, m.r2, m.n
        );
        if dataset.version == bundle.metadata.dataset_version {
            println!("note: this is the dataset the model was trained on; its training rows are included, so these numbers are optimistic");
        }
    }
    Ok(Outcome::Ok)
}
