//! `reelcast train`: resolves the flags and settings into a [`TrainRequest`] and
//! [`TrackOptions`], calls [`train_tracked`] (train, save, log, register, promote; offline
//! runs saved as `pending-run.json` for `reelcast runs push DIR`), and prints the result.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use reelcast_features::FeatureSpec;
use reelcast_pipeline::track::{
    train_tracked, write_atomic, Promotion, RegisterOptions, TrackOptions, TrackedTraining,
    TrainRequest,
};
use reelcast_pipeline::{ModelKind, ModelParams, TrainOptions};
use reelcast_registry::CHAMPION;
use serde_json::{json, Value};

use crate::args::{FeaturesArg, ModelArg, TrainArgs};
use crate::commands::tracking::{self, print_registered, registered_json};
use crate::commands::{data_source, ingest_options, is_bad_row_gate};
use crate::output::{outln, OutputError};
use crate::settings::Settings;
use crate::Outcome;

/// Trains, tracks, and writes `--metrics-textfile` whatever happened (success 0 on error,
/// so an alert on it can fire).
pub(crate) fn run(a: TrainArgs, settings: &Settings) -> Result<Outcome> {
    let kind = match a.model {
        Some(ModelArg::Rf) => ModelKind::RandomForest,
        Some(ModelArg::Gbt) => ModelKind::GradientBoosting,
        None => ModelKind::parse(&settings.train.model)
            .expect("settings checked the model name at load"),
    };
    let model_name = a
        .model_name
        .clone()
        .or_else(|| Some(settings.tracking.model_name.clone()).filter(|n| !n.is_empty()))
        .unwrap_or_else(|| reelcast_pipeline::model_name(kind));
    let textfile = a.metrics_textfile.clone();
    let result = run_tracked(&a, settings, kind, &model_name);
    if let Some(path) = textfile {
        let rmse = result.as_ref().ok().map(|(_, rmse)| *rmse);
        if let Err(e) = write_textfile(&path, &model_name, rmse) {
            if result.is_ok() {
                return Err(e);
            }
            tracing::warn!(error = %format!("{e:#}"), "could not write the metrics textfile");
        }
    }
    match result {
        Ok((outcome, _)) => Ok(outcome),
        // The data over the bad-row limit is a failed gate, as in `data ingest`: exit 1.
        Err(e) if is_bad_row_gate(&e) => {
            eprintln!("error: {e:#}");
            Ok(Outcome::GateFailed)
        }
        Err(e) => Err(e),
    }
}

/// The training request of the flags over `[train]` and `[ingest]`.
pub(crate) fn train_request(
    a: &TrainArgs,
    settings: &Settings,
    kind: ModelKind,
) -> Result<TrainRequest> {
    let test_fraction = a.test_fraction.unwrap_or(settings.train.test_fraction);
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        anyhow::bail!(
            "--test-fraction: {test_fraction} is not strictly between 0 and 1 (e.g. 0.2 holds out 20%)"
        );
    }
    let mut params = ModelParams::for_kind(kind);
    if let Some(n) = a.trees {
        params = params.with_trees(n);
    }
    Ok(TrainRequest {
        source: data_source(&a.data)?,
        ingest: ingest_options(&a.data.filters, settings)?,
        train: TrainOptions {
            params,
            seed: a.seed.unwrap_or(settings.train.seed),
            test_fraction,
            cv_folds: a.cv,
            search: a.search,
            feature_spec: feature_spec(a)?,
            git_sha: Some(env!("REELCAST_GIT_SHA").to_owned()).filter(|s| !s.is_empty()),
        },
        out_dir: a
            .out
            .clone()
            .unwrap_or_else(|| settings.train.out_dir.clone()),
    })
}

/// The feature spec of `--features` and `--min-person-films`.
fn feature_spec(a: &TrainArgs) -> Result<FeatureSpec> {
    match (a.features, a.min_person_films) {
        (FeaturesArg::Original, None) => Ok(FeatureSpec::original()),
        (FeaturesArg::Original, Some(_)) => anyhow::bail!(
            "--min-person-films: the original feature set has no crew features; drop the flag or use --features full"
        ),
        (FeaturesArg::Full, min_films) => {
            let mut spec = FeatureSpec::default();
            if let (Some(crew), Some(n)) = (spec.crew.as_mut(), min_films) {
                crew.min_person_films = n;
            }
            Ok(spec)
        }
    }
}

/// The tracking options of the flags over `[tracking]`.
pub(crate) fn track_options(a: &TrainArgs, settings: &Settings, model_name: &str) -> TrackOptions {
    let uri = tracking::tracking_uri(&a.tracking, settings);
    TrackOptions {
        register: a.register.then(|| RegisterOptions {
            model_name: model_name.to_owned(),
            alias: a.alias.clone(),
            promote_if_better: a.promote_if_better,
        }),
        ..tracking::track_options(&uri, a.experiment.as_deref(), settings)
    }
}

fn run_tracked(
    a: &TrainArgs,
    settings: &Settings,
    kind: ModelKind,
    model_name: &str,
) -> Result<(Outcome, f64)> {
    let request = train_request(a, settings, kind)?;
    let tracking = track_options(a, settings, model_name);
    let t = train_tracked(&request, &tracking)?;
    for warning in &t.warnings {
        eprintln!("warning: {warning}");
    }
    if a.json {
        print_json(&t)?;
    } else {
        print_text(&request, &t)?;
    }
    let mut gate_failed = a.require_better && t.promotion.as_ref().is_some_and(|p| !p.promoted);
    if let Some(pending) = &t.pending {
        let out_dir = request.out_dir.display();
        let how = format!(
            "the bundle and report are in {out_dir}, the run is saved in {}; push it with `reelcast runs push {out_dir}`",
            pending.path.display(),
        );
        let (uri, reason) = (&t.tracking_uri, &pending.reason);
        if a.register {
            eprintln!("error: tracking backend {uri} unreachable ({reason}), so {model_name} was not registered; {how}");
            gate_failed = true;
        } else {
            eprintln!("warning: tracking backend {uri} unreachable ({reason}); {how}");
        }
    }
    let outcome = if gate_failed {
        Outcome::GateFailed
    } else {
        Outcome::Ok
    };
    Ok((outcome, t.report.metrics.test.rmse))
}

fn print_json(t: &TrackedTraining) -> Result<()> {
    let m = &t.report.metrics;
    let meta = &t.bundle.metadata;
    let out = json!({
        "model_name": meta.model_name,
        "model_kind": meta.model_kind,
        "rmse": m.test.rmse,
        "mae": m.test.mae,
        "r2": m.test.r2,
        "n_train": meta.n_train,
        "n_test": meta.n_test,
        "baseline": m.baseline,
        "cv": m.cv,
        "search": t.report.search,
        "model_path": t.model_path,
        "report_dir": t.report_dir,
        "dataset_version": t.dataset.version,
        "feature_groups": t.bundle.feature_groups(),
        "people_count": t.bundle.people_count(),
        "seed": meta.seed,
        "fit_seconds": t.report.fit_seconds,
        "params": serde_json::from_str::<Value>(&meta.params_json)?,
        "warnings": t.warnings,
        "tracking": {
            "uri": t.tracking_uri,
            "experiment": t.experiment,
            "run_id": t.run_id,
            "run_name": t.run_name,
            "pending_run": t.pending.as_ref().map(|p| &p.path),
            "killed_stale_runs": t.collected,
        },
        "registered": t.registered.as_ref().map(registered_json),
        "promotion": t.promotion,
    });
    outln!("{}", serde_json::to_string_pretty(&out)?)?;
    Ok(())
}

fn print_text(request: &TrainRequest, t: &TrackedTraining) -> Result<(), OutputError> {
    let m = &t.report.metrics;
    let meta = &t.bundle.metadata;
    for run in &t.collected {
        outln!(
            "killed  stale run {} (process {} is gone; {} partial artifacts removed)",
            run.run_id,
            run.pid,
            run.removed_artifacts.len()
        )?;
    }
    outln!(
        "trained {} on {} titles from {} (dataset {}), tested on {}",
        meta.model_name,
        meta.n_train,
        request.source,
        t.dataset.version,
        meta.n_test
    )?;
    if t.report.search.is_some() {
        outln!("search  chose {}", meta.params_json)?;
    }
    outln!(
        "features {} ({} people in the people table)",
        t.bundle.feature_groups().join(" + "),
        t.bundle.people_count()
    )?;
    outln!("{:<10} {:>7} {:>7} {:>7}", "", "rmse", "mae", "r2")?;
    for (name, x) in [("model", &m.test), ("baseline", &m.baseline)] {
        outln!("{name:<10} {:>7.4} {:>7.4} {:>7.4}", x.rmse, x.mae, x.r2)?;
    }
    if let Some(cv) = &m.cv {
        outln!(
            "cv         rmse {:.4} ± {:.4} over {} folds",
            cv.rmse_mean,
            cv.rmse_std,
            cv.folds.len()
        )?;
    }
    let gain = 100.0 * (1.0 - m.test.rmse / m.baseline.rmse);
    if gain > 0.0 {
        outln!(
            "rmse {gain:.1}% below the mean-predictor baseline; fit {:.2}s",
            t.report.fit_seconds
        )?;
    } else {
        outln!(
            "rmse {:.1}% ABOVE the mean-predictor baseline (worse than predicting the mean); fit {:.2}s",
            -gain, t.report.fit_seconds
        )?;
    }
    outln!("bundle  {}", t.model_path.display())?;
    outln!("report  {}", t.report_dir.display())?;
    if let Some(id) = &t.run_id {
        outln!(
            "run     {id} ({}) in {} ({})",
            t.run_name,
            t.experiment,
            t.tracking_uri
        )?;
    }
    if let Some(r) = &t.registered {
        print_registered(r)?;
    }
    if let (Some(p), Some(r)) = (&t.promotion, &t.registered) {
        print_promotion(&r.version.name, p)?;
    }
    Ok(())
}

fn print_promotion(name: &str, p: &Promotion) -> Result<(), OutputError> {
    let (Some(cv), Some(cr)) = (p.champion_version, p.champion_rmse) else {
        return Ok(());
    };
    let (new_v, new_r) = (p.new_version, p.new_rmse);
    if p.promoted {
        outln!(
            "promoted: version {new_v} (rmse {new_r:.4}) beats champion version {cv} (rmse {cr:.4}) on the same {} held-out rows; {name} @{CHAMPION}: {cv} -> {new_v}",
            p.rows
        )
    } else {
        outln!(
            "not promoted: version {new_v} (rmse {new_r:.4}) does not beat champion version {cv} (rmse {cr:.4}) on the same {} held-out rows; @{CHAMPION} stays at {cv}",
            p.rows
        )
    }
}

/// Writes the node-exporter textfile-collector file atomically; `rmse` is `None` when the
/// run failed (success 0, no RMSE line).
fn write_textfile(path: &Path, model: &str, rmse: Option<f64>) -> Result<()> {
    use anyhow::Context;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let label = format!(
        "{{model=\"{}\"}}",
        model.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let mut text = format!(
        "# HELP reelcast_training_last_run_timestamp_seconds Unix time the last `reelcast train` ended.\n\
         # TYPE reelcast_training_last_run_timestamp_seconds gauge\n\
         reelcast_training_last_run_timestamp_seconds{label} {now:.3}\n\
         # HELP reelcast_training_last_run_success 1 if the last `reelcast train` succeeded, 0 if it failed.\n\
         # TYPE reelcast_training_last_run_success gauge\n\
         reelcast_training_last_run_success{label} {}\n",
        u8::from(rmse.is_some())
    );
    if let Some(rmse) = rmse {
        text.push_str(&format!(
            "# HELP reelcast_training_last_run_rmse Held-out RMSE of the last successful `reelcast train`, in rating points.\n\
             # TYPE reelcast_training_last_run_rmse gauge\n\
             reelcast_training_last_run_rmse{label} {rmse}\n"
        ));
    }
    write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing the metrics textfile {}", path.display()))
}
