//! `reelcast train`: train, save the bundle and report, and track the run (params,
//! metrics, tags, artifacts) in the `[tracking]` backend; optionally register the bundle,
//! set an alias and promote it to champion when it beats the current one.
//!
//! When the backend cannot be reached, training still completes: the bundle and report
//! stay in the output directory with `pending-run.json`, which `reelcast runs push DIR`
//! replays later.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use reelcast_features::FeatureSpec;
use reelcast_pipeline::{
    evaluate, load_dataset, train, train_test_split, write_report, BundleMetadata, LoadedDataset,
    ModelBundle, ModelKind, ModelParams, TrainOptions, TrainReport,
};
use reelcast_registry::{
    fetch_bundle, sha256_hex, Backend, Error as RegistryError, Metric, RunStatus,
    BUNDLE_SHA256_TAG, CHAMPION,
};
use serde_json::{json, Value};

use crate::args::{FeaturesArg, ModelArg, TrainArgs};
use crate::commands::tracking::{
    self, ArtifactFile, RegisterRequest, Registered, RunRecord, BUNDLE_ARTIFACT,
};
use crate::commands::{data_source, ingest_options};
use crate::settings::Settings;
use crate::Outcome;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

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
    let result = run_tracked(a, settings, kind, &model_name);
    if let Some(path) = textfile {
        let rmse = result.as_ref().ok().map(|(_, rmse)| *rmse);
        if let Err(e) = write_textfile(&path, &model_name, rmse) {
            if result.is_ok() {
                return Err(e);
            }
            tracing::warn!(error = %format!("{e:#}"), "could not write the metrics textfile");
        }
    }
    result.map(|(outcome, _)| outcome)
}

/// The backend and the run created before training, or why there is none.
enum Tracking {
    Online {
        backend: Box<dyn Backend>,
        run_id: String,
    },
    Offline {
        reason: String,
    },
}

fn start_tracking(
    uri: &str,
    experiment: &str,
    run_name: &str,
    tags: &BTreeMap<String, String>,
    settings: &Settings,
) -> Result<Tracking> {
    let started = tracking::open_raw(uri, settings).and_then(|backend| {
        let run = backend.create_run(experiment, run_name, tags)?;
        Ok((backend, run.run_id))
    });
    match started {
        Ok((backend, run_id)) => Ok(Tracking::Online { backend, run_id }),
        Err(e) if tracking::is_unreachable(&e) => {
            // Reported once, on stderr, after training (with how to push the run later).
            tracing::info!(uri, error = %e, "tracking backend unreachable; the run will be saved locally");
            Ok(Tracking::Offline {
                reason: e.to_string(),
            })
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("opening the tracking backend {uri}"))),
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Flattens a JSON object into `a.b` keys with string values (strings unquoted).
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other @ (Value::Null | Value::Bool(_) | Value::Number(_) | Value::Array(_)) => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// The outcome of `--promote-if-better`.
#[derive(Debug, serde::Serialize)]
struct Promotion {
    promoted: bool,
    new_version: u64,
    new_rmse: f64,
    champion_version: Option<u64>,
    champion_rmse: Option<f64>,
    rows: usize,
}

fn run_tracked(
    a: TrainArgs,
    settings: &Settings,
    kind: ModelKind,
    model_name: &str,
) -> Result<(Outcome, f64)> {
    let test_fraction = a.test_fraction.unwrap_or(settings.train.test_fraction);
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        anyhow::bail!(
            "--test-fraction: {test_fraction} is not strictly between 0 and 1 (e.g. 0.2 holds out 20%)"
        );
    }
    if a.promote_if_better && a.alias.as_deref() == Some(CHAMPION) {
        anyhow::bail!(
            "--alias {CHAMPION} would promote the new version whatever its RMSE; drop it to let --promote-if-better decide"
        );
    }
    let seed = a.seed.unwrap_or(settings.train.seed);
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| settings.train.out_dir.clone());
    let uri = tracking::tracking_uri(&a.tracking, settings);
    let experiment = a
        .experiment
        .clone()
        .unwrap_or_else(|| settings.tracking.experiment.clone());
    let git_sha = Some(env!("REELCAST_GIT_SHA").to_owned()).filter(|s| !s.is_empty());
    let feature_set = match a.features {
        FeaturesArg::Full => "full",
        FeaturesArg::Original => "original",
    };
    let mut tags = BTreeMap::from([
        (
            "git_sha".to_owned(),
            git_sha.clone().unwrap_or_else(|| "unknown".into()),
        ),
        ("host".to_owned(), host_name()),
        (
            "reelcast_version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
        ("model_kind".to_owned(), kind.short_name().to_owned()),
    ]);
    let run_name = format!("{}-seed{seed}", kind.short_name());
    let tracking = start_tracking(&uri, &experiment, &run_name, &tags, settings)?;

    let source = data_source(&a.data);
    let trained = (|| -> Result<_> {
        let options = ingest_options(&a.data.filters, settings)?;
        let dataset =
            load_dataset(&source, &options).with_context(|| format!("loading {source}"))?;
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
            git_sha: git_sha.clone(),
        };
        let (bundle, report) = train(&dataset.movies, &dataset.version, &options)
            .with_context(|| format!("training on {source}"))?;
        let model_path = out_dir.join("model.bundle");
        bundle
            .save(&model_path)
            .with_context(|| format!("saving the bundle to {}", model_path.display()))?;
        let report_dir = out_dir.join("report");
        let report_files = write_report(&report_dir, &bundle.metadata, &report)
            .with_context(|| format!("writing the report to {}", report_dir.display()))?;
        let spec_json = serde_json::to_vec_pretty(&bundle.metadata.feature_spec)?;
        tracking::write_atomic(&out_dir.join("feature_spec.json"), &spec_json)?;
        Ok((
            dataset,
            bundle,
            report,
            model_path,
            report_dir,
            report_files,
        ))
    })();
    let (dataset, bundle, report, model_path, report_dir, report_files) = match trained {
        Ok(t) => t,
        Err(e) => {
            if let Tracking::Online { backend, run_id } = &tracking {
                if let Err(end) = backend.end_run(run_id, RunStatus::Failed) {
                    tracing::warn!(error = %end, "could not mark run {run_id} FAILED");
                }
            }
            return Err(e);
        }
    };

    // The run record: what is logged now, or saved for `runs push`.
    let m = &report.metrics;
    let meta = &bundle.metadata;
    let mut params = BTreeMap::new();
    flatten("", &serde_json::from_str(&meta.params_json)?, &mut params);
    params.insert("seed".into(), seed.to_string());
    params.insert("test_fraction".into(), test_fraction.to_string());
    params.insert("feature_set".into(), feature_set.into());
    params.insert("model_kind".into(), kind.short_name().into());
    if let Some(k) = a.cv {
        params.insert("cv_folds".into(), k.to_string());
    }
    params.insert("search".into(), a.search.to_string());
    let metrics = run_metrics(&report, meta, now_ms());
    tags.insert("dataset_version".into(), dataset.version.clone());
    tags.insert("data_source".into(), source.to_string());
    let mut artifacts = vec![ArtifactFile {
        path: BUNDLE_ARTIFACT.into(),
        file: "model.bundle".into(),
    }];
    for file in &report_files {
        let name = file
            .file_name()
            .expect("report files have names")
            .to_string_lossy()
            .into_owned();
        artifacts.push(ArtifactFile {
            path: format!("report/{name}"),
            file: Path::new("report").join(&name),
        });
    }
    artifacts.push(ArtifactFile {
        path: "feature_spec.json".into(),
        file: "feature_spec.json".into(),
    });
    let bundle_bytes = std::fs::read(&model_path)
        .with_context(|| format!("reading back {}", model_path.display()))?;
    let register = a.register.then(|| RegisterRequest {
        model_name: model_name.to_owned(),
        alias: a.alias.clone(),
        promote_if_better: a.promote_if_better,
        version_tags: BTreeMap::from([
            (BUNDLE_SHA256_TAG.to_owned(), sha256_hex(&bundle_bytes)),
            ("test_rmse".to_owned(), m.test.rmse.to_string()),
            ("dataset_version".to_owned(), dataset.version.clone()),
            ("model_kind".to_owned(), kind.short_name().to_owned()),
            ("seed".to_owned(), seed.to_string()),
            ("test_fraction".to_owned(), test_fraction.to_string()),
        ]),
    });
    let mut record = RunRecord {
        tracking_uri: uri.clone(),
        experiment: experiment.clone(),
        run_name,
        params,
        metrics,
        tags,
        artifacts,
        register,
        error: None,
    };

    // Log, register, promote; a backend lost mid-way sends the run to pending-run.json.
    let mut run_id = None;
    let mut registered = None;
    let mut promotion = None;
    let mut pending = None;
    let mut gate_failed = false;
    match tracking {
        Tracking::Online {
            backend,
            run_id: id,
        } => {
            let published = (|| -> Result<(Option<Registered>, Option<Promotion>)> {
                record.log(backend.as_ref(), &id, &out_dir)?;
                let Some(request) = &record.register else {
                    return Ok((None, None));
                };
                let reg = tracking::register(backend.as_ref(), request, &id)?;
                let promo = if request.promote_if_better && !reg.first_champion {
                    Some(promote_if_better(
                        backend.as_ref(),
                        &reg,
                        &dataset,
                        &bundle,
                        seed,
                        test_fraction,
                    )?)
                } else {
                    None
                };
                Ok((Some(reg), promo))
            })();
            match published {
                Ok((reg, promo)) => {
                    backend
                        .end_run(&id, RunStatus::Finished)
                        .with_context(|| format!("ending run {id}"))?;
                    run_id = Some(id);
                    registered = reg;
                    promotion = promo;
                }
                Err(e) => {
                    let _ = backend.end_run(&id, RunStatus::Failed);
                    let unreachable = e
                        .downcast_ref::<RegistryError>()
                        .is_some_and(tracking::is_unreachable);
                    if !unreachable {
                        return Err(
                            e.context(format!("tracking run {id} in {uri} (marked FAILED)"))
                        );
                    }
                    record.error = Some(format!("{e:#}"));
                    pending = Some(record.save_pending(&out_dir)?);
                }
            }
        }
        Tracking::Offline { reason } => {
            record.error = Some(reason);
            pending = Some(record.save_pending(&out_dir)?);
        }
    }
    if let Some(p) = &promotion {
        gate_failed = a.require_better && !p.promoted;
    }

    if a.json {
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
            "search": report.search,
            "model_path": model_path,
            "report_dir": report_dir,
            "dataset_version": dataset.version,
            "seed": seed,
            "fit_seconds": report.fit_seconds,
            "params": serde_json::from_str::<Value>(&meta.params_json)?,
            "tracking": {
                "uri": uri,
                "experiment": experiment,
                "run_id": run_id,
                "pending_run": pending,
            },
            "registered": registered.as_ref().map(|r| json!({
                "name": r.version.name,
                "version": r.version.version,
                "aliases": r.version.aliases,
                "first_champion": r.first_champion,
            })),
            "promotion": promotion,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_text(
            &source.to_string(),
            &dataset,
            &bundle,
            &report,
            &model_path,
            &report_dir,
        );
        if let Some(id) = &run_id {
            println!("run     {id} in {experiment} ({uri})");
        }
        if let Some(r) = &registered {
            r.print();
        }
        if let Some(p) = &promotion {
            print_promotion(model_name, p);
        }
    }
    if let Some(path) = &pending {
        let how = format!(
            "the bundle and report are in {}, the run is saved in {}; push it with `reelcast runs push {}`",
            out_dir.display(),
            path.display(),
            out_dir.display()
        );
        let reason = record.error.as_deref().unwrap_or("unknown error");
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
    Ok((outcome, m.test.rmse))
}

/// The metrics a training run logs; CV folds are steps of `cv_rmse`.
fn run_metrics(report: &TrainReport, meta: &BundleMetadata, now: i64) -> Vec<Metric> {
    let m = &report.metrics;
    let metric = |key: &str, value: f64, step: i64| Metric {
        key: key.into(),
        value,
        step,
        timestamp_ms: now,
    };
    let mut metrics = vec![
        metric("test_rmse", m.test.rmse, 0),
        metric("test_mae", m.test.mae, 0),
        metric("test_r2", m.test.r2, 0),
        metric("baseline_rmse", m.baseline.rmse, 0),
        metric("baseline_mae", m.baseline.mae, 0),
        metric("baseline_r2", m.baseline.r2, 0),
        metric("fit_seconds", report.fit_seconds, 0),
        metric("n_train", meta.n_train as f64, 0),
        metric("n_test", meta.n_test as f64, 0),
    ];
    if let Some(cv) = &m.cv {
        for (fold, f) in cv.folds.iter().enumerate() {
            metrics.push(metric("cv_rmse", f.rmse, fold as i64));
        }
        metrics.push(metric("cv_rmse_mean", cv.rmse_mean, 0));
        metrics.push(metric("cv_rmse_std", cv.rmse_std, 0));
    }
    metrics
}

fn print_text(
    source: &str,
    dataset: &LoadedDataset,
    bundle: &ModelBundle,
    report: &TrainReport,
    model_path: &Path,
    report_dir: &Path,
) {
    let m = &report.metrics;
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

fn print_promotion(name: &str, p: &Promotion) {
    let (Some(cv), Some(cr)) = (p.champion_version, p.champion_rmse) else {
        return;
    };
    let (new_v, new_r) = (p.new_version, p.new_rmse);
    if p.promoted {
        println!(
            "promoted: version {new_v} (rmse {new_r:.4}) beats champion version {cv} (rmse {cr:.4}) on the same {} held-out rows; {name} @{CHAMPION}: {cv} -> {new_v}",
            p.rows
        );
    } else {
        println!(
            "not promoted: version {new_v} (rmse {new_r:.4}) does not beat champion version {cv} (rmse {cr:.4}) on the same {} held-out rows; @{CHAMPION} stays at {cv}",
            p.rows
        );
    }
}

/// Re-scores the champion and the new version on the new model's held-out split of the
/// current data (the split `train` made: same rows, fraction and seed) and moves
/// `champion` when the new RMSE is strictly lower. The champion may have been trained on
/// some of these rows when its data or seed differed; the comparison is still on data
/// the new model never saw.
fn promote_if_better(
    backend: &dyn Backend,
    new: &Registered,
    dataset: &LoadedDataset,
    bundle: &ModelBundle,
    seed: u64,
    test_fraction: f64,
) -> Result<Promotion> {
    let name = &new.version.name;
    let champion = backend
        .get_alias(name, CHAMPION)?
        .context("the model has no champion to compare with")?;
    let champion_path = PathBuf::from(format!("models:/{name}/{}", champion.version));
    let champion_bundle = fetch_bundle(backend, &champion)
        .map_err(anyhow::Error::new)
        .and_then(|bytes| Ok(ModelBundle::from_bytes(&bytes, &champion_path)?))
        .with_context(|| format!("loading champion version {} of {name}", champion.version))?;
    let split = train_test_split(dataset.movies.len(), test_fraction, seed)?;
    let rows: Vec<_> = split
        .test
        .iter()
        .map(|&i| dataset.movies[i].clone())
        .collect();
    let champion_rmse = evaluate(&champion_bundle, &rows)
        .with_context(|| format!("scoring champion version {}", champion.version))?
        .rmse;
    let new_rmse = evaluate(bundle, &rows)?.rmse;
    let promoted = new_rmse < champion_rmse && champion.version != new.version.version;
    if promoted {
        backend.set_alias(name, CHAMPION, new.version.version)?;
    }
    Ok(Promotion {
        promoted,
        new_version: new.version.version,
        new_rmse,
        champion_version: Some(champion.version),
        champion_rmse: Some(champion_rmse),
        rows: rows.len(),
    })
}

/// Writes the node-exporter textfile-collector file atomically; `rmse` is `None` when the
/// run failed (success 0, no RMSE line).
fn write_textfile(path: &Path, model: &str, rmse: Option<f64>) -> Result<()> {
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
    tracking::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing the metrics textfile {}", path.display()))
}
