//! `reelcast train`.

use anyhow::{Context, Result};
use reelcast_features::FeatureSpec;
use reelcast_pipeline::{load_dataset, train, write_report, ModelKind, ModelParams, TrainOptions};
use serde_json::json;

use crate::args::{FeaturesArg, ModelArg, TrainArgs};
use crate::commands::{data_source, ingest_options};
use crate::settings::Settings;
use crate::Outcome;

pub(crate) fn run(a: TrainArgs, settings: &Settings) -> Result<Outcome> {
    let test_fraction = a.test_fraction.unwrap_or(settings.train.test_fraction);
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        anyhow::bail!(
            "--test-fraction: {test_fraction} is not strictly between 0 and 1 (e.g. 0.2 holds out 20%)"
        );
    }
    let seed = a.seed.unwrap_or(settings.train.seed);
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| settings.train.out_dir.clone());
    let source = data_source(&a.data);
    let options = ingest_options(&a.data.filters, settings)?;
    let dataset = load_dataset(&source, &options).with_context(|| format!("loading {source}"))?;

    let kind = match a.model {
        Some(ModelArg::Rf) => ModelKind::RandomForest,
        Some(ModelArg::Gbt) => ModelKind::GradientBoosting,
        None => ModelKind::parse(&settings.train.model)
            .expect("settings checked the model name at load"),
    };
    let mut params = ModelParams::for_kind(kind);
    if let Some(n) = a.trees {
        params = params.with_trees(n);
    }
    let options = TrainOptions {
        params,
        seed,
        test_fraction,
        cv_folds: a.cv,
        search: a.search,
        feature_spec: match a.features {
            FeaturesArg::Full => FeatureSpec::default(),
            FeaturesArg::Original => FeatureSpec::original(),
        },
        git_sha: Some(env!("REELCAST_GIT_SHA").to_owned()).filter(|s| !s.is_empty()),
    };
    let (bundle, report) = train(&dataset.movies, &dataset.version, &options)
        .with_context(|| format!("training on {source}"))?;

    let model_path = out_dir.join("model.bundle");
    bundle
        .save(&model_path)
        .with_context(|| format!("saving the bundle to {}", model_path.display()))?;
    let report_dir = out_dir.join("report");
    write_report(&report_dir, &bundle.metadata, &report)
        .with_context(|| format!("writing the report to {}", report_dir.display()))?;

    let m = &report.metrics;
    if a.json {
        let out = json!({
            "model_name": bundle.metadata.model_name,
            "model_kind": bundle.metadata.model_kind,
            "rmse": m.test.rmse,
            "mae": m.test.mae,
            "r2": m.test.r2,
            "n_train": bundle.metadata.n_train,
            "n_test": bundle.metadata.n_test,
            "baseline": m.baseline,
            "cv": m.cv,
            "search": report.search,
            "model_path": model_path,
            "report_dir": report_dir,
            "dataset_version": dataset.version,
            "seed": seed,
            "fit_seconds": report.fit_seconds,
            "params": serde_json::from_str::<serde_json::Value>(&bundle.metadata.params_json)?,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "trained {} on {} titles from {} (dataset {}), tested on {}",
            bundle.metadata.model_name,
            bundle.metadata.n_train,
            source,
            dataset.version,
            bundle.metadata.n_test
        );
        println!("{:<10} {:>7} {:>7} {:>7}", "", "rmse", "mae", "r2");
        for (name, x) in [("model", &m.test), ("baseline", &m.baseline)] {
            println!("{name:<10} {:>7.4} {:>7.4} {:>7.4}", x.rmse, x.mae, x.r2);
        }
        if let Some(cv) = &m.cv {
            println!(
                "cv         rmse {:.4} ± {:.4} over {} folds",
                cv.rmse_mean,
                cv.rmse_std,
                cv.folds.len()
            );
        }
        println!(
            "rmse {:.1}% below the mean-predictor baseline; fit {:.2}s",
            100.0 * (1.0 - m.test.rmse / m.baseline.rmse),
            report.fit_seconds
        );
        println!("bundle  {}", model_path.display());
        println!("report  {}", report_dir.display());
    }
    Ok(Outcome::Ok)
}
