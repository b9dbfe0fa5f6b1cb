//! [`train_tracked`]: train, save, log and end the run FINISHED, then register and
//! promote; offline runs go to `pending-run.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reelcast_features::FeatureSpec;
use reelcast_registry::{
    has_userinfo, open, redact_text, redact_uri, sha256_hex, strip_userinfo, Backend, Metric,
    RunStatus, BUNDLE_SHA256_TAG,
};
use serde_json::Value;

use super::liveness::{collect_stale_runs, owner_tags, CollectedRun};
use super::model_folder::{
    dataset_input, mlmodel, model_description, version_description, VersionFacts, MODEL_DIR,
    MODEL_FEATURE_SPEC_ARTIFACT,
};
use super::record::{write_atomic, ArtifactFile, RegisterRequest, RunRecord};
use super::register::{check_names, promote_if_better, register, Promotion, Registered};
use super::{
    Error, Result, TrackOptions, TrainRequest, BUNDLE_ARTIFACT, FAILURE_REASON_TAG, TRAIN_GC_LIMIT,
};
use crate::{
    load_dataset, train, write_report, BundleMetadata, LoadedDataset, ModelBundle, TrainReport,
};

/// A run saved locally because the backend could not be reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pending {
    /// `pending-run.json`.
    pub path: PathBuf,
    /// Why it was not logged (credentials redacted).
    pub reason: String,
}

/// What [`train_tracked`] did.
#[derive(Debug)]
pub struct TrackedTraining {
    /// The data trained on.
    pub dataset: LoadedDataset,
    /// The trained bundle.
    pub bundle: ModelBundle,
    /// Metrics, search results, importances.
    pub report: TrainReport,
    /// The saved bundle file.
    pub model_path: PathBuf,
    /// The report directory.
    pub report_dir: PathBuf,
    /// The tracking URI, credentials redacted.
    pub tracking_uri: String,
    /// The experiment.
    pub experiment: String,
    /// The run's name (`gbt-seed42-<8 hex digits>`, unique).
    pub run_name: String,
    /// The logged run, when the backend was reachable.
    pub run_id: Option<String>,
    /// The registered version, when asked for and logged.
    pub registered: Option<Registered>,
    /// The outcome of `promote_if_better`, when it compared.
    pub promotion: Option<Promotion>,
    /// The run saved locally, when the backend was unreachable.
    pub pending: Option<Pending>,
    /// Things the user should know (e.g. the model is no better than the mean baseline).
    pub warnings: Vec<String>,
    /// Runs of killed processes this training ended as KILLED.
    pub collected: Vec<CollectedRun>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `gbt-seed42-1a2b3c4d`: the kind, the seed and 8 hex digits that differ per run.
fn unique_run_name(kind: &str, seed: u64) -> String {
    use sha2::Digest;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let digest = sha2::Sha256::digest(format!("{nanos}:{}:{kind}:{seed}", std::process::id()));
    let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}-seed{seed}-{short}")
}

/// The user MLflow shows for a run (`mlflow.user`), as MLflow's client reads it.
fn user_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// The tags a run starts with: reelcast's, MLflow's conventions, and its owner process.
fn start_tags(request: &TrainRequest) -> BTreeMap<String, String> {
    let kind = request.train.params.kind().short_name();
    let git = request.train.git_sha.clone();
    let mut tags = BTreeMap::from([
        (
            "git_sha".to_owned(),
            git.clone().unwrap_or_else(|| "unknown".into()),
        ),
        (
            "reelcast_version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
        ("model_kind".to_owned(), kind.to_owned()),
        ("mlflow.user".to_owned(), user_name()),
        ("mlflow.source.name".to_owned(), "reelcast train".to_owned()),
        ("mlflow.source.type".to_owned(), "LOCAL".to_owned()),
    ]);
    if let Some(sha) = git {
        tags.insert("mlflow.source.git.commit".to_owned(), sha);
    }
    tags.extend(owner_tags());
    tags
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

/// Loads, trains and writes the bundle, report and feature spec into `out_dir`.
fn train_and_save(
    request: &TrainRequest,
) -> Result<(
    LoadedDataset,
    ModelBundle,
    TrainReport,
    PathBuf,
    PathBuf,
    Vec<PathBuf>,
)> {
    let source = &request.source;
    let out_dir = &request.out_dir;
    let dataset = load_dataset(source, &request.ingest)
        .map_err(|e| Error::pipeline(format!("loading {source}"), e))?;
    let (bundle, report) = train(&dataset.movies, &dataset.version, &request.train)
        .map_err(|e| Error::pipeline(format!("training on {source}"), e))?;
    let model_path = out_dir.join("model.bundle");
    bundle.save(&model_path).map_err(|e| {
        Error::pipeline(format!("saving the bundle to {}", model_path.display()), e)
    })?;
    let report_dir = out_dir.join("report");
    let report_files = write_report(&report_dir, &bundle.metadata, &report).map_err(|e| {
        Error::pipeline(format!("writing the report to {}", report_dir.display()), e)
    })?;
    let spec_json = serde_json::to_vec_pretty(&bundle.metadata.feature_spec)
        .map_err(|e| Error::Invalid(format!("encoding the feature spec: {e}")))?;
    write_atomic(&out_dir.join("feature_spec.json"), &spec_json)?;
    Ok((
        dataset,
        bundle,
        report,
        model_path,
        report_dir,
        report_files,
    ))
}

/// The backend and the run created before training, or why there is none.
enum Tracking {
    Online {
        backend: Box<dyn Backend>,
        run_id: String,
        collected: Vec<CollectedRun>,
    },
    Offline {
        reason: String,
    },
}

fn start_tracking(
    tracking: &TrackOptions,
    run_name: &str,
    tags: &BTreeMap<String, String>,
    start_ms: i64,
) -> Result<Tracking> {
    let shown = redact_uri(&tracking.tracking_uri);
    let backend = match open(&tracking.tracking_uri, &tracking.open) {
        Ok(backend) => backend,
        Err(e) => {
            return Err(Error::registry(
                format!("opening the tracking backend {shown}"),
                e,
            ))
        }
    };
    // Cheap (one listing of the newest runs) and never fatal: a failure is only logged.
    let collected = collect_stale_runs(backend.as_ref(), &tracking.experiment, TRAIN_GC_LIMIT)
        .unwrap_or_else(|e| {
            if !e.is_unreachable() {
                tracing::warn!(error = %e.chain(), "could not collect stale runs");
            }
            Vec::new()
        });
    match backend.create_run_at(&tracking.experiment, run_name, tags, start_ms) {
        Ok(run) => Ok(Tracking::Online {
            backend,
            run_id: run.run_id,
            collected,
        }),
        Err(e @ reelcast_registry::Error::Unavailable(_)) => {
            let reason = redact_text(&e.to_string());
            // Reported once by the caller, after training, with how to push the run later.
            tracing::info!(uri = %shown, error = %reason, "tracking backend unreachable; the run will be saved locally");
            Ok(Tracking::Offline { reason })
        }
        Err(e) => Err(Error::registry(format!("creating a run in {shown}"), e)),
    }
}

/// Ends `run_id` as FAILED, recording why in the `reelcast.failure_reason` tag (best
/// effort: the backend may be what failed).
pub(crate) fn fail_run(backend: &dyn Backend, run_id: &str, why: &str) {
    // MLflow keeps tag values up to 8000 characters.
    let reason: String = why.chars().take(4000).collect();
    let tags = BTreeMap::from([(FAILURE_REASON_TAG.to_owned(), reason)]);
    let ended = backend
        .log_batch(run_id, &BTreeMap::new(), &[], &tags)
        .and_then(|()| backend.end_run(run_id, RunStatus::Failed));
    if let Err(e) = ended {
        tracing::warn!(run_id, error = %crate::track::error_chain(&e), "could not mark the run FAILED");
    }
}

/// The run record of a finished training.
fn build_record(
    request: &TrainRequest,
    tracking: &TrackOptions,
    run_name: &str,
    mut tags: BTreeMap<String, String>,
    trained: (
        &LoadedDataset,
        &ModelBundle,
        &TrainReport,
        &[PathBuf],
        &Path,
    ),
    times: (i64, i64),
) -> Result<RunRecord> {
    let (dataset, bundle, report, report_files, model_path) = trained;
    let meta = &bundle.metadata;
    let options = &request.train;
    let kind = options.params.kind().short_name();
    let mut params = BTreeMap::new();
    let params_json: Value = serde_json::from_str(&meta.params_json)
        .map_err(|e| Error::Invalid(format!("reading the bundle's params: {e}")))?;
    flatten("", &params_json, &mut params);
    params.insert("seed".into(), options.seed.to_string());
    params.insert("test_fraction".into(), options.test_fraction.to_string());
    let feature_set = if options.feature_spec == FeatureSpec::original() {
        "original"
    } else {
        "full"
    };
    params.insert("feature_set".into(), feature_set.into());
    params.insert("model_kind".into(), kind.into());
    if let Some(crew) = bundle.features.crew() {
        let spec = crew.spec();
        params.insert("crew_top_cast".into(), spec.top_cast.to_string());
        params.insert("crew_smoothing".into(), spec.smoothing.to_string());
        params.insert("crew_folds".into(), spec.folds.to_string());
        let min_films = spec.min_person_films.to_string();
        params.insert("crew_min_person_films".into(), min_films);
    }
    if let Some(k) = options.cv_folds {
        params.insert("cv_folds".into(), k.to_string());
    }
    params.insert("search".into(), options.search.to_string());
    tags.insert("dataset_version".into(), dataset.version.clone());
    tags.insert("data_source".into(), request.source.to_string());
    let mut artifacts: Vec<ArtifactFile> = report_files
        .iter()
        .filter_map(|file| file.file_name())
        .map(|name| {
            let name = name.to_string_lossy().into_owned();
            ArtifactFile {
                path: format!("report/{name}"),
                file: Path::new("report").join(&name),
            }
        })
        .collect();
    artifacts.push(ArtifactFile {
        path: "feature_spec.json".into(),
        file: "feature_spec.json".into(),
    });
    // Last, the model folder: what a version points at, complete only after the rest (its
    // MLmodel goes after the bundle, see `RunRecord::log`).
    artifacts.push(ArtifactFile {
        path: MODEL_FEATURE_SPEC_ARTIFACT.into(),
        file: "feature_spec.json".into(),
    });
    artifacts.push(ArtifactFile {
        path: BUNDLE_ARTIFACT.into(),
        file: "model.bundle".into(),
    });
    let bundle_bytes = std::fs::read(model_path)
        .map_err(|e| Error::io(format!("reading back {}", model_path.display()), e))?;
    let spec_file = request.out_dir.join("feature_spec.json");
    let spec_bytes = std::fs::metadata(&spec_file)
        .map_err(|e| Error::io(format!("reading back {}", spec_file.display()), e))?
        .len();
    let m = &report.metrics;
    let kind_enum = options.params.kind();
    let register = tracking.register.as_ref().map(|r| RegisterRequest {
        model_name: r.model_name.clone(),
        artifact_path: MODEL_DIR.to_owned(),
        description: version_description(&VersionFacts {
            kind: kind_enum,
            dataset_version: &dataset.version,
            n_train: meta.n_train,
            n_test: meta.n_test,
            test_rmse: m.test.rmse,
            baseline_rmse: m.baseline.rmse,
            run_name,
        }),
        model_description: model_description(kind_enum),
        alias: r.alias.clone(),
        promote_if_better: r.promote_if_better,
        version_tags: BTreeMap::from([
            (BUNDLE_SHA256_TAG.to_owned(), sha256_hex(&bundle_bytes)),
            ("test_rmse".to_owned(), m.test.rmse.to_string()),
            ("dataset_version".to_owned(), dataset.version.clone()),
            ("model_kind".to_owned(), kind.to_owned()),
            ("seed".to_owned(), options.seed.to_string()),
            (
                "test_fraction".to_owned(),
                options.test_fraction.to_string(),
            ),
        ]),
    });
    Ok(RunRecord {
        tracking_uri: strip_userinfo(&tracking.tracking_uri),
        credentials_removed: has_userinfo(&tracking.tracking_uri),
        experiment: tracking.experiment.clone(),
        run_name: run_name.to_owned(),
        params,
        metrics: run_metrics(report, meta, times.1),
        tags,
        artifacts,
        mlmodel: Some(mlmodel(&bundle_bytes, spec_bytes)),
        inputs: vec![dataset_input(
            &request.source,
            &dataset.version,
            &dataset.movies,
        )],
        register,
        start_time_ms: times.0,
        end_time_ms: times.1,
        error: None,
    })
}

/// Warnings about a trained model that still counts as trained.
fn model_warnings(report: &TrainReport) -> Vec<String> {
    let (model, baseline) = (report.metrics.test.rmse, report.metrics.baseline.rmse);
    if model < baseline {
        return Vec::new();
    }
    vec![format!(
        "the model is no better than predicting the mean rating: test RMSE {model:.4} >= mean-predictor baseline {baseline:.4}; check the data (enough rows? the right filters?) and the parameters before registering or serving it"
    )]
}

/// Trains on `request`, saves the bundle and report in its `out_dir`, logs the run to
/// `tracking` (params, metrics, tags, artifacts) and ends it FINISHED, then registers and
/// promotes as asked. First, runs of this experiment whose process is gone are ended as
/// KILLED.
///
/// A model name or alias to register that the registry would refuse is an error before
/// anything is trained or logged.
///
/// When the backend cannot be reached (at the start or mid-way), training still
/// completes and the run is saved as `out_dir/pending-run.json` ([`TrackedTraining::pending`]).
/// A training or logging failure ends the run as FAILED with the reason in a tag; a
/// registration or promotion failure after that is an [`Error::Registration`] and leaves
/// the run FINISHED.
pub fn train_tracked(request: &TrainRequest, tracking: &TrackOptions) -> Result<TrackedTraining> {
    if let Some(r) = &tracking.register {
        r.check()?;
        check_names(&r.model_name, r.alias.as_deref())?;
    }
    let kind = request.train.params.kind().short_name();
    let run_name = unique_run_name(kind, request.train.seed);
    let tags = start_tags(request);
    let start_ms = now_ms();
    let shown_uri = redact_uri(&tracking.tracking_uri);
    let online = start_tracking(tracking, &run_name, &tags, start_ms)?;

    let (dataset, bundle, report, model_path, report_dir, report_files) =
        match train_and_save(request) {
            Ok(t) => t,
            Err(e) => {
                if let Tracking::Online {
                    backend, run_id, ..
                } = &online
                {
                    fail_run(backend.as_ref(), run_id, &e.chain());
                }
                return Err(e);
            }
        };
    let end_ms = now_ms();
    let mut record = build_record(
        request,
        tracking,
        &run_name,
        tags,
        (&dataset, &bundle, &report, &report_files, &model_path),
        (start_ms, end_ms),
    )?;
    let warnings = model_warnings(&report);

    let mut result = TrackedTraining {
        tracking_uri: shown_uri.clone(),
        experiment: tracking.experiment.clone(),
        run_name,
        run_id: None,
        registered: None,
        promotion: None,
        pending: None,
        warnings,
        collected: Vec::new(),
        dataset,
        bundle,
        report,
        model_path,
        report_dir,
    };
    let reason = match online {
        Tracking::Offline { reason } => reason,
        Tracking::Online {
            backend,
            run_id,
            collected,
        } => {
            result.collected = collected;
            // The run ends FINISHED once all its artifacts are logged and before any version
            // points at it: a kill during registration or promotion leaves a FINISHED run,
            // never a version on a run that `runs gc` then ends KILLED.
            let logged = record
                .log(backend.as_ref(), &run_id, &request.out_dir)
                .and_then(|()| {
                    backend
                        .end_run_at(&run_id, RunStatus::Finished, now_ms())
                        .map_err(|e| Error::registry(format!("ending run {run_id}"), e))
                });
            match logged {
                Ok(()) => {
                    let (registered, promotion) =
                        register_finished(backend.as_ref(), &record, &run_id, &shown_uri, &result)?;
                    result.run_id = Some(run_id);
                    result.registered = registered;
                    result.promotion = promotion;
                    return Ok(result);
                }
                Err(e) => {
                    fail_run(backend.as_ref(), &run_id, &e.chain());
                    if !e.is_unreachable() {
                        return Err(Error::Invalid(format!(
                            "tracking run {run_id} in {shown_uri} (marked FAILED): {}",
                            e.chain()
                        )));
                    }
                    e.chain()
                }
            }
        }
    };
    record.error = Some(reason.clone());
    let path = record.save_pending(&request.out_dir)?;
    result.pending = Some(Pending { path, reason });
    Ok(result)
}

/// Registers the FINISHED run `run_id` and promotes it, as `record` asks. A failure is an
/// [`Error::Registration`] saying what was done; the run stays FINISHED with its artifacts
/// (it is not marked FAILED: its training and logging succeeded).
fn register_finished(
    backend: &dyn Backend,
    record: &RunRecord,
    run_id: &str,
    shown_uri: &str,
    trained: &TrackedTraining,
) -> Result<(Option<Registered>, Option<Promotion>)> {
    let Some(request) = &record.register else {
        return Ok((None, None));
    };
    let name = &request.model_name;
    let registered = register(backend, request, run_id).map_err(|e| Error::Registration {
        run_id: run_id.to_owned(),
        context: format!(
            "run {run_id} in {shown_uri} is FINISHED with its artifacts, but registering it as a version of {name} did not complete"
        ),
        source: Box::new(e),
    })?;
    if !request.promote_if_better || registered.first_champion {
        return Ok((Some(registered), None));
    }
    let promotion = promote_if_better(backend, &registered, &trained.dataset, &trained.bundle)
        .map_err(|e| Error::Registration {
            run_id: run_id.to_owned(),
            context: format!(
                "run {run_id} in {shown_uri} is FINISHED and registered as version {} of {name}, but --promote-if-better did not run to the end (champion unchanged)",
                registered.version.version
            ),
            source: Box::new(e),
        })?;
    Ok((Some(registered), Some(promotion)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_names_carry_kind_seed_and_a_distinct_suffix() {
        let a = unique_run_name("gbt", 42);
        let b = unique_run_name("gbt", 42);
        assert!(
            a.starts_with("gbt-seed42-") && a.len() == "gbt-seed42-".len() + 8,
            "{a}"
        );
        assert_ne!(a, b);
    }
}
