//! `POST /predict/movie`, `POST /predict/batch` and `POST /predict` (review text).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::Json;
use reelcast_core::MovieInput;
use reelcast_pipeline::MovieRequest;

use crate::dto::{
    BatchRequest, BatchResponse, PredictQuery, PredictionResponse, TextPredictionResponse,
    TextQuery, TextRequest,
};
use crate::error::{ApiError, ErrorCode};
use crate::scoring;
use crate::state::AppState;

/// Predicts one movie's IMDb rating.
#[utoipa::path(post, path = "/predict/movie", tag = "predict", params(PredictQuery),
    request_body = MovieRequest,
    responses(
        (status = 200, description = "The prediction", body = PredictionResponse),
        (status = 400, description = "Malformed JSON or query", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "A field is missing, mistyped, out of range or unknown", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn predict_movie(
    State(state): State<AppState>,
    query: Result<Query<PredictQuery>, QueryRejection>,
    body: Result<Json<MovieRequest>, JsonRejection>,
) -> Result<Json<PredictionResponse>, ApiError> {
    let Query(query) = query?;
    let Json(req) = body?;
    let input = MovieInput::try_from(&req)?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let response = scoring::movie(&state, &model, &req, &input, query.explain);
    Ok(Json(response))
}

/// The review's sentiment (reelcast's trained model for English, AFINN-ko for Korean;
/// `?method=lexicon` scores English with VADER instead), and a rating from the movie
/// model when `startYear`, `runtimeMinutes` and `numVotes` are given (same rules as
/// `POST /predict/movie`).
#[utoipa::path(post, path = "/predict", tag = "predict", params(TextQuery), request_body = TextRequest,
    responses(
        (status = 200, description = "Sentiment, and a rating or the reason for none", body = TextPredictionResponse),
        (status = 400, description = "Malformed JSON or query", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "`text` missing, empty or over 20000 chars, or a movie field breaks its rule", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn predict_text(
    State(state): State<AppState>,
    query: Result<Query<TextQuery>, QueryRejection>,
    body: Result<Json<TextRequest>, JsonRejection>,
) -> Result<Json<TextPredictionResponse>, ApiError> {
    let Query(query) = query?;
    let Json(req) = body?;
    Ok(Json(scoring::text(&state, req, &query)?))
}

/// Predicts many movies through the bundle's batch path (`movies`), or scores many review
/// texts like `POST /predict` (`texts`), in request order. Send exactly one of the two.
#[utoipa::path(post, path = "/predict/batch", tag = "predict", params(TextQuery), request_body = BatchRequest,
    responses(
        (status = 200, description = "Predictions (movies) or sentiments (texts) in request order", body = BatchResponse),
        (status = 400, description = "Malformed JSON", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "Both or neither of movies and texts, explain or method with movies, or every bad index and field", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet (movies only)", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn predict_batch(
    State(state): State<AppState>,
    query: Result<Query<TextQuery>, QueryRejection>,
    body: Result<Json<BatchRequest>, JsonRejection>,
) -> Result<Json<BatchResponse>, ApiError> {
    let Query(query) = query?;
    let Json(req) = body?;
    match (req.movies, req.texts) {
        (Some(movies), None) => Ok(Json(BatchResponse::Movies(scoring::movies(
            &state, movies, &query,
        )?))),
        (None, Some(texts)) => Ok(Json(BatchResponse::Texts(
            scoring::texts(&state, texts, query).await?,
        ))),
        (Some(_), Some(_)) => Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "send either movies or texts, not both",
        )
        .with_field("texts")),
        (None, None) => Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "send movies (movie features) or texts (review texts)",
        )
        .with_field("movies")),
    }
}
