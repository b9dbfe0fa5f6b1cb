//! The run record: everything a training run logs, saved as `pending-run.json` (mode 0600)
//! while the tracking backend is unreachable and replayed by [`super::push_pending`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reelcast_registry::mlmodel::MlModel;
use reelcast_registry::{Backend, DatasetInput, Metric};
use serde::{Deserialize, Serialize};

use super::model_folder::MLMODEL_ARTIFACT;
use super::{Error, Result};

/// File name of a run saved locally while the backend was unreachable.
pub const PENDING_RUN_FILE: &str = "pending-run.json";
/// File name a pending run is renamed to once pushed, so it is not pushed twice.
pub const PUSHED_RUN_FILE: &str = "pending-run.pushed.json";

/// A file logged as an artifact: its artifact path and its file, relative to the run's
/// output directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactFile {
    /// Path inside the run's artifacts, e.g. `model/model.bundle`.
    pub path: String,
    /// File relative to the output directory.
    pub file: PathBuf,
}

/// What `--register` asked for, with the version's tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterRequest {
    /// Registered model name.
    pub model_name: String,
    /// What the version points at inside the run's artifacts: the model folder `model`
    /// (records without this field: the bundle file `model/model.bundle`).
    #[serde(default = "legacy_artifact_path")]
    pub artifact_path: String,
    /// The version's description (data, test RMSE, run).
    #[serde(default)]
    pub description: String,
    /// The registered model's description, set when it has none.
    #[serde(default)]
    pub model_description: String,
    /// Alias to point at the new version.
    pub alias: Option<String>,
    /// Whether `champion` moves only when the new version scores better.
    pub promote_if_better: bool,
    /// Version tags (bundle_sha256, test_rmse, dataset_version, model_kind, seed, ...).
    pub version_tags: BTreeMap<String, String>,
}

fn legacy_artifact_path() -> String {
    super::BUNDLE_ARTIFACT.to_owned()
}

/// Everything a training run logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The backend the run was meant for, without credentials (they are never stored).
    pub tracking_uri: String,
    /// True when the URI given had credentials, which were left out of `tracking_uri`.
    #[serde(default)]
    pub credentials_removed: bool,
    /// Experiment name.
    pub experiment: String,
    /// Run name.
    pub run_name: String,
    /// Params.
    pub params: BTreeMap<String, String>,
    /// Metrics.
    pub metrics: Vec<Metric>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Artifact files.
    pub artifacts: Vec<ArtifactFile>,
    /// The model folder's `MLmodel`, its run id filled in when logged (absent in records
    /// older than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mlmodel: Option<MlModel>,
    /// Datasets the run used (the training data).
    #[serde(default)]
    pub inputs: Vec<DatasetInput>,
    /// Registration, when asked for.
    pub register: Option<RegisterRequest>,
    /// When training started, Unix ms (0 in records older than this field).
    #[serde(default)]
    pub start_time_ms: i64,
    /// When training ended, Unix ms (0 in records older than this field).
    #[serde(default)]
    pub end_time_ms: i64,
    /// Why it could not be logged, when saved locally (credentials redacted).
    pub error: Option<String>,
}

impl RunRecord {
    /// Logs params, metrics, tags, inputs and artifacts (files under `dir`) to `run_id`;
    /// the model folder is logged last, its `MLmodel` (with `run_id`) after the bundle, so
    /// a registered version never points at a run whose other artifacts are missing.
    pub fn log(&self, backend: &dyn Backend, run_id: &str, dir: &Path) -> Result<()> {
        backend
            .log_batch(run_id, &self.params, &self.metrics, &self.tags)
            .map_err(|e| Error::registry(format!("logging run {run_id}"), e))?;
        if !self.inputs.is_empty() {
            backend
                .log_inputs(run_id, &self.inputs)
                .map_err(|e| Error::registry(format!("logging the inputs of run {run_id}"), e))?;
        }
        for artifact in &self.artifacts {
            let file = dir.join(&artifact.file);
            let bytes = std::fs::read(&file)
                .map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
            backend
                .log_artifact(run_id, &artifact.path, &bytes)
                .map_err(|e| {
                    Error::registry(
                        format!("logging artifact {} of run {run_id}", artifact.path),
                        e,
                    )
                })?;
        }
        if let Some(mlmodel) = &self.mlmodel {
            let mlmodel = MlModel {
                run_id: Some(run_id.to_owned()),
                ..mlmodel.clone()
            };
            let text = mlmodel
                .to_yaml()
                .map_err(|e| Error::registry("encoding MLmodel", e))?;
            backend
                .log_artifact(run_id, MLMODEL_ARTIFACT, text.as_bytes())
                .map_err(|e| {
                    Error::registry(format!("logging {MLMODEL_ARTIFACT} of run {run_id}"), e)
                })?;
        }
        Ok(())
    }

    /// Saves the record as `dir/pending-run.json`, readable by its owner only.
    pub fn save_pending(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(PENDING_RUN_FILE);
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Invalid(format!("encoding {}: {e}", path.display())))?;
        write_private(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Reads `dir/pending-run.json`.
    pub fn load_pending(dir: &Path) -> Result<Self> {
        let path = dir.join(PENDING_RUN_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::io(
                format!(
                    "reading {} (it is written by `reelcast train` when the tracking backend is unreachable)",
                    path.display()
                ),
                e,
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| Error::Invalid(format!("parsing {}: {e}", path.display())))
    }
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with_mode(path, bytes, None)
}

/// [`write_atomic`] with the file readable and writable by its owner only (0600 on Unix),
/// from its creation on: for files that may hold what a run could not log.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with_mode(path, bytes, Some(0o600))
}

fn write_with_mode(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    crate::atomic_file::write(path, bytes, mode)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_files_are_readable_by_their_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let record = RunRecord {
            tracking_uri: "http://127.0.0.1:1".into(),
            credentials_removed: true,
            experiment: "e".into(),
            run_name: "gbt-seed42-0123abcd".into(),
            params: BTreeMap::new(),
            metrics: Vec::new(),
            tags: BTreeMap::new(),
            artifacts: Vec::new(),
            mlmodel: None,
            inputs: Vec::new(),
            register: None,
            start_time_ms: 1,
            end_time_ms: 2,
            error: None,
        };
        let path = record.save_pending(dir.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{mode:o}");
        }
        assert_eq!(RunRecord::load_pending(dir.path()).unwrap(), record);
    }
}
