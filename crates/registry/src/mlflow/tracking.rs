//! Experiments, runs and artifacts.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Value};

use super::http::Body;
use super::wire::{
    self, CreatedExperiment, ExperimentEnvelope, ExperimentPage, RunEnvelope, RunPage, WireRun,
};
use super::{batch, check_artifact_path, lock, MlflowBackend};
use crate::{DatasetInput, Error, Metric, Result, Run, RunStatus};

/// Page size of `runs/search`.
const RUN_PAGE: usize = 1000;
/// Page size of `experiments/search`.
const EXPERIMENT_PAGE: usize = 1000;

/// How a run is named in errors.
pub(super) fn run_what(run_id: &str) -> String {
    format!("run {run_id:?}")
}

/// The id of `experiment`, or None when it does not exist.
fn find_experiment(mlflow: &MlflowBackend, experiment: &str) -> Result<Option<String>> {
    let answer = mlflow.http.call::<ExperimentEnvelope>(
        Method::GET,
        "experiments/get-by-name",
        &[("experiment_name", experiment)],
        None,
    )?;
    match answer {
        Ok(found) => {
            let e = found.experiment;
            if e.lifecycle_stage == "deleted" {
                return Err(Error::Invalid(format!(
                    "experiment {experiment:?} is deleted in MLflow; restore it (mlflow \
                     experiments restore --experiment-id {}) or use another name",
                    e.experiment_id
                )));
            }
            lock(&mlflow.experiment_names).insert(e.experiment_id.clone(), e.name);
            Ok(Some(e.experiment_id))
        }
        Err(api) => match api.into_error("") {
            Error::NotFound(_) => Ok(None),
            other @ (Error::Invalid(_)
            | Error::Unavailable(_)
            | Error::Corrupt(_)
            | Error::Io { .. }
            | Error::Other(_)) => Err(other),
        },
    }
}

/// The id of `experiment`, created when missing (a concurrent creation is fine).
fn ensure_experiment(mlflow: &MlflowBackend, experiment: &str) -> Result<String> {
    if let Some(id) = find_experiment(mlflow, experiment)? {
        return Ok(id);
    }
    let what = format!("experiment {experiment:?}");
    match mlflow.http.call::<CreatedExperiment>(
        Method::POST,
        "experiments/create",
        &[],
        Some(json!({ "name": experiment })),
    )? {
        Ok(created) => {
            lock(&mlflow.experiment_names)
                .insert(created.experiment_id.clone(), experiment.to_owned());
            Ok(created.experiment_id)
        }
        Err(api) if api.already_exists() => {
            find_experiment(mlflow, experiment)?.ok_or(Error::NotFound(what))
        }
        Err(api) => Err(api.into_error(&what)),
    }
}

/// The name of the experiment with id `id` (cached).
fn experiment_name(mlflow: &MlflowBackend, id: &str) -> Result<String> {
    if let Some(name) = lock(&mlflow.experiment_names).get(id) {
        return Ok(name.clone());
    }
    let found: ExperimentEnvelope = mlflow.http.rest(
        Method::GET,
        "experiments/get",
        &[("experiment_id", id)],
        None,
        &format!("experiment with id {id:?}"),
    )?;
    lock(&mlflow.experiment_names).insert(id.to_owned(), found.experiment.name.clone());
    Ok(found.experiment.name)
}

/// Converts a wire run, remembering its artifact root.
fn to_run(mlflow: &MlflowBackend, run: WireRun) -> Result<Run> {
    remember_artifact_root(mlflow, &run);
    let experiment = experiment_name(mlflow, &run.info.experiment_id)?;
    run.into_run(experiment)
}

fn remember_artifact_root(mlflow: &MlflowBackend, run: &WireRun) {
    if let Ok(root) = wire::proxy_root(&run.info.artifact_uri) {
        lock(&mlflow.artifact_roots).insert(run.info.id().to_owned(), root);
    }
}

/// `runs/get`.
pub(super) fn get_wire_run(mlflow: &MlflowBackend, run_id: &str) -> Result<WireRun> {
    let found: RunEnvelope = mlflow.http.rest(
        Method::GET,
        "runs/get",
        &[("run_id", run_id)],
        None,
        &run_what(run_id),
    )?;
    remember_artifact_root(mlflow, &found.run);
    Ok(found.run)
}

/// The artifact proxy root of a run (`<exp>/<run>/artifacts`), from its `artifact_uri`.
fn artifact_root(mlflow: &MlflowBackend, run_id: &str) -> Result<String> {
    if let Some(root) = lock(&mlflow.artifact_roots).get(run_id) {
        return Ok(root.clone());
    }
    let run = get_wire_run(mlflow, run_id)?;
    wire::proxy_root(&run.info.artifact_uri)
}

pub(super) fn create_run(
    mlflow: &MlflowBackend,
    experiment: &str,
    run_name: &str,
    tags: &BTreeMap<String, String>,
    start_time_ms: i64,
) -> Result<Run> {
    let experiment_id = ensure_experiment(mlflow, experiment)?;
    let created: RunEnvelope = mlflow.http.rest(
        Method::POST,
        "runs/create",
        &[],
        Some(json!({
            "experiment_id": experiment_id,
            "run_name": run_name,
            "start_time": start_time_ms,
            "tags": wire::key_values(tags),
        })),
        &format!("experiment {experiment:?}"),
    )?;
    tracing::debug!(run_id = %created.run.info.id(), experiment, "created MLflow run");
    to_run(mlflow, created.run)
}

pub(super) fn log_batch(
    mlflow: &MlflowBackend,
    run_id: &str,
    params: &BTreeMap<String, String>,
    metrics: &[Metric],
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    for chunk in batch::chunks(params, metrics, tags) {
        let _: Value = mlflow.http.rest(
            Method::POST,
            "runs/log-batch",
            &[],
            Some(json!({
                "run_id": run_id,
                "params": wire::key_values(chunk.params),
                "metrics": chunk.metrics.iter().map(|m| wire::metric_json(m)).collect::<Vec<_>>(),
                "tags": wire::key_values(chunk.tags),
            })),
            &run_what(run_id),
        )?;
    }
    Ok(())
}

pub(super) fn log_inputs(
    mlflow: &MlflowBackend,
    run_id: &str,
    inputs: &[DatasetInput],
) -> Result<()> {
    if inputs.is_empty() {
        return Ok(());
    }
    let _: Value = mlflow.http.rest(
        Method::POST,
        "runs/log-inputs",
        &[],
        Some(json!({
            "run_id": run_id,
            "datasets": inputs.iter().map(wire::dataset_input_json).collect::<Vec<_>>(),
        })),
        &run_what(run_id),
    )?;
    Ok(())
}

pub(super) fn log_artifact(
    mlflow: &MlflowBackend,
    run_id: &str,
    path: &str,
    bytes: &[u8],
) -> Result<()> {
    check_artifact_path(path)?;
    let root = artifact_root(mlflow, run_id)?;
    let url = mlflow.http.artifact_url(&format!("{root}/{path}"));
    mlflow
        .http
        .send(Method::PUT, &url, &[], &Body::Bytes(bytes))?
        .map_err(|e| e.into_error(&format!("artifact {path:?} of run {run_id:?}")))?;
    tracing::debug!(
        run_id,
        path,
        bytes = bytes.len(),
        "uploaded MLflow artifact"
    );
    Ok(())
}

/// One directory listing: `(name, is_dir)` of each entry; empty when it does not exist.
pub(super) fn list_artifacts_of_dir(
    mlflow: &MlflowBackend,
    dir: &str,
) -> Result<Vec<(String, bool)>> {
    #[derive(serde::Deserialize)]
    struct Listing {
        #[serde(default)]
        files: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        path: String,
        #[serde(default)]
        is_dir: bool,
    }
    let url = mlflow.http.artifact_url("");
    let bytes = mlflow
        .http
        .send(Method::GET, &url, &[("path", dir)], &Body::Empty)?
        .map_err(|e| e.into_error(&format!("artifact directory {dir:?}")))?;
    let listing: Listing = super::http::parse_json(&Method::GET, &url, &bytes)?;
    Ok(listing
        .files
        .into_iter()
        // The proxy answers base names; older servers answered paths.
        .map(|e| {
            let name = e.path.rsplit('/').next().unwrap_or_default().to_owned();
            (name, e.is_dir)
        })
        .filter(|(name, _)| !name.is_empty())
        .collect())
}

pub(super) fn download_artifact(
    mlflow: &MlflowBackend,
    run_id: &str,
    path: &str,
) -> Result<Vec<u8>> {
    check_artifact_path(path)?;
    let root = artifact_root(mlflow, run_id)?;
    let what = format!("artifact {path:?} of run {run_id:?}");
    // The proxy answers a missing file with a 500, which would be retried and reported as
    // an unavailable server: look it up in its directory first.
    let (dir, file) = match path.rsplit_once('/') {
        Some((dir, file)) => (format!("{root}/{dir}"), file),
        None => (root.clone(), path),
    };
    if !list_artifacts_of_dir(mlflow, &dir)?
        .iter()
        .any(|(name, is_dir)| name == file && !is_dir)
    {
        return Err(Error::NotFound(what));
    }
    let url = mlflow.http.artifact_url(&format!("{root}/{path}"));
    mlflow
        .http
        .send(Method::GET, &url, &[], &Body::Empty)?
        .map_err(|e| e.into_error(&what))
}

pub(super) fn list_artifacts(mlflow: &MlflowBackend, run_id: &str) -> Result<Vec<String>> {
    let root = artifact_root(mlflow, run_id)?;
    let mut files = Vec::new();
    let mut pending = vec![String::new()];
    while let Some(relative) = pending.pop() {
        let dir = if relative.is_empty() {
            root.clone()
        } else {
            format!("{root}/{relative}")
        };
        for (name, is_dir) in list_artifacts_of_dir(mlflow, &dir)? {
            let path = if relative.is_empty() {
                name
            } else {
                format!("{relative}/{name}")
            };
            if is_dir {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

pub(super) fn end_run(
    mlflow: &MlflowBackend,
    run_id: &str,
    status: RunStatus,
    end_time_ms: i64,
) -> Result<()> {
    if status == RunStatus::Running {
        return Err(Error::Invalid(format!(
            "run {run_id:?} cannot be ended with status RUNNING; use FINISHED, FAILED or KILLED"
        )));
    }
    let _: Value = mlflow.http.rest(
        Method::POST,
        "runs/update",
        &[],
        Some(json!({
            "run_id": run_id,
            "status": wire::status_name(status),
            "end_time": end_time_ms,
        })),
        &run_what(run_id),
    )?;
    Ok(())
}

pub(super) fn get_run(mlflow: &MlflowBackend, run_id: &str) -> Result<Run> {
    let run = get_wire_run(mlflow, run_id)?;
    to_run(mlflow, run)
}

pub(super) fn list_runs(
    mlflow: &MlflowBackend,
    experiment: &str,
    limit: usize,
) -> Result<Vec<Run>> {
    let experiment_id = find_experiment(mlflow, experiment)?
        .ok_or_else(|| Error::NotFound(format!("experiment {experiment:?}")))?;
    search_runs(
        mlflow,
        &[experiment_id],
        limit,
        &format!("experiment {experiment:?}"),
    )
}

pub(super) fn list_all_runs(mlflow: &MlflowBackend, limit: usize) -> Result<Vec<Run>> {
    let ids = active_experiment_ids(mlflow)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    search_runs(mlflow, &ids, limit, "the runs of every experiment")
}

/// The ids of every active experiment (`experiments/search`), their names cached.
fn active_experiment_ids(mlflow: &MlflowBackend) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut body = json!({
            "max_results": EXPERIMENT_PAGE,
            "view_type": "ACTIVE_ONLY",
        });
        if let Some(token) = &page_token {
            body["page_token"] = json!(token);
        }
        let page: ExperimentPage = mlflow.http.rest(
            Method::POST,
            "experiments/search",
            &[],
            Some(body),
            "experiments",
        )?;
        let mut names = lock(&mlflow.experiment_names);
        for e in page.experiments {
            names.insert(e.experiment_id.clone(), e.name);
            ids.push(e.experiment_id);
        }
        drop(names);
        page_token = page.next_page_token.filter(|t| !t.is_empty());
        if page_token.is_none() {
            return Ok(ids);
        }
    }
}

/// `runs/search` over `experiment_ids`, newest first, at most `limit` runs; `what` names
/// them in errors.
fn search_runs(
    mlflow: &MlflowBackend,
    experiment_ids: &[String],
    limit: usize,
    what: &str,
) -> Result<Vec<Run>> {
    let mut runs = Vec::new();
    let mut page_token: Option<String> = None;
    while runs.len() < limit {
        let mut body = json!({
            "experiment_ids": experiment_ids,
            "order_by": ["attributes.start_time DESC"],
            "max_results": RUN_PAGE.min(limit - runs.len()),
        });
        if let Some(token) = &page_token {
            body["page_token"] = json!(token);
        }
        let page: RunPage = mlflow
            .http
            .rest(Method::POST, "runs/search", &[], Some(body), what)?;
        for run in page.runs {
            runs.push(to_run(mlflow, run)?);
        }
        page_token = page.next_page_token.filter(|t| !t.is_empty());
        if page_token.is_none() {
            break;
        }
    }
    runs.truncate(limit);
    Ok(runs)
}

pub(super) fn remove_unreferenced_artifacts(
    mlflow: &MlflowBackend,
    run_id: &str,
) -> Result<Vec<String>> {
    let referenced = super::registry::artifact_paths_of_run(mlflow, run_id)?;
    let root = artifact_root(mlflow, run_id)?;
    let mut removed = Vec::new();
    for path in list_artifacts(mlflow, run_id)? {
        let kept = referenced
            .iter()
            .any(|r| path == *r || path.starts_with(&format!("{r}/")));
        if kept {
            continue;
        }
        let url = mlflow.http.artifact_url(&format!("{root}/{path}"));
        mlflow
            .http
            .send(Method::DELETE, &url, &[], &Body::Empty)?
            .map_err(|e| e.into_error(&format!("artifact {path:?} of run {run_id:?}")))?;
        removed.push(path);
    }
    Ok(removed)
}
