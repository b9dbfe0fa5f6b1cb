//! MLflow 3's logged models: a version registered from a model folder is also logged as a
//! logged model of its run's experiment (the experiment's *Models* tab), with a copy of the
//! folder's files, and linked to the run (`runs/outputs`) and to the version (`model_id`
//! on `model-versions/create`; the server then tags the logged model with
//! `mlflow.modelVersions`). The version's source stays the run's folder, which every
//! MLflow version serves and downloads.
//!
//! Best effort: a server without the `logged-models` endpoints (MLflow 2) or any failure
//! here leaves the version registered as before, without a logged model (logged at
//! `warn`, or `debug` for MLflow 2).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::Body;
use super::tracking::list_artifacts_of_dir;
use super::wire::{self, WireRun};
use super::MlflowBackend;
use crate::{Error, Result};

/// `{"model": {"info": {...}}}` from `logged-models`.
#[derive(Debug, Deserialize)]
struct LoggedModelEnvelope {
    model: LoggedModel,
}

#[derive(Debug, Deserialize)]
struct LoggedModel {
    info: LoggedModelInfo,
}

#[derive(Debug, Deserialize)]
struct LoggedModelInfo {
    model_id: String,
    artifact_uri: String,
}

/// Logs the folder `artifact_path` of `run` as a logged model and returns its id, or None
/// when the server has no logged models or logging failed (see the module docs).
pub(super) fn log_folder(
    mlflow: &MlflowBackend,
    run: &WireRun,
    artifact_path: &str,
) -> Option<String> {
    let run_id = run.info.id();
    match try_log_folder(mlflow, run, artifact_path) {
        Ok(id) => {
            tracing::debug!(run_id, model_id = %id, "logged the model folder as an MLflow logged model");
            Some(id)
        }
        Err(Error::NotFound(e)) => {
            tracing::debug!(run_id, error = %e, "the MLflow server has no logged models (MLflow 2?); registering without one");
            None
        }
        Err(e) => {
            tracing::warn!(run_id, error = %e, "could not log the model folder as an MLflow logged model; registering without one");
            None
        }
    }
}

fn try_log_folder(mlflow: &MlflowBackend, run: &WireRun, artifact_path: &str) -> Result<String> {
    let run_id = run.info.id();
    let what = format!("a logged model of run {run_id:?}");
    let name = artifact_path.rsplit('/').next().unwrap_or(artifact_path);
    let created: LoggedModelEnvelope = mlflow.http.rest(
        Method::POST,
        "logged-models",
        &[],
        Some(json!({
            "experiment_id": run.info.experiment_id,
            "name": name,
            "model_type": "reelcast",
            "source_run_id": run_id,
        })),
        &what,
    )?;
    let model_id = created.model.info.model_id;
    let copied = copy_files(mlflow, run, artifact_path, &created.model.info.artifact_uri);
    let status = if copied.is_ok() {
        "LOGGED_MODEL_READY"
    } else {
        "LOGGED_MODEL_UPLOAD_FAILED"
    };
    let _: Value = mlflow.http.rest(
        Method::PATCH,
        &format!("logged-models/{model_id}"),
        &[],
        Some(json!({ "model_id": model_id, "status": status })),
        &what,
    )?;
    copied?;
    let _: Value = mlflow.http.rest(
        Method::POST,
        "runs/outputs",
        &[],
        Some(json!({ "run_id": run_id, "models": [{ "model_id": model_id, "step": 0 }] })),
        &what,
    )?;
    Ok(model_id)
}

/// Copies every file under the run's `artifact_path` to the logged model's artifacts.
fn copy_files(
    mlflow: &MlflowBackend,
    run: &WireRun,
    artifact_path: &str,
    model_artifact_uri: &str,
) -> Result<()> {
    let from = format!(
        "{}/{artifact_path}",
        wire::proxy_root(&run.info.artifact_uri)?
    );
    let to = wire::proxy_root(model_artifact_uri)?;
    let mut pending = vec![String::new()];
    while let Some(relative) = pending.pop() {
        let dir = join(&from, &relative);
        for (name, is_dir) in list_artifacts_of_dir(mlflow, &dir)? {
            let path = join(&relative, &name);
            if is_dir {
                pending.push(path);
                continue;
            }
            let what = format!("artifact {path:?} of {artifact_path:?}");
            let url = mlflow.http.artifact_url(&join(&from, &path));
            let bytes = mlflow
                .http
                .send(Method::GET, &url, &[], &Body::Empty)?
                .map_err(|e| e.into_error(&what))?;
            let url = mlflow.http.artifact_url(&join(&to, &path));
            mlflow
                .http
                .send(Method::PUT, &url, &[], &Body::Bytes(&bytes))?
                .map_err(|e| e.into_error(&what))?;
        }
    }
    Ok(())
}

fn join(dir: &str, name: &str) -> String {
    match (dir.is_empty(), name.is_empty()) {
        (true, _) => name.to_owned(),
        (_, true) => dir.to_owned(),
        (false, false) => format!("{dir}/{name}"),
    }
}
