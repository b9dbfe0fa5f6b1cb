//! One entry point for `POST /predict`: the trained model for English, the lexicons for
//! Korean or on request, and the neutral band.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::language::{detect, Language};
use crate::model::{check_text, Contribution, SentimentModel};
use crate::score::Label;

/// Half-width of the band around 0.5 in which a model probability is labelled neutral:
/// `|p - 0.5| < 0.1`, i.e. `0.4 < p < 0.6`. Outside it the label is the side of 0.5.
/// Accuracy figures (docs/sentiment.md) count these texts by their side of 0.5, and say
/// how many fell in the band.
pub const NEUTRAL_BAND: f64 = 0.1;

/// Whether probability `p` lies in the neutral band ([`NEUTRAL_BAND`]).
pub fn in_neutral_band(p: f64) -> bool {
    p > 0.5 - NEUTRAL_BAND && p < 0.5 + NEUTRAL_BAND
}

/// The label of a model probability: neutral in the band, else the side of 0.5.
pub fn label_of_probability(p: f64) -> Label {
    if in_neutral_band(p) {
        Label::Neutral
    } else if p > 0.5 {
        Label::Positive
    } else {
        Label::Negative
    }
}

/// What scored a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The trained model ([`SentimentModel`]); English only.
    Model,
    /// The lexicons of [`crate::analyze`]: VADER (English), AFINN-ko (Korean).
    Lexicon,
}

/// The words that moved a model's score most each way (strongest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Terms that raised the probability of a positive review.
    pub positive: Vec<Contribution>,
    /// Terms that lowered it.
    pub negative: Vec<Contribution>,
}

/// The sentiment of one text, by the model or the lexicons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Positive or negative; neutral only inside [`NEUTRAL_BAND`] (model) or VADER's
    /// ±0.05 compound thresholds (lexicon).
    pub label: Label,
    /// The model's probability of a positive review; `None` for the lexicons, which
    /// give no probability.
    pub probability: Option<f64>,
    /// The lexicons' compound score in `[-1, 1]`; `None` for the model.
    pub compound: Option<f64>,
    /// Language detected from the script.
    pub language: Language,
    /// What scored the text: the model for English unless the lexicon was asked for;
    /// always the lexicon for Korean (no labelled Korean corpus to train on).
    pub method: Method,
    /// With `explain`, the model's strongest terms each way; `None` for the lexicons.
    pub explanation: Option<Explanation>,
}

/// Scores `text` with `model` (English) or the lexicons (Korean, or `method` =
/// [`Method::Lexicon`]); `explain` adds the model's strongest terms.
///
/// # Errors
/// [`crate::Error::EmptyText`], [`crate::Error::TextTooLong`] (over
/// [`crate::MAX_TEXT_CHARS`] chars) and [`crate::Error::UnsupportedScript`], for both
/// methods.
pub fn predict(
    text: &str,
    model: &SentimentModel,
    method: Method,
    explain: bool,
) -> Result<Prediction> {
    check_text(text)?;
    let language = detect(text).ok_or(crate::Error::UnsupportedScript)?;
    if method == Method::Lexicon || language == Language::Ko {
        let s = crate::analyze(text)?;
        return Ok(Prediction {
            label: s.label,
            probability: None,
            compound: Some(s.compound),
            language: s.language,
            method: Method::Lexicon,
            explanation: None,
        });
    }
    let (probability, explanation) = if explain {
        let s = model.score(text)?;
        let explanation = Explanation {
            positive: s.top_positive,
            negative: s.top_negative,
        };
        (s.probability_positive, Some(explanation))
    } else {
        (model.probability(text)?, None)
    };
    Ok(Prediction {
        label: label_of_probability(probability),
        probability: Some(probability),
        compound: None,
        language,
        method: Method::Model,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_band_is_open_around_one_half() {
        let cases = [
            (0.5, Label::Neutral),
            (0.41, Label::Neutral),
            (0.59, Label::Neutral),
            (0.6, Label::Positive),
            (0.4, Label::Negative),
            (0.99, Label::Positive),
            (0.0, Label::Negative),
        ];
        for (p, want) in cases {
            assert_eq!(label_of_probability(p), want, "p = {p}");
        }
    }
}
