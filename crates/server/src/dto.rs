//! Wire types (serde + OpenAPI schemas), kept apart from the domain types; movie requests
//! are turned into [`MovieInput`](reelcast_core::MovieInput) once, with [`TryFrom`] (see
//! [`crate::movie_body`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// Genres as a JSON array or IMDb's comma-separated string.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum GenresField {
    /// `["Comedy", "Drama"]`.
    List(Vec<String>),
    /// `"Comedy,Drama"`.
    Imdb(String),
}

/// By hand rather than `#[serde(untagged)]`, which buffers the value and tries each
/// variant in turn (on every request), and whose error names no expectation.
impl<'de> Deserialize<'de> for GenresField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Genres;

        impl<'de> serde::de::Visitor<'de> for Genres {
            type Value = GenresField;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of genre names or IMDb's comma-separated string")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<GenresField, E> {
                Ok(GenresField::Imdb(text.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<GenresField, E> {
                Ok(GenresField::Imdb(text))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<GenresField, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(3).min(32));
                while let Some(genre) = seq.next_element::<String>()? {
                    list.push(genre);
                }
                Ok(GenresField::List(list))
            }
        }

        deserializer.deserialize_any(Genres)
    }
}

/// One movie to score. Unknown fields are ignored; missing optional fields are imputed
/// as in training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"title": "The Kid", "startYear": 1921, "runtimeMinutes": 68,
    "numVotes": 40584, "genres": ["Comedy", "Drama"], "titleType": "movie", "isAdult": false}))]
pub struct MovieRequest {
    /// Primary title, at most 500 characters.
    pub title: Option<String>,
    /// Release year, 1874 to the current year + 10.
    pub start_year: i64,
    /// Runtime in minutes, 1 to 1500.
    pub runtime_minutes: i64,
    /// IMDb votes, 0 to 10^9.
    pub num_votes: i64,
    /// Genres from IMDb's vocabulary (at most 3 on IMDb).
    pub genres: Option<GenresField>,
    /// IMDb title type, e.g. `movie`, `tvMovie`.
    pub title_type: Option<String>,
    /// Adult title flag.
    pub is_adult: Option<bool>,
}

/// Query options of `POST /predict/movie`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PredictQuery {
    /// Add per-feature contributions and the bias to the response.
    #[serde(default)]
    pub explain: bool,
}

/// The 10th-90th percentile of the forest's trees, clipped to 1..=10.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// One feature's share of the prediction (path attribution), in rating points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contribution {
    /// Feature name, as in `features_used`.
    pub feature: String,
    /// Contribution in rating points.
    pub value: f64,
}

/// A prediction for one movie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PredictionResponse {
    /// The request's title, echoed.
    pub title: Option<String>,
    /// Predicted rating, clipped to 1..=10, 2 decimals.
    pub predicted_rating: f64,
    /// E.g. `"7.3/10"`.
    pub rating_out_of_10: String,
    /// The served model's name: the registered model's when served from the registry,
    /// else the bundle's.
    pub model_name: String,
    /// The served version: the registry's version number when served from the registry,
    /// else the first 12 hex digits of the SHA-256 of the fitted features and model.
    pub model_version: String,
    /// The model's feature names, in column order.
    pub features_used: Vec<String>,
    /// Inputs that were missing and imputed from training statistics (API names).
    pub imputed: Vec<String>,
    /// 10th-90th percentile prediction interval (the forest's trees, or the boosted
    /// model's quantile models); null when the model has none.
    pub interval: Option<Interval>,
    /// With `?explain=true`: per-feature contributions; bias + their sum is the unclipped
    /// prediction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributions: Option<Vec<Contribution>>,
    /// With `?explain=true`: the prediction before any split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bias: Option<f64>,
}

/// Many movies (`movies`) or review texts (`texts`) to score at once: send exactly one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BatchRequest {
    /// The movies, each like a `POST /predict/movie` body.
    #[schema(value_type = Option<Vec<MovieRequest>>)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movies: Option<Vec<Value>>,
    /// Review texts, each like `POST /predict`'s `text` (1 to 5000 chars), scored as
    /// sentiment.
    #[schema(value_type = Option<Vec<String>>)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub texts: Option<Vec<Value>>,
}

/// One movie's result in a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BatchPrediction {
    /// Position in the request.
    pub index: usize,
    /// The request's title, echoed.
    pub title: Option<String>,
    /// Predicted rating, clipped to 1..=10, 2 decimals.
    pub predicted_rating: f64,
    /// E.g. `"7.3/10"`.
    pub rating_out_of_10: String,
}

/// Scores for a batch, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BatchResponse {
    /// One entry per requested movie, in order.
    pub predictions: Vec<BatchPrediction>,
    /// Number of movies scored.
    pub count: usize,
    /// The bundle's model name.
    pub model_name: String,
    /// See [`PredictionResponse::model_version`].
    pub model_version: String,
}

/// A batch's result: movie ratings for `movies`, sentiments for `texts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum BatchReply {
    /// For `{"movies": [...]}`.
    Movies(BatchResponse),
    /// For `{"texts": [...]}`.
    Texts(TextBatchResponse),
}

/// Sentiment of a review text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLabel {
    /// compound >= 0.05.
    Positive,
    /// compound <= -0.05.
    Negative,
    /// In between.
    Neutral,
}

/// Language detected from the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LanguageCode {
    /// English (VADER).
    En,
    /// Korean (AFINN-ko with particle stripping).
    Ko,
}

/// `POST /predict`: a review text, and optionally the movie's features for a rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"text": "A wonderful, moving film.", "startYear": 1921,
    "runtimeMinutes": 68, "numVotes": 40584}))]
pub struct TextRequest {
    /// The review, 1 to 5000 chars (not only whitespace).
    pub text: String,
    /// Release year; with `runtimeMinutes` and `numVotes`, also predicts a rating.
    pub start_year: Option<i64>,
    /// Runtime in minutes.
    pub runtime_minutes: Option<i64>,
    /// IMDb votes.
    pub num_votes: Option<i64>,
    /// Primary title, at most 500 characters.
    pub title: Option<String>,
    /// Genres from IMDb's vocabulary.
    pub genres: Option<GenresField>,
    /// IMDb title type.
    pub title_type: Option<String>,
    /// Adult title flag.
    pub is_adult: Option<bool>,
}

impl TextRequest {
    /// The movie part, when all three required movie features are given; otherwise the
    /// names of the missing ones.
    pub(crate) fn movie(&self) -> Result<MovieRequest, Vec<&'static str>> {
        match (self.start_year, self.runtime_minutes, self.num_votes) {
            (Some(start_year), Some(runtime_minutes), Some(num_votes)) => Ok(MovieRequest {
                title: self.title.clone(),
                start_year,
                runtime_minutes,
                num_votes,
                genres: self.genres.clone(),
                title_type: self.title_type.clone(),
                is_adult: self.is_adult,
            }),
            (y, r, v) => Err([
                ("startYear", y.is_none()),
                ("runtimeMinutes", r.is_none()),
                ("numVotes", v.is_none()),
            ]
            .into_iter()
            .filter_map(|(name, missing)| missing.then_some(name))
            .collect()),
        }
    }
}

/// The sentiment of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TextSentiment {
    /// Length of the text, in chars.
    pub text_length: usize,
    /// Positive, negative or neutral.
    pub sentiment: SentimentLabel,
    /// Confidence in `sentiment`, 0 to 1, from the compound's magnitude (not a calibrated
    /// probability).
    pub confidence: f64,
    /// VADER-style compound score, -1 to 1.
    pub compound: f64,
    /// Language detected from the script.
    pub language: LanguageCode,
}

impl From<(&str, reelcast_sentiment::Sentiment)> for TextSentiment {
    fn from((text, s): (&str, reelcast_sentiment::Sentiment)) -> Self {
        Self {
            text_length: text.chars().count(),
            sentiment: match s.label {
                reelcast_sentiment::Label::Positive => SentimentLabel::Positive,
                reelcast_sentiment::Label::Negative => SentimentLabel::Negative,
                reelcast_sentiment::Label::Neutral => SentimentLabel::Neutral,
            },
            confidence: s.confidence,
            compound: s.compound,
            language: match s.language {
                reelcast_sentiment::Language::En => LanguageCode::En,
                reelcast_sentiment::Language::Ko => LanguageCode::Ko,
            },
        }
    }
}

/// `POST /predict`: the text's sentiment, and a rating when movie features were given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TextPredictionResponse {
    /// The text, echoed.
    pub text: String,
    /// The sentiment.
    #[serde(flatten)]
    pub sentiment: TextSentiment,
    /// Predicted rating (1 to 10, 2 decimals) from the movie model, when `startYear`,
    /// `runtimeMinutes` and `numVotes` are all given; else null.
    pub predicted_rating: Option<f64>,
    /// E.g. `"7.3/10"`, with `predicted_rating`.
    pub rating_out_of_10: Option<String>,
    /// How `predicted_rating` was obtained, or why it is null.
    pub rating_reason: String,
    /// The model that predicted the rating.
    pub model_name: Option<String>,
    /// See [`PredictionResponse::model_version`].
    pub model_version: Option<String>,
}

/// One text's result in a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TextBatchItem {
    /// Position in the request.
    pub index: usize,
    /// The sentiment.
    #[serde(flatten)]
    pub sentiment: TextSentiment,
}

/// Sentiments for a batch of texts, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TextBatchResponse {
    /// One entry per text, in order.
    pub sentiments: Vec<TextBatchItem>,
    /// Number of texts scored.
    pub count: usize,
}

/// `POST /monitoring/data-drift/check`: movies to compare with the training data; no body
/// or `{}` checks the server's recent-traffic window instead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DriftRequest {
    /// At least 30 movies, each like a `POST /predict/movie` body (at most the batch limit).
    #[schema(value_type = Option<Vec<MovieRequest>>)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movies: Option<Vec<Value>>,
}

/// The PSI thresholds in force.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DriftThresholds {
    /// PSI at or above which drift is `low`.
    pub low: f64,
    /// PSI at or above which drift is `high`.
    pub high: f64,
}

/// Drift of a set of feature rows against the training reference stored in the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DriftResponse {
    /// `normal`, `low` or `high`, from `max_psi` and the thresholds.
    pub status: String,
    /// The largest per-feature PSI.
    pub max_psi: f64,
    /// Rows checked.
    pub n: usize,
    /// PSI per feature, by feature name.
    pub scores: BTreeMap<String, f64>,
    /// `request` (the posted movies) or `recent_traffic` (the server's window).
    pub source: String,
    /// The thresholds used.
    pub thresholds: DriftThresholds,
    /// See [`PredictionResponse::model_version`].
    pub model_version: String,
}

/// One problem in a request (batch validation lists them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Batch position, for batch requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The field, API spelling.
    pub field: String,
    /// What is wrong, naming the value and the rule.
    pub message: String,
}

/// The error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// The offending field, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found (batch validation), or the available endpoints (404).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<ErrorDetail>,
}

/// Every error response: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HealthResponse {
    /// `healthy` (model loaded), `degraded` (starting, no model yet) or `unhealthy`.
    pub status: String,
    /// Whether a model is loaded.
    pub model_loaded: bool,
    /// reelcast version.
    pub version: String,
    /// Now, RFC 3339 UTC.
    pub timestamp: String,
    /// What this server can do.
    pub capabilities: Vec<String>,
}

/// `GET /model/info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelInfoResponse {
    /// Model name.
    pub name: String,
    /// `random_forest` or `gradient_boosting`.
    pub kind: String,
    /// See [`PredictionResponse::model_version`].
    pub version: String,
    /// Content hash of the fitted features and model (12 hex digits).
    pub fingerprint: String,
    /// The registry alias it is served through (e.g. `champion`), if any.
    pub alias: Option<String>,
    /// Where it was loaded from: a `models:/` URI or a file path.
    pub source: String,
    /// When training finished (from the bundle, RFC 3339).
    pub created_at: String,
    /// Held-out, baseline and cross-validation metrics.
    #[schema(value_type = Object)]
    pub metrics: Value,
    /// Fitted hyperparameters.
    #[schema(value_type = Object)]
    pub params: Value,
    /// Feature names, in column order.
    pub features: Vec<String>,
    /// Content hash of the training dataset.
    pub dataset_version: String,
    /// Rows in the training and test splits.
    pub n_train: usize,
    /// Rows in the test split.
    pub n_test: usize,
    /// Seed of the split and the model.
    pub seed: u64,
    /// Git commit of the training build, when known.
    pub git_sha: Option<String>,
    /// reelcast version that trained it.
    pub reelcast_version: String,
    /// Training distribution of every feature (bins, fractions, mean, std) for drift checks.
    #[schema(value_type = Object)]
    pub reference: Value,
}

/// `GET /`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceInfo {
    /// `reelcast`.
    pub service: String,
    /// reelcast version.
    pub version: String,
    /// Every endpoint, `METHOD /path`, from the OpenAPI document.
    pub endpoints: Vec<String>,
    /// Where the interactive documentation is.
    pub docs: String,
    /// Extra links.
    pub links: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use reelcast_core::MovieInput;
    use serde_json::json;

    use super::*;

    fn request(v: Value) -> MovieRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn typed_conversion_agrees_with_the_file_rules() {
        let cases = [
            json!({"title": "The Kid", "startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584,
                "genres": ["Comedy", "Drama", "Family"], "titleType": "movie", "isAdult": false}),
            json!({"title": "\\N", "startYear": 2019, "runtimeMinutes": 95, "numVotes": 0,
                "genres": "Horror,Thriller", "titleType": "tvMovie"}),
            json!({"startYear": 1994, "runtimeMinutes": 142, "numVotes": 2500000, "genres": "\\N",
                "titleType": "", "isAdult": true}),
        ];
        for case in cases {
            let typed = MovieInput::try_from(&request(case.clone())).unwrap();
            let from_file = reelcast_pipeline::movie_from_json(case.as_object().unwrap())
                .unwrap()
                .1;
            assert_eq!(typed, from_file, "{case}");
        }
        let bad = request(
            json!({"startYear": 2000, "runtimeMinutes": 90, "numVotes": 5,
            "genres": ["Drama", "Comdy"], "titleType": "feature"}),
        );
        let fields: Vec<String> = MovieInput::try_from(&bad)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["genres", "titleType"]);
    }

    #[test]
    fn converts_a_full_request() {
        let input = MovieInput::try_from(&request(serde_json::json!({
            "title": "The Kid", "startYear": 1921, "runtimeMinutes": 68, "numVotes": 40584,
            "genres": "Comedy,Drama", "titleType": "movie", "isAdult": false
        })))
        .unwrap();
        assert_eq!(input.start_year.unwrap().get(), 1921);
        assert_eq!(input.genres.unwrap().len(), 2);
    }

    #[test]
    fn reports_every_out_of_range_field_with_its_rule() {
        let problems = MovieInput::try_from(&request(serde_json::json!({
            "title": "x".repeat(501), "startYear": 1873, "runtimeMinutes": 0,
            "numVotes": -1, "genres": ["Comdy"]
        })))
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["startYear", "runtimeMinutes", "numVotes", "title", "genres"]
        );
        assert!(problems[0]
            .message
            .starts_with("startYear 1873 is not between 1874 and"));
    }
}

/// The served model as `/status` sees it (the same as `/health`'s `model_loaded`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelStatus {
    /// Whether a model is loaded.
    pub loaded: bool,
    /// Model name, when loaded.
    pub name: Option<String>,
    /// Model version, when loaded.
    pub version: Option<String>,
}

/// `GET /status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatusResponse {
    /// Same value as `/health`'s `status`.
    pub status: String,
    /// reelcast version.
    pub version: String,
    /// Seconds since the server state was created.
    pub uptime_seconds: f64,
    /// Start time, RFC 3339 UTC.
    pub started_at: String,
    /// Requests answered since start.
    pub requests_total: u64,
    /// Requests answered since start, by matched route (`unmatched` for unknown paths).
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// The served model.
    pub model: ModelStatus,
}

/// Per prediction endpoint, since start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EndpointStats {
    /// Requests answered.
    pub requests: u64,
    /// Requests answered with a 4xx or 5xx.
    pub errors: u64,
    /// Movies predicted and texts scored (a batch counts each item).
    pub predictions: u64,
}

/// One bucket of predicted ratings, `[lower, upper)` (the last one includes 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RatingBucket {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Ratings in the bucket.
    pub count: u64,
}

/// Latency quantiles of prediction requests, in seconds: the upper bound of the fixed
/// bucket holding the quantile (null before any request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatencyQuantiles {
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
}

/// `GET /monitoring/predictions/stats`: since start; reading it changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PredictionStatsResponse {
    /// `movie` (`POST /predict/movie`), `batch` (`POST /predict/batch`) and `text`
    /// (`POST /predict`).
    pub endpoints: BTreeMap<String, EndpointStats>,
    /// Movies predicted and texts scored, all endpoints.
    pub total_predictions: u64,
    /// Mean predicted rating (null before any prediction).
    pub mean_predicted_rating: Option<f64>,
    /// Predicted ratings in unit buckets from 1 to 10.
    pub rating_histogram: Vec<RatingBucket>,
    /// Request latency of the prediction endpoints.
    pub latency_seconds: LatencyQuantiles,
    /// Errors over requests, prediction endpoints only (0 before any request).
    pub error_rate: f64,
}

/// One `POST /feedback` item: the movie (same fields and bounds as `POST /predict/movie`),
/// the rating the client was given (optional: the served model predicts it when absent)
/// and the rating the movie really has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"title": "The Kid", "startYear": 1921, "runtimeMinutes": 68,
    "numVotes": 40584, "genres": ["Comedy", "Drama"], "predicted_rating": 7.6, "actual_rating": 8.2}))]
pub struct FeedbackItem {
    /// The movie.
    #[serde(flatten)]
    pub movie: MovieRequest,
    /// The rating the client was given, 1 to 10; predicted by the served model when absent.
    #[serde(rename = "predicted_rating")]
    pub predicted_rating: Option<f64>,
    /// The movie's real IMDb rating, 1 to 10.
    #[serde(rename = "actual_rating")]
    pub actual_rating: f64,
}

/// `POST /feedback`: one item, or `{"items": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum FeedbackRequest {
    /// Several items.
    Batch {
        /// At most `[server] max_batch_size` items.
        items: Vec<FeedbackItem>,
    },
    /// One item.
    One(FeedbackItem),
}

/// One scored feedback pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackPair {
    /// The prediction (the client's, or the served model's when it sent none).
    pub predicted_rating: f64,
    /// The real rating.
    pub actual_rating: f64,
    /// `predicted_rating - actual_rating`.
    pub error: f64,
}

/// Live error of the served model over the feedback window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveMetrics {
    /// Pairs in the window (the last `[server] feedback_window`, since the model was
    /// loaded).
    pub window_size: usize,
    /// RMSE over the window.
    pub rmse: Option<f64>,
    /// MAE over the window.
    pub mae: Option<f64>,
    /// The served model's held-out RMSE at training, for comparison.
    pub training_rmse: f64,
}

/// `POST /feedback` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackResponse {
    /// Pairs accepted.
    pub accepted: usize,
    /// The pairs, in request order.
    pub pairs: Vec<FeedbackPair>,
    /// The served model's version.
    pub model_version: String,
    /// The live metrics after these pairs.
    pub live: LiveMetrics,
}

/// `POST /model/reload` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReloadResponse {
    /// Whether a new model was swapped in (false: the source still designates the
    /// served one).
    pub reloaded: bool,
    /// What the source is, e.g. `models:/movie_rating_gbt@champion`.
    pub source: String,
    /// The served model's name.
    pub name: String,
    /// The served version after the reload.
    pub version: String,
    /// The version served before, when it changed.
    pub previous_version: Option<String>,
    /// The alias served through, if any.
    pub alias: Option<String>,
}

/// `GET /monitoring/alerts/active`: Alertmanager's active alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActiveAlertsResponse {
    /// The Alertmanager queried.
    pub alertmanager_url: String,
    /// Number of alerts.
    pub count: usize,
    /// Alertmanager's `/api/v2/alerts` objects, unmodified (active, not silenced, not
    /// inhibited).
    #[schema(value_type = Vec<Object>)]
    pub alerts: Vec<Value>,
}

/// Reachability of one monitoring service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpstreamStatus {
    /// Configured base URL, null when not configured.
    pub url: Option<String>,
    /// Whether `GET {url}/-/healthy` answered 200 (null when not configured).
    pub reachable: Option<bool>,
    /// What was seen: the status code or the connection error.
    pub detail: String,
}

/// `GET /monitoring/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MonitoringStatusResponse {
    /// `[server] prometheus_url`.
    pub prometheus: UpstreamStatus,
    /// `[server] alertmanager_url`.
    pub alertmanager: UpstreamStatus,
}
