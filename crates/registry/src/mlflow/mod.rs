//! The MLflow backend: a small client of an MLflow tracking server's REST API 2.0
//! (blocking `reqwest`, rustls).
//!
//! - Tracking: `experiments/get-by-name` + `create`, `runs/create`, `runs/log-batch`
//!   (split within MLflow's limits: 1000 metrics, 100 params, 100 tags per request),
//!   `runs/log-inputs` (datasets, with their `mlflow.data.context` tag), `runs/update`,
//!   `runs/get`, `runs/search` (over every active experiment, from `experiments/search`,
//!   for [`Backend::list_all_runs`]).
//! - Artifacts go through the server's artifact proxy (`mlflow server` serves artifacts by
//!   default): a run's `artifact_uri` `mlflow-artifacts:/<exp>/<run>/artifacts` maps to
//!   `{base}/api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>` (PUT, GET,
//!   and `GET …/artifacts?path=` to list).
//! - Registry: registered models, model versions (`source` = the run's `artifact_uri` +
//!   `/` + the artifact path, a file or an MLflow model folder), descriptions
//!   (`description` on `model-versions/create`, `registered-models/update`), aliases and
//!   tags.
//! - MLflow 3: a version registered from a folder is also logged as a logged model of the
//!   run (`logged-models`, `runs/outputs`, `model_id` on the version), best effort (see
//!   `logged_model.rs`); its source stays the run's folder.
//! - Alias history: MLflow keeps none, so [`Backend::set_alias`] and
//!   [`Backend::delete_alias`] append each move to the registered-model tag
//!   `reelcast.alias_history.<alias>` (compact JSON `[[from,to,ms],…]`). Moves made outside
//!   reelcast (MLflow UI, other clients) are not in it; the alias and its history are two
//!   requests, not a transaction. These tags are hidden from [`RegisteredModel::tags`].
//! - All or nothing: MLflow has no transactions, so [`Backend::create_model_version`]
//!   creates the version with its tags, waits until it is `READY`, checks the tags, and
//!   deletes the version again if any of that fails.
//!
//! Errors: `RESOURCE_DOES_NOT_EXIST` -> [`Error::NotFound`]; other 4xx MLflow errors
//! (`INVALID_PARAMETER_VALUE`, `RESOURCE_ALREADY_EXISTS`, …) -> [`Error::Invalid`] with
//! MLflow's message; connection errors, timeouts, 429 and 5xx are retried `retries` times
//! with exponential backoff (200 ms × 2^n, at most 5 s) and then give
//! [`Error::Unavailable`] naming the server. Credentials come from the environment as in
//! MLflow's client: `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (basic), else
//! `MLFLOW_TRACKING_TOKEN` (bearer); they are never logged or printed.
//!
//! ```no_run
//! use reelcast_registry::{mlflow::MlflowBackend, Backend};
//! use std::time::Duration;
//!
//! let mlflow = MlflowBackend::connect("http://127.0.0.1:5000", Duration::from_secs(10), 3)?;
//! let run = mlflow.create_run("imdb_movie_rating", "gbt-1", &Default::default())?;
//! mlflow.log_artifact(&run.run_id, "report/report.json", b"{}")?;
//! # Ok::<(), reelcast_registry::Error>(())
//! ```
//!
//! [`RegisteredModel::tags`]: crate::RegisteredModel::tags

mod alias_history;
mod api_error;
mod auth;
mod batch;
mod http;
mod logged_model;
mod registry;
mod tracking;
mod wire;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use crate::backend::now_ms;
use crate::{
    AliasChange, Backend, DatasetInput, Error, Metric, ModelVersion, RegisteredModel, Result, Run,
    RunStatus,
};
use auth::Auth;
use http::Transport;

/// A client of one MLflow tracking server. Cheap to share behind an `Arc`; every method
/// blocks (call from `spawn_blocking` in async code).
#[derive(Debug)]
pub struct MlflowBackend {
    http: Transport,
    /// Experiment id -> name (ids never change meaning).
    experiment_names: Mutex<HashMap<String, String>>,
    /// Run id -> artifact proxy root (`<exp>/<run>/artifacts`).
    artifact_roots: Mutex<HashMap<String, String>>,
}

impl MlflowBackend {
    /// A client of the MLflow server at `base_url` (`http(s)://HOST[:PORT][/PREFIX]`), with
    /// `timeout` per request (connect included) and `retries` retries with backoff on
    /// connection errors, timeouts, 429 and 5xx answers. Makes no network call: an
    /// unreachable server shows up as [`Error::Unavailable`] on first use. Credentials are
    /// read from the environment now (see the module docs); `user:password@` in the URL is
    /// used when the environment has none.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `base_url` is not an http(s) URL.
    pub fn connect(base_url: &str, timeout: Duration, retries: u32) -> Result<MlflowBackend> {
        let auth = Auth::from_vars(|k| std::env::var(k).ok());
        Ok(Self {
            http: Transport::new(base_url, timeout, retries, auth)?,
            experiment_names: Mutex::default(),
            artifact_roots: Mutex::default(),
        })
    }

    /// The server's base URL, without credentials.
    pub fn base_url(&self) -> &str {
        self.http.base()
    }
}

/// Locks a cache, ignoring poisoning (the maps hold plain strings, always consistent).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Backend for MlflowBackend {
    fn describe(&self) -> String {
        self.http.base().to_owned()
    }

    fn create_run_at(
        &self,
        experiment: &str,
        run_name: &str,
        tags: &BTreeMap<String, String>,
        start_time_ms: i64,
    ) -> Result<Run> {
        tracking::create_run(self, experiment, run_name, tags, start_time_ms)
    }

    fn log_batch(
        &self,
        run_id: &str,
        params: &BTreeMap<String, String>,
        metrics: &[Metric],
        tags: &BTreeMap<String, String>,
    ) -> Result<()> {
        tracking::log_batch(self, run_id, params, metrics, tags)
    }

    fn log_inputs(&self, run_id: &str, inputs: &[DatasetInput]) -> Result<()> {
        tracking::log_inputs(self, run_id, inputs)
    }

    fn log_artifact(&self, run_id: &str, path: &str, bytes: &[u8]) -> Result<()> {
        tracking::log_artifact(self, run_id, path, bytes)
    }

    fn download_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>> {
        tracking::download_artifact(self, run_id, path)
    }

    fn list_artifacts(&self, run_id: &str) -> Result<Vec<String>> {
        tracking::list_artifacts(self, run_id)
    }

    fn remove_unreferenced_artifacts(&self, run_id: &str) -> Result<Vec<String>> {
        tracking::remove_unreferenced_artifacts(self, run_id)
    }

    fn end_run_at(&self, run_id: &str, status: RunStatus, end_time_ms: i64) -> Result<()> {
        tracking::end_run(self, run_id, status, end_time_ms)
    }

    fn get_run(&self, run_id: &str) -> Result<Run> {
        tracking::get_run(self, run_id)
    }

    fn list_runs(&self, experiment: &str, limit: usize) -> Result<Vec<Run>> {
        tracking::list_runs(self, experiment, limit)
    }

    fn list_all_runs(&self, limit: usize) -> Result<Vec<Run>> {
        tracking::list_all_runs(self, limit)
    }

    fn create_described_model_version(
        &self,
        name: &str,
        run_id: &str,
        artifact_path: &str,
        tags: &BTreeMap<String, String>,
        description: &str,
    ) -> Result<ModelVersion> {
        registry::create_model_version(self, name, run_id, artifact_path, tags, description)
    }

    fn set_model_description(&self, name: &str, description: &str) -> Result<()> {
        registry::set_model_description(self, name, description)
    }

    fn get_model_version(&self, name: &str, version: u64) -> Result<ModelVersion> {
        registry::get_model_version(self, name, version)
    }

    fn list_models(&self) -> Result<Vec<RegisteredModel>> {
        registry::list_models(self)
    }

    fn get_model(&self, name: &str) -> Result<RegisteredModel> {
        registry::get_model(self, name)
    }

    fn list_versions(&self, name: &str) -> Result<Vec<ModelVersion>> {
        registry::list_versions(self, name)
    }

    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()> {
        registry::set_alias(self, name, alias, version)
    }

    fn get_alias(&self, name: &str, alias: &str) -> Result<Option<ModelVersion>> {
        registry::get_alias(self, name, alias)
    }

    fn delete_alias(&self, name: &str, alias: &str) -> Result<()> {
        registry::delete_alias(self, name, alias)
    }

    fn alias_history(&self, name: &str, alias: &str) -> Result<Vec<AliasChange>> {
        registry::alias_history(self, name, alias)
    }
}

/// Checks a run-relative artifact path: non-empty, `/`-separated, no `..`, `.`, empty
/// segments or backslashes, not absolute.
fn check_artifact_path(path: &str) -> Result<()> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        return Err(Error::Invalid(format!(
            "artifact path {path:?} is not a relative /-separated path without `..`, e.g. \"model/model.bundle\""
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
