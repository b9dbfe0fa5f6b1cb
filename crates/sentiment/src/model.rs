//! The trained English model: hashed n-gram TF-IDF features and logistic-regression
//! weights, and how a text is scored with them.
//!
//! A text's feature vector: each n-gram bucket it hits gets `(1 + ln count) * idf` (the
//! sublinear TF-IDF of scikit-learn's `TfidfVectorizer(sublinear_tf=True)`, with
//! `idf = ln((1 + n) / (1 + df)) + 1` over the `n` training texts), and the vector is
//! scaled to unit L2 norm. Buckets no training text put into the model (below the
//! minimum document frequency) are ignored, at training and at scoring alike. The
//! probability of a positive review is `sigmoid(bias + Σ weight * value)`.

use crate::error::{Error, Result, MAX_TEXT_CHARS};
use crate::fit::sigmoid;
use crate::hashing::{FeatureParams, Scratch, Term};

/// How many terms [`SentimentModel::score`] lists each way.
pub const EXPLAIN_TERMS: usize = 5;

/// A trained English review-sentiment model. Build one with [`crate::train`], load one
/// with [`SentimentModel::from_bytes`] or take the shipped one,
/// [`SentimentModel::embedded`]. Scoring is read-only: share one model across threads.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentModel {
    pub(crate) features: FeatureParams,
    /// Training texts the idf was counted over.
    pub(crate) n_docs: u32,
    pub(crate) bias: f32,
    /// Quantisation step of the weights: weight = `step * q`.
    pub(crate) weight_step: f32,
    /// The model's buckets, ascending, with their document frequency and quantised weight.
    pub(crate) buckets: Vec<u32>,
    pub(crate) dfs: Vec<u32>,
    pub(crate) weights: Vec<i16>,
    /// `[idf, weight]` per bucket, both 0 for a bucket outside the model (derived).
    table: Vec<[f32; 2]>,
}

/// A term that moved a score, and by how much.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Contribution {
    /// The word or word pair, lower-cased, `NEG_` marking a word after a negation
    /// (`"NEG_good"`, `"waste of"`).
    pub term: String,
    /// What it added to the log-odds of a positive review (positive pushes up).
    pub weight: f64,
}

/// A model's verdict on one text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelScore {
    /// Probability that the review is positive, in `[0, 1]`.
    pub probability_positive: f64,
    /// Up to [`EXPLAIN_TERMS`] terms that raised the probability most, strongest first.
    pub top_positive: Vec<Contribution>,
    /// Up to [`EXPLAIN_TERMS`] terms that lowered it most, strongest first.
    pub top_negative: Vec<Contribution>,
}

/// `ln((1 + n) / (1 + df)) + 1`, scikit-learn's smoothed idf.
pub(crate) fn idf(n_docs: u32, df: u32) -> f64 {
    ((1.0 + f64::from(n_docs)) / (1.0 + f64::from(df))).ln() + 1.0
}

impl SentimentModel {
    /// Assembles a model from checked parts (the training code and the file reader).
    pub(crate) fn from_parts(
        features: FeatureParams,
        n_docs: u32,
        bias: f32,
        weight_step: f32,
        buckets: Vec<u32>,
        dfs: Vec<u32>,
        weights: Vec<i16>,
    ) -> Self {
        let mut table = vec![[0.0f32; 2]; 1 << features.log2_buckets];
        for ((&b, &df), &q) in buckets.iter().zip(&dfs).zip(&weights) {
            table[b as usize] = [idf(n_docs, df) as f32, weight_step * f32::from(q)];
        }
        Self {
            features,
            n_docs,
            bias,
            weight_step,
            buckets,
            dfs,
            weights,
            table,
        }
    }

    /// The features this model hashes.
    pub fn features(&self) -> FeatureParams {
        self.features
    }

    /// Number of hash buckets that carry a weight.
    pub fn n_weights(&self) -> usize {
        self.buckets.len()
    }

    /// Probability that `text` is a positive review, without explanations (the fast path).
    ///
    /// # Errors
    /// [`Error::EmptyText`] and [`Error::TextTooLong`], as [`crate::analyze`].
    pub fn probability(&self, text: &str) -> Result<f64> {
        check_text(text)?;
        let mut scratch = Scratch::default();
        scratch.fill(text, self.features);
        Ok(sigmoid(self.logit(&scratch.terms, |_, _| {})))
    }

    /// Probability that `text` is positive, with the [`EXPLAIN_TERMS`] terms that pushed
    /// it most each way.
    ///
    /// # Errors
    /// [`Error::EmptyText`] and [`Error::TextTooLong`], as [`crate::analyze`].
    pub fn score(&self, text: &str) -> Result<ModelScore> {
        check_text(text)?;
        let mut scratch = Scratch::default();
        scratch.fill(text, self.features);
        let mut parts: Vec<(f64, u32)> = Vec::with_capacity(scratch.terms.len());
        let logit = self.logit(&scratch.terms, |term, part| parts.push((part, term.first)));
        parts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let named = |&(weight, first): &(f64, u32)| Contribution {
            term: scratch.gram_text(first),
            weight,
        };
        let top_positive = parts
            .iter()
            .take_while(|p| p.0 > 0.0)
            .take(EXPLAIN_TERMS)
            .map(named)
            .collect();
        let top_negative = parts
            .iter()
            .rev()
            .take_while(|p| p.0 < 0.0)
            .take(EXPLAIN_TERMS)
            .map(named)
            .collect();
        Ok(ModelScore {
            probability_positive: sigmoid(logit),
            top_positive,
            top_negative,
        })
    }

    /// Log-odds of a positive review for a text's terms; `each` sees every term in the
    /// model with its share of the log-odds (bias excluded).
    fn logit(&self, terms: &[Term], mut each: impl FnMut(&Term, f64)) -> f64 {
        let mut norm2 = 0.0f64;
        let mut dot = 0.0f64;
        for term in terms {
            let [idf, weight] = self.table[term.bucket as usize];
            if idf == 0.0 {
                continue;
            }
            let value = tf(term.count) * f64::from(idf);
            norm2 += value * value;
            dot += value * f64::from(weight);
        }
        if norm2 == 0.0 {
            return f64::from(self.bias);
        }
        let inv_norm = norm2.sqrt().recip();
        for term in terms {
            let [idf, weight] = self.table[term.bucket as usize];
            if idf != 0.0 && weight != 0.0 {
                each(
                    term,
                    tf(term.count) * f64::from(idf) * inv_norm * f64::from(weight),
                );
            }
        }
        f64::from(self.bias) + dot * inv_norm
    }
}

/// Sublinear term frequency `1 + ln(count)`.
pub(crate) fn tf(count: u32) -> f64 {
    if count == 1 {
        1.0
    } else {
        1.0 + f64::from(count).ln()
    }
}

/// Refuses empty and over-long texts, like [`crate::analyze`].
pub(crate) fn check_text(text: &str) -> Result<()> {
    if text.chars().all(invisible) {
        return Err(Error::EmptyText);
    }
    // Byte length bounds char count from above: most texts skip the count.
    if text.len() > MAX_TEXT_CHARS {
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(Error::TextTooLong {
                chars,
                max: MAX_TEXT_CHARS,
            });
        }
    }
    Ok(())
}

/// Whitespace, control chars and the zero-width format chars (ZWSP, ZWNJ, ZWJ, word
/// joiner, BOM): a text of only these says nothing.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made model over unigrams: "good" +2, "bad" -2, both seen in 1 of 3 texts.
    fn tiny() -> SentimentModel {
        let features = FeatureParams {
            log2_buckets: 12,
            max_ngram: 1,
        };
        let bucket = |w: &str| {
            let mut s = Scratch::default();
            s.fill(w, features);
            s.terms[0].bucket
        };
        let mut entries = [(bucket("good"), 200i16), (bucket("bad"), -200)];
        entries.sort_unstable();
        SentimentModel::from_parts(
            features,
            3,
            0.0,
            0.01,
            entries.iter().map(|e| e.0).collect(),
            vec![1, 1],
            entries.iter().map(|e| e.1).collect(),
        )
    }

    #[test]
    fn scores_by_normalised_tf_idf_and_weights() {
        let m = tiny();
        // One known word: unit vector, logit = its weight.
        assert!((m.probability("good").expect("ok") - sigmoid(2.0)).abs() < 1e-6);
        // Unknown words are ignored, not counted in the norm.
        assert!((m.probability("a good film").expect("ok") - sigmoid(2.0)).abs() < 1e-6);
        // Equal tf-idf of good and bad: they cancel.
        assert!((m.probability("good bad").expect("ok") - 0.5).abs() < 1e-6);
        // No known word: the bias alone.
        assert_eq!(m.probability("film").expect("ok"), 0.5);
    }

    #[test]
    fn explains_with_the_terms_that_moved_the_score() {
        let s = tiny().score("good good bad film").expect("ok");
        assert_eq!(s.top_positive.len(), 1);
        assert_eq!(s.top_positive[0].term, "good");
        assert_eq!(s.top_negative[0].term, "bad");
        assert!(s.top_positive[0].weight > -s.top_negative[0].weight);
        assert!(s.probability_positive > 0.5);
    }

    #[test]
    fn refuses_empty_and_too_long_text() {
        let m = tiny();
        assert_eq!(m.probability(" "), Err(Error::EmptyText));
        assert!(matches!(
            m.score(&"a".repeat(MAX_TEXT_CHARS + 1)),
            Err(Error::TextTooLong { chars: 20_001, .. })
        ));
        assert!(m.probability(&"좋".repeat(MAX_TEXT_CHARS)).is_ok());
    }

    #[test]
    fn idf_matches_scikit_learn_smoothing() {
        assert!((idf(3, 1) - (2f64.ln() + 1.0)).abs() < 1e-12);
        assert!((idf(3, 3) - 1.0).abs() < 1e-12);
    }
}
