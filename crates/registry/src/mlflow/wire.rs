//! MLflow's JSON shapes (REST API 2.0) and their conversion to this crate's types.
//!
//! MLflow omits empty fields (proto3), writes int64 as numbers (older servers: strings),
//! versions as strings and non-finite metric values as `"NaN"`/`"Infinity"`; every field
//! here is lenient about that.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::{DatasetInput, Error, Metric, ModelVersion, RegisteredModel, Result, Run, RunStatus};

/// A `{key, value}` pair (params and tags).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct KeyValue {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// `{"experiment": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ExperimentEnvelope {
    pub experiment: Experiment,
}

/// An experiment.
#[derive(Debug, Deserialize)]
pub(crate) struct Experiment {
    pub experiment_id: String,
    pub name: String,
    #[serde(default)]
    pub lifecycle_stage: String,
}

/// `{"experiments": [...], "next_page_token": "..."}` from `experiments/search`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExperimentPage {
    #[serde(default)]
    pub experiments: Vec<Experiment>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// `{"experiment_id": "..."}` from `experiments/create`.
#[derive(Debug, Deserialize)]
pub(crate) struct CreatedExperiment {
    pub experiment_id: String,
}

/// `{"run": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct RunEnvelope {
    pub run: WireRun,
}

/// `{"runs": [...], "next_page_token": "..."}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RunPage {
    #[serde(default)]
    pub runs: Vec<WireRun>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A run.
#[derive(Debug, Deserialize)]
pub(crate) struct WireRun {
    pub info: RunInfo,
    #[serde(default)]
    pub data: RunData,
    #[serde(default)]
    pub inputs: RunInputs,
}

/// A run's inputs (only its datasets are read).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RunInputs {
    #[serde(default)]
    pub dataset_inputs: Vec<WireDatasetInput>,
}

/// `{"tags": [...], "dataset": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireDatasetInput {
    #[serde(default)]
    pub tags: Vec<KeyValue>,
    pub dataset: WireDataset,
}

/// A dataset as MLflow stores it.
#[derive(Debug, Deserialize)]
pub(crate) struct WireDataset {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub source_type: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub schema: String,
    #[serde(default)]
    pub profile: String,
}

/// The input tag naming what a run used a dataset for.
pub(crate) const DATASET_CONTEXT_TAG: &str = "mlflow.data.context";

/// A run's info.
#[derive(Debug, Deserialize)]
pub(crate) struct RunInfo {
    #[serde(default)]
    pub run_id: String,
    /// The older name of `run_id`, still sent alongside it.
    #[serde(default)]
    pub run_uuid: String,
    #[serde(default)]
    pub run_name: String,
    pub experiment_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub start_time: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub end_time: Option<i64>,
    #[serde(default)]
    pub artifact_uri: String,
}

/// A run's params, latest metrics and tags.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RunData {
    #[serde(default)]
    pub metrics: Vec<WireMetric>,
    #[serde(default)]
    pub params: Vec<KeyValue>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

/// A run's latest value of a metric, as MLflow returns it (step and timestamp unused).
#[derive(Debug, Deserialize)]
pub(crate) struct WireMetric {
    pub key: String,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub value: f64,
}

/// `{"registered_model": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct RegisteredModelEnvelope {
    pub registered_model: WireRegisteredModel,
}

/// One page of a registry search's answer: its items and the next page's token.
pub(crate) trait SearchPage: DeserializeOwned {
    /// What the search lists.
    type Item;
    /// The page's items and `next_page_token`.
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

impl SearchPage for RegisteredModelPage {
    type Item = WireRegisteredModel;
    fn into_parts(self) -> (Vec<WireRegisteredModel>, Option<String>) {
        (self.registered_models, self.next_page_token)
    }
}

impl SearchPage for ModelVersionPage {
    type Item = WireModelVersion;
    fn into_parts(self) -> (Vec<WireModelVersion>, Option<String>) {
        (self.model_versions, self.next_page_token)
    }
}

/// `{"registered_models": [...], "next_page_token": "..."}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegisteredModelPage {
    #[serde(default)]
    pub registered_models: Vec<WireRegisteredModel>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A registered model.
#[derive(Debug, Deserialize)]
pub(crate) struct WireRegisteredModel {
    pub name: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub creation_timestamp: Option<i64>,
    #[serde(default)]
    pub latest_versions: Vec<WireModelVersion>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
    #[serde(default)]
    pub aliases: Vec<WireAlias>,
    #[serde(default)]
    pub description: String,
}

/// `{"alias": "champion", "version": "3"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireAlias {
    pub alias: String,
    #[serde(deserialize_with = "lenient_u64")]
    pub version: u64,
}

/// `{"model_version": {...}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ModelVersionEnvelope {
    pub model_version: WireModelVersion,
}

/// `{"model_versions": [...], "next_page_token": "..."}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ModelVersionPage {
    #[serde(default)]
    pub model_versions: Vec<WireModelVersion>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A model version.
#[derive(Debug, Deserialize)]
pub(crate) struct WireModelVersion {
    pub name: String,
    #[serde(deserialize_with = "lenient_u64")]
    pub version: u64,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub creation_timestamp: Option<i64>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub run_id: String,
    /// `PENDING_REGISTRATION`, `FAILED_REGISTRATION` or `READY`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub status_message: String,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
    #[serde(default)]
    pub description: String,
}

impl RunInfo {
    /// The run id (`run_id`, or `run_uuid` from older servers).
    pub(crate) fn id(&self) -> &str {
        if self.run_id.is_empty() {
            &self.run_uuid
        } else {
            &self.run_id
        }
    }
}

/// MLflow's run status name -> [`RunStatus`] (`SCHEDULED` counts as running).
pub(crate) fn run_status(name: &str) -> Result<RunStatus> {
    match name {
        "RUNNING" | "SCHEDULED" => Ok(RunStatus::Running),
        "FINISHED" => Ok(RunStatus::Finished),
        "FAILED" => Ok(RunStatus::Failed),
        "KILLED" => Ok(RunStatus::Killed),
        other => Err(Error::Other(format!(
            "MLflow answered an unknown run status {other:?}"
        ))),
    }
}

/// [`RunStatus`] -> MLflow's name.
pub(crate) fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "RUNNING",
        RunStatus::Finished => "FINISHED",
        RunStatus::Failed => "FAILED",
        RunStatus::Killed => "KILLED",
    }
}

/// Pairs -> a map (later duplicates win).
pub(crate) fn to_map(pairs: Vec<KeyValue>) -> BTreeMap<String, String> {
    pairs.into_iter().map(|kv| (kv.key, kv.value)).collect()
}

/// A map -> MLflow's `[{key, value}]`.
pub(crate) fn key_values<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    Value::Array(
        pairs
            .into_iter()
            .map(|(key, value)| json!({ "key": key, "value": value }))
            .collect(),
    )
}

/// A dataset -> MLflow's `DatasetInput` JSON (`runs/log-inputs`); the context goes in
/// the `mlflow.data.context` tag, as MLflow's client puts it.
pub(crate) fn dataset_input_json(input: &DatasetInput) -> Value {
    let tags = if input.context.is_empty() {
        json!([])
    } else {
        json!([{ "key": DATASET_CONTEXT_TAG, "value": input.context }])
    };
    let mut dataset = json!({
        "name": input.name,
        "digest": input.digest,
        "source_type": input.source_type,
        "source": input.source,
    });
    if !input.schema.is_empty() {
        dataset["schema"] = json!(input.schema);
    }
    if !input.profile.is_empty() {
        dataset["profile"] = json!(input.profile);
    }
    json!({ "tags": tags, "dataset": dataset })
}

impl WireDatasetInput {
    fn into_input(self) -> DatasetInput {
        let context = self
            .tags
            .into_iter()
            .find(|t| t.key == DATASET_CONTEXT_TAG)
            .map(|t| t.value)
            .unwrap_or_default();
        let d = self.dataset;
        DatasetInput {
            name: d.name,
            digest: d.digest,
            source_type: d.source_type,
            source: d.source,
            schema: d.schema,
            profile: d.profile,
            context,
        }
    }
}

/// A metric -> MLflow's JSON; non-finite values are sent the way protobuf's JSON writes
/// them (`"NaN"`, `"Infinity"`, `"-Infinity"`), which MLflow accepts.
pub(crate) fn metric_json(metric: &Metric) -> Value {
    let value = if metric.value.is_nan() {
        json!("NaN")
    } else if metric.value == f64::INFINITY {
        json!("Infinity")
    } else if metric.value == f64::NEG_INFINITY {
        json!("-Infinity")
    } else {
        json!(metric.value)
    };
    json!({
        "key": metric.key,
        "value": value,
        "timestamp": metric.timestamp_ms,
        "step": metric.step,
    })
}

impl WireRun {
    /// Converts to a [`Run`] of the experiment named `experiment`. MLflow's run data holds
    /// the latest value per metric key (highest step, then latest timestamp), as [`Run`]
    /// documents; tags include MLflow's own (`mlflow.runName`, …).
    pub(crate) fn into_run(self, experiment: String) -> Result<Run> {
        let RunInfo {
            run_id,
            run_uuid,
            run_name,
            status,
            start_time,
            end_time,
            ..
        } = self.info;
        let tags = to_map(self.data.tags);
        let run_name = if run_name.is_empty() {
            tags.get("mlflow.runName").cloned().unwrap_or_default()
        } else {
            run_name
        };
        Ok(Run {
            run_id: if run_id.is_empty() { run_uuid } else { run_id },
            experiment,
            run_name,
            status: run_status(&status)?,
            start_time_ms: start_time.unwrap_or_default(),
            end_time_ms: end_time.filter(|&t| t > 0),
            params: to_map(self.data.params),
            metrics: self
                .data
                .metrics
                .into_iter()
                .map(|m| (m.key, m.value))
                .collect(),
            tags,
            inputs: self
                .inputs
                .dataset_inputs
                .into_iter()
                .map(WireDatasetInput::into_input)
                .collect(),
        })
    }
}

impl WireModelVersion {
    /// Converts to a [`ModelVersion`]; `aliases` are the registered model's aliases that
    /// point at this version (version answers of MLflow's search leave them out).
    pub(crate) fn into_version(self, aliases: &BTreeMap<String, u64>) -> ModelVersion {
        let artifact_path = artifact_path_of(&self.source, &self.run_id);
        let mut own: Vec<String> = aliases
            .iter()
            .filter(|(_, &v)| v == self.version)
            .map(|(a, _)| a.clone())
            .collect();
        own.sort();
        ModelVersion {
            name: self.name,
            version: self.version,
            run_id: self.run_id,
            artifact_path,
            created_ms: self.creation_timestamp.unwrap_or_default(),
            aliases: own,
            tags: to_map(self.tags),
            description: self.description,
        }
    }
}

impl WireRegisteredModel {
    /// Alias -> version.
    pub(crate) fn alias_map(&self) -> BTreeMap<String, u64> {
        self.aliases
            .iter()
            .map(|a| (a.alias.clone(), a.version))
            .collect()
    }

    /// Converts to a [`RegisteredModel`], hiding the tags this backend keeps for itself
    /// (those starting with `hidden_prefix`).
    pub(crate) fn into_model(self, hidden_prefix: &str) -> RegisteredModel {
        let aliases = self.alias_map();
        RegisteredModel {
            name: self.name,
            created_ms: self.creation_timestamp.unwrap_or_default(),
            aliases,
            latest_version: self.latest_versions.iter().map(|v| v.version).max(),
            tags: to_map(self.tags)
                .into_iter()
                .filter(|(k, _)| !k.starts_with(hidden_prefix))
                .collect(),
            description: self.description,
        }
    }
}

/// The path inside the run's artifacts of a version's `source`: what follows
/// `/<run_id>/artifacts/` (`mlflow-artifacts:/1/<run>/artifacts/model/model.bundle`) or
/// `runs:/<run_id>/`; the whole source when it is neither.
pub(crate) fn artifact_path_of(source: &str, run_id: &str) -> String {
    if !run_id.is_empty() {
        let marker = format!("/{run_id}/artifacts/");
        if let Some(at) = source.find(&marker) {
            return source[at + marker.len()..].to_owned();
        }
        if let Some(rest) = source.strip_prefix(&format!("runs:/{run_id}/")) {
            return rest.to_owned();
        }
    }
    source.to_owned()
}

/// The artifact-proxy path of a run's `artifact_uri`: `mlflow-artifacts:/1/<run>/artifacts`
/// or `mlflow-artifacts://host:port/1/<run>/artifacts` -> `1/<run>/artifacts`.
pub(crate) fn proxy_root(artifact_uri: &str) -> Result<String> {
    let rest = artifact_uri
        .strip_prefix("mlflow-artifacts:")
        .ok_or_else(|| {
            Error::Invalid(format!(
                "run artifact URI {artifact_uri:?} is not served by the MLflow server's artifact \
             proxy (mlflow-artifacts:/…); start `mlflow server` with artifact serving on (the \
             default, i.e. without --no-serve-artifacts and --default-artifact-root)"
            ))
        })?;
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => authority_and_path
            .split_once('/')
            .map_or("", |(_, path)| path),
        None => rest,
    };
    let path = path.trim_matches('/');
    if path.is_empty() {
        return Err(Error::Other(format!(
            "run artifact URI {artifact_uri:?} has no path"
        )));
    }
    Ok(path.to_owned())
}

/// A JSON number or a string holding one.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(serde_json::Number),
    String(String),
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error as _;
    match Option::<NumberOrString>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrString::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{n} is not an integer"))),
        Some(NumberOrString::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("{s:?} is not an integer"))),
    }
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    use serde::de::Error as _;
    match NumberOrString::deserialize(d)? {
        NumberOrString::Number(n) => n
            .as_u64()
            .ok_or_else(|| D::Error::custom(format!("version {n} is not a positive integer"))),
        NumberOrString::String(s) => s
            .parse()
            .map_err(|_| D::Error::custom(format!("version {s:?} is not a positive integer"))),
    }
}

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    use serde::de::Error as _;
    match NumberOrString::deserialize(d)? {
        NumberOrString::Number(n) => n
            .as_f64()
            .ok_or_else(|| D::Error::custom(format!("{n} is not a number"))),
        NumberOrString::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other
                .parse()
                .map_err(|_| D::Error::custom(format!("{other:?} is not a number"))),
        },
    }
}

#[cfg(test)]
mod tests;
