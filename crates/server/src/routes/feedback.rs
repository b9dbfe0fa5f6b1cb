//! `POST /feedback`: real outcomes for predicted movies, behind the live RMSE and MAE.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use serde_json::Value;

use crate::dto::{FeedbackRequest, FeedbackResponse};
use crate::error::ApiError;
use crate::feedback;
use crate::state::AppState;

/// Records real ratings of movies the service predicted: one item, or `{"items": [...]}`
/// (at most `[server] max_batch_size`). Each item is a movie (the fields and rules of
/// `POST /predict/movie`), `actual_rating` and, optionally, `predicted_rating` (the
/// rating the client was given; the served model predicts it when absent). The pairs
/// feed a sliding window of the last `[server] feedback_window` pairs (emptied when the
/// model changes) behind `reelcast_live_rmse` and `reelcast_live_mae`.
#[utoipa::path(post, path = "/feedback", tag = "monitoring",
    request_body = FeedbackRequest,
    responses(
        (status = 200, description = "Accepted; the live metrics after it", body = FeedbackResponse),
        (status = 400, description = "Malformed JSON", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "Every bad index and field", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
pub(crate) async fn feedback(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<FeedbackResponse>, ApiError> {
    let Json(body) = body?;
    let items = feedback::parse(body, state.settings().max_batch_size)?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    // Scored on this worker, like a movie batch (see `scoring::movies`).
    let pairs = feedback::pairs(&model.bundle, &items);
    let live = state.feedback().extend(&pairs);
    state.metrics().record_feedback(pairs.len() as u64, &live);
    let training_rmse = model.bundle.metadata.metrics.test.rmse;
    Ok(Json(feedback::response(
        &pairs,
        live,
        &model.version,
        training_rmse,
    )))
}
