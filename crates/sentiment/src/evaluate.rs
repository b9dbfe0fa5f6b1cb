//! Accuracy and confusion matrices of a model on labelled reviews, per source.

use serde::{Deserialize, Serialize};

use crate::model::SentimentModel;
use crate::predict::in_neutral_band;
use crate::reviews::{Review, Source};

/// Counts of one source's reviews by true and predicted label (predicted positive when
/// the probability is at least 0.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Positive reviews predicted positive.
    pub true_positive: usize,
    /// Positive reviews predicted negative.
    pub false_negative: usize,
    /// Negative reviews predicted positive.
    pub false_positive: usize,
    /// Negative reviews predicted negative.
    pub true_negative: usize,
}

/// How a model did on one source's reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEvaluation {
    /// The source.
    pub source: Source,
    /// Reviews scored, refused ones included.
    pub rows: usize,
    /// Reviews whose predicted label (probability ≥ 0.5: positive) is the true one.
    pub correct: usize,
    /// `correct / rows`.
    pub accuracy: f64,
    /// Counts by true and predicted label.
    pub confusion: Confusion,
    /// Reviews whose probability lies in the neutral band ([`crate::NEUTRAL_BAND`]): the
    /// API labels them neutral. They are counted above by their side of 0.5.
    pub neutral: usize,
    /// Reviews the model refused (empty or over [`crate::MAX_TEXT_CHARS`]); counted as
    /// wrong, never dropped.
    pub refused: usize,
}

/// How a model did on labelled reviews: one entry per source present, in
/// [`Source::ALL`] order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Per source.
    pub sources: Vec<SourceEvaluation>,
}

impl Evaluation {
    /// Accuracy over every source's rows together.
    pub fn accuracy(&self) -> f64 {
        let (correct, rows) = self
            .sources
            .iter()
            .fold((0, 0), |(c, n), s| (c + s.correct, n + s.rows));
        if rows == 0 {
            0.0
        } else {
            correct as f64 / rows as f64
        }
    }

    /// The entry of `source`, if it had rows.
    pub fn source(&self, source: Source) -> Option<&SourceEvaluation> {
        self.sources.iter().find(|s| s.source == source)
    }
}

/// Scores every review and counts, per source, right and wrong labels.
pub fn evaluate<'a>(
    model: &SentimentModel,
    reviews: impl IntoIterator<Item = &'a Review>,
) -> Evaluation {
    let mut sources: Vec<SourceEvaluation> = Source::ALL
        .iter()
        .map(|&source| SourceEvaluation {
            source,
            rows: 0,
            correct: 0,
            accuracy: 0.0,
            confusion: Confusion::default(),
            neutral: 0,
            refused: 0,
        })
        .collect();
    for review in reviews {
        let entry = &mut sources[Source::ALL
            .iter()
            .position(|&s| s == review.source)
            .expect("Source::ALL lists every source")];
        entry.rows += 1;
        let Ok(p) = model.probability(&review.text) else {
            entry.refused += 1;
            continue;
        };
        if in_neutral_band(p) {
            entry.neutral += 1;
        }
        let c = &mut entry.confusion;
        match (review.positive, p >= 0.5) {
            (true, true) => c.true_positive += 1,
            (true, false) => c.false_negative += 1,
            (false, true) => c.false_positive += 1,
            (false, false) => c.true_negative += 1,
        }
    }
    sources.retain(|s| s.rows > 0);
    for s in &mut sources {
        s.correct = s.confusion.true_positive + s.confusion.true_negative;
        s.accuracy = s.correct as f64 / s.rows as f64;
    }
    Evaluation { sources }
}
