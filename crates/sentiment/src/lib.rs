//! Review sentiment for reelcast's `POST /predict`.
//!
//! [`predict`] scores English with a trained [`SentimentModel`] (the shipped one is
//! [`SentimentModel::embedded`]; [`train`] fits one on labelled reviews: word n-grams for
//! every text, plus character n-grams for short texts, see docs/sentiment.md) and Korean,
//! or any text on request, with the lexicons.
//!
//! [`analyze`] is the lexicon path. It detects the language from the script
//! ([`Language`]: Hangul vs Latin, majority wins), scores the text and returns a
//! [`Sentiment`]:
//! - English: VADER 3.3.2 rules and lexicon, through the `vader-parity` crate
//!   (exact parity with Python `vaderSentiment==3.3.2`);
//! - Korean: the AFINN-ko lexicon of nlp.js (plus a short, commented supplement),
//!   with particle/ending stripping and VADER's negation, booster, contrast and
//!   exclamation rules.
//!
//! Both produce VADER's compound `x / sqrt(x² + 15)` in `[-1, 1]`, labelled with
//! VADER's thresholds (≥ 0.05 positive, ≤ -0.05 negative). Lexicons are embedded
//! (`lexicons/`, see its README for provenance and licences); nothing touches the
//! network or the file system. A leaf crate: it uses no other workspace crate.
//!
//! ```
//! use reelcast_sentiment::{analyze, Label, Language};
//!
//! let s = analyze("훌륭한 영화에요!")?;
//! assert_eq!((s.label, s.language), (Label::Positive, Language::Ko));
//!
//! let s = analyze("Not good, and the ending was a mess.")?;
//! assert_eq!((s.label, s.language), (Label::Negative, Language::En));
//! assert!(analyze("   ").is_err());
//! # Ok::<(), reelcast_sentiment::Error>(())
//! ```

#![forbid(unsafe_code)]

mod design;
mod embedded;
mod english;
mod error;
mod evaluate;
mod fit;
mod format;
mod hashing;
mod ko_lexicon;
mod ko_morph;
mod korean;
mod language;
mod model;
mod predict;
mod reviews;
mod score;
mod tokenize;
mod train;

use serde::{Deserialize, Serialize};

pub use crate::error::{Error, Result, MAX_TEXT_CHARS};
pub use crate::evaluate::{evaluate, Confusion, Evaluation, SourceEvaluation};
pub use crate::format::{MODEL_FORMAT_VERSION, MODEL_MAGIC};
pub use crate::hashing::{
    CharParams, FeatureParams, CHAR_NGRAM_RANGE, LOG2_BUCKETS_RANGE, MAX_NGRAM_RANGE,
};
pub use crate::language::{detect, Language};
pub use crate::model::{Contribution, ModelScore, SentimentModel, EXPLAIN_TERMS};
pub use crate::predict::{
    in_neutral_band, label_of_probability, predict, Explanation, Method, Prediction, NEUTRAL_BAND,
};
pub use crate::reviews::{is_held_out, read_reviews, Review, Source};
pub use crate::score::{confidence_of, label_of, Label, POLARITY_THRESHOLD};
pub use crate::train::{
    train, ShortTextParams, ShortTextReport, TrainParams, TrainReport, Trial, C_GRID, SHORT_C_GRID,
};

/// The sentiment of one text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// Positive, negative or neutral, from `compound` with VADER's ±0.05 thresholds.
    pub label: Label,
    /// Confidence in `label`, in `0..=1`, derived only from the compound's magnitude
    /// (see [`confidence_of`]): `|compound|` for a polar label, `1 - |compound| / 0.05`
    /// for neutral. It is not a calibrated probability.
    pub confidence: f64,
    /// VADER-style compound score in `[-1, 1]`, rounded to 4 decimals.
    pub compound: f64,
    /// Language detected from the script and used for scoring.
    pub language: Language,
}

/// Analyses a review text.
///
/// # Errors
/// [`Error::EmptyText`] if `text` has no visible char, [`Error::TextTooLong`] if it has
/// more than [`MAX_TEXT_CHARS`] chars, and [`Error::UnsupportedScript`] if its letters
/// are mostly neither Latin nor Hangul.
pub fn analyze(text: &str) -> Result<Sentiment> {
    crate::model::check_text(text)?;
    let language = detect(text).ok_or(Error::UnsupportedScript)?;
    let compound = match language {
        Language::En => english::compound(text),
        Language::Ko => korean::compound(text),
    };
    let label = label_of(compound);
    Ok(Sentiment {
        label,
        confidence: confidence_of(label, compound),
        compound,
        language,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_whitespace_text() {
        assert_eq!(analyze(""), Err(Error::EmptyText));
        assert_eq!(analyze(" \n\t"), Err(Error::EmptyText));
    }

    #[test]
    fn rejects_text_over_20000_chars_counting_chars_not_bytes() {
        let ok = "좋".repeat(MAX_TEXT_CHARS);
        assert!(
            analyze(&ok).is_ok(),
            "20000 Hangul chars are 60000 bytes but allowed"
        );
        let err = analyze(&"a".repeat(MAX_TEXT_CHARS + 1)).expect_err("too long");
        assert_eq!(
            err.to_string(),
            "text has 20001 chars: it must have at most 20000 chars"
        );
    }

    #[test]
    fn serializes_labels_and_languages_in_snake_case() {
        let s = analyze("훌륭한 영화에요!").expect("valid text");
        let json = serde_json::to_value(s).expect("serializable");
        assert_eq!(json["label"], "positive");
        assert_eq!(json["language"], "ko");
        assert!(json["confidence"]
            .as_f64()
            .is_some_and(|c| (0.0..=1.0).contains(&c)));
    }

    #[test]
    fn neutral_text_is_neutral_with_full_confidence() {
        let s = analyze("The film is 120 minutes long.").expect("valid text");
        assert_eq!(s.label, Label::Neutral);
        assert_eq!(s.confidence, 1.0);
    }

    #[test]
    fn sentiment_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Sentiment>();
    }
}
