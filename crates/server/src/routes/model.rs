//! `GET /model/info`.

use axum::extract::State;
use axum::Json;

use crate::dto::ModelInfoResponse;
use crate::error::ApiError;
use crate::state::AppState;

/// The served model: name, version, registry alias and source, training metrics, params, features and the training
/// data's reference statistics.
#[utoipa::path(get, path = "/model/info", tag = "model",
    responses(
        (status = 200, description = "The served model", body = ModelInfoResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn info(
    State(state): State<AppState>,
) -> Result<Json<ModelInfoResponse>, ApiError> {
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let b = &model.bundle;
    let m = &b.metadata;
    let json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| ApiError::internal(&e));
    Ok(Json(ModelInfoResponse {
        name: model.name.clone(),
        kind: json(serde_json::to_value(m.model_kind))?
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        version: model.version.clone(),
        fingerprint: model.fingerprint.clone(),
        alias: model.alias.clone(),
        source: model.source.clone(),
        created_at: m.created_at.clone(),
        metrics: json(serde_json::to_value(&m.metrics))?,
        params: json(serde_json::from_str(&m.params_json))?,
        features: b.features.names().to_vec(),
        dataset_version: m.dataset_version.clone(),
        n_train: m.n_train,
        n_test: m.n_test,
        seed: m.seed,
        git_sha: m.git_sha.clone(),
        reelcast_version: m.reelcast_version.clone(),
        reference: json(serde_json::to_value(b.features.reference()))?,
    }))
}
