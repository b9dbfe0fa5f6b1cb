//! Wire types (serde + OpenAPI schemas), kept apart from the domain types. A movie is
//! always a [`MovieRequest`](reelcast_pipeline::MovieRequest), turned into a
//! [`MovieInput`](reelcast_core::MovieInput) once, with [`TryFrom`].

mod predict;
mod service;
mod text;

pub use predict::{
    BatchPrediction, BatchRequest, BatchResponse, Contribution, FeatureNames, MovieBatchResponse,
    PredictQuery, PredictionResponse, RatingInterval,
};
pub use reelcast_monitor::dto::{
    ActiveAlertsResponse, DriftRequest, DriftResponse, DriftThresholds, EndpointStats,
    FeedbackItem, FeedbackPair, FeedbackRequest, FeedbackResponse, LatencyQuantiles, LiveMetrics,
    ModelStatus, MonitoringStatusResponse, PredictionStatsResponse, RatingBucket, StatusResponse,
    UpstreamStatus,
};
pub use service::{
    ErrorBody, ErrorDetail, ErrorResponse, HealthResponse, ModelInfoResponse,
    ModelReferenceResponse, ModelVersionsResponse, PeopleResponse, PersonSuggestion,
    RegisteredVersion, ReloadResponse, ServiceInfo,
};
pub use text::{
    LanguageCode, SentimentLabel, SentimentMethod, TextBatchItem, TextBatchResponse,
    TextPredictionResponse, TextQuery, TextRequest, TextSentiment, WordWeight,
};
