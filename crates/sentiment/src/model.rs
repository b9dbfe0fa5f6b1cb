//! The trained English model: hashed n-gram TF-IDF features and logistic-regression
//! weights, and how a text is scored with them.
//!
//! A model is one or two linear tables ([`Linear`]). The word table scores every text.
//! The optional short-text table, over character n-grams, was fitted on the training
//! texts of at most `max_chars` chars; a text that short gets the mean of both tables'
//! log-odds. Characters catch what short texts spell rather than say (`un-funny`,
//! `loooved`, a shared stem) and cross-validation found the mean better than the words
//! alone on one-sentence reviews (docs/sentiment.md). Long reviews skip it: there the
//! words alone did better.
//!
//! A table scores a text's feature vector: each n-gram bucket it hits gets
//! `(1 + ln count) * idf` (the sublinear TF-IDF of scikit-learn's
//! `TfidfVectorizer(sublinear_tf=True)`, with `idf = ln((1 + n) / (1 + df)) + 1` over the
//! `n` training texts), and the vector is scaled to unit L2 norm. Buckets no training
//! text put into the table (below the minimum document frequency) are ignored, at
//! training and at scoring alike. The log-odds of a positive review are
//! `bias + Σ weight * value`.

use crate::error::{Error, Result, MAX_TEXT_CHARS};
use crate::fit::sigmoid;
use crate::hashing::{Analyzer, CharParams, FeatureParams, Scratch, Term};

/// How many terms [`SentimentModel::score`] lists each way.
pub const EXPLAIN_TERMS: usize = 5;

/// A trained English review-sentiment model. Build one with [`crate::train`], load one
/// with [`SentimentModel::from_bytes`] or take the shipped one,
/// [`SentimentModel::embedded`]. Scoring is read-only: share one model across threads.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentModel {
    /// Word n-grams: every text.
    pub(crate) words: Linear<FeatureParams>,
    /// Character n-grams of short texts, if the model has them.
    pub(crate) short: Option<ShortTexts>,
}

/// The character table and the length up to which it scores a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShortTexts {
    /// Texts of at most this many chars are short.
    pub max_chars: u32,
    pub chars: Linear<CharParams>,
}

/// One table: hashed TF-IDF features (`P`: [`FeatureParams`] or [`CharParams`]) and their
/// logistic-regression weights.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Linear<P> {
    pub(crate) params: P,
    /// Training texts the idf was counted over.
    pub(crate) n_docs: u32,
    pub(crate) bias: f32,
    /// Quantisation step of the weights: weight = `step * q`.
    pub(crate) weight_step: f32,
    /// The table's buckets, ascending, with their document frequency and quantised weight.
    pub(crate) buckets: Vec<u32>,
    pub(crate) dfs: Vec<u32>,
    pub(crate) weights: Vec<i16>,
    /// `[idf, weight]` per bucket, both 0 for a bucket outside the table (derived).
    table: Vec<[f32; 2]>,
}

/// A term that moved a score, and by how much.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Contribution {
    /// The word or word pair, lower-cased, `NEG_` marking a word after a negation
    /// (`"NEG_good"`, `"waste of"`). In a short text a word's entry also holds its
    /// character n-grams' share.
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

impl<P: Copy + Into<Analyzer>> Linear<P> {
    /// Assembles a table from checked parts (the training code and the file reader).
    pub(crate) fn from_parts(
        params: P,
        n_docs: u32,
        bias: f32,
        weight_step: f32,
        buckets: Vec<u32>,
        dfs: Vec<u32>,
        weights: Vec<i16>,
    ) -> Self {
        let mut table = vec![[0.0f32; 2]; 1 << params.into().log2_buckets()];
        for ((&b, &df), &q) in buckets.iter().zip(&dfs).zip(&weights) {
            table[b as usize] = [idf(n_docs, df) as f32, weight_step * f32::from(q)];
        }
        Self {
            params,
            n_docs,
            bias,
            weight_step,
            buckets,
            dfs,
            weights,
            table,
        }
    }

    /// Log-odds of a positive review for a text's terms; `each` sees every term in the
    /// table with its share of the log-odds (bias excluded).
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

impl SentimentModel {
    /// The features of the word table.
    pub fn features(&self) -> FeatureParams {
        self.words.params
    }

    /// The short-text table's length limit in chars and its features, if the model has one.
    pub fn short_texts(&self) -> Option<(u32, CharParams)> {
        self.short.as_ref().map(|s| (s.max_chars, s.chars.params))
    }

    /// Number of hash buckets that carry a weight, in both tables.
    pub fn n_weights(&self) -> usize {
        self.words.buckets.len() + self.short.as_ref().map_or(0, |s| s.chars.buckets.len())
    }

    /// Probability that `text` is a positive review, without explanations (the fast path).
    ///
    /// # Errors
    /// [`Error::EmptyText`] and [`Error::TextTooLong`], as [`crate::analyze`].
    pub fn probability(&self, text: &str) -> Result<f64> {
        check_text(text)?;
        let mut scratch = Scratch::default();
        scratch.fill_words(text, self.words.params);
        let words = self.words.logit(&scratch.terms, |_, _| {});
        let Some(short) = self.short_table(text) else {
            return Ok(sigmoid(words));
        };
        scratch.fill_chars(text, short.params);
        let chars = short.logit(&scratch.terms, |_, _| {});
        Ok(sigmoid((words + chars) / 2.0))
    }

    /// Probability that `text` is positive, with the [`EXPLAIN_TERMS`] terms that pushed
    /// it most each way. For a short text each table contributes half its shares; a
    /// character n-gram's share is named by the word it lies in, and a term named by
    /// both tables is listed once, with the sum.
    ///
    /// # Errors
    /// [`Error::EmptyText`] and [`Error::TextTooLong`], as [`crate::analyze`].
    pub fn score(&self, text: &str) -> Result<ModelScore> {
        check_text(text)?;
        let mut words = Scratch::default();
        words.fill_words(text, self.words.params);
        let mut word_parts: Vec<(f64, u32)> = Vec::with_capacity(words.terms.len());
        let word_logit = self.words.logit(&words.terms, |term, part| {
            word_parts.push((part, term.first))
        });
        // (share of the log-odds, term), at least every candidate for the top lists.
        let mut named: Vec<(f64, String)>;
        let logit = match self.short_table(text) {
            None => {
                // One table names each term once: only the strongest need a name.
                word_parts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let n = word_parts.len();
                let ends = (0..n.min(EXPLAIN_TERMS))
                    .chain(n.saturating_sub(EXPLAIN_TERMS).max(EXPLAIN_TERMS)..n);
                named = ends
                    .map(|i| (word_parts[i].0, words.gram_text(word_parts[i].1)))
                    .collect();
                word_logit
            }
            Some(short) => {
                let mut chars = Scratch::default();
                chars.fill_chars(text, short.params);
                // A character term's share, summed per word (`first` is its word's index).
                let mut char_parts: Vec<(f64, u32)> = Vec::new();
                let char_logit = short.logit(&chars.terms, |term, part| {
                    char_parts.push((part, term.first));
                });
                sum_by_key(&mut char_parts);
                named = word_parts
                    .iter()
                    .map(|&(part, first)| (part / 2.0, words.gram_text(first)))
                    .chain(
                        char_parts
                            .iter()
                            .map(|&(part, first)| (part / 2.0, chars.gram_text(first))),
                    )
                    .collect();
                sum_by_key(&mut named);
                (word_logit + char_logit) / 2.0
            }
        };
        named.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let contribution = |(weight, term): &(f64, String)| Contribution {
            term: term.clone(),
            weight: *weight,
        };
        let top_positive = named
            .iter()
            .take_while(|p| p.0 > 0.0)
            .take(EXPLAIN_TERMS)
            .map(contribution)
            .collect();
        let top_negative = named
            .iter()
            .rev()
            .take_while(|p| p.0 < 0.0)
            .take(EXPLAIN_TERMS)
            .map(contribution)
            .collect();
        Ok(ModelScore {
            probability_positive: sigmoid(logit),
            top_positive,
            top_negative,
        })
    }

    /// The character table, when the model has one and `text` is short enough for it.
    fn short_table(&self, text: &str) -> Option<&Linear<CharParams>> {
        self.short
            .as_ref()
            .filter(|s| is_within(text, s.max_chars))
            .map(|s| &s.chars)
    }
}

/// Sorts `(share, key)` pairs by key and leaves one pair per key, with the sum of its
/// shares.
fn sum_by_key<K: Ord>(parts: &mut Vec<(f64, K)>) {
    parts.sort_by(|a, b| a.1.cmp(&b.1));
    parts.dedup_by(|next, kept| {
        let same = next.1 == kept.1;
        if same {
            kept.0 += next.0;
        }
        same
    });
}

/// Whether `text` has at most `max_chars` chars (UTF-8 takes 1 to 4 bytes a char, so
/// the byte length settles most texts without counting).
pub(crate) fn is_within(text: &str, max_chars: u32) -> bool {
    let max = max_chars as usize;
    if text.len() <= max {
        true
    } else if text.len() > 4 * max {
        false
    } else {
        text.chars().count() <= max
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
    if !is_within(text, MAX_TEXT_CHARS as u32) {
        return Err(Error::TextTooLong {
            chars: text.chars().count(),
            max: MAX_TEXT_CHARS,
        });
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

    /// A table over `analyzer` whose `entries` (one feature each) have the given weights,
    /// all seen in 1 of 3 texts.
    fn table<P: Copy + Into<Analyzer>>(params: P, entries: &[(&str, i16)]) -> Linear<P> {
        let bucket = |w: &str| {
            let mut s = Scratch::default();
            s.fill(w, params.into());
            assert_eq!(s.terms.len(), 1, "{w} is one feature");
            s.terms[0].bucket
        };
        let mut entries: Vec<(u32, i16)> = entries.iter().map(|&(w, q)| (bucket(w), q)).collect();
        entries.sort_unstable();
        Linear::from_parts(
            params,
            3,
            0.0,
            0.01,
            entries.iter().map(|e| e.0).collect(),
            vec![1; entries.len()],
            entries.iter().map(|e| e.1).collect(),
        )
    }

    /// A hand-made model over unigrams: "good" +2, "bad" -2.
    fn tiny() -> SentimentModel {
        let features = FeatureParams {
            log2_buckets: 12,
            max_ngram: 1,
        };
        SentimentModel {
            words: table(features, &[("good", 200), ("bad", -200)]),
            short: None,
        }
    }

    /// `tiny` plus a character table for texts of at most 12 chars whose one feature,
    /// the padded word " ok " (4 chars), weighs +4.
    fn with_chars() -> SentimentModel {
        let chars = CharParams {
            log2_buckets: 12,
            min_n: 4,
            max_n: 4,
        };
        SentimentModel {
            short: Some(ShortTexts {
                max_chars: 12,
                chars: table(chars, &[("ok", 400)]),
            }),
            ..tiny()
        }
    }

    #[test]
    fn short_texts_get_the_mean_of_both_tables_log_odds() {
        let m = with_chars();
        // 11 chars: words say +2, chars +4 (" ok " is the only 4-gram the table knows).
        let p = m.probability("good and ok").expect("ok");
        assert!((p - sigmoid(3.0)).abs() < 1e-6, "{p}");
        // 13 chars: too long for the character table.
        let p = m.probability("good and ok !").expect("ok");
        assert!((p - sigmoid(2.0)).abs() < 1e-6, "{p}");
        // The limit counts chars, not bytes: 12 Hangul chars are 36 bytes.
        assert!(is_within(&"좋".repeat(12), 12) && !is_within(&"좋".repeat(13), 12));
        assert_eq!(m.short_texts().map(|s| s.0), Some(12));
        assert_eq!(m.n_weights(), 3);
    }

    #[test]
    fn short_text_explanations_halve_each_table_and_merge_equal_terms() {
        let features = FeatureParams {
            log2_buckets: 12,
            max_ngram: 1,
        };
        let m = SentimentModel {
            words: table(features, &[("good", 200), ("ok", 200)]),
            ..with_chars()
        };
        // Words: "ok" and "good" weigh 2 at 1/√2 each, 2√2 in all; chars: " ok " alone,
        // 4. Halved, "ok" gets √2/2 + 2 and "good" √2/2, summing to the mean log-odds.
        let s = m.score("ok good").expect("ok");
        let half = std::f64::consts::SQRT_2 / 2.0;
        let terms: Vec<(&str, f64)> = s
            .top_positive
            .iter()
            .map(|c| (c.term.as_str(), c.weight))
            .collect();
        assert_eq!(terms.len(), 2, "{terms:?}");
        assert_eq!((terms[0].0, terms[1].0), ("ok", "good"));
        assert!((terms[0].1 - (half + 2.0)).abs() < 1e-4, "{terms:?}");
        assert!((terms[1].1 - half).abs() < 1e-4, "{terms:?}");
        let mean = (2.0 * std::f64::consts::SQRT_2 + 4.0) / 2.0;
        assert!((s.probability_positive - sigmoid(mean)).abs() < 1e-5);
        assert!(s.top_negative.is_empty());
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
