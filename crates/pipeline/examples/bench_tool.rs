//! Benchmark helper used by `bench/*.sh`: exports the exact train/test feature matrices
//! reelcast uses (so scikit-learn can be trained on the same rows and features) and fits
//! reelcast's own models on such matrices, printing timings and metrics as JSON.
//!
//! ```text
//! cargo run --release -p reelcast-pipeline --example bench_tool -- export --out DIR [--data DIR] [--max-rows N]
//! cargo run --release -p reelcast-pipeline --example bench_tool -- fit --dir DIR --set full|basics|original --model rf [--trees N] [--min-samples-leaf K] [--max-features F]
//! cargo run --release -p reelcast-pipeline --example bench_tool -- crew-cv [--seed S] [--folds K]
//! ```
//!
//! `crew-cv` chooses the crew features' settings without touching held-out films: on the
//! training rows of the seeded split only, each setting is scored by K-fold
//! cross-validation (features and model fitted on K-1 folds, RMSE on the last).

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use reelcast_core::{MovieInput, MovieRecord};
use reelcast_data::IngestOptions;
use reelcast_features::{CrewSpec, FeatureSpec};
use reelcast_model::{metrics, BoostingParams, Dataset, ForestParams};
use reelcast_pipeline::{load_dataset, train_test_split, DataSource, ModelParams, TrainedModel};

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn write_matrix(path: &Path, names: &[String], x: &[f32], y: &[f32]) -> AnyResult<()> {
    let mut w = csv::Writer::from_path(path)?;
    let mut header: Vec<&str> = names.iter().map(String::as_str).collect();
    header.push("rating");
    w.write_record(&header)?;
    let width = names.len();
    for (row, target) in x.chunks(width).zip(y) {
        let mut rec: Vec<String> = row.iter().map(|v| v.to_string()).collect();
        rec.push(target.to_string());
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

fn read_matrix(path: &Path) -> AnyResult<Dataset> {
    let mut r = csv::Reader::from_path(path)?;
    let names: Vec<String> = r.headers()?.iter().map(str::to_owned).collect();
    let width = names.len() - 1;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec?;
        for (j, v) in rec.iter().enumerate() {
            let v: f32 = v.parse()?;
            if j < width {
                x.push(v)
            } else {
                y.push(v)
            }
        }
    }
    Ok(Dataset::new(x, width, y, names[..width].to_vec())?)
}

fn export(args: &[String]) -> AnyResult<()> {
    let out = PathBuf::from(arg(args, "--out").ok_or("--out DIR is required")?);
    let source =
        arg(args, "--data").map_or(DataSource::Embedded, |d| DataSource::Directory(d.into()));
    let seed: u64 = arg(args, "--seed").map_or(Ok(42), |s| s.parse())?;
    let fraction: f64 = arg(args, "--test-fraction").map_or(Ok(0.2), |s| s.parse())?;
    let mut movies: Vec<MovieRecord> = load_dataset(&source, &IngestOptions::default())?.movies;
    if let Some(max) = arg(args, "--max-rows") {
        let max: usize = max.parse()?;
        movies.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
        movies.truncate(max);
    }
    std::fs::create_dir_all(&out)?;
    let split = train_test_split(movies.len(), fraction, seed)?;
    let inputs =
        |rows: &[usize]| -> Vec<MovieInput> { rows.iter().map(|&i| movies[i].input()).collect() };
    let targets =
        |rows: &[usize]| -> Vec<f32> { rows.iter().map(|&i| movies[i].rating.get()).collect() };
    let (train_in, test_in) = (inputs(&split.train), inputs(&split.test));
    let (train_y, test_y) = (targets(&split.train), targets(&split.test));
    // Person names only label the people table; the features use the nconsts.
    let names = HashMap::new();
    // `full` is the default feature set with its crew features (out of fold on the
    // training rows, as `reelcast train` builds them); `basics` the same without crew;
    // `original` the original system's three raw columns.
    for (set, spec) in [
        ("full", FeatureSpec::default()),
        ("basics", FeatureSpec::basics_only()),
        ("original", FeatureSpec::original()),
    ] {
        let fitted = spec.fit_rated(&train_in, &train_y, &names)?;
        write_matrix(
            &out.join(format!("{set}_train.csv")),
            fitted.names(),
            &fitted.transform_training(&train_in, &train_y),
            &train_y,
        )?;
        write_matrix(
            &out.join(format!("{set}_test.csv")),
            fitted.names(),
            &fitted.transform_batch(&test_in),
            &test_y,
        )?;
    }
    println!(
        "{{\"rows\": {}, \"n_train\": {}, \"n_test\": {}}}",
        movies.len(),
        split.train.len(),
        split.test.len()
    );
    Ok(())
}

fn fit(args: &[String]) -> AnyResult<()> {
    let dir = PathBuf::from(arg(args, "--dir").ok_or("--dir DIR is required")?);
    let set = arg(args, "--set").unwrap_or_else(|| "full".into());
    let train = read_matrix(&dir.join(format!("{set}_train.csv")))?;
    let test = read_matrix(&dir.join(format!("{set}_test.csv")))?;
    let params = match arg(args, "--model").as_deref() {
        None => ModelParams::default(),
        Some("rf") => {
            let mut p = ForestParams::default();
            if let Some(v) = arg(args, "--min-samples-leaf") {
                p = p.min_samples_leaf(v.parse()?)
            }
            if let Some(v) = arg(args, "--max-features") {
                p = p.max_features(v.parse()?)
            }
            ModelParams::RandomForest(p)
        }
        Some("gbt") => {
            let mut p = BoostingParams::default();
            if let Some(v) = arg(args, "--learning-rate") {
                p = p.learning_rate(v.parse()?)
            }
            if let Some(v) = arg(args, "--max-leaf-nodes") {
                p = p.max_leaf_nodes(Some(v.parse()?))
            }
            if let Some(v) = arg(args, "--min-samples-leaf") {
                p = p.min_samples_leaf(v.parse()?)
            }
            if let Some(v) = arg(args, "--subsample") {
                p = p.subsample(v.parse()?)
            }
            if let Some(v) = arg(args, "--max-features") {
                p = p.max_features(v.parse()?)
            }
            if let Some(v) = arg(args, "--l2") {
                p = p.l2_regularization(v.parse()?)
            }
            ModelParams::GradientBoosting(p)
        }
        Some(other) => return Err(format!("unknown --model {other}").into()),
    };
    let params = match arg(args, "--trees") {
        Some(n) => params.with_trees(n.parse()?),
        None => params,
    };
    let started = Instant::now();
    let model: TrainedModel = params.fit(&train)?;
    let fit_s = started.elapsed().as_secs_f64();
    let predicted = model.predict_batch(test.features());
    let predicted: Vec<f64> = predicted.into_iter().map(|p| p.clamp(1.0, 10.0)).collect();

    // Single-row latency: every test row once per pass, several passes, median pass.
    let width = test.n_features();
    let mut passes = Vec::new();
    let mut sink = 0.0;
    for _ in 0..7 {
        let t = Instant::now();
        for row in test.features().chunks(width) {
            sink += model.predict_row(row);
        }
        passes.push(t.elapsed().as_secs_f64() / test.n_rows() as f64);
    }
    passes.sort_by(f64::total_cmp);
    // Batch throughput on at least 1M rows (test rows repeated): median of 5 passes.
    let reps = (1_000_000 / test.n_rows()).max(1);
    let big: Vec<f32> = test.features().repeat(reps);
    let mut batch_passes = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let out = model.predict_batch(&big);
        batch_passes.push(t.elapsed().as_secs_f64());
        sink += out[0];
    }
    batch_passes.sort_by(f64::total_cmp);
    let batch_s = batch_passes[batch_passes.len() / 2];
    println!(
        "{}",
        serde_json::json!({
            "tool": "reelcast", "model": model.kind().short_name(), "set": set,
            "params": model.params_json(),
            "n_train": train.n_rows(), "n_test": test.n_rows(), "n_features": width,
            "fit_s": fit_s,
            "rmse": metrics::rmse(&predicted, test.targets()),
            "mae": metrics::mae(&predicted, test.targets()),
            "r2": metrics::r2(&predicted, test.targets()),
            "predict_row_us": passes[passes.len() / 2] * 1e6,
            "batch_rows_per_s": (reps * test.n_rows()) as f64 / batch_s,
            "checksum": sink.is_finite(),
        })
    );
    Ok(())
}

fn crew_cv(args: &[String]) -> AnyResult<()> {
    let seed: u64 = arg(args, "--seed").map_or(Ok(42), |s| s.parse())?;
    let folds: usize = arg(args, "--folds").map_or(Ok(5), |s| s.parse())?;
    let movies: Vec<MovieRecord> =
        load_dataset(&DataSource::Embedded, &IngestOptions::default())?.movies;
    let split = train_test_split(movies.len(), 0.2, seed)?;
    let mut rows = split.train;
    rows.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    let names = HashMap::new();
    for top_cast in [2u8, 4, 6] {
        for smoothing in [1.0f32, 3.0, 10.0, 30.0] {
            let spec = FeatureSpec {
                crew: Some(CrewSpec {
                    top_cast,
                    smoothing,
                    ..CrewSpec::default()
                }),
                ..FeatureSpec::default()
            };
            let mut rmses = Vec::new();
            for k in 0..folds {
                let (fit_rows, score_rows): (Vec<usize>, Vec<usize>) =
                    (0..rows.len()).partition(|i| i % folds != k);
                let pick = |of: &[usize]| -> (Vec<MovieInput>, Vec<f32>) {
                    of.iter()
                        .map(|&i| (movies[rows[i]].input(), movies[rows[i]].rating.get()))
                        .unzip()
                };
                let ((fit_in, fit_y), (score_in, score_y)) = (pick(&fit_rows), pick(&score_rows));
                let fitted = spec.fit_rated(&fit_in, &fit_y, &names)?;
                let width = fitted.names().len();
                let data = Dataset::new(
                    fitted.transform_training(&fit_in, &fit_y),
                    width,
                    fit_y,
                    fitted.names().to_vec(),
                )?;
                let model = ModelParams::default().fit(&data)?;
                let predicted: Vec<f64> = model
                    .predict_batch(&fitted.transform_batch(&score_in))
                    .into_iter()
                    .map(|p| p.clamp(1.0, 10.0))
                    .collect();
                rmses.push(metrics::rmse(&predicted, &score_y));
            }
            let mean = rmses.iter().sum::<f64>() / rmses.len() as f64;
            println!(
                "{}",
                serde_json::json!({"top_cast": top_cast, "smoothing": smoothing,
                    "folds": folds, "cv_rmse": mean, "n_train": rows.len()})
            );
        }
    }
    Ok(())
}

fn main() -> AnyResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("export") => export(&args),
        Some("fit") => fit(&args),
        Some("crew-cv") => crew_cv(&args),
        _ => Err("usage: bench_tool export --out DIR [--data DIR] [--max-rows N] | fit --dir DIR --set full|basics|original [--model rf|gbt] [--trees N]".into()),
    }
}
