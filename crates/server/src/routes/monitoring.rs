//! `GET /metrics`, `GET /status`, `GET /monitoring/predictions/stats` and
//! `POST /monitoring/data-drift/check`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;

use crate::alertmanager;
use crate::drift;
use crate::dto::{
    ActiveAlertsResponse, DriftRequest, DriftResponse, DriftThresholds, ModelStatus,
    MonitoringStatusResponse, PredictionStatsResponse, StatusResponse,
};
use crate::error::{ApiError, ErrorCode};
use crate::routes::health::status_word;
use crate::scoring;
use crate::state::{AppState, LoadedModel};

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
    let served = ModelStatus {
        loaded: model.is_some(),
        name: model.as_ref().map(|m| m.name.clone()),
        version: model.as_ref().map(|m| m.version.clone()),
    };
    let status = status_word(model.is_some());
    Json(
        state
            .stats()
            .status(status, env!("CARGO_PKG_VERSION"), served),
    )
}

/// Prediction statistics since start: totals per endpoint, the mean and histogram of
/// predicted ratings, latency p50/p95/p99 and the error rate. Reading them changes nothing.
#[utoipa::path(get, path = "/monitoring/predictions/stats", tag = "monitoring",
    responses((status = 200, description = "Prediction statistics", body = PredictionStatsResponse)))]
pub(crate) async fn prediction_stats(
    State(state): State<AppState>,
) -> Json<PredictionStatsResponse> {
    Json(state.stats().snapshot().prediction_stats())
}

/// Drift of feature distributions against the training reference stored in the bundle:
/// PSI per feature, and `normal` / `low` / `high` from the largest (thresholds
/// `[server] drift_psi_low` and `drift_psi_high`, default 0.1 and 0.25). With
/// `{"movies": [...]}` (at least 30, same shape and bounds as `POST /predict/batch`) it
/// checks those; with no body or `{}` it checks the feature rows of the last
/// `[server] drift_window` movies predicted by `/predict/movie` and `/predict/batch`
/// (emptied when the model changes), and answers 409 while that window holds fewer than 30.
/// Each check sets the `reelcast_feature_drift_psi{feature}` gauges; the server also
/// refreshes them from the window every `[server] drift_refresh_seconds` (60) once it holds 200 rows.
#[utoipa::path(post, path = "/monitoring/data-drift/check", tag = "monitoring",
    request_body(content = Option<DriftRequest>, description = "Movies to check; no body or `{}` checks the recent-traffic window"),
    responses(
        (status = 200, description = "PSI per feature and the drift status", body = DriftResponse),
        (status = 400, description = "Malformed JSON", body = crate::dto::ErrorResponse),
        (status = 409, description = "The recent-traffic window holds fewer than 30 movies", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "A body that is not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "Fewer than 30 or more than the batch limit of movies, or every bad index and field", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn drift_check(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DriftResponse>, ApiError> {
    let body = body.map_err(|r| ApiError::from_status(r.status()))?;
    let req = drift_request(&headers, &body)?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let (matrix, source) = drift_rows(&state, &model, req.movies)?;
    let settings = state.settings();
    let thresholds = DriftThresholds {
        low: settings.drift_psi_low,
        high: settings.drift_psi_high,
    };
    let reference = model.bundle.features.reference();
    let response = drift::respond(reference, &matrix, thresholds, source, &model.version);
    state.metrics().set_drift(&response.scores);
    Ok(Json(response))
}

/// No body (or only whitespace) and JSON `null` are `{}`; anything else must be a JSON
/// `DriftRequest`.
fn drift_request(headers: &HeaderMap, body: &Bytes) -> Result<DriftRequest, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DriftRequest::default());
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        });
    if !is_json {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body with `content-type: application/json`, or send no body",
        ));
    }
    // The document's body is `DriftRequest` or null: null is no request, as no body is.
    Ok(Json::<Option<DriftRequest>>::from_bytes(body)?
        .0
        .unwrap_or_default())
}

/// The rows a drift check compares, and where they come from: the posted movies,
/// checked like a batch (at least 30), else the recent-traffic window (at least 30 rows).
fn drift_rows(
    state: &AppState,
    model: &LoadedModel,
    movies: Option<Vec<Box<serde_json::value::RawValue>>>,
) -> Result<(Vec<f32>, &'static str), ApiError> {
    let features = &model.bundle.features;
    let Some(movies) = movies else {
        let window = state.drift().checkable(&model.version, features.width())?;
        return Ok((window, "recent_traffic"));
    };
    let movies = scoring::parse_movies(movies, state.settings().max_batch_size)?;
    drift::check_posted(movies.len())?;
    let mut matrix = Vec::with_capacity(movies.len() * features.width());
    let imputed: Vec<_> = movies
        .iter()
        .map(|(_, input)| features.transform(input, &mut matrix))
        .collect();
    drift::hide_imputed(features.names(), &mut matrix, &imputed);
    Ok((matrix, "request"))
}

/// Alertmanager's active alerts (not silenced, not inhibited), from
/// `{[server] alertmanager_url}/api/v2/alerts`, unmodified. 503 when no Alertmanager is
/// configured (the message says how) or it does not answer.
#[utoipa::path(get, path = "/monitoring/alerts/active", tag = "monitoring",
    responses(
        (status = 200, description = "Active alerts", body = ActiveAlertsResponse),
        (status = 503, description = "No Alertmanager configured, or it did not answer", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn active_alerts(
    State(state): State<AppState>,
) -> Result<Json<ActiveAlertsResponse>, ApiError> {
    let base = &state.settings().alertmanager_url;
    Ok(Json(alertmanager::active_alerts(state.http(), base).await?))
}

/// The configured Prometheus and Alertmanager (`[server] prometheus_url`,
/// `alertmanager_url`) and whether each answers its `/-/healthy` within 2 seconds.
#[utoipa::path(get, path = "/monitoring/status", tag = "monitoring",
    responses((status = 200, description = "Monitoring services", body = MonitoringStatusResponse)))]
pub(crate) async fn monitoring_status(
    State(state): State<AppState>,
) -> Json<MonitoringStatusResponse> {
    let settings = state.settings();
    let timeout = std::time::Duration::from_secs(2);
    let (prometheus, alertmanager) = tokio::join!(
        alertmanager::probe(state.http(), &settings.prometheus_url, timeout),
        alertmanager::probe(state.http(), &settings.alertmanager_url, timeout)
    );
    Json(MonitoringStatusResponse {
        prometheus,
        alertmanager,
    })
}
