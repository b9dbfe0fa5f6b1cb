//! Wire types of `POST /predict/movie` and `POST /predict/batch`.

use std::collections::BTreeMap;
use std::sync::Arc;

use reelcast_pipeline::{string_list_schema, MovieRequest};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, ToSchema};

use crate::dto::TextBatchResponse;

/// Query options of `POST /predict/movie`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PredictQuery {
    /// Add per-feature contributions and the bias to the response.
    #[serde(default)]
    pub explain: bool,
}

/// The 10th-90th percentile band of a prediction, clipped to 1..=10, 2 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RatingInterval {
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

/// A model's feature names as the JSON array every prediction answers with. It is
/// written once per loaded model and shared: the names are most of a prediction's
/// answer, and copying and escaping them per request would cost more than the
/// prediction itself.
#[derive(Debug, Clone)]
pub struct FeatureNames(Arc<RawValue>);

impl FeatureNames {
    /// The names, in column order.
    pub fn new(names: &[String]) -> Self {
        let json = serde_json::value::to_raw_value(names).expect("strings serialize to JSON");
        Self(Arc::from(json))
    }

    /// The names as a list.
    pub fn to_vec(&self) -> Vec<String> {
        serde_json::from_str(self.0.get()).expect("written from a list of strings")
    }
}

impl PartialEq for FeatureNames {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Serialize for FeatureNames {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FeatureNames {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<String>::deserialize(deserializer).map(|names| Self::new(&names))
    }
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
    #[schema(value_type = Vec<String>)]
    pub features_used: FeatureNames,
    /// Inputs that were missing and imputed from training statistics (API names).
    pub imputed: Vec<String>,
    /// 10th-90th percentile prediction interval (the forest's trees, or the boosted
    /// model's quantile models); null when the model has none.
    pub interval: Option<RatingInterval>,
    /// With `?explain=true`: per-feature contributions; bias + their sum is the unclipped
    /// prediction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributions: Option<Vec<Contribution>>,
    /// With `?explain=true`: the prediction before any split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bias: Option<f64>,
    /// When the request named people (`directors`, `writers`, `cast`): each given string
    /// and the IMDb person id it was matched to, or null when the model does not know the
    /// person (the prediction then uses the prior for that person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<BTreeMap<String, Option<String>>>,
}

/// `texts` in the OpenAPI document: at least one text of 1 to
/// [`reelcast_sentiment::MAX_TEXT_CHARS`] characters, not only whitespace, or null.
fn texts_schema() -> Schema {
    string_list_schema(
        reelcast_sentiment::MAX_TEXT_CHARS,
        Some(1),
        None,
        "Review texts, each like `POST /predict`'s `text` (1 to 20000 chars), scored as\n\
         sentiment.",
    )
}

/// Many movies (`movies`) or review texts (`texts`) to score at once: send exactly one.
/// Any other key is refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(
    expecting = "a JSON object with `movies` or `texts`",
    deny_unknown_fields
)]
pub struct BatchRequest {
    /// The movies, each like a `POST /predict/movie` body.
    // Kept as JSON text and read one by one (`MovieRequest::from_json`), so that every bad
    // movie is reported at once without a `Value` tree per movie.
    #[schema(value_type = Option<Vec<MovieRequest>>, min_items = 1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub movies: Option<Vec<Box<RawValue>>>,
    /// Review texts, each like `POST /predict`'s `text` (1 to 20000 chars), scored as
    /// sentiment.
    #[schema(schema_with = texts_schema)]
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
    /// When the movie named people: see [`PredictionResponse::people`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<BTreeMap<String, Option<String>>>,
}

/// Scores for a batch, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MovieBatchResponse {
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
pub enum BatchResponse {
    /// For `{"movies": [...]}`.
    Movies(MovieBatchResponse),
    /// For `{"texts": [...]}`.
    Texts(TextBatchResponse),
}
