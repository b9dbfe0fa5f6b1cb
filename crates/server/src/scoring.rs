//! The prediction use cases behind the handlers: one movie, a batch of movies, review
//! texts. Each one records its predictions once, in the Prometheus metrics and the
//! stats, and keeps the newest feature rows in the drift window.

use std::time::Instant;

use rayon::prelude::*;
use reelcast_core::MovieInput;
use reelcast_features::{Imputed, PeopleResolution};
use reelcast_pipeline::{round2, Band, FieldProblem, ModelBundle, MovieRequest};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::dto::{
    BatchPrediction, Contribution, MovieBatchResponse, PredictionResponse, RatingInterval,
    SentimentMethod, TextBatchItem, TextBatchResponse, TextPredictionResponse, TextQuery,
    TextRequest, TextSentiment,
};
use crate::error::{check_list_size, ApiError, ErrorCode};
use crate::state::{AppState, LoadedModel};

/// Records one request's predictions: `count` items scored, `ratings` the predicted
/// ratings among them.
fn record(
    state: &AppState,
    endpoint: &'static str,
    version: &str,
    count: usize,
    ratings: &[f64],
    started: Instant,
) {
    let count = count as u64;
    let elapsed = started.elapsed();
    state
        .metrics()
        .record_predictions(endpoint, version, count, ratings, elapsed);
    state.stats().record_predictions(endpoint, count, ratings);
}

/// `7.3/10`: the rating as shown in `predicted_rating` (hundredths), rounded half up to
/// tenths, so that the label agrees with the number beside it (7.75 is `7.8/10`, also
/// when the model's value was 7.746).
pub(crate) fn out_of_10(rating: f64) -> String {
    // Ratings are 1 to 10, so the tenths are a small positive whole number.
    let tenths = ((rating * 100.0).round() as i64 + 5).div_euclid(10);
    format!("{}.{}/10", tenths / 10, tenths % 10)
}

/// The API names of the imputed inputs.
fn imputed_fields(imputed: &Imputed) -> Vec<String> {
    imputed.fields().into_iter().map(str::to_owned).collect()
}

/// A prediction band as the API shows it, 2 decimals.
fn interval(band: Band) -> RatingInterval {
    RatingInterval {
        lower: round2(band.lower),
        upper: round2(band.upper),
    }
}

/// Per-feature contributions and bias for one feature row built by the bundle's own
/// transform (the one the prediction used).
fn explain(bundle: &ModelBundle, row: &[f32]) -> (Vec<Contribution>, f64) {
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

/// Predicts one movie with `model`, with its contributions when `explain` is set.
pub(crate) fn movie(
    state: &AppState,
    model: &LoadedModel,
    req: &MovieRequest,
    input: &MovieInput,
    explain_it: bool,
) -> PredictionResponse {
    let started = Instant::now();
    let bundle = &model.bundle;
    // One feature row serves the prediction, the drift window and the explanation.
    let mut row = Vec::with_capacity(bundle.features.width());
    let (imputed, people) = bundle.features.transform_with_people(input, &mut row);
    let prediction = bundle.predict_row(&row, imputed);
    record(
        state,
        "movie",
        &model.version,
        1,
        &[prediction.rating],
        started,
    );
    state.observe_inputs(&model.version, &row, row.len(), &[imputed]);
    let (contributions, bias) = match explain_it.then(|| explain(bundle, &row)) {
        Some((list, bias)) => (Some(list), Some(bias)),
        None => (None, None),
    };
    PredictionResponse {
        title: req.title().map(str::to_owned),
        predicted_rating: round2(prediction.rating),
        rating_out_of_10: out_of_10(prediction.rating),
        model_name: model.name.clone(),
        model_version: model.version.clone(),
        features_used: model.features_used.clone(),
        imputed: imputed_fields(&prediction.imputed),
        interval: prediction.band.map(interval),
        contributions,
        bias,
        people: people.into_map(),
    }
}

/// Reads and checks every movie of a request list (`movies`): 1 to `max` of them, each a
/// [`MovieRequest`] meeting its rules; every bad index and field is reported at once.
pub(crate) fn parse_movies(
    values: Vec<Box<RawValue>>,
    max: usize,
) -> Result<Vec<(MovieRequest, MovieInput)>, ApiError> {
    check_list_size("movies", &values, max)?;
    let mut problems = Vec::new();
    let mut movies = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let checked = MovieRequest::from_json(&value, "movies")
            .map_err(|p| vec![p])
            .and_then(|req| MovieInput::try_from(&req).map(|input| (req, input)));
        match checked {
            Ok(movie) => movies.push(movie),
            Err(p) => problems.extend(p.into_iter().map(|p| (Some(i), p))),
        }
    }
    if problems.is_empty() {
        Ok(movies)
    } else {
        Err(ApiError::invalid_items("movies", problems))
    }
}

/// The `movies` form of a batch: validated whole, scored on the bundle's batch path, and
/// the newest rows kept in the drift window.
///
/// Scoring runs on the async worker, as the parse of the body before it does: both grow
/// with the batch at a few microseconds per movie, so even the largest batch
/// (`[server] max_batch_size`) holds the worker for milliseconds, and requests are served
/// in arrival order instead of sharing the cores among blocking threads.
pub(crate) fn movies(
    state: &AppState,
    values: Vec<Box<RawValue>>,
    query: &TextQuery,
) -> Result<MovieBatchResponse, ApiError> {
    // The batch's query options are the texts'; a movie's explanation has its own endpoint.
    let text_only = [
        ("explain", query.explain),
        ("method", query.method.is_some()),
    ];
    if let Some((option, _)) = text_only.iter().find(|(_, given)| *given) {
        let message = format!("{option} applies to texts; for one movie's feature contributions use POST /predict/movie?explain=true");
        return Err(ApiError::new(ErrorCode::ValidationFailed, message).with_field(*option));
    }
    let movies = parse_movies(values, state.settings().max_batch_size)?;
    let model = state.model().ok_or_else(ApiError::model_not_loaded)?;
    let started = Instant::now();
    let features = &model.bundle.features;
    let width = features.width();
    let mut matrix = Vec::with_capacity(movies.len() * width);
    let (imputed, people): (Vec<Imputed>, Vec<PeopleResolution>) = movies
        .iter()
        .map(|(_, input)| features.transform_with_people(input, &mut matrix))
        .unzip();
    let ratings = model.bundle.predict_matrix(&matrix);
    record(
        state,
        "batch",
        &model.version,
        ratings.len(),
        &ratings,
        started,
    );
    state.observe_inputs(&model.version, &matrix, width, &imputed);
    let predictions: Vec<BatchPrediction> = movies
        .iter()
        .zip(ratings)
        .zip(people)
        .enumerate()
        .map(|(index, (((req, _), rating), people))| BatchPrediction {
            index,
            title: req.title().map(str::to_owned),
            predicted_rating: round2(rating),
            rating_out_of_10: out_of_10(rating),
            people: people.into_map(),
        })
        .collect();
    Ok(MovieBatchResponse {
        count: predictions.len(),
        predictions,
        model_name: model.name.clone(),
        model_version: model.version.clone(),
    })
}

/// Runs CPU-bound `work` on tokio's blocking pool, off the async workers, inside the
/// current span.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let span = tracing::Span::current();
    Ok(tokio::task::spawn_blocking(move || span.in_scope(work)).await?)
}

/// The sentiment of one text by `query`'s method (the state's sentiment model, or the
/// lexicons), or the problem with it, reported as `field`.
fn sentiment(
    state: &AppState,
    field: &str,
    text: &str,
    query: &TextQuery,
) -> Result<TextSentiment, FieldProblem> {
    let method = match query.method {
        Some(SentimentMethod::Lexicon) => reelcast_sentiment::Method::Lexicon,
        Some(SentimentMethod::Model) | None => reelcast_sentiment::Method::Model,
    };
    let model = state.sentiment_model();
    reelcast_sentiment::predict(text, model, method, query.explain)
        .map(|p| TextSentiment::from((text, p)))
        .map_err(|e| FieldProblem::new(field, format!("{field}: {e}")))
}

/// The `texts` form of a batch: every text scored, or every bad index reported. The
/// texts are scored off the async workers and in parallel (rayon's pool, one thread per
/// core): a long review takes tens of microseconds, so a batch of 100 is worth splitting.
pub(crate) async fn texts(
    state: &AppState,
    values: Vec<Value>,
    query: TextQuery,
) -> Result<TextBatchResponse, ApiError> {
    check_list_size("texts", &values, state.settings().max_batch_size)?;
    let started = Instant::now();
    let worker = state.clone();
    let scored: Vec<Result<TextSentiment, FieldProblem>> = off_the_workers(move || {
        values
            .par_iter()
            .enumerate()
            .map(|(index, value)| match value.as_str() {
                Some(text) => sentiment(&worker, "texts", text, &query),
                None => Err(FieldProblem::new(
                    "texts",
                    format!("texts[{index}] is {value}; expected a string"),
                )),
            })
            .collect()
    })
    .await?;
    let mut problems = Vec::new();
    let mut sentiments = Vec::with_capacity(scored.len());
    for (index, scored) in scored.into_iter().enumerate() {
        match scored {
            Ok(sentiment) => sentiments.push(TextBatchItem { index, sentiment }),
            Err(p) => problems.push((Some(index), p)),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid_items("texts", problems));
    }
    // Texts use no movie model: counted under model_version "none", as `POST /predict`
    // without movie fields, so that they never count as predicted movies.
    record(state, "batch", "none", sentiments.len(), &[], started);
    Ok(TextBatchResponse {
        count: sentiments.len(),
        sentiments,
    })
}

/// `POST /predict`: the text's sentiment, and a rating when the movie's three required
/// fields are all given (every other field problem is a 422, as for a movie).
pub(crate) fn text(
    state: &AppState,
    req: TextRequest,
    query: &TextQuery,
) -> Result<TextPredictionResponse, ApiError> {
    let started = Instant::now();
    let sentiment =
        sentiment(state, "text", &req.text, query).map_err(|p| ApiError::invalid(vec![p]))?;
    let missing = req.movie.missing_required();
    let input = match req.movie.to_input_within(&["text"]) {
        Ok(input) => Some(input),
        Err(problems) => {
            let other: Vec<FieldProblem> = problems
                .into_iter()
                .filter(|p| !missing.contains(&p.field.as_str()))
                .collect();
            if !other.is_empty() {
                return Err(ApiError::invalid(other));
            }
            None
        }
    };
    let model = state.model();
    let mut prediction = None;
    let (model, reason) = match (input, model) {
        (Some(input), Some(model)) => {
            prediction = Some(model.bundle.predict(&input));
            let reason = "predicted by the movie model from startYear, runtimeMinutes and numVotes (other features imputed when missing)";
            (Some(model), reason.to_owned())
        }
        (Some(_), None) => {
            let reason = "no model is loaded yet: retry when /health/ready answers 200";
            (None, reason.to_owned())
        }
        (None, _) if req.movie == MovieRequest::default() => {
            let reason = "no movie features given: send startYear, runtimeMinutes and numVotes to also predict a rating";
            (None, reason.to_owned())
        }
        (None, _) => {
            let (last, rest) = missing.split_last().unwrap_or((&"", &[]));
            let missing = match rest {
                [] => (*last).to_owned(),
                _ => format!("{} and {last}", rest.join(", ")),
            };
            let reason = format!(
                "{missing} missing: send startYear, runtimeMinutes and numVotes together to also predict a rating (the other movie fields given are used only with them)"
            );
            (None, reason)
        }
    };
    let rating = prediction.as_ref().map(|p| p.rating);
    let version = model.as_ref().map_or("none", |m| m.version.as_str());
    record(
        state,
        "text",
        version,
        1,
        &rating.into_iter().collect::<Vec<_>>(),
        started,
    );
    Ok(TextPredictionResponse {
        sentiment,
        predicted_rating: rating.map(round2),
        rating_out_of_10: rating.map(out_of_10),
        rating_reason: reason,
        model_name: model.as_ref().map(|m| m.name.clone()),
        model_version: model.as_ref().map(|m| m.version.clone()),
        imputed: prediction.as_ref().map(|p| imputed_fields(&p.imputed)),
        interval: prediction.as_ref().and_then(|p| p.band.map(interval)),
        people: prediction.and_then(|p| p.people.into_map()),
        text: req.text,
    })
}

#[cfg(test)]
mod tests {
    use super::out_of_10;

    #[test]
    fn the_label_rounds_the_rating_as_shown() {
        // 7.746 is shown as 7.75, so its label is 7.8, not the 7.7 of the raw value.
        assert_eq!(out_of_10(7.746), "7.8/10");
        assert_eq!(out_of_10(7.744), "7.7/10");
        assert_eq!(out_of_10(8.55), "8.6/10");
        assert_eq!(out_of_10(8.544), "8.5/10");
        assert_eq!(out_of_10(1.0), "1.0/10");
        assert_eq!(out_of_10(10.0), "10.0/10");
    }
}
