//! Wire types of the monitoring endpoints: status, prediction statistics, drift,
//! feedback and alerts.

use std::collections::BTreeMap;

use reelcast_pipeline::MovieRequest;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use utoipa::ToSchema;

/// `POST /monitoring/data-drift/check`: movies to compare with the training data; no body
/// or `{}` checks the server's recent-traffic window instead.
/// Any other key is refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(expecting = "a JSON object with `movies`", deny_unknown_fields)]
pub struct DriftRequest {
    /// At least 30 movies, each like a `POST /predict/movie` body (at most the batch limit).
    // Read one by one, as a batch's movies are.
    #[schema(value_type = Option<Vec<MovieRequest>>, min_items = 30)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movies: Option<Vec<Box<RawValue>>>,
}

/// The PSI thresholds in force.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DriftThresholds {
    /// PSI at or above which drift is `low`.
    pub low: f64,
    /// PSI at or above which drift is `high`.
    pub high: f64,
}

/// Drift of a set of feature rows against the training reference stored in the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DriftResponse {
    /// `normal`, `low` or `high`, from `max_psi` and the thresholds.
    pub status: String,
    /// The largest per-feature PSI.
    pub max_psi: f64,
    /// Rows checked.
    pub n: usize,
    /// PSI per feature, by feature name.
    pub scores: BTreeMap<String, f64>,
    /// `request` (the posted movies) or `recent_traffic` (the server's window).
    pub source: String,
    /// The thresholds used.
    pub thresholds: DriftThresholds,
    /// See [`crate::PredictionResponse::model_version`].
    pub model_version: String,
}

/// The served model as `/status` sees it (the same as `/health`'s `model_loaded`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelStatus {
    /// Whether a model is loaded.
    pub loaded: bool,
    /// Model name, when loaded.
    pub name: Option<String>,
    /// Model version, when loaded.
    pub version: Option<String>,
}

/// `GET /status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatusResponse {
    /// Same value as `/health`'s `status`.
    pub status: String,
    /// reelcast version.
    pub version: String,
    /// Seconds since the server state was created.
    pub uptime_seconds: f64,
    /// Start time, RFC 3339 UTC.
    pub started_at: String,
    /// Requests answered since start.
    pub requests_total: u64,
    /// Requests answered since start, by matched route (`unmatched` for unknown paths).
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// The served model.
    pub model: ModelStatus,
}

/// Per prediction endpoint, since start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EndpointStats {
    /// Requests answered.
    pub requests: u64,
    /// Requests answered with a 4xx or 5xx.
    pub errors: u64,
    /// Movies predicted and texts scored (a batch counts each item).
    pub predictions: u64,
}

/// One bucket of predicted ratings, `[lower, upper)` (the last one includes 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RatingBucket {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Ratings in the bucket.
    pub count: u64,
}

/// Latency quantiles of prediction requests, in seconds: the upper bound of the fixed
/// bucket holding the quantile (null before any request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatencyQuantiles {
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
}

/// `GET /monitoring/predictions/stats`: since start; reading it changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PredictionStatsResponse {
    /// `movie` (`POST /predict/movie`), `batch` (`POST /predict/batch`) and `text`
    /// (`POST /predict`).
    pub endpoints: BTreeMap<String, EndpointStats>,
    /// Movies predicted and texts scored, all endpoints.
    pub total_predictions: u64,
    /// Mean predicted rating (null before any prediction).
    pub mean_predicted_rating: Option<f64>,
    /// Predicted ratings in unit buckets from 1 to 10.
    pub rating_histogram: Vec<RatingBucket>,
    /// Request latency of the prediction endpoints.
    pub latency_seconds: LatencyQuantiles,
    /// Errors over requests, prediction endpoints only (0 before any request).
    pub error_rate: f64,
}

/// One `POST /feedback` item: the movie (same fields and rules as `POST /predict/movie`),
/// the rating the client was given (optional: the served model predicts it when absent)
/// and the rating the movie really has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(expecting = "a JSON object of movie fields with `actual_rating`")]
#[schema(example = json!({"title": "The Kid", "startYear": 1921, "runtimeMinutes": 68,
    "numVotes": 40584, "genres": ["Comedy", "Drama"], "predicted_rating": 7.6, "actual_rating": 8.2}))]
pub struct FeedbackItem {
    /// The movie.
    #[serde(flatten)]
    pub movie: MovieRequest,
    /// The rating the client was given, 1 to 10; predicted by the served model when absent.
    #[schema(value_type = Option<f64>, minimum = 1, maximum = 10)]
    #[serde(default)]
    pub predicted_rating: Option<Value>,
    /// The movie's real IMDb rating, 1 to 10.
    #[schema(value_type = f64, required = true, minimum = 1, maximum = 10)]
    #[serde(default)]
    pub actual_rating: Option<Value>,
}

/// `POST /feedback`: one item, or `{"items": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum FeedbackRequest {
    /// Several items.
    Batch {
        /// At most `[server] max_batch_size` items.
        #[schema(min_items = 1)]
        items: Vec<FeedbackItem>,
    },
    /// One item.
    One(Box<FeedbackItem>),
}

/// One scored feedback pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackPair {
    /// The prediction (the client's, or the served model's when it sent none).
    pub predicted_rating: f64,
    /// The real rating.
    pub actual_rating: f64,
    /// `predicted_rating - actual_rating`.
    pub error: f64,
}

/// Live error of the served model over the feedback window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveMetrics {
    /// Pairs in the window (the last `[server] feedback_window`, since the model was
    /// loaded).
    pub window_size: usize,
    /// RMSE over the window.
    pub rmse: Option<f64>,
    /// MAE over the window.
    pub mae: Option<f64>,
    /// The served model's held-out RMSE at training, for comparison.
    pub training_rmse: f64,
}

/// `POST /feedback` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackResponse {
    /// Pairs accepted.
    pub accepted: usize,
    /// The pairs, in request order.
    pub pairs: Vec<FeedbackPair>,
    /// The served model's version.
    pub model_version: String,
    /// The live metrics after these pairs.
    pub live: LiveMetrics,
}

/// `GET /monitoring/alerts/active`: Alertmanager's active alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActiveAlertsResponse {
    /// The Alertmanager queried.
    pub alertmanager_url: String,
    /// Number of alerts.
    pub count: usize,
    /// Alertmanager's `/api/v2/alerts` objects, unmodified (active, not silenced, not
    /// inhibited).
    #[schema(value_type = Vec<Object>)]
    pub alerts: Vec<Value>,
}

/// Reachability of one monitoring service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpstreamStatus {
    /// Configured base URL, null when not configured.
    pub url: Option<String>,
    /// Whether `GET {url}/-/healthy` answered 200 (null when not configured).
    pub reachable: Option<bool>,
    /// What was seen: the status code or the connection error.
    pub detail: String,
}

/// `GET /monitoring/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MonitoringStatusResponse {
    /// `[server] prometheus_url`.
    pub prometheus: UpstreamStatus,
    /// `[server] alertmanager_url`.
    pub alertmanager: UpstreamStatus,
}
