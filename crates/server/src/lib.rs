//! reelcast's HTTP prediction API: an axum [`Router`](axum::Router) over a
//! [`ModelBundle`](reelcast_pipeline::ModelBundle), with one JSON error shape and an
//! OpenAPI document generated from the code.
//!
//! - [`app`]: the router (routes, error shaping, body limit, request timeout);
//! - [`AppState`]: the served model behind an atomic swap, plus limits;
//! - [`serve`]: runs the router on a listener until a shutdown signal, over
//!   `reelcast-transport`'s connection handling;
//! - [`metrics`]: every Prometheus metric name, and the per-state recorder behind
//!   `GET /metrics` (from `reelcast-monitor`, which holds the monitoring domain: drift,
//!   feedback, prediction stats, the Alertmanager client);
//! - [`openapi_json`]: the OpenAPI document, as committed in `openapi.json`.
//!
//! Graph: `{pipeline, monitor, transport} -> server -> cli`.
//!
//! ```
//! use reelcast_server::{app, AppState, ServerSettings};
//!
//! // No model yet: `/health/ready` answers 503 until `state.set_model(..)`.
//! let state = AppState::new(ServerSettings::default());
//! let router = app(state.clone());
//! assert!(state.model().is_none());
//! # drop(router);
//! assert!(reelcast_server::openapi_json().contains("/predict/movie"));
//! ```

#![forbid(unsafe_code)]

mod body_limit;
mod cors;
mod dto;
mod error;
mod openapi;
mod routes;
mod scoring;
mod sources;
mod startup;
mod state;

pub use reelcast_monitor::metrics;
use reelcast_monitor::{alertmanager, drift, feedback, stats};

pub use dto::{
    ActiveAlertsResponse, BatchPrediction, BatchRequest, BatchResponse, Contribution, DriftRequest,
    DriftResponse, DriftThresholds, EndpointStats, ErrorBody, ErrorDetail, ErrorResponse,
    FeatureNames, FeedbackItem, FeedbackPair, FeedbackRequest, FeedbackResponse, HealthResponse,
    LanguageCode, LatencyQuantiles, LiveMetrics, ModelInfoResponse, ModelReferenceResponse,
    ModelStatus, ModelVersionsResponse, MonitoringStatusResponse, MovieBatchResponse,
    PeopleResponse, PersonSuggestion, PredictionResponse, PredictionStatsResponse, RatingBucket,
    RatingInterval, RegisteredVersion, ReloadResponse, SentimentLabel, SentimentMethod,
    ServiceInfo, StatusResponse, TextBatchItem, TextBatchResponse, TextPredictionResponse,
    TextQuery, TextRequest, TextSentiment, UpstreamStatus, WordWeight,
};
pub use error::{ApiError, ErrorCode};
pub use openapi::{openapi, openapi_json};
pub use reelcast_monitor::Stats;
pub use reelcast_pipeline::MovieRequest;
pub use sources::{FileSource, RegistrySource};
pub use startup::{app, serve, shutdown_signal, ServerSettings};
pub use state::{AppState, LoadedModel, ModelSource, ReloadOutcome, SourceError};
