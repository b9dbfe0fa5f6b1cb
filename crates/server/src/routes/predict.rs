//! `POST /predict/movie`, `POST /predict/batch` and `POST /predict` (review text).

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use reelcast_core::MovieInput;
use reelcast_pipeline::{round2, FieldProblem, ModelBundle};
use serde_json::Value;

use crate::dto::{
    BatchPrediction, BatchReply, BatchRequest, BatchResponse, Contribution, MovieRequest,
    PredictQuery, PredictionResponse, TextBatchItem, TextBatchResponse, TextPredictionResponse,
    TextRequest, TextSentiment,
};
use crate::error::{split_serde_message, ApiError};
use crate::json::{JsonBody, JsonBytes};
use crate::movie_body::MovieBody;
use crate::movie_scan;
use crate::reply::MovieReply;
use crate::state::{AppState, LoadedModel};

/// Per-feature contributions and bias for one feature row built by the bundle's own
/// transform (the one the prediction used).
pub(crate) fn explain(bundle: &ModelBundle, row: &[f32]) -> (Vec<Contribution>, f64) {
    let c = bundle.model.contributions(row);
    let named = bundle.features.names().iter().zip(c.values);
    let list = named
        .map(|(feature, value)| Contribution {
            feature: feature.clone(),
            value,
        })
        .collect();
    (list, c.bias)
}

/// Records one request's predictions in the Prometheus metrics and the stats, once:
/// `count` items scored, `ratings` the predicted ratings among them.
fn record(
    state: &AppState,
    endpoint: &'static str,
    version: &str,
    count: usize,
    ratings: &[f64],
    elapsed: std::time::Duration,
) {
    let count = count as u64;
    state
        .metrics()
        .record_predictions(endpoint, version, count, ratings, elapsed);
    state.stats().record_predictions(endpoint, count, ratings);
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
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn predict_movie(
    State(state): State<AppState>,
    query: Result<Query<PredictQuery>, QueryRejection>,
    body: Result<JsonBytes<MovieRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let body = body?;
    let mut owned = None;
    // The common shape in one pass; anything else (and every rejection) through serde.
    let req: MovieBody<'_> = match body.text().and_then(movie_scan::scan) {
        Some(req) => req,
        None => body.read(&mut owned, MovieRequest::body)?,
    };
    let input =
        MovieInput::try_from(&req).map_err(|p| ApiError::invalid_fields(problems_at(None, p)))?;
    let guard = state.current();
    let model = guard.as_deref().ok_or_else(ApiError::model_not_loaded)?;
    let started = std::time::Instant::now();
    // One feature row serves the prediction, the drift window and the explanation.
    let mut row = Vec::with_capacity(model.bundle.features.width());
    let imputed = model.bundle.features.transform(&input, &mut row);
    let prediction = model.bundle.predict_row(&row, imputed);
    record(
        &state,
        "movie",
        &model.version,
        1,
        &[prediction.rating],
        started.elapsed(),
    );
    if state.drift().wanted(1) > 0 {
        state.drift().push(&model.version, &row, row.len());
    }
    let imputed = prediction.imputed.fields();
    let reply = MovieReply {
        title: req.title(),
        rating: prediction.rating,
        model: model.reply_fragment(),
        imputed: &imputed,
        band: prediction.band,
        explanation: query.explain.then(|| explain(&model.bundle, &row)),
    };
    let mut response = Response::new(Body::from(reply.to_json()));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// Checks the size and every movie of a batch, reporting every bad index and field.
pub(crate) fn parse_batch(
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
    pub(crate) fn deserialize_value(value: &Value) -> Result<Self, Vec<FieldProblem>> {
        // serde stops at the first missing field; name every missing one at once.
        if let Value::Object(obj) = value {
            let missing: Vec<FieldProblem> = ["startYear", "runtimeMinutes", "numVotes"]
                .into_iter()
                .filter(|f| obj.get(*f).is_none_or(Value::is_null))
                .map(|f| FieldProblem {
                    field: f.to_owned(),
                    message: format!("missing field `{f}`"),
                })
                .collect();
            if !missing.is_empty() {
                return Err(missing);
            }
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let (field, message) = split_serde_message(&e.to_string());
            vec![FieldProblem {
                field: field.unwrap_or_else(|| "movie".into()),
                message,
            }]
        })
    }
}

fn sentiment_problem(field: &str, e: &reelcast_sentiment::Error) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: format!("{field}: {e}"),
    }
}

/// Scores one review text, or names `text`'s problem.
fn analyze(text: &str) -> Result<TextSentiment, ApiError> {
    reelcast_sentiment::analyze(text)
        .map(|s| TextSentiment::from((text, s)))
        .map_err(|e| {
            ApiError::invalid_fields(problems_at(None, vec![sentiment_problem("text", &e)]))
        })
}

/// The rating part of `POST /predict`: `(rating, model, reason)`.
type TextRating = (Option<f64>, Option<std::sync::Arc<LoadedModel>>, String);

fn text_rating(state: &AppState, req: &TextRequest) -> Result<TextRating, ApiError> {
    let movie = match req.movie() {
        Ok(movie) => movie,
        Err(missing) if missing.len() == 3 => {
            let reason = "no movie features given: send startYear, runtimeMinutes and numVotes to also predict a rating";
            return Ok((None, None, reason.to_owned()));
        }
        Err(missing) => {
            let reason = format!(
                "{} missing: send startYear, runtimeMinutes and numVotes together to also predict a rating",
                missing.join(" and ")
            );
            return Ok((None, None, reason));
        }
    };
    let input =
        MovieInput::try_from(&movie).map_err(|p| ApiError::invalid_fields(problems_at(None, p)))?;
    let Some(model) = state.model() else {
        let reason = "no model is loaded yet: retry when /health/ready answers 200";
        return Ok((None, None, reason.to_owned()));
    };
    let rating = model.bundle.predict(&input).rating;
    let reason = "predicted by the movie model from startYear, runtimeMinutes and numVotes (other features imputed when missing)";
    Ok((Some(rating), Some(model), reason.to_owned()))
}

/// The original's legacy text endpoint: the review's sentiment (VADER for English,
/// AFINN-ko for Korean), and a rating from the movie model when `startYear`,
/// `runtimeMinutes` and `numVotes` are given (same bounds as `POST /predict/movie`).
#[utoipa::path(post, path = "/predict", tag = "predict", request_body = TextRequest,
    responses(
        (status = 200, description = "Sentiment, and a rating or the reason for none", body = TextPredictionResponse),
        (status = 400, description = "Malformed JSON", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "`text` missing, empty or over 5000 chars, or a movie feature out of range", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn predict_text(
    State(state): State<AppState>,
    body: Result<JsonBody<TextRequest>, ApiError>,
) -> Result<Json<TextPredictionResponse>, ApiError> {
    let JsonBody(req) = body?;
    let started = std::time::Instant::now();
    let sentiment = analyze(&req.text)?;
    let (rating, model, rating_reason) = text_rating(&state, &req)?;
    let version = model.as_ref().map_or("none", |m| m.version.as_str());
    let ratings: Vec<f64> = rating.into_iter().collect();
    record(&state, "text", version, 1, &ratings, started.elapsed());
    Ok(Json(TextPredictionResponse {
        sentiment,
        predicted_rating: rating.map(round2),
        rating_out_of_10: rating.map(out_of_10),
        rating_reason,
        model_name: model.as_ref().map(|m| m.name.clone()),
        model_version: model.as_ref().map(|m| m.version.clone()),
        text: req.text,
    }))
}

/// Checks the size and every text of a batch, reporting every bad index.
fn parse_texts(texts: &[Value], max: usize) -> Result<Vec<TextSentiment>, ApiError> {
    if texts.is_empty() || texts.len() > max {
        let message = format!("texts has {} entries; send 1 to {max}", texts.len());
        let e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        );
        return Err(e.with_field("texts"));
    }
    let mut problems = Vec::new();
    let mut scored = Vec::with_capacity(texts.len());
    for (i, value) in texts.iter().enumerate() {
        let Some(text) = value.as_str() else {
            let message = format!("texts[{i}] is {value}; expected a string");
            problems.push((
                Some(i),
                FieldProblem {
                    field: "texts".into(),
                    message,
                },
            ));
            continue;
        };
        match reelcast_sentiment::analyze(text) {
            Ok(s) => scored.push(TextSentiment::from((text, s))),
            Err(e) => problems.push((Some(i), sentiment_problem("texts", &e))),
        }
    }
    if problems.is_empty() {
        Ok(scored)
    } else {
        Err(ApiError::invalid_items("texts", problems))
    }
}

/// Predicts many movies through the bundle's batch path (`movies`), or scores many review
/// texts like `POST /predict` (`texts`), in request order. Send exactly one of the two.
#[utoipa::path(post, path = "/predict/batch", tag = "predict", request_body = BatchRequest,
    responses(
        (status = 200, description = "Predictions (movies) or sentiments (texts) in request order", body = BatchReply),
        (status = 400, description = "Malformed JSON", body = crate::dto::ErrorResponse),
        (status = 413, description = "Body over the size limit", body = crate::dto::ErrorResponse),
        (status = 415, description = "Not application/json", body = crate::dto::ErrorResponse),
        (status = 422, description = "Both or neither of movies and texts, or every bad index and field", body = crate::dto::ErrorResponse),
        (status = 503, description = "No model loaded yet (movies only)", body = crate::dto::ErrorResponse),
    ))]
#[tracing::instrument(level = "debug", skip_all, fields(movies, texts))]
pub(crate) async fn predict_batch(
    State(state): State<AppState>,
    body: Result<JsonBody<BatchRequest>, ApiError>,
) -> Result<Json<BatchReply>, ApiError> {
    let JsonBody(req) = body?;
    let max = state.settings().max_batch_size;
    match (req.movies, req.texts) {
        (Some(movies), None) => {
            tracing::Span::current().record("movies", movies.len());
            let reply = predict_movies(&state, &movies, max).await?;
            Ok(Json(BatchReply::Movies(reply)))
        }
        (None, Some(texts)) => {
            tracing::Span::current().record("texts", texts.len());
            let started = std::time::Instant::now();
            let sentiments = parse_texts(&texts, max)?;
            let version = state
                .model()
                .map_or_else(|| "none".to_owned(), |m| m.version.clone());
            record(
                &state,
                "batch",
                &version,
                sentiments.len(),
                &[],
                started.elapsed(),
            );
            let sentiments: Vec<TextBatchItem> = sentiments
                .into_iter()
                .enumerate()
                .map(|(index, sentiment)| TextBatchItem { index, sentiment })
                .collect();
            Ok(Json(BatchReply::Texts(TextBatchResponse {
                count: sentiments.len(),
                sentiments,
            })))
        }
        (movies, _) => {
            let message = if movies.is_some() {
                "send either movies or texts, not both"
            } else {
                "send movies (movie features) or texts (review texts)"
            };
            let e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                message,
            );
            Err(e.with_field(if movies.is_some() { "texts" } else { "movies" }))
        }
    }
}

/// The `movies` form of a batch: validated whole, scored on the batch path, and the
/// newest rows kept in the drift window.
async fn predict_movies(
    state: &AppState,
    movies: &[Value],
    max: usize,
) -> Result<BatchResponse, ApiError> {
    let (titles, inputs) = parse_batch(movies, max)?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let started = std::time::Instant::now();
    let keep = state.drift().wanted(inputs.len());
    let (ratings, rows) = score_blocking(model.clone(), inputs, keep).await?;
    record(
        state,
        "batch",
        &model.version,
        ratings.len(),
        &ratings,
        started.elapsed(),
    );
    state
        .drift()
        .push(&model.version, &rows, model.bundle.features.width());
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
    Ok(BatchResponse {
        count: predictions.len(),
        predictions,
        model_name: model.name.clone(),
        model_version: model.version.clone(),
    })
}

/// Runs the CPU-bound batch path off the async workers, inside the current span; also
/// builds the feature rows of the last `keep` inputs for the drift window.
async fn score_blocking(
    model: std::sync::Arc<LoadedModel>,
    inputs: Vec<MovieInput>,
    keep: usize,
) -> Result<(Vec<f64>, Vec<f32>), ApiError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let matrix = model.bundle.features.transform_batch(&inputs);
            let ratings = model.bundle.predict_matrix(&matrix);
            let width = model.bundle.features.width();
            let tail = (inputs.len() - keep.min(inputs.len())) * width;
            (ratings, matrix[tail..].to_vec())
        })
    })
    .await
    .map_err(|e| ApiError::internal(&e))
}
