//! `GET /model/info`, `GET /model/reference`, `GET /model/people`, `GET /model/versions`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dto::{
    ModelInfoResponse, ModelReferenceResponse, ModelVersionsResponse, PeopleResponse,
    PersonSuggestion,
};
use crate::error::{ApiError, ErrorCode};
use crate::state::{AppState, LoadedModel};

/// The served model: name, version, registry alias and source, training metrics, params,
/// features and their importances. The training data's reference distribution is at
/// `GET /model/reference`.
#[utoipa::path(get, path = "/model/info", tag = "model",
    responses(
        (status = 200, description = "The served model", body = ModelInfoResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn info(
    State(state): State<AppState>,
) -> Result<Json<ModelInfoResponse>, ApiError> {
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    describe(&model)
        .map(Json)
        .map_err(|e| ApiError::internal(&e))
}

/// The served model as `GET /model/info` answers it.
fn describe(model: &LoadedModel) -> serde_json::Result<ModelInfoResponse> {
    let b = &model.bundle;
    let m = &b.metadata;
    Ok(ModelInfoResponse {
        name: model.name.clone(),
        kind: serde_json::to_value(m.model_kind)?
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        version: model.version.clone(),
        fingerprint: model.fingerprint.clone(),
        alias: model.alias.clone(),
        source: model.source.clone(),
        created_at: m.created_at.clone(),
        metrics: serde_json::to_value(&m.metrics)?,
        params: serde_json::from_str(&m.params_json)?,
        features: b.features.names().to_vec(),
        dataset_version: m.dataset_version.clone(),
        n_train: m.n_train,
        n_test: m.n_test,
        seed: m.seed,
        git_sha: m.git_sha.clone(),
        reelcast_version: m.reelcast_version.clone(),
        feature_groups: b.feature_groups().iter().map(|g| (*g).to_owned()).collect(),
        people_count: b.people_count(),
        feature_importances: b
            .features
            .names()
            .iter()
            .cloned()
            .zip(b.model.feature_importances())
            .collect(),
    })
}

/// The served model's training distribution of every feature (bins, fractions, mean,
/// std), which `POST /monitoring/data-drift/check` and the drift gauges compare traffic with.
#[utoipa::path(get, path = "/model/reference", tag = "model",
    responses(
        (status = 200, description = "The training distribution of every feature", body = ModelReferenceResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn reference(
    State(state): State<AppState>,
) -> Result<Json<ModelReferenceResponse>, ApiError> {
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let reference = serde_json::to_value(model.bundle.features.reference())
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(ModelReferenceResponse {
        version: model.version.clone(),
        reference,
    }))
}

/// Query of `GET /model/people`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeopleQuery {
    /// The start of the name, any case; at least one character that is not whitespace.
    #[param(min_length = 1, pattern = r"\S")]
    prefix: String,
    /// Most people returned, 1 to 10 (default 10).
    // The schema's maximum is a literal: utoipa's attribute takes no constant.
    #[param(minimum = 1, maximum = 10)]
    limit: Option<usize>,
}

/// Most suggestions `/model/people` returns, and its default (`limit`).
const MAX_SUGGESTIONS: usize = 10;

/// People of the served model's people table whose name starts with `prefix` (case
/// folded), most training films first: suggestions for the `directors`, `writers` and
/// `cast` fields. Empty for a model without crew features.
#[utoipa::path(get, path = "/model/people", tag = "model", params(PeopleQuery),
    responses(
        (status = 200, description = "Matching people", body = PeopleResponse),
        (status = 400, description = "No prefix, or a limit outside 1 to 10", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn people(
    State(state): State<AppState>,
    query: Result<Query<PeopleQuery>, QueryRejection>,
) -> Result<Json<PeopleResponse>, ApiError> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(MAX_SUGGESTIONS);
    if query.prefix.trim().is_empty() {
        let message = "query parameter prefix: send at least one character that is not whitespace";
        return Err(ApiError::new(ErrorCode::InvalidQuery, message).with_field("prefix"));
    }
    if !(1..=MAX_SUGGESTIONS).contains(&limit) {
        let message =
            format!("query parameter limit: {limit} is not between 1 and {MAX_SUGGESTIONS}");
        return Err(ApiError::new(ErrorCode::InvalidQuery, message).with_field("limit"));
    }
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let people = model.bundle.suggest_people(query.prefix.trim(), limit);
    let people = people.into_iter().map(|p| PersonSuggestion {
        nconst: p.nconst,
        name: p.name,
        films: p.films,
    });
    Ok(Json(PeopleResponse {
        people: people.collect(),
    }))
}

/// The registered versions of the served model's name, newest first, with their held-out
/// RMSE, dataset and aliases (read-only). A server serving a bundle file answers
/// `registry: false` and no versions.
#[utoipa::path(get, path = "/model/versions", tag = "model",
    responses(
        (status = 200, description = "The registered versions", body = ModelVersionsResponse),
        (status = 503, description = "The model registry could not be asked", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn versions(
    State(state): State<AppState>,
) -> Result<Json<ModelVersionsResponse>, ApiError> {
    let Some(source) = state.source().cloned() else {
        let source = state.model().map(|m| m.source.clone()).unwrap_or_default();
        return Ok(Json(ModelVersionsResponse {
            source,
            registry: false,
            versions: Vec::new(),
        }));
    };
    let listed = tokio::task::spawn_blocking({
        let source = source.clone();
        move || source.versions()
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|reason| ApiError::new(ErrorCode::RegistryUnavailable, reason))?;
    Ok(Json(ModelVersionsResponse {
        source: source.describe(),
        registry: listed.is_some(),
        versions: listed.unwrap_or_default(),
    }))
}
