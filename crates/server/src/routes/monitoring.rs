//! `GET /metrics`, `GET /status` and `GET /monitoring/predictions/stats`.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use time::format_description::well_known::Rfc3339;

use crate::dto::{
    EndpointStats, LatencyQuantiles, ModelStatus, PredictionStatsResponse, RatingBucket,
    StatusResponse,
};
use crate::routes::health::status_word;
use crate::state::AppState;

/// Prometheus text exposition: HTTP, prediction, model and process metrics.
#[utoipa::path(get, path = "/metrics", tag = "monitoring",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain; version=0.0.4", body = String)))]
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
}

/// Uptime, request counters by endpoint and the model status (consistent with `/health`).
#[utoipa::path(get, path = "/status", tag = "monitoring",
    responses((status = 200, description = "Service status", body = StatusResponse)))]
pub(crate) async fn status(State(state): State<AppState>) -> Json<StatusResponse> {
    let model = state.model();
    let snap = state.stats().snapshot();
    let started_at = time::OffsetDateTime::from(state.stats().started_at())
        .format(&Rfc3339)
        .unwrap_or_default();
    Json(StatusResponse {
        status: status_word(model.is_some()).into(),
        version: env!("CARGO_PKG_VERSION").into(),
        uptime_seconds: snap.uptime.as_secs_f64(),
        started_at,
        requests_total: snap.requests_total,
        requests_by_endpoint: snap.requests_by_route,
        model: ModelStatus {
            loaded: model.is_some(),
            name: model.as_ref().map(|m| m.bundle.metadata.model_name.clone()),
            version: model.as_ref().map(|m| m.version.clone()),
        },
    })
}

/// Prediction statistics since start: totals per endpoint, the mean and histogram of
/// predicted ratings, latency p50/p95/p99 and the error rate. Reading them changes nothing.
#[utoipa::path(get, path = "/monitoring/predictions/stats", tag = "monitoring",
    responses((status = 200, description = "Prediction statistics", body = PredictionStatsResponse)))]
pub(crate) async fn prediction_stats(
    State(state): State<AppState>,
) -> Json<PredictionStatsResponse> {
    let snap = state.stats().snapshot();
    let (requests, errors) = snap
        .endpoints
        .values()
        .fold((0, 0), |(r, e), (r1, e1, _)| (r + r1, e + e1));
    let endpoints = snap
        .endpoints
        .iter()
        .map(|(name, (requests, errors, predictions))| {
            let stats = EndpointStats {
                requests: *requests,
                errors: *errors,
                predictions: *predictions,
            };
            ((*name).to_owned(), stats)
        })
        .collect();
    let rating_histogram = (1u32..)
        .zip(snap.ratings)
        .map(|(lower, count)| RatingBucket {
            lower: f64::from(lower),
            upper: f64::from(lower + 1),
            count,
        })
        .collect();
    Json(PredictionStatsResponse {
        endpoints,
        total_predictions: snap.endpoints.values().map(|(_, _, p)| p).sum(),
        mean_predicted_rating: snap.rating_mean,
        rating_histogram,
        latency_seconds: LatencyQuantiles {
            p50: snap.latency_quantile(0.5),
            p95: snap.latency_quantile(0.95),
            p99: snap.latency_quantile(0.99),
        },
        error_rate: if requests == 0 {
            0.0
        } else {
            errors as f64 / requests as f64
        },
    })
}
