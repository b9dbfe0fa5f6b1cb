//! Wire types of the service itself: errors, health, `GET /`, the served model and its
//! reload.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// One problem in a request (batch validation lists them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Batch position, for batch requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The field, API spelling.
    pub field: String,
    /// What is wrong, naming the value and the rule.
    pub message: String,
}

/// The error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// The offending field, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found (batch validation), or the available endpoints (404).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<ErrorDetail>,
}

/// Every error response: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HealthResponse {
    /// `healthy` (model loaded), `degraded` (starting, no model yet) or `unhealthy`.
    pub status: String,
    /// Whether a model is loaded.
    pub model_loaded: bool,
    /// reelcast version.
    pub version: String,
    /// Now, RFC 3339 UTC.
    pub timestamp: String,
    /// What this server can do.
    pub capabilities: Vec<String>,
}

/// `GET /model/info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelInfoResponse {
    /// Model name.
    pub name: String,
    /// `random_forest` or `gradient_boosting`.
    pub kind: String,
    /// See [`crate::PredictionResponse::model_version`].
    pub version: String,
    /// Content hash of the fitted features and model (12 hex digits).
    pub fingerprint: String,
    /// The registry alias it is served through (e.g. `champion`), if any.
    pub alias: Option<String>,
    /// Where it was loaded from: a `models:/` URI or a file path.
    pub source: String,
    /// When training finished (from the bundle, RFC 3339).
    pub created_at: String,
    /// Held-out, baseline and cross-validation metrics.
    #[schema(value_type = Object)]
    pub metrics: Value,
    /// Fitted hyperparameters.
    #[schema(value_type = Object)]
    pub params: Value,
    /// Feature names, in column order.
    pub features: Vec<String>,
    /// Content hash of the training dataset.
    pub dataset_version: String,
    /// Rows in the training split.
    pub n_train: usize,
    /// Rows in the test split.
    pub n_test: usize,
    /// Seed of the split and the model.
    pub seed: u64,
    /// Git commit of the training build, when known.
    pub git_sha: Option<String>,
    /// reelcast version that trained it.
    pub reelcast_version: String,
    /// Feature groups the model uses: `basics`, and `crew` when it reads directors,
    /// writers and cast.
    pub feature_groups: Vec<String>,
    /// People in the model's people table (0 without crew features).
    pub people_count: usize,
    /// Each feature's share of the model's split gain (sums to 1), by feature name.
    pub feature_importances: BTreeMap<String, f64>,
}

/// `GET /model/reference`: the training distribution drift is measured against. Kept out
/// of `GET /model/info`, which it would make several hundred kilobytes long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelReferenceResponse {
    /// See [`crate::PredictionResponse::model_version`].
    pub version: String,
    /// Training distribution of every feature (bins, fractions, mean, std) for drift checks.
    #[schema(value_type = Object)]
    pub reference: Value,
}

/// One person of `GET /model/people`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PersonSuggestion {
    /// IMDb person id.
    pub nconst: String,
    /// The person's name.
    pub name: String,
    /// Rated films the model trained on.
    pub films: u32,
}

/// `GET /model/people`: people of the served model whose name starts with the prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PeopleResponse {
    /// Most training films first.
    pub people: Vec<PersonSuggestion>,
}

/// One registered version of the served model's name, as `GET /model/versions` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RegisteredVersion {
    /// Version number.
    pub version: u64,
    /// When it was registered, `YYYY-MM-DD HH:MM:SS` UTC.
    pub created_at: String,
    /// Held-out RMSE recorded at training (the `test_rmse` tag), if any.
    pub test_rmse: Option<f64>,
    /// Dataset version it was trained on (the `dataset_version` tag), if any.
    pub dataset_version: Option<String>,
    /// Aliases pointing at it, e.g. `champion`.
    pub aliases: Vec<String>,
    /// The run that produced it.
    pub run_id: String,
}

/// `GET /model/versions`: the registered versions of the served model's name, read-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelVersionsResponse {
    /// What the server serves from: `models:/NAME@ALIAS`, `models:/NAME/VERSION` or a
    /// bundle path.
    pub source: String,
    /// Whether the source is a registry; a bundle file has no versions.
    pub registry: bool,
    /// Newest first; empty when the source is a file.
    pub versions: Vec<RegisteredVersion>,
}

/// `GET /`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceInfo {
    /// `reelcast`.
    pub service: String,
    /// reelcast version.
    pub version: String,
    /// Every endpoint, `METHOD /path`, from the OpenAPI document.
    pub endpoints: Vec<String>,
    /// Where the interactive documentation is.
    pub docs: String,
    /// Extra links.
    pub links: BTreeMap<String, String>,
}

/// `POST /model/reload` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReloadResponse {
    /// Whether a new model was swapped in (false: the source still designates the
    /// served one).
    pub reloaded: bool,
    /// What the source is, e.g. `models:/movie_rating_gbt@champion`.
    pub source: String,
    /// The served model's name.
    pub name: String,
    /// The served version after the reload.
    pub version: String,
    /// The version served before, when it changed.
    pub previous_version: Option<String>,
    /// The alias served through, if any.
    pub alias: Option<String>,
}
