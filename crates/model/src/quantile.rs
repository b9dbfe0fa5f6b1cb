//! Quantile (pinball-loss) boosting and the prediction interval a [`GradientBoosting`] model
//! carries: two extra boosted ensembles estimating a low and a high conditional quantile of
//! the target, as LightGBM's and scikit-learn's `loss="quantile"` do.
//!
//! The boosting loop is the squared-loss one with two changes (see
//! [`crate::boosting`]'s `boost`): each tree is grown on the pinball loss's negative gradient
//! (`alpha` where the target is above the current prediction, `alpha - 1` below; hessian 1),
//! and each leaf's value is then replaced by the `alpha` quantile of the residuals of its
//! rows, times the learning rate (the exact line search for the pinball loss).
//!
//! [`GradientBoosting`]: crate::GradientBoosting

use serde::{Deserialize, Serialize};

use crate::compiled::Compiled;
use crate::error::{Error, Result};
use crate::explain::PredictionInterval;
use crate::predict::{predict_rows, sum_row};
use crate::tree::Tree;

/// One boosted ensemble fitted with the pinball loss at `alpha`: `init` (the `alpha`
/// quantile of the targets) plus the sum of its trees' leaf values estimates the `alpha`
/// quantile of the target given the features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct QuantileEnsemble {
    /// The quantile level, in (0, 1).
    pub(crate) alpha: f64,
    /// Initial prediction: the `alpha` quantile of the training targets.
    pub(crate) init: f64,
    pub(crate) trees: Vec<Tree>,
    /// Prediction-time copy of `trees`, rebuilt after loading.
    #[serde(skip)]
    pub(crate) compiled: Option<Compiled>,
}

impl QuantileEnsemble {
    /// The ensemble's prediction for one padded row.
    #[inline]
    fn predict_padded(&self, padded: &[f32]) -> f64 {
        self.init + sum_row(&self.trees, self.compiled.as_ref(), padded)
    }

    /// Predictions for the row-major `rows`, in parallel (bit-identical to the row path).
    pub(crate) fn predict_rows(&self, rows: &[f32], n_features: usize) -> Vec<f64> {
        let init = self.init;
        predict_rows(
            &self.trees,
            self.compiled.as_ref(),
            rows,
            n_features,
            |sum| init + sum,
        )
    }

    /// Checks a deserialized ensemble and rebuilds its prediction-time form.
    fn prepare(&mut self, n_features: usize, expected_trees: &[usize]) -> Result<()> {
        let invalid = |reason: String| Err(Error::InvalidModel { reason });
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return invalid(format!("quantile level {} is not in (0, 1)", self.alpha));
        }
        if !self.init.is_finite() {
            return invalid(format!(
                "quantile {} initial prediction is {}",
                self.alpha, self.init
            ));
        }
        if !expected_trees.contains(&self.trees.len()) {
            return invalid(format!(
                "quantile {} model has {} trees, params allow {expected_trees:?}",
                self.alpha,
                self.trees.len()
            ));
        }
        self.trees
            .iter()
            .try_for_each(|tree| tree.validate(n_features))?;
        self.compiled = Compiled::new(&self.trees, n_features);
        Ok(())
    }
}

/// A calibrated prediction interval for a boosted model: a lower and an upper quantile
/// ensemble, each moved outwards by `margin` (a split-conformal correction measured on rows
/// the quantile ensembles were not fitted on; 0 when uncalibrated, negative when the raw
/// interval was too wide).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct QuantileInterval {
    pub(crate) lower: QuantileEnsemble,
    pub(crate) upper: QuantileEnsemble,
    /// Target units subtracted from the lower and added to the upper quantile.
    pub(crate) margin: f64,
}

impl QuantileInterval {
    /// Checks a deserialized interval against its point model and rebuilds its
    /// prediction-time form.
    /// `expected_trees` lists the tree counts the point model's params allow.
    pub(crate) fn prepare(&mut self, n_features: usize, expected_trees: &[usize]) -> Result<()> {
        // NaN levels pass here and are refused by `QuantileEnsemble::prepare` below.
        if self.lower.alpha >= self.upper.alpha {
            return Err(Error::InvalidModel {
                reason: format!(
                    "interval quantiles {} and {} are not increasing",
                    self.lower.alpha, self.upper.alpha
                ),
            });
        }
        if !self.margin.is_finite() {
            return Err(Error::InvalidModel {
                reason: format!("interval margin is {}", self.margin),
            });
        }
        if self.lower.trees.len() != self.upper.trees.len() {
            return Err(Error::InvalidModel {
                reason: format!(
                    "interval quantile models have {} and {} trees",
                    self.lower.trees.len(),
                    self.upper.trees.len()
                ),
            });
        }
        self.lower.prepare(n_features, expected_trees)?;
        self.upper.prepare(n_features, expected_trees)
    }

    /// The interval around the point prediction `point` for one padded row.
    #[inline]
    pub(crate) fn around(&self, point: f64, padded: &[f32]) -> PredictionInterval {
        self.around_raw(
            point,
            self.lower.predict_padded(padded),
            self.upper.predict_padded(padded),
        )
    }

    /// The interval around `point` from the raw lower and upper quantile predictions.
    #[inline]
    pub(crate) fn around_raw(&self, point: f64, lower: f64, upper: f64) -> PredictionInterval {
        contain(point, lower - self.margin, upper + self.margin)
    }

    /// The raw lower and upper quantile predictions for one padded row (no margin).
    #[inline]
    pub(crate) fn raw(&self, padded: &[f32]) -> [f64; 2] {
        [
            self.lower.predict_padded(padded),
            self.upper.predict_padded(padded),
        ]
    }

    /// Intervals around `points` for the row-major `rows` (one point per row).
    pub(crate) fn around_batch(
        &self,
        points: &[f64],
        rows: &[f32],
        n_features: usize,
    ) -> Vec<PredictionInterval> {
        let (lower, upper) = rayon::join(
            || self.lower.predict_rows(rows, n_features),
            || self.upper.predict_rows(rows, n_features),
        );
        points
            .iter()
            .zip(lower.iter().zip(&upper))
            .map(|(&point, (&lo, &hi))| contain(point, lo - self.margin, hi + self.margin))
            .collect()
    }
}

/// The interval `[lower, upper]` widened to contain `point` (quantile ensembles are fitted
/// separately, so they can cross each other or miss the point prediction).
#[inline]
fn contain(point: f64, lower: f64, upper: f64) -> PredictionInterval {
    PredictionInterval {
        mean: point,
        lower: lower.min(point),
        upper: upper.max(point),
    }
}

/// The split-conformal margin for intervals `[lower_i, upper_i]` and held-out targets
/// `targets` (conformalized quantile regression, Romano et al. 2019): with conformity
/// scores `s_i = max(lower_i - y_i, y_i - upper_i)`, the `ceil((n + 1) * coverage)`-th
/// smallest score, so that widening by it covers a new row with probability at least
/// `coverage` (exchangeability assumed). Capped at the largest score when `n` is too small.
pub(crate) fn conformal_margin(
    lower: &[f64],
    upper: &[f64],
    targets: &[f32],
    coverage: f64,
) -> f64 {
    let mut scores: Vec<f64> = lower
        .iter()
        .zip(upper)
        .zip(targets)
        .map(|((&lo, &hi), &y)| (lo - f64::from(y)).max(f64::from(y) - hi))
        .collect();
    if scores.is_empty() {
        return 0.0;
    }
    scores.sort_unstable_by(f64::total_cmp);
    let n = scores.len();
    let k = ((n + 1) as f64 * coverage).ceil() as usize;
    scores[k.clamp(1, n) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_or_missing_quantiles_are_widened_to_contain_the_point() {
        let iv = contain(5.0, 6.0, 4.0);
        assert_eq!((iv.lower, iv.mean, iv.upper), (5.0, 5.0, 5.0));
        let iv = contain(5.0, 5.5, 7.0);
        assert_eq!((iv.lower, iv.upper), (5.0, 7.0));
        let iv = contain(5.0, 4.0, 6.0);
        assert_eq!((iv.lower, iv.upper), (4.0, 6.0));
    }

    #[test]
    fn conformal_margin_is_the_hand_computed_order_statistic() {
        // Scores: 1 - 2 = -1, 3 - 2 = 1, max(0 - 1, 1 - 2) = -1, 5 - 2 = 3.
        let lower = [1.0, 0.0, 0.0, 0.0];
        let upper = [2.0, 2.0, 2.0, 2.0];
        let targets = [0.0f32, 3.0, 1.0, 5.0];
        // n = 4, coverage 0.5: ceil(5 * 0.5) = 3rd smallest of -1, -1, 1, 3.
        assert_eq!(conformal_margin(&lower, &upper, &targets, 0.5), 1.0);
        // Too few rows for 0.9: capped at the largest score.
        assert_eq!(conformal_margin(&lower, &upper, &targets, 0.9), 3.0);
        assert_eq!(conformal_margin(&[], &[], &[], 0.8), 0.0);
    }
}
