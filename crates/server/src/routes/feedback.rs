//! `POST /feedback`: real outcomes for predicted movies, behind the live RMSE and MAE.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use reelcast_core::MovieInput;
use reelcast_pipeline::{round2, FieldProblem};
use serde_json::{Map, Value};

use crate::dto::{FeedbackPair, FeedbackRequest, FeedbackResponse, LiveMetrics, MovieRequest};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::state::AppState;

/// One checked item: the movie, and the client's prediction if it sent one.
struct Item {
    input: MovieInput,
    predicted: Option<f64>,
    actual: f64,
}

/// Takes the rating field `name` out of `obj`: required or optional, a number from 1 to 10.
fn rating(
    obj: &mut Map<String, Value>,
    name: &str,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> Option<f64> {
    let problem = |message: String| FieldProblem {
        field: name.to_owned(),
        message,
    };
    match obj.remove(name) {
        None | Some(Value::Null) if required => {
            problems.push(problem(format!(
                "{name} is required (a rating from 1 to 10)"
            )));
            None
        }
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(r) if (1.0..=10.0).contains(&r) => Some(r),
            _ => {
                problems.push(problem(format!("{name} {n} is not between 1 and 10")));
                None
            }
        },
        Some(other) => {
            problems.push(problem(format!(
                "{name} must be a number from 1 to 10, not {other}"
            )));
            None
        }
    }
}

/// Checks one item: the movie as `POST /predict/movie` does, and both ratings.
fn parse_item(value: &Value) -> Result<Item, Vec<FieldProblem>> {
    let Value::Object(obj) = value else {
        return Err(vec![FieldProblem {
            field: "item".into(),
            message: "each feedback item must be a JSON object".into(),
        }]);
    };
    let mut obj = obj.clone();
    let mut problems = Vec::new();
    let predicted = rating(&mut obj, "predicted_rating", false, &mut problems);
    let actual = rating(&mut obj, "actual_rating", true, &mut problems);
    let movie = MovieRequest::deserialize_value(&Value::Object(obj))
        .and_then(|req| MovieInput::try_from(&req));
    match (movie, actual) {
        (Ok(input), Some(actual)) if problems.is_empty() => Ok(Item {
            input,
            predicted,
            actual,
        }),
        (movie, _) => {
            problems.extend(movie.err().unwrap_or_default());
            Err(problems)
        }
    }
}

/// Checks a single item or `{"items": [...]}`, reporting every bad index and field.
fn parse(body: &Value, max: usize) -> Result<Vec<Item>, ApiError> {
    let Some(items) = body.get("items") else {
        return parse_item(body).map(|item| vec![item]).map_err(|p| {
            ApiError::invalid_items("items", p.into_iter().map(|p| (None, p)).collect())
        });
    };
    let Value::Array(items) = items else {
        let e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "items must be an array of feedback items",
        );
        return Err(e.with_field("items"));
    };
    if items.is_empty() || items.len() > max {
        let e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("items has {} entries; send 1 to {max}", items.len()),
        );
        return Err(e.with_field("items"));
    }
    let mut parsed = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, value) in items.iter().enumerate() {
        match parse_item(value) {
            Ok(item) => parsed.push(item),
            Err(p) => problems.extend(p.into_iter().map(|p| (Some(i), p))),
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(ApiError::invalid_items("items", problems))
    }
}

/// Records real ratings of movies the service predicted: one item, or `{"items": [...]}`
/// (at most `[server] max_batch_size`). Each item is a movie (the fields and bounds of
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
    body: Result<JsonBody<Value>, ApiError>,
) -> Result<Json<FeedbackResponse>, ApiError> {
    let JsonBody(body) = body?;
    let items = parse(&body, state.settings().max_batch_size)?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let missing: Vec<MovieInput> = items
        .iter()
        .filter(|i| i.predicted.is_none())
        .map(|i| i.input.clone())
        .collect();
    let mut predicted = if missing.is_empty() {
        Vec::new()
    } else {
        let model = model.clone();
        tokio::task::spawn_blocking(move || {
            let matrix = model.bundle.features.transform_batch(&missing);
            model.bundle.predict_matrix(&matrix)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
    }
    .into_iter();
    let pairs: Vec<(f64, f64)> = items
        .iter()
        .map(|i| {
            let p = i.predicted.or_else(|| predicted.next().map(round2));
            (p.unwrap_or(f64::NAN), i.actual)
        })
        .collect();
    let live = state.feedback().extend(&pairs);
    state.metrics().record_feedback(pairs.len() as u64, &live);
    Ok(Json(FeedbackResponse {
        accepted: pairs.len(),
        pairs: pairs
            .iter()
            .map(|&(p, a)| FeedbackPair {
                predicted_rating: p,
                actual_rating: a,
                error: round2(p - a),
            })
            .collect(),
        model_version: model.version.clone(),
        live: LiveMetrics {
            window_size: live.pairs,
            rmse: live.rmse,
            mae: live.mae,
            training_rmse: model.bundle.metadata.metrics.test.rmse,
        },
    }))
}
