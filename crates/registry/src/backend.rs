//! The [`Backend`] trait and the types it speaks in, shared by both backends.

use std::collections::BTreeMap;

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// A registry or tracking failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named run, model, version, alias or artifact does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The request was refused as invalid (a bad name, a duplicate, a wrong state).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The backend could not be reached or answered with a server error, after retries.
    #[error("{0}")]
    Unavailable(String),
    /// Stored data is unreadable or inconsistent (e.g. an artifact whose checksum differs).
    #[error("corrupt: {0}")]
    Corrupt(String),
    /// A local file or database operation failed. The message is the context alone: the
    /// cause is the error's source, so a printed chain names it once.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Anything else the backend reported.
    #[error("{0}")]
    Other(String),
}

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Unix milliseconds, as the registry stores times, as `YYYY-MM-DD HH:MM:SS` UTC (the bare
/// count when it falls outside years 1 to 9999).
pub fn format_utc_ms(ms: i64) -> String {
    const UTC: &[BorrowedFormatItem<'_>] =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(UTC).ok())
        .unwrap_or_else(|| format!("{ms} ms after 1970-01-01"))
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A run's lifecycle state (MLflow's `RunStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// Started, not ended.
    Running,
    /// Ended successfully.
    Finished,
    /// Ended with an error.
    Failed,
    /// Killed.
    Killed,
}

/// One metric value; CV folds are logged as steps of one key.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metric {
    /// Metric key, e.g. `test_rmse`, `cv_rmse`.
    pub key: String,
    /// Value.
    pub value: f64,
    /// Step (0 for single values; the fold index for per-fold CV metrics).
    pub step: i64,
    /// Unix time in milliseconds.
    pub timestamp_ms: i64,
}

/// A tracked run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    /// Backend-assigned id (32 hex digits in both backends).
    pub run_id: String,
    /// Experiment name.
    pub experiment: String,
    /// Human-readable run name.
    pub run_name: String,
    /// Lifecycle state.
    pub status: RunStatus,
    /// Unix ms.
    pub start_time_ms: i64,
    /// Unix ms, once ended.
    pub end_time_ms: Option<i64>,
    /// Params.
    pub params: BTreeMap<String, String>,
    /// Latest value per metric key (the highest step, then the latest timestamp).
    pub metrics: BTreeMap<String, f64>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Datasets the run used (MLflow's run inputs), in the order logged.
    #[serde(default)]
    pub inputs: Vec<DatasetInput>,
}

/// A dataset a run used: MLflow's run input (`runs/log-inputs`), kept the same way by
/// the embedded backend.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatasetInput {
    /// Dataset name, e.g. `imdb_movies`.
    pub name: String,
    /// Content digest; reelcast logs the dataset version.
    pub digest: String,
    /// Where it came from, e.g. `local` or `code` (MLflow's `source_type`).
    pub source_type: String,
    /// Where it came from, a JSON object as MLflow writes it, e.g. `{"uri": "/data/imdb"}`.
    pub source: String,
    /// Column schema, JSON (`{"mlflow_colspec": [...]}`), empty when unknown.
    #[serde(default)]
    pub schema: String,
    /// Profile, JSON (`{"num_rows": 6208}`), empty when unknown.
    #[serde(default)]
    pub profile: String,
    /// What the run used it for (the `mlflow.data.context` input tag), e.g. `training`.
    #[serde(default)]
    pub context: String,
}

/// A registered model.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegisteredModel {
    /// Name, e.g. `movie_rating_gbt`.
    pub name: String,
    /// Unix ms.
    pub created_ms: i64,
    /// Alias -> version.
    pub aliases: BTreeMap<String, u64>,
    /// Latest version number, if any.
    pub latest_version: Option<u64>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// What the model predicts, empty when none was given.
    #[serde(default)]
    pub description: String,
}

/// A registered model version.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelVersion {
    /// Registered model name.
    pub name: String,
    /// Version number, from 1.
    pub version: u64,
    /// The run it came from.
    pub run_id: String,
    /// Path inside the run's artifacts of what the version is: the MLflow model folder
    /// `model` (holding `MLmodel` and the bundle), or, for a version registered without a
    /// model folder, the bundle file itself, `model/model.bundle`.
    pub artifact_path: String,
    /// Unix ms.
    pub created_ms: i64,
    /// Aliases currently pointing at this version.
    pub aliases: Vec<String>,
    /// Tags (reelcast sets `bundle_sha256`, `test_rmse`, `dataset_version`, `model_kind`).
    pub tags: BTreeMap<String, String>,
    /// What the version is (data, test RMSE), empty when none was given.
    #[serde(default)]
    pub description: String,
}

/// One move of an alias, kept so that `rollback` can go back.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AliasChange {
    /// Alias.
    pub alias: String,
    /// Version it pointed at before (None when newly set).
    pub from_version: Option<u64>,
    /// Version it points at after (None when deleted).
    pub to_version: Option<u64>,
    /// Unix ms.
    pub changed_ms: i64,
}

/// Experiment tracking and model registry operations, the same in both backends.
/// Every method is blocking; call from a blocking context (`spawn_blocking` in async code).
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// A one-line description for logs and messages, e.g. `sqlite:///./reelcast.db`.
    fn describe(&self) -> String;

    /// Creates a run (status RUNNING) in `experiment`, creating the experiment when it
    /// does not exist; its start time is now.
    fn create_run(
        &self,
        experiment: &str,
        run_name: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<Run> {
        self.create_run_at(experiment, run_name, tags, now_ms())
    }
    /// [`Backend::create_run`] with the start time given (Unix ms): a run trained while
    /// the backend was unreachable keeps its real start time when pushed later.
    fn create_run_at(
        &self,
        experiment: &str,
        run_name: &str,
        tags: &BTreeMap<String, String>,
        start_time_ms: i64,
    ) -> Result<Run>;
    /// Logs params, metrics and tags in one call (MLflow's `runs/log-batch`).
    fn log_batch(
        &self,
        run_id: &str,
        params: &BTreeMap<String, String>,
        metrics: &[Metric],
        tags: &BTreeMap<String, String>,
    ) -> Result<()>;
    /// Records the datasets the run used (MLflow's `runs/log-inputs`); a dataset already
    /// logged with the same name, digest and context is not logged twice.
    fn log_inputs(&self, run_id: &str, inputs: &[DatasetInput]) -> Result<()>;
    /// Stores `bytes` as the artifact `path` (relative, `/`-separated) of the run.
    fn log_artifact(&self, run_id: &str, path: &str, bytes: &[u8]) -> Result<()>;
    /// Reads back an artifact of the run.
    fn download_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>>;
    /// Every artifact path of the run (files only, recursively), sorted.
    fn list_artifacts(&self, run_id: &str) -> Result<Vec<String>>;
    /// Removes the artifacts of `run_id` that no model version references, and any file a
    /// killed writer left half-written; returns the artifact paths removed, sorted. Used
    /// on runs of killed processes, before they are ended as KILLED: their artifacts may
    /// be incomplete. Calling it again after a failure finishes the job.
    fn remove_unreferenced_artifacts(&self, run_id: &str) -> Result<Vec<String>>;
    /// Ends the run with `status` (FINISHED, FAILED or KILLED) now.
    fn end_run(&self, run_id: &str, status: RunStatus) -> Result<()> {
        self.end_run_at(run_id, status, now_ms())
    }
    /// Ends the run with `status` (FINISHED, FAILED or KILLED) at `end_time_ms` (Unix ms).
    fn end_run_at(&self, run_id: &str, status: RunStatus, end_time_ms: i64) -> Result<()>;
    /// One run.
    fn get_run(&self, run_id: &str) -> Result<Run>;
    /// The runs of `experiment`, newest first, at most `limit`.
    fn list_runs(&self, experiment: &str, limit: usize) -> Result<Vec<Run>>;
    /// The runs of every experiment, newest first, at most `limit`: where a run id given
    /// by a prefix is looked up. Empty when there is no experiment.
    fn list_all_runs(&self, limit: usize) -> Result<Vec<Run>>;

    /// Registers a new version of `name` (creating the registered model when needed)
    /// pointing at `run_id`'s artifact `artifact_path` (a file, or a folder such as an
    /// MLflow model folder), with `tags` and no description.
    fn create_model_version(
        &self,
        name: &str,
        run_id: &str,
        artifact_path: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<ModelVersion> {
        self.create_described_model_version(name, run_id, artifact_path, tags, "")
    }
    /// [`Backend::create_model_version`] with a `description` of the version. All or
    /// nothing: a version is either fully registered (tags and description included) or
    /// absent.
    fn create_described_model_version(
        &self,
        name: &str,
        run_id: &str,
        artifact_path: &str,
        tags: &BTreeMap<String, String>,
        description: &str,
    ) -> Result<ModelVersion>;
    /// Sets the description of the registered model `name`.
    fn set_model_description(&self, name: &str, description: &str) -> Result<()>;
    /// One version.
    fn get_model_version(&self, name: &str, version: u64) -> Result<ModelVersion>;
    /// Every registered model, by name.
    fn list_models(&self) -> Result<Vec<RegisteredModel>>;
    /// One registered model.
    fn get_model(&self, name: &str) -> Result<RegisteredModel>;
    /// Every version of `name`, newest first.
    fn list_versions(&self, name: &str) -> Result<Vec<ModelVersion>>;
    /// Points `alias` at `version`, recording the change in the alias history.
    fn set_alias(&self, name: &str, alias: &str, version: u64) -> Result<()>;
    /// The version `alias` points at, or None.
    fn get_alias(&self, name: &str, alias: &str) -> Result<Option<ModelVersion>>;
    /// Removes `alias`, recording the change in the alias history.
    fn delete_alias(&self, name: &str, alias: &str) -> Result<()>;
    /// The changes of `alias`, oldest first.
    fn alias_history(&self, name: &str, alias: &str) -> Result<Vec<AliasChange>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_unix_milliseconds_as_utc() {
        assert_eq!(format_utc_ms(0), "1970-01-01 00:00:00");
        assert_eq!(format_utc_ms(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(format_utc_ms(1_795_000_000_123), "2026-11-18 11:06:40");
        assert_eq!(format_utc_ms(-1), "1969-12-31 23:59:59");
        assert_eq!(
            format_utc_ms(i64::MAX),
            "9223372036854775807 ms after 1970-01-01"
        );
    }
}
