//! `GET /`, `GET /health`, `GET /health/live`, `GET /health/ready`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use time::format_description::well_known::Rfc3339;

use crate::dto::{HealthResponse, ServiceInfo};
use crate::error::ApiError;
use crate::state::AppState;

/// What a server with a model can do.
const CAPABILITIES: [&str; 4] = ["predict_movie", "predict_batch", "explain", "openapi"];

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// `/health`'s status, shared with `/status` so that the two always agree.
pub(crate) fn status_word(model_loaded: bool) -> &'static str {
    if model_loaded {
        "healthy"
    } else {
        "degraded"
    }
}

/// Service name, version and every endpoint.
#[utoipa::path(get, path = "/", tag = "meta",
    responses((status = 200, description = "Service information", body = ServiceInfo)))]
pub(crate) async fn root() -> Json<ServiceInfo> {
    let links = BTreeMap::from([
        ("openapi".to_owned(), "/openapi.json".to_owned()),
        ("health".to_owned(), "/health".to_owned()),
    ]);
    Json(ServiceInfo {
        service: "reelcast".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        endpoints: crate::openapi::endpoint_list().to_vec(),
        docs: "/docs".into(),
        links,
    })
}

/// Overall health: `healthy` with a model, `degraded` while none is loaded yet.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "Health summary", body = HealthResponse)))]
pub(crate) async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    let loaded = state.model().is_some();
    Json(HealthResponse {
        status: status_word(loaded).into(),
        model_loaded: loaded,
        version: env!("CARGO_PKG_VERSION").into(),
        timestamp: now(),
        capabilities: if loaded {
            CAPABILITIES.iter().map(|c| (*c).to_owned()).collect()
        } else {
            vec!["openapi".into()]
        },
    })
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, description = "The process is up")))]
pub(crate) async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "alive"}))
}

/// Readiness: 200 once a model is loaded, 503 before.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "A model is loaded"),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn ready(
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let body = serde_json::json!({"status": "ready", "model_version": model.version});
    Ok((StatusCode::OK, Json(body)))
}
