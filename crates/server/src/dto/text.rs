//! Wire types of `POST /predict` and the `texts` form of `POST /predict/batch`.

use std::collections::BTreeMap;

use reelcast_pipeline::MovieRequest;

use crate::dto::RatingInterval;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// `POST /predict`: a review text, and optionally the movie's fields for a rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(expecting = "a JSON object with `text` and optional movie fields")]
#[schema(example = json!({"text": "A wonderful, moving film.", "startYear": 1921,
    "runtimeMinutes": 68, "numVotes": 40584}))]
pub struct TextRequest {
    /// The review, 1 to 20000 chars (not only whitespace).
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
    /// The movie: with `startYear`, `runtimeMinutes` and `numVotes` (same rules as
    /// `POST /predict/movie`), a rating is predicted too.
    #[serde(flatten)]
    pub movie: MovieRequest,
}

/// How a text was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SentimentMethod {
    /// reelcast's trained English model (TF-IDF word 1-2-grams, logistic regression).
    Model,
    /// The lexicons: VADER for English, AFINN-ko for Korean.
    Lexicon,
}

/// One word (or word pair; `NEG_` marks a word after a negation) and what it added to the
/// log-odds of a positive review. In a text short enough for the character table (270
/// chars for the shipped model), a word's entry also holds its character n-grams' share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WordWeight {
    /// The word or word pair, lower-cased.
    pub term: String,
    /// Its contribution to the log-odds (positive pushes towards positive).
    pub weight: f64,
}

/// Query options of `POST /predict` and the `texts` form of `POST /predict/batch`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TextQuery {
    /// `model` (the default: the trained model for English, the lexicon for Korean) or
    /// `lexicon` (VADER / AFINN-ko, for comparison).
    #[serde(default)]
    #[param(value_type = Option<SentimentMethod>)]
    pub method: Option<SentimentMethod>,
    /// Add the words that pushed the model's score most each way.
    #[serde(default)]
    pub explain: bool,
}

/// The sentiment of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TextSentiment {
    /// Length of the text, in chars.
    pub text_length: usize,
    /// Positive or negative; neutral when the model's probability lies within 0.1 of 0.5,
    /// or the lexicon's compound within ±0.05.
    pub sentiment: SentimentLabel,
    /// The model's probability of a positive review (null for the lexicon).
    pub probability: Option<f64>,
    /// The lexicon's compound score, -1 to 1 (null for the model).
    pub compound: Option<f64>,
    /// Language detected from the script.
    pub language: LanguageCode,
    /// What scored the text.
    pub method: SentimentMethod,
    /// With `?explain=true` and the model: the words that raised the probability most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_positive: Option<Vec<WordWeight>>,
    /// With `?explain=true` and the model: the words that lowered it most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_negative: Option<Vec<WordWeight>>,
}

impl From<(&str, reelcast_sentiment::Prediction)> for TextSentiment {
    fn from((text, p): (&str, reelcast_sentiment::Prediction)) -> Self {
        let words = |list: Vec<reelcast_sentiment::Contribution>| {
            list.into_iter()
                .map(|c| WordWeight {
                    term: c.term,
                    weight: c.weight,
                })
                .collect()
        };
        let (top_positive, top_negative) = match p.explanation {
            Some(e) => (Some(words(e.positive)), Some(words(e.negative))),
            None => (None, None),
        };
        Self {
            text_length: text.chars().count(),
            sentiment: match p.label {
                reelcast_sentiment::Label::Positive => SentimentLabel::Positive,
                reelcast_sentiment::Label::Negative => SentimentLabel::Negative,
                reelcast_sentiment::Label::Neutral => SentimentLabel::Neutral,
            },
            probability: p.probability,
            compound: p.compound,
            language: match p.language {
                reelcast_sentiment::Language::En => LanguageCode::En,
                reelcast_sentiment::Language::Ko => LanguageCode::Ko,
            },
            method: match p.method {
                reelcast_sentiment::Method::Model => SentimentMethod::Model,
                reelcast_sentiment::Method::Lexicon => SentimentMethod::Lexicon,
            },
            top_positive,
            top_negative,
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
    /// See [`crate::PredictionResponse::model_version`].
    pub model_version: Option<String>,
    /// With a rating: the movie inputs that were missing and imputed from training
    /// statistics (API names); null without a rating.
    pub imputed: Option<Vec<String>>,
    /// With a rating: see [`crate::PredictionResponse::interval`]; null without a rating
    /// or when the model has no interval.
    pub interval: Option<RatingInterval>,
    /// With a rating, when the request named people: see
    /// [`crate::PredictionResponse::people`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<BTreeMap<String, Option<String>>>,
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
