//! `GET /metrics`, `GET /status`, `GET /monitoring/predictions/stats` and
//! `POST /monitoring/data-drift/check`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use time::format_description::well_known::Rfc3339;

use crate::drift::{self, MIN_DRIFT_ROWS};
use crate::dto::{
    ActiveAlertsResponse, DriftRequest, DriftResponse, DriftThresholds, EndpointStats,
    LatencyQuantiles, ModelStatus, MonitoringStatusResponse, PredictionStatsResponse, RatingBucket,
    StatusResponse, UpstreamStatus,
};
use crate::error::ApiError;
use crate::routes::health::status_word;
use crate::routes::predict::parse_batch;
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
            name: model.as_ref().map(|m| m.name.clone()),
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
    let (matrix, source) = match req.movies {
        Some(movies) => (request_rows(&state, &model, &movies)?, "request"),
        None => (state.drift().matrix(&model.version), "recent_traffic"),
    };
    let n = matrix.len() / model.bundle.features.width().max(1);
    if n < MIN_DRIFT_ROWS && source == "recent_traffic" {
        let message = format!(
            "the recent-traffic window holds {n} movies; a drift check needs at least {MIN_DRIFT_ROWS}: predict more movies first, or POST {{\"movies\": [...]}}"
        );
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_enough_traffic",
            message,
        ));
    }
    let settings = state.settings();
    let (low, high) = (settings.drift_psi_low, settings.drift_psi_high);
    let report = drift::check(model.bundle.features.reference(), &matrix, low, high);
    state.metrics().set_drift(&report.scores);
    Ok(Json(DriftResponse {
        status: report.status.to_owned(),
        max_psi: report.max_psi,
        n,
        scores: report.scores,
        source: source.to_owned(),
        thresholds: DriftThresholds { low, high },
        model_version: model.version.clone(),
    }))
}

/// No body (or only whitespace) is `{}`; anything else must be a JSON `DriftRequest`.
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
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body with `content-type: application/json`, or send no body",
        ));
    }
    Ok(Json::<DriftRequest>::from_bytes(body)?.0)
}

/// The feature matrix of the posted movies, validated like a batch (at least 30).
fn request_rows(
    state: &AppState,
    model: &LoadedModel,
    movies: &[serde_json::Value],
) -> Result<Vec<f32>, ApiError> {
    let (_, inputs) = parse_batch(movies, state.settings().max_batch_size)?;
    if inputs.len() < MIN_DRIFT_ROWS {
        let message = format!(
            "movies has {} entries; a drift check needs at least {MIN_DRIFT_ROWS}",
            inputs.len()
        );
        let e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        );
        return Err(e.with_field("movies"));
    }
    Ok(model.bundle.features.transform_batch(&inputs))
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
    let base = state
        .settings()
        .alertmanager_url
        .trim_end_matches('/')
        .to_owned();
    if base.is_empty() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "alertmanager_not_configured",
            "no Alertmanager is configured; set [server] alertmanager_url, e.g. REELCAST__SERVER__ALERTMANAGER_URL=http://127.0.0.1:9093",
        ));
    }
    let unavailable = |detail: String| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "alertmanager_unavailable",
            format!("Alertmanager at {base} did not answer: {detail}"),
        )
    };
    let url = format!("{base}/api/v2/alerts?active=true&silenced=false&inhibited=false");
    let response = state
        .http()
        .get(&url)
        .send()
        .await
        .map_err(|e| unavailable(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(unavailable(format!("status {}", response.status())));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| unavailable(e.without_url().to_string()))?;
    let alerts: Vec<serde_json::Value> = serde_json::from_slice(&body)
        .map_err(|e| unavailable(format!("not a JSON list of alerts: {e}")))?;
    Ok(Json(ActiveAlertsResponse {
        alertmanager_url: base.clone(),
        count: alerts.len(),
        alerts,
    }))
}

/// `GET {url}/-/healthy` (Prometheus and Alertmanager both answer it).
async fn probe(client: &reqwest::Client, url: &str) -> UpstreamStatus {
    let url = url.trim_end_matches('/');
    if url.is_empty() {
        return UpstreamStatus {
            url: None,
            reachable: None,
            detail: "not configured".into(),
        };
    }
    let answer = client
        .get(format!("{url}/-/healthy"))
        .timeout(std::time::Duration::from_secs(2))
        .send()
        .await;
    let (reachable, detail) = match answer {
        Ok(r) => (r.status().is_success(), format!("status {}", r.status())),
        Err(e) => (false, e.without_url().to_string()),
    };
    UpstreamStatus {
        url: Some(url.to_owned()),
        reachable: Some(reachable),
        detail,
    }
}

/// The configured Prometheus and Alertmanager (`[server] prometheus_url`,
/// `alertmanager_url`) and whether each answers its `/-/healthy` within 2 seconds.
#[utoipa::path(get, path = "/monitoring/status", tag = "monitoring",
    responses((status = 200, description = "Monitoring services", body = MonitoringStatusResponse)))]
pub(crate) async fn monitoring_status(
    State(state): State<AppState>,
) -> Json<MonitoringStatusResponse> {
    let settings = state.settings();
    let (prometheus, alertmanager) = tokio::join!(
        probe(state.http(), &settings.prometheus_url),
        probe(state.http(), &settings.alertmanager_url)
    );
    Json(MonitoringStatusResponse {
        prometheus,
        alertmanager,
    })
}
