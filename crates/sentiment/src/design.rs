//! The training matrix of one table: each text's hashed n-grams as unit-norm TF-IDF rows,
//! the row weights, and the naive-Bayes column scaling, and the table a fit on it makes.

use std::borrow::Cow;

use crate::fit::{Csr, Logistic};
use crate::hashing::{Analyzer, CharParams, FeatureParams, Scratch};
use crate::model::{idf, tf, Linear};
use crate::reviews::{Review, Source};
use crate::train::TrainParams;

/// 1 per row, or with `balance`, `n / (sources * n_source)` so that every source present
/// weighs the same in total and the weights still sum to `n`.
fn row_weights(rows: &[&Review], balance: bool) -> Vec<f64> {
    if !balance {
        return vec![1.0; rows.len()];
    }
    let count = |s: Source| rows.iter().filter(|r| r.source == s).count();
    let counts: Vec<(Source, usize)> = Source::ALL
        .iter()
        .map(|&s| (s, count(s)))
        .filter(|&(_, n)| n > 0)
        .collect();
    let share = rows.len() as f64 / counts.len() as f64;
    rows.iter()
        .map(|r| {
            let n = counts
                .iter()
                .find(|(s, _)| *s == r.source)
                .map_or(1, |&(_, n)| n);
            share / n as f64
        })
        .collect()
}

/// Each column's naive-Bayes log-count ratio `r = ln((p / |p|) / (q / |q|))`, where `p`
/// and `q` count the positive and the negative texts holding the column (weighted by
/// `row_weights`, plus 1 each for smoothing), damped to `sign(r) * sqrt(|r|)`.
///
/// Fitting the logistic regression on columns scaled by `r` (NBSVM, Wang & Manning
/// 2012) makes the L2 penalty cheaper for the weights of words that separate the classes
/// in the counts, a prior that suits short texts with few words each. The square root
/// keeps rare words' large ratios from dominating; cross-validation (docs/sentiment.md)
/// chose it over the plain ratio, which helps long reviews and hurts short sentences.
fn naive_bayes_ratios(x: &Csr, y: &[bool], row_weights: &[f64]) -> Vec<f64> {
    let mut positive = vec![1.0; x.n_cols];
    let mut negative = vec![1.0; x.n_cols];
    for (row, bounds) in x.indptr.windows(2).enumerate() {
        let counts = if y[row] { &mut positive } else { &mut negative };
        for &col in &x.indices[bounds[0]..bounds[1]] {
            counts[col as usize] += row_weights[row];
        }
    }
    let (p_total, n_total): (f64, f64) = (positive.iter().sum(), negative.iter().sum());
    positive
        .iter()
        .zip(&negative)
        .map(|(p, n)| {
            let r = ((p / p_total) / (n / n_total)).ln();
            r.signum() * r.abs().sqrt()
        })
        .collect()
}

/// The training matrix: one row per text, one column per bucket kept.
pub(crate) struct Design<P> {
    params: P,
    n_docs: u32,
    /// The bucket of each column, ascending.
    buckets: Vec<u32>,
    /// The document frequency of each column.
    dfs: Vec<u32>,
    pub(crate) x: Csr,
    pub(crate) y: Vec<bool>,
    pub(crate) row_weights: Vec<f64>,
    /// Each column's naive-Bayes scale, when the fit ran on scaled columns.
    column_scales: Option<Vec<f64>>,
}

impl Design<FeatureParams> {
    /// The word table's design over `rows`.
    pub(crate) fn words(rows: &[&Review], params: &TrainParams) -> Self {
        Self::build(
            rows,
            params.features,
            params.min_df,
            params.balance_sources,
            params.naive_bayes,
        )
    }
}

impl Design<CharParams> {
    /// The character table's design over the short `rows`, each weighing 1.
    pub(crate) fn chars(rows: &[&Review], features: CharParams, params: &TrainParams) -> Self {
        Self::build(rows, features, params.min_df, false, params.naive_bayes)
    }
}

impl<P: Copy + Into<Analyzer>> Design<P> {
    fn build(
        rows: &[&Review],
        params: P,
        min_df: u32,
        balance_sources: bool,
        naive_bayes: bool,
    ) -> Self {
        // Each text's terms, flattened: (bucket, count), with offsets per text.
        let mut terms: Vec<(u32, u32)> = Vec::new();
        let mut offsets = vec![0usize];
        let analyzer: Analyzer = params.into();
        let mut df = vec![0u32; 1 << analyzer.log2_buckets()];
        for row in rows {
            let mut scratch = Scratch::default();
            scratch.fill(&row.text, analyzer);
            for t in &scratch.terms {
                df[t.bucket as usize] += 1;
                terms.push((t.bucket, t.count));
            }
            offsets.push(terms.len());
        }
        // Column of each kept bucket (u32::MAX: not kept).
        let mut column = vec![u32::MAX; df.len()];
        let mut buckets = Vec::new();
        let mut dfs = Vec::new();
        for (bucket, &d) in df.iter().enumerate() {
            if d >= min_df {
                column[bucket] = buckets.len() as u32;
                buckets.push(bucket as u32);
                dfs.push(d);
            }
        }
        let n_docs = rows.len() as u32;
        let idfs: Vec<f64> = dfs.iter().map(|&d| idf(n_docs, d)).collect();
        let mut x = Csr {
            indptr: vec![0],
            n_cols: buckets.len(),
            ..Csr::default()
        };
        for w in offsets.windows(2) {
            let start = x.values.len();
            let mut norm2 = 0.0f64;
            for &(bucket, count) in &terms[w[0]..w[1]] {
                let col = column[bucket as usize];
                if col != u32::MAX {
                    let v = tf(count) * idfs[col as usize];
                    norm2 += v * v;
                    x.indices.push(col);
                    x.values.push(v as f32);
                }
            }
            if norm2 > 0.0 {
                let inv = norm2.sqrt().recip();
                x.values[start..]
                    .iter_mut()
                    .for_each(|v| *v = (f64::from(*v) * inv) as f32);
            }
            x.indptr.push(x.values.len());
        }
        let y: Vec<bool> = rows.iter().map(|r| r.positive).collect();
        let row_weights = row_weights(rows, balance_sources);
        let column_scales = naive_bayes.then(|| {
            let ratios = naive_bayes_ratios(&x, &y, &row_weights);
            for (v, &col) in x.values.iter_mut().zip(&x.indices) {
                *v = (f64::from(*v) * ratios[col as usize]) as f32;
            }
            ratios
        });
        Self {
            params,
            n_docs,
            buckets,
            dfs,
            x,
            y,
            row_weights,
            column_scales,
        }
    }

    /// The table of a fit on this design, weights quantised as the file stores them. A
    /// column's scale folds into its weight, so the model scores plain TF-IDF vectors.
    pub(crate) fn table(&self, fitted: &Logistic) -> Linear<P> {
        let folded: Cow<[f64]> = match &self.column_scales {
            Some(scales) => fitted
                .weights
                .iter()
                .zip(scales)
                .map(|(w, s)| w * s)
                .collect(),
            None => Cow::Borrowed(&fitted.weights),
        };
        let max = folded.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let step = if max > 0.0 {
            max / f64::from(i16::MAX)
        } else {
            1.0
        };
        let weights = folded.iter().map(|w| (w / step).round() as i16).collect();
        Linear::from_parts(
            self.params,
            self.n_docs,
            fitted.bias as f32,
            step as f32,
            self.buckets.clone(),
            self.dfs.clone(),
            weights,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{fit, Stopping};
    use crate::model::SentimentModel;

    #[test]
    fn balanced_row_weights_give_each_source_the_same_total() {
        let row = |source| Review {
            text: String::new(),
            positive: true,
            source,
        };
        let rows = [
            row(Source::Imdb),
            row(Source::Imdb),
            row(Source::Imdb),
            row(Source::RottenTomatoes),
        ];
        let refs: Vec<&Review> = rows.iter().collect();
        let w = row_weights(&refs, true);
        assert_eq!(w, [2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 2.0]);
        assert_eq!(row_weights(&refs, false), [1.0; 4]);
    }

    #[test]
    fn naive_bayes_ratios_sign_the_columns_that_separate_the_classes() {
        // Column 0 in both positive texts, column 1 in both negative ones, column 2 in all.
        let x = Csr {
            indptr: vec![0, 2, 4, 6, 8],
            indices: vec![0, 2, 0, 2, 1, 2, 1, 2],
            values: vec![1.0; 8],
            n_cols: 3,
        };
        let y = [true, true, false, false];
        let r = naive_bayes_ratios(&x, &y, &[1.0; 4]);
        // p = [3, 1, 3], q = [1, 3, 3] (counts plus 1), both summing to 7.
        let separating = 3.0f64.ln().sqrt();
        assert!((r[0] - separating).abs() < 1e-12, "{r:?}");
        assert!((r[1] + separating).abs() < 1e-12, "{r:?}");
        assert_eq!(r[2], 0.0);
        // Row weights count: a heavier negative row holding column 0 pulls its ratio down.
        let mixed = Csr {
            indices: vec![0, 2, 0, 2, 0, 2, 1, 2],
            ..x
        };
        let light = naive_bayes_ratios(&mixed, &y, &[1.0, 1.0, 0.5, 1.0]);
        let heavy = naive_bayes_ratios(&mixed, &y, &[1.0, 1.0, 2.0, 1.0]);
        assert!(heavy[0] < light[0], "{light:?} {heavy:?}");
    }

    #[test]
    fn the_scaled_fit_folds_into_weights_that_score_plain_tf_idf() {
        let texts = [
            ("a wonderful moving film", true),
            ("wonderful acting and a great story", true),
            ("a great film", true),
            ("boring and far too long", false),
            ("a boring waste of time", false),
            ("too long and boring", false),
        ];
        let rows: Vec<Review> = texts
            .iter()
            .map(|&(text, positive)| Review {
                text: text.into(),
                positive,
                source: Source::Imdb,
            })
            .collect();
        let refs: Vec<&Review> = rows.iter().collect();
        let params = TrainParams {
            min_df: 1,
            ..TrainParams::default()
        };
        let design = Design::words(&refs, &params);
        let scales = design.column_scales.as_ref().expect("scaled by default");
        let stopping = Stopping {
            max_iter: 300,
            rel_tol: 1e-9,
        };
        let fitted = fit(
            &design.x,
            &design.y,
            &design.row_weights,
            8.0,
            stopping,
            None,
        );
        let model = SentimentModel {
            words: design.table(&fitted),
            short: None,
        };
        // The model scores each training text as the fit did on its scaled row.
        for (i, review) in rows.iter().enumerate() {
            let span = design.x.indptr[i]..design.x.indptr[i + 1];
            let scaled: f64 = span
                .map(|k| {
                    f64::from(design.x.values[k]) * fitted.weights[design.x.indices[k] as usize]
                })
                .sum::<f64>()
                + fitted.bias;
            let p = model.probability(&review.text).expect("valid text");
            let want = 1.0 / (1.0 + (-scaled).exp());
            assert!((p - want).abs() < 1e-3, "{}: {p} vs {want}", review.text);
        }
        assert!(scales.iter().any(|&s| s > 0.0) && scales.iter().any(|&s| s < 0.0));

        // Without the scaling, the design holds the unit-norm TF-IDF rows themselves.
        let plain = Design::words(
            &refs,
            &TrainParams {
                naive_bayes: false,
                ..params
            },
        );
        assert!(plain.column_scales.is_none());
        for bounds in plain.x.indptr.windows(2) {
            let norm2: f64 = plain.x.values[bounds[0]..bounds[1]]
                .iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum();
            assert!((norm2 - 1.0).abs() < 1e-5, "{norm2}");
        }
    }
}
