//! Gradient-boosted regression trees with squared loss (each tree fits the residuals of the
//! trees before it), histogram-based like scikit-learn's `HistGradientBoostingRegressor`,
//! optionally with a calibrated prediction interval from two quantile-loss ensembles
//! ([`crate::quantile`]).

mod fit;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Deserializer, Serialize};

use crate::boosting_params::BoostingValidParams;
use crate::compiled::Compiled;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::explain::{Contributions, PredictionInterval};
use crate::predict::{predict_rows, sum_row, with_padded};
use crate::quantile::QuantileInterval;
use crate::quickscorer::QuickScorer;
use crate::tree::{validate_ensemble, Tree};
pub(crate) use fit::interval_params;
use fit::Boosted;

/// A fitted gradient boosting regressor; made by [`BoostingValidParams::fit`] or
/// [`BoostingValidParams::fit_with_interval`].
///
/// Predictions take raw `f32` feature rows in training column order; a NaN feature value
/// always follows the right branch (impute before predicting). The spread of the trees says
/// nothing about uncertainty (boosted trees are additive corrections, not alternative
/// estimates), so the prediction interval, when fitted, comes from two quantile-loss
/// ensembles instead ([`GradientBoosting::predict_interval`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BoostingRepr")]
pub struct GradientBoosting {
    params: BoostingValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    init: f64,
    trees: Vec<Tree>,
    importances: Vec<f64>,
    /// Prediction-time copy of `trees`, rebuilt after loading.
    #[serde(skip)]
    compiled: Option<Compiled>,
    /// `trees`, then the interval's lower and upper quantile trees, in one scorer: a row's
    /// prediction and band in one pass over its features (see [`banded_scorer`]).
    #[serde(skip)]
    banded: Option<QuickScorer>,
    /// The quantile ensembles of the prediction interval, when fitted. Last, so the
    /// serialized form is the first format's followed by this field.
    interval: Option<Box<QuantileInterval>>,
}

/// Deserialization mirror of [`GradientBoosting`], validated before use.
#[derive(Deserialize)]
struct BoostingRepr {
    params: BoostingValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    init: f64,
    trees: Vec<Tree>,
    importances: Vec<f64>,
    interval: Option<Box<QuantileInterval>>,
}

/// The first serialized form of [`GradientBoosting`], before prediction intervals.
#[derive(Deserialize)]
struct BoostingReprV1 {
    params: BoostingValidParams,
    n_features: usize,
    feature_names: Vec<String>,
    init: f64,
    trees: Vec<Tree>,
    importances: Vec<f64>,
}

impl TryFrom<BoostingRepr> for GradientBoosting {
    type Error = Error;

    fn try_from(r: BoostingRepr) -> Result<Self> {
        validate_ensemble(
            &r.trees,
            r.params.n_trees(),
            r.n_features,
            r.feature_names.len(),
            r.importances.len(),
        )?;
        if !r.init.is_finite() {
            return Err(Error::InvalidModel {
                reason: format!("initial prediction is {}", r.init),
            });
        }
        let mut interval = r.interval;
        if let Some(i) = interval.as_mut() {
            // This version fits `interval_params`' rounds; bundles saved before that have
            // as many quantile trees as point trees.
            let rounds = [interval_params(&r.params)?.n_trees(), r.params.n_trees()];
            i.prepare(r.n_features, &rounds)?;
        }
        let trees = r.trees;
        Ok(Self {
            params: r.params,
            n_features: r.n_features,
            feature_names: r.feature_names,
            init: r.init,
            compiled: Compiled::new(&trees, r.n_features),
            banded: banded_scorer(&trees, interval.as_deref(), r.n_features),
            trees,
            importances: r.importances,
            interval,
        })
    }
}

/// The scorer over `trees` followed by `interval`'s lower and upper quantile trees, when
/// there is an interval and every tree fits a [`QuickScorer`]. One pass over the row's
/// features then serves all three ensembles, at well under the cost of three separate
/// passes.
fn banded_scorer(
    trees: &[Tree],
    interval: Option<&QuantileInterval>,
    n_features: usize,
) -> Option<QuickScorer> {
    let interval = interval?;
    let all: Vec<&Tree> = trees
        .iter()
        .chain(&interval.lower.trees)
        .chain(&interval.upper.trees)
        .collect();
    QuickScorer::new(&all, n_features)
}

impl GradientBoosting {
    fn new(
        params: &BoostingValidParams,
        data: &Dataset,
        point: Boosted,
        interval: Option<QuantileInterval>,
    ) -> Self {
        Self {
            params: params.clone(),
            n_features: data.n_features(),
            feature_names: data.feature_names().to_vec(),
            init: point.init,
            compiled: Compiled::new(&point.trees, data.n_features()),
            banded: banded_scorer(&point.trees, interval.as_ref(), data.n_features()),
            trees: point.trees,
            importances: point.importances,
            interval: interval.map(Box::new),
        }
    }

    /// Deserializes a model in its first serialized form, written before prediction
    /// intervals existed (reelcast bundle format 1); the result has no interval. For
    /// `#[serde(deserialize_with = "...")]` in readers of old files.
    ///
    /// # Errors
    /// The deserializer's error, or an invalid-model message if the ensemble is corrupt.
    pub fn deserialize_without_interval<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let r = BoostingReprV1::deserialize(deserializer)?;
        Self::try_from(BoostingRepr {
            params: r.params,
            n_features: r.n_features,
            feature_names: r.feature_names,
            init: r.init,
            trees: r.trees,
            importances: r.importances,
            interval: None,
        })
        .map_err(serde::de::Error::custom)
    }

    fn check_width(&self, row: &[f32]) {
        assert_eq!(
            row.len(),
            self.n_features,
            "row has {} features, the model was trained on {}",
            row.len(),
            self.n_features
        );
    }

    /// Prediction for one row: initial prediction plus every tree's (shrunk) leaf value.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        self.check_width(row);
        self.init
            + with_padded(row, |padded| {
                sum_row(&self.trees, self.compiled.as_ref(), padded)
            })
    }

    /// Predictions for the row-major `rows` (`n_rows * n_features` values), in parallel.
    /// Equal, bit for bit, to calling [`GradientBoosting::predict_row`] on each row.
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `self.n_features()`.
    pub fn predict_batch(&self, rows: &[f32]) -> Vec<f64> {
        assert_eq!(
            rows.len() % self.n_features,
            0,
            "batch has {} values, not a whole number of rows of {} features",
            rows.len(),
            self.n_features
        );
        let init = self.init;
        predict_rows(
            &self.trees,
            self.compiled.as_ref(),
            rows,
            self.n_features,
            |sum| init + sum,
        )
    }

    /// The prediction with its calibrated prediction interval, or `None` if the model has
    /// none (fitted by [`BoostingValidParams::fit`], or read from the first serialized form
    /// by [`GradientBoosting::deserialize_without_interval`]). `lower` and `upper` estimate
    /// the `lower_q` and `upper_q` conditional quantiles of the target (see
    /// [`BoostingValidParams::fit_with_interval`]), widened if needed so that
    /// `lower <= mean <= upper`; `mean` equals [`GradientBoosting::predict_row`] bit for bit.
    /// About three times the cost of `predict_row` (three ensembles).
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn predict_interval(&self, row: &[f32]) -> Option<PredictionInterval> {
        self.check_width(row);
        let interval = self.interval.as_ref()?;
        if let Some(scorer) = &self.banded {
            // Each ensemble's leaf values summed in tree order, as `sum_row` does.
            let point_end = self.trees.len();
            let lower_end = point_end + interval.lower.trees.len();
            let upper_end = lower_end + interval.upper.trees.len();
            let [point, lower, upper] = scorer.sums(row, [point_end, lower_end, upper_end]);
            return Some(interval.around_raw(
                self.init + point,
                interval.lower.init + lower,
                interval.upper.init + upper,
            ));
        }
        Some(with_padded(row, |padded| {
            let point = self.init + sum_row(&self.trees, self.compiled.as_ref(), padded);
            interval.around(point, padded)
        }))
    }

    /// [`GradientBoosting::predict_interval`] for every row of the row-major `rows`, in
    /// parallel; equal, bit for bit, to calling it on each row.
    ///
    /// # Panics
    /// If `rows.len()` is not a multiple of `self.n_features()`.
    pub fn predict_interval_batch(&self, rows: &[f32]) -> Option<Vec<PredictionInterval>> {
        let interval = self.interval.as_ref()?;
        let points = self.predict_batch(rows);
        Some(interval.around_batch(&points, rows, self.n_features))
    }

    /// The raw `[lower, upper]` quantile-ensemble predictions for one row, before the
    /// conformal margin and before widening to contain the prediction (for diagnostics:
    /// [`GradientBoosting::predict_interval`] is what to serve), or `None` without an interval.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn predict_quantiles(&self, row: &[f32]) -> Option<[f64; 2]> {
        self.check_width(row);
        let interval = self.interval.as_ref()?;
        Some(with_padded(row, |padded| interval.raw(padded)))
    }

    /// The `(lower_q, upper_q)` quantile levels of the prediction interval, if fitted.
    pub fn interval_quantiles(&self) -> Option<(f64, f64)> {
        self.interval
            .as_ref()
            .map(|i| (i.lower.alpha, i.upper.alpha))
    }

    /// Clears `out` and fills it with each tree's (shrunk) contribution for `row`, in tree
    /// order; `init() + out.iter().sum()` is the prediction.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn tree_predictions(&self, row: &[f32], out: &mut Vec<f64>) {
        self.check_width(row);
        out.clear();
        out.extend(
            self.trees
                .iter()
                .map(|t| f64::from(t.nodes[t.leaf_index(row)].value)),
        );
    }

    /// Total split gain per feature, normalised to sum to 1 (all zeros if no tree split).
    pub fn feature_importances(&self) -> Vec<f64> {
        self.importances.clone()
    }

    /// Saabas path attributions summed over trees: `bias + values.iter().sum()` equals
    /// [`GradientBoosting::predict_row`] up to rounding.
    ///
    /// # Panics
    /// If `row.len() != self.n_features()`.
    pub fn contributions(&self, row: &[f32]) -> Contributions {
        self.check_width(row);
        let mut values = vec![0.0; self.n_features];
        let mut bias = self.init;
        for tree in &self.trees {
            bias += tree.add_contributions(row, &mut values);
        }
        Contributions { bias, values }
    }

    /// The initial prediction (mean training target).
    pub fn init(&self) -> f64 {
        self.init
    }

    /// Number of features a row must have.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Feature names, in column order, as given at training.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The hyperparameters the model was fitted with.
    pub fn params(&self) -> &BoostingValidParams {
        &self.params
    }
}
