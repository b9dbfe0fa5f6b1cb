//! Wire types of `POST /predict` and the `texts` form of `POST /predict/batch`.

use reelcast_pipeline::MovieRequest;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// The review, 1 to 5000 chars (not only whitespace).
    #[schema(min_length = 1, max_length = 5000)]
    pub text: String,
    /// The movie: with `startYear`, `runtimeMinutes` and `numVotes` (same rules as
    /// `POST /predict/movie`), a rating is predicted too.
    #[serde(flatten)]
    pub movie: MovieRequest,
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
    /// See [`crate::PredictionResponse::model_version`].
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
