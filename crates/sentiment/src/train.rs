//! Training: the fixed split, the design matrix, tuning `C` on a validation split of the
//! training rows, the final fit and its held-out report.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::design::Design;
use crate::error::{Error, Result, MAX_TEXT_CHARS};
use crate::evaluate::{evaluate, Evaluation};
use crate::fit::{fit, Logistic, Stopping};
use crate::hashing::{Analyzer, CharParams, FeatureParams};
use crate::model::{is_within, Linear, SentimentModel, ShortTexts};
use crate::reviews::Review;

/// Inverse penalties tried when [`TrainParams::c`] is `None`, ascending (each fit starts
/// from the previous one's weights). The grid reaches 32 because 16, the top of an
/// earlier grid, won the tuning at the grid's edge (docs/sentiment.md).
pub const C_GRID: [f64; 4] = [4.0, 8.0, 16.0, 32.0];

/// Inverse penalties tried for the short-text character table when
/// [`ShortTextParams::c`] is `None` (cross-validation scored 0.5 to 4 alike and 16 lower).
pub const SHORT_C_GRID: [f64; 3] = [1.0, 2.0, 4.0];

/// The character table for short texts (see [`SentimentModel`]'s module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortTextParams {
    /// Texts of at most this many chars are short (default 270: every Rotten Tomatoes
    /// training sentence, the longest has 267, and the shortest 2% of IMDb reviews).
    pub max_chars: u32,
    /// Character n-grams (default 2 to 5 chars in 2^18 buckets).
    pub features: CharParams,
    /// Inverse L2 penalty; `None` (default) picks the best of [`SHORT_C_GRID`] by the
    /// whole model's accuracy on the validation fifth.
    pub c: Option<f64>,
}

impl Default for ShortTextParams {
    fn default() -> Self {
        Self {
            max_chars: 270,
            features: CharParams::default(),
            c: None,
        }
    }
}

/// How to train; `Default` gives the shipped model's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    /// Seed of the validation split used to tune `c` (default 42).
    pub seed: u64,
    /// Features (default: words and word pairs in 2^20 buckets).
    pub features: FeatureParams,
    /// Buckets hit by fewer training texts are left out of the model (default 2).
    pub min_df: u32,
    /// Inverse L2 penalty, as scikit-learn's `C`; `None` (default) picks the best of
    /// [`C_GRID`] by accuracy on a seeded validation fifth of the training rows.
    pub c: Option<f64>,
    /// Share of training rows the tuning holds out for validation (default 0.2).
    pub validation_fraction: f64,
    /// Most L-BFGS iterations per fit (default 300).
    pub max_iter: usize,
    /// Weight training rows so that each source carries the same total weight (default
    /// true): without it the 19,898 IMDb reviews outweigh the 6,780 Rotten Tomatoes
    /// sentences three to one, and the short sentences are fitted worse.
    pub balance_sources: bool,
    /// Scale each column by its damped naive-Bayes log-count ratio before the fit
    /// (default true; docs/sentiment.md describes the ratio).
    pub naive_bayes: bool,
    /// The character table for short texts (default [`ShortTextParams::default`]);
    /// `None` trains the word table alone. It is fitted on the short training texts,
    /// each weighing 1 (nearly all of them are Rotten Tomatoes sentences), with the same
    /// `min_df` and naive-Bayes scaling as the word table.
    pub short_texts: Option<ShortTextParams>,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            seed: 42,
            features: FeatureParams::default(),
            min_df: 2,
            c: None,
            validation_fraction: 0.2,
            max_iter: 300,
            balance_sources: true,
            naive_bayes: true,
            short_texts: Some(ShortTextParams::default()),
        }
    }
}

impl TrainParams {
    /// Checks every rule, returning the first broken one.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the parameter, its value and the rule.
    pub fn check(&self) -> Result<()> {
        let invalid = |name, value: String, rule| Err(Error::InvalidParam { name, value, rule });
        if let Err((name, value, rule)) = Analyzer::Words(self.features).check() {
            return invalid(name, value.to_string(), rule);
        }
        if let Some(short) = &self.short_texts {
            if let Err((name, value, rule)) = Analyzer::Chars(short.features).check() {
                let name = match name {
                    "log2_buckets" => "short_texts.log2_buckets",
                    "min_n" => "short_texts.min_n",
                    _ => "short_texts.max_n",
                };
                return invalid(name, value.to_string(), rule);
            }
            if short.max_chars == 0 || short.max_chars as usize > MAX_TEXT_CHARS {
                return invalid(
                    "short_texts.max_chars",
                    short.max_chars.to_string(),
                    "must be 1 to 20000",
                );
            }
            if let Some(c) = short.c.filter(|&c| !penalty_is_valid(c)) {
                return invalid("short_texts.c", c.to_string(), PENALTY_RULE);
            }
        }
        if self.min_df == 0 {
            return invalid("min_df", "0".into(), "must be at least 1");
        }
        if let Some(c) = self.c.filter(|&c| !penalty_is_valid(c)) {
            return invalid("c", c.to_string(), PENALTY_RULE);
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return invalid(
                "validation_fraction",
                self.validation_fraction.to_string(),
                "must be between 0 and 1, both excluded",
            );
        }
        if self.max_iter == 0 {
            return invalid("max_iter", "0".into(), "must be at least 1");
        }
        Ok(())
    }
}

/// The rule of every inverse penalty `C`.
const PENALTY_RULE: &str = "must be a finite number above 0";

/// Whether `c` keeps [`PENALTY_RULE`].
fn penalty_is_valid(c: f64) -> bool {
    c.is_finite() && c > 0.0
}

/// Validation accuracy of one `C` while tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// The inverse penalty tried.
    pub c: f64,
    /// Accuracy on the validation rows (at probability 0.5).
    pub validation_accuracy: f64,
    /// L-BFGS iterations of the fit.
    pub iterations: usize,
}

/// What [`train`] did and how well the model does on the held-out rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// The parameters used.
    pub params: TrainParams,
    /// Rows trained on (not held out).
    pub training_rows: usize,
    /// Rows held out by the split rule (scored in `held_out`).
    pub held_out_rows: usize,
    /// `C` of the final fit: `params.c`, or the tuning's choice.
    pub c: f64,
    /// The tuning's trials, empty when `params.c` was given.
    pub trials: Vec<Trial>,
    /// Hash buckets that carry a weight.
    pub weights: usize,
    /// L-BFGS iterations of the final fit.
    pub iterations: usize,
    /// Wall time of everything above (tokenizing, tuning, final fit), in seconds.
    pub fit_seconds: f64,
    /// Accuracy and confusion matrix per source on the held-out rows (absent when no row
    /// of the data is held out).
    pub held_out: Option<Evaluation>,
    /// The short-text character table, when one was trained.
    pub short_texts: Option<ShortTextReport>,
}

/// How the short-text character table was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortTextReport {
    /// Texts of at most this many chars are short.
    pub max_chars: u32,
    /// Short training rows the table was fitted on.
    pub training_rows: usize,
    /// `C` of the final fit: the parameter's, or the tuning's choice.
    pub c: f64,
    /// The tuning's trials (the whole model's validation accuracy), empty when given.
    pub trials: Vec<Trial>,
    /// Hash buckets of the table that carry a weight.
    pub weights: usize,
    /// L-BFGS iterations of the final fit.
    pub iterations: usize,
}

/// Trains a model on the rows of `reviews` outside the held-out split
/// ([`crate::is_held_out`]) and scores it on the held-out ones. Deterministic: the
/// same rows and parameters give a model with identical bytes.
///
/// The word table trains on every training row. The short-text character table, when
/// asked for, trains on the training rows of at most `max_chars` chars; it is left out
/// (and the report says so by its absence) when those rows lack a label.
///
/// # Errors
/// [`Error::InvalidParam`] for a broken parameter rule and [`Error::OneClass`] when the
/// training rows lack a label.
pub fn train(reviews: &[Review], params: &TrainParams) -> Result<(SentimentModel, TrainReport)> {
    params.check()?;
    let started = Instant::now();
    let (held_out, training): (Vec<&Review>, Vec<&Review>) =
        reviews.iter().partition(|r| r.is_held_out());
    one_class_check(&training)?;
    let stopping = Stopping {
        max_iter: params.max_iter,
        rel_tol: 1e-6,
    };
    // The short-text table's parameters and training rows, when those hold both labels.
    let short = params
        .short_texts
        .as_ref()
        .map(|s| (s, short_rows(&training, s.max_chars)))
        .filter(|(_, rows)| one_class_check(rows).is_ok());
    let tuned = tune(&training, params, short.as_ref().map(|s| s.0), stopping)?;
    let design = Design::words(&training, params);
    let fitted = fit(
        &design.x,
        &design.y,
        &design.row_weights,
        tuned.c,
        stopping,
        None,
    );
    let mut model = SentimentModel {
        words: design.table(&fitted),
        short: None,
    };
    let short_texts = match (short, tuned.short) {
        (Some((sp, rows)), Some((c, trials))) => {
            let design = Design::chars(&rows, sp.features, params);
            let fitted = fit(&design.x, &design.y, &design.row_weights, c, stopping, None);
            let chars = design.table(&fitted);
            let report = ShortTextReport {
                max_chars: sp.max_chars,
                training_rows: rows.len(),
                c,
                trials,
                weights: chars.buckets.len(),
                iterations: fitted.iterations,
            };
            model.short = Some(ShortTexts {
                max_chars: sp.max_chars,
                chars,
            });
            Some(report)
        }
        _ => None,
    };
    let fit_seconds = started.elapsed().as_secs_f64();
    let held_out_rows = held_out.len();
    let held_out = (!held_out.is_empty()).then(|| evaluate(&model, held_out.iter().copied()));
    let report = TrainReport {
        params: params.clone(),
        training_rows: training.len(),
        held_out_rows,
        c: tuned.c,
        trials: tuned.trials,
        weights: model.words.buckets.len(),
        iterations: fitted.iterations,
        fit_seconds,
        held_out,
        short_texts,
    };
    Ok((model, report))
}

/// [`Error::OneClass`] unless `rows` hold both labels.
fn one_class_check(rows: &[&Review]) -> Result<()> {
    let positive = rows.iter().filter(|r| r.positive).count();
    if positive == 0 || positive == rows.len() {
        return Err(Error::OneClass {
            positive,
            negative: rows.len() - positive,
        });
    }
    Ok(())
}

/// The rows of at most `max_chars` chars.
fn short_rows<'a>(rows: &[&'a Review], max_chars: u32) -> Vec<&'a Review> {
    rows.iter()
        .copied()
        .filter(|r| is_within(&r.text, max_chars))
        .collect()
}

/// The penalties of the final fits and the trials that chose them.
struct Tuned {
    /// The word table's `C` and its trials.
    c: f64,
    trials: Vec<Trial>,
    /// The character table's `C` and its trials, when one is trained.
    short: Option<(f64, Vec<Trial>)>,
}

/// Chooses each `C` not given: the word table's from [`C_GRID`] by its accuracy on a
/// seeded validation share of `training`, then the character table's from
/// [`SHORT_C_GRID`] by the whole model's accuracy there (the word table fitted on the
/// other rows at its chosen `C`). Ties go to the smaller, more regularised `C`.
fn tune(
    training: &[&Review],
    params: &TrainParams,
    short: Option<&ShortTextParams>,
    stopping: Stopping,
) -> Result<Tuned> {
    let short_c = short.and_then(|s| s.c);
    let mut tuned = Tuned {
        c: params.c.unwrap_or(C_GRID[0]),
        trials: Vec::new(),
        short: short.zip(short_c).map(|(_, c)| (c, Vec::new())),
    };
    let short_to_tune = short.filter(|s| s.c.is_none());
    if params.c.is_some() && short_to_tune.is_none() {
        return Ok(tuned);
    }
    // A seeded hash of the text decides validation membership: deterministic, and
    // independent of the row order.
    let cut = (params.validation_fraction * u64::MAX as f64) as u64;
    let (validation, inner): (Vec<&Review>, Vec<&Review>) = training.iter().partition(|r| {
        splitmix64(params.seed ^ u64::from(crc32fast::hash(r.text.as_bytes()))) < cut
    });
    one_class_check(&inner)?;
    if validation.is_empty() {
        return Err(Error::OneClass {
            positive: 0,
            negative: 0,
        });
    }
    let design = Design::words(&inner, params);
    let grid: &[f64] = match params.c {
        Some(ref c) => std::slice::from_ref(c),
        None => &C_GRID,
    };
    let words_only = |words| SentimentModel { words, short: None };
    let (trials, best) = sweep(&design, grid, stopping, |table| {
        evaluate(&words_only(table), validation.iter().copied()).accuracy()
    });
    tuned.c = grid[best.0];
    if params.c.is_none() {
        tuned.trials = trials;
    }
    let Some(short) = short_to_tune else {
        return Ok(tuned);
    };
    let mut model = words_only(design.table(&best.1));
    let rows = short_rows(&inner, short.max_chars);
    one_class_check(&rows)?;
    let design = Design::chars(&rows, short.features, params);
    let (trials, best) = sweep(&design, &SHORT_C_GRID, stopping, |chars| {
        model.short = Some(ShortTexts {
            max_chars: short.max_chars,
            chars,
        });
        evaluate(&model, validation.iter().copied()).accuracy()
    });
    tuned.short = Some((SHORT_C_GRID[best.0], trials));
    Ok(tuned)
}

/// Fits `design` at each `C` of `grid` in turn (each fit starting from the previous
/// one's weights) and scores each fit's table with `accuracy`. Returns the trials and
/// the best fit with its index in `grid` (ties go to the earlier, smaller `C`).
fn sweep<P: Copy + Into<Analyzer>>(
    design: &Design<P>,
    grid: &[f64],
    stopping: Stopping,
    mut accuracy: impl FnMut(Linear<P>) -> f64,
) -> (Vec<Trial>, (usize, Logistic)) {
    let mut trials: Vec<Trial> = Vec::with_capacity(grid.len());
    let mut best: Option<(usize, Logistic)> = None;
    let mut previous: Option<Logistic> = None;
    for (i, &c) in grid.iter().enumerate() {
        let fitted = fit(
            &design.x,
            &design.y,
            &design.row_weights,
            c,
            stopping,
            previous.as_ref(),
        );
        let validation_accuracy = accuracy(design.table(&fitted));
        let better = best
            .as_ref()
            .is_none_or(|&(b, _)| validation_accuracy > trials[b].validation_accuracy);
        trials.push(Trial {
            c,
            validation_accuracy,
            iterations: fitted.iterations,
        });
        if better {
            best = Some((i, fitted.clone()));
        }
        previous = Some(fitted);
    }
    (trials, best.expect("the grid has a C"))
}

/// SplitMix64's output function: a well-mixed 64-bit hash of `x`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reviews::Source;

    #[test]
    fn each_broken_rule_is_named() {
        let cases: [(&str, TrainParams); 5] = [
            (
                "log2_buckets",
                TrainParams {
                    features: FeatureParams {
                        log2_buckets: 30,
                        max_ngram: 2,
                    },
                    ..TrainParams::default()
                },
            ),
            (
                "max_ngram",
                TrainParams {
                    features: FeatureParams {
                        log2_buckets: 20,
                        max_ngram: 0,
                    },
                    ..TrainParams::default()
                },
            ),
            (
                "min_df",
                TrainParams {
                    min_df: 0,
                    ..TrainParams::default()
                },
            ),
            (
                "c",
                TrainParams {
                    c: Some(f64::NAN),
                    ..TrainParams::default()
                },
            ),
            (
                "validation_fraction",
                TrainParams {
                    validation_fraction: 1.0,
                    ..TrainParams::default()
                },
            ),
        ];
        assert!(TrainParams::default().check().is_ok());
        for (name, params) in cases {
            match params.check() {
                Err(Error::InvalidParam { name: got, .. }) => assert_eq!(got, name),
                other => panic!("case {name}: {other:?}"),
            }
        }
    }

    #[test]
    fn refuses_training_rows_of_one_label() {
        let rows: Vec<Review> = (0..20)
            .map(|i| Review {
                text: format!("great film number {i}"),
                positive: true,
                source: Source::Imdb,
            })
            .collect();
        let err = train(
            &rows,
            &TrainParams {
                c: Some(1.0),
                ..TrainParams::default()
            },
        )
        .expect_err("one class");
        assert!(matches!(err, Error::OneClass { negative: 0, .. }), "{err}");
    }

    #[test]
    fn no_short_text_table_when_no_training_text_is_short() {
        let rows: Vec<Review> = (0..40)
            .map(|i| {
                let (word, positive) = if i % 2 == 0 {
                    ("wonderful", true)
                } else {
                    ("dreadful", false)
                };
                Review {
                    text: format!("review {i}: {}", format!("a {word} film. ").repeat(30)),
                    positive,
                    source: Source::Imdb,
                }
            })
            .collect();
        assert!(rows.iter().all(|r| r.text.chars().count() > 270));
        let (model, report) = train(
            &rows,
            &TrainParams {
                c: Some(1.0),
                min_df: 1,
                ..TrainParams::default()
            },
        )
        .expect("trains the word table");
        assert!(report.short_texts.is_none() && model.short_texts().is_none());
        assert!(model.probability("a wonderful film").expect("valid") > 0.5);
    }

    #[test]
    fn splitmix_spreads_consecutive_inputs_evenly() {
        let low = (0..10_000u64)
            .filter(|&i| splitmix64(i) < u64::MAX / 2)
            .count();
        assert!(
            (4_800..5_200).contains(&low),
            "{low} of 10000 in the lower half"
        );
    }
}
