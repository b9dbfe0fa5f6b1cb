//! `POST /predict/movie` and `POST /predict/batch`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use reelcast_core::MovieInput;
use reelcast_pipeline::{round2, FieldProblem, ModelBundle};
use serde_json::Value;

use crate::dto::{
    BatchPrediction, BatchRequest, BatchResponse, Contribution, Interval, MovieRequest,
    PredictQuery, PredictionResponse,
};
use crate::error::{split_serde_message, ApiError};
use crate::state::{AppState, LoadedModel};

/// Per-feature contributions and bias for one input. The pipeline has no explain use case
/// yet, so this reuses the bundle's own transform and the model's attributions.
pub(crate) fn explain(bundle: &ModelBundle, input: &MovieInput) -> (Vec<Contribution>, f64) {
    let mut row = Vec::with_capacity(bundle.features.width());
    bundle.features.transform(input, &mut row);
    let c = bundle.model.contributions(&row);
    let named = bundle.features.names().iter().zip(c.values);
    let list = named
        .map(|(feature, value)| Contribution {
            feature: feature.clone(),
            value,
        })
        .collect();
    (list, c.bias)
}

/// Records one request's predictions in the Prometheus metrics and the stats, once.
fn record(
    state: &AppState,
    endpoint: &'static str,
    version: &str,
    ratings: &[f64],
    elapsed: std::time::Duration,
) {
    state
        .metrics()
        .record_predictions(endpoint, version, ratings, elapsed);
    state.stats().record_predictions(endpoint, ratings);
}

fn out_of_10(rating: f64) -> String {
    format!("{rating:.1}/10")
}

fn problems_at(
    index: Option<usize>,
    problems: Vec<FieldProblem>,
) -> Vec<(Option<usize>, FieldProblem)> {
    problems.into_iter().map(|p| (index, p)).collect()
}

/// Predicts one movie's IMDb rating.
#[utoipa::path(post, path = "/predict/movie", tag = "predict", params(PredictQuery),
    request_body = MovieRequest,
    responses(
        (status = 200, description = "The prediction", body = PredictionResponse),
        (status = 400, description = "Malformed JSON or query", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "A field is missing, mistyped or out of range", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(skip_all)]
pub(crate) async fn predict_movie(
    State(state): State<AppState>,
    query: Result<Query<PredictQuery>, QueryRejection>,
    body: Result<Json<MovieRequest>, JsonRejection>,
) -> Result<Json<PredictionResponse>, ApiError> {
    let Query(query) = query?;
    let Json(req) = body?;
    let input =
        MovieInput::try_from(&req).map_err(|p| ApiError::invalid_fields(problems_at(None, p)))?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let started = std::time::Instant::now();
    let prediction = model.bundle.predict(&input);
    record(
        &state,
        "movie",
        &model.version,
        &[prediction.rating],
        started.elapsed(),
    );
    let explanation = query.explain.then(|| explain(&model.bundle, &input));
    let (contributions, bias) = explanation.unzip();
    Ok(Json(PredictionResponse {
        title: req.title,
        predicted_rating: round2(prediction.rating),
        rating_out_of_10: out_of_10(prediction.rating),
        model_name: model.bundle.metadata.model_name.clone(),
        model_version: model.version.clone(),
        features_used: model.bundle.features.names().to_vec(),
        imputed: prediction
            .imputed
            .fields()
            .into_iter()
            .map(String::from)
            .collect(),
        interval: prediction.band.map(|b| Interval {
            lower: round2(b.lower),
            upper: round2(b.upper),
        }),
        contributions,
        bias,
    }))
}

/// Checks the size and every movie of a batch, reporting every bad index and field.
fn parse_batch(
    movies: &[Value],
    max: usize,
) -> Result<(Vec<Option<String>>, Vec<MovieInput>), ApiError> {
    if movies.is_empty() || movies.len() > max {
        let message = format!("movies has {} entries; send 1 to {max}", movies.len());
        let e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        );
        return Err(e.with_field("movies"));
    }
    let mut problems = Vec::new();
    let mut titles = Vec::with_capacity(movies.len());
    let mut inputs = Vec::with_capacity(movies.len());
    for (i, value) in movies.iter().enumerate() {
        let parsed = MovieRequest::deserialize_value(value).and_then(|req| {
            let input = MovieInput::try_from(&req)?;
            Ok((req.title, input))
        });
        match parsed {
            Ok((title, input)) => {
                titles.push(title);
                inputs.push(input);
            }
            Err(p) => problems.extend(problems_at(Some(i), p)),
        }
    }
    if problems.is_empty() {
        Ok((titles, inputs))
    } else {
        Err(ApiError::invalid_fields(problems))
    }
}

impl MovieRequest {
    /// Deserializes one batch entry, turning a serde error into a field problem.
    fn deserialize_value(value: &Value) -> Result<Self, Vec<FieldProblem>> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let (field, message) = split_serde_message(&e.to_string());
            vec![FieldProblem {
                field: field.unwrap_or_else(|| "movie".into()),
                message,
            }]
        })
    }
}

/// Predicts many movies through the bundle's batch path, in request order.
#[utoipa::path(post, path = "/predict/batch", tag = "predict", request_body = BatchRequest,
    responses(
        (status = 200, description = "Predictions in request order", body = BatchResponse),
        (status = 400, description = "Malformed JSON", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "Every bad index and field", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(skip_all, fields(movies))]
pub(crate) async fn predict_batch(
    State(state): State<AppState>,
    body: Result<Json<BatchRequest>, JsonRejection>,
) -> Result<Json<BatchResponse>, ApiError> {
    let Json(req) = body?;
    tracing::Span::current().record("movies", req.movies.len());
    let (titles, inputs) = parse_batch(&req.movies, state.settings().max_batch_size)?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let started = std::time::Instant::now();
    let ratings = score_blocking(model.clone(), inputs).await?;
    record(&state, "batch", &model.version, &ratings, started.elapsed());
    let predictions = titles
        .into_iter()
        .zip(ratings)
        .enumerate()
        .map(|(index, (title, rating))| BatchPrediction {
            index,
            title,
            predicted_rating: round2(rating),
            rating_out_of_10: out_of_10(rating),
        })
        .collect::<Vec<_>>();
    Ok(Json(BatchResponse {
        count: predictions.len(),
        predictions,
        model_name: model.bundle.metadata.model_name.clone(),
        model_version: model.version.clone(),
    }))
}

/// Runs the CPU-bound batch path off the async workers, inside the current span.
async fn score_blocking(
    model: std::sync::Arc<LoadedModel>,
    inputs: Vec<MovieInput>,
) -> Result<Vec<f64>, ApiError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(|| model.bundle.predict_batch(&inputs)))
        .await
        .map_err(|e| ApiError::internal(&e))
}
